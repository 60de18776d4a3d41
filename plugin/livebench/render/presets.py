"""The built-in chart kinds: image sizes, binary sizes, probes, build times, measured ratios."""
from __future__ import annotations

import plotly.graph_objects as go

from ..errors import DirectiveError
from .absent import absent, failed_build
from .figure import (
    APP_COLOR,
    BASE_COLOR,
    FAIL_COLOR,
    LEGEND_ABOVE,
    LIBC_COLORS,
    OTHER_COLORS,
    RUN_COLOR,
    TIME_COLOR,
    Chart,
    base_layout,
    pt,
    seconds_text,
    size_words,
    value_axis,
)
from .labels import label
from .measures import items, met, ratio_text
from .options import names as option_names
from .query import program_of


def chart_image_sizes(opts: dict, record: dict, lang: str) -> Chart:
    names = option_names(opts, "images", "chart: image-sizes")
    images = record.get("images", {})
    by_role: dict[str, dict[str, list[int]]] = {"base": {"u": [], "c": []}, "app": {"u": [], "c": []}}
    keys = ["image", "base", "layer", "uncompressed_bytes", "compressed_bytes"]
    chart_rows, cells = [], []
    for name in names:
        im = images.get(name)
        if im is None:
            raise absent(record, "images", name, f"image '{name}'")
        sums = {"base": [0, 0], "app": [0, 0]}
        for layer in im.get("layers") or []:
            role = "app" if layer.get("role") == "app" else "base"
            sums[role][0] += int(layer.get("size") or 0)
            sums[role][1] += int(layer.get("compressed_size") or 0)
        for role in ("base", "app"):
            u, c = sums[role]
            by_role[role]["u"].append(u)
            by_role[role]["c"].append(c)
            chart_rows.append([name, im.get("base", ""), role, u, c])
            cells.append([name, str(im.get("base", "")), label(lang, f"layer_{role}"),
                          size_words(u, lang), size_words(c, lang)])
        size = im.get("size") or {}
        cells.append([name, str(im.get("base", "")), label(lang, "total"),
                      size_words(int(size.get("uncompressed") or 0), lang),
                      size_words(int(size.get("compressed") or 0), lang)])
    x = [pt(n) for n in names]
    title = str(opts.get("title") or label(lang, "chart_image_sizes"))
    hover = "%{x}<br>%{fullData.name}: %{customdata}<extra></extra>"
    data = []
    for role, color in (("base", BASE_COLOR), ("app", APP_COLOR)):
        data.append(go.Bar(name=pt(label(lang, f"layer_{role}")), x=x, y=by_role[role]["u"],
                           customdata=[size_words(v, lang) for v in by_role[role]["u"]],
                           marker={"color": color}, hovertemplate=hover))
    layout = base_layout(title, lang)
    layout.update({
        "barmode": "stack",
        "xaxis": {"title": {"text": pt(label(lang, "image"))}, "automargin": True},
        "yaxis": value_axis(label(lang, "axis_uncompressed"), log=bool(opts.get("log")), bytes_axis=True),
    })
    # The switch between uncompressed and compressed sizes: HTML buttons our JS adds above the plot (themed
    # by Material, keyboard-usable), each restyling the traces with the values listed here.
    switch = [{"label": label(lang, f"show_{which}"), "axis": pt(label(lang, f"axis_{which}")),
               "y": [by_role["base"][k], by_role["app"][k]],
               "customdata": [[size_words(v, lang) for v in by_role["base"][k]],
                              [size_words(v, lang) for v in by_role["app"][k]]]}
              for which, k in (("uncompressed", "u"), ("compressed", "c"))]
    headers = [label(lang, k) for k in ("image", "base", "layer", "uncompressed", "compressed")]
    return Chart("image-sizes", title, go.Figure(data=data, layout=layout), keys, chart_rows, headers, cells,
                 switch)


def _builds(opts: dict, record: dict, kind: str) -> list[tuple[str, dict]]:
    out = []
    builds = record.get("builds", {})
    for name in option_names(opts, "builds", f"chart: {kind}"):
        b = builds.get(name)
        if b is None:
            raise absent(record, "builds", name, f"build '{name}'")
        if not b.get("ok") or not b.get("artifact"):
            raise failed_build(record, name, f"build '{name}' failed, so 'chart: {kind}' has no value for it: "
                                             f"{b.get('error') or 'no artifact'}")
        out.append((name, b))
    return out


