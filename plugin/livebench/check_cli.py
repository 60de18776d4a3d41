"""``livebench check``, ``run --update-baseline`` and the live progress line of long runs.

``check`` re-runs what is needed (the cache makes a warm run cheap), evaluates every claim and
compares the record with the baseline, printing what changed in the style of ``cog --check``: one
line per metric, naming the build or image. Exit codes: 0 all true and within tolerance; 1 drift, a
false claim or a failed build/probe; 2 bad usage, a bad spec or no baseline.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, TextIO

from .checks import drift_line, write_baseline


class LiveProgress:
    """A rich status line while builds run: what is running, for how long, how much is done."""

    def __init__(self, console: Any):
        self.console = console
        self.running: dict[str, float] = {}
        self.done = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._status = None

    def __enter__(self) -> "LiveProgress":
        if self.console.is_terminal:
            self._status = self.console.status(self)  # rendered again on every refresh (elapsed times)
            self._status.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)

    def __call__(self, event: str, name: str, detail: str = "") -> None:
        with self._lock:
            if event == "start":
                self.running[name] = time.monotonic()
            elif event in ("done", "cached", "failed"):
                self.running.pop(name, None)
                self.done += 1
                self.failed += event == "failed"

    def __rich__(self) -> str:
        with self._lock:
            now = time.monotonic()
            items = [f"{n} {now - t:.0f}s" for n, t in sorted(self.running.items(), key=lambda kv: kv[1])]
            done, failed = self.done, self.failed
        head = f"livebench: {done} done" + (f", {failed} failed" if failed else "")
        return head + (" · running: " + ", ".join(items) if items else "")


def progress_for(logger: Any, quiet: bool) -> LiveProgress | None:
    """The status line, on the same console as the log lines (so they interleave cleanly)."""
    if quiet:
        return None
    for handler in getattr(logger, "handlers", []):
        console = getattr(handler, "console", None)
        if console is not None and console.is_terminal:
            return LiveProgress(console)
    return None


def update_baseline(record: dict, path: Path, root: Path, out: TextIO = sys.stderr) -> int:
    """Write the baseline from a complete, successful record; refuse otherwise (exit 1)."""
    if record.get("failures"):
        print(f"livebench run: not writing the baseline {path}: this run has "
              f"{len(record['failures'])} failure(s). Fix them first.", file=out)
        return 1
    write_baseline(record, path)
    print(f"livebench: wrote the baseline {_rel(path, root)} "
          f"({len(record.get('builds', {}))} builds, {len(record.get('images', {}))} images, "
          f"{sum(len(r) for r in record.get('probes', {}).values())} probes). Commit it.", file=out)
    return 0


def _rel(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


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
        from .checks import claim_message

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


def cmd_check(args: Any, run: Callable[[Any], dict]) -> int:
    """``run(args)`` runs the spec (cached) and returns the record with claims and drift applied."""
    record = run(args)
    if record.get("baseline") is None:
        print(f"livebench check: no baseline at {args.baseline or 'benchmarks/baseline.json'}. Write one with "
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
