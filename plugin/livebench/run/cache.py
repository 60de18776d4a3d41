"""Content-addressed cache of setup steps and builds.

An entry lives in ``<cache_dir>/<section>/<key>/`` and appears there only by an atomic rename of a
fully written staging folder, so a run killed half-way never leaves an entry that could be served.
Failures are never stored. A lock file serialises whole runs that share one cache.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._util.files import canonical_json
from .._util.log import info
from ..errors import LivebenchError

if TYPE_CHECKING:
    from filelock import FileLock

ENTRY_FILE = "entry.json"
KEY_SCHEMA = 1  # bump when the meaning of an entry changes


def make_key(parts: dict[str, Any]) -> str:
    """The cache key of an entry: a digest of everything that can change its output."""
    return hashlib.sha256(canonical_json({"schema": KEY_SCHEMA, **parts}).encode()).hexdigest()


class Cache:
    def __init__(self, root: Path):
        self.root = Path(root)

    # -- locking -----------------------------------------------------------------------------
    def lock(self, timeout: float = 3600) -> FileLock:
        from filelock import FileLock  # imported when something runs: a warm build takes no lock (~30 ms)

        self.root.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.root / "run.lock"), timeout=timeout)

    def acquire(self) -> FileLock:
        from filelock import Timeout

        lock = self.lock()
        try:
            lock.acquire(timeout=0.1)
        except Timeout:
            info("another run holds %s; waiting for it", self.root / "run.lock")
            try:
                lock.acquire()
            except Timeout:
                raise LivebenchError(
                    f"{self.root / 'run.lock'}: another livebench run kept the cache locked for an "
                    f"hour. Stop it, or delete the lock file if no run is alive."
                ) from None
        return lock

    # -- entries -----------------------------------------------------------------------------
    def entry_dir(self, section: str, key: str) -> Path:
        return self.root / section / key

    def get(self, section: str, key: str) -> dict | None:
        """The stored entry, or None. A corrupt entry is treated as absent (and removed)."""
        d = self.entry_dir(section, key)
        try:
            entry = json.loads((d / ENTRY_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            shutil.rmtree(d, ignore_errors=True)
            return None
        entry["_dir"] = str(d)
        return entry

    def staging(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="stage-", dir=tmp))

    def commit(self, section: str, key: str, stage: Path, entry: dict) -> Path:
        """Write entry.json into ``stage`` and move it into place atomically."""
        (stage / ENTRY_FILE).write_text(canonical_json(entry), encoding="utf-8")
        dest = self.entry_dir(section, key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(stage, dest)
        except OSError:
            # An entry for this key is there already: a refresh ran the step again. Ours is the one the
            # record describes (its transcript, its artifact's hash), so it replaces the old one; the run
            # lock keeps other runs out meanwhile.
            old = self.staging()
            try:
                os.rename(dest, old / "entry")
                os.rename(stage, dest)
            except OSError:
                shutil.rmtree(stage, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)
        return dest

    def entries(self, section: str) -> list[dict[str, Any]]:
        """Every stored entry of ``section`` (what `livebench clean` asks the engine to forget)."""
        found = (self.get(section, d.name) for d in sorted((self.root / section).glob("*")) if d.is_dir())
        return [e for e in found if e is not None]

    def discard(self, stage: Path) -> None:
        shutil.rmtree(stage, ignore_errors=True)

    def work_dir(self, name: str) -> Path:
        d = self.root / "work" / name
        d.mkdir(parents=True, exist_ok=True)
        return d

    def clear_staging(self) -> None:
        """Drop staging folders a killed run left behind (call with the run lock held)."""
        shutil.rmtree(self.root / "tmp", ignore_errors=True)
