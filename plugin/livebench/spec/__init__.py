"""① What the author declared: the spec file read, validated and frozen into a Plan."""
from __future__ import annotations

from .load import load_plan
from .model import (
                    BaseSpec,
                    Claim,
                    Expect,
                    Fact,
                    FileSpec,
                    ImageSpec,
                    Plan,
                    ProbeMatrix,
                    Reference,
                    Step,
                    Tolerance,
                    Tool,
)
from .validate import build_plan

__all__ = ["BaseSpec", "Claim", "Expect", "Fact", "FileSpec", "ImageSpec", "Plan", "ProbeMatrix", "Reference",
           "Step", "Tolerance", "Tool", "build_plan", "load_plan"]
