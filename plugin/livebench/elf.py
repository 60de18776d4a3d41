"""Linkage inspection of ELF files with pyelftools, and an ldd-style listing against a root.

Nothing here executes the inspected file (``ldd`` does: it runs the binary's loader). Everything
is read from the file: the ELF header, program headers (PT_INTERP, PT_DYNAMIC, PT_NOTE), the
dynamic section and, for static binaries, symbols, notes, strings and the entry-point code.

Classification (``Linkage.kind``):

- ``ET_EXEC`` with PT_INTERP, or ``ET_DYN`` with PT_INTERP → ``dynamic``. A file with a PT_INTERP
  is never static, whatever ``ldd`` claims: the kernel refuses to start it when the interpreter is
  missing (Debian's musl-gcc passes ``-dynamic-linker`` even for static-pie links).
  Exception: an ``ET_DYN`` with PT_INTERP *and* DT_SONAME *and* no DF_1_PIE is a runnable
  library (glibc's libc.so.6) → ``shared-library``.
- ``ET_EXEC`` without PT_INTERP → ``static``.
- ``ET_DYN`` without PT_INTERP: DF_1_PIE in DT_FLAGS_1 → ``static-pie`` (binutils ≥ 2.26 and lld
  set it on every PIE). Else DT_SONAME → ``shared-library``. For older linkers that never set
  DF_1_PIE: an object exporting defined dynamic symbols is a library (musl's libc.so has no
  SONAME but exports ~1,700 symbols); one with an entry point, no DT_NEEDED and no exports is a
  ``static-pie``; anything else is a ``shared-library``.
- ``ET_REL``, ``ET_CORE`` and the like → ``unknown`` with a ``reason``.

libc flavour (``Linkage.libc``), strongest evidence first: the interpreter name; DT_NEEDED
(libc.so.6 → glibc, libc.musl-*.so.1 / libc.so → musl); DT_SONAME. For objects without either
(static binaries): glibc's NT_GNU_ABI_TAG note (``.note.ABI-tag``, from glibc's crt1.o; it lives
in a PT_NOTE segment, so it survives ``strip``), the x86-64 ``_start`` code of each libc (read at
``e_entry``; survives any stripping), characteristic symbols when a ``.symtab`` is present, and
characteristic strings (glibc's ``GLIBC_TUNABLES``; musl's ``No error information``). Go
binaries (no libc) → ``none``.
"""
from __future__ import annotations

import fnmatch
import mmap
import os
import posixpath
import re
import stat
import struct
from collections import deque
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from elftools.common.exceptions import ELFError, ELFParseError
from elftools.construct.core import ConstructError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from livebench.errors import ElfError

__all__ = ["DF_1_PIE", "Linkage", "LddEntry", "inspect", "resolve", "ldd_text", "iter_elf_files"]

DF_1_PIE = 0x08000000
_ELF_MAGIC = b"\x7fELF"
# Everything pyelftools (and the construct library under it) raises on malformed input.
_PARSE_ERRORS = (ELFError, ELFParseError, ConstructError, struct.error, ValueError, IndexError,
                 KeyError, TypeError, AttributeError, EOFError, OverflowError, AssertionError,
                 OSError)

_MACHINES = {
    "EM_X86_64": "x86_64", "EM_386": "i386", "EM_AARCH64": "aarch64", "EM_ARM": "arm",
    "EM_PPC": "ppc", "EM_MIPS": "mips", "EM_SPARCV9": "sparc64", "EM_SPARC": "sparc",
    "EM_IA_64": "ia64", "EM_M68K": "m68k", "EM_SH": "sh", "EM_ALPHA": "alpha",
}

_GLIBC_INTERP = re.compile(r"^(ld-linux[-\w.]*\.so\.\d+|ld64\.so\.\d+|ld\.so\.1)$")
_MUSL_INTERP = re.compile(r"^ld-musl-([\w-]+)\.so\.1$")
_GLIBC_NEEDED = {"libc.so.6", "libc.so.6.1", "libm.so.6", "libpthread.so.0", "libdl.so.2",
                 "librt.so.1"}
