"""Render layer: directives and inline values → HTML, from the results record only."""
from __future__ import annotations

from .directives import Problem, expand_markdown, problem_html, restore_blocks

__all__ = ["Problem", "expand_markdown", "problem_html", "restore_blocks"]
