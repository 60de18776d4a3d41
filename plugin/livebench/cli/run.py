"""``livebench run``: run the spec (cached), judge the record, print a summary or the record."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from .. import workflow
from .._util.files import rel_to
from .._util.log import use_logger
from .._util.units import human_size
from ..errors import UsageError
from ..record.failures import fold
from ..run import RunOptions
from ..spec.load import load_plan
from ..verify import CheckOptions
from ..verify.drift import write_baseline
from .progress import make_logger, progress_for
from .project import resolve


def run_record(args: argparse.Namespace) -> dict[str, Any]:
    """Run the spec (cached) with expectations, claims and drift applied; shared by `run` and `check`."""
    project = resolve(args)
    plan = load_plan(project.spec, root=project.root)
    cache_dir, docs = project.cache_dir, project.docs
    refresh = args.refresh or os.environ.get("LIVEBENCH_REFRESH") == "1"
    baseline = Path(args.baseline) if args.baseline else plan.baseline_path()
    args.baseline_path = baseline if baseline.is_absolute() else Path.cwd() / baseline
    log = make_logger(args.quiet)
    live = progress_for(log, args.quiet)  # stderr only: `run --json` keeps stdout for the record
    only = set(args.only) if getattr(args, "only", None) else None
    options = RunOptions(cache_dir=cache_dir, jobs=args.jobs, refresh=refresh, backend=args.backend, only=only,
                         images=not getattr(args, "no_images", False), progress=live,
                         schedule=getattr(args, "schedule", "graph"))
    with use_logger(log):
        if live is None:
            measured = workflow.measure(plan, options, warm=False)
        else:
            with live:
                measured = workflow.measure(plan, options, warm=False)
        if getattr(args, "machine", None):
            measured.record["provenance"]["machine"] = args.machine
        check = CheckOptions(docs_dir=docs if docs.is_dir() else None, baseline=args.baseline_path,
                             partial=bool(only), memo_dir=cache_dir)
        return workflow.judge(plan, measured.record, check, save_to=cache_dir)


def update_baseline(record: dict[str, Any], path: Path, root: Path, out: TextIO = sys.stderr) -> int:
    """Write the baseline from a complete, successful record; refuse otherwise (exit 1)."""
    if record.get("failures"):
        print(f"livebench run: not writing the baseline {path}: this run has "
              f"{len(record['failures'])} failure(s). Fix them first.", file=out)
        return 1
    write_baseline(record, path)
    print(f"livebench: wrote the baseline {rel_to(path, root)} "
          f"({len(record.get('builds', {}))} builds, {len(record.get('images', {}))} images, "
          f"{sum(len(r) for r in record.get('probes', {}).values())} probes). Commit it.", file=out)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    if args.update_baseline and (args.only or args.no_images):  # a usage error: say so before running anything
        raise UsageError("--update-baseline needs a complete run (without --only/--no-images).")
    record = run_record(args)
    if args.json:
        json.dump(record, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        summary(record)
    for line in fold(record.get("failures", [])).lines:  # what failed because of another failure: under it
        print(f"livebench: {line}", file=sys.stderr)
    if args.update_baseline and update_baseline(record, args.baseline_path, Path(args.root).resolve()):
        return 1
    return 1 if record.get("failures") else 0


def summary(record: dict[str, Any]) -> None:
    for name, b in record.get("builds", {}).items():
        if not b.get("ok"):
            print(f"{name:<18} {'SKIPPED' if b.get('skipped') else 'FAILED'}")
            continue
        lk = b.get("linkage") or {}
        took = "cached" if b.get("cached") else f"{b['seconds']:.1f} s"
        print(f"{name:<18} {human_size(b['artifact']['size']):>10}  {lk.get('kind', '?'):<14} "
              f"{lk.get('libc', '?'):<6} {took}")
    for name, im in record.get("images", {}).items():
        size = im.get("size", {})
        print(f"{name:<26} {human_size(size.get('uncompressed')):>10}  gzip {human_size(size.get('compressed'))}")
