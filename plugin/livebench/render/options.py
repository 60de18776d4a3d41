"""Helpers for reading a block's YAML options."""
from __future__ import annotations

from ..errors import DirectiveError


def names(opts: dict, key: str, context: str = "") -> list[str]:
    """``key`` as a list of names: one name or a non-empty list of names."""
    value = opts.get(key)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    where = f"'{context}' needs '{key}': " if context else f"'{key}' must be "
    raise DirectiveError(f"{where}a name or a list of names, got {value!r}")
