"""Bounded access to ELF headers, and shims that read pyelftools' headers without building objects.

The shims (``_shdrs``, ``_phdrs``, ``section_named``) call three pyelftools private methods for speed,
and only here. Each falls back to the public API (``iter_sections``/``get_section``/``iter_segments``)
when the private method is gone, so a pyelftools upgrade makes inspection slower, not broken.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

from elftools.common.exceptions import ELFError, ELFParseError
from elftools.construct.core import ConstructError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from ...errors import ElfError

ELF_MAGIC = b"\x7fELF"
# Everything pyelftools (and the construct library under it) raises on malformed input.
# AssertionError: Dynamic._get_stringtable(), which iter_tags() and DynamicSegment.get_symbol() call,
# asserts it found a string table; it has none when .dynamic's sh_link names an SHT_NULL or
# SHT_NOBITS section, or, without section headers, when no PT_LOAD maps DT_STRTAB and there is no
# .dynstr. (Under python -O that assert is skipped and such files raise AttributeError instead.)
# TypeError and AttributeError are left out on purpose: no malformed input made pyelftools raise
# them (benchmarks/perf/fuzz_elf.py, 40,000 inputs), so here they mean a bug in this package.
PARSE_ERRORS = (ELFError, ELFParseError, ConstructError, struct.error, ValueError, IndexError,
                KeyError, EOFError, OverflowError, AssertionError, OSError)

_MACHINES = {
    "EM_X86_64": "x86_64", "EM_386": "i386", "EM_AARCH64": "aarch64", "EM_ARM": "arm",
    "EM_PPC": "ppc", "EM_MIPS": "mips", "EM_SPARCV9": "sparc64", "EM_SPARC": "sparc",
    "EM_IA_64": "ia64", "EM_M68K": "m68k", "EM_SH": "sh", "EM_ALPHA": "alpha",
}

def machine_name(elf: ELFFile) -> str:
    raw = elf.header.e_machine
    bits64 = elf.elfclass == 64
    if raw == "EM_RISCV":
        return "riscv64" if bits64 else "riscv32"
    if raw == "EM_PPC64":
        return "ppc64le" if elf.little_endian else "ppc64"
    if raw == "EM_S390":
        return "s390x" if bits64 else "s390"
    if raw == "EM_LOONGARCH":
        return "loongarch64" if bits64 else "loongarch32"
    return _MACHINES.get(raw, str(raw))


def _shdrs(elf: ELFFile) -> Iterator[Any]:
    """Section *headers* only. iter_sections() builds every section object, and a GNU hash section
    parses its whole table when built: that was half of inspect()'s time on /usr/lib."""
    try:
        # private: parses one section header, without building the section object (speed).
        header = elf._get_section_header
    except AttributeError:  # gone in a newer pyelftools: build the sections after all
        for sec in elf.iter_sections():
            yield sec.header
        return
    for i in range(elf.num_sections()):
        yield header(i)


def _phdrs(elf: ELFFile) -> Iterator[Any]:
    try:
        # private: parses one program header, without building the segment object (speed).
        header = elf._get_segment_header
    except AttributeError:  # gone in a newer pyelftools: build the segments after all
        for seg in elf.iter_segments():
            yield seg.header
        return
    for i in range(elf.num_segments()):
        yield header(i)


def _sections(elf: ELFFile, type: str) -> Iterator[Any]:
    """Like iter_sections(type=...), but builds only the sections of that type."""
    for i, h in enumerate(_shdrs(elf)):
        if h["sh_type"] == type:
            yield elf.get_section(i)


def section_named(elf: ELFFile, name: str) -> Any:
    """get_section_by_name() without pyelftools' name map, which builds every section object."""
    try:
        # private: a header's name from the section-name string table, without building the section.
        name_of = elf._get_section_name
    except AttributeError:  # gone in a newer pyelftools: build the sections (first match, as below)
        return next((sec for sec in elf.iter_sections() if sec.name == name), None)
    for i, h in enumerate(_shdrs(elf)):
        if name_of(h) == name:
            return elf.get_section(i)
    return None


def segments(elf: ELFFile, type: str) -> Iterator[Any]:
    """Like iter_segments(type=...), but builds only the segments of that type (a PT_DYNAMIC
    segment scans its table when built)."""
    for i, h in enumerate(_phdrs(elf)):
        if h["p_type"] == type:
            yield elf.get_segment(i)


