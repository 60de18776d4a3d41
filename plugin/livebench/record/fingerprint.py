"""The world fingerprint: a stat-only digest saying whether the last record can be reused as is.

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
import urllib.parse
from pathlib import Path

from .. import __version__
from .._util.files import expand_vars
from ..run.images.endpoint import endpoint
from ..spec.inputs import dockerfile_inputs
from ..spec.model import Plan

SCHEMA = 1
PACKAGE_STATE = ("/var/lib/dpkg/status", "/var/lib/apt/lists", "/etc/apt/sources.list",
                 "/etc/apt/sources.list.d", "/etc/apt/preferences.d")
_CODE_DIR = Path(__file__).resolve().parent.parent  # the whole package: a changed plugin may measure differently


def _stat(path: str | os.PathLike[str]) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _code_files() -> list[str]:
    """The package's modules, relative to it (os.walk: a quarter of Path.rglob's time on every build)."""
    out = []
    for folder, dirs, files in os.walk(_CODE_DIR):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel = os.path.relpath(folder, _CODE_DIR)
        out += [name if rel == "." else f"{rel}/{name}" for name in files if name.endswith(".py")]
    return sorted(out)


def _env(plan: Plan, cache_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if cache_dir is not None:  # as the run sets it: a toolchain's `creates` lives in the cache
        env["LIVEBENCH_CACHE"] = str(Path(cache_dir).resolve())
    for k, v in plan.env.items():
        env[k] = expand_vars(v, env)
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


def _get(path: str, target: str) -> tuple[int, bytes]:
    """One HTTP/1.0 GET over the engine's unix socket (status, body), without docker-py (whose import
    alone costs ~0.2 s) or http.client (which imports ssl: ~15 ms of every warm build)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        sock.connect(path)
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):  # HTTP/1.0: the engine closes the connection after the body
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or not status[0].startswith(b"HTTP/") or not status[1].isdigit():
        raise ValueError("not an HTTP response")
    return int(status[1]), body


def _docker_up(refs: list[str]) -> str:
    """Whether the engine answers, and which of ``refs`` it still holds (a pruned or fresh engine
    has lost the images a reused record describes: then the run loads them again)."""
    host = endpoint()[0]  # DOCKER_HOST, else the docker CLI's context, as the run decides it
    if not host.startswith("unix://"):
        return f"{host}:remote"  # a TCP engine: not probed here (the full run pings it)
    path = host[len("unix://"):]
    held = []
    try:
        # all of them in one request: a reference filter with several values matches any
        query = urllib.parse.quote(json.dumps({"reference": {ref: True for ref in refs}}), safe="")
        status, body = _get(path, f"/images/json?filters={query}" if refs else "/_ping")
        up = "up" if status == 200 else f"up?{status}"  # an engine that answers but refused the query
        if refs and status == 200:
            tags = {t for image in json.loads(body) for t in image.get("RepoTags") or []}
            held = [f"{ref}={200 if ref in tags else 404}" for ref in refs]
    except (OSError, ValueError, AttributeError, TypeError):
        up = "down"
    return f"{host}:{_stat(path)}:{up}:{','.join(held)}"


def fingerprint(plan: Plan, *, backend: str = "auto", cache_dir: Path | None = None) -> str:
    """A cheap digest (stat calls, a few requests to the engine's socket) of everything the record depends on."""
    return combine(sources(plan, backend=backend, cache_dir=cache_dir), engine_state(plan, backend=backend))


def combine(sources_digest: str, engine: str) -> str:
    """The fingerprint of sources taken before a run and the engine as it is (before, or after it)."""
    return hashlib.sha256(f"{sources_digest}\0{engine}".encode()).hexdigest()


def engine_state(plan: Plan, *, backend: str = "auto") -> str:
    """Whether the engine answers and which declared images it holds ('-' when no engine is used)."""
    if not (plan.images or plan.probes) or backend == "embedded":
        return "-"
    return _docker_up([f"livebench/{name}:latest" for name in sorted(plan.images)])


def sources(plan: Plan, *, backend: str = "auto", cache_dir: Path | None = None) -> str:
    """Everything but the engine: spec, code, tools, package state, inputs (stat calls only)."""
    h = hashlib.sha256(f"warm-{SCHEMA}\0{__version__}\0{backend}\n".encode())
    h.update(plan.path.read_bytes())
    for module in _code_files():
        h.update(f"{module}@{_stat(os.path.join(_CODE_DIR, module))}\n".encode())
    env = _env(plan, cache_dir)
    path_var = env.get("PATH", os.defpath)
    for name, tool in sorted(plan.tools.items()):
        h.update(f"tool {name}: {' '.join(_tool_files(tool.version_command, path_var))}\n".encode())
    for p in PACKAGE_STATE:
        h.update(f"{p}@{_stat(p)}\n".encode())
    for step in list(plan.setup.values()) + list(plan.builds.values()):
        h.update(f"step {step.key_path}\n".encode())
        if step.creates:
            h.update(f"creates {(step.workdir / expand_vars(step.creates, env)).exists()}\n".encode())
        for pattern in step.inputs:
            for hit in sorted(glob.glob(str(plan.root / pattern), recursive=True)):
                h.update(f"{hit}@{_stat(hit)}\n".encode())
    for name, pattern in sorted(plan.measurements.items()):
        h.update(f"measurements {name}\n".encode())
        for hit in sorted(glob.glob(str(plan.root / pattern), recursive=True)):
            h.update(f"{hit}@{_stat(hit)}\n".encode())
    for name, entry in sorted(plan.images.items()):
        for f in dockerfile_inputs(plan.root, entry):
            h.update(f"image {name} {f}@{_stat(f)}\n".encode())
    return h.hexdigest()
