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


def measure(plan: Plan, options: RunOptions, *, warm: bool = True) -> Measured:
    """The record of ``plan``: reused when nothing it depends on changed (``warm``), else run."""
    before = sources(plan, backend=options.backend, cache_dir=options.cache_dir)  # before: an edit during it re-runs
    fp = combine(before, engine_state(plan, backend=options.backend))
    if warm and not options.refresh:
        reused = load_warm(options.cache_dir, fp, plan.root)
        if reused is not None:
            return Measured(reused, fp, True)
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
