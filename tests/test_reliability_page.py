"""The Reliability page's test counts are what pytest collects (regenerate: reliability_counts.py --write)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("reliability_counts", ROOT / "benchmarks/perf/reliability_counts.py")
counts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(counts)  # type: ignore[union-attr]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_counts_are_current(lang: str) -> None:
    assert counts.page_block(lang) == counts.block(lang), (
        f"{counts.PAGES[lang].relative_to(ROOT)} is stale: run .venv/bin/python benchmarks/perf/reliability_counts.py --write")
