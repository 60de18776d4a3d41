"""The page as Material's search plugin reads it: each livebench block in a lighter form, same index.

Material's search parser handles every tag in Python (a context stack, a set intersection, a section
check), and what livebench adds to a page is mostly tags: tables, transcripts, the highlighter's span
around every token of a ``source`` block, a chart's inline SVG and data table. Before the search
plugin's ``on_page_context`` each block is swapped for its *search form*, which the parser turns into
exactly the same index entries with a fraction of the tags; right after, the page gets its HTML back.

A search form keeps what the parser keeps, and nothing it reads is moved:

- the tags it writes into the index (``p``, ``code``, ``pre``, lists, ``sub``/``sup``), bare;
- the text between tags, where two chunks may be joined only if that cannot change how the parser
  collapses whitespace: a whitespace-only chunk becomes one space between two chunks of text, and the
  first and last chunk of each stretch stay chunks of their own (they meet the page's own text);
  inside ``pre`` nothing collapses, so the text is kept whole;
- a chart's figure (``data-search-exclude``: nothing of it is indexed) only as the end of a chunk.

A block the parser could read differently (a heading, its own exclusions, a tag that does not close,
a comment) keeps its HTML, and a page that excludes anything of its own from search is read as it is
(the parser tells excluded elements apart by their tag name only). Forms are kept in the render
memo, by block token: a warm build makes none. The search view is only made for Material's search
plugin, whose parser it follows; ``tests/test_site.py`` builds the demo with and without it and
compares the index byte for byte.
"""
from __future__ import annotations

import re
from html import unescape

from .._util.files import compact_json
from ..markdown.render_memo import RenderMemo

_FIGURE_OPEN = '<figure class="lb-chart-figure"'
_FIGURE_CLOSE = "</figure>"
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>|([^<]+)")
_KEPT = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup"})  # Material's Parser.keep
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr"})
# Read otherwise by the parser: headings open sections, these are skipped or excluded.
_REFUSE = re.compile(r"<h[1-6][\s>]|data-search-exclude|linenodiv|<(?:script|style|object|textarea|title)\b", re.I)
_SPLIT = "<br>"  # a void tag: the parser only ends the chunk of text there
_FOREIGN = ("data-search-exclude", "linenodiv")
_SLOT = re.compile(r"LIVEBENCHSLOT[0-9a-f]{16}")
_HELD = re.compile(r"<!--lb-search (\d+)-->.*?<!--/lb-search-->", re.S)
_MEMO_KEY = "search-forms\0" + "2"  # the form's rules: bump when they change


def search_form(html: str) -> str | None:
    """``html`` (one block) as the search parser reads it at least cost; None to keep it as it is."""
    if not html.startswith("<") or not html.endswith(">"):
        return None  # text at an edge would join the page's own text
    html = _without_figures(html)
    if _REFUSE.search(html):
        return None
    out: list[str] = []
    stretch: list[str] = []  # chunks of text outside pre since the last kept tag
    stack: list[str] = []
    pre = 0
    pos = 0
    for m in _TOKEN.finditer(html):
        if m.start() != pos:
            return None  # a '<' that starts no tag: a comment, a doctype, stray text
        pos = m.end()
        close, tag, text = m.group(1), m.group(2), m.group(3)
        if text is not None:
            (out if pre else stretch).append(text)
            continue
        tag, whole = tag.lower(), m.group(0)
        if whole.count('"') % 2 or whole.count("'") % 2:
            return None  # a quoted '>' inside the tag: the parser reads further than this pattern
        if tag in _VOID:
            if close:
                return None
            continue  # it only ends a chunk, as every tag that goes does
        if whole.endswith("/>"):
            return None
        if close:
            if not stack or stack.pop() != tag:
                return None  # the parser ignores an end tag that closes nothing: keep the HTML
        else:
            stack.append(tag)
        if tag in _KEPT:
            out.append(("" if pre else _join(stretch)) + f"<{close}{tag}>")
            if tag == "pre":
                pre += -1 if close else 1
    if pos != len(html) or stack:
        return None
    return "".join(out) + _join(stretch)  # its edges: the comments that mark it in the view


