"""The one scanner of page syntax: fenced blocks, code spans, ``{lb:…}`` and ``{lb-claim:…}``.

Both the renderer (which replaces directives with HTML) and the claim collector (which reads the
claims a page makes) walk a page through here, so they can never disagree about what is a directive
and what is a code sample showing the syntax. Line numbers are 1-based and count the front matter,
so a message points at the line the author sees in the editor.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ClaimSyntaxError, DirectiveError
from .claims import INLINE_CLAIM_RE, parse_expression
from .model import Claim, display_path

FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
CODE_SPAN_RE = re.compile(r"(`+)(?:.+?)\1")
INLINE_VALUE_RE = re.compile(r"\{lb:([^{}\s]+)\}")
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*\n", re.S)


@dataclass(frozen=True)
class Fence:
    """A fenced block: ``lines[start]`` opens it, ``lines[end]`` closes it (or the page ends)."""

    start: int
    end: int
    indent: str
    info: str
    body: tuple[str, ...]

    @property
    def is_directive(self) -> bool:
        return bool(self.info) and self.info.split(" ")[0].strip("{}.") == "livebench"


Item = str | Fence


def iter_items(lines: list[str]) -> Iterator[tuple[int, Item]]:
    """Each line outside fences as ``(index, line)``, each fenced block as ``(index, Fence)``."""
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m:
            yield i, lines[i]
            i += 1
            continue
        fence = m.group("fence")
        close_re = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close_re.match(lines[j]):
            j += 1
        yield i, Fence(i, j, m.group("indent"), m.group("info").strip(), tuple(lines[i + 1:j]))
        i = j + 1


def split_code_spans(line: str) -> list[tuple[bool, str]]:
    """``(is_code, text)`` pieces: code spans show the syntax, they are never values or claims."""
    pieces, pos = [], 0
    for m in CODE_SPAN_RE.finditer(line):
        pieces.append((False, line[pos:m.start()]))
        pieces.append((True, m.group(0)))
        pos = m.end()
    pieces.append((False, line[pos:]))
    return pieces


def has_syntax(line: str) -> bool:
    return "{lb:" in line or "{lb-claim:" in line


def inline_claim_exprs(line: str) -> list[str]:
    """The ``{lb-claim:EXPR}`` expressions of a line, outside code spans."""
    if "{lb-claim:" not in line:
        return []
    return [m.group(1).strip() for code, text in split_code_spans(line) if not code
            for m in INLINE_CLAIM_RE.finditer(text)]


# libyaml's safe loader parses a page's 60 block bodies ~10x faster than the pure-Python one (warm builds)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def block_options(fence: Fence) -> Any:
    """The YAML body of a directive block; DirectiveError naming the line inside the block."""
    text = "\n".join(line[len(fence.indent):] if line.startswith(fence.indent) else line for line in fence.body)
    try:
        return yaml.load(text, Loader=_SAFE_LOADER) or {}  # a safe loader (libyaml's when built in)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1} of the block)" if mark else ""
        raise DirectiveError(f"the livebench block is not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None


def front_matter_lines(text: str) -> int:
    """How many lines the YAML front matter takes (MkDocs hands pages to plugins without it)."""
    m = FRONT_MATTER_RE.match(text)
    return m.group(0).count("\n") if m else 0


def page_claims(markdown: str, page: str, *, first_line: int = 1) -> tuple[list[Claim], list[str]]:
    """Inline ``{lb-claim:…}`` and block ``claim:`` claims of one page, and the unreadable ones.

    ``first_line`` is the editor's line number of ``markdown``'s first line (after front matter).
    """
    claims: list[Claim] = []
    problems: list[str] = []
    if "claim" not in markdown:
        return claims, problems  # every claim, inline or in a block, has the word: no page scan (warm builds)
    for i, item in iter_items(markdown.split("\n")):
        where = f"{page}:{i + first_line}"
        if isinstance(item, str):
            for expr in inline_claim_exprs(item):
                _add(claims, problems, [expr], where, "")
            continue
        if not item.is_directive or not any("claim" in line for line in item.body):
            continue  # no YAML parsed for the many blocks that cannot hold a claim (warm builds)
        try:
            opts = block_options(item)
        except DirectiveError:
            continue  # the renderer reports the YAML error with page and line
        if isinstance(opts, dict) and "claim" in opts:
            exprs = opts["claim"] if isinstance(opts["claim"], list) else [opts["claim"]]
            text = str(opts["text"]) if isinstance(opts.get("text"), str) else ""
            _add(claims, problems, [str(e) for e in exprs], where, text)
    return claims, problems


def _add(claims: list[Claim], problems: list[str], exprs: list[str], where: str, text: str) -> None:
    try:
        facts = tuple(parse_expression(e) for e in exprs)
    except ClaimSyntaxError as exc:
        problems.append(f"{where}: {exc}")
        return
    expr = " and ".join(exprs)
    claims.append(Claim(id=expr, text=text or expr, where=where, facts=facts, source="page"))


def scan_pages(docs_dir: Path, root: Path) -> tuple[list[Claim], list[str]]:
    """Every claim written in the Markdown pages under ``docs_dir`` (paths shown relative to root)."""
    claims: list[Claim] = []
    problems: list[str] = []
    if not docs_dir.is_dir():
        return claims, problems
    for path in sorted(docs_dir.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "lb-claim" not in text and "claim:" not in text:
            continue
        skip = front_matter_lines(text)
        body = "\n".join(text.split("\n")[skip:])
        c, p = page_claims(body, display_path(path, root), first_line=skip + 1)
        claims += c
        problems += p
    return claims, problems
