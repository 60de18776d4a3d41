"""libc evidence: glibc, musl or none, from the loader name, the dynamic table, or static markers."""
from __future__ import annotations

import mmap
import os
import posixpath
import re
from typing import BinaryIO

from elftools.elf.elffile import ELFFile

from .read import file_bytes_at, segments

__all__ = ["MUSL_INTERP", "detect_libc"]

_GLIBC_INTERP = re.compile(r"^(ld-linux[-\w.]*\.so\.\d+|ld64\.so\.\d+|ld\.so\.1)$")
MUSL_INTERP = re.compile(r"^ld-musl-([\w-]+)\.so\.1$")
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


def _static_markers(elf: ELFFile, f: BinaryIO, machine: str, symtab_names: set[str] | None,
                    table: str) -> tuple[list[str], list[str], list[str], str | None]:
    """glibc evidence, musl evidence, no-libc evidence, and the libc whose _start is at e_entry."""
    glibc: list[str] = []
    musl: list[str] = []
    none: list[str] = []
    for seg in segments(elf, "PT_NOTE"):
        for note in seg.iter_notes():
            if note["n_name"] == "GNU" and note["n_type"] == "NT_GNU_ABI_TAG":
                glibc.append("NT_GNU_ABI_TAG note (.note.ABI-tag, from glibc's crt1.o)")
            elif note["n_name"] == "Go":
                none.append("Go build-id note (Go runtime, no libc)")
    start_of = None
    if machine == "x86_64" and elf.elfclass == 64 and elf.header.e_entry:
        code = file_bytes_at(elf, f, elf.header.e_entry, 32)
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


def detect_libc(elf: ELFFile, f: BinaryIO, machine: str, interp: str | None, needed: list[str],
                soname: str | None, symtab_names: set[str] | None,
                table: str = "symbol table") -> tuple[str, list[str]]:
    """libc, evidence (strongest first: see the package docstring)."""
    if interp:
        base = posixpath.basename(interp)
        if MUSL_INTERP.match(base):
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
    if soname and (MUSL_INTERP.match(soname) or soname.startswith("libc.musl-")):
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
