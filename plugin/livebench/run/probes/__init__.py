"""Run a built binary inside a base image, without network, and keep the real transcript.

Two ways, both isolating the binary from the host (invariant 2):
- ``docker``: a throwaway image (base + the binary at /NAME, built with a two-line Dockerfile) run as
  ``docker run --rm --network none --memory ...``. With the docker CLI installed we run exactly that
  command, so the page shows what Docker itself prints (its exit codes 125/126/127 included);
  without the CLI the SDK does the same and the message is Docker's API error.
- ``sandbox``: the base's layer tar is extracted (hardened) into a fresh private folder, the binary
  copied in, and ``prlimit --as=N unshare -rn --pid --fork --kill-child chroot rootfs /NAME`` runs it:
  a user namespace for chroot, a new network namespace (only a down loopback), an address-space cap,
  and a timeout that kills the whole process group. The PID namespace is what makes the timeout final:
  a binary that forks and calls setsid() leaves the process group, but killing unshare kills the
  namespace's init (--kill-child), and with it every process inside.

A binary that fails is a *result* (exit code + output); ProbeError is for probes that cannot run.
"""
from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from ...errors import ProbeError
from ..images.model import BaseResult
from .emulate import Emulator
from .model import DEFAULT_MEMORY, DEFAULT_TIMEOUT, HOWS, ProbeResult
from .sandbox import run_sandbox

__all__ = ["ProbeResult", "run_probe"]


def run_probe(
    binary: str | Path,
    base: BaseResult,
    how: str,
    args: Sequence[str] = (),
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int | None = DEFAULT_MEMORY,
    cache_dir: str | Path | None = None,
    dest: str | None = None,
    emulator: Emulator | None = None,
) -> ProbeResult:
    """Run ``binary`` (copied to ``dest``, default ``/<its name>``) inside ``base`` with no network;
    with ``emulator``, as its argument (a binary of another architecture, see emulate.py)."""
    binary = Path(binary)
    if how not in HOWS:
        raise ProbeError(f"probe how={how!r} is not one of {', '.join(HOWS)}.")
    if not binary.is_file():
        raise ProbeError(f"probe of {binary} in {base.name}: the binary does not exist (was its build run?).")
    dest = dest or "/" + binary.name
    if not dest.startswith("/") or ".." in dest.split("/"):
        raise ProbeError(f"probe destination {dest!r} must be an absolute path without '..'.")
    work_root = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir())
    (work_root / "tmp").mkdir(parents=True, exist_ok=True)
    if how == "sandbox":
        return run_sandbox(binary, base, list(args), dest, timeout, memory_limit, work_root, emulator)
    # Deferred on purpose: docker-py (and requests) cost ~0.2 s at import; sandbox probes need neither.
    from .docker import DockerException, run_docker

    try:
        return run_docker(binary, base, list(args), dest, timeout, memory_limit, work_root, emulator)
    except DockerException as exc:  # the engine failed us, not the binary: a message
        raise ProbeError(f"probe of {binary.name} in {base.name}: the Docker engine failed: {exc}. "
                         f"Check `docker info`, or use `backend: embedded` (sandbox probes).") from None