_MUSL_NEEDED = re.compile(r"^(libc\.musl-[\w-]+\.so\.1|ld-musl-[\w-]+\.so\.1|libc\.so)$")
# Symbols only one libc defines (checked only when a .symtab exists).
_GLIBC_SYMBOLS = ("__libc_start_call_main", "_IO_stdin_used", "__libc_setup_tls",
                  "_dl_relocate_static_pie", "_IO_2_1_stdout_", "_dl_aux_init")
_MUSL_SYMBOLS = ("__init_libc", "__libc_start_init", "libc_start_main_stage2", "__stdio_write",
                 "__stdout_write", "_start_c")
_LIBC_API = ("__libc_start_main", "malloc", "memcpy", "printf", "puts", "write", "exit",
             "__errno_location", "errno")
# Strings that survive stripping: glibc's tunables and fatal-error texts; musl's strerror(0).
_GLIBC_STRINGS = (b"GLIBC_TUNABLES", b"Fatal glibc error")
_MUSL_STRINGS = (b"No error information",)
# _start of each libc on x86-64 (optionally after endbr64). musl: crt_arch.h; glibc: start.S.
_START_X86_64 = (
    ("musl", re.compile(rb"\A(?:\xf3\x0f\x1e\xfa)?\x48\x31\xed\x48\x89\xe7\x48\x8d\x35.{4}"
                        rb"\x48\x83\xe4\xf0\xe8", re.S)),
    ("glibc", re.compile(rb"\A(?:\xf3\x0f\x1e\xfa)?\x31\xed\x49\x89\xd1\x5e\x48\x89\xe2"
                         rb"\x48\x83\xe4\xf0\x50\x54", re.S)),
)
# musl's loader answers these names itself (dynlink.c, "reserved" names).
_MUSL_RESERVED = re.compile(r"^lib(c|pthread|rt|m|dl|util|xnet)\.")
_MUSL_DEFAULT_PATH = ["/lib", "/usr/local/lib", "/usr/lib"]


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


# --------------------------------------------------------------------------- inspection

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
        if head[:4] != _ELF_MAGIC:
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
        except _PARSE_ERRORS as e:
            raise ElfError(f"{p}: corrupt or truncated ELF file ({type(e).__name__}: {e})") from None
    if root is not None:
        link.resolved = {e.name: e.path for e in resolve(link, root) if e.kind != "vdso"}
    return link


def _machine(elf: ELFFile) -> str:
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
    for i in range(elf.num_sections()):
        yield elf._get_section_header(i)


def _phdrs(elf: ELFFile) -> Iterator[Any]:
    for i in range(elf.num_segments()):
        yield elf._get_segment_header(i)


def _sections(elf: ELFFile, type: str) -> Iterator[Any]:
    """Like iter_sections(type=...), but builds only the sections of that type."""
    for i, h in enumerate(_shdrs(elf)):
        if h["sh_type"] == type:
            yield elf.get_section(i)


def _section_named(elf: ELFFile, name: str) -> Any:
    """get_section_by_name() without pyelftools' name map, which builds every section object."""
    for i, h in enumerate(_shdrs(elf)):
        if elf._get_section_name(h) == name:
            return elf.get_section(i)
    return None


def _segments(elf: ELFFile, type: str) -> Iterator[Any]:
    """Like iter_segments(type=...), but builds only the segments of that type (a PT_DYNAMIC
    segment scans its table when built)."""
    for i, h in enumerate(_phdrs(elf)):
        if h["p_type"] == type:
            yield elf.get_segment(i)


def _check_bounds(p: str, elf: ELFFile, size: int) -> str | None:
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
    for seg in _segments(elf, "PT_DYNAMIC"):
        return seg if seg["p_filesz"] else None
    return None


