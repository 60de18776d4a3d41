"""Fuzz elf.inspect (+ the ldd-style resolver) with mutated real binaries and crafted foreign ELF headers.

    .venv/bin/python benchmarks/perf/fuzz_elf.py [N=100000] [--seed S] [--json]

Seeds: binaries built here with gcc and musl-gcc (dynamic, static, static-pie, shared library, musl
dynamic) plus crafted headers for other classes, byte orders and machines. Each input is a seed with
one mutation: bit flips, truncation at a header/table boundary, random bytes in the program or section
header table, an extreme value in one ELF-header field, or random bytes anywhere; plus non-ELF files.
Prints the count of each outcome. A ``crash:*`` outcome (any exception other than ElfError) or a
``slow`` one (> 2 s for one file) is a bug; tests/test_fuzz_elf.py runs a bounded version in CI.
"""
from __future__ import annotations

import argparse
import collections
import json
import random
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from livebench.errors import ElfError
from livebench.run import elf

SLOW_SECONDS = 2.0
C_HELLO = '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n'
C_LIB = "int lb_fuzz(int x) { return x + 1; }\n"

# (name, class 1|2, data 1=LE|2=BE, e_machine, e_type, interpreter)
FOREIGN = [
    ("i386-dyn", 1, 1, 3, 2, b"/lib/ld-linux.so.2"),
    ("arm-dyn", 1, 1, 40, 2, b"/lib/ld-linux-armhf.so.3"),
    ("mips-be-static", 1, 2, 8, 2, None),
    ("m68k-be", 1, 2, 4, 2, b"/lib/ld.so.1"),
    ("ppc64-be-dyn", 2, 2, 21, 3, b"/lib64/ld64.so.1"),
    ("s390x-be-static", 2, 2, 22, 2, None),
    ("aarch64-musl", 2, 1, 183, 3, b"/lib/ld-musl-aarch64.so.1"),
    ("riscv64-dyn", 2, 1, 243, 3, b"/lib/ld-linux-riscv64-lp64d.so.1"),
    ("sparc64-be", 2, 2, 43, 2, None),
    ("unknown-machine", 2, 1, 0x7A7A, 2, b"/lib/ld-whatever.so.1"),
    ("x86_64-core", 2, 1, 62, 4, None),
]


def craft(cls: int, data: int, machine: int, e_type: int, interp: bytes | None) -> bytes:
    """A minimal ELF: header, PT_LOAD (+ PT_INTERP), no sections."""
    e = "<" if data == 1 else ">"
    ehsize, phentsize = (52, 32) if cls == 1 else (64, 56)
    phnum = 2 if interp else 1
    phoff = ehsize
    body_off = phoff + phnum * phentsize
    interp_bytes = (interp + b"\0") if interp else b""
    total = body_off + len(interp_bytes) + 16
    ident = b"\x7fELF" + bytes([cls, data, 1, 0]) + bytes(8)
    if cls == 1:
        header = ident + struct.pack(e + "HHIIIIIHHHHHH", e_type, machine, 1, 0x10000 + body_off, phoff, 0, 0,
                                     ehsize, phentsize, phnum, 40, 0, 0)
        ph = lambda t, off, sz: struct.pack(e + "IIIIIIII", t, off, 0x10000 + off, 0x10000 + off, sz, sz, 5, 0x1000)
    else:
        header = ident + struct.pack(e + "HHIQQQIHHHHHH", e_type, machine, 1, 0x10000 + body_off, phoff, 0, 0,
                                     ehsize, phentsize, phnum, 64, 0, 0)
        ph = lambda t, off, sz: struct.pack(e + "IIQQQQQQ", t, 5, off, 0x10000 + off, 0x10000 + off, sz, sz, 0x1000)
    phdrs = ph(1, 0, total)
    if interp:
        phdrs += ph(3, body_off, len(interp_bytes))
    return header + phdrs + interp_bytes + bytes(16)


