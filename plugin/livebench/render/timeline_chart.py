"""``chart: timeline``: a Gantt chart of the run's graph (record ``timeline``), from its cold run.

A build that reused its results has a timeline of cache hits, which says nothing about how long a run
takes; so the chart shows ``timeline_cold`` (the last run in which every node ran) when the record has
one, and says whether it is this build's run or one kept from before, with its date.
"""
from __future__ import annotations

import plotly.graph_objects as go

from ..errors import DirectiveError
from .figure import APP_COLOR, BASE_COLOR, TIME_COLOR, Chart, base_layout, pt, seconds_text
from .labels import label
from .provenance import short_date

PREFIX = {"setup": "setup", "build": "build", "base": "base", "image": "image", "probe": "probe"}


def _rows(tl: dict, lang: str) -> list[tuple[str, str, float, float, str, bool]]:
    """(name, kind, start, end, status, critical); probe cells folded into one row, they are many and short."""
    critical = set(tl.get("critical_path") or [])
    rows, probes = [], []
    for n in tl.get("nodes") or []:
        if n["id"].startswith("probe:"):
            probes.append(n)
            continue
        prefix, _, rest = n["id"].partition(":")
        name = f"{PREFIX.get(prefix, prefix)} {rest}" if rest else n["id"]
        if n.get("cached"):
            name += f" ({label(lang, 'cached')})"  # a cache hit's bar is its lookup, not the work
        rows.append((name, n["kind"], n["start"], n["end"], n["status"], n["id"] in critical))
    if probes:
        at = next((i for i, r in enumerate(rows) if r[0].startswith("benchmarks")), len(rows))  # they ran before it
        rows.insert(at, (label(lang, "probes_row", n=str(len(probes))), "io", min(p["start"] for p in probes),
                         max(p["end"] for p in probes), "ok" if all(p["status"] == "ok" for p in probes) else "failed",
                         any(p["id"] in critical for p in probes)))
    return rows


def chart_timeline(opts: dict, record: dict, lang: str) -> Chart:
    which = opts.get("run", "cold")
    if which not in ("cold", "this"):
        raise DirectiveError(f"'chart: timeline' takes run: cold (the last run in which everything ran, the "
                             f"default) or run: this (this build's run), got {which!r}")
    tl = record.get("timeline_cold") if which == "cold" else None
    tl = tl or record.get("timeline")
    if not tl or not tl.get("nodes"):
        raise DirectiveError("'chart: timeline': the record has no timeline (it was written before livebench "
                             "kept one). Run `livebench run` to measure one.")
    this = tl == record.get("timeline")
    when = label(lang, "timeline_this") if this else label(lang, "timeline_kept", date=short_date(tl.get("started"), lang))
    note = label(lang, "timeline_note", wall=seconds_text(tl["wall"], lang),
                 critical=seconds_text(tl["critical_seconds"], lang), bound=seconds_text(tl["lower_bound"], lang),
                 cpu=seconds_text(tl["cpu_seconds"], lang), jobs=str(tl["jobs"]))
    title = str(opts.get("title") or label(lang, "chart_timeline"))
    rows = _rows(tl, lang)
    data = []
    for kind, color in (("cpu", TIME_COLOR), ("io", BASE_COLOR)):
        mine = [r for r in rows if r[1] == kind]
        data.append(go.Bar(
            name=pt(label(lang, f"kind_{kind}")), orientation="h", y=[pt(r[0]) for r in mine],
            x=[round(r[3] - r[2], 3) for r in mine], base=[r[2] for r in mine],
            marker={"color": color, "line": {"color": [APP_COLOR if r[5] else color for r in mine],
                                             "width": [3 if r[5] else 0 for r in mine]}},
            customdata=[[seconds_text(r[2], lang), seconds_text(r[3], lang), seconds_text(r[3] - r[2], lang),
                         pt(label(lang, "critical")) if r[5] else ""] for r in mine],
            hovertemplate="%{y}<br>%{customdata[0]} → %{customdata[1]} (%{customdata[2]})<br>%{customdata[3]}"
                          "<extra></extra>"))
    layout = base_layout(title, lang, height=max(300, 140 + 26 * len(rows)))
    layout["title"]["text"] += f"<br><sup>{pt(when)}</sup><br><sup>{pt(note)}</sup>"  # each part escaped
    layout.update({
        # under the plot: above it sit the title's two lines of whose run and how it went
        "barmode": "overlay", "legend": {"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"},
        "xaxis": {"title": {"text": pt(label(lang, "axis_run_seconds"))}, "rangemode": "tozero", "ticksuffix": "s"},
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category",
                  "categoryorder": "array", "categoryarray": [pt(r[0]) for r in rows]},
        "margin": {"l": 20, "r": 20, "t": 110, "b": 110},
    })
    keys = ["step", "kind", "start_seconds", "end_seconds", "status", "critical"]
    out = [[r[0], r[1], r[2], r[3], r[4], r[5]] for r in rows]
    cells = [[r[0], label(lang, f"kind_{r[1]}"), seconds_text(r[2], lang), seconds_text(r[3], lang),
              r[4], label(lang, "yes" if r[5] else "no")] for r in rows]
    headers = [label(lang, k) for k in ("step", "kind", "start", "end", "result", "critical")]
    return Chart("timeline", title, go.Figure(data=data, layout=layout), keys, out, headers, cells)
