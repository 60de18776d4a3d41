"""Rendered block HTML kept between builds: a warm build re-renders no chart or table it rendered before.

A block's HTML is a function of (the record, the block's text, the page's language, this livebench),
so the memo lives in ``<cache>/render/<digest of record and version>/`` and is keyed by the language
and the block's text. A new record gets a new folder (the older ones are removed), so a stale figure
can never be served; blocks that reported a problem are never kept.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

from .. import __version__
from .._util.files import canonical_json, load_json, write_atomic

KEEP = 2  # record folders kept: this one and the one before (serve flips between two states often)


class RenderMemo(MutableMapping[str, str]):
    def __init__(self, cache_dir: Path, record: dict[str, Any], *, digest: str = "") -> None:
        """``digest``: one of the record's content already at hand (a warm record's file), else made here."""
        digest = digest or hashlib.sha256(_text(record).encode()).hexdigest()
        digest = hashlib.sha256(f"{digest}\0{__version__}".encode()).hexdigest()
        self.dir = cache_dir / "render" / digest[:32]
        self._seen: dict[str, str] = {}

    def _path(self, key: str) -> Path:
        return self.dir / (hashlib.sha256(key.encode()).hexdigest()[:40] + ".html")

    def __getitem__(self, key: str) -> str:
        if key in self._seen:
            return self._seen[key]
        try:
            html = self._path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise KeyError(key) from None
        self._seen[key] = html
        return html

    def json(self, key: str) -> Any:
        """A kept JSON document (a page), parsed from the file's bytes: decoding them to text first
        took longer than parsing, for pages in Korean. KeyError if absent, ValueError if damaged."""
        if key in self._seen:
            return load_json(self._seen[key])
        try:
            raw = self._path(key).read_bytes()
        except OSError:
            raise KeyError(key) from None
        return load_json(raw)

    def __setitem__(self, key: str, html: str) -> None:
        self._seen[key] = html
        try:
            if not self.dir.is_dir():
                self._prune()
            write_atomic(self._path(key), html.encode("utf-8"))
        except OSError:
            pass  # a read-only cache only costs the next build its speed

    def __delitem__(self, key: str) -> None:  # pragma: no cover - MutableMapping's contract
        self._seen.pop(key, None)
        self._path(key).unlink(missing_ok=True)

    def __iter__(self) -> Iterator[str]:  # pragma: no cover - the keys are hashed on disk
        return iter(self._seen)

    def __len__(self) -> int:
        return len(self._seen)

    def _prune(self) -> None:
        parent = self.dir.parent
        if not parent.is_dir():
            return
        older = sorted((d for d in parent.iterdir() if d.is_dir()), key=lambda d: d.stat().st_mtime, reverse=True)
        for old in older[KEEP - 1:]:
            shutil.rmtree(old, ignore_errors=True)


def _text(value: dict[str, Any]) -> str:
    """The record as sorted JSON; a record read from JSON has string keys only, so json's C encoder
    sorts it directly (canonical_json first turns every key into a string, in Python: 3x slower)."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    except TypeError:
        return canonical_json(value)
