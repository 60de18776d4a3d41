"""The kind rules: static, static-pie, dynamic, shared-library or unknown (see the package docstring)."""
from __future__ import annotations

from collections.abc import Callable

__all__ = ["DF_1_PIE", "classify"]

DF_1_PIE = 0x08000000  # DT_FLAGS_1: the object is a position-independent executable


def classify(e_type: str, interp: str | None, flags_1: int | None, soname: str | None,
             needed: list[str], entry: int, has_dynamic: bool,
             exports: Callable[[], int]) -> tuple[str, list[str], str | None]:
    """kind, kind evidence, reason (the rules: see the package docstring)."""
    pie = flags_1 is not None and bool(flags_1 & DF_1_PIE)
    if e_type == "ET_EXEC":
        if interp:
            return "dynamic", [f"ET_EXEC with PT_INTERP {interp}"], None
        return "static", ["ET_EXEC without PT_INTERP"], None
    if e_type != "ET_DYN":
        return "unknown", [], f"{e_type} is not a linked executable or library"
    if interp:
        if soname and not pie:
            return "shared-library", [f"ET_DYN with DT_SONAME {soname} (runnable: PT_INTERP {interp})"], None
        return "dynamic", [f"ET_DYN (PIE) with PT_INTERP {interp}"], None
    if pie:
        return "static-pie", ["ET_DYN without PT_INTERP, DF_1_PIE set in DT_FLAGS_1"], None
    if soname:
        return "shared-library", [f"ET_DYN with DT_SONAME {soname}"], None
    # Older linkers never set DF_1_PIE: fall back on what the object looks like.
    n = exports() if has_dynamic else 0
    if n:
        return "shared-library", [f"ET_DYN exporting {n} dynamic symbols, no DF_1_PIE"], None
    if entry and not needed:
        return "static-pie", ["ET_DYN without PT_INTERP, DF_1_PIE or DT_SONAME, with an entry "
                              "point, no DT_NEEDED and no exported symbols (heuristic)"], None
    return "shared-library", ["ET_DYN without PT_INTERP, DF_1_PIE or entry point (heuristic)"], None
