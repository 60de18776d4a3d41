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
    """The cache folder, and the images this project's runs put into the engine (``--all-images``: every
    image with livebench's label, whichever project made it). Nothing without the label is touched."""
    args.root = args.project_root
    cache_dir = resolve(args).cache_dir
    # Deferred on purpose: docker-py costs ~0.2 s, and a machine without an engine has nothing to clean.
    from ..run.cache import Cache
    from ..run.images import engine
    from ..run.images.bases import cached_bases

    refs = [e["ref"] for e in Cache(cache_dir).entries("images") if e.get("ref")]
    refs += [r for b in cached_bases(cache_dir) if (r := engine.base_ref(b))]
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
        print(f"removed {cache_dir}")
    if args.keep_images:
        return 0
    if not engine.ping():
        print("no Docker engine answers: no images to remove")
        return 0
    c = engine.client()
    ours = {t for image in engine.ours(c) for t in image.tags}
    targets = sorted(ours) if args.all_images else sorted(set(refs) & ours)  # labelled ones only
    left = targets
    while left:  # a base goes only after the images built on it: pass again while a pass removes some
        engine.remove(c, left)
        before, left = len(left), [t for image in engine.ours(c) for t in image.tags if t in targets]
        if len(left) == before:
            break
    print(f"removed {len(targets) - len(left)} image tag(s) livebench had put into the engine"
          + (f"; {len(left)} still in use (by a container, or another project's image)" if left else ""))
    return 0
