"""`livebench run | check | show | inspect | clean`: the core, driven without MkDocs.

Exit codes: 0 all good; 1 a build, probe, expectation or claim failed, the record drifted from the
baseline (check), or a file could not be inspected; 2 bad usage, a bad spec, a missing record or
baseline.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from pathlib import Path

from .errors import LivebenchError
from .results import human_size, load_record

DEFAULT_SPEC = "benchmarks/livebench.yml"
DEFAULT_CACHE = ".livebench-cache"


def _logger(quiet: bool) -> logging.Logger:
    """Progress goes to stderr through rich, so stdout stays clean for --json."""
    logger = logging.getLogger("livebench.cli")
    logger.handlers.clear()
    if quiet:  # warnings only: a plain handler spares importing rich (~20 ms of a short run)
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
    else:
        from rich.console import Console
        from rich.logging import RichHandler

        handler = RichHandler(console=Console(stderr=True), show_path=False, show_level=False,
                              markup=False, log_time_format="[%X]")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False
    return logger


def _run_record(args: argparse.Namespace) -> dict:
    """Run the spec (cached) with claims and drift applied; shared by `run` and `check`."""
    from .check_cli import progress_for
    from .checks import default_baseline
    from .runner import RunOptions, Runner
    from .spec import load_plan

    root = Path(args.root).resolve()
    plan = load_plan(args.spec, root=root)
    cache_dir = Path(args.cache_dir)
    cache_dir = cache_dir if cache_dir.is_absolute() else root / cache_dir
    refresh = args.refresh or os.environ.get("LIVEBENCH_REFRESH") == "1"
    docs = Path(args.docs) if args.docs else root / "docs"
    docs = docs if docs.is_absolute() else root / docs
    baseline = Path(args.baseline) if args.baseline else default_baseline(plan)
    args.baseline_path = baseline if baseline.is_absolute() else Path.cwd() / baseline
    log = _logger(args.quiet)
    live = progress_for(log, args.quiet)  # stderr only: `run --json` keeps stdout for the record
    options = RunOptions(cache_dir=cache_dir, jobs=args.jobs, refresh=refresh, backend=args.backend,
                         only=set(args.only) if getattr(args, "only", None) else None,
                         images=not getattr(args, "no_images", False), log=log,
                         docs_dir=docs if docs.is_dir() else None, baseline=args.baseline_path, progress=live)
    if live is None:
        return Runner(plan, options).run()
    with live:
        return Runner(plan, options).run()


def cmd_check(args: argparse.Namespace) -> int:
    from .check_cli import cmd_check as run_check

    return run_check(args, _run_record)


def cmd_run(args: argparse.Namespace) -> int:
    if args.update_baseline and (args.only or args.no_images):  # a usage error: say so before running anything
        print("livebench run: --update-baseline needs a complete run (without --only/--no-images).",
              file=sys.stderr)
        return 2
    record = _run_record(args)
    if args.update_baseline:
        from .check_cli import update_baseline

        if update_baseline(record, args.baseline_path, Path(args.root).resolve()):
            return 1
    if args.json:
        json.dump(record, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _summary(record)
    for failure in record.get("failures", []):
        print(f"livebench: {failure['message']}", file=sys.stderr)
    return 1 if record.get("failures") else 0


def _summary(record: dict) -> None:
    for name, b in record.get("builds", {}).items():
        if not b.get("ok"):
            print(f"{name:<18} FAILED")
            continue
        lk = b.get("linkage") or {}
        took = "cached" if b.get("cached") else f"{b['seconds']:.1f} s"
        print(f"{name:<18} {human_size(b['artifact']['size']):>10}  {lk.get('kind', '?'):<14} "
              f"{lk.get('libc', '?'):<6} {took}")
    for name, im in record.get("images", {}).items():
        size = im.get("size", {})
        print(f"{name:<26} {human_size(size.get('uncompressed')):>10}  gzip {human_size(size.get('compressed'))}")


def cmd_show(args: argparse.Namespace) -> int:
    root = Path(args.root).resolve()
    cache_dir = Path(args.cache_dir)
    cache_dir = cache_dir if cache_dir.is_absolute() else root / cache_dir
    record = load_record(Path(args.frozen) if args.frozen else cache_dir / "results.json")
    if args.json:
        json.dump(record, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _summary(record)
        from .check_cli import claims_summary

        claims_summary(record)
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from .inspect_cli import cmd_inspect as run_inspect

    return run_inspect(args.paths, args.root, args.json)


def cmd_clean(args: argparse.Namespace) -> int:
    root = Path(args.project_root).resolve()
    cache_dir = Path(args.cache_dir)
    cache_dir = cache_dir if cache_dir.is_absolute() else root / cache_dir
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
        print(f"removed {cache_dir}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="livebench", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser, root_flag: str = "--root") -> None:
        sp.add_argument(root_flag, dest="root" if root_flag == "--root" else "project_root", default=".",
                        help="the project root (default: the current folder)")
        sp.add_argument("--cache-dir", default=DEFAULT_CACHE, help=f"default: {DEFAULT_CACHE}")

    r = sub.add_parser("run", help="run the spec's setup steps, builds, images and probes")
    common(r)
    r.add_argument("--spec", default=DEFAULT_SPEC, help=f"default: {DEFAULT_SPEC}")
    r.add_argument("--json", action="store_true", help="print the results record on stdout")
    r.add_argument("--backend", choices=("auto", "docker", "embedded"), default="auto")
    r.add_argument("--jobs", type=int, default=0, help="parallel builds (default: one per CPU)")
    r.add_argument("--refresh", action="store_true", help="ignore the cache (or LIVEBENCH_REFRESH=1)")
    r.add_argument("--only", nargs="+", metavar="BUILD", help="run only these builds")
    r.add_argument("--no-images", action="store_true", help="skip bases, images and probes")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    r.add_argument("--docs", default=None, help="pages whose inline claims are checked (default: docs)")
    r.add_argument("--baseline", default=None, help="baseline file (default: the spec's, benchmarks/baseline.json)")
    r.add_argument("--update-baseline", action="store_true", help="write the baseline from this run's record")
    r.set_defaults(func=cmd_run)

    k = sub.add_parser("check", help="run (cached), then fail on a false claim or drift from the baseline")
    common(k)
    k.add_argument("--spec", default=DEFAULT_SPEC, help=f"default: {DEFAULT_SPEC}")
    k.add_argument("--baseline", default=None, help="baseline file (default: the spec's, benchmarks/baseline.json)")
    k.add_argument("--docs", default=None, help="pages whose inline claims are checked (default: docs)")
    k.add_argument("--backend", choices=("auto", "docker", "embedded"), default="auto")
    k.add_argument("--jobs", type=int, default=0, help="parallel builds (default: one per CPU)")
    k.add_argument("--refresh", action="store_true", help="ignore the cache (or LIVEBENCH_REFRESH=1)")
    k.add_argument("--json", action="store_true", help="print {baseline, drift, claims, failures} on stdout")
    k.add_argument("-v", "--verbose", action="store_true", help="also list changes within tolerance")
    k.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    k.set_defaults(func=cmd_check)

    s = sub.add_parser("show", help="print the last results record")
    common(s)
    s.add_argument("--json", action="store_true")
    s.add_argument("--frozen", default=None, metavar="PATH", help="show this committed record instead of the cache's")
    s.set_defaults(func=cmd_show)

    i = sub.add_parser("inspect", help="linkage of ELF files, read without executing them")
    i.add_argument("--root", default=None, help="resolve libraries inside this folder as if it were /")
    i.add_argument("--json", action="store_true")
    i.add_argument("paths", nargs="+", metavar="PATH")
    i.set_defaults(func=cmd_inspect)

    c = sub.add_parser("clean", help="remove the cache folder")
    common(c, "--project-root")
    c.set_defaults(func=cmd_clean)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except LivebenchError as exc:
        print(f"livebench {args.command}: {exc}", file=sys.stderr)
        return 2 if exc.__class__.__name__ in ("SpecError", "LivebenchError") else 1
    except BrokenPipeError:  # `livebench show --json | head`
        return 0
    except KeyboardInterrupt:
        print("livebench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
