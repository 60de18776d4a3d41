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
columns: [linkage.kind]        # optional: more fields in the table and the downloads ({field:, title:})
names: {static: {en: static, ko: 정적}}   # optional: the words shown for values of color, z and columns
switch: [size.uncompressed]    # optional: other y fields, one button each above the chart (bars, line, scatter)
reference: [{value: 1, label: "1×"}]   # optional: dotted lines across the plot at these values
title: {en: "Size against build time", ko: "빌드 시간과 크기"}   # a string, or one per language
```

The built-in kinds (render/presets.py) are charts of this kind with their options filled in.
Every chart gets what the built-in kinds get: the table of exact figures, CSV and JSON downloads,
theming and instant-navigation support (render/charts.py draws them all the same way).
"""
from __future__ import annotations

import math
import re
from typing import Any

import plotly.graph_objects as go

from ..errors import DirectiveError
from ..spec.checker import did_you_mean
from .chart_kinds import CUSTOM_OPTIONS, CUSTOM_TYPES
from .custom_traces import color_of, exact, facet_panels, fmt, traces, word
from .figure import Chart, base_layout, pt
from .query import column, rows, select

UNITS = ("bytes", "seconds", "ratio", "count", "none")
TYPES, OPTIONS = CUSTOM_TYPES, CUSTOM_OPTIONS
REQUIRED = {"heatmap": ("data", "x", "y", "z")}


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
    per_row = opts.get("facet_columns", 3)
    if not isinstance(per_row, int) or isinstance(per_row, bool) or not 1 <= per_row <= 6:
        raise DirectiveError(f"'facet_columns' takes a number of panels per row from 1 to 6, got {per_row!r}")
    shown = _columns(opts, lang)
    more = list(zip(*(column(table, c, "columns", section) for c, _ in shown))) if shown else [()] * len(table)
    names = _names(opts, lang)
    views = _switch(opts, kind, horizontal, lang)
    alternates = [column(table, path, "switch", section) for path, *_ in views]
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
    color_title = text_for(opts, "color_title", lang, str(opts.get("color")))
    own = _own_colors(opts)
    colors = {g: own.get(g) or color_of(g, i) for i, g in enumerate(dict.fromkeys(p[3] for p in points))}  # every panel
    if kind == "heatmap":  # words as a heatmap's values are categories, each with its colour
        words = [str(p[2]) for p in points if isinstance(p[2], str)]
        colors.update({w: own.get(w) or color_of(w, len(colors) + i) for i, w in enumerate(dict.fromkeys(words))})
    layout = base_layout(title, lang)
    x_axis, y_axis = _axis(x_title, x_unit, False), _axis(y_title, unit, bool(opts.get("log")))
    # Categories keep the rows' order (after `sort`): Plotly would take them trace by trace, colour by colour.
    categories = list(dict.fromkeys(pt(p[0]) for p in points)) if all(isinstance(p[0], str) for p in points) else []
    in_order = {"categoryorder": "array", "categoryarray": categories} if categories else {}
    if "facet" in opts:
        data = facet_panels(kind, points, unit, x_unit, colors, names, layout, x_axis, y_axis, per_row)
    elif horizontal:  # the same bars turned: the value axis across, the rows top to bottom in their order
        data = traces(kind, points, unit, x_unit, colors, names)
        for trace in data:
            trace.update(x=trace.y, y=trace.x, orientation="h")
        layout.update({"xaxis": y_axis, "yaxis": {**x_axis, **in_order, "autorange": "reversed"},
                       "height": max(260, 110 + 44 * len(dict.fromkeys(str(p[0]) for p in points)))})
    elif kind == "heatmap":  # read like a table: the first row on top, the columns named above it
        data = traces(kind, points, unit, x_unit, colors, names)
        grid = {"showgrid": False, "zeroline": False}
        layout.update({"xaxis": {**x_axis, **grid, "side": "top"},
                       "yaxis": {**_axis(y_title, "none", False), **grid, "autorange": "reversed"},
                       "height": max(260, 90 + 56 * len(dict.fromkeys(str(p[1]) for p in points))),
                       "margin": {"l": 20, "r": 20, "t": 110, "b": 20}})
    else:
        data = traces(kind, points, unit, x_unit, colors, names)
        bars = kind in ("bar", "grouped-bar", "stacked-bar")
        layout.update({"xaxis": {**x_axis, **(in_order if bars else {})}, "yaxis": y_axis})
    if "color_title" in opts:
        layout["legend"] = {**layout["legend"], "title": {"text": pt(color_title)}}
    switch = []
    if views:  # the chart as drawn is the first view; each button restyles every trace with its field's values
        switch.append(_view(y_title, text_for(opts, "y_button", lang, y_title), data))
        for (_, axis, button), alt in zip(views, alternates):
            moved = [(p[0], v, *p[2:]) for p, v in zip(points, alt)]
            switch.append(_view(axis, button, traces(kind, moved, unit, x_unit, colors, names)))
    _references(opts, kind, horizontal, layout, len(dict.fromkeys(p[5] for p in points)), lang)
    if kind in ("bar", "grouped-bar", "stacked-bar"):
        # bar: one bar per x, coloured by group (full width even when each group has its own x values)
        layout["barmode"] = {"bar": "overlay", "grouped-bar": "group", "stacked-bar": "stack"}[kind]
    if kind in ("box", "strip") and "color" not in opts:
        layout["showlegend"] = False
    facet = ["facet"] if "facet" in opts else []
    roles = ["x", "y"] + (["z"] if kind == "heatmap" else []) + (["color"] if "color" in opts else []) + facet
    keys = ["name"]  # the downloads name each column by its field path (by its role where two would clash)
    for role in roles:
        path = str(opts.get(role, "name"))
        keys.append(role if path in keys or path in roles else path)
    out_rows, cells = [], []
    keys += [path for path, _ in shown] + [path for path, *_ in views]
    for k, (x, y, z, g, name, panel, fields) in enumerate(points):
        row = [name, x, y] + ([z] if kind == "heatmap" else []) + ([g] if "color" in opts else []) + ([panel] if facet else [])
        others = [alt[k] for alt in alternates]
        out_rows.append(row + list(fields) + others)
        numbers = [v for v in y if isinstance(v, (int, float))] if isinstance(y, list) else []
        shown_y = (f"{len(numbers)} × {fmt(sorted(numbers)[len(numbers) // 2], unit)} (median)" if numbers
                   else "–" if isinstance(y, list) else exact(y, unit, lang))
        cells.append([name, exact(x, x_unit, lang), shown_y] + ([word(z, unit, names)] if kind == "heatmap" else [])
                     + ([word(g, "none", names)] if "color" in opts else []) + ([panel] if facet else [])
                     + [word(v, "none", names) for v in fields] + [exact(v, unit, lang) for v in others])
    headers = ["", x_title, y_title] + ([text_for(opts, "z_title", lang, str(opts.get("z")))] if kind == "heatmap" else []) \
        + ([color_title] if "color" in opts else []) + ([str(opts["facet"])] if facet else []) \
        + [t for _, t in shown] + [t for _, t, _ in views]
    return Chart(kind, title, go.Figure(data=data, layout=layout), keys, out_rows, headers, cells, switch)


def _columns(opts: dict, lang: str) -> list[tuple[str, str]]:
    """``columns``: more fields for the table, each a path or ``{field: path, title: text or per language}``."""
    given = opts.get("columns", [])
    out = []
    for item in given if isinstance(given, list) else [None]:
        if isinstance(item, str) and item:
            out.append((item, item))
        elif isinstance(item, dict) and isinstance(item.get("field"), str) and set(item) <= {"field", "title"}:
            out.append((item["field"], text_for(item, "title", lang, item["field"])))
        else:
            raise DirectiveError(f"'columns' takes a list of field paths (or {{field: PATH, title: TEXT}}) for the "
                                 f"table, got {given!r}")
    return out


def _names(opts: dict, lang: str) -> dict[str, str]:
    """``names``: the words shown for values of ``color``, a heatmap's ``z`` and ``columns`` (per language)."""
    given = opts.get("names", {})
    if not isinstance(given, dict):
        raise DirectiveError(f"'names' maps values to the words shown for them, as {{static: {{en: static, ko: 정적}}}}; "
                             f"got {given!r}")
    return {str(k): text_for(given, k, lang, str(k)) for k in given}


def _switch(opts: dict, kind: str, horizontal: bool, lang: str) -> list[tuple[str, str, str]]:
    """``switch``: other y fields, each a path or ``{y: path, title: axis text, button: its button's text}``
    (texts per language or one for all)."""
    given = opts.get("switch", [])
    if not isinstance(given, list) or not given and "switch" in opts:
        raise DirectiveError(f"'switch' takes a list of other y fields, as [size.uncompressed]; got {given!r}")
    if given and (kind not in ("bar", "grouped-bar", "stacked-bar", "line", "scatter") or horizontal or "facet" in opts):
        raise DirectiveError(f"'switch' swaps the y values of vertical bars, lines and scatters without 'facet'; "
                             f"this one {'has a facet' if 'facet' in opts else 'is horizontal' if horizontal else f'is a {kind}'}")
    views = []
    for item in given:
        if isinstance(item, str) and item:
            views.append((item, item, item))
        elif isinstance(item, dict) and isinstance(item.get("y"), str) and set(item) <= {"y", "title", "button"}:
            axis = text_for(item, "title", lang, item["y"])
            views.append((item["y"], axis, text_for(item, "button", lang, axis)))
        else:
            raise DirectiveError(f"'switch': each entry is a field path or {{y: PATH, title: TEXT, button: TEXT}}; "
                                 f"got {item!r}")
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


def _view(axis: str, button: str, drawn: list[Any]) -> dict[str, Any]:
    return {"label": button, "axis": pt(axis), "y": [list(t.y) for t in drawn],
            "customdata": [[list(c) for c in t.customdata] for t in drawn],
            "text": [list(t.text) if t.text is not None else None for t in drawn]}


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
