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

import hashlib
import os
import shlex
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import ImageError, ProbeError
from .images import docker_backend
from .images.bases import BaseResult
from .images.safe_extract import extract_tar
from .proc import run_command

Log = Callable[[str], None]
HOWS = ("docker", "sandbox")
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY = 256 * 1024 * 1024
# What a container gets by default; the host's own environment never leaks into a probe.
PROBE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/"}


@dataclass
class ProbeResult:
    exit_code: int
    output: str
    command: str  # exactly as run (the docker CLI) or its CLI equivalent (SDK), shown to readers
    seconds: float
    how: str  # "docker" | "sandbox"
    via: str  # "docker-cli" | "docker-sdk" | "unshare+chroot"
    base: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _nolog(msg: str) -> None:
    pass


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
    log: Log | None = None,
) -> ProbeResult:
    """Run ``binary`` (copied to ``dest``, default ``/<its name>``) inside ``base`` with no network."""
    log = log or _nolog
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
        return _sandbox(binary, base, list(args), dest, timeout, memory_limit, work_root, log)
    import docker

    try:
        return _docker(binary, base, list(args), dest, timeout, memory_limit, work_root, log)
    except docker.errors.DockerException as exc:  # the engine failed us, not the binary: a message
        raise ProbeError(f"probe of {binary.name} in {base.name}: the Docker engine failed: {exc}. "
                         f"Check `docker info`, or use `backend: embedded` (sandbox probes).") from None


# -- sandbox: unshare + chroot -------------------------------------------------------------------

