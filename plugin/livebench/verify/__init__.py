"""④ The record judged: the spec's expectations, the claims of spec and pages, drift from the baseline."""
from __future__ import annotations

from .apply import CheckOptions, apply

__all__ = ["CheckOptions", "apply"]
