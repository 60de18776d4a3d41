"""Sizes and percentages as people write them, and as `docker images` prints them."""
from __future__ import annotations

import re
from typing import Any

_SIZE_RE = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s*([kKMGT]i?B|B|bytes)?\s*$")
_UNITS = {None: 1, "B": 1, "bytes": 1, "kB": 10**3, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def human_size(n: int | float | None, *, decimals: int | None = None) -> str:
    """Decimal units as `docker images` prints them (1 MB = 1,000,000 bytes)."""
    if n is None:
        return "–"
    n = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000:
            if unit == "B":
                return f"{int(n)} B"
            d = decimals if decimals is not None else (2 if n < 10 else 1)
            return f"{n:.{d}f} {unit}"
        n /= 1000
    d = decimals if decimals is not None else (2 if n < 10 else 1)
    return f"{n:.{d}f} TB"


def parse_size(value: Any) -> int:
    """``409728``, ``"409,728"``, ``"1 MB"``, ``"500 kB"``, ``"2 MiB"`` → bytes; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size such as 1000000 or '1 MB', got {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    m = _SIZE_RE.match(str(value))
    if not m or m.group(2) not in _UNITS:
        raise ValueError(f"expected a size such as 1000000, '1 MB' or '500 kB', got {value!r}")
    return int(float(m.group(1).replace(",", "").replace("_", "")) * _UNITS[m.group(2)])


def parse_percent(value: Any) -> float:
    """``"1%"``, ``"0.5 %"``, ``1`` (percent) → a fraction; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        s = str(value).strip()
        if not s.endswith("%"):
            raise ValueError(value)
        number = float(s[:-1].strip())
    if number < 0:
        raise ValueError(value)
    return number / 100
