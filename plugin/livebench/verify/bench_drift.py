"""Benchmark drift: this run's samples against the baseline's, judged by the benchmark's own test.

A fixed percentage would flag noise on a busy machine and miss a real slow-down on a quiet one, so
a benchmark has drifted only when Mann–Whitney U and the ratio's bootstrap CI say "slower" (as a
claim would). Timings from another machine (CPU model or count) are never compared, only noted.
The verdicts are kept in a small memo file, so a warm build does not import scipy (~0.6 s) again.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .._util.files import canonical_json, write_json_atomic

MACHINE_KEYS = ("cpu_model", "cpu_count", "arch")


def baseline_benchmarks(record: dict[str, Any]) -> dict[str, Any]:
    """What a baseline keeps of each benchmark: the machine, the test's settings and every sample."""
    out: dict[str, Any] = {}
    for name, b in sorted((record.get("benchmarks") or {}).items()):
        mach = (b.get("measured") or {}).get("machine") or {}
        out[name] = {"machine": {k: mach.get(k) for k in MACHINE_KEYS},
                     "harness": (b.get("measured") or {}).get("harness"),
                     "alpha": b["settings"]["alpha"], "min_effect": b["settings"]["min_effect"],
                     "variants": {v: {"median": x["median"], "samples": [s["seconds"] for s in x["samples"]]}
                                  for v, x in b["variants"].items()}}
    return out


def compare_benchmarks(baseline: dict[str, Any], record: dict[str, Any], memo_dir: Path | None) -> list[dict[str, Any]]:
    then, now = baseline.get("benchmarks") or {}, baseline_benchmarks(record)
    pairs = []
    out: list[dict[str, Any]] = []
    for name, old in then.items():
        new = now.get(name)
        if new is None:
            continue  # a failed or removed benchmark is reported as such, not as drift
        if old["machine"] != new["machine"] or old.get("harness") != new.get("harness"):
            out.append({"metric": f"benchmarks.{name}", "baseline": None, "now": None, "tolerance": None, "ok": True,
                        "change": "measured on another machine; timings not compared"})
            continue
        for v, o in old["variants"].items():
            if v in new["variants"]:
                pairs.append((f"benchmarks.{name}.{v}.median", o, new["variants"][v], new))
    if not pairs:
        return out
    verdicts = _verdicts([(n["samples"], o["samples"], b["alpha"], b["min_effect"]) for _, o, n, b in pairs], memo_dir)
    for (metric, o, n, b), c in zip(pairs, verdicts):
        if c["verdict"] == "no significant difference":
            continue
        lo, hi = c["ci95"]
        out.append({"metric": metric, "baseline": o["median"], "now": n["median"],
                    "change": f"{(c['ratio'] - 1) * 100:+.1f}% ({c['verdict']}: CI {lo:.3g}–{hi:.3g}x, p = {c['p_value']:.2g})",
                    "tolerance": f"Mann–Whitney p < {b['alpha']:g} and at least {b['min_effect'] * 100:g}%",
                    "ok": c["verdict"] == "faster"})
    return out


def _verdicts(jobs: list[tuple[list[float], list[float], float, float]], memo_dir: Path | None) -> list[dict[str, Any]]:
    key = hashlib.sha256(canonical_json(jobs).encode()).hexdigest()
    memo = memo_dir / "bench-drift" / f"{key}.json" if memo_dir else None
    if memo is not None:
        try:
            return list(json.loads(memo.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            pass
    from .._util import stats  # numpy + scipy, only when the memo does not have these samples

    result = [stats.compare(now, then, alpha=alpha, min_effect=effect) for now, then, alpha, effect in jobs]
    if memo is not None:
        write_json_atomic(memo, result)
    return result
