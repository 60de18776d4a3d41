"""(b) A cold `livebench run` vs the same builds run by a plain shell script, both with 2 jobs.

Spec: benchmarks/perf/cold.yml (the demo's C and Rust hello builds, not slice). Cold: a fresh
--cache-dir each round for livebench (so fresh LIVEBENCH_WORK and CARGO_TARGET_DIR folders), and a
fresh scratch folder for cold_plain.sh (same commands, same env, same fresh CARGO_TARGET_DIRs).
The musl target's std is made once beforehand (or the demo site's is used), as `rustup target add` would
be, and both get its cargo variables.
What livebench adds on top: tool version commands, input hashing, provenance, copying and hashing
artifacts into the cache, ELF inspection, the record.

    .venv/bin/python benchmarks/perf/runs_cold.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, VENV_BIN, alternate, median, report, run, temp_dir
from livebench.cli.toolchain import default_dest
from livebench.run.steps import read_exports

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = "x86_64-unknown-linux-musl"


def musl_target(tmp) -> dict[str, str]:
    """The cargo variables of the musl target's std, as the demo's `musl-rust` step hands them to its
    builds: the std the demo site made (in the project's cache), else one made now, before any round.
    Both variants get them, so neither times the std's build."""
    kept = default_dest(ROOT / ".livebench-cache", TARGET)
    dest = kept if (kept / ".stamp").is_file() else tmp / "toolchain"
    if dest != kept:
        run([str(VENV_BIN / "livebench"), "rust-target", "add", TARGET, "--dest", str(dest)], cwd=ROOT)
    return read_exports(dest / "env")  # the file a `rust-target` step hands its dependents


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    tmp = temp_dir("runs-cold")
    nodocs = tmp / "no-docs"  # no pages: the demo pages' claims are about the demo spec, not this one
    nodocs.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "LIVEBENCH_REFRESH"}
    n = {"i": 0}

    def fresh() -> str:
        n["i"] += 1
        d = tmp / f"r{n['i']}"
        return str(d)

    def livebench() -> None:
        run([str(VENV_BIN / "livebench"), "run", "--spec", "benchmarks/perf/cold.yml", "--cache-dir", fresh(),
             "--jobs", "2", "--no-images", "-q", "--docs", str(nodocs)], cwd=ROOT, env=env)

    def plain() -> None:
        d = fresh()
        os.mkdir(d)
        run(["bash", os.path.join(HERE, "cold_plain.sh"), str(ROOT), d], cwd=ROOT, env=env)

    try:
        env.update(musl_target(tmp))  # inside: a std made here goes with the scratch folder
        times = alternate({"livebench run": livebench, "plain script": plain}, args.rounds, warmup=1)
        ratio = median(times["livebench run"]) / median(times["plain script"])
        report("runs_cold", "cold run of 4 hello builds (C, Rust; gnu, musl), 2 jobs (seconds)", times,
               {"livebench/plain": ratio}, targets={"livebench/plain": "<= 1.05"}, save=not args.no_save,
               extra={"rounds": args.rounds, "spec": "benchmarks/perf/cold.yml", "jobs": 2,
                      "overhead_seconds": round(median(times["livebench run"]) - median(times["plain script"]), 3)})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