def check_bounds(p: str, elf: ELFFile, size: int) -> str | None:
    """Raise ElfError if headers or contents lie past EOF; return a reason for debug-only files."""
    h = elf.header
    if h.e_phnum and h.e_phoff + h.e_phnum * h.e_phentsize > size:
        raise ElfError(f"{p}: truncated ELF file: {size} bytes, program headers end at "
                       f"{h.e_phoff + h.e_phnum * h.e_phentsize}")
    nsec = elf.num_sections() if h.e_shoff else 0
    if nsec and h.e_shoff + nsec * h.e_shentsize > size:
        raise ElfError(f"{p}: truncated ELF file: {size} bytes, section headers end at "
                       f"{h.e_shoff + nsec * h.e_shentsize}")
    seg_end = max((s["p_offset"] + s["p_filesz"] for s in _phdrs(elf)), default=0)
    sec_end = max((s["sh_offset"] + s["sh_size"] for s in _shdrs(elf)
                   if s["sh_type"] != "SHT_NOBITS"), default=0)
    if sec_end > size:
        raise ElfError(f"{p}: truncated ELF file: {size} bytes, sections need {sec_end}")
    if seg_end > size:
        raise ElfError(f"{p}: truncated ELF file: {size} bytes, segments need {seg_end}")
    # objcopy --only-keep-debug keeps the headers but turns code and data into NOBITS.
    if nsec and any(s["sh_type"] == "SHT_NOBITS" and s["sh_flags"] & 0x4  # SHF_EXECINSTR
                    for s in _shdrs(elf)):
        return "a separate debug-info file: its code and dynamic table have no contents"
    return None


def _dynamic(elf: ELFFile) -> Any:
    """The dynamic table: the section if there are section headers, else the PT_DYNAMIC segment."""
    for sec in _sections(elf, "SHT_DYNAMIC"):
        return sec
    for seg in segments(elf, "PT_DYNAMIC"):
        return seg if seg["p_filesz"] else None
    return None


def read_dynamic(elf: ELFFile) -> tuple[list[str], list[str], list[str], str | None, int | None, bool]:
    """needed, rpath, runpath, soname, DT_FLAGS_1, has-dynamic."""
    dyn = _dynamic(elf)
    needed: list[str] = []
    rpath: list[str] = []
    runpath: list[str] = []
    soname = None
    flags_1 = None
    if dyn is None:
        return needed, rpath, runpath, soname, flags_1, False
    for tag in dyn.iter_tags():
        t = tag.entry.d_tag
        if t == "DT_NEEDED":
            needed.append(tag.needed)
        elif t == "DT_RPATH":
            rpath.extend(x for x in tag.rpath.split(":") if x)
        elif t == "DT_RUNPATH":
            runpath.extend(x for x in tag.runpath.split(":") if x)
        elif t == "DT_SONAME":
            soname = tag.soname
        elif t == "DT_FLAGS_1":
            flags_1 = tag.entry.d_val
    return needed, rpath, runpath, soname, flags_1, True


def exported_symbols(elf: ELFFile) -> int:
    """How many defined global/weak dynamic symbols the object exports (library evidence)."""
    table = section_named(elf, ".dynsym")
    if not isinstance(table, SymbolTableSection):  # absent, or NOBITS in a debug-info file
        table = _dynamic(elf)
        if table is None or not hasattr(table, "iter_symbols"):
            return 0
    n = 0
    for sym in table.iter_symbols():
        if sym["st_shndx"] != "SHN_UNDEF" and sym["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK"):
            n += 1
    return n


def file_bytes_at(elf: ELFFile, f: BinaryIO, vaddr: int, n: int) -> bytes:
    """Up to ``n`` file bytes at virtual address ``vaddr`` (b"" if no PT_LOAD maps it)."""
    for seg in segments(elf, "PT_LOAD"):
        start = seg["p_vaddr"]
        if start <= vaddr < start + seg["p_filesz"]:
            f.seek(seg["p_offset"] + vaddr - start)
            return f.read(min(n, start + seg["p_filesz"] - vaddr))
    return b""


def header_key(host: str) -> tuple[int, int, int] | None:
    """(class, data, e_machine) from a file's ELF header, or None if it is not ELF."""
    try:
        with open(host, "rb") as fh:
            b = fh.read(20)
    except OSError:
        return None
    if len(b) < 20 or b[:4] != ELF_MAGIC or b[5] not in (1, 2):
        return None
    return b[4], b[5], struct.unpack("<H" if b[5] == 1 else ">H", b[18:20])[0]

