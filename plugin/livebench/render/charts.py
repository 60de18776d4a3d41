"""Chart blocks: Plotly figures built from the record, drawn in the page by ``assets/livebench-charts.js``.

```livebench
chart: image-sizes            # or binary-sizes, probes, build-times
images: [slice-debian-glibc, slice-busybox-musl]   # image-sizes takes images, the others builds
log: true                     # optional: a log value axis
```

Every chart is one ``<figure class="lb-chart-figure">`` holding

* ``<div class="lb-chart" data-lb-figure="{...}">``: the Plotly figure as JSON in an attribute;
* a ``<details>`` table with the exact figures (what readers without JavaScript, and screen readers, get);
* CSV and JSON downloads of the same rows, as ``data:`` URIs;
* the provenance line of the record.

Why the figure sits in an attribute and not in ``<script type="application/json">``: Material's instant
navigation re-creates every ``<script>`` inside the page container and copies the attributes only of
scripts with a ``src``, so a JSON script would be turned into an executable one (record text run as
JavaScript, and a SyntaxError on every navigation). An attribute is never executed, and the JS reads it
with ``JSON.parse``.

Why the HTML is "Markdown-inert": a directive indented inside a content tab or an admonition reaches
Python-Markdown as inline HTML inside a paragraph, and the text between tags is then parsed as Markdown
(``*``, ``_``, backticks, links). So every text node is written with :func:`inline_text`, and the JSON in
the attribute is part of a tag, which Markdown leaves alone.

Why ``data:`` URIs for the downloads: a block is rendered from ``(options, record, lang)`` only, with no
page or site directory at hand; a data URI needs no files to name, clean up or keep in step between the two
editions and ``mkdocs serve``, and the data behind one chart is a few hundred bytes.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import plotly
import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from ..errors import DirectiveError
from ..results import human_size
from .html import esc, inline_text
from .options import names as option_names
from .labels import label

# The bundle the site serves (copied into site/assets/livebench/ by the plugin): the installed plotly's own.
PLOTLY_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CHART_MARKER = 'class="lb-chart"'  # present in a page's HTML exactly when it has a chart

# Colours readable on Material's light (default) and dark (slate) schemes alike.
BASE_COLOR, APP_COLOR = "#7986cb", "#ff8a65"
LIBC_COLORS = {"glibc": "#5c6bc0", "musl": "#26a69a"}
OTHER_COLORS = ["#ab47bc", "#ffa726", "#8d6e63", "#78909c"]
RUN_COLOR, FAIL_COLOR = "#43a047", "#e53935"
TIME_COLOR = "#7e57c2"

CHART_OPTIONS: dict[str, set[str]] = {
    "image-sizes": {"images", "log", "title"},
    "binary-sizes": {"builds", "log", "title"},
    "probes": {"builds", "title"},
    "build-times": {"builds", "log", "title"},
    "ratios": {"measurements", "only", "title"},  # results of benchmarks/perf (render/measures.py)
}
ALL_OPTIONS = set().union(*CHART_OPTIONS.values())
_ESCAPED_BACKSLASH = re.compile(r"\\\\")  # a JSON-escaped backslash: two backslash characters


@dataclass
class Chart:
    """What one chart block renders: the figure, and the rows behind it (machine keys + localized table)."""

    kind: str
    title: str
    figure: go.Figure
    keys: list[str]                      # CSV/JSON column names (stable, English, machine-readable)
    rows: list[list[Any]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)          # table header, in the page's language
    cells: list[list[str]] = field(default_factory=list)      # table cells, formatted for the language
    switch: list[dict] = field(default_factory=list)          # alternative views: label, axis title, y, customdata


# -- helpers ----------------------------------------------------------------------------------------

def _pt(text: object) -> str:
    """Text for Plotly: it renders a subset of HTML in titles, ticks and hovers, so record text is escaped."""
    return html.escape(str(text), quote=False)


def _bytes(n: int, lang: str) -> str:
    return label(lang, "bytes_fmt", v=f"{n:,}")


def _size_words(n: int, lang: str) -> str:
    return f"{_bytes(n, lang)} ({human_size(n)})"


def _seconds(s: float, lang: str) -> str:
    return label(lang, "seconds_fmt", v=f"{s:.2f}")


def _base_layout(title: str, lang: str, *, height: int = 420) -> dict:
    return {
        "title": {"text": _pt(title), "x": 0, "xanchor": "left", "font": {"size": 15}},
        "height": height,
        "margin": {"l": 70, "r": 20, "t": 70, "b": 60},
        "legend": {"orientation": "h", "x": 0, "y": -0.18},
        "hoverlabel": {"namelength": -1},
        "separators": ".,",  # both editions: 1,234.5 (Korean writes numbers the same way)
    }


def _value_axis(title: str, *, log: bool, bytes_axis: bool) -> dict:
    axis: dict[str, Any] = {"title": {"text": _pt(title)}, "type": "log" if log else "linear",
                            "rangemode": "tozero", "automargin": True}
    if bytes_axis:
        axis.update({"tickformat": "~s", "ticksuffix": "B", "hoverformat": ",d"})
    if log:
        axis["dtick"] = "D2"  # label 1, 2, 5 of each decade only: the default labels every minor tick
    return axis


# -- the four charts --------------------------------------------------------------------------------

def chart_image_sizes(opts: dict, record: dict, lang: str) -> Chart:
    names = option_names(opts, "images", "chart: image-sizes")
    images = record.get("images", {})
    by_role: dict[str, dict[str, list[int]]] = {"base": {"u": [], "c": []}, "app": {"u": [], "c": []}}
    keys = ["image", "base", "layer", "uncompressed_bytes", "compressed_bytes"]
    chart_rows, cells = [], []
    for name in names:
        im = images.get(name)
        if im is None:
            known = ", ".join(sorted(images)) or "none in the record"
            raise DirectiveError(f"unknown image '{name}'. Known: {known}")
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
                          _size_words(u, lang), _size_words(c, lang)])
        size = im.get("size") or {}
        cells.append([name, str(im.get("base", "")), label(lang, "total"),
                      _size_words(int(size.get("uncompressed") or 0), lang),
                      _size_words(int(size.get("compressed") or 0), lang)])
    x = [_pt(n) for n in names]
    title = str(opts.get("title") or label(lang, "chart_image_sizes"))
    hover = "%{x}<br>%{fullData.name}: %{customdata}<extra></extra>"
    data = []
    for role, color in (("base", BASE_COLOR), ("app", APP_COLOR)):
        data.append(go.Bar(name=_pt(label(lang, f"layer_{role}")), x=x, y=by_role[role]["u"],
                           customdata=[_size_words(v, lang) for v in by_role[role]["u"]],
                           marker={"color": color}, hovertemplate=hover))
    layout = _base_layout(title, lang)
    layout.update({
        "barmode": "stack",
        "xaxis": {"title": {"text": _pt(label(lang, "image"))}, "automargin": True},
        "yaxis": _value_axis(label(lang, "axis_uncompressed"), log=bool(opts.get("log")), bytes_axis=True),
    })
    # The switch between uncompressed and compressed sizes: HTML buttons our JS adds above the plot (themed
    # by Material, keyboard-usable), each restyling the traces with the values listed here.
    switch = [{"label": label(lang, f"show_{which}"), "axis": _pt(label(lang, f"axis_{which}")),
               "y": [by_role["base"][k], by_role["app"][k]],
               "customdata": [[_size_words(v, lang) for v in by_role["base"][k]],
                              [_size_words(v, lang) for v in by_role["app"][k]]]}
              for which, k in (("uncompressed", "u"), ("compressed", "c"))]
    headers = [label(lang, k) for k in ("image", "base", "layer", "uncompressed", "compressed")]
    return Chart("image-sizes", title, go.Figure(data=data, layout=layout), keys, chart_rows, headers, cells,
                 switch)


def _program(name: str) -> str:
    for suffix in ("-gnu", "-glibc", "-musl"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _builds(opts: dict, record: dict, kind: str) -> list[tuple[str, dict]]:
    out = []
    builds = record.get("builds", {})
    for name in option_names(opts, "builds", f"chart: {kind}"):
        b = builds.get(name)
        if b is None:
            known = ", ".join(sorted(builds)) or "none in the record"
            raise DirectiveError(f"unknown build '{name}'. Known: {known}")
        if not b.get("ok") or not b.get("artifact"):
            raise DirectiveError(f"build '{name}' failed, so 'chart: {kind}' has no value for it: "
                                 f"{b.get('error') or 'no artifact'}")
        out.append((name, b))
    return out


def chart_binary_sizes(opts: dict, record: dict, lang: str) -> Chart:
    builds = _builds(opts, record, "binary-sizes")
    programs: list[str] = []
    libcs: list[str] = []
    for name, b in builds:
        if _program(name) not in programs:
            programs.append(_program(name))
        libc = (b.get("linkage") or {}).get("libc") or "unknown"
        if libc not in libcs:
            libcs.append(libc)
    cell: dict[tuple[str, str], tuple[str, dict]] = {}
    for name, b in builds:
        key = (_program(name), (b.get("linkage") or {}).get("libc") or "unknown")
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
            custom.append([_pt(hit[0]), _size_words(size, lang)] if hit else ["", ""])
        data.append(go.Bar(
            name=_pt(libc), x=[_pt(p) for p in programs], y=ys, customdata=custom,
            marker={"color": LIBC_COLORS.get(libc, OTHER_COLORS[i % len(OTHER_COLORS)])},
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        ))
    title = str(opts.get("title") or label(lang, "chart_binary_sizes"))
    layout = _base_layout(title, lang)
    layout.update({
        "barmode": "group",
        "xaxis": {"title": {"text": _pt(label(lang, "program"))}, "automargin": True},
        "yaxis": _value_axis(label(lang, "axis_file_size"), log=bool(opts.get("log")), bytes_axis=True),
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "title": {"text": _pt(label(lang, "libc"))}},
    })
    keys = ["build", "program", "libc", "kind", "size_bytes"]
    rows, cells = [], []
    for name, b in builds:
        lk = b.get("linkage") or {}
        rows.append([name, _program(name), lk.get("libc", ""), lk.get("kind", ""), b["artifact"]["size"]])
        cells.append([name, _program(name), str(lk.get("libc", "")), str(lk.get("kind", "")),
                      _size_words(b["artifact"]["size"], lang)])
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
            cr.append([word + (f" ({label(lang, 'unexpected')})" if unexpected else ""), _pt(p.get("exit_code"))])
            rows.append([n, base, "runs" if ran else "fails", p.get("exit_code"), p.get("expected"), not unexpected])
            cells.append([n, base, word, str(p.get("exit_code")),
                          label(lang, "unexpected") if unexpected else label(lang, "expected")])
        z.append(zr)
        text.append(tr)
        custom.append(cr)
    title = str(opts.get("title") or label(lang, "probe_matrix"))
    hover = (f"%{{y}} @ %{{x}}<br>%{{customdata[0]}}<br>{_pt(label(lang, 'exit'))}: %{{customdata[1]}}"
             "<extra></extra>")
    data = [go.Heatmap(
        x=[_pt(b) for b in bases], y=[_pt(n) for n in names], z=z, zmin=0, zmax=1,
        colorscale=[[0, FAIL_COLOR], [0.5, FAIL_COLOR], [0.5, RUN_COLOR], [1, RUN_COLOR]],
        showscale=False, xgap=3, ygap=3, text=text, texttemplate="%{text}",
        textfont={"color": "#ffffff", "size": 13}, customdata=custom, hovertemplate=hover,
    )]
    layout = _base_layout(title, lang, height=max(260, 90 + 56 * len(names)))
    layout.update({
        "xaxis": {"title": {"text": _pt(label(lang, "base"))}, "side": "top", "automargin": True,
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
    custom = [[_seconds(s, lang), label(lang, "cached" if b.get("cached") else "measured")]
              for s, (_, b) in zip(secs, builds)]
    title = str(opts.get("title") or label(lang, "chart_build_times"))
    data = [go.Bar(
        name=_pt(label(lang, "seconds")), y=[_pt(n) for n, _ in builds], x=secs, orientation="h",
        customdata=custom, marker={"color": TIME_COLOR}, showlegend=False,
        text=[c[0] for c in custom], textposition="auto",
        hovertemplate="%{y}<br>%{customdata[0]} (%{customdata[1]})<extra></extra>",
    )]
    layout = _base_layout(title, lang, height=max(260, 110 + 44 * len(builds)))
    layout.update({
        "xaxis": _value_axis(label(lang, "axis_seconds"), log=bool(opts.get("log")), bytes_axis=False),
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
    from .measures import items, met, ratio_text

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
    hover = [[_pt(x) for x in c] for c in custom]  # Plotly renders HTML in hovers: record text escaped
    data = [go.Bar(
        y=[_pt(n) for n, *_ in bars], x=[v for _, v, *_ in bars], orientation="h", marker={"color": colors},
        customdata=hover, text=[c[0] for c in custom], textposition="auto", showlegend=False,
        hovertemplate="%{y}<br>%{customdata[0]} (" + _pt(label(lang, "target")) + " %{customdata[1]})"
                      "<br>%{customdata[2]}<extra></extra>",
    )]
    layout = _base_layout(title, lang, height=max(260, 110 + 44 * len(bars)))
    layout.update({
        "xaxis": {"title": {"text": _pt(label(lang, "axis_ratio"))}, "type": "log", "rangemode": "tozero"},
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


CHARTS: dict[str, Callable[[dict, dict, str], Chart]] = {
    "image-sizes": chart_image_sizes,
    "binary-sizes": chart_binary_sizes,
    "probes": chart_probes,
    "build-times": chart_build_times,
    "ratios": chart_ratios,
}


# -- HTML ---------------------------------------------------------------------------------------------

def figure_json(fig: go.Figure, lang: str, switch: list[dict] | None = None) -> str:
    """The figure as JSON for the page: no template (the JS themes it), and no ``<``, ``>``, ``&`` at all,
    so it cannot close a tag or start an entity wherever it is embedded."""
    spec = fig.to_plotly_json()
    spec["layout"].pop("template", None)
    spec["config"] = {"displaylogo": False, "responsive": True, "showLink": False, "showSendToCloud": False,
                      "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}
    spec["lang"] = lang
    if switch:
        spec["switch"] = switch
    text = json.dumps(spec, cls=PlotlyJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    # Outside strings JSON only has {}[],:"digits and words, so these characters are in strings, where a
    # \uXXXX escape means the same. Escaped: what could end a tag or start an entity (< > &), and what
    # Python-Markdown acts on inside a paragraph before it stashes a tag: code spans (`), backslash
    # escapes (\\) and inline links ( ... ).
    text = _ESCAPED_BACKSLASH.sub(lambda m: "\\u005c", text)
    for ch in "<>&`()":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def _csv(chart: Chart) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(chart.keys)
    for row in chart.rows:
        # A cell starting with = + - @ would be a formula in a spreadsheet: prefix it (names are untrusted).
        w.writerow([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    return buf.getvalue()


def _json(chart: Chart, record: dict) -> str:
    p = record.get("provenance", {})
    doc = {"chart": chart.kind, "title": chart.title,
           "provenance": {k: p.get(k) for k in ("date", "arch", "kernel", "os", "git_commit", "livebench")},
           "rows": [dict(zip(chart.keys, row)) for row in chart.rows]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _data_uri(mime: str, text: str) -> str:
    return f"data:{mime};charset=utf-8," + urllib.parse.quote(text, safe="")


def _inert(fragment: str) -> str:
    """Make an HTML fragment whose attributes hold none of these characters inert to Markdown."""
    for ch, ent in (("\\", "&#92;"), ("_", "&#95;"), ("*", "&#42;"), ("`", "&#96;"), ("[", "&#91;"), ("]", "&#93;")):
        fragment = fragment.replace(ch, ent)
    return fragment


def render_chart(opts: dict, record: dict, lang: str, prov_line: str) -> str:
    kind = opts.get("chart")
    if kind not in CHARTS:
        raise DirectiveError(f"unknown chart '{kind}'. Charts: {', '.join(CHARTS)}")
    extra = set(opts) - {"chart"} - CHART_OPTIONS[kind]
    if extra:
        raise DirectiveError(f"option(s) {', '.join(sorted(map(str, extra)))} do not apply to 'chart: {kind}'. "
                             f"Allowed: {', '.join(sorted(CHART_OPTIONS[kind]))}")
    chart = CHARTS[kind](opts, record, lang)
    T = inline_text  # every text node Markdown-inert (see the module docstring)
    head = "".join(f"<th>{T(h)}</th>" for h in chart.headers)
    body = "".join("<tr>" + "".join(f"<td>{T(c)}</td>" for c in row) + "</tr>" for row in chart.cells)
    stem = f"livebench-{kind}"
    downloads = (
        f'<p class="lb-chart__downloads">{T(label(lang, "download"))}: '
        f'<a href="{esc(_data_uri("text/csv", _csv(chart)))}" download="{stem}.csv">CSV</a> · '
        f'<a href="{esc(_data_uri("application/json", _json(chart, record)))}" download="{stem}.json">JSON</a></p>'
    )
    return (
        f'<figure class="lb-chart-figure" data-lb-kind="{esc(kind)}">'
        f'<div class="lb-chart" data-lb-figure="{esc(figure_json(chart.figure, lang, chart.switch))}">'
        f'<div class="lb-chart__plot" role="img" aria-label="{T(label(lang, "chart_aria", title=chart.title))}"></div>'
        "</div>"
        f'<details class="lb-chart__data"><summary>{T(label(lang, "chart_data"))}: {T(chart.title)}</summary>'
        f'<table class="lb-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>'
        f"{downloads}{_inert(prov_line)}</figure>"
    )
