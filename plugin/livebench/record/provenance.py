"""Where, when and with what a record was measured: tools, kernel, arch, OS, date, commit, engine."""
from __future__ import annotations

import platform
import subprocess
from pathlib import Path
from typing import Any

from .. import __version__
from .._util.clock import utc_now
from .machines import default_machine


def provenance(root: Path, tools: dict[str, str], date: str | None = None) -> dict[str, Any]:
    """The provenance of a run in ``root`` (its git commit) with these tool versions, started at ``date``."""
    uname = platform.uname()
    return {
        # which machine, in a record merged from several (`livebench run --machine NAME` names it)
        "machine": default_machine(uname.machine),
        "tools": tools,
        "kernel": f"{uname.system} {uname.release} {uname.version}",
        "arch": uname.machine,
        "os": _os_release(),
        "date": date or utc_now(),
        "git_commit": _git(root, "rev-parse", "HEAD"),
        "git_dirty": bool(_git(root, "status", "--porcelain", "--untracked-files=no")),
        "livebench": __version__,
        "python": platform.python_version(),
        "engine": None,
    }


def engine_tool(engine: dict[str, Any] | None) -> str | None:
    """The engine measured the images and ran the probes: its version line, named with the compilers."""
    if not engine or not engine.get("version"):
        return None
    api = f", API {engine['api_version']}" if engine.get("api_version") else ""
    driver = f", storage driver {engine['storage_driver']}" if engine.get("storage_driver") else ""
    return f"Docker Engine {engine['version']}{api}{driver}"


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
