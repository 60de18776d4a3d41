"""(e) Our benchmark harness against hyperfine on the same commands, in one run, alternated.

For each command of the demo's benchmarks (the artifacts of the last demo run, from
.livebench-cache/results.json): hyperfine -N (no shell) and livebench's harness
(``run.bench.harness.run_once``, what `benchmarks:` uses) each take RUNS samples after WARMUP,
alternating which goes first, ROUNDS times. Reported per command: both medians (the median of the
round medians), how far ours is from hyperfine's (target: within 5 % for every command of 10 ms
or more), and the harness's own cost per run outside the timed window (Python's bookkeeping).

    apt-get install hyperfine   # Debian's 1.15
    .venv/bin/python benchmarks/perf/vs_hyperfine.py [--rounds 5] [--runs 30]
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, median, report
from livebench.run.bench.harness import run_once

LONG_ENOUGH = 0.010  # seconds: hyperfine itself warns that shorter commands are hard to time


def commands(record: dict, data: Path) -> dict[str, list[str]]:
    art = {n: str(ROOT / b["artifact"]["path"]) for n, b in record["builds"].items() if b.get("ok")}
    missing = [n for n in ("hello-rust-gnu", "hello-rust-musl", "slice-gnu", "slice-musl", "alloc-gnu", "alloc-musl")
               if n not in art]
    if missing:
        raise SystemExit(f"vs_hyperfine: the last demo record has no artifact of {', '.join(missing)}: run the demo again")
    out = {}  # keyed by build: the ratio keys are read in pages as {lb:measurement.perf.vs_hyperfine.ratio:KEY}
    for name in ("hello-rust-gnu", "hello-rust-musl"):
        out[name] = [art[name]]
    for name in ("slice-gnu", "slice-musl"):
        out[name] = [art[name], "::2", str(data / "words.txt")]
    for name in ("alloc-gnu", "alloc-musl"):
        out[name] = [art[name], "4", "200000"]
    return out


SHOWN = {"slice-gnu": "::2 words.txt", "slice-musl": "::2 words.txt", "alloc-gnu": "4 200000", "alloc-musl": "4 200000"}


def hyperfine(argv: list[str], runs: int, warmup: int, tmp: Path) -> tuple[float, list[float]]:
    out = tmp / "hf.json"
    subprocess.run(["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
                    "--export-json", str(out), "--", shlex.join(argv)], check=True, capture_output=True)
    times = json.loads(out.read_text())["results"][0]["times"]
    return median(times), times


def ours(argv: list[str], runs: int, warmup: int) -> tuple[float, list[float], float]:
    """(median, samples, overhead per run): the loop's wall time per run minus the timed window's."""
    for _ in range(warmup):
        run_once(argv, env={"PATH": "/usr/bin:/bin"}, cwd=ROOT, timeout=300)
    t0 = time.perf_counter()
    samples = [run_once(argv, env={"PATH": "/usr/bin:/bin"}, cwd=ROOT, timeout=300).seconds for _ in range(runs)]
    loop = time.perf_counter() - t0
    return median(samples), samples, (loop - sum(samples)) / runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    if shutil.which("hyperfine") is None:
        raise SystemExit("vs_hyperfine: hyperfine is not installed (apt-get install hyperfine)")
    try:
        record = json.loads((ROOT / ".livebench-cache" / "results.json").read_text())
    except OSError:
        raise SystemExit("vs_hyperfine: no demo record; run `livebench run` (or build the site) first") from None
    tmp = Path(tempfile.mkdtemp(prefix="livebench-perf-hyperfine-"))
    try:
        subprocess.run("seq -f '%09.0f the quick brown fox jumps over the lazy dog' 1 4000000 > words.txt",
                       shell=True, cwd=tmp, check=True)
        cmds = commands(record, tmp)
        rounds: dict[str, dict[str, list[float]]] = {c: {"hyperfine": [], "livebench": []} for c in cmds}
        overhead: list[float] = []
        for r in range(args.rounds):
            for cmd, argv in cmds.items():
                order = ("hyperfine", "livebench") if r % 2 == 0 else ("livebench", "hyperfine")
                for tool in order:
                    if tool == "hyperfine":
                        m, _ = hyperfine(argv, args.runs, args.warmup, tmp)
                    else:
                        m, _, per_run = ours(argv, args.runs, args.warmup)
                        overhead.append(per_run)
                    rounds[cmd][tool].append(m)
                print(f"  round {r + 1}: {cmd}: hyperfine {rounds[cmd]['hyperfine'][-1] * 1e3:.3f} ms, "
                      f"livebench {rounds[cmd]['livebench'][-1] * 1e3:.3f} ms", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    times = {f"{tool}: {cmd} {SHOWN.get(cmd, '')}".rstrip(): v[tool] for cmd, v in rounds.items()
             for tool in ("hyperfine", "livebench")}
    ratios, targets = {}, {}
    for cmd, v in rounds.items():
        key = cmd  # livebench's median over hyperfine's
        ratios[key] = median(v["livebench"]) / median(v["hyperfine"])
        if median(v["hyperfine"]) >= LONG_ENOUGH:
            targets[key] = "0.95..1.05"  # within 5 % either way
    report("vs_hyperfine", "Benchmark harness vs hyperfine -N: medians of round medians (seconds)", times, ratios,
           targets=targets, extra={"rounds": args.rounds, "runs": args.runs, "warmup": args.warmup,
                                   "per_run_overhead_seconds": round(median(overhead), 7),
                                   "within_5_percent": {k: abs(v - 1) <= 0.05 for k, v in ratios.items() if k in targets}},
           save=not args.no_save)


if __name__ == "__main__":
    main()
