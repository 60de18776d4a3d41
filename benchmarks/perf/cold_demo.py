"""(g) The demo's whole cold run: the dependency graph against the phased schedule, and its lower bound.

Both variants are `livebench run` of the demo spec (its setup step, six builds, four bases, four
images, the probe matrix; its benchmarks left out, since they run alone after everything in either
schedule), two jobs, a fresh --cache-dir each round: the musl std build, every build, debootstrap and
every image run again, and the engine's livebench images of earlier rounds are removed first.

- graph: each node starts when what it needs is done (`--schedule graph`, the default);
- phased: the runner's schedule before the graph, kept as `--schedule phased`: the same commands,
  setup steps one at a time, then the builds, then the bases and images one at a time, then probes.

Two ratios, from the same rounds: graph/phased (goal <= 0.85) and graph/lower bound (goal <= 1.10),
where the lower bound is each graph round's own: the larger of its critical path and its CPU seconds
divided by the jobs (the record's `timeline`).

    .venv/bin/python benchmarks/perf/cold_demo.py [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, VENV_BIN, alternate, bench_project, median, report, run, temp_dir


def demo_without_benchmarks(proj) -> str:
    """The demo spec minus its benchmarks (and the claims about them): what both schedules run."""
    spec = yaml.safe_load((ROOT / "benchmarks" / "livebench.yml").read_text(encoding="utf-8"))
    spec.pop("benchmarks", None)
    spec["claims"] = [c for c in spec.get("claims") or [] if "benchmark" not in c]
    path = proj / "benchmarks" / "cold-demo.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return str(path.relative_to(proj))


def remove_livebench_images() -> None:
    """Images of earlier rounds (livebench labels every image it makes): a cold round loads its own."""
    ids = subprocess.run(["docker", "images", "-q", "--filter", "label=org.mkdocs-livebench.role"],
                         capture_output=True, text=True, check=True).stdout.split()
    if ids:
        subprocess.run(["docker", "rmi", "-f", *sorted(set(ids))], capture_output=True, check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    tmp = temp_dir("cold-demo")
    proj = bench_project(tmp, cache=False)
    spec = demo_without_benchmarks(proj)
    nodocs = tmp / "no-docs"  # the pages' claims name the benchmarks this run leaves out
    nodocs.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "LIVEBENCH_REFRESH"}
    bounds: list[float] = []
    walls: list[float] = []
    overlaps: list[dict[str, bool]] = []  # per graph round: did it start while musl-rust was still building?
    critical: list[list[str]] = []
    n = {"i": 0}

    def fresh() -> None:  # untimed, before each round: no cache folder, no livebench image in the engine
        for old in tmp.glob("cache-*"):
            shutil.rmtree(old, ignore_errors=True)
        remove_livebench_images()
        n["i"] += 1

    def once(schedule: str) -> None:
        cache = tmp / f"cache-{n['i']}"
        run([str(VENV_BIN / "livebench"), "run", "--root", str(proj), "--spec", spec, "--cache-dir", str(cache),
             "--jobs", "2", "-q", "--docs", str(nodocs), "--schedule", schedule], cwd=proj, env=env)
        if schedule == "graph":
            tl = json.loads((cache / "results.json").read_text())["timeline"]
            assert tl["cold"], "a round reused something: not a cold run"
            bounds.append(tl["lower_bound"])
            walls.append(tl["wall"])
            span = {x["id"]: x for x in tl["nodes"]}
            toolchain_end = span["setup:musl-rust"]["end"]
            overlaps.append({n: span[n]["start"] < toolchain_end for n in ("build:slice-gnu", "base:debian")})
            critical.append(tl["critical_path"])

    try:
        times = alternate({"graph": lambda: once("graph"), "phased": lambda: once("phased")}, args.rounds, warmup=0,
                          prepare={"graph": fresh, "phased": fresh})
        graph, phased = median(times["graph"]), median(times["phased"])
        report("cold_demo", "cold run of the whole demo (setup, 6 builds, 4 bases, 4 images, 24 probes), 2 jobs (seconds)",
               times, {"graph/phased": graph / phased, "graph/lower_bound": median(walls) / median(bounds)},
               targets={"graph/phased": "<= 0.85", "graph/lower_bound": "<= 1.10"}, save=not args.no_save,
               extra={"rounds": args.rounds, "jobs": 2, "lower_bound_seconds": [round(b, 3) for b in bounds],
                      "graph_wall_seconds": [round(w, 3) for w in walls],
                      "started_during_musl_rust": overlaps, "critical_paths": critical,
                      "note": "graph/lower bound compares each graph round's own timeline: its wall time against "
                              "max(critical path, CPU seconds / jobs)"})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