def _read_dynamic(elf: ELFFile) -> tuple[list[str], list[str], list[str], str | None, int | None, bool]:
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


def _exported_symbols(elf: ELFFile) -> int:
    """How many defined global/weak dynamic symbols the object exports (library evidence)."""
    table = _section_named(elf, ".dynsym")
    if not isinstance(table, SymbolTableSection):  # absent, or NOBITS in a debug-info file
        table = _dynamic(elf)
        if table is None or not hasattr(table, "iter_symbols"):
            return 0
    n = 0
    for sym in table.iter_symbols():
        if sym["st_shndx"] != "SHN_UNDEF" and sym["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK"):
            n += 1
    return n


def _classify(e_type: str, interp: str | None, flags_1: int | None, soname: str | None,
              needed: list[str], entry: int, has_dynamic: bool,
              exports: Callable[[], int]) -> tuple[str, list[str], str | None]:
    """kind, kind evidence, reason (see the module docstring for the rules)."""
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


def _file_bytes_at(elf: ELFFile, f: BinaryIO, vaddr: int, n: int) -> bytes:
    for seg in _segments(elf, "PT_LOAD"):
        start = seg["p_vaddr"]
        if start <= vaddr < start + seg["p_filesz"]:
            f.seek(seg["p_offset"] + vaddr - start)
            return f.read(min(n, start + seg["p_filesz"] - vaddr))
    return b""


def _static_markers(elf: ELFFile, f: BinaryIO, machine: str, symtab_names: set[str] | None,
                    table: str) -> tuple[list[str], list[str], list[str], str | None]:
    """glibc evidence, musl evidence, no-libc evidence, and the libc whose _start is at e_entry."""
    glibc: list[str] = []
    musl: list[str] = []
    none: list[str] = []
    for seg in _segments(elf, "PT_NOTE"):
        for note in seg.iter_notes():
            if note["n_name"] == "GNU" and note["n_type"] == "NT_GNU_ABI_TAG":
                glibc.append("NT_GNU_ABI_TAG note (.note.ABI-tag, from glibc's crt1.o)")
            elif note["n_name"] == "Go":
                none.append("Go build-id note (Go runtime, no libc)")
    start_of = None
    if machine == "x86_64" and elf.elfclass == 64 and elf.header.e_entry:
        code = _file_bytes_at(elf, f, elf.header.e_entry, 32)
        for libc, pattern in _START_X86_64:
            if pattern.match(code):
                start_of = libc
                (musl if libc == "musl" else glibc).append(f"{libc}'s x86-64 _start code at the entry point")
    if symtab_names is not None:
        g = [s for s in _GLIBC_SYMBOLS if s in symtab_names]
        m = [s for s in _MUSL_SYMBOLS if s in symtab_names]
        if g:
            glibc.append("glibc symbols: " + ", ".join(g))
        if m:
            musl.append("musl symbols: " + ", ".join(m))
        if not g and not m and not any(s in symtab_names for s in _LIBC_API):
            none.append(f"{table} names no libc function")
    f.seek(0, os.SEEK_END)
    if f.tell():
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            for s in _GLIBC_STRINGS:
                if mm.find(s) >= 0:
                    glibc.append(f"string {s.decode()!r}")
            for s in _MUSL_STRINGS:
                if mm.find(s) >= 0:
                    musl.append(f"string {s.decode()!r} (musl's strerror)")
            if not none and mm.find(b"\xff Go buildinf:") >= 0:
                none.append("Go build info (Go runtime, no libc)")
    return glibc, musl, none, start_of


