"""``markdown_extensions: - livebench``: every directive and inline value of a page, rendered from a
results record, inside any host that runs Python-Markdown extensions (Zensical, plain Python-Markdown).

It runs nothing: the record comes from ``livebench run`` (or is a committed one). A broken directive,
a false claim or a record with failures raises (``on_failure: fail``), so the site build stops with our
message; ``warn`` publishes the pages with warning boxes and logs each failure once.
"""
from __future__ import annotations

import logging
import os
import posixpath
import threading
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from ..errors import LivebenchError
from ..record.failures import fold
from ..record.store import load_record
from ..render import restore_blocks
from ..render.chart_kinds import CHART_MARKER
from ..render.labels import LABELS, lang_of
from ..spec.pages import front_matter_lines
from ..verify.claims import claim_message, evaluate
from .assets import CHARTS_JS_URL, relative_url
from .failure import fail
from .page import has_directives, page_name, render_page
from .render_memo import RenderMemo
from .slots import PRIORITY as RESTORE_PRIORITY

log = logging.getLogger("livebench")
PREPROCESS_PRIORITY = 40  # before normalize_whitespace (30) and every fence extension (superfences: 25)


class _Records:
    """One record per file and version, shared by every page's Markdown instance (a host may create one
    per page, as Zensical does); failures already logged, so ``warn`` says each once."""

    lock = threading.Lock()
    loaded: dict[str, tuple[tuple[int, int], dict[str, Any], RenderMemo]] = {}
    logged: set[str] = set()

    @classmethod
    def get(cls, path: Path, cache_dir: Path) -> tuple[dict[str, Any], RenderMemo]:
        try:
            st = path.stat()
            version = (st.st_mtime_ns, st.st_size)
        except OSError:
            version = (0, 0)  # load_record says what is missing and what to run
        with cls.lock:
            hit = cls.loaded.get(str(path))
            if hit is None or hit[0] != version:
                record = load_record(path)
                hit = (version, record, RenderMemo(cache_dir, record))
                cls.loaded[str(path)] = hit
            return hit[1], hit[2]


class LivebenchExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "record": [".livebench-cache/results.json",
                       "The results record `livebench run` wrote (or a committed one), relative to the "
                       "folder of the site's config file"],
            "language": ["", "Labels' language (en, ko); empty: the page's suffix (x.ko.md), else the theme's"],
            "on_failure": ["fail", "fail: stop the site build on a failure; warn: publish with warning boxes"],
            "frozen": [False, "The record is a committed one: pages say when and where it was measured"],
            "cache_dir": [".livebench-cache", "Where rendered blocks are kept between builds"],
        }
        super().__init__(**kwargs)
        if self.getConfig("on_failure") not in ("fail", "warn"):
            raise fail(f"livebench: markdown_extensions → livebench → on_failure: "
                       f"{self.getConfig('on_failure')!r} is not 'fail' or 'warn'")

    def extendMarkdown(self, md: Markdown) -> None:
        stash: dict[str, str] = {}
        md.preprocessors.register(_Render(md, self, stash), "livebench", PREPROCESS_PRIORITY)
        md.postprocessors.register(_Restore(md, stash), "livebench-blocks", RESTORE_PRIORITY)


def _context(md: Markdown) -> tuple[Any, dict[str, Any]]:
    """The host's page (``.path`` under docs_dir, ``.url``) and config, when it tells (Zensical does,
    through a preprocessor named ``rendering_context``); (None, {}) under plain Python-Markdown."""
    ctx = md.preprocessors["rendering_context"] if "rendering_context" in md.preprocessors else None  # noqa: SIM401 (a Registry has no .get)
    config = getattr(ctx, "config", None)
    return getattr(ctx, "page", None), config if isinstance(config, dict) else {}


class _Render(Preprocessor):
    def __init__(self, md: Markdown, ext: LivebenchExtension, stash: dict[str, str]) -> None:
        super().__init__(md)
        self.ext = ext
        self.stash = stash

    def run(self, lines: list[str]) -> list[str]:
        self.stash.clear()
        markdown = "\n".join(lines)
        if not has_directives(markdown):
            return lines
        page, config = _context(self.md)
        root = Path(config.get("root_dir") or os.getcwd())
        docs_dir = str(config.get("docs_dir") or "docs")
        rel = str(getattr(page, "path", "") or "")
        name = page_name(root, docs_dir, rel) if rel else "(page)"
        opt = self.ext.getConfig
        warn = opt("on_failure") == "warn"
        record_path = root / opt("record")
        try:
            record, memo = _Records.get(record_path, root / opt("cache_dir"))
        except LivebenchError as exc:
            raise fail(f"livebench: {name}: {exc}") from None
        in_record = fold(record.get("failures", []))
        if in_record.lines and not warn:
            raise fail(in_record.report(f"livebench: the record {opt('record')} has "))
        first_line = 1 + front_matter_lines(_read(root / docs_dir / rel)) if rel else 1
        lang = opt("language") or _suffix_lang(rel) or lang_of((config.get("theme") or {}).get("language"))
        done = render_page(markdown, record, lang=lang, page=name, root=root, stash=self.stash,
                           first_line=first_line, memo=memo,
                           frozen=str(opt("record")) if opt("frozen") else "")
        folded = fold(record.get("failures", []), [(str(p), p.cause) for p in done.problems])
        false_claims = [claim_message(e) for e in (evaluate(c, record) for c in done.claims) if e["ok"] is False]
        folded.lines += false_claims
        folded.failures += len(false_claims)
        messages = folded.lines
        if messages and not warn:
            raise fail(folded.report())
        for message in messages:
            if message not in _Records.logged:
                _Records.logged.add(message)
                log.warning("livebench: %s", message)
        text = done.text
        if CHART_MARKER in "".join(self.stash.values()):  # inside the content, so instant navigation runs it
            # Relative to the page's source file, as a link in Markdown is: Zensical rewrites it for the
            # page's URL (container-diet.md → container-diet/ gains a "../").
            src = relative_url(CHARTS_JS_URL, posixpath.dirname(rel) + "/" if "/" in rel else "")
            text += f'\n\n<script src="{src}"></script>\n'
        return text.split("\n")


class _Restore(Postprocessor):
    def __init__(self, md: Markdown, stash: dict[str, str]) -> None:
        super().__init__(md)
        self.stash = stash

    def run(self, text: str) -> str:
        return restore_blocks(text, self.stash)


def _suffix_lang(rel: str) -> str:
    """``container-diet.ko.md`` → ``ko`` (the suffix structure of mkdocs-static-i18n)."""
    parts = rel.rsplit("/", 1)[-1].split(".")
    return parts[-2] if len(parts) >= 3 and parts[-2] in LABELS else ""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def makeExtension(**kwargs: Any) -> LivebenchExtension:  # Python-Markdown's loader calls this by name
    return LivebenchExtension(**kwargs)
