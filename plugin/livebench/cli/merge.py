"""``livebench merge A.json B.json … -o merged.json``: one record of several machines (a CI matrix)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._util.files import write_json_atomic
from ..record.machines import merge
from ..record.store import load_record


def cmd_merge(args: argparse.Namespace) -> int:
    records = [(str(p), load_record(Path(p))) for p in args.records]
    merged = merge(records)
    write_json_atomic(Path(args.output), merged, indent=None)
    for mid, label in merged["merged"]["from"].items():
        prov = merged["machines"][mid]["provenance"]
        failed = len(merged["machines"][mid].get("failures", []))
        print(f"livebench merge: {mid}: {prov.get('arch')}, {prov.get('kernel', '').split(' #')[0]}, "
              f"measured {prov.get('date')}, from {label}" + (f", {failed} failure(s)" if failed else ""),
              file=sys.stderr)
    print(f"livebench merge: wrote {args.output} ({len(merged['machines'])} machines; the sections of the "
          f"record itself are {merged['merged']['primary']}'s)", file=sys.stderr)
    return 1 if merged["failures"] else 0
