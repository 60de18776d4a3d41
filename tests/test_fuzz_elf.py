"""Fuzzing the ELF reader: 2,000 mutated/truncated real binaries, crafted foreign ELF and non-ELF files go
through elf.inspect (+ the ldd-style resolver), and a batch through `livebench inspect`: a Linkage (kind/libc
'unknown' with a reason when broken) or an ElfError naming the file; never another exception, never slow.
The generator is benchmarks/perf/fuzz_elf.py (which runs 100,000 inputs on demand).
"""
from __future__ import annotations

import collections
import importlib.util
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from livebench.errors import ElfError
from livebench.run import elf

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("fuzz_elf", ROOT / "benchmarks" / "perf" / "fuzz_elf.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)  # type: ignore[union-attr]

N = 2000


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    for tool in ("gcc", "musl-gcc"):
        assert shutil.which(tool), f"{tool} is missing: run ./bootstrap.sh (this test never skips)"
    return fuzz.build_seeds(tmp_path_factory.mktemp("seeds"))


def test_seeds_are_read_right(seeds: dict[str, bytes], tmp_path: Path) -> None:
    """The unmutated seeds first: real binaries classified as they are, foreign headers by machine."""
    want = {"gcc-dynamic": ("dynamic", "glibc"), "gcc-static": ("static", "glibc"),
            "gcc-static-pie": ("static-pie", "glibc"), "musl-static": ("static", "musl"),
            "musl-dynamic": ("dynamic", "musl"), "gcc-shared": ("shared-library", None)}
    machines = {"i386-dyn": ("ELF32", "little", "i386"), "mips-be-static": ("ELF32", "big", "mips"),
                "ppc64-be-dyn": ("ELF64", "big", "ppc64"), "aarch64-musl": ("ELF64", "little", "aarch64"),
                "riscv64-dyn": ("ELF64", "little", "riscv64"), "arm-dyn": ("ELF32", "little", "arm")}
    for name, data in seeds.items():
        f = tmp_path / name
        f.write_bytes(data)
        link = elf.inspect(f)
        if name in want:
            kind, libc = want[name]
            assert link.kind == kind and (libc is None or link.libc == libc), (name, link)
        if name in machines:
            assert (link.elf_class, link.endian, link.machine) == machines[name], (name, link)
    assert elf.inspect(tmp_path / "aarch64-musl").libc == "musl"
    assert elf.inspect(tmp_path / "i386-dyn").interpreter == "/lib/ld-linux.so.2"


def test_fuzz_inspect(seeds: dict[str, bytes], tmp_path: Path) -> None:
    rng = random.Random(20260528)
    counts: collections.Counter = collections.Counter()
    bugs: list[str] = []
    f = tmp_path / "input.bin"
    started = time.monotonic()
    for i, (label, data) in enumerate(fuzz.inputs(seeds, N, rng)):
        f.write_bytes(data)
        kind, detail = fuzz.outcome(f, "/" if i % 10 == 0 else None)
        counts[kind] += 1
        if kind.startswith("crash") or kind == "slow":
            keep = tmp_path / f"bug-{len(bugs)}-{label.replace(':', '_')}"
            keep.write_bytes(data)
            bugs.append(f"{label} -> {kind} ({keep}):\n{detail}")
    seconds = time.monotonic() - started
    print(f"{N} inputs in {seconds:.1f} s: {dict(sorted(counts.items()))}")
    assert not bugs, "\n\n".join(bugs[:5])
    assert sum(counts.values()) == N and seconds < 90
    # The mix is meaningful: plenty of each outcome family.
    assert counts["error:not-elf"] >= 10 and counts["error:truncated"] >= 100
    assert sum(v for k, v in counts.items() if k.startswith("linkage:")) >= 200
    assert any(k.startswith("linkage:unknown") or k.endswith("/unknown") for k in counts)


def test_cli_inspect_on_a_batch(seeds: dict[str, bytes], tmp_path: Path) -> None:
    """`livebench inspect --json` over 150 hostile files at once: every one reported, exit 1, no traceback."""
    rng = random.Random(7)
    paths = []
    for i, (label, data) in enumerate(fuzz.inputs(seeds, 150, rng)):
        p = tmp_path / f"{i:03d}-{label.replace(':', '_').replace('/', '_')}"
        p.write_bytes(data)
        paths.append(str(p))
    weird = tmp_path / "<b>odd name<i>\n.so"
    weird.write_bytes(seeds["gcc-shared"])
    paths += [str(weird), str(tmp_path / "does-not-exist"), str(tmp_path)]
    proc = subprocess.run([sys.executable, "-m", "livebench.cli", "inspect", "--json", *paths],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    records = json.loads(proc.stdout)
    assert [r["path"] for r in records] == paths
    errors = [r for r in records if "error" in r]
    assert errors and all(r["path"] in r["error"] for r in errors)
    assert records[-3]["kind"] == "shared-library"  # an odd file name is just a name
    assert "does-not-exist: cannot read" in records[-2]["error"] and "is a directory" in records[-1]["error"]
    # text mode too
    proc = subprocess.run([sys.executable, "-m", "livebench.cli", "inspect", *paths[:40]],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr[-3000:]


def test_unreadable_and_special_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    import os

    os.mkfifo(fifo)
    for p in (Path("/dev/null"), tmp_path / "missing"):
        with pytest.raises(ElfError) as err:
            elf.inspect(p)
        assert str(p) in str(err.value)
    # A FIFO would block a naive open(); the reader must refuse it without waiting for a writer.
    proc = subprocess.run([sys.executable, "-c", f"from livebench.run import elf\ntry:\n elf.inspect({str(fifo)!r})\n"
                           f"except Exception as e: print(type(e).__name__, e)"], capture_output=True, text=True,
                          timeout=20)
    assert "ElfError" in proc.stdout and str(fifo) in proc.stdout, proc
