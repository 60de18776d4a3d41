"""(d) `livebench inspect` throughput: binaries per second over a few hundred real ELF files.

Files: regular ELF files (no symlinks, by magic) from /usr/bin and /usr/lib/x86_64-linux-gnu/*.so*,
sorted, the first --count. Variants, alternated:
- in-process: ``elf.inspect(path)`` + ``elf.resolve(linkage, "/")`` for each (what a build's
  inspection costs inside a run);
- CLI: one ``livebench inspect --json PATH...`` call over all of them (process start included).

    .venv/bin/python benchmarks/perf/inspect_throughput.py [--rounds 5] [--count 300]
"""
from __future__ import annotations

import argparse
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, VENV_BIN, alternate, median, report, run
from livebench.errors import ElfError
from livebench.run import elf
from livebench.run.elf.resolve import clear_memo


def elf_files(count: int) -> list[str]:
    out = []
    for path in sorted(glob.glob("/usr/bin/*")) + sorted(glob.glob("/usr/lib/x86_64-linux-gnu/*.so*")):
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as fh:
                if fh.read(4) != b"\x7fELF":
                    continue
        except OSError:
            continue
        out.append(path)
    # every other file, so both folders are represented when count is small
    picked = out[::max(1, len(out) // count)][:count]
    return picked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    paths = elf_files(args.count)
    errors = {"n": 0}

    def in_process() -> None:
        for p in paths:
            try:
                elf.resolve(elf.inspect(p), "/")
            except ElfError:
                errors["n"] += 1

    def cli() -> None:
        run([str(VENV_BIN / "livebench"), "inspect", "--json", *paths], cwd=ROOT,
            env={**os.environ, "LIVEBENCH_PERF": "1"})

    def cold_memo() -> None:  # each round starts without the library memo, like a new process
        clear_memo()

    times = alternate({"in-process inspect+resolve": in_process, "CLI inspect --json": cli}, args.rounds, warmup=1,
                      prepare={"in-process inspect+resolve": cold_memo})
    rates = {k: len(paths) / median(v) for k, v in times.items()}
    for k, v in rates.items():
        print(f"{k}: {v:,.0f} binaries/s")
    report("inspect_throughput", f"livebench inspect over {len(paths)} ELF files (seconds per batch)", times,
           {"cli/in-process": median(times["CLI inspect --json"]) / median(times["in-process inspect+resolve"])},
           save=not args.no_save,
           extra={"rounds": args.rounds, "files": len(paths), "errors": errors["n"],
                  "binaries_per_second": {k: round(v, 1) for k, v in rates.items()},
                  "total_bytes": sum(os.path.getsize(p) for p in paths)})


if __name__ == "__main__":
    main()
