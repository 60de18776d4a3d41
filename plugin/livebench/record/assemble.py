"""③ A RunResult becomes the one record: every section in place, provenance from the run's own facts."""
from __future__ import annotations

import copy
from typing import Any

from ..run.context import RunResult
from ..spec.model import Plan
from .machines import spec_digest
from .provenance import engine_tool, provenance
from .schema import SCHEMA


def assemble(plan: Plan, result: RunResult) -> dict[str, Any]:
    """The record of ``result`` (a deep copy: later verification never reaches back into the run)."""
    prov = provenance(plan.root, dict(result.tools), date=result.started or None)
    prov["spec_digest"] = spec_digest(plan.path)  # records of one spec can be merged (record/machines.py)
    if result.backend is not None:
        prov["engine"] = result.engine
        prov["backend"] = result.backend
    line = engine_tool(result.engine)
    if line:
        prov["tools"]["docker"] = line
    record: dict[str, Any] = {
        "schema": SCHEMA, "provenance": prov,
        "setup": result.setup, "builds": result.builds, "bases": result.bases,
        "images": result.images, "probes": result.probes, "failures": result.failures,
    }
    if result.measurements is not None:
        record["measurements"] = result.measurements
    if plan.benchmarks:
        record["benchmarks"] = result.benchmarks
    if result.docker_images is not None:
        record["docker_images"] = result.docker_images
    if result.timeline is not None:
        record["timeline"] = result.timeline
    if result.timeline_cold is not None:
        record["timeline_cold"] = result.timeline_cold
    record = copy.deepcopy(record)
    # Figures published elsewhere travel with what they compare to, labelled (pages read only the record).
    for section, declared in (("builds", plan.builds), ("images", plan.images)):
        for name, entry in record[section].items():
            ref = getattr(declared.get(name), "reference", None)
            if ref is not None:
                entry["reference"] = {"value": ref.value, "source": ref.source}
    return record
