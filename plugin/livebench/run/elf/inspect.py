"""Read one ELF file into a ``Linkage``; find the ELF files among many paths."""
from __future__ import annotations

import os
import stat
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from ...errors import ElfError
from .classify import classify
from .libc import detect_libc
from .model import Linkage
from .read import (
    ELF_MAGIC,
    PARSE_ERRORS,
    check_bounds,
    exported_symbols,
    machine_name,
    read_dynamic,
    section_named,
    segments,
)
from .resolve import resolve

__all__ = ["inspect", "iter_elf_files"]


def inspect(path: str | os.PathLike[str], *, root: str | None = None) -> Linkage:
    """Inspect ``path``; with ``root``, also resolve its libraries there (``Linkage.resolved``).

    Raises ElfError (message names the path) for a missing, non-ELF, truncated or corrupt file.
    """
    p = os.fspath(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
        f = os.fdopen(os.open(p, os.O_RDONLY | os.O_NONBLOCK), "rb")
    except IsADirectoryError:
        raise ElfError(f"{p}: is a directory, not an ELF file") from None
    except OSError as e:
        raise ElfError(f"{p}: cannot read: {e.strerror or e}") from None
    with f:
        try:
            st = os.fstat(f.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise ElfError(f"{p}: is a directory, not an ELF file")
            if not stat.S_ISREG(st.st_mode):
                raise ElfError(f"{p}: not a regular file (a device, FIFO or socket), so not an ELF file")
            size = st.st_size
            head = f.read(64)
        except OSError as e:
            raise ElfError(f"{p}: cannot read: {e.strerror or e}") from None
        if head[:4] != ELF_MAGIC:
            what = f"starts with {head[:16]!r}" if head else "empty file"
            raise ElfError(f"{p}: not an ELF file ({what})")
        if len(head) < 6 or head[4] not in (1, 2) or head[5] not in (1, 2):
            raise ElfError(f"{p}: corrupt ELF identification (class/data bytes {head[4:6]!r})")
        if len(head) < (52 if head[4] == 1 else 64):
            raise ElfError(f"{p}: truncated ELF file: {size} bytes, shorter than the ELF header")
        try:
            f.seek(0)
            elf = ELFFile(f)  # lazy: reads what it is asked for, so keep f open meanwhile
            link = _inspect_open(p, f, elf, size)
            link.e_machine = struct.unpack("<H" if head[5] == 1 else ">H", head[18:20])[0]
        except ElfError:
            raise
        except PARSE_ERRORS as e:
            raise ElfError(f"{p}: corrupt or truncated ELF file ({type(e).__name__}: {e})") from None
    if root is not None:
        link.resolved = {e.name: e.path for e in resolve(link, root) if e.kind != "vdso"}
    return link


def _inspect_open(p: str, f: BinaryIO, elf: ELFFile, size: int) -> Linkage:
    debug_only = check_bounds(p, elf, size)
    h = elf.header
    machine = machine_name(elf)
    symtab = section_named(elf, ".symtab")
    if not isinstance(symtab, SymbolTableSection):  # absent, or NOBITS in a debug-info file
        symtab = None
    stripped = symtab is None
    interp = None
    needed: list[str] = []
    rpath: list[str] = []
    runpath: list[str] = []
    soname = None
    if debug_only:
        kind, kind_ev, reason = "unknown", [], debug_only
        libc, libc_ev = "unknown", [debug_only]
    else:
        for seg in segments(elf, "PT_INTERP"):
            interp = seg.get_interp_name()
            break
        needed, rpath, runpath, soname, flags_1, has_dynamic = read_dynamic(elf)
        kind, kind_ev, reason = classify(h.e_type, interp, flags_1, soname, needed, h.e_entry,
                                         has_dynamic, lambda: exported_symbols(elf))
        names: set[str] | None = None
        if not interp and not needed:  # only static-looking objects need symbol evidence
            table = symtab or section_named(elf, ".dynsym")
            if isinstance(table, SymbolTableSection):
                names = {s.name for s in table.iter_symbols() if s.name}
        libc, libc_ev = detect_libc(elf, f, machine, interp, needed, soname, names,
                                    "symbol table" if symtab else "dynamic symbol table")
    return Linkage(
        path=p, size=size, elf_class=f"ELF{elf.elfclass}",
        endian="little" if elf.little_endian else "big", machine=machine, kind=kind, libc=libc,
        libc_evidence=libc_ev, interpreter=interp, needed=needed, rpath=rpath, runpath=runpath,
        stripped=stripped, reason=reason, soname=soname, kind_evidence=kind_ev, e_flags=h.e_flags,
    )


def iter_elf_files(paths: Iterable[str]) -> Iterator[str]:
    """The regular files among ``paths`` that start with the ELF magic (helper for sweeps)."""
    for p in paths:
        try:
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as fh:
                    if fh.read(4) == ELF_MAGIC:
                        yield p
        except OSError:
            continue
