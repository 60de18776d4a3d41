"""Find directives in a page's Markdown and replace them with rendered HTML.

Only fenced blocks whose info string is ``livebench`` are directives; every other fenced block is
copied untouched, and inline ``{lb:...}`` references inside code spans are left alone, so pages can
show the syntax itself.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import DirectiveError
from ..checks import INLINE_CLAIM_RE
from .blocks import render_block
from .claims import inline_claim
from .html import esc, inline_text
from .labels import label
from .values import inline_value

FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
INLINE_RE = re.compile(r"\{lb:([^{}\s]+)\}")
CODE_SPAN_RE = re.compile(r"(`+)(?:.+?)\1")


@dataclass
class Problem:
    page: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


def expand_markdown(markdown: str, record: dict, *, lang: str, page: str,
                    stash: dict[str, str] | None = None) -> tuple[str, list[Problem]]:
    """Return the page with directives rendered, and the problems found (page + line each).

    With ``stash``, each block becomes a placeholder token and its HTML goes into ``stash``, to be
    put back by :func:`restore_blocks` after Markdown ran: Python-Markdown only leaves raw HTML alone
    at column 0, so a block indented in a tab or an admonition would otherwise be parsed as Markdown.
    """
    problems: list[Problem] = []
    out: list[str] = []
    lines = markdown.split("\n")
    boxes: list[str] = []  # warning boxes of false inline claims, placed after their paragraph
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE_RE.match(line)
        if not m:
            out.append(_inline(line, record, lang, page, i + 1, problems, boxes))
            i += 1
            if boxes and (i == len(lines) or not lines[i].strip() or FENCE_RE.match(lines[i])):
                out.extend(["", *boxes, ""])
                boxes.clear()
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").strip()
        close_re = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close_re.match(lines[j]):
            j += 1
        body = lines[i + 1:j]
        is_directive = info.split(" ")[0].strip("{}.") == "livebench" if info else False
        if not is_directive:
            out.extend(lines[i:j + 1])  # a normal code block: untouched
            i = j + 1
            continue
        start_line = i + 1
        try:
            opts = _parse_body(body, indent)
            html = render_block(opts, record, lang)
        except DirectiveError as exc:
            problems.append(Problem(page, start_line, str(exc)))
            html = _problem_html(str(exc), lang)
        if stash is not None:
            token = f"LIVEBENCHSLOT{secrets.token_hex(8)}"
            stash[token] = html
            html = token
        # Blank lines around so Markdown sees a block of its own; indentation kept for tabs/lists.
        out.extend(["", indent + html, ""])
        i = j + 1
    return "\n".join(out), problems


def _parse_body(body: list[str], indent: str) -> Any:
    text = "\n".join(l[len(indent):] if l.startswith(indent) else l for l in body)
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1} of the block)" if mark else ""
        raise DirectiveError(f"the livebench block is not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None


def _inline(line: str, record: dict, lang: str, page: str, lineno: int, problems: list[Problem],
            boxes: list[str] | None = None) -> str:
    if "{lb:" not in line and "{lb-claim:" not in line:
        return line
    # Keep code spans as they are: split the line into code and non-code pieces.
    pieces, pos = [], 0
    for m in CODE_SPAN_RE.finditer(line):
        pieces.append((False, line[pos:m.start()]))
        pieces.append((True, m.group(0)))
        pos = m.end()
    pieces.append((False, line[pos:]))

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

    return "".join(text if code else INLINE_CLAIM_RE.sub(claim, INLINE_RE.sub(repl, text)) for code, text in pieces)


def _problem_html(message: str, lang: str) -> str:
    return (f'<div class="admonition warning lb-problem"><p class="admonition-title">'
            f'{esc(label(lang, "warning"))}</p><p>{esc(message)}</p></div>')


def restore_blocks(html: str, stash: dict[str, str]) -> str:
    """Put the stashed block HTML back in place of its tokens (a token Markdown wrapped in <p> loses it)."""
    if not stash:
        return html
    pattern = re.compile(r"<p>\s*(LIVEBENCHSLOT[0-9a-f]{16})\s*</p>|(LIVEBENCHSLOT[0-9a-f]{16})")
    return pattern.sub(lambda m: stash.get(m.group(1) or m.group(2), m.group(0)), html)