def _detect_libc(elf: ELFFile, f: BinaryIO, machine: str, interp: str | None, needed: list[str],
                 soname: str | None, symtab_names: set[str] | None,
                 table: str = "symbol table") -> tuple[str, list[str]]:
    if interp:
        base = posixpath.basename(interp)
        if _MUSL_INTERP.match(base):
            return "musl", [f"PT_INTERP {interp} (musl's loader)"]
        if _GLIBC_INTERP.match(base):
            ev = [f"PT_INTERP {interp} (glibc's loader)"]
            ev += [f"DT_NEEDED {n}" for n in needed if n in _GLIBC_NEEDED][:1]
            return "glibc", ev
        return "unknown", [f"PT_INTERP {interp} is neither glibc's nor musl's loader"]
    g = [f"DT_NEEDED {n}" for n in needed if n in _GLIBC_NEEDED]
    m = [f"DT_NEEDED {n}" for n in needed if _MUSL_NEEDED.match(n)]
    if soname in ("libc.so.6",) or (soname and _GLIBC_INTERP.match(soname)):
        g.append(f"DT_SONAME {soname} (glibc itself)")
    if soname and (_MUSL_INTERP.match(soname) or soname.startswith("libc.musl-")):
        m.append(f"DT_SONAME {soname} (musl itself)")
    if g and not m:
        return "glibc", g
    if m and not g:
        return "musl", m
    if g and m:
        return "unknown", ["conflicting: " + "; ".join(g + m)]
    if needed:
        return "unknown", ["no libc among DT_NEEDED (" + ", ".join(needed) + ")"]
    glibc, musl, none, start_of = _static_markers(elf, f, machine, symtab_names, table)
    if glibc and musl:
        if start_of:  # the code that runs first settles it
            other = musl if start_of == "glibc" else glibc
            ev = glibc if start_of == "glibc" else musl
            return start_of, ev + ["conflicting: " + "; ".join(other)]
        return "unknown", ["conflicting: " + "; ".join(glibc + musl)]
    if glibc:
        return "glibc", glibc
    if musl:
        return "musl", musl
    if none:
        return "none", none
    return "unknown", ["no libc markers found"]


def _inspect_open(p: str, f: BinaryIO, elf: ELFFile, size: int) -> Linkage:
    debug_only = _check_bounds(p, elf, size)
    h = elf.header
    machine = _machine(elf)
    symtab = _section_named(elf, ".symtab")
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
        for seg in _segments(elf, "PT_INTERP"):
            interp = seg.get_interp_name()
            break
        needed, rpath, runpath, soname, flags_1, has_dynamic = _read_dynamic(elf)
        kind, kind_ev, reason = _classify(h.e_type, interp, flags_1, soname, needed, h.e_entry,
                                          has_dynamic, lambda: _exported_symbols(elf))
        names: set[str] | None = None
        if not interp and not needed:  # only static-looking objects need symbol evidence
            table = symtab or _section_named(elf, ".dynsym")
            if isinstance(table, SymbolTableSection):
                names = {s.name for s in table.iter_symbols() if s.name}
        libc, libc_ev = _detect_libc(elf, f, machine, interp, needed, soname, names,
                                     "symbol table" if symtab else "dynamic symbol table")
    return Linkage(
        path=p, size=size, elf_class=f"ELF{elf.elfclass}",
        endian="little" if elf.little_endian else "big", machine=machine, kind=kind, libc=libc,
        libc_evidence=libc_ev, interpreter=interp, needed=needed, rpath=rpath, runpath=runpath,
        stripped=stripped, reason=reason, soname=soname, kind_evidence=kind_ev, e_flags=h.e_flags,
    )


# --------------------------------------------------------------------------- resolution

