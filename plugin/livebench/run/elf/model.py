"""What inspection returns: ``Linkage`` (how an ELF file is linked) and ``LddEntry`` (one ldd line)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Linkage", "LddEntry"]


@dataclass
class LddEntry:
    """One line of the ldd-style listing: ``path`` is the in-root path, or None if not found."""

    name: str
    path: str | None
    kind: str  # "vdso" | "needed" | "interpreter"

    def line(self) -> str:
        """The line as ldd prints it, minus the load address (nothing is loaded)."""
        if self.kind == "vdso":
            return f"\t{self.name}"
        if self.path is None:
            return f"\t{self.name} => not found"
        if self.kind == "interpreter" or self.name == self.path:
            return f"\t{self.name}"
        return f"\t{self.name} => {self.path}"


@dataclass
class Linkage:
    """What an ELF file says about how it is linked (read, never executed)."""

    path: str
    size: int
    elf_class: str  # "ELF32" | "ELF64"
    endian: str  # "little" | "big"
    machine: str  # "x86_64", "aarch64", "i386", ... else the raw e_machine name
    kind: str  # "static" | "static-pie" | "dynamic" | "shared-library" | "unknown"
    libc: str  # "glibc" | "musl" | "none" | "unknown"
    libc_evidence: list[str]
    interpreter: str | None
    needed: list[str]
    rpath: list[str]
    runpath: list[str]
    stripped: bool
    reason: str | None = None
    soname: str | None = None
    kind_evidence: list[str] = field(default_factory=list)
    # Set by inspect(..., root=...): every ldd entry but the vDSO (needed names, transitively,
    # and the interpreter path) → the in-root path it resolves to, or None if not found.
    resolved: dict[str, str | None] | None = None
    e_flags: int = field(default=0, repr=False)  # ABI flags (ARM hard-float selects a triplet)
    e_machine: int = field(default=0, repr=False)  # raw number: candidate libraries must match it

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in the results record (``class`` for ``elf_class``)."""
        d: dict[str, Any] = {
            "path": self.path, "size": self.size, "class": self.elf_class, "endian": self.endian,
            "machine": self.machine, "kind": self.kind, "kind_evidence": list(self.kind_evidence),
            "libc": self.libc, "libc_evidence": list(self.libc_evidence),
            "interpreter": self.interpreter, "soname": self.soname, "needed": list(self.needed),
            "rpath": list(self.rpath), "runpath": list(self.runpath), "stripped": self.stripped,
            "reason": self.reason,
        }
        if self.resolved is not None:
            d["resolved"] = dict(self.resolved)
        return d
