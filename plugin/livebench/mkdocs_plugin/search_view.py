"""The page as Material's search plugin reads it: chart figures held back, source code without its colours.

A figure is already ``data-search-exclude``, so the index it yields is the same; but the search plugin
parses the whole HTML before it excludes anything, and a chart's inline SVG, its Plotly JSON (an
attribute whose every quote is an entity to unescape) and its data table were most of what livebench
added to a warm build. The code a ``source`` block shows is indexed, as its text: the highlighter's
span around every token only costs the parser time, so the search view has the same text without them.
Both go back right after the search plugin's ``on_page_context``, in place (whatever another plugin
added meanwhile stays), so the template renders them whole.
"""
from __future__ import annotations

import re

_FIGURE = re.compile(r'<figure class="lb-chart-figure"[^>]*>.*?</figure>', re.S)
# The plain form only (no line-number table, no title): its text is all the index takes from it.
_SOURCE_CODE = re.compile(r'(?<=<p class="lb-source__caption">)(.*?</p>\s*)'
                          r'(<div class="highlight"><pre><span></span><code>(.*?)</code></pre></div>)', re.S)
_HELD = re.compile(r'<figure class="lb-chart-figure" data-search-exclude data-lb-held="(\d+)"></figure>'
                   r'|<div class="highlight" data-lb-held="(\d+)"><pre><span></span><code>[^<]*</code></pre></div>')
_TAG = re.compile(r"<[^>]*>")


def hold_for_search(html: str) -> tuple[str, list[str]]:
    """``html`` with each chart figure emptied and each source block's code as plain text, and the
    HTML they replaced, in order."""
    held: list[str] = []

    def figure(m: re.Match[str]) -> str:
        held.append(m.group(0))
        return f'<figure class="lb-chart-figure" data-search-exclude data-lb-held="{len(held) - 1}"></figure>'

    def code(m: re.Match[str]) -> str:
        held.append(m.group(2))
        plain = _TAG.sub("", m.group(3))  # entities stay escaped: the parser unescapes them as before
        return f'{m.group(1)}<div class="highlight" data-lb-held="{len(held) - 1}"><pre><span></span><code>{plain}</code></pre></div>'

    return _SOURCE_CODE.sub(code, _FIGURE.sub(figure, html)), held


def put_back(html: str, held: list[str]) -> str:
    """The HTML of ``hold_for_search`` back where it was."""
    return _HELD.sub(lambda m: held[int(m.group(1) or m.group(2))], html) if held else html
