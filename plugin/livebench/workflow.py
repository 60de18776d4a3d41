"""The façade the adapters call: plan → (warm record | run → record) → verify.

The MkDocs plugin, the CLI and the tests all go through here, so the order (measure once, judge
once, keep the last record) is written in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .record.fingerprint import combine, engine_state, fingerprint, sources
from .record.store import load_warm, save_last, store_warm
from .run import RunOptions, run
from .spec.model import Plan
from .verify import CheckOptions, apply

__all__ = ["Measured", "fingerprint", "judge", "measure"]


@dataclass(frozen=True)
class Measured:
    record: dict[str, Any]
    fingerprint: str  # sources before the run, the engine after it: an edit during the run runs again
    reused: bool  # True: the last failure-free record was reused as is (nothing ran)
    digest: str = ""  # when reused: the sha256 of the stored record's file, naming its content


def measure(plan: Plan, options: RunOptions, *, warm: bool = True, known: str | None = None) -> Measured:
    """The record of ``plan``: reused when nothing it depends on changed (``warm``), else run.
    ``known``: the caller's ``fingerprint`` of ``plan`` just now (a warm build hashes its sources once)."""
    if warm and not options.refresh:
        fp = known or fingerprint(plan, backend=options.backend, cache_dir=options.cache_dir)
        reused = load_warm(options.cache_dir, fp, plan.root)
        if reused is not None:
            return Measured(reused[0], fp, True, reused[1])
    before = sources(plan, backend=options.backend, cache_dir=options.cache_dir)  # before: an edit during it re-runs
    from .record.assemble import assemble  # the cold path only (it imports the run's stages' records)

    record = assemble(plan, run(plan, options))
    fp = combine(before, engine_state(plan, backend=options.backend))  # the engine as the run left it
    if warm and not options.only:
        store_warm(options.cache_dir, fp, record)
    return Measured(record, fp, False)


def judge(plan: Plan, record: dict[str, Any], options: CheckOptions, *, save_to: Any = None) -> dict[str, Any]:
    """Apply expectations, claims and drift to ``record`` (in place, once); keep it as the last record."""
    apply(plan, record, options)
    if save_to is not None:
        save_last(save_to, record)
    return record
