"""Drift: a record compared with the committed baseline, metric by metric, each with its tolerance."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .._util.clock import utc_now
from .._util.files import write_json_atomic
from ..errors import RecordError
from ..spec.model import Tolerance
from .bench_drift import baseline_benchmarks, compare_benchmarks

BASELINE_SCHEMA = 1


def baseline_from_record(record: dict[str, Any]) -> dict[str, Any]:
    """What ``--update-baseline`` writes: the stable facts of a record, nothing machine-noisy but time."""
    prov = record.get("provenance", {})
    out: dict[str, Any] = {
        "schema": BASELINE_SCHEMA,
        "written": utc_now(),
        "measured": {k: prov.get(k) for k in ("date", "git_commit", "arch", "kernel", "backend")},
        "tools": dict(prov.get("tools") or {}),
        "builds": {}, "images": {}, "probes": {},
    }
    for name, b in sorted(record.get("builds", {}).items()):
        if not b.get("ok"):
            continue
        lk = b.get("linkage") or {}
        out["builds"][name] = {"size": (b.get("artifact") or {}).get("size"), "kind": lk.get("kind"),
                               "libc": lk.get("libc"), "seconds": b.get("seconds")}
    for name, im in sorted(record.get("images", {}).items()):
        size = im.get("size") or {}
        out["images"][name] = {"size": {"uncompressed": size.get("uncompressed"), "compressed": size.get("compressed")}}
    for build, row in sorted(record.get("probes", {}).items()):
        out["probes"][build] = {base: ("runs" if p.get("exit_code") == 0 else "fails")
                                for base, p in sorted(row.items())}
    if record.get("benchmarks"):
        out["benchmarks"] = baseline_benchmarks(record)
    return out


def load_baseline(path: Path) -> dict[str, Any] | None:
    path = Path(path)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordError(f"{path}: not a readable baseline ({exc}). Write it again with "
                             f"`livebench run --update-baseline`.") from None
    if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA:
        raise RecordError(f"{path}: baseline of an unknown schema; write it again with "
                             f"`livebench run --update-baseline`.")
    return data


def _flat(base: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """metric path → (tolerance class, value)."""
    out: dict[str, tuple[str, Any]] = {}
    for name, b in (base.get("builds") or {}).items():
        out[f"builds.{name}.size"] = ("size", b.get("size"))
        out[f"builds.{name}.kind"] = ("exact", b.get("kind"))
        out[f"builds.{name}.libc"] = ("exact", b.get("libc"))
        out[f"builds.{name}.seconds"] = ("seconds", b.get("seconds"))
    for name, im in (base.get("images") or {}).items():
        for k, v in (im.get("size") or {}).items():
            out[f"images.{name}.size.{k}"] = ("image_size", v)
    for build, row in (base.get("probes") or {}).items():
        for base_name, verdict in row.items():
            out[f"probes.{build}.{base_name}"] = ("exact", verdict)
    return out


def compare(baseline: dict[str, Any], record: dict[str, Any], tol: Tolerance, *, partial: bool = False,
            memo_dir: Path | None = None) -> list[dict[str, Any]]:
    """Every metric that differs from the baseline: ``{metric, baseline, now, change, tolerance, ok}``."""
    then, now = _flat(baseline), _flat({k: v for k, v in baseline_from_record(record).items() if k != "benchmarks"})
    failed_builds = {n for n, b in record.get("builds", {}).items() if not b.get("ok")}
    out: list[dict[str, Any]] = []
    for metric, (cls, old) in then.items():
        if metric not in now:
            parts = metric.split(".")
            if partial or (parts[0] == "builds" and parts[1] in failed_builds):
                continue  # not run, or failed (reported as a failure already)
            out.append({"metric": metric, "baseline": old, "now": None, "change": "gone", "tolerance": None,
                        "ok": False})
            continue
        new = now[metric][1]
        if new == old:
            continue
        entry: dict[str, Any] = {"metric": metric, "baseline": old, "now": new}
        if cls == "exact" or not isinstance(old, (int, float)) or not isinstance(new, (int, float)):
            entry.update(change="changed", tolerance=None, ok=False)
        else:
            limit = {"size": tol.size, "image_size": tol.image_size, "seconds": tol.seconds}[cls]
            rel = (new - old) / old if old else float("inf")
            ok = abs(rel) <= limit + 1e-12
            if cls == "seconds" and abs(new - old) < tol.min_seconds:
                ok = True
            entry.update(change=f"{rel * 100:+.2f}%" if old else "new", tolerance=f"{limit * 100:g}%", ok=ok)
        out.append(entry)
    # Tool versions never fail a check, but they explain a size that moved: show them with the drift.
    now_tools = (record.get("provenance") or {}).get("tools") or {}
    for tool, old in (baseline.get("tools") or {}).items():
        if tool in now_tools and now_tools[tool] != old:
            out.append({"metric": f"tools.{tool}", "baseline": old, "now": now_tools[tool], "change": "tool",
                        "tolerance": None, "ok": True})
    for metric, (_cls, new) in now.items():
        if metric not in then:
            out.append({"metric": metric, "baseline": None, "now": new, "change": "new", "tolerance": None,
                        "ok": True})
    return out + compare_benchmarks(baseline, record, memo_dir)


def drift_line(d: dict[str, Any]) -> str:
    """``images.x.size.uncompressed: baseline 3,757,000 → now 3,760,000 (+0.08%, tolerance 0%)``."""
    def fmt(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, float):
            return f"{v:,.1f} s"  # only build seconds are floats
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    if d["change"] == "gone":
        return f"{d['metric']}: baseline {fmt(d['baseline'])} → now missing (not in this record)"
    if d["change"] == "tool":
        return f"{d['metric']}: {d['baseline']} → {d['now']} (tool version, informational)"
    if d["metric"].startswith("benchmarks."):
        if d["baseline"] is None:
            return f"{d['metric']}: {d['change']}"
        return (f"{d['metric']}: baseline {d['baseline'] * 1e3:.4g} ms → now {d['now'] * 1e3:.4g} ms ({d['change']}; "
                f"drifts when {d['tolerance']})")
    if d["change"] == "new":
        return f"{d['metric']}: new, not in the baseline: {fmt(d['now'])} (run `livebench run --update-baseline`)"
    detail = d["change"] if d.get("tolerance") is None else f"{d['change']}, tolerance {d['tolerance']}"
    if d["change"] == "changed":
        detail = "must match exactly"
    return f"{d['metric']}: baseline {fmt(d['baseline'])} → now {fmt(d['now'])} ({detail})"



def write_baseline(record: dict[str, Any], path: Path) -> None:
    write_json_atomic(Path(path), baseline_from_record(record))
