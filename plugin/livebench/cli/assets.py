"""``livebench assets``: what a site generator without our plugin (Zensical) must serve, into its docs.

The CSS, the charts script with plotly.js beside it, and the record the pages were rendered from (as
the MkDocs plugin publishes them), written under each docs folder (one per edition: Zensical builds one
language per project), which such a generator copies into its site as is.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .._util.files import rel_to
from ..errors import UsageError
from ..markdown.assets import CSS_URL, FOLDER, RESULTS_URL, write_assets, write_record
from ..record.store import RESULTS_FILE, load_record
from .project import resolve


def cmd_assets(args: argparse.Namespace) -> int:
    project = resolve(args)
    record = load_record(Path(args.frozen) if args.frozen else project.cache_dir / RESULTS_FILE)
    folders = [project.root / d for d in args.docs_dirs] if args.docs_dirs else [project.docs]
    for docs in folders:
        if not docs.is_dir():
            raise UsageError(f"livebench assets: {rel_to(docs, project.root)} is not a folder: name the docs "
                             f"folder of each edition (`livebench assets docs/en docs/ko`)")
    for docs in folders:
        write_assets(docs)
        write_record(docs, record)
        print(f"livebench: wrote {rel_to(docs / FOLDER, project.root)}/ and {rel_to(docs / RESULTS_URL, project.root)}")
    print(f"Keep them out of git (they are rebuilt from the package and the record); the site's config names "
          f"the CSS once: extra_css: [{CSS_URL}]")
    return 0