def build_seeds(work: Path) -> dict[str, bytes]:
    """Real binaries from the compilers on this machine, plus crafted foreign ones."""
    (work / "hello.c").write_text(C_HELLO)
    (work / "lib.c").write_text(C_LIB)
    recipes = {
        "gcc-dynamic": ["gcc", "-O2", "-o", "{out}", "hello.c"],
        "gcc-static": ["gcc", "-O2", "-static", "-o", "{out}", "hello.c"],
        "gcc-static-pie": ["gcc", "-O2", "-static-pie", "-o", "{out}", "hello.c"],
        "gcc-shared": ["gcc", "-O2", "-shared", "-fPIC", "-Wl,-soname,liblbfuzz.so.1", "-Wl,-rpath,$ORIGIN/../lib",
                       "-o", "{out}", "lib.c"],
        "gcc-stripped": ["gcc", "-O2", "-s", "-o", "{out}", "hello.c"],
        "musl-static": ["musl-gcc", "-O2", "-static", "-o", "{out}", "hello.c"],
        "musl-dynamic": ["musl-gcc", "-O2", "-o", "{out}", "hello.c"],
    }
    seeds: dict[str, bytes] = {}
    for name, argv in recipes.items():
        out = work / name
        proc = subprocess.run([a.replace("{out}", str(out)) for a in argv], cwd=work, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"cannot build seed {name}: {' '.join(argv)}: {proc.stderr.strip()} "
                             f"(apt-get install gcc musl-tools)")
        seeds[name] = out.read_bytes()
    for name, *args in FOREIGN:
        seeds[name] = craft(*args)
    return seeds


def _boundaries(data: bytes) -> list[int]:
    """Offsets where ELF structures start or end: the interesting places to cut a file."""
    cuts = {0, 1, 4, 5, 6, 16, 18, 20, 24, 32, 40, 48, 52, 56, 60, 63, 64, len(data) - 1}
    try:
        if data[4] == 2:
            fmt = ("<" if data[5] == 1 else ">") + "QQIHHHHHH"
            phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, _ = struct.unpack_from(fmt, data, 32)
        else:
            fmt = ("<" if data[5] == 1 else ">") + "IIIHHHHHH"
            phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, _ = struct.unpack_from(fmt, data, 28)
        for i in range(min(phnum, 64) + 1):
            cuts.update((phoff + i * phentsize, phoff + i * phentsize + 8))
        for i in range(min(shnum, 128) + 1):
            cuts.update((shoff + i * shentsize, shoff + i * shentsize + 8))
    except (struct.error, IndexError):
        pass
    return sorted(c for c in cuts if 0 <= c < len(data))


def _table(data: bytes, which: str) -> tuple[int, int]:
    """(offset, byte length) of the program or section header table, if the header says so."""
    try:
        e = "<" if data[5] == 1 else ">"
        if data[4] == 2:
            phoff, shoff = struct.unpack_from(e + "QQ", data, 32)
            phentsize, phnum, shentsize, shnum = struct.unpack_from(e + "HHHH", data, 54)
        else:
            phoff, shoff = struct.unpack_from(e + "II", data, 28)
            phentsize, phnum, shentsize, shnum = struct.unpack_from(e + "HHHH", data, 42)
    except (struct.error, IndexError):
        return 0, 0
    return (phoff, phentsize * phnum) if which == "ph" else (shoff, shentsize * shnum)


EXTREMES = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 2**63 - 1, 2**64 - 1]
# Header fields (offset in ELF64, offset in ELF32, size64, size32)
FIELDS = {"e_type": (16, 16, 2, 2), "e_machine": (18, 18, 2, 2), "e_entry": (24, 24, 8, 4), "e_phoff": (32, 28, 8, 4),
          "e_shoff": (40, 32, 8, 4), "e_phentsize": (54, 42, 2, 2), "e_phnum": (56, 44, 2, 2),
          "e_shentsize": (58, 46, 2, 2), "e_shnum": (60, 48, 2, 2), "e_shstrndx": (62, 50, 2, 2),
          "ei_class": (4, 4, 1, 1), "ei_data": (5, 5, 1, 1)}


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    b = bytearray(data)
    op = rng.choice(["bitflip", "bitflip-head", "truncate", "ph-random", "sh-random", "field", "splat", "append"])
    if op in ("bitflip", "bitflip-head"):
        limit = len(b) if op == "bitflip" else min(len(b), 4096)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(limit)
            b[i] ^= 1 << rng.randrange(8)
    elif op == "truncate":
        return op, bytes(b[:rng.choice(_boundaries(data))])
    elif op in ("ph-random", "sh-random"):
        off, length = _table(data, op[:2])
        if length <= 0 or off >= len(b):
            off, length = 0, min(len(b), 64)
        for _ in range(rng.randint(1, 4)):
            i = off + rng.randrange(max(1, min(length, len(b) - off)))
            n = rng.choice([1, 2, 4, 8])
            b[i:i + n] = rng.randbytes(n)[:max(0, len(b) - i)]
    elif op == "field":
        name = rng.choice(sorted(FIELDS))
        o64, o32, s64, s32 = FIELDS[name]
        off, size = (o64, s64) if b[4] == 2 else (o32, s32)
        value = rng.choice(EXTREMES + [rng.getrandbits(size * 8)]) % (1 << (size * 8))
        b[off:off + size] = value.to_bytes(size, "little" if b[5] != 2 else "big")
        op = f"field:{name}"
    elif op == "splat":
        i = rng.randrange(len(b))
        n = rng.randint(1, 256)
        b[i:i + n] = rng.randbytes(n)[:len(b) - i]
    else:
        b += rng.randbytes(rng.randint(1, 4096))
    return op, bytes(b)