def _join(stretch: list[str]) -> str:
    """Chunks of text outside pre, as few as the parser's whitespace rules allow (see the module)."""
    if not stretch:
        return ""
    chunks = stretch[:]
    stretch.clear()
    first = chunks.pop(0) if _blank(chunks[0]) else None
    last = chunks.pop() if chunks and _blank(chunks[-1]) else None
    words: list[str] = []
    space = False
    for chunk in chunks:
        if _blank(chunk):
            space = True  # after text: one space; after another space: dropped, as the parser does
            continue
        if space and words:
            words.append(" ")
        space = False
        words.append(chunk)
    parts = [p for p in (first, "".join(words), last) if p]
    return _SPLIT.join(parts)


def _blank(chunk: str) -> bool:
    """Whitespace as the parser sees it: after entities are read (``&nbsp;`` is a space to it)."""
    return unescape(chunk).isspace()


def _without_figures(html: str) -> str:
    """Each chart figure as a void tag: excluded, it only ended the chunk of text before it."""
    out: list[str] = []
    pos = 0
    while (start := html.find(_FIGURE_OPEN, pos)) >= 0:
        end = html.find(_FIGURE_CLOSE, start)
        if end < 0:
            break
        out += (html[pos:start], _SPLIT)
        pos = end + len(_FIGURE_CLOSE)
    return "".join(out) + html[pos:] if out else html


def _find(content: str, html: str, pos: int) -> int:
    """``content.find(html, pos)``, by the block's head: a whole block as the needle cost more to
    prepare than the search itself, on every page of every build."""
    head = html[:64]
    while (start := content.find(head, pos)) >= 0:
        if content.startswith(html, start):
            return start
        pos = start + 1
    return -1


class SearchView:
    """One build's search forms (kept in ``memo``) and the page the search plugin is reading."""

    def __init__(self, memo: RenderMemo | None) -> None:
        self.memo = memo
        self.forms: dict[str, str | None] | None = None  # block token → form, read from the memo once
        self.used: set[str] = set()  # the tokens of this build: what the memo keeps
        self.stored: set[str] = set()  # the tokens the memo held
        self.tokens: dict[str, list[str]] = {}  # page (src_uri) → its blocks' tokens, in this language pass
        self.original: str | None = None
        self.view: str | None = None
        self.held: list[str] = []

    def note_page(self, page: str, markdown: str) -> None:
        """The blocks a page's Markdown holds (its tokens), to find them in its HTML later."""
        self.tokens[page] = _SLOT.findall(markdown)

    def hold(self, page: str, content: str, blocks: dict[str, str]) -> str:
        """``content`` with each of the page's blocks in its search form."""
        self.original, self.view, self.held = None, None, []
        out: list[str] = []
        pos = 0
        for token in self.tokens.get(page, ()):
            html = blocks.get(token)
            form = self._form(token, html) if html else None
            start = _find(content, html, pos) if html and form is not None else -1
            if start < 0:
                continue
            if any(word in content[pos:start] for word in _FOREIGN):
                break  # the page's own exclusion may hold a block: the parser reads the page as it is
            out += (content[pos:start], f"<!--lb-search {len(self.held)}-->{form}<!--/lb-search-->")
            self.held.append(html)  # type: ignore[arg-type]  # found, so not None
            pos = start + len(html)  # type: ignore[arg-type]
        if not out or any(word in content[pos:] for word in _FOREIGN):
            self.held = []
            return content
        self.original, self.view = content, "".join(out) + content[pos:]
        return self.view

    def put_back(self, content: str) -> str:
        """The page's own HTML again; in place, if another plugin changed the view meanwhile."""
        original, view, held = self.original, self.view, self.held
        self.original, self.view, self.held = None, None, []
        if original is None:
            return content
        if content is view or content == view:
            return original
        return _HELD.sub(lambda m: held[int(m.group(1))], content)

    def _form(self, token: str, html: str) -> str | None:
        if self.forms is None:
            self.forms = {}
            try:
                kept = self.memo.json(_MEMO_KEY) if self.memo is not None else {}
                self.forms = {str(k): v if isinstance(v, str) else None for k, v in dict(kept).items()}
                self.stored = set(self.forms)
            except (KeyError, ValueError, TypeError):
                pass  # none kept yet, or unreadable: made again
        if token not in self.forms:
            self.forms[token] = search_form(html)
        self.used.add(token)
        return self.forms[token]

    def save(self) -> None:
        """Keep this build's forms for the next one (a page rendered again has new tokens: the old go)."""
        if self.memo is None or self.forms is None or self.stored == self.used:
            return
        self.memo[_MEMO_KEY] = compact_json({t: self.forms[t] for t in sorted(self.used)}).decode("utf-8")
