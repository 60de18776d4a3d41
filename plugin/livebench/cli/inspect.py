"""``livebench inspect [--root DIR] [--json] PATH...``: linkage of ELF files, read, never run."""
from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from ..errors import ElfError
from ..run.elf import Linkage, inspect, ldd_text


def _text(link: Linkage, root: str) -> str:
    """A human summary followed by the ldd-style listing."""
    lines = [
        f"{link.path}:",
        f"  {link.elf_class} {link.endian}-endian {link.machine}, {link.kind}, libc {link.libc}, "
        f"{link.size:,} bytes, {'stripped' if link.stripped else 'not stripped'}",
    ]
    if link.interpreter:
        lines.append(f"  interpreter: {link.interpreter}")
    if link.soname:
        lines.append(f"  soname: {link.soname}")
    if link.needed:
        lines.append(f"  needed: {', '.join(link.needed)}")
    if link.rpath:
        lines.append(f"  rpath: {':'.join(link.rpath)}")
    if link.runpath:
        lines.append(f"  runpath: {':'.join(link.runpath)}")
    if link.kind_evidence:
        lines.append(f"  kind evidence: {'; '.join(link.kind_evidence)}")
    lines.append(f"  libc evidence: {'; '.join(link.libc_evidence) or '-'}")
    if link.reason:
        lines.append(f"  note: {link.reason}")
    where = "" if root == "/" else f" (root {root})"
    lines.append(f"  libraries{where}:")
    return "\n".join(lines) + "\n" + ldd_text(link, root)


def cmd_inspect(paths: list[str], root: str | None, as_json: bool,
                out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Inspect each path; resolve libraries against ``root`` (default: ``/``).

    Returns 0 if every path was inspected, 1 if any failed (the others are still reported).
    JSON: one object for one path, a list for several; failures as ``{"path", "error"}``.
    """
    base = root or "/"
    failed = False
    records: list[dict[str, Any]] = []
    for i, p in enumerate(paths):
        try:
            link = inspect(p, root=base)
        except ElfError as e:
            failed = True
            print(f"livebench inspect: {e}", file=err)
            records.append({"path": p, "error": str(e)})
            continue
        records.append(link.to_dict())
        if not as_json:
            if i:
                out.write("\n")
            out.write(_text(link, base))
    if as_json:
        json.dump(records[0] if len(paths) == 1 else records, out, indent=2)
        out.write("\n")
    return 1 if failed else 0