def _sandbox(binary: Path, base: BaseResult, args: list[str], dest: str, timeout: float,
             memory_limit: int | None, work_root: Path, log: Log) -> ProbeResult:
    for tool in ("unshare", "chroot") + (("prlimit",) if memory_limit else ()):
        if shutil.which(tool) is None:
            raise ProbeError(f"sandbox probe needs `{tool}` (util-linux/coreutils); install it or use how=docker.")
    if not base.tar.is_file():
        raise ProbeError(f"sandbox probe in base {base.name!r}: its layer {base.tar} is missing; rebuild the base.")
    tmp = Path(tempfile.mkdtemp(prefix="probe-", dir=work_root / "tmp"))  # mode 0700: private to us
    try:
        root = tmp / "rootfs"
        try:
            extract_tar(base.tar, root, name=f"base {base.name} ({base.tar})", rootfs=True, compression="")
        except ImageError as e:
            raise ProbeError(f"sandbox probe in base {base.name!r}: {e}") from None
        root.chmod(0o755)
        target = root / dest.lstrip("/")
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise ProbeError(f"sandbox probe: {dest} already exists in base {base.name!r} as a link or folder; "
                             f"choose another destination.")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(binary, target)
        target.chmod(0o755)
        argv = (["prlimit", f"--as={memory_limit}"] if memory_limit else []) + \
            ["unshare", "-rn", "--pid", "--fork", "--kill-child", "chroot", "rootfs", dest, *args]
        command = shlex.join(argv)
        log(f"probe {binary.name} in {base.name} (sandbox): {command}")
        entry = run_command(command, cwd=tmp, env=PROBE_ENV, timeout=timeout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ProbeResult(entry["exit_code"], entry["output"], command, entry["seconds"], "sandbox", "unshare+chroot",
                       base.name, bool(entry.get("timed_out")))


# -- docker ----------------------------------------------------------------------------------------

def _probe_image(c: Any, binary: Path, base: BaseResult, dest: str, work_root: Path, log: Log) -> str:
    """base + binary at ``dest``, tagged by content so repeated probes reuse it."""
    import docker

    try:
        bref = docker_backend.ensure_base(c, base, log)
    except ImageError as e:
        raise ProbeError(f"docker probe in base {base.name!r}: {e}") from None
    h = hashlib.sha256()
    h.update(f"{base.diff_id}\0{dest}\0".encode())
    with open(binary, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    tag = f"livebench-probe/{base.name}:{h.hexdigest()[:12]}"
    try:
        c.images.get(tag)
        return tag
    except docker.errors.ImageNotFound:
        pass
    ctx = Path(tempfile.mkdtemp(prefix="probe-ctx-", dir=work_root / "tmp"))
    try:
        shutil.copyfile(binary, ctx / "binary")
        (ctx / "binary").chmod(0o755)
        (ctx / "Dockerfile").write_text(f"FROM {bref}\nCOPY binary {dest}\n")
        c.images.build(path=str(ctx), tag=tag, rm=True, pull=False, network_mode="none")
    except docker.errors.DockerException as e:
        raise ProbeError(f"docker probe: building the probe image {tag} (FROM {bref}) failed: "
                         f"{docker_backend._short(e)}") from None
    finally:
        shutil.rmtree(ctx, ignore_errors=True)
    return tag


def _docker(binary: Path, base: BaseResult, args: list[str], dest: str, timeout: float,
            memory_limit: int | None, work_root: Path, log: Log) -> ProbeResult:
    try:
        c = docker_backend.client()
    except ImageError as e:
        raise ProbeError(f"docker probe of {binary.name} in {base.name}: {e} (or use how=sandbox).") from None
    image = _probe_image(c, binary, base, dest, work_root, log)
    argv = ["docker", "run", "--rm", "--network", "none"]
    if memory_limit:
        mem = f"{memory_limit >> 20}m" if memory_limit % (1 << 20) == 0 else str(memory_limit)
        argv += ["--memory", mem, "--memory-swap", mem]  # equal: no swap on top of the limit
    argv += [image, dest, *args]
    command = shlex.join(argv)
    log(f"probe {binary.name} in {base.name} (docker): {command}")
    if shutil.which("docker"):
        started = time.time()
        env = {k: v for k, v in os.environ.items() if k.startswith("DOCKER_")}
        entry = run_command(command, cwd=work_root, env={**PROBE_ENV, **env, "HOME": os.environ.get("HOME", "/root")},
                            timeout=timeout)
        if entry.get("timed_out"):
            _remove_leftovers(c, image, started)
        return ProbeResult(entry["exit_code"], entry["output"], command, entry["seconds"], "docker", "docker-cli",
                           base.name, bool(entry.get("timed_out")))
    return _docker_sdk(c, image, dest, args, command, timeout, memory_limit, base)


def _remove_leftovers(c: Any, image: str, started: float) -> None:
    """Killing the CLI does not stop its container: remove this probe image's containers we started."""
    from datetime import datetime, timezone

    for ct in c.containers.list(all=True, filters={"ancestor": image}):
        # the engine's "Created" is UTC ("...Z"): a naive parse would read it as local time
        created = datetime.fromisoformat(ct.attrs["Created"][:26].rstrip("Z")).replace(tzinfo=timezone.utc).timestamp()
        if created >= started - 5:
            ct.remove(force=True)


def _docker_sdk(c: Any, image: str, dest: str, args: list[str], command: str, timeout: float,
                memory_limit: int | None, base: BaseResult) -> ProbeResult:
    import docker

    started = time.monotonic()
    kwargs: dict[str, Any] = {"network_mode": "none", "detach": True}
    if memory_limit:
        kwargs.update(mem_limit=memory_limit, memswap_limit=memory_limit)
    ct = c.containers.create(image, [dest, *args], **kwargs)
    timed_out = False
    try:
        try:
            ct.start()
        except docker.errors.APIError as e:
            # The CLI's rule (docker run): 127 when the command cannot be found, 126 when it cannot be run.
            msg = str(e.explanation or e)
            code = 127 if ("no such file" in msg or "not found" in msg) else 126
            return ProbeResult(code, f"docker: Error response from daemon: {msg}.\n", command,
                               round(time.monotonic() - started, 3), "docker", "docker-sdk", base.name)
        try:
            code = int(ct.wait(timeout=timeout)["StatusCode"])
        except Exception:  # requests' ReadTimeout
            timed_out, code = True, -9
        output = ct.logs(stdout=True, stderr=True).decode("utf-8", errors="replace")
        if timed_out:
            output += f"\n[livebench: killed after {timeout:g} s timeout]\n"
    finally:
        ct.remove(force=True)
    return ProbeResult(code, output, command, round(time.monotonic() - started, 3), "docker", "docker-sdk",
                       base.name, timed_out)


def run_matrix(binaries: dict[str, Path], bases: dict[str, BaseResult], how: str, **kwargs: Any
               ) -> dict[str, dict[str, ProbeResult]]:
    """Probe every binary in every base: ``{build: {base: ProbeResult}}`` (the record's "probes" shape)."""
    return {b: {n: run_probe(path, base, how, **kwargs) for n, base in bases.items()} for b, path in binaries.items()}
