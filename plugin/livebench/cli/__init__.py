"""`livebench run | check | show | doctor | inspect | clean | merge`: the core, driven without MkDocs.

Exit codes: 0 all good; 1 a build, probe, expectation or claim failed, the record drifted from the
baseline (check), or a file could not be inspected; 2 bad usage, a bad spec, a missing record or
baseline. Each error class carries its own code (``errors.LivebenchError.exit_code``).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from ..errors import LivebenchError
from .project import DEFAULT_CACHE, DEFAULT_SPEC

FROM_CONFIG = "the livebench plugin's option in mkdocs.yml, else %s"


def _command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """The command ``name`` of ``cli/<module>.py``, imported when it runs: each command imports only
    what it needs (`inspect` and `show` never load docker-py or the build machinery)."""
    def call(args: argparse.Namespace) -> int:
        return int(getattr(importlib.import_module(f"{__name__}.{module}"), name)(args))
    return call


def _inspect(args: argparse.Namespace) -> int:
    from .inspect import cmd_inspect

    return cmd_inspect(args.paths, args.root, args.json)


cmd_run = _command("run", "cmd_run")
cmd_check = _command("check", "cmd_check")
cmd_show = _command("show", "cmd_show")
cmd_clean = _command("show", "cmd_clean")
cmd_doctor = _command("doctor", "cmd_doctor")
cmd_rust_target = _command("toolchain", "cmd_rust_target")
cmd_assets = _command("assets", "cmd_assets")
cmd_merge = _command("merge", "cmd_merge")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="livebench", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser, root_flag: str = "--root") -> None:
        sp.add_argument(root_flag, dest="root" if root_flag == "--root" else "project_root", default=".",
                        help="the project root (default: the current folder)")
        sp.add_argument("--cache-dir", default=None, help=FROM_CONFIG % DEFAULT_CACHE)

    r = sub.add_parser("run", help="run the spec's setup steps, builds, images and probes")
    common(r)
    r.add_argument("--spec", default=None, help=FROM_CONFIG % DEFAULT_SPEC)
    r.add_argument("--json", action="store_true", help="print the results record on stdout")
    r.add_argument("--backend", choices=("auto", "docker", "embedded"), default="auto")
    r.add_argument("--jobs", type=int, default=0, help="parallel builds (default: one per CPU)")
    r.add_argument("--refresh", action="store_true", help="ignore the cache (or LIVEBENCH_REFRESH=1)")
    r.add_argument("--only", nargs="+", metavar="BUILD", help="run only these builds")
    r.add_argument("--no-images", action="store_true", help="skip bases, images and probes")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    r.add_argument("--docs", default=None, help="pages whose inline claims are checked (default: mkdocs.yml's docs_dir, else docs)")
    r.add_argument("--baseline", default=None, help="baseline file (default: the spec's, benchmarks/baseline.json)")
    r.add_argument("--update-baseline", action="store_true", help="write the baseline from this run's record")
    r.add_argument("--schedule", choices=("graph", "phased"), default="graph",
                   help="phased: one phase after another, as before the dependency graph (benchmarks/perf/cold_demo.py)")
    r.add_argument("--machine", default=None, metavar="NAME",
                   help="this machine's id in a merged record (default: ARCH and a hash of the host name)")
    r.set_defaults(func=cmd_run)

    k = sub.add_parser("check", help="run (cached), then fail on a false claim or drift from the baseline")
    common(k)
    k.add_argument("--spec", default=None, help=FROM_CONFIG % DEFAULT_SPEC)
    k.add_argument("--baseline", default=None, help="baseline file (default: the spec's, benchmarks/baseline.json)")
    k.add_argument("--docs", default=None, help="pages whose inline claims are checked (default: mkdocs.yml's docs_dir, else docs)")
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

    d = sub.add_parser("doctor", help="what the spec's steps need, what is here, and how to install the rest")
    common(d)
    d.add_argument("--spec", default=None, help=FROM_CONFIG % DEFAULT_SPEC)
    d.set_defaults(func=cmd_doctor)

    a = sub.add_parser("assets", help="copy the CSS, charts script, plotly.js and record into the docs (for Zensical)")
    common(a)
    a.add_argument("docs_dirs", nargs="*", metavar="DOCS_DIR",
                   help="each edition's docs folder (default: mkdocs.yml's docs_dir, else docs)")
    a.add_argument("--frozen", default=None, metavar="PATH", help="publish this committed record instead of the cache's")
    a.set_defaults(func=cmd_assets)

    rt = sub.add_parser("rust-target", help="add a Rust target's std offline, in user space (as rustup target add)")
    rt_sub = rt.add_subparsers(dest="action", required=True)
    add = rt_sub.add_parser("add", help="build TARGET's standard library from Debian's packages")
    common(add)
    add.add_argument("target", metavar="TARGET", help="x86_64-unknown-linux-musl")
    add.add_argument("--dest", default=None, help="where (default: toolchains/TARGET in the project's cache)")
    add.set_defaults(func=cmd_rust_target)

    i = sub.add_parser("inspect", help="linkage of ELF files, read without executing them")
    i.add_argument("--root", default=None, help="resolve libraries inside this folder as if it were /")
    i.add_argument("--json", action="store_true")
    i.add_argument("paths", nargs="+", metavar="PATH")
    i.set_defaults(func=_inspect)

    c = sub.add_parser("clean", help="remove the cache folder and the images livebench put into the engine")
    common(c, "--project-root")
    c.add_argument("--keep-images", action="store_true", help="leave the engine's images alone")
    c.add_argument("--all-images", action="store_true", help="every image with livebench's label, any project's")
    c.set_defaults(func=cmd_clean)

    m = sub.add_parser("merge", help="one record of several machines' records (a CI matrix, remote engines)")
    m.add_argument("records", nargs="+", metavar="RECORD", help="results records; the first is the primary")
    m.add_argument("-o", "--output", required=True, metavar="PATH", help="where the merged record goes")
    m.set_defaults(func=cmd_merge)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LivebenchError as exc:  # the one translator of this boundary: a message and the class's code
        print(f"livebench {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `livebench show --json | head`
        return 0
    except KeyboardInterrupt:
        print("livebench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
