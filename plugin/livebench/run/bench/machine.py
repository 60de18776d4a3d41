"""What the record says about the machine a benchmark ran on, and how busy it was."""
from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").strip() or None
    except OSError:
        return None


def cpu_model() -> str:
    for line in (_read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def identity() -> dict[str, Any]:
    """What makes timings from two runs comparable: part of a benchmark's cache key."""
    return {"cpu_model": cpu_model(), "cpu_count": os.cpu_count(), "arch": platform.machine(),
            "kernel": platform.release(), "libc": " ".join(platform.libc_ver())}  # the -gnu builds run on it


def facts() -> dict[str, Any]:
    """identity() plus what is readable about the clock: governor and current frequency (MHz)."""
    freq = _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq")
    return {**identity(), "governor": _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
            "frequency_mhz": round(int(freq) / 1000) if freq and freq.isdigit() else None}


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]
