"""What every chart is made of: the Chart a preset returns, the palette, and the axis and text helpers."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

from .._util.units import human_size
from .labels import label

# Colours readable on Material's light (default) and dark (slate) schemes alike.
BASE_COLOR, APP_COLOR = "#7986cb", "#ff8a65"
LIBC_COLORS = {"glibc": "#5c6bc0", "musl": "#26a69a"}
OTHER_COLORS = ["#ab47bc", "#ffa726", "#8d6e63", "#78909c"]
RUN_COLOR, FAIL_COLOR = "#43a047", "#e53935"
TIME_COLOR = "#7e57c2"


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


def pt(text: object) -> str:
    """Text for Plotly: it renders a subset of HTML in titles, ticks and hovers, so record text is escaped."""
    return html.escape(str(text), quote=False)


def bytes_text(n: int, lang: str) -> str:
    return label(lang, "bytes_fmt", v=f"{n:,}")


def size_words(n: int, lang: str) -> str:
    return f"{bytes_text(n, lang)} ({human_size(n)})"


def seconds_text(s: float, lang: str) -> str:
    return label(lang, "seconds_fmt", v=f"{s:.2f}")


# Above the plot, under the title: below it, it collides with tick labels Plotly turns on a narrow page.
LEGEND_ABOVE = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}


def base_layout(title: str, lang: str, *, height: int = 420) -> dict:
    return {
        "title": {"text": pt(title), "x": 0, "xanchor": "left", "font": {"size": 15}},
        "height": height,
        "margin": {"l": 70, "r": 20, "t": 100, "b": 60},
        "legend": LEGEND_ABOVE,
        "hoverlabel": {"namelength": -1},
        "separators": ".,",  # both editions: 1,234.5 (Korean writes numbers the same way)
    }


def value_axis(title: str, *, log: bool, bytes_axis: bool) -> dict:
    axis: dict[str, Any] = {"title": {"text": pt(title)}, "type": "log" if log else "linear",
                            "rangemode": "tozero", "automargin": True}
    if bytes_axis:
        axis.update({"tickformat": "~s", "ticksuffix": "B", "hoverformat": ",d"})
    if log:
        axis["dtick"] = "D2"  # label 1, 2, 5 of each decade only: the default labels every minor tick
    return axis


# -- the four charts --------------------------------------------------------------------------------
