"""Charts of one's own: a chart type and a small query over the record (render/query.py).

```livebench
chart: scatter                 # bar, grouped-bar, stacked-bar, line, scatter, box, strip, heatmap
data: builds                   # the rows: builds, images, probes, benchmarks, measurements
x: seconds                     # field paths into each row ("name" is the row's own name)
y: artifact.size
color: linkage.libc            # optional: one trace (and colour) per value
unit: bytes                    # the y (or z) values: bytes, seconds, ratio, count (default: none)
x_unit: seconds                # optional, for a numeric x
log: true                      # optional: a log value axis
sort: -y                       # optional: x, -x, y, -y
only: [slice-gnu, slice-musl]  # optional: these rows, in this order; where: {field: value} filters
facet: linkage.libc            # optional: one panel per value, sharing the value axis (facet_columns: 3)
orientation: horizontal        # optional, for bars: the rows down the side, the values across
colors: {musl: "#26a69a"}      # optional: a colour per value of `color` (or of a heatmap's words)
columns: [linkage.kind]        # optional: more fields in the table and the downloads
switch: [size.uncompressed]    # optional: other y fields, one button each above the chart (bars, line, scatter)
reference: [{value: 1, label: "1×"}]   # optional: dotted lines across the plot at these values
title: {en: "Size against build time", ko: "빌드 시간과 크기"}   # a string, or one per language
```

Every chart gets what the built-in kinds get: the table of exact figures, CSV and JSON downloads,
theming and instant-navigation support (render/charts.py draws them all the same way).
"""
from __future__ import annotations

import math
import re
from typing import Any

import plotly.graph_objects as go

from .._util.units import human_size
from ..errors import DirectiveError
from ..spec.checker import did_you_mean
from .bench import duration
from .chart_kinds import CUSTOM_OPTIONS, CUSTOM_TYPES
from .figure import (
    APP_COLOR,
    BASE_COLOR,
    FAIL_COLOR,
    LIBC_COLORS,
    OTHER_COLORS,
    RUN_COLOR,
    TIME_COLOR,
    Chart,
    base_layout,
    pt,
)
from .query import column, rows, select

UNITS = ("bytes", "seconds", "ratio", "count", "none")
TYPES, OPTIONS = CUSTOM_TYPES, CUSTOM_OPTIONS
REQUIRED = {"heatmap": ("data", "x", "y", "z")}


def fmt(value: Any, unit: str) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "–" if value is None else str(value)
    if unit == "bytes":
        return human_size(value)
    if unit == "seconds":
        return duration(float(value))
    if unit == "ratio":
        return f"{value:.3g}×"
    return f"{value:,}" if isinstance(value, int) else f"{value:.4g}"


def text_for(opts: dict, key: str, lang: str, default: str) -> str:
    value = opts.get(key)
    if value is None:
        return default
    if isinstance(value, dict):
        chosen = value.get(lang, value.get("en"))
        if not isinstance(chosen, str):
            raise DirectiveError(f"'{key}' per language: give a string for 'en' (and '{lang}'), got {value!r}")
        return chosen
    return str(value)


def _unit(opts: dict, key: str) -> str:
    unit = opts.get(key, "none")
    if unit not in UNITS:
        raise DirectiveError(f"'{key}: {unit}' is not a unit.{did_you_mean(str(unit), UNITS)} Units: {', '.join(UNITS)}")
    return str(unit)


def _axis(title: str, unit: str, log: bool) -> dict[str, Any]:
    axis: dict[str, Any] = {"title": {"text": pt(title)}, "automargin": True}
    if log:
        axis.update({"type": "log", "dtick": "D2"})  # 1, 2, 5 of each decade: all minor labels crowd the axis
    if unit == "bytes":
        axis.update({"tickformat": "~s", "ticksuffix": "B"})
    elif unit == "seconds":
        axis.update({"tickformat": "~s", "ticksuffix": "s"})
    elif unit == "ratio":
        axis.update({"ticksuffix": "×"})
    return axis


KNOWN_COLORS = {**LIBC_COLORS, "runs": RUN_COLOR, "fails": FAIL_COLOR, "met": RUN_COLOR, "missed": FAIL_COLOR,
                "no target": TIME_COLOR, "base": BASE_COLOR, "app": APP_COLOR}  # the built-in charts' colours


