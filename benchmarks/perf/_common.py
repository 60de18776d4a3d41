"""Shared helpers of the perf scripts: alternating runs, medians, a table, the JSON line, results files.

The machine these run on is shared (2 cores, other test runs): compared variants are therefore run
*alternately* within one process (A B, B A, A B, ...), so background load hits both alike, and
only medians and ratios measured side by side in the same run are reported.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project root
RESULTS = Path(__file__).resolve().parent / "results"
PYTHON = Path(sys.executable)
VENV_BIN = PYTHON.parent


def alternate(variants: dict[str, Callable[[], None]], rounds: int, *, warmup: int = 1,
              prepare: dict[str, Callable[[], None]] | None = None) -> dict[str, list[float]]:
    """Time each variant ``rounds`` times, alternating the order every round.

    ``prepare[name]`` (untimed) runs right before each timed call of ``name``: fresh caches,
    removed images. Warm-up rounds run every variant once and are discarded.
    """
    names = list(variants)
    prepare = prepare or {}
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(warmup + rounds):
        order = names if r % 2 == 0 else names[::-1]
        took = {}
        for n in order:
            if n in prepare:
                prepare[n]()
            t0 = time.perf_counter()
            variants[n]()
            took[n] = time.perf_counter() - t0
            if r >= warmup:
                times[n].append(took[n])
        print(f"  round {r + 1 - warmup if r >= warmup else 'warm-up'}: "
              + ", ".join(f"{n} {took[n]:.3f} s" for n in order), file=sys.stderr, flush=True)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def summary(times: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {n: {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)} for n, v in times.items()}


def table(title: str, stats: dict[str, dict[str, float]], unit: str = "s") -> str:
    width = max(len(n) for n in stats) + 2
    lines = [title, f"{'variant':<{width}}{'median':>10}{'min':>10}{'max':>10}{'n':>4}"]
    for n, s in stats.items():
        lines.append(f"{n:<{width}}{s['median']:>10.3f}{s['min']:>10.3f}{s['max']:>10.3f}{s['n']:>4}")
    return "\n".join(lines)


def machine() -> dict:
    """Where and when it was measured (stored with every result: provenance)."""
    uname = platform.uname()
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {
        "date": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "host_kernel": f"{uname.system} {uname.release}",
        "arch": uname.machine,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "git_commit": _git("rev-parse", "HEAD"),
        # results/ is what these scripts write: run_all.sh's later benchmarks would call the tree dirty
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no", "--", ".",
                               ":(exclude)benchmarks/perf/results")),
        "loadavg_1m_at_start": round(load, 2) if load is not None else None,
    }


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def report(name: str, title: str, times: dict[str, list[float]], ratios: dict[str, float],
           *, targets: dict[str, str] | None = None, extra: dict | None = None, unit: str = "s",
           save: bool = True) -> dict:
    """Print the table and ONE JSON line; write ``results/<name>.json`` (what the Performance page reads)."""
    stats = summary(times)
    print(table(title, stats, unit))
    for k, v in ratios.items():
        print(f"{k}: {v:.3f}" + (f"   (target {targets[k]})" if targets and k in targets else ""))
    data = {
        "benchmark": name, "title": title, "unit": unit,
        # 6 significant digits: 4 decimals would turn a 0.13 ms median into 0.0001 s
        "variants": {n: {k: float(f"{v:.6g}") if isinstance(v, float) else v for k, v in s.items()} for n, s in stats.items()},
        "samples": {n: [float(f"{x:.6g}") for x in v] for n, v in times.items()},
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
        "targets": targets or {},
        "measured": machine(),
        **(extra or {}),
    }
    print(json.dumps({"benchmark": name, "ratios": data["ratios"],
                      "medians": {n: round(s["median"], 4) for n, s in stats.items()}}))
    if save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        tmp = RESULTS / f".{name}.json.tmp"
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        tmp.replace(RESULTS / f"{name}.json")
    return data


def bench_project(tmp: Path, *, cache: bool = True) -> Path:
    """A private copy of the demo project (mkdocs.yml, docs, benchmarks, and the warm cache).

    Other people's runs hold the project's cache lock for minutes; a private copy keeps their work
    out of our timings (and ours out of theirs). Build work folders are not copied: a warm run
    never touches them.
    """
    proj = tmp / "project"
    proj.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", proj / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", proj / "docs")
    shutil.copytree(ROOT / "benchmarks", proj / "benchmarks", ignore=shutil.ignore_patterns("__pycache__"))
    src = ROOT / ".livebench-cache"
    if cache and src.is_dir():
        dest = proj / ".livebench-cache"
        dest.mkdir()
        for child in src.iterdir():
            if child.name in ("work", "tmp", "run.lock"):
                continue
            if child.is_dir():
                shutil.copytree(child, dest / child.name, symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
            else:
                shutil.copy2(child, dest / child.name)
    return proj


def run(cmd: list[str] | str, *, cwd: Path, env: dict[str, str] | None = None, shell: bool = False) -> None:
    """Run a command; on failure show its output and stop the benchmark (a failing variant is no timing)."""
    out = subprocess.run(cmd, cwd=cwd, env=env, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         executable="/bin/bash" if shell else None)
    if out.returncode != 0:
        sys.stderr.write(out.stdout.decode(errors="replace")[-4000:])
        raise SystemExit(f"benchmark command failed (exit {out.returncode}): {cmd}")


def temp_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"livebench-perf-{prefix}-"))
