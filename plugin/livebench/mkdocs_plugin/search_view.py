"""The page as Material's search plugin reads it: every chart's figure held back, an empty figure in its place.

A figure is already ``data-search-exclude``, so the index it yields is the same; but the search plugin
parses the whole HTML before it excludes anything, and a chart's inline SVG, its Plotly JSON (an
attribute whose every quote is an entity to unescape) and its data table were most of what livebench
added to a warm build. The figures go back right after the search plugin's ``on_page_context``, in
place (whatever another plugin added meanwhile stays), so the template renders them whole.
"""
from __future__ import annotations

import re

_FIGURE = re.compile(r'<figure class="lb-chart-figure"[^>]*>.*?</figure>', re.S)
_HELD = re.compile(r'<figure class="lb-chart-figure" data-search-exclude data-lb-held="(\d+)"></figure>')


def hold_figures(html: str) -> tuple[str, list[str]]:
    """``html`` with each chart figure emptied, and the figures in their order."""
    held: list[str] = []

    def keep(m: re.Match[str]) -> str:
        held.append(m.group(0))
        return f'<figure class="lb-chart-figure" data-search-exclude data-lb-held="{len(held) - 1}"></figure>'

    return _FIGURE.sub(keep, html), held


def put_back(html: str, held: list[str]) -> str:
    """The figures of ``hold_figures`` back where they were."""
    return _HELD.sub(lambda m: held[int(m.group(1))], html) if held else html
