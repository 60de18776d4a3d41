"""Measurements taken elsewhere, read into the record: ``measurements: {perf: benchmarks/perf/results/*.json}``.

Some numbers are too slow to take on every site build (the plugin's own benchmarks run for minutes),
yet belong on a page with the same guarantees as the rest: read from the record, never typed by
hand, with provenance. Their scripts write JSON files (committed); each run reads them into
``record["measurements"][NAME][STEM]``, with the file, its sha256 and the provenance the file
itself carries under ``measured`` (date, host kernel, cpus, commit).
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..spec.model import Plan


def files(plan: Plan) -> dict[str, list[str]]:
    """name -> the sorted files its glob matches (absolute paths)."""
    return {name: sorted(f for f in glob.glob(str(plan.root / pattern), recursive=True) if os.path.isfile(f))
            for name, pattern in plan.measurements.items()}


def load(plan: Plan) -> dict[str, dict[str, Any]]:
    """Read every declared measurement file; SpecError naming the spec key and file when one is unusable."""
    out: dict[str, dict[str, Any]] = {}
    for name, paths in files(plan).items():
        where = f"{plan.where(f'measurements.{name}')}: measurements.{name}"
        if not paths:
            raise SpecError(f"{where}: '{plan.measurements[name]}' matches no file under {plan.root}. "
                            f"Run the scripts that write them, or fix the glob.")
        items: dict[str, Any] = {}
        for f in paths:
            raw = Path(f).read_bytes()
            rel = os.path.relpath(f, plan.root)
            try:
                data = json.loads(raw)
            except ValueError as exc:
                raise SpecError(f"{where}: {rel} is not valid JSON ({exc}). Re-run the script that writes it.") from None
            if not isinstance(data, dict):
                raise SpecError(f"{where}: {rel} holds {type(data).__name__}, expected a JSON object.")
            items[Path(f).stem] = {**data, "file": rel, "sha256": hashlib.sha256(raw).hexdigest()}
        out[name] = items
    return out
