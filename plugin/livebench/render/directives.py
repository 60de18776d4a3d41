"""Find directives in a page's Markdown and replace them with rendered HTML.

Only fenced blocks whose info string is ``livebench`` are directives; every other fenced block is
copied untouched, and inline ``{lb:...}`` references inside code spans are left alone, so pages can
show the syntax itself.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from ..errors import DirectiveError
from ..spec.claims import INLINE_CLAIM_RE
from ..spec.pages import FENCE_RE, INLINE_VALUE_RE, Fence, block_options, has_syntax, iter_items, split_code_spans
from .blocks import render_block
from .claims import inline_claim
from .html import esc, inline_text
from .labels import label
from .values import inline_value


@dataclass
class Problem:
    page: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


def expand_markdown(markdown: str, record: dict, *, lang: str, page: str,
                    stash: dict[str, str] | None = None, first_line: int = 1) -> tuple[str, list[Problem]]:
    """Return the page with directives rendered, and the problems found (page + line each).

    ``first_line`` is the editor's line number of the first line given (MkDocs strips the front
    matter before plugins see a page). With ``stash``, each block becomes a placeholder token and its
    HTML goes into ``stash``, to be put back by :func:`restore_blocks` after Markdown ran:
    Python-Markdown only leaves raw HTML alone at column 0, so a block indented in a tab or an
    admonition would otherwise be parsed as Markdown.
    """
    problems: list[Problem] = []
    out: list[str] = []
    lines = markdown.split("\n")
    boxes: list[str] = []  # warning boxes of false inline claims, placed after their paragraph
    for i, item in iter_items(lines):
        lineno = i + first_line
        if isinstance(item, str):
            out.append(_inline(item, record, lang, page, lineno, problems, boxes))
            nxt = i + 1
            if boxes and (nxt == len(lines) or not lines[nxt].strip() or FENCE_RE.match(lines[nxt])):
                out.extend(["", *boxes, ""])
                boxes.clear()
            continue
        if not item.is_directive:
            out.extend(lines[item.start:item.end + 1])  # a normal code block: untouched
            continue
        html = _block(item, record, lang, page, lineno, problems)
        if stash is not None:
            token = f"LIVEBENCHSLOT{secrets.token_hex(8)}"
            stash[token] = html
            html = token
        # Blank lines around so Markdown sees a block of its own; indentation kept for tabs/lists.
        out.extend(["", item.indent + html, ""])
    if boxes:
        out.extend(["", *boxes, ""])
    return "\n".join(out), problems


def _block(fence: Fence, record: dict, lang: str, page: str, lineno: int, problems: list[Problem]) -> str:
    try:
        return render_block(block_options(fence), record, lang)
    except DirectiveError as exc:
        problems.append(Problem(page, lineno, str(exc)))
        return _problem_html(str(exc), lang)


def _inline(line: str, record: dict, lang: str, page: str, lineno: int, problems: list[Problem],
            boxes: list[str] | None = None) -> str:
    if not has_syntax(line):
        return line

    def repl(m: re.Match) -> str:
        try:
            return f'<span class="lb-value">{inline_text(inline_value(m.group(1), record, lang))}</span>'
        except DirectiveError as exc:
            problems.append(Problem(page, lineno, str(exc)))
            return f'<span class="lb-value lb-error" title="{inline_text(exc)}">⚠ {inline_text(m.group(0))}</span>'

    def claim(m: re.Match) -> str:
        try:
            html, box = inline_claim(m.group(1).strip(), record, lang)
        except DirectiveError as exc:
            problems.append(Problem(page, lineno, str(exc)))
            return f'<span class="lb-claim lb-error" title="{inline_text(exc)}">⚠ {inline_text(m.group(0))}</span>'
        if box and boxes is not None:
            boxes.append(box)
        return html

    return "".join(text if code else INLINE_CLAIM_RE.sub(claim, INLINE_VALUE_RE.sub(repl, text))
                   for code, text in split_code_spans(line))


def _problem_html(message: str, lang: str) -> str:
    return (f'<div class="admonition warning lb-problem"><p class="admonition-title">'
            f'{esc(label(lang, "warning"))}</p><p>{esc(message)}</p></div>')


def restore_blocks(html: str, stash: dict[str, str]) -> str:
    """Put the stashed block HTML back in place of its tokens (a token Markdown wrapped in <p> loses it)."""
    if not stash:
        return html
    pattern = re.compile(r"<p>\s*(LIVEBENCHSLOT[0-9a-f]{16})\s*</p>|(LIVEBENCHSLOT[0-9a-f]{16})")
    return pattern.sub(lambda m: stash.get(m.group(1) or m.group(2), m.group(0)), html)