class _Root:
    """Path lookups confined to a folder used as ``/``: symlinks never lead outside it."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)

    def host(self, vpath: str) -> str:
        return self.root + vpath if self.root != "/" else vpath

    def follow(self, vpath: str) -> str | None:
        """The in-root path ``vpath`` leads to after symlinks (absolute targets re-rooted)."""
        todo = [c for c in vpath.split("/") if c][::-1]
        done: list[str] = []
        hops = 0
        while todo:
            c = todo.pop()
            if c == ".":
                continue
            if c == "..":
                if done:
                    done.pop()  # ".." at the root stays at the root, like the kernel does
                continue
            cur = "/" + "/".join(done + [c])
            try:
                st = os.lstat(self.host(cur))
            except OSError:
                return None
            if stat.S_ISLNK(st.st_mode):
                hops += 1
                if hops > 40:  # ELOOP
                    return None
                try:
                    target = os.readlink(self.host(cur))
                except OSError:
                    return None
                if target.startswith("/"):
                    done = []
                todo.extend([x for x in target.split("/") if x][::-1])
            else:
                done.append(c)
        return "/" + "/".join(done)

    def is_file(self, vpath: str) -> str | None:
        """The host path of the regular file ``vpath`` leads to, or None."""
        real = self.follow(vpath)
        if real is None:
            return None
        h = self.host(real)
        return h if os.path.isfile(h) else None

    def read_text(self, vpath: str) -> str | None:
        h = self.is_file(vpath)
        if h is None:
            return None
        try:
            with open(h, encoding="utf-8", errors="replace") as fh:
                return fh.read()
        except OSError:
            return None

    def glob(self, pattern: str) -> list[str]:
        """Expand a glob (as ld.so.conf's ``include`` does) inside the root; sorted."""
        paths = ["/"]
        for comp in [c for c in pattern.split("/") if c]:
            nxt: list[str] = []
            for d in paths:
                if any(ch in comp for ch in "*?["):
                    real = self.follow(d)
                    try:
                        names = os.listdir(self.host(real)) if real else []
                    except OSError:
                        names = []
                    nxt += [posixpath.join(d, n) for n in sorted(names) if fnmatch.fnmatchcase(n, comp)]
                else:
                    nxt.append(posixpath.join(d, comp))
            paths = nxt
        return paths


def _header_key(host: str) -> tuple[int, int, int] | None:
    """(class, data, e_machine) from a file's ELF header, or None if it is not ELF."""
    try:
        with open(host, "rb") as fh:
            b = fh.read(20)
    except OSError:
        return None
    if len(b) < 20 or b[:4] != _ELF_MAGIC or b[5] not in (1, 2):
        return None
    return b[4], b[5], struct.unpack("<H" if b[5] == 1 else ">H", b[18:20])[0]


@dataclass
class _Obj:
    """A loaded object during resolution (the executable or a found library)."""

    vpath: str | None  # in-root path it was found at (None: the binary lies outside the root)
    origin: str | None  # what $ORIGIN expands to
    needed: list[str]
    rpath: list[str]
    runpath: list[str]
    soname: str | None = None
    loader: _Obj | None = None


# Resolving hundreds of binaries reads libc & co. hundreds of times: keep each library's dynamic
# table, keyed by its identity and stat (a replaced file is read again).
_DYN_MEMO: dict[tuple, tuple] = {}
_DYN_MEMO_MAX = 4096


def _read_obj(host: str, vpath: str, loader: _Obj | None) -> _Obj:
    try:
        st = os.stat(host)
        key: tuple | None = (host, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    hit = _DYN_MEMO.get(key) if key else None
    if hit is None:
        try:
            with open(host, "rb") as fh:
                needed, rpath, runpath, soname, _, _ = _read_dynamic(ELFFile(fh))
        except _PARSE_ERRORS:
            needed, rpath, runpath, soname = [], [], [], None  # ld.so would fail on it; list it anyway
        hit = (tuple(needed), tuple(rpath), tuple(runpath), soname)
        if key:
            if len(_DYN_MEMO) >= _DYN_MEMO_MAX:
                _DYN_MEMO.clear()
            _DYN_MEMO[key] = hit
    needed, rpath, runpath, soname = (list(hit[0]), list(hit[1]), list(hit[2]), hit[3])
    return _Obj(vpath, posixpath.dirname(vpath), needed, rpath, runpath, soname, loader)


_TRIPLETS = {
    ("x86_64", 64): "x86_64-linux-gnu", ("x86_64", 32): "x86_64-linux-gnux32",
    ("i386", 32): "i386-linux-gnu", ("aarch64", 64): "aarch64-linux-gnu",
    ("riscv64", 64): "riscv64-linux-gnu", ("ppc64le", 64): "powerpc64le-linux-gnu",
    ("ppc64", 64): "powerpc64-linux-gnu", ("ppc", 32): "powerpc-linux-gnu",
    ("s390x", 64): "s390x-linux-gnu", ("loongarch64", 64): "loongarch64-linux-gnu",
    ("sparc64", 64): "sparc64-linux-gnu", ("alpha", 64): "alpha-linux-gnu",
}
# glibc's loader per ABI: ldd loads a library that has no PT_INTERP with this one.
_GLIBC_LOADERS = {
    ("x86_64", 64): "/lib64/ld-linux-x86-64.so.2", ("x86_64", 32): "/libx32/ld-linux-x32.so.2",
    ("i386", 32): "/lib/ld-linux.so.2", ("aarch64", 64): "/lib/ld-linux-aarch64.so.1",
    ("riscv64", 64): "/lib/ld-linux-riscv64-lp64d.so.1", ("ppc64le", 64): "/lib64/ld64.so.2",
    ("ppc64", 64): "/lib64/ld64.so.1", ("s390x", 64): "/lib/ld64.so.1",
}
_PLATFORMS = {"i386": "i686", "arm": "v7l"}
_VDSO = {"i386": "linux-gate.so.1", "ppc64": "linux-vdso64.so.1", "ppc64le": "linux-vdso64.so.1",
         "s390x": "linux-vdso64.so.1", "ppc": "linux-vdso32.so.1"}


class _Resolver:
    """ld.so's search, glibc or musl flavour, inside a root."""

    def __init__(self, link: Linkage, root: _Root) -> None:
        self.link = link
        self.root = root
        self.bits = 64 if link.elf_class == "ELF64" else 32
        self.key = (1 if self.bits == 32 else 2, 1 if link.endian == "little" else 2)
        self.musl = bool(link.interpreter and _MUSL_INTERP.match(posixpath.basename(link.interpreter))) \
            or (link.interpreter is None and link.libc == "musl")
        if link.machine == "arm":  # hard-float ABI flag selects the Debian triplet
            self.triplet: str | None = "arm-linux-gnueabihf" if link.e_flags & 0x400 else "arm-linux-gnueabi"
        elif link.machine == "mips":
            self.triplet = ("mips" if link.endian == "big" else "mipsel") + "-linux-gnu"
        else:
            self.triplet = _TRIPLETS.get((link.machine, self.bits))
        self._sys: list[str] | None = None

    # -- search path pieces
    def _expand(self, entries: list[str], obj: _Obj) -> list[str]:
        out = []
        lib = f"lib/{self.triplet}" if self.triplet else ("lib64" if self.bits == 64 else "lib")
        platform = _PLATFORMS.get(self.link.machine, self.link.machine)
        for e in entries:
            if "$" in e:
                if ("ORIGIN" in e) and obj.origin is None:
                    continue  # the binary is outside the root: $ORIGIN has no place in it
                e = re.sub(r"\$(?:\{ORIGIN\}|ORIGIN\b)", lambda _: obj.origin or "", e)
                if not self.musl:  # musl expands $ORIGIN only
                    e = re.sub(r"\$(?:\{LIB\}|LIB\b)", lambda _: lib, e)
                    e = re.sub(r"\$(?:\{PLATFORM\}|PLATFORM\b)", lambda _: platform, e)
            if e.startswith("/"):  # relative entries are relative to the (unknown) cwd: skipped
                out.append(posixpath.normpath(e))
        return out

    def _ld_so_conf(self) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()

        def parse(vfile: str, depth: int) -> None:
            if depth > 16 or vfile in seen:
                return
            seen.add(vfile)
            text = self.root.read_text(vfile)
            if text is None:
                return
            for line in text.splitlines():
                line = line.split("#", 1)[0].strip()
                if not line or line.startswith("hwcap"):
                    continue
                if line.startswith("include") and line[7:8].isspace():
                    for pat in line[7:].split():
                        if not pat.startswith("/"):
                            pat = posixpath.join(posixpath.dirname(vfile), pat)
                        for vf in self.root.glob(pat):
                            parse(vf, depth + 1)
                    continue
                for d in re.split(r"[:\s,]+", line):
                    d = d.split("=", 1)[0]
                    if d.startswith("/"):
                        out.append(posixpath.normpath(d))

        parse("/etc/ld.so.conf", 0)
        return out

    def system_dirs(self) -> list[str]:
        if self._sys is None:
            if self.musl:
                arch = None
                if self.link.interpreter:
                    m = _MUSL_INTERP.match(posixpath.basename(self.link.interpreter))
                    arch = m.group(1) if m else None
                arch = arch or self.link.machine
                text = self.root.read_text(f"/etc/ld-musl-{arch}.path")
                if text is not None:
                    dirs = [d for d in re.split(r"[:\n]", text) if d.startswith("/")]
                else:
                    dirs = list(_MUSL_DEFAULT_PATH)
            else:
                dirs = self._ld_so_conf()
                if self.triplet:
                    dirs += [f"/lib/{self.triplet}", f"/usr/lib/{self.triplet}"]
                if self.bits == 64:
                    dirs += ["/lib64", "/usr/lib64"]
                dirs += ["/lib", "/usr/lib"]
            self._sys = list(dict.fromkeys(posixpath.normpath(d) for d in dirs))
        return self._sys

    def search_dirs(self, obj: _Obj) -> list[str]:
        dirs: list[str] = []
        if self.musl:
            # musl: RUNPATH replaces RPATH, and every object up the loader chain contributes.
            o: _Obj | None = obj
            while o is not None:
                dirs += self._expand(o.runpath or o.rpath, o)
                o = o.loader
        else:
            # glibc: DT_RPATH of the loader chain, unless the requesting object has a RUNPATH;
            # an object's own RPATH is ignored when it also has a RUNPATH. LD_LIBRARY_PATH: never.
            if not obj.runpath:
                o = obj
                while o is not None:
                    if not o.runpath:
                        dirs += self._expand(o.rpath, o)
                    o = o.loader
            dirs += self._expand(obj.runpath, obj)
        return dirs + self.system_dirs()

    def candidate(self, vpath: str) -> str | None:
        """Host path of vpath if it is an ELF of the binary's class/machine (else ld.so skips it)."""
        host = self.root.is_file(vpath)
        if host is None:
            return None
        key = _header_key(host)
        if key is None or key != (*self.key, self.link.e_machine):
            return None
        return host

    def find(self, name: str, obj: _Obj) -> tuple[str, str] | None:
        if "$" in name and not self.musl:  # glibc expands $ORIGIN etc. in DT_NEEDED too
            expanded = self._expand([name], obj)
            if not expanded:
                return None
            name = expanded[0]
        if "/" in name:
            v = name if name.startswith("/") else "/" + name
            h = self.candidate(posixpath.normpath(v))
            return (posixpath.normpath(v), h) if h else None
        for d in self.search_dirs(obj):
            v = posixpath.join(d, name)
            h = self.candidate(v)
            if h:
                return v, h
        return None


def resolve(linkage: Linkage, root: str = "/", *, origin: str | None = None) -> list[LddEntry]:
    """The ldd-style listing of ``linkage`` against ``root``: transitive, breadth-first, once each.

    Reads files only. ``origin`` is the in-root folder that ``$ORIGIN`` means for the binary;
    by default its own folder when it lies inside ``root`` (else ``$ORIGIN`` entries are skipped).
    Static and static-pie binaries, and unknown kinds, give an empty list.
    """
    if linkage.kind not in ("dynamic", "shared-library"):
        return []
    r = _Root(root)
    res = _Resolver(linkage, r)
    if origin is None:
        real = os.path.realpath(linkage.path)
        if r.root == "/":
            origin = posixpath.dirname(real)
        elif real.startswith(r.root + os.sep):
            origin = posixpath.dirname("/" + os.path.relpath(real, r.root).replace(os.sep, "/"))
    main = _Obj(None, origin, list(linkage.needed), list(linkage.rpath), list(linkage.runpath),
                linkage.soname)

    entries: list[LddEntry] = []
    known: dict[str, str] = {}  # names and sonames already loaded → in-root path
    interp_names: set[str] = set()
    interp_entry = None
    loader = linkage.interpreter
    if loader is None and not res.musl:
        if linkage.machine == "arm":
            loader = "/lib/ld-linux-armhf.so.3" if linkage.e_flags & 0x400 else "/lib/ld-linux.so.3"
        else:
            loader = _GLIBC_LOADERS.get((linkage.machine, res.bits))
    if loader:
        ipath = posixpath.normpath(loader)
        ihost = r.is_file(ipath)
        interp_entry = LddEntry(loader, ipath if ihost else None, "interpreter")
        interp_names.add(posixpath.basename(ipath))
        if ihost:
            iobj = _read_obj(ihost, ipath, None)
            if iobj.soname:
                interp_names.add(iobj.soname)
    # musl's ldd prints its loader first. glibc's rtld puts itself after its predecessor in the
    # breadth-first search list: where first needed, so before the vDSO when it is the very
    # first dependency (libc.so.6), else last if nothing needs it.
    interp_listed = False
    if interp_entry and (res.musl or (linkage.needed and linkage.needed[0] in interp_names)):
        entries.append(interp_entry)
        interp_listed = True
    if not res.musl:
        entries.append(LddEntry(_VDSO.get(linkage.machine, "linux-vdso.so.1"), None, "vdso"))

    listed: set[str] = set()
    queue: deque[_Obj] = deque([main])
    while queue:
        obj = queue.popleft()
        for name in obj.needed:
            if name in listed or name in known:
                continue  # loaded already (by name or soname): ld.so does not load it twice
            listed.add(name)
            if name in interp_names:
                # The loader is already mapped: glibc's ldd lists it where it is first needed.
                if not interp_listed and interp_entry:
                    entries.append(interp_entry)
                    interp_listed = True
                continue
            if res.musl and _MUSL_RESERVED.match(name) and interp_entry:
                entries.append(LddEntry(name, interp_entry.path, "needed"))
                continue
            hit = res.find(name, obj)
            if hit is None:
                entries.append(LddEntry(name, None, "needed"))
                continue
            vpath, host = hit
            entries.append(LddEntry(name, vpath, "needed"))
            child = _read_obj(host, vpath, obj)
            known[name] = vpath
            if child.soname:
                known[child.soname] = vpath
            queue.append(child)
    if interp_entry and not interp_listed and linkage.interpreter:
        # Always shown for the binary's own PT_INTERP (even when nothing needs it by name): a
        # missing interpreter is what makes a binary fail with "No such file or directory".
        entries.append(interp_entry)
    return entries


def ldd_text(linkage: Linkage, root: str = "/") -> str:
    """The listing as ``ldd`` prints it, without load addresses (nothing is loaded or run)."""
    if linkage.kind in ("static", "static-pie"):
        return "\tstatically linked\n"
    if linkage.kind not in ("dynamic", "shared-library"):
        return "\tnot a dynamic executable\n"
    if not linkage.needed and not linkage.interpreter:
        return "\tstatically linked\n"  # what ldd prints for a library without dependencies
    return "".join(e.line() + "\n" for e in resolve(linkage, root))


def iter_elf_files(paths: Iterable[str]) -> Iterator[str]:
    """The regular files among ``paths`` that start with the ELF magic (helper for sweeps)."""
    for p in paths:
        try:
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as fh:
                    if fh.read(4) == _ELF_MAGIC:
                        yield p
        except OSError:
            continue
