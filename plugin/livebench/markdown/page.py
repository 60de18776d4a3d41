"""One page through livebench: its directives and inline values rendered, its claims read.

Both hosts call this and nothing else to render: the MkDocs plugin (from ``on_page_markdown``, which
knows the page and the i18n pass) and the Python-Markdown extension (from its preprocessor, under
Zensical or plain Python-Markdown). So a page cannot look different under the two.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._util.files import compact_json, load_json
from ..render import Problem, expand_markdown
from ..render.provenance import frozen_note_html, insert_after_title
from ..spec.model import Claim
from ..spec.pages import page_claims
from .render_memo import RenderMemo


@functools.lru_cache(maxsize=4096)  # two path resolutions per page and language pass, on every build
def page_name(root: Path, docs_dir: Path | str, rel: str) -> str:
    """How messages name a page: its path from the project root (``docs/en/container-diet.md``)."""
    path = Path(docs_dir) / rel
    path = path if path.is_absolute() else root / path
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return f"{Path(docs_dir).name}/{rel}"


def has_directives(markdown: str) -> bool:
    """Cheap test first: most pages of a site have nothing for livebench."""
    return "livebench" in markdown or "{lb:" in markdown or "{lb-claim:" in markdown


@dataclass
class RenderedPage:
    text: str  # Markdown with each block replaced by a token of ``stash`` (or its HTML without one)
    problems: list[Problem] = field(default_factory=list)  # broken directives, page + line each
    claims: list[Claim] = field(default_factory=list)  # the page's claims, to be judged once per site
    unreadable: list[str] = field(default_factory=list)  # claims that do not parse, "page:line: why"


def render_page(markdown: str, record: dict[str, Any], *, lang: str, page: str, root: Path,
                stash: dict[str, str], first_line: int = 1, memo: MutableMapping[str, str] | None = None,
                frozen: str = "", highlight: Callable[[list[str]], str | None] | None = None) -> RenderedPage:
    """``page`` is how messages name it (``docs/x.md``); ``first_line`` the editor's line number of the
    first line given (both hosts strip the front matter); ``frozen`` the committed record's path, if the
    numbers come from one (the page then says when and where they were measured); ``highlight`` the
    host's highlighter for `source` blocks (its ``key`` attribute, if any, keys the kept page)."""
    if not has_directives(markdown):
        return RenderedPage(markdown)
    claims, unreadable = page_claims(markdown, page, first_line=first_line)  # cheap, and judged every build
    key = "\0".join(("page", lang, page, str(first_line), frozen, getattr(highlight, "key", ""), markdown))
    kept = _recall(memo, key, root, stash)
    if kept is not None:
        return RenderedPage(kept, [], claims, unreadable)
    blocks: dict[str, str] = {}
    read: dict[str, str] = {}
    text, problems = expand_markdown(markdown, record, lang=lang, page=page, root=root, stash=blocks,
                                     memo=memo, first_line=first_line, read=read, highlight=highlight)
    if frozen and text != markdown:
        text = insert_after_title(text, frozen_note_html(record, lang, frozen))
    if memo is not None and not problems:
        memo[key] = compact_json({"text": text, "blocks": blocks, "read": read}).decode("utf-8")
    stash.update(blocks)
    return RenderedPage(text, problems, claims, unreadable)


def _recall(memo: MutableMapping[str, str] | None, key: str, root: Path, stash: dict[str, str]) -> str | None:
    """The whole page as an earlier build rendered it from the same record, while every file its
    `source` blocks showed is unchanged: a warm build converts no inline value and no block again."""
    if memo is None:
        return None
    try:
        kept = memo.json(key) if isinstance(memo, RenderMemo) else load_json(memo[key])
        for rel, digest in kept["read"].items():
            if hashlib.sha256((root / rel).read_bytes()).hexdigest() != digest:
                return None  # rendered again: the block says the file changed since the build
        stash.update(kept["blocks"])
        return str(kept["text"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # not kept, or not readable: rendered again
