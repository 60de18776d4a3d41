"""Find directives in a page's Markdown and replace them with rendered HTML.

Only fenced blocks whose info string is ``livebench`` are directives; every other fenced block is
copied untouched, and inline ``{lb:...}`` references inside code spans are left alone, so pages can
show the syntax itself.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import DirectiveError
from ..spec.claims import INLINE_CLAIM_RE
from ..spec.pages import FENCE_RE, INLINE_VALUE_RE, Fence, block_options, has_syntax, iter_items, split_code_spans
from .blocks import render_block
from .claims import inline_claim
from .html import esc, inline_text
from .labels import label
from .provenance import provenance_html
from .source import source_block
from .values import inline_value


@dataclass
class Problem:
    page: str
    line: int
    message: str
    cause: str | None = None  # the record failure it follows from (see record/failures.py)

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


def expand_markdown(markdown: str, record: dict, *, lang: str, page: str,
                    stash: dict[str, str] | None = None, first_line: int = 1,
                    root: Path | None = None, memo: MutableMapping[str, str] | None = None,
                    read: dict[str, str] | None = None,
                    highlight: Callable[[list[str]], str | None] | None = None) -> tuple[str, list[Problem]]:
    """Return the page with directives rendered, and the problems found (page + line each).

    ``first_line`` is the editor's line number of the first line given (MkDocs strips the front
    matter before plugins see a page). With ``stash``, each block becomes a placeholder token and its
    HTML goes into ``stash``, to be put back by :func:`restore_blocks` after Markdown ran:
    Python-Markdown only leaves raw HTML alone at column 0, so a block indented in a tab or an
    admonition would otherwise be parsed as Markdown. ``read`` gains each file a `source` block
    showed (path → digest). ``highlight`` turns a `source` block's fence into HTML (the host's own
    highlighter, see markdown/highlight.py), which then goes into ``stash`` with its caption.
    """
    problems: list[Problem] = []
    out: list[str] = []
    lines = markdown.split("\n")
    boxes: list[str] = []  # warning boxes of false inline claims, placed after their paragraph
    raw_html = RawHtml()
    any_block = False
    for i, item in iter_items(lines):
        lineno = i + first_line
        if isinstance(item, str):
            out.append(_inline(item, record, lang, page, lineno, problems, boxes, raw_html))
            nxt = i + 1
            if boxes and (nxt == len(lines) or not lines[nxt].strip() or FENCE_RE.match(lines[nxt])):
                out.extend(["", *boxes, ""])
                boxes.clear()
            continue
        if not item.is_directive:
            out.extend(lines[item.start:item.end + 1])  # a normal code block: untouched
            continue
        any_block = True
        key = lang + "\n" + "\n".join(line.strip() for line in lines[item.start:item.end + 1])
        kept = memo.get(key) if memo is not None else None
        code = None if kept is not None else _source(item, record, lang, page, lineno, problems, root, read)
        if code is not None:  # Markdown, not HTML: the site's highlighter colours it
            caption, fenced = code
            if stash is not None:
                shown = highlight(fenced) if highlight is not None and fenced else None
                token = f"LIVEBENCHSLOT{secrets.token_hex(8)}"
                stash[token] = caption if shown is None else caption + "\n" + shown
                caption = token
                if shown is not None:
                    fenced = []
            out.extend(["", item.indent + caption, "", *(item.indent + line for line in fenced), ""])
            continue
        html = kept if kept is not None else _memo_block(item, key, record, lang, page, lineno, problems, memo)
        if stash is not None:
            token = f"LIVEBENCHSLOT{secrets.token_hex(8)}"
            stash[token] = html
            html = token
        # Blank lines around so Markdown sees a block of its own; indentation kept for tabs/lists.
        out.extend(["", item.indent + html, ""])
    if boxes:
        out.extend(["", *boxes, ""])
    if any_block or raw_html.values:  # where, when and with what: once per page, not under every table
        prov = provenance_html(record, lang)
        if stash is not None:
            token = f"LIVEBENCHSLOT{secrets.token_hex(8)}"
            stash[token] = prov
            prov = token
        out.extend(["", prov, ""])
    return "\n".join(out), problems


def _source(fence: Fence, record: dict, lang: str, page: str, lineno: int, problems: list[Problem],
            root: Path | None, read: dict[str, str] | None) -> tuple[str, list[str]] | None:
    try:
        opts = block_options(fence)
    except DirectiveError:
        return None  # reported by _block
    if not isinstance(opts, dict) or "source" not in opts:
        return None
    try:
        return source_block(opts, record, lang, root, read)
    except DirectiveError as exc:
        problems.append(Problem(page, lineno, str(exc), exc.cause))
        return problem_html(str(exc), lang), []


def _memo_block(fence: Fence, key: str, record: dict, lang: str, page: str, lineno: int,
                problems: list[Problem], memo: MutableMapping[str, str] | None) -> str:
    """Render a block and keep it in ``memo`` (owned by a caller that keys it by the record, see
    markdown/render_memo.py); a block that reported a problem is never kept, so it is reported
    on every build. A kept block is looked up before its YAML is even parsed."""
    before = len(problems)
    html = _block(fence, record, lang, page, lineno, problems)
    if memo is not None and len(problems) == before:
        memo[key] = html
    return html


def _block(fence: Fence, record: dict, lang: str, page: str, lineno: int, problems: list[Problem]) -> str:
    try:
        return render_block(block_options(fence), record, lang)
    except DirectiveError as exc:
        problems.append(Problem(page, lineno, str(exc), exc.cause))
        return problem_html(str(exc), lang)


_ELEMENT = re.compile(r"</?(script|style)\b[^>]*>", re.I)


class RawHtml:
    """Where the page's own raw HTML is: inside a ``<script>``/``<style>`` element (across lines) or a tag.

    A formatted value (``<span class="lb-value">1,090,744</span>``) there would break the page; only
    the raw form (``{lb:…|raw}``) may go there, as plain escaped text.
    """

    def __init__(self) -> None:
        self.element: str | None = None  # "script" or "style" while inside one
        self.values = 0  # formatted inline values written so far (a page with any gets the provenance box)

    def context(self, line: str, pos: int) -> str | None:
        """What encloses ``line[pos]``: "a <script> element", "an HTML tag", or None (text)."""
        element = self.element
        for m in _ELEMENT.finditer(line[:pos]):
            element = None if m.group(0).startswith("</") else m.group(1).lower()
        if element:
            return f"a <{element}> element"
        before = line[:pos]
        return "an HTML tag" if before.rfind("<") > before.rfind(">") and re.search(r"<[A-Za-z/!]", before) else None

    def advance(self, line: str) -> None:
        for m in _ELEMENT.finditer(line):
            self.element = None if m.group(0).startswith("</") else m.group(1).lower()


def _inline(line: str, record: dict, lang: str, page: str, lineno: int, problems: list[Problem],
            boxes: list[str] | None = None, raw_html: RawHtml | None = None) -> str:
    raw_html = raw_html or RawHtml()
    if not has_syntax(line) and raw_html.element is None:
        raw_html.advance(line)
        return line
    out: list[str] = []
    offset = 0
    for code, text in split_code_spans(line):
        start = offset
        offset += len(text)
        if code:
            out.append(text)
            continue

        def repl(m: re.Match, start: int = start) -> str:
            ref, _, fmt = m.group(1).partition("|")
            where = raw_html.context(line, start + m.start())
            try:
                if fmt not in ("", "raw"):
                    raise DirectiveError(f"unknown format '|{fmt}' in '{m.group(0)}': the only one is '|raw' "
                                         f"(the bare value, for HTML attributes, scripts and data)")
                if fmt == "raw":
                    return esc(inline_value(ref, record, lang, raw=True))
                if where:
                    raise DirectiveError(f"'{m.group(0)}' is inside {where}, where a formatted value would break "
                                         f"the page: write '{{lb:{ref}|raw}}' for the bare value")
                value = f'<span class="lb-value">{inline_text(inline_value(ref, record, lang))}</span>'
                raw_html.values += 1
                return value
            except DirectiveError as exc:
                problems.append(Problem(page, lineno, str(exc), exc.cause))
                if where:
                    return ""  # nothing that could break the tag or script; the build fails on the problem
                return f'<span class="lb-value lb-error" title="{inline_text(exc)}">⚠ {inline_text(m.group(0))}</span>'

        def claim(m: re.Match) -> str:
            try:
                html, box = inline_claim(m.group(1).strip(), record, lang)
            except DirectiveError as exc:
                problems.append(Problem(page, lineno, str(exc), exc.cause))
                return f'<span class="lb-claim lb-error" title="{inline_text(exc)}">⚠ {inline_text(m.group(0))}</span>'
            if box and boxes is not None:
                boxes.append(box)
            return html

        out.append(INLINE_CLAIM_RE.sub(claim, INLINE_VALUE_RE.sub(repl, text)))
    raw_html.advance(line)
    return "".join(out)


def problem_html(message: str, lang: str) -> str:
    return (f'<div class="admonition warning lb-problem"><p class="admonition-title">'
            f'{esc(label(lang, "warning"))}</p><p>{esc(message)}</p></div>')


_SLOT_IN_HTML = re.compile(r"<p>\s*(LIVEBENCHSLOT[0-9a-f]{16})\s*</p>|(LIVEBENCHSLOT[0-9a-f]{16})")


def restore_blocks(html: str, stash: dict[str, str]) -> str:
    """Put the stashed block HTML back in place of its tokens (a token Markdown wrapped in <p> loses it)."""
    if not stash or "LIVEBENCHSLOT" not in html:
        return html  # most conversions hold none (every Markdown conversion of the site runs this)
    return _SLOT_IN_HTML.sub(lambda m: stash.get(m.group(1) or m.group(2), m.group(0)), html)
