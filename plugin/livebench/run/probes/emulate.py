"""A binary of another CPU architecture runs under QEMU's user-mode emulator, called explicitly.

No binfmt_misc registration is needed (that is a host-wide setting): the static emulator
(``qemu-aarch64-static`` from qemu-user-static) is copied into the probe's root or image and
the binary is its argument, so the loader a dynamic binary names is looked up inside the base.
"""
from __future__ import annotations

import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..._util.proc import system_tool
from ...errors import ProbeError

# ELF machine (as run/elf names it) -> QEMU's name for it; uname's x86_64/aarch64 are the same words
_QEMU = {"x86_64": "x86_64", "aarch64": "aarch64", "arm": "arm", "riscv64": "riscv64", "i386": "i386",
         "ppc64le": "ppc64le", "s390x": "s390x"}
DEST = "/.livebench-emulator"  # where the emulator is put in the probe's root


@dataclass(frozen=True)
class Emulator:
    path: Path  # on the host
    name: str  # qemu-aarch64-static
    version: str  # its first --version line

    def label(self) -> str:
        return f"{self.name} ({self.version})"


def host_machine() -> str:
    return platform.machine()


def emulator_for(machine: str | None, build: str) -> Emulator | None:
    """None when the binary is native (or its machine unknown); ProbeError when no emulator is installed."""
    host = host_machine()
    if not machine or machine == host or machine not in _QEMU:
        return None
    name = f"qemu-{_QEMU[machine]}-static"
    found = system_tool(name)
    if found is None:
        raise ProbeError(f"build '{build}' is a {machine} binary and this machine is {host}: install "
                         f"qemu-user-static (apt-get install qemu-user-static) to run it emulated.")
    path = Path(shutil.which(found) or found)  # system_tool gives the bare name when it is on the PATH
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10)
    return Emulator(path, name, (out.stdout.splitlines() or ["unknown version"])[0].strip())