def _color(group: str, i: int) -> str:
    return KNOWN_COLORS.get(group) or OTHER_COLORS[i % len(OTHER_COLORS)]


def _own_colors(opts: dict) -> dict[str, str]:
    given = opts.get("colors", {})
    if not isinstance(given, dict) or not all(isinstance(c, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", c)
                                              for c in given.values()):
        raise DirectiveError(f"'colors' maps values to colours written #rrggbb, as {{musl: \"#26a69a\"}}; got {given!r}")
    return {str(k): v for k, v in given.items()}


def chart_custom(opts: dict, record: dict, lang: str) -> Chart:
    kind = str(opts["chart"])
    extra = set(opts) - {"chart"} - OPTIONS
    if extra:
        raise DirectiveError(f"option(s) {', '.join(sorted(map(str, extra)))} do not apply to 'chart: {kind}'."
                             f"{''.join(did_you_mean(str(k), OPTIONS) for k in sorted(map(str, extra)))} "
                             f"Allowed: {', '.join(sorted(OPTIONS))}")
    for key in REQUIRED.get(kind, ("data", "y")):
        if key not in opts:
            raise DirectiveError(f"'chart: {kind}' needs '{key}'")
    section = str(opts["data"])
    table = select(rows(record, section), opts.get("only"), opts.get("where"))
    unit, x_unit = _unit(opts, "unit"), _unit(opts, "x_unit")
    xs = column(table, opts.get("x", "name"), "x", section)
    ys = column(table, opts["y"], "y", section)
    zs = column(table, opts["z"], "z", section) if kind == "heatmap" else [None] * len(table)
    groups = [str(g) for g in column(table, opts["color"], "color", section)] if "color" in opts else [""] * len(table)
    panels = [str(v) for v in column(table, opts["facet"], "facet", section)] if "facet" in opts else [""] * len(table)
    horizontal = _horizontal(opts, kind)
    columns = opts.get("facet_columns", 3)
    if not isinstance(columns, int) or isinstance(columns, bool) or not 1 <= columns <= 6:
        raise DirectiveError(f"'facet_columns' takes a number of panels per row from 1 to 6, got {columns!r}")
    shown = opts.get("columns", [])
    if not isinstance(shown, list) or not all(isinstance(c, str) and c for c in shown):
        raise DirectiveError(f"'columns' takes a list of field paths for the table, got {shown!r}")
    more = list(zip(*(column(table, c, "columns", section) for c in shown))) if shown else [()] * len(table)
    views = _switch(opts, kind, horizontal, lang)
    alternates = [column(table, path, "switch", section) for path, _ in views]
    points = list(zip(xs, ys, zs, groups, [r["name"] for r in table], panels, more))
    order_of = list(range(len(points)))
    sort = opts.get("sort", "x" if kind == "line" else None)  # a line joins its points in x order
    if sort is not None:
        if sort not in ("x", "-x", "y", "-y"):
            raise DirectiveError(f"'sort: {sort}': write x, -x, y or -y")
        idx = 0 if sort.endswith("x") else 1
        def order(i: int) -> tuple:
            v = points[i][idx]
            return (v is None, 0, v) if isinstance(v, (int, float)) and not isinstance(v, bool) else (v is None, 1, str(v))

        order_of.sort(key=order, reverse=sort.startswith("-"))
        points = [points[i] for i in order_of]
    alternates = [[alt[i] for i in order_of] for alt in alternates]
    title = text_for(opts, "title", lang, f"{opts['y']} / {opts.get('x', 'name')}")
    x_title = text_for(opts, "x_title", lang, str(opts.get("x", "name")))
    y_title = text_for(opts, "y_title", lang, str(opts["y"]))
    own = _own_colors(opts)
    colors = {g: own.get(g) or _color(g, i) for i, g in enumerate(dict.fromkeys(p[3] for p in points))}  # every panel
    if kind == "heatmap":  # words as a heatmap's values are categories, each with its colour
        words = [str(p[2]) for p in points if isinstance(p[2], str)]
        colors.update({w: own.get(w) or _color(w, len(colors) + i) for i, w in enumerate(dict.fromkeys(words))})
    layout = base_layout(title, lang)
    x_axis, y_axis = _axis(x_title, x_unit, False), _axis(y_title, unit, bool(opts.get("log")))
    if "facet" in opts:
        data = _panels(kind, points, unit, x_unit, colors, layout, x_axis, y_axis, columns)
    elif horizontal:  # the same bars turned: the value axis across, the rows top to bottom in their order
        data = _traces(kind, points, unit, x_unit, colors)
        for trace in data:
            trace.update(x=trace.y, y=trace.x, orientation="h")
        layout.update({"xaxis": y_axis, "yaxis": {**x_axis, "autorange": "reversed"},
                       "height": max(260, 110 + 44 * len(dict.fromkeys(str(p[0]) for p in points)))})
    else:
        data = _traces(kind, points, unit, x_unit, colors)
        layout.update({"xaxis": x_axis, "yaxis": y_axis})
    switch = []
    if views:  # the chart as drawn is the first view; each button restyles every trace with its field's values
        switch.append(_view(y_title, data))
        for (_, title), alt in zip(views, alternates):
            moved = [(p[0], v, *p[2:]) for p, v in zip(points, alt)]
            switch.append(_view(title, _traces(kind, moved, unit, x_unit, colors)))
    _references(opts, kind, horizontal, layout, len(dict.fromkeys(p[5] for p in points)), lang)
    if kind in ("bar", "grouped-bar", "stacked-bar"):
        # bar: one bar per x, coloured by group (full width even when each group has its own x values)
        layout["barmode"] = {"bar": "overlay", "grouped-bar": "group", "stacked-bar": "stack"}[kind]
    if kind in ("box", "strip") and "color" not in opts:
        layout["showlegend"] = False
    facet = ["facet"] if "facet" in opts else []
    keys = ["name", "x", "y"] + (["z"] if kind == "heatmap" else []) + (["color"] if "color" in opts else []) + facet
    out_rows, cells = [], []
    keys += shown + [path for path, _ in views]
    for k, (x, y, z, g, name, panel, fields) in enumerate(points):
        row = [name, x, y] + ([z] if kind == "heatmap" else []) + ([g] if "color" in opts else []) + ([panel] if facet else [])
        others = [alt[k] for alt in alternates]
        out_rows.append(row + list(fields) + others)
        numbers = [v for v in y if isinstance(v, (int, float))] if isinstance(y, list) else []
        shown_y = (f"{len(numbers)} × {fmt(sorted(numbers)[len(numbers) // 2], unit)} (median)" if numbers
                   else "–" if isinstance(y, list) else fmt(y, unit))
        cells.append([name, fmt(x, x_unit), shown_y] + ([fmt(z, unit)] if kind == "heatmap" else [])
                     + ([g] if "color" in opts else []) + ([panel] if facet else []) + [fmt(v, "none") for v in fields]
                     + [fmt(v, unit) for v in others])
    headers = ["", x_title, y_title] + ([text_for(opts, "z", lang, str(opts.get("z")))] if kind == "heatmap" else []) \
        + ([str(opts["color"])] if "color" in opts else []) + ([str(opts["facet"])] if facet else []) + shown \
        + [t for _, t in views]
    return Chart(kind, title, go.Figure(data=data, layout=layout), keys, out_rows, headers, cells, switch)


def _switch(opts: dict, kind: str, horizontal: bool, lang: str) -> list[tuple[str, str]]:
    """``switch``: other y fields, each a path or ``{y: path, title: text or per language}``."""
    given = opts.get("switch", [])
    if not isinstance(given, list) or not given and "switch" in opts:
        raise DirectiveError(f"'switch' takes a list of other y fields, as [size.uncompressed]; got {given!r}")
    if given and (kind not in ("bar", "grouped-bar", "stacked-bar", "line", "scatter") or horizontal or "facet" in opts):
        raise DirectiveError(f"'switch' swaps the y values of vertical bars, lines and scatters without 'facet'; "
                             f"this one {'has a facet' if 'facet' in opts else 'is horizontal' if horizontal else f'is a {kind}'}")
    views = []
    for item in given:
        if isinstance(item, str) and item:
            views.append((item, item))
        elif isinstance(item, dict) and isinstance(item.get("y"), str) and set(item) <= {"y", "title"}:
            views.append((item["y"], text_for(item, "title", lang, item["y"])))
        else:
            raise DirectiveError(f"'switch': each entry is a field path or {{y: PATH, title: TEXT}}; got {item!r}")
    return views


def _references(opts: dict, kind: str, horizontal: bool, layout: dict, panels: int, lang: str) -> None:
    """``reference``: a dotted line at each value on the value axis (of every panel), labelled at its end."""
    given = opts.get("reference", [])
    given = given if isinstance(given, list) else [given]
    if given and kind == "heatmap":
        raise DirectiveError("'reference' draws a line on a value axis; a heatmap's values are colours")
    log = bool(opts.get("log"))
    shapes, notes = [], []
    for item in given:
        value = item.get("value") if isinstance(item, dict) else item
        if not isinstance(value, (int, float)) or isinstance(value, bool) or log and value <= 0 \
                or isinstance(item, dict) and not set(item) <= {"value", "label"}:
            raise DirectiveError(f"'reference': each entry is a number{' above 0 (the axis is log)' if log else ''} "
                                 f"or {{value: NUMBER, label: TEXT}}; got {item!r}")
        words = text_for(item, "label", lang, "") if isinstance(item, dict) else ""
        where = math.log10(value) if log else value  # Plotly places annotations on a log axis by exponent
        for i in range(panels):
            n = "" if i == 0 else str(i + 1)
            line = {"type": "line", "line": {"dash": "dot", "width": 1, "color": "#888"}}
            if horizontal:
                shapes.append({**line, "xref": "x", "x0": value, "x1": value, "yref": "y domain", "y0": 0, "y1": 1})
                note = {"xref": "x", "x": where, "yref": "y domain", "y": 1, "yanchor": "bottom", "xanchor": "left"}
            else:
                shapes.append({**line, "xref": f"x{n} domain", "x0": 0, "x1": 1, "yref": f"y{n}", "y0": value, "y1": value})
                note = {"xref": f"x{n} domain", "x": 1, "yref": f"y{n}", "y": where, "yanchor": "bottom", "xanchor": "right"}
            if words:
                notes.append({**note, "text": pt(words), "showarrow": False, "font": {"size": 11, "color": "#888"}})
    if shapes:
        layout["shapes"] = shapes
        layout["annotations"] = list(layout.get("annotations") or []) + notes


def _view(title: str, traces: list[Any]) -> dict[str, Any]:
    return {"label": title, "axis": pt(title), "y": [list(t.y) for t in traces],
            "customdata": [[list(c) for c in t.customdata] for t in traces],
            "text": [list(t.text) if t.text is not None else None for t in traces]}


def _horizontal(opts: dict, kind: str) -> bool:
    value = opts.get("orientation", "vertical")
    if value not in ("vertical", "horizontal"):
        raise DirectiveError(f"'orientation: {value}': write vertical or horizontal."
                             f"{did_you_mean(str(value), ('vertical', 'horizontal'))}")
    if value == "horizontal" and kind not in ("bar", "grouped-bar", "stacked-bar"):
        raise DirectiveError(f"'orientation' turns bars; 'chart: {kind}' has none (bar, grouped-bar, stacked-bar)")
    if value == "horizontal" and "facet" in opts:
        raise DirectiveError("'orientation: horizontal' does not combine with 'facet' yet: facet vertical bars")
    return value == "horizontal"


def _panels(kind: str, points: list[tuple], unit: str, x_unit: str, colors: dict[str, str], layout: dict,
            x_axis: dict, y_axis: dict, columns: int) -> list[Any]:
    """One panel per facet value, ``columns`` to a row, each with its own pair of axes; the value axes
    share one range (panels are there to be compared), each colour is one legend entry."""
    panels = list(dict.fromkeys(p[5] for p in points))
    cols = min(len(panels), columns)
    rows = -(-len(panels) // cols)
    gap_x, gap_y = 0.06, 0.16 / rows
    w, h = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    data, notes, listed = [], [], set()
    for i, panel in enumerate(panels):
        r, c = divmod(i, cols)
        x0, top = c * (w + gap_x), 1 - r * (h + gap_y)
        n = "" if i == 0 else str(i + 1)
        for trace in _traces(kind, [p for p in points if p[5] == panel], unit, x_unit, colors):
            trace.update(xaxis=f"x{n}", yaxis=f"y{n}")
            entry = trace.legendgroup or trace.name  # a box is named by its x; its colour is its legend group
            if entry in listed:
                trace.showlegend = False
            elif trace.showlegend:
                listed.add(entry)
            data.append(trace)
        layout[f"xaxis{n}"] = {**x_axis, "domain": _span(x0, x0 + w), "anchor": f"y{n}",
                               **({} if r == rows - 1 else {"title": {"text": ""}})}
        layout[f"yaxis{n}"] = {**y_axis, "domain": _span(top - h, top), "anchor": f"x{n}",
                               **({"matches": "y"} if n else {}),
                               **({} if c == 0 else {"title": {"text": ""}, "showticklabels": False})}  # shared
        notes.append({"text": pt(panel), "xref": "paper", "yref": "paper", "x": x0 + w / 2, "y": top,
                      "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}})
    layout["annotations"] = notes
    layout["height"] = 160 + 300 * rows
    return data


def _span(lo: float, hi: float) -> list[float]:
    return [min(1.0, max(0.0, round(lo, 4))), min(1.0, max(0.0, round(hi, 4)))]  # no -5e-17 from the sums


def _traces(kind: str, points: list[tuple], unit: str, x_unit: str, colors: dict[str, str]) -> list[Any]:
    if kind == "heatmap":
        xcats = list(dict.fromkeys(str(p[0]) for p in points))
        ycats = list(dict.fromkeys(str(p[1]) for p in points))
        z = [[None] * len(xcats) for _ in ycats]
        text = [[""] * len(xcats) for _ in ycats]
        words = list(dict.fromkeys(p[2] for p in points if isinstance(p[2], str)))
        for x, y, v, *_ in points:
            z[ycats.index(str(y))][xcats.index(str(x))] = words.index(v) if v in words else v
            text[ycats.index(str(y))][xcats.index(str(x))] = pt(fmt(v, unit))
        scale: Any = "Blues"
        bounds: dict[str, int] = {}
        if words:  # one band per word; each word's value sits exactly on a stop of its colour
            n = max(len(words) - 1, 1)
            scale = [[0, colors[words[0]]]]
            for i, w in enumerate(words[1:], 1):
                scale += [[(i - 0.5) / n, colors[words[i - 1]]], [(i - 0.5) / n, colors[w]], [i / n, colors[w]]]
            if len(words) == 1:
                scale.append([1, colors[words[0]]])
            bounds = {"zmin": 0, "zmax": n}
        return [go.Heatmap(x=[pt(c) for c in xcats], y=[pt(c) for c in ycats], z=z, text=text,
                           texttemplate="%{text}", hovertemplate="%{x} · %{y}: %{text}<extra></extra>",
                           colorscale=scale, showscale=False, **bounds)]
    traces = []
    for group in dict.fromkeys(p[3] for p in points):
        mine = [p for p in points if p[3] == group]
        name = pt(group) if group else None
        color = colors[group]
        if kind in ("box", "strip"):
            for x, y, *_ in mine:
                values = y if isinstance(y, list) else [y]
                traces.append(go.Box(
                    y=values, name=pt(x), legendgroup=name, showlegend=bool(group) and x == mine[0][0],
                    boxpoints="all", jitter=0.4, pointpos=0 if kind == "strip" else -1.6, marker={"color": color, "size": 4},
                    line={"width": 0 if kind == "strip" else 1.5},
                    fillcolor="rgba(0,0,0,0)" if kind == "strip" else None,
                    hovertemplate=pt(x) + ": %{y}<extra></extra>"))
            continue
        custom = [[pt(fmt(x, x_unit)), pt(fmt(y, unit))] for x, y, *_ in mine]  # Plotly reads HTML in them
        hover = "%{customdata[0]}: %{customdata[1]}<extra>" + (name or "") + "</extra>"
        x_vals = [pt(x) if isinstance(x, str) else x for x, *_ in mine]
        y_vals = [y for _, y, *_ in mine]
        if kind in ("bar", "grouped-bar", "stacked-bar"):
            traces.append(go.Bar(x=x_vals, y=y_vals, name=name, marker={"color": color}, customdata=custom,
                                 text=[c[1] for c in custom], textposition="auto", hovertemplate=hover,
                                 showlegend=bool(group)))
        else:
            traces.append(go.Scatter(x=x_vals, y=y_vals, name=name, mode="lines+markers" if kind == "line" else "markers",
                                     marker={"color": color, "size": 9}, customdata=custom, hovertemplate=hover,
                                     text=[pt(p[4]) for p in mine], showlegend=bool(group)))
    return traces
