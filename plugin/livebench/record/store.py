"""Reading and writing records: the cache's last record, frozen records, and warm reuse.

The warm file keeps the last failure-free record under its world fingerprint (``fingerprint``):
a build whose fingerprint matches reuses it without running anything.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .._util.files import compact_json, load_json, write_if_changed, write_json_atomic
from ..errors import RecordError
from .schema import SCHEMA

WARM_FILE = "warm.json"
RESULTS_FILE = "results.json"


def load_record(path: Path) -> dict[str, Any]:
    """A record from a file (the cache's last one, or a frozen one); RecordError saying what to do."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordError(
            f"{path}: no results record yet. Run `livebench run` (or `mkdocs build`) first."
        ) from None
    except (OSError, ValueError) as exc:
        raise RecordError(f"{path}: not a readable results record ({exc}). Run `livebench run` again.") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise RecordError(
            f"{path}: results record of an unknown schema ({data.get('schema') if isinstance(data, dict) else '?'}); "
            f"this livebench reads schema {SCHEMA}. Run `livebench run` again."
        )
    return data


def save_last(cache_dir: Path, record: dict[str, Any], *, text: bytes | None = None) -> None:
    """The cache's last record, what `livebench show` prints (``text``: the record as compact_json made it)."""
    write_if_changed(Path(cache_dir) / RESULTS_FILE, compact_json(record) if text is None else text)


def load_warm(cache_dir: Path, fp: str, root: Path) -> tuple[dict[str, Any], str] | None:
    """The record stored under ``fp``, every item marked cached, and the sha256 of the stored file (what
    the record holds follows from those bytes, so they name it); None if absent, stale or incomplete."""
    try:
        raw = (Path(cache_dir) / WARM_FILE).read_bytes()
        data = load_json(raw)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fp or not isinstance(data.get("record"), dict):
        return None
    record: dict[str, Any] = data["record"]
    for b in record.get("builds", {}).values():  # the cache entries the record points at must still be there
        art = (b.get("artifact") or {}).get("path")
        if art and not (Path(art) if os.path.isabs(art) else root / art).is_file():
            return None
    for section in ("setup", "builds", "bases", "images"):
        for item in record.get(section, {}).values():
            if isinstance(item, dict):
                item["cached"] = True
    for cells in record.get("probes", {}).values():
        for item in cells.values():
            item["cached"] = True
    return record, hashlib.sha256(raw).hexdigest()


def store_warm(cache_dir: Path, fp: str, record: dict[str, Any]) -> None:
    """Keep ``record`` for the next warm build; records with failures are not kept (never cache failures)."""
    path = Path(cache_dir) / WARM_FILE
    if record.get("failures"):
        try:
            path.unlink()
        except OSError:
            pass
        return
    write_json_atomic(path, {"fingerprint": fp, "record": record}, indent=None)
