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

Modules: ``model`` (Linkage, LddEntry), ``read`` (bounded header access, pyelftools shims),
``classify`` (the kind rules), ``libc`` (libc evidence), ``inspect`` (inspect, iter_elf_files),
``root`` (lookups confined to a root) and ``resolve`` (ld.so emulation: resolve, ldd_text).
As attributes of this package, ``inspect`` and ``resolve`` are the functions, not the modules: reach
a module's other names with ``from livebench.run.elf.resolve import clear_memo``.
"""
from __future__ import annotations

from .classify import DF_1_PIE
from .inspect import inspect, iter_elf_files
from .model import LddEntry, Linkage
from .resolve import ldd_text, resolve

__all__ = ["DF_1_PIE", "Linkage", "LddEntry", "inspect", "resolve", "ldd_text", "iter_elf_files"]
