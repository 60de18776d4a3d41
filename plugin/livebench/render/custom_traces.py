"""The traces of a chart of one's own (render/custom.py): bars, lines, points, boxes and heatmaps, one
trace per colour group, and the panels of a faceted chart."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from .._util.units import human_size
from .bench import duration
from .figure import APP_COLOR, BASE_COLOR, FAIL_COLOR, LIBC_COLORS, OTHER_COLORS, RUN_COLOR, TIME_COLOR, pt, size_words


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


def exact(value: Any, unit: str, lang: str) -> str:
    """A value for the table of exact figures: bytes to the byte (in the page's language), else as ``fmt``."""
    if unit == "bytes" and isinstance(value, int) and not isinstance(value, bool):
        return size_words(value, lang)
    return fmt(value, unit)


def word(value: Any, unit: str, names: dict[str, str]) -> str:
    """A value as shown: the author's word for it (``names``), else written in its unit."""
    return names[str(value)] if value is not None and str(value) in names else fmt(value, unit)


KNOWN_COLORS = {**LIBC_COLORS, "runs": RUN_COLOR, "fails": FAIL_COLOR, "met": RUN_COLOR, "missed": FAIL_COLOR,
                "no target": TIME_COLOR, "base": BASE_COLOR, "app": APP_COLOR}  # the built-in charts' colours


def color_of(group: str, i: int) -> str:
    if not group:  # one trace, no colour field: the built-in charts' single colour
        return TIME_COLOR
    return KNOWN_COLORS.get(group) or OTHER_COLORS[i % len(OTHER_COLORS)]


def facet_panels(kind: str, points: list[tuple], unit: str, x_unit: str, colors: dict[str, str],
                 names: dict[str, str], layout: dict,
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
        for trace in traces(kind, [p for p in points if p[5] == panel], unit, x_unit, colors, names):
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


def traces(kind: str, points: list[tuple], unit: str, x_unit: str, colors: dict[str, str],
           names: dict[str, str]) -> list[Any]:
    if kind == "heatmap":
        xcats = list(dict.fromkeys(str(p[0]) for p in points))
        ycats = list(dict.fromkeys(str(p[1]) for p in points))
        z = [[None] * len(xcats) for _ in ycats]
        text = [[""] * len(xcats) for _ in ycats]
        words = list(dict.fromkeys(p[2] for p in points if isinstance(p[2], str)))
        for x, y, v, *_ in points:
            z[ycats.index(str(y))][xcats.index(str(x))] = words.index(v) if v in words else v
            text[ycats.index(str(y))][xcats.index(str(x))] = pt(word(v, unit, names))
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
        name = pt(names.get(group, group)) if group else None
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
