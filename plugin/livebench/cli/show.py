"""``livebench show`` and ``livebench clean``: the last record, and removing what livebench keeps."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from ..record.store import RESULTS_FILE, load_record
from .check import claims_summary
from .project import resolve
from .run import summary


def cmd_show(args: argparse.Namespace) -> int:
    record = load_record(Path(args.frozen) if args.frozen else resolve(args).cache_dir / RESULTS_FILE)
    if args.json:
        json.dump(record, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        summary(record)
        claims_summary(record)
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    args.root = args.project_root
    cache_dir = resolve(args).cache_dir
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
        print(f"removed {cache_dir}")
    return 0
