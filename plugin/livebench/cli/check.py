"""``livebench check``: the CI gate that needs no site generator.

``check`` re-runs what is needed (the cache makes a warm run cheap), evaluates every claim and
compares the record with the baseline, printing what changed in the style of ``cog --check``: one
line per metric, naming the build or image. Exit codes: 0 all true and within tolerance; 1 drift, a
false claim or a failed build/probe; 2 bad usage, a bad spec or no baseline.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from ..verify.claims import claim_message
from ..verify.drift import drift_line
from .run import run_record


def report(record: dict, *, out: TextIO = sys.stdout, verbose: bool = False) -> int:
    """Print the check's verdict from a record that went through ``checks.apply``; return the exit code."""
    base = record.get("baseline") or {}
    drift = record.get("drift") or []
    bad_drift = [d for d in drift if not d["ok"]]
    claims = record.get("claims") or []
    false_claims = [c for c in claims if c["ok"] is False]
    other = [f for f in record.get("failures", []) if f.get("kind") != "claim"]
    tol = base.get("tolerance") or {}
    tol_text = ", ".join(f"{k} {v}" for k, v in tol.items() if k != "min_seconds")
    if drift:
        print(f"--- {base.get('path')} (baseline, measured {(base.get('measured') or {}).get('date')})", file=out)
        print(f"+++ this run ({record.get('provenance', {}).get('date')}); tolerances: {tol_text}", file=out)
        for d in drift:
            if d["ok"] and not verbose and d["change"] not in ("new", "tool"):
                continue
            print(f"{'!' if not d['ok'] else ' '} {drift_line(d)}", file=out)
        hidden = [d for d in drift if d["ok"] and d["change"] not in ("new", "tool")]
        if hidden and not verbose:
            print(f"  ({len(hidden)} change(s) within tolerance; --verbose lists them)", file=out)
    for c in false_claims:
        print(f"! {claim_message(c)}", file=out)
    for f in other:
        print(f"! {f['message']}", file=out)
    n_true = sum(1 for c in claims if c["ok"])
    if bad_drift or false_claims or other:
        print(f"livebench check: FAILED: {len(bad_drift)} metric(s) drifted beyond tolerance, "
              f"{len(false_claims)} false claim(s), {len(other)} failed build(s)/probe(s)/image(s). "
              f"If a change is intended, run `livebench run --update-baseline` and commit "
              f"{base.get('path') or 'the baseline'}.", file=out)
        return 1
    print(f"livebench check: OK: {n_true} claim(s) true, no drift against {base.get('path')} "
          f"({len(drift)} change(s) within tolerance).", file=out)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Run the spec (cached), apply claims and drift, and print the verdict."""
    record = run_record(args)
    if record.get("baseline") is None:
        print(f"livebench check: no baseline at {args.baseline_path}. Write one with "
              f"`livebench run --update-baseline` and commit it.", file=sys.stderr)
        return 2
    if args.json:
        json.dump({k: record.get(k) for k in ("baseline", "drift", "claims", "failures")}, sys.stdout,
                  indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        bad = [d for d in record["drift"] if not d["ok"]] or record.get("failures")
        return 1 if bad else 0
    return report(record, verbose=args.verbose)


def claims_summary(record: dict, out: TextIO = sys.stdout) -> None:
    """`livebench show`: one line per claim and where the numbers come from."""
    prov = record.get("provenance") or {}
    for c in record.get("claims") or []:
        mark = {True: "✓", False: "✗", None: "?"}[c["ok"]]
        print(f"{mark} {c['id']:<34} {c['where']}: {c.get('measured') or c.get('error')}", file=out)
    drifted = [d for d in record.get("drift") or [] if not d["ok"]]
    if drifted:
        print(f"{len(drifted)} metric(s) drifted from {(record.get('baseline') or {}).get('path')}: "
              f"run `livebench check`", file=out)
    print(f"measured {prov.get('date')} on {prov.get('arch')} ({prov.get('kernel')}), "
          f"commit {(prov.get('git_commit') or '?')[:10]}", file=out)
