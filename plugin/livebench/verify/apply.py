"""④ The one place a record is judged: expectations, claims (spec and pages), drift against the baseline.

Applied once per record, after the run (or the warm or frozen reuse) and after the pages were read;
idempotent, so a serve rebuild that applies it again to a memoised record gives the same verdicts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._util.files import rel_to
from ..spec.model import Claim, Plan
from ..spec.pages import scan_pages
from .claims import claim_message, evaluate
from .drift import compare, load_baseline
from .expect import apply_expectations

VERIFY_KINDS = ("claim", "expect")  # the failures this module adds (and replaces on every apply)


@dataclass
class CheckOptions:
    docs_dir: Path | None = None  # read the pages' claims from these files (the CLI); None: page_claims
    baseline: Path | None = None  # None: the spec's `baseline:` (default benchmarks/baseline.json)
    partial: bool = False  # a run restricted with --only: absent entries are not failures
    page_claims: list[Claim] = field(default_factory=list)  # claims the renderer collected from pages
    page_problems: list[str] = field(default_factory=list)  # unreadable claims (reported by the renderer)
    memo_dir: Path | None = None  # where benchmark drift keeps its verdicts (the run's cache folder)


def apply(plan: Plan, record: dict[str, Any], options: CheckOptions) -> None:
    """Judge ``record`` in place: ``failures`` (expect and claim kinds), ``claims``, ``baseline``, ``drift``."""
    failures = [f for f in record.get("failures", []) if f.get("kind") not in VERIFY_KINDS]
    failures += apply_expectations(plan, record)
    claims: list[Claim] = list(plan.claims)
    entries: list[dict[str, Any]] = []
    problems = list(options.page_problems)
    if options.docs_dir is not None:
        found, scanned = scan_pages(options.docs_dir, plan.root)
        claims += found
        problems += scanned
    for p in problems:
        where, _, message = p.partition(": ")
        entries.append({"id": where, "text": "", "where": where, "source": "page", "ok": False,
                        "measured": None, "expected": None, "reproduce": None, "facts": [],
                        "error": message, "syntax": True})
    claims += options.page_claims
    for claim in claims:
        entries.append(evaluate(claim, record, partial=options.partial))
    record["claims"] = entries
    for e in entries:
        if e["ok"] is False:
            # "syntax": the page renderer reports an unreadable claim itself (with page and line)
            failures.append({"what": f"claims.{e['id']}", "kind": "claim", "syntax": bool(e.get("syntax")),
                             "message": claim_message(e)})
    record["failures"] = failures

    path = options.baseline or plan.baseline_path()
    baseline = load_baseline(path)
    tol = plan.drift
    record["baseline"] = ({"path": rel_to(path, plan.root), "measured": baseline.get("measured"),
                           "tolerance": tol.to_dict()} if baseline else None)
    record["drift"] = compare(baseline, record, tol, partial=options.partial, memo_dir=options.memo_dir) \
        if baseline else []
