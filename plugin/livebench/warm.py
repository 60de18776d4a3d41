"""The warm path: reuse the last record when nothing it was measured from has changed.

A fully cached run still costs seconds (tool version commands, `apt-cache policy` for base recipes,
Docker API calls, hashing every input, re-inspecting every artifact). Leaving the plugin on must
cost next to nothing, so before running, a *world fingerprint* is taken from stat() calls only:

- the spec text and the livebench code itself (a changed plugin may measure differently);
- every declared input file and measurement file: path, size, mtime (a touched file falls back to the full run, whose
  content-addressed cache then decides what really re-runs);
- each tool's executables (the words of its version command found on the spec's PATH): inode,
  size, mtime — plus the package manager's state (dpkg status, apt lists and sources), which
  changes with every install or upgrade and keys the base recipes' package versions;
- whether each setup step's ``creates`` path exists;
- the Dockerfile and build context of ``dockerfile`` images: path, size, mtime;
- the image backend choice and whether the Docker socket accepts a connection.

If it equals the fingerprint stored with the last failure-free record, that record is reused as is
(every item marked cached). What this cannot see — a toolchain switched behind an unchanged binary
(e.g. rustup's settings), an engine that lost its images — `LIVEBENCH_REFRESH=1` or
``refresh: true`` covers, as does any edit of an input or the spec.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shlex
import shutil
import socket
import string
from pathlib import Path
from typing import Any

from . import __version__
from .spec import Plan

SCHEMA = 1
WARM_FILE = "warm.json"
PACKAGE_STATE = ("/var/lib/dpkg/status", "/var/lib/apt/lists", "/etc/apt/sources.list",
                 "/etc/apt/sources.list.d", "/etc/apt/preferences.d")
_CODE_DIR = Path(__file__).parent


def _stat(path: str | os.PathLike) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _env(plan: Plan) -> dict[str, str]:
    env = dict(os.environ)
    for k, v in plan.env.items():
        env[k] = string.Template(v).safe_substitute(env)
    return env


def _tool_files(command: str, path_var: str) -> list[str]:
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    out = []
    for w in words:
        if not w or w.startswith("-") or any(ch in w for ch in "|&;<>()$`*?="):
            continue
        found = w if os.path.isabs(w) else shutil.which(w, path=path_var)
        if found and os.path.isfile(found):
            real = os.path.realpath(found)
            out.append(f"{w}={real}@{_stat(real)}")
    return out


def dockerfile_inputs(root: Path, entry: dict[str, Any]) -> list[Path]:
    """The files a ``dockerfile`` image is made from: the Dockerfile and its build context (less ``.git``
    and any livebench cache inside it, which change on every run). Sorted; empty for other images."""
    if not entry.get("dockerfile"):
        return []
    dockerfile = Path(root) / entry["dockerfile"]
    context = Path(root) / entry["context"] if entry.get("context") else dockerfile.parent
    out = {dockerfile}
    for folder, dirs, names in os.walk(context):
        if "run.lock" in names:  # a livebench cache folder
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if d != ".git"]
        out.update(Path(folder) / n for n in names)
    return sorted(out)


def _docker_up() -> str:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        return f"{host}:remote"  # a TCP engine: not probed here (the full run pings it)
    path = host[len("unix://"):]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect(path)
        up = "up"
    except OSError:
        up = "down"
    finally:
        s.close()
    return f"{host}:{_stat(path)}:{up}"


def fingerprint(plan: Plan, *, backend: str = "auto") -> str:
    """A cheap digest (stat calls, one socket connect) of everything the record depends on."""
    h = hashlib.sha256(f"warm-{SCHEMA}\0{__version__}\0{backend}\n".encode())
    h.update(plan.path.read_bytes())
    for f in sorted(_CODE_DIR.rglob("*.py")):
        h.update(f"{f.relative_to(_CODE_DIR)}@{_stat(f)}\n".encode())
    env = _env(plan)
    path_var = env.get("PATH", os.defpath)
    for name, tool in sorted(plan.tools.items()):
        h.update(f"tool {name}: {' '.join(_tool_files(tool.version_command, path_var))}\n".encode())
    for p in PACKAGE_STATE:
        h.update(f"{p}@{_stat(p)}\n".encode())
    for step in list(plan.setup.values()) + list(plan.builds.values()):
        h.update(f"step {step.key_path}\n".encode())
        if step.creates:
            h.update(f"creates {(step.workdir / string.Template(step.creates).safe_substitute(env)).exists()}\n".encode())
        for pattern in step.inputs:
            for f in sorted(glob.glob(str(plan.root / pattern), recursive=True)):
                h.update(f"{f}@{_stat(f)}\n".encode())
    for name, pattern in sorted(getattr(plan, "measurements", {}).items()):
        h.update(f"measurements {name}\n".encode())
        for f in sorted(glob.glob(str(plan.root / pattern), recursive=True)):
            h.update(f"{f}@{_stat(f)}\n".encode())
    for name, entry in sorted(plan.images.items()):
        for f in dockerfile_inputs(plan.root, entry):
            h.update(f"image {name} {f}@{_stat(f)}\n".encode())
    if plan.images or plan.probes:
        h.update(f"docker {_docker_up() if backend != 'embedded' else '-'}\n".encode())
    return h.hexdigest()


def load(cache_dir: Path, fp: str, root: Path) -> dict[str, Any] | None:
    """The record stored under ``fp``, every item marked cached; None if absent, stale or incomplete."""
    try:
        data = json.loads((Path(cache_dir) / WARM_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fp or not isinstance(data.get("record"), dict):
        return None
    record = data["record"]
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
    return record


def store(cache_dir: Path, fp: str, record: dict[str, Any]) -> None:
    """Keep ``record`` for the next warm build; records with failures are not kept (never cache failures)."""
    path = Path(cache_dir) / WARM_FILE
    if record.get("failures"):
        try:
            path.unlink()
        except OSError:
            pass
        return
    from .results import write_json_atomic

    write_json_atomic(path, {"fingerprint": fp, "record": record})
