"""The run's timeline for the record: when each node of the graph ran, its critical path, the CPU it used.

The lower bound no schedule can beat is the larger of the critical path (the chain of needs whose
durations add up the most) and the CPU seconds spent divided by the run's slots. A run where every
node ran (none reused from the cache, none failed) is *cold*; the last cold timeline is kept in the
cache, so a page can show how a cold run went even when this build reused everything.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .._util.files import write_json_atomic
from .graph import OK, Span, critical_path

COLD_FILE = "timeline-cold.json"


def timeline(spans: list[Span], *, jobs: int, started: str, cpu_before: os.times_result,
             cpu_after: os.times_result) -> dict[str, Any]:
    def cpu(t: os.times_result) -> float:
        return t.user + t.system + t.children_user + t.children_system

    path, critical = critical_path(spans)
    cpu_seconds = round(cpu(cpu_after) - cpu(cpu_before), 3)
    ran = [s for s in spans if s.status == OK and not s.cached]
    return {
        "started": started,
        "jobs": jobs,
        "wall": round(max((s.end for s in spans), default=0.0), 3),
        "cpu_seconds": cpu_seconds,
        "critical_path": path,
        "critical_seconds": critical,
        "lower_bound": round(max(critical, cpu_seconds / max(1, jobs)), 3),
        "cold": bool(spans) and len(ran) == len(spans),
        "nodes": [{"id": s.id, "kind": s.kind, "needs": list(s.needs), "start": round(s.start, 3),
                   "end": round(s.end, 3), "status": s.status, "cached": s.cached} for s in spans],
    }


def cold_timeline(cache_root: Path, current: dict[str, Any]) -> dict[str, Any] | None:
    """This run's timeline if it was cold (and kept for later runs), else the last cold one kept, if any."""
    path = Path(cache_root) / COLD_FILE
    if current["cold"]:
        try:
            write_json_atomic(path, current, indent=None)
        except OSError:
            pass  # a read-only cache: pages show this run's timeline only
        return current
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return kept if isinstance(kept, dict) and kept.get("cold") is True and isinstance(kept.get("nodes"), list) else None