def chart_binary_sizes(opts: dict, record: dict, lang: str) -> Chart:
    builds = _builds(opts, record, "binary-sizes")
    programs: list[str] = []
    libcs: list[str] = []
    for name, b in builds:
        if program_of(name) not in programs:
            programs.append(program_of(name))
        libc = (b.get("linkage") or {}).get("libc") or "unknown"
        if libc not in libcs:
            libcs.append(libc)
    cell: dict[tuple[str, str], tuple[str, dict]] = {}
    for name, b in builds:
        key = (program_of(name), (b.get("linkage") or {}).get("libc") or "unknown")
        if key in cell:  # two builds of one program with one libc: chart each build on its own
            programs = [n for n, _ in builds]
            cell = {(n, (bb.get("linkage") or {}).get("libc") or "unknown"): (n, bb) for n, bb in builds}
            break
        cell[key] = (name, b)
    data = []
    for i, libc in enumerate(libcs):
        ys, custom = [], []
        for prog in programs:
            hit = cell.get((prog, libc))
            size = hit[1]["artifact"]["size"] if hit else None
            ys.append(size)
            custom.append([pt(hit[0]), size_words(size, lang)] if hit else ["", ""])
        data.append(go.Bar(
            name=pt(libc), x=[pt(p) for p in programs], y=ys, customdata=custom,
            marker={"color": LIBC_COLORS.get(libc, OTHER_COLORS[i % len(OTHER_COLORS)])},
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        ))
    title = str(opts.get("title") or label(lang, "chart_binary_sizes"))
    layout = base_layout(title, lang)
    layout.update({
        "barmode": "group",
        "xaxis": {"title": {"text": pt(label(lang, "program"))}, "automargin": True},
        "yaxis": value_axis(label(lang, "axis_file_size"), log=bool(opts.get("log")), bytes_axis=True),
        "legend": {**LEGEND_ABOVE, "title": {"text": pt(label(lang, "libc"))}},
    })
    keys = ["build", "program", "libc", "kind", "size_bytes"]
    rows, cells = [], []
    for name, b in builds:
        lk = b.get("linkage") or {}
        rows.append([name, program_of(name), lk.get("libc", ""), lk.get("kind", ""), b["artifact"]["size"]])
        cells.append([name, program_of(name), str(lk.get("libc", "")), str(lk.get("kind", "")),
                      size_words(b["artifact"]["size"], lang)])
    headers = [label(lang, k) for k in ("build", "program", "libc", "kind", "size")]
    return Chart("binary-sizes", title, go.Figure(data=data, layout=layout), keys, rows, headers, cells)


def chart_probes(opts: dict, record: dict, lang: str) -> Chart:
    names = option_names(opts, "builds", "chart: probes")
    probes = record.get("probes", {})
    bases: list[str] = []
    for n in names:
        if n not in probes:
            raise DirectiveError(f"no probes for build '{n}'. Probed: {', '.join(sorted(probes)) or 'none'}")
        for base in probes[n]:
            if base not in bases:
                bases.append(base)
    z, text, custom = [], [], []
    keys = ["build", "base", "result", "exit_code", "expected", "as_expected"]
    rows, cells = [], []
    for n in names:
        zr, tr, cr = [], [], []
        for base in bases:
            p = probes[n].get(base)
            if p is None:
                zr.append(None)
                tr.append("")
                cr.append(["", ""])
                continue
            ran = p.get("exit_code") == 0
            word = label(lang, "runs" if ran else "fails")
            unexpected = p.get("ok") is False
            zr.append(1 if ran else 0)
            tr.append(("✓ " if ran else "✗ ") + word + (" (!)" if unexpected else ""))
            cr.append([word + (f" ({label(lang, 'unexpected')})" if unexpected else ""), pt(p.get("exit_code"))])
            rows.append([n, base, "runs" if ran else "fails", p.get("exit_code"), p.get("expected"), not unexpected])
            cells.append([n, base, word, str(p.get("exit_code")),
                          label(lang, "unexpected") if unexpected else label(lang, "expected")])
        z.append(zr)
        text.append(tr)
        custom.append(cr)
    title = str(opts.get("title") or label(lang, "probe_matrix"))
    hover = (f"%{{y}} @ %{{x}}<br>%{{customdata[0]}}<br>{pt(label(lang, 'exit'))}: %{{customdata[1]}}"
             "<extra></extra>")
    data = [go.Heatmap(
        x=[pt(b) for b in bases], y=[pt(n) for n in names], z=z, zmin=0, zmax=1,
        colorscale=[[0, FAIL_COLOR], [0.5, FAIL_COLOR], [0.5, RUN_COLOR], [1, RUN_COLOR]],
        showscale=False, xgap=3, ygap=3, text=text, texttemplate="%{text}",
        textfont={"color": "#ffffff", "size": 13}, customdata=custom, hovertemplate=hover,
    )]
    layout = base_layout(title, lang, height=max(260, 90 + 56 * len(names)))
    layout.update({
        "xaxis": {"title": {"text": pt(label(lang, "base"))}, "side": "top", "automargin": True,
                  "showgrid": False, "zeroline": False},
        "yaxis": {"title": {"text": ""}, "autorange": "reversed", "automargin": True,
                  "showgrid": False, "zeroline": False},
        "margin": {"l": 20, "r": 20, "t": 110, "b": 20},
    })
    headers = [label(lang, k) for k in ("build", "base", "result", "exit", "expectation")]
    return Chart("probes", title, go.Figure(data=data, layout=layout), keys, rows, headers, cells)


