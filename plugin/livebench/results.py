"""The one results record: what every number, table, chart and transcript on a page is read from.

It is plain JSON (schema documented on the reference page); this module owns reading, writing and
the provenance that says where and how the numbers were measured.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from . import __version__
from .errors import LivebenchError

SCHEMA = 1


def new_record() -> dict[str, Any]:
    return {"schema": SCHEMA, "provenance": {}, "setup": {}, "builds": {}, "bases": {},
            "images": {}, "probes": {}, "failures": []}


def provenance(root: Path, tools: dict[str, str]) -> dict[str, Any]:
    """Where, when and with what the record was measured."""
    uname = platform.uname()
    return {
        "tools": tools,
        "kernel": f"{uname.system} {uname.release} {uname.version}",
        "arch": uname.machine,
        "os": _os_release(),
        "date": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "git_commit": _git(root, "rev-parse", "HEAD"),
        "git_dirty": bool(_git(root, "status", "--porcelain", "--untracked-files=no")),
        "livebench": __version__,
        "python": platform.python_version(),
        "engine": None,
    }


def _os_release() -> str | None:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return None


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False, sort_keys=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load_record(path: Path) -> dict[str, Any]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LivebenchError(
            f"{path}: no results record yet. Run `livebench run` (or `mkdocs build`) first."
        ) from None
    except (OSError, ValueError) as exc:
        raise LivebenchError(f"{path}: not a readable results record ({exc}). Run `livebench run` again.") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise LivebenchError(
            f"{path}: results record of an unknown schema ({data.get('schema') if isinstance(data, dict) else '?'}); "
            f"this livebench reads schema {SCHEMA}. Run `livebench run` again."
        )
    return data


def human_size(n: int | float | None, *, decimals: int | None = None) -> str:
    """Decimal units as `docker images` prints them (1 MB = 1,000,000 bytes)."""
    if n is None:
        return "–"
    n = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            if unit == "B":
                return f"{int(n)} B"
            d = decimals if decimals is not None else (2 if n < 10 else 1)
            return f"{n:.{d}f} {unit}"
        n /= 1000
    return f"{n} TB"  # pragma: no cover
