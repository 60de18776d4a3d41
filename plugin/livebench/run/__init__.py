"""② Execute a Plan: setup steps, builds, linkage inspection, bases, images, probes; returns a RunResult."""
from __future__ import annotations

from .context import RunOptions, RunResult
from .pipeline import run

__all__ = ["RunOptions", "RunResult", "run"]
