"""Render layer: directives and inline values → HTML, from the results record only."""
from __future__ import annotations

from .directives import Problem, expand_markdown

__all__ = ["Problem", "expand_markdown"]
