"""What a probe gives: the binary's exit code and output in a base, and how it was run."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

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
    image: str = ""  # docker: the throwaway probe image it ran in (removed after the probe stage)
    emulated: str | None = None  # another CPU's binary: the QEMU emulator that ran it ("qemu-aarch64-static (…)")

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}
