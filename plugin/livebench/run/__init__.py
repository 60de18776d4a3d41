"""② Execute a Plan: setup steps, builds, linkage inspection, bases, images, probes; returns a RunResult."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .context import RunOptions, RunResult

if TYPE_CHECKING:
    from ..spec.model import Plan

__all__ = ["RunOptions", "RunResult", "run"]


def run(plan: Plan, options: RunOptions) -> RunResult:
    """The pipeline (run/pipeline.py), imported when something runs: a warm build needs none of its
    stages (pyelftools, the steps, the image code)."""
    from .pipeline import run as run_pipeline

    return run_pipeline(plan, options)
