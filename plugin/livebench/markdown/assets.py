"""What a site needs besides its pages: our CSS, the charts script, plotly.js (served by the site
itself, never a CDN), the record and its schema (the pages link the record as the data's download).

The MkDocs plugin writes them into ``site_dir`` after the build; a Zensical site gets them into its
``docs_dir`` from ``livebench assets``, and names the CSS in ``extra_css``.
"""
from __future__ import annotations

import posixpath
import shutil
from pathlib import Path
from typing import Any

from .._util.files import compact_json, write_atomic
from ..render.chart_kinds import PLOTLY_BUNDLE

PACKAGE_ASSETS = Path(__file__).resolve().parent.parent / "assets"
FOLDER = "assets/livebench"  # inside the site, as MkDocs and Zensical both serve it
CSS_URL = f"{FOLDER}/livebench.css"
CHARTS_JS_URL = f"{FOLDER}/livebench-charts.js"  # loads plotly.min.js from its own folder
RESULTS_URL = "livebench/results.json"


def write_assets(folder: Path) -> list[Path]:
    """Copy the static files into ``folder`` (a site or docs root); returns what was written."""
    out = folder / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src, name in ((PACKAGE_ASSETS / "livebench.css", "livebench.css"),
                      (PACKAGE_ASSETS / "livebench-charts.js", "livebench-charts.js"),
                      (Path(PLOTLY_BUNDLE), "plotly.min.js")):
        shutil.copyfile(src, out / name)
        written.append(out / name)
    return written


def write_record(folder: Path, record: dict[str, Any], results_path: str = RESULTS_URL, *,
                 text: bytes | None = None) -> Path:
    """The record (every sample: compact; ``text`` if it was dumped already) and its schema beside it."""
    results = folder / results_path
    write_atomic(results, compact_json(record) if text is None else text)
    shutil.copyfile(PACKAGE_ASSETS / "results.schema.json", results.with_name("results.schema.json"))
    return results


def relative_url(target: str, page_url: str) -> str:
    """``target`` (site-relative) as seen from a page at ``page_url`` (``container-diet/`` or ``x.html``)."""
    base = page_url if page_url.endswith("/") else posixpath.dirname(page_url)
    return posixpath.relpath(target, base or ".")
