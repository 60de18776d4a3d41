"""Probe in an ``unshare`` + ``chroot`` sandbox: the base's layer extracted, no network, capped memory."""
from __future__ import annotations

import shlex
import shutil
import tempfile
from pathlib import Path

from ..._util.log import info
from ..._util.proc import run_command, system_tool
from ...errors import ImageError, ProbeError
from ..images.extract import extract_tar
from ..images.model import BaseResult
from .emulate import DEST, Emulator
from .model import PROBE_ENV, ProbeResult


def base_root(base: BaseResult, folder: Path) -> Path:
    """``folder/rootfs``: the base's layer extracted (hardened), ready for ``chroot`` (probes and benchmarks)."""
    root = folder / "rootfs"
    try:
        extract_tar(base.tar, root, name=f"base {base.name} ({base.tar})", rootfs=True, compression="")
    except ImageError as e:
        raise ProbeError(f"sandbox in base {base.name!r}: {e}") from None
    root.chmod(0o755)
    return root


def run_sandbox(binary: Path, base: BaseResult, args: list[str], dest: str, timeout: float,
             memory_limit: int | None, work_root: Path, emulator: Emulator | None = None) -> ProbeResult:
    tools = {tool: system_tool(tool) for tool in ("unshare", "chroot") + (("prlimit",) if memory_limit else ())}
    for tool, found in tools.items():
        if found is None:
            raise ProbeError(f"sandbox probe needs `{tool}` (util-linux/coreutils); install it or use how=docker.")
    if not base.tar.is_file():
        raise ProbeError(f"sandbox probe in base {base.name!r}: its layer {base.tar} is missing; rebuild the base.")
    tmp = Path(tempfile.mkdtemp(prefix="probe-", dir=work_root / "tmp"))  # mode 0700: private to us
    try:
        root = base_root(base, tmp)
        target = root / dest.lstrip("/")
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise ProbeError(f"sandbox probe: {dest} already exists in base {base.name!r} as a link or folder; "
                             f"choose another destination.")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(binary, target)
        target.chmod(0o755)
        run = [dest, *args]
        if emulator is not None:
            shutil.copyfile(emulator.path, root / DEST.lstrip("/"))
            (root / DEST.lstrip("/")).chmod(0o755)
            run = [DEST, *run]
        argv = ([tools["prlimit"] or "prlimit", f"--as={memory_limit}"] if memory_limit else []) + \
            [tools["unshare"] or "unshare", "-rn", "--pid", "--fork", "--kill-child", tools["chroot"] or "chroot",
             "rootfs", *run]
        command = shlex.join(argv)
        info(f"probe {binary.name} in {base.name} (sandbox): {command}")
        entry = run_command(command, cwd=tmp, env=PROBE_ENV, timeout=timeout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ProbeResult(entry["exit_code"], entry["output"], command, entry["seconds"], "sandbox", "unshare+chroot",
                       base.name, bool(entry.get("timed_out")), emulated=emulator.label() if emulator else None)
