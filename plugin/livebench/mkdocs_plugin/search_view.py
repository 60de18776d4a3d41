"""The page as Material's search plugin reads it: chart figures held back, source code without its colours.

A figure is already ``data-search-exclude``, so the index it yields is the same; but the search plugin
parses the whole HTML before it excludes anything, and a chart's inline SVG, its Plotly JSON (an
attribute whose every quote is an entity to unescape) and its data table were most of what livebench
added to a warm build. The code a ``source`` block shows is indexed, as its text: the highlighter's
span around every token only costs the parser time, so the search view has the same text without them.
Both go back right after the search plugin's ``on_page_context``, in place (whatever another plugin
added meanwhile stays), so the template renders them whole.

The pages are scanned with ``str.find``, not regular expressions: a pattern that starts with a
look-behind, or steps lazily through a 100 kB figure, cost more than the parsing it saved.
"""
from __future__ import annotations

import re

_FIGURE_OPEN = '<figure class="lb-chart-figure"'
_FIGURE_CLOSE = "</figure>"
_CAPTION = '<p class="lb-source__caption">'
# The plain form only (no line-number table, no title): its text is all the index takes from it.
_CODE_OPEN = '<div class="highlight"><pre><span></span><code>'
_CODE_CLOSE = "</code></pre></div>"
_HELD = re.compile(r'<figure class="lb-chart-figure" data-search-exclude data-lb-held="(\d+)"></figure>'
                   r'|<div class="highlight" data-lb-held="(\d+)"><pre><span></span><code>[^<]*</code></pre></div>')
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s*")


def hold_for_search(html: str) -> tuple[str, list[str]]:
    """``html`` with each chart figure emptied and each source block's code as plain text, and the
    HTML they replaced, in order."""
    if _FIGURE_OPEN not in html and _CAPTION not in html:
        return html, []
    held: list[str] = []
    html = _hold_figures(html, held)
    return _hold_source_code(html, held), held


def _hold_figures(html: str, held: list[str]) -> str:
    out: list[str] = []
    pos = 0
    while (start := html.find(_FIGURE_OPEN, pos)) >= 0:
        opened = html.find(">", start)
        end = html.find(_FIGURE_CLOSE, opened + 1) if opened >= 0 else -1
        if end < 0:
            break
        end += len(_FIGURE_CLOSE)
        out += (html[pos:start], f'<figure class="lb-chart-figure" data-search-exclude data-lb-held="{len(held)}"></figure>')
        held.append(html[start:end])
        pos = end
    return "".join(out) + html[pos:] if out else html


def _hold_source_code(html: str, held: list[str]) -> str:
    out: list[str] = []
    pos = 0
    while (caption := html.find(_CAPTION, pos)) >= 0:
        after = html.find("</p>", caption)
        if after < 0:
            break
        start = _SPACE.match(html, after + len("</p>")).end()
        if not html.startswith(_CODE_OPEN, start):
            pos = after  # a caption of another form (with line numbers, or a title): indexed as it is
            continue
        end = html.find(_CODE_CLOSE, start + len(_CODE_OPEN))
        if end < 0:
            break
        end += len(_CODE_CLOSE)
        code = html[start + len(_CODE_OPEN):end - len(_CODE_CLOSE)]
        plain = _TAG.sub("", code)  # entities stay escaped: the parser unescapes them as before
        out += (html[pos:start], f'<div class="highlight" data-lb-held="{len(held)}"><pre><span></span><code>{plain}'
                f"{_CODE_CLOSE}")
        held.append(html[start:end])
        pos = end
    return "".join(out) + html[pos:] if out else html


def put_back(html: str, held: list[str]) -> str:
    """The HTML of ``hold_for_search`` back where it was."""
    return _HELD.sub(lambda m: held[int(m.group(1) or m.group(2))], html) if held else html
