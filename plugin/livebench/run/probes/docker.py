"""Probe in a container: base + binary as a throwaway image, ``docker run --rm --network none``."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import shlex
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..._util.log import info
from ..._util.proc import run_command
from ...errors import ImageError, ProbeError
from ..images import engine
from ..images.model import BaseResult
from .emulate import DEST, Emulator
from .model import PROBE_ENV, ProbeResult

__all__ = ["DockerException", "remove_leftovers", "run_docker"]
DockerException = engine.DockerException


def _probe_image(c: Any, binary: Path, base: BaseResult, dest: str, work_root: Path,
                 emulator: Emulator | None = None) -> str:
    """base + binary at ``dest`` (+ the emulator), tagged by content so repeated probes reuse it."""
    try:
        bref = engine.ensure_base(c, base)
    except ImageError as e:
        raise ProbeError(f"docker probe in base {base.name!r}: {e}") from None
    h = hashlib.sha256()
    h.update(f"{base.diff_id}\0{dest}\0{emulator.label() if emulator else ''}\0".encode())
    with open(binary, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    tag = f"livebench-probe/{base.name}:{h.hexdigest()[:12]}"
    try:
        c.images.get(tag)
        return tag
    except engine.ImageNotFound:
        pass
    ctx = Path(tempfile.mkdtemp(prefix="probe-ctx-", dir=work_root / "tmp"))
    try:
        shutil.copyfile(binary, ctx / "binary")
        (ctx / "binary").chmod(0o755)
        dockerfile = f"FROM {bref}\nCOPY binary {dest}\n"
        if emulator is not None:
            shutil.copyfile(emulator.path, ctx / "emulator")
            (ctx / "emulator").chmod(0o755)
            dockerfile += f"COPY emulator {DEST}\n"
        (ctx / "Dockerfile").write_text(dockerfile)
        c.images.build(path=str(ctx), tag=tag, rm=True, pull=False, network_mode="none",
                       labels={engine.LABEL: "probe"})
    except engine.DockerException as e:
        raise ProbeError(f"docker probe: building the probe image {tag} (FROM {bref}) failed: "
                         f"{engine.short_error(e)}") from None
    finally:
        shutil.rmtree(ctx, ignore_errors=True)
    return tag


def run_docker(binary: Path, base: BaseResult, args: list[str], dest: str, timeout: float,
            memory_limit: int | None, work_root: Path, emulator: Emulator | None = None) -> ProbeResult:
    try:
        c = engine.client()
    except ImageError as e:
        raise ProbeError(f"docker probe of {binary.name} in {base.name}: {e} (or use how=sandbox).") from None
    image = _probe_image(c, binary, base, dest, work_root, emulator)
    emulated = emulator.label() if emulator else None
    if emulator is not None:
        dest, args = DEST, [dest, *args]
    argv = ["docker", "run", "--rm", "--network", "none"]
    if memory_limit:
        mem = f"{memory_limit >> 20}m" if memory_limit % (1 << 20) == 0 else str(memory_limit)
        argv += ["--memory", mem, "--memory-swap", mem]  # equal: no swap on top of the limit
    argv += [image, dest, *args]
    command = shlex.join(argv)
    info(f"probe {binary.name} in {base.name} (docker): {command}")
    if shutil.which("docker"):
        started = time.time()
        env = {k: v for k, v in os.environ.items() if k.startswith("DOCKER_")}
        entry = run_command(command, cwd=work_root, env={**PROBE_ENV, **env, "HOME": os.environ.get("HOME", "/root")},
                            timeout=timeout)
        if entry.get("timed_out"):
            remove_leftovers(c, image, started)
        return ProbeResult(entry["exit_code"], entry["output"], command, entry["seconds"], "docker", "docker-cli",
                           base.name, bool(entry.get("timed_out")), image, emulated)
    return dataclasses.replace(_docker_sdk(c, image, dest, args, command, timeout, memory_limit, base), image=image,
                               emulated=emulated)


def remove_leftovers(c: Any, image: str, started: float) -> None:
    """Killing the CLI does not stop its container: remove this probe image's containers we started."""
    for ct in c.containers.list(all=True, filters={"ancestor": image}):
        # the engine's "Created" is UTC ("...Z"): a naive parse would read it as local time
        created = datetime.fromisoformat(ct.attrs["Created"][:26].rstrip("Z")).replace(tzinfo=UTC).timestamp()
        if created >= started - 5:
            ct.remove(force=True)


def _docker_sdk(c: Any, image: str, dest: str, args: list[str], command: str, timeout: float,
                memory_limit: int | None, base: BaseResult) -> ProbeResult:
    started = time.monotonic()
    kwargs: dict[str, Any] = {"network_mode": "none", "detach": True}
    if memory_limit:
        kwargs.update(mem_limit=memory_limit, memswap_limit=memory_limit)
    ct = c.containers.create(image, [dest, *args], **kwargs)
    timed_out = False
    try:
        try:
            ct.start()
        except engine.APIError as e:
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
