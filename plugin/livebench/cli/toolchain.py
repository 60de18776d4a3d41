"""``livebench rust-target add TARGET``: what ``rustup target add`` does online, offline and in user space.

The target's standard library is built from Debian's packages into a folder the user owns (default:
``toolchains/TARGET`` in the project's cache, so removing the cache removes it); the system's rustlib
and the user's cargo config are never written. The variables builds need are in ``DEST/env``; a
setup step (``rust-target:`` in the spec) hands them to the builds that need it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import BuildError, UsageError
from ..run.steps import RUST_TARGET_SCRIPT
from ..spec.model import RUST_TARGETS
from .project import resolve


def default_dest(cache_dir: Path, target: str) -> Path:
    return cache_dir / "toolchains" / target


def cmd_rust_target(args: argparse.Namespace) -> int:
    if args.target not in RUST_TARGETS:
        raise UsageError(f"{args.target!r} is not a target livebench can build offline; "
                         f"supported: {', '.join(RUST_TARGETS)}.")
    cache = os.environ.get("LIVEBENCH_CACHE")  # set inside a setup step: the run's own cache
    dest = Path(args.dest) if args.dest else default_dest(Path(cache) if cache else resolve(args).cache_dir,
                                                          args.target)
    proc = subprocess.run(["bash", str(RUST_TARGET_SCRIPT), args.target, str(dest)], stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise BuildError(f"rust-target add {args.target}: building its standard library failed "
                         f"(exit {proc.returncode}, see above).")
    exports = os.environ.get("LIVEBENCH_EXPORTS")  # a setup step's: these variables reach its dependents
    if exports:
        shutil.copyfile(dest / "env", exports)
    else:
        print(f"\nTo build for {args.target}, set these (or add `rust-target: {args.target}` to the spec):",
              file=sys.stderr)
        print((dest / "env").read_text().strip(), file=sys.stderr)
    return 0