NON_ELF: list[tuple[str, bytes]] = [
    ("empty", b""), ("magic-only", b"\x7fELF"), ("script", b"#!/bin/sh\necho hi\n"), ("text", b"hello world\n" * 10),
    ("zeros", bytes(4096)), ("pe", b"MZ" + bytes(200)), ("macho", b"\xcf\xfa\xed\xfe" + bytes(200)),
    ("bad-class", b"\x7fELF\x03\x01\x01" + bytes(60)), ("bad-data", b"\x7fELF\x02\x03\x01" + bytes(60)),
    ("elf-header-only-64", b"\x7fELF\x02\x01\x01" + bytes(57)),
    ("elf-header-only-32", b"\x7fELF\x01\x01\x01" + bytes(45)),
]


def inputs(seeds: dict[str, bytes], n: int, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """``n`` inputs: every non-ELF file and unmutated seed once, then mutants."""
    fixed = NON_ELF + [(f"seed:{k}", v) for k, v in seeds.items()]
    yield from fixed[:n]
    names = sorted(seeds)
    for _ in range(max(0, n - len(fixed))):
        name = rng.choice(names)
        op, data = mutate(seeds[name], rng)
        yield f"{op}:{name}", data


def outcome(path: Path, resolve_root: str | None = "/") -> tuple[str, str]:
    """('linkage:KIND/LIBC' | 'error:CLASS' | 'crash:Exc' | 'slow', detail)."""
    started = time.monotonic()
    try:
        link = elf.inspect(path)
        assert link.kind in ("static", "static-pie", "dynamic", "shared-library", "unknown"), link.kind
        assert link.libc in ("glibc", "musl", "none", "unknown"), link.libc
        assert link.kind != "unknown" or link.reason, "kind unknown without a reason"
        json.dumps(link.to_dict())
        if resolve_root is not None:
            elf.ldd_text(link, resolve_root)
        result = (f"linkage:{link.kind}/{link.libc}", "")
    except ElfError as e:
        msg = str(e)
        assert str(path) in msg, f"ElfError without the path: {msg}"
        cls = ("not-elf" if "not an ELF" in msg else "truncated" if "truncated" in msg else
               "corrupt" if "corrupt" in msg else "other")
        result = (f"error:{cls}", msg)
    except Exception as e:
        result = (f"crash:{type(e).__name__}", traceback.format_exc())
    if time.monotonic() - started > SLOW_SECONDS:
        return "slow", f"{time.monotonic() - started:.1f} s"
    return result


def run(n: int, seed: int, work: Path, on_input: Callable[[str, Path, str, str], None] | None = None,
        resolve_every: int = 10) -> collections.Counter:
    seeds = build_seeds(work)
    rng = random.Random(seed)
    counts: collections.Counter = collections.Counter()
    f = work / "input.bin"
    for i, (label, data) in enumerate(inputs(seeds, n, rng)):
        f.write_bytes(data)
        kind, detail = outcome(f, "/" if i % resolve_every == 0 else None)
        counts[kind] += 1
        if on_input:
            on_input(label, f, kind, detail)
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    bugs: list[tuple[str, str, str]] = []
    bug_dir = Path("test-artifacts/fuzz-elf")

    def keep(label: str, path: Path, kind: str, detail: str) -> None:
        if kind.startswith("crash") or kind == "slow":
            bug_dir.mkdir(parents=True, exist_ok=True)
            dest = bug_dir / f"{len(bugs):04d}-{label.replace(':', '_')}"
            dest.write_bytes(path.read_bytes())
            bugs.append((label, kind, detail.strip().splitlines()[-1] if detail.strip() else ""))

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lb-fuzz-elf-") as tmp:
        counts = run(args.n, args.seed, Path(tmp), keep)
    seconds = time.monotonic() - started
    if args.json:
        print(json.dumps({"inputs": args.n, "seed": args.seed, "seconds": round(seconds, 1),
                          "outcomes": dict(sorted(counts.items())), "bugs": len(bugs)}, indent=2))
    else:
        print(f"{args.n:,} inputs (seed {args.seed}) in {seconds:.1f} s")
        for kind, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {kind:<32} {c:>8,}")
        for label, kind, last in bugs[:20]:
            print(f"BUG {kind} on {label}: {last}")
        if bugs:
            print(f"{len(bugs)} bug input(s) kept in {bug_dir}/")
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