def chart_build_times(opts: dict, record: dict, lang: str) -> Chart:
    builds = _builds(opts, record, "build-times")
    secs = [float(b.get("seconds") or 0) for _, b in builds]
    custom = [[seconds_text(s, lang), label(lang, "cached" if b.get("cached") else "measured")]
              for s, (_, b) in zip(secs, builds)]
    title = str(opts.get("title") or label(lang, "chart_build_times"))
    data = [go.Bar(
        name=pt(label(lang, "seconds")), y=[pt(n) for n, _ in builds], x=secs, orientation="h",
        customdata=custom, marker={"color": TIME_COLOR}, showlegend=False,
        text=[c[0] for c in custom], textposition="auto",
        hovertemplate="%{y}<br>%{customdata[0]} (%{customdata[1]})<extra></extra>",
    )]
    layout = base_layout(title, lang, height=max(260, 110 + 44 * len(builds)))
    layout.update({
        "xaxis": value_axis(label(lang, "axis_seconds"), log=bool(opts.get("log")), bytes_axis=False),
        "yaxis": {"autorange": "reversed", "automargin": True},
        "margin": {"l": 20, "r": 20, "t": 60, "b": 50},
    })
    keys = ["build", "seconds", "cached"]
    rows = [[n, s, bool(b.get("cached"))] for s, (n, b) in zip(secs, builds)]
    cells = [[n, c[0], c[1]] for c, (n, _) in zip(custom, builds)]
    headers = [label(lang, "build"), label(lang, "seconds"), label(lang, "note")]
    return Chart("build-times", title, go.Figure(data=data, layout=layout), keys, rows, headers, cells)


def chart_ratios(opts: dict, record: dict, lang: str) -> Chart:
    """One bar per measured ratio (record["measurements"]), with a line at 1× and each target marked."""

    bars: list[tuple[str, float, str | None, bool | None, str]] = []
    for stem, m in items(record, opts.get("measurements"), opts.get("only")):
        for key, value in (m.get("ratios") or {}).items():
            target = (m.get("targets") or {}).get(key)
            bars.append((f"{stem}: {key}", float(value), target, met(key, float(value), target), m.get("title") or stem))
    if not bars:
        raise DirectiveError("'chart: ratios': the measurements hold no ratios")
    title = str(opts.get("title") or label(lang, "chart_ratios"))
    colors = [TIME_COLOR if ok is None else RUN_COLOR if ok else FAIL_COLOR for *_, ok, _ in bars]
    custom = [[ratio_text(v), t or "–", what] for _, v, t, _, what in bars]  # table cells (escaped there)
    hover = [[pt(x) for x in c] for c in custom]  # Plotly renders HTML in hovers: record text escaped
    data = [go.Bar(
        y=[pt(n) for n, *_ in bars], x=[v for _, v, *_ in bars], orientation="h", marker={"color": colors},
        customdata=hover, text=[c[0] for c in custom], textposition="auto", showlegend=False,
        hovertemplate="%{y}<br>%{customdata[0]} (" + pt(label(lang, "target")) + " %{customdata[1]})"
                      "<br>%{customdata[2]}<extra></extra>",
    )]
    layout = base_layout(title, lang, height=max(260, 110 + 44 * len(bars)))
    layout.update({
        "xaxis": {"title": {"text": pt(label(lang, "axis_ratio"))}, "type": "log", "rangemode": "tozero"},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "margin": {"l": 20, "r": 20, "t": 60, "b": 50},
        "shapes": [{"type": "line", "x0": 1, "x1": 1, "yref": "paper", "y0": 0, "y1": 1,
                    "line": {"dash": "dot", "width": 1, "color": "#888"}}],
    })
    keys = ["ratio", "value", "target", "met"]
    rows = [[n, v, t, ok] for n, v, t, ok, _ in bars]
    cells = [[n, c[0], c[1], "–" if ok is None else label(lang, "yes" if ok else "no")]
             for (n, _, _, ok, _), c in zip(bars, custom)]
    headers = [label(lang, "benchmark"), label(lang, "ratio"), label(lang, "target"), label(lang, "result")]
    return Chart("ratios", title, go.Figure(data=data, layout=layout), keys, rows, headers, cells)
