"""Where the CLI finds a project's spec, cache and pages: the flags, else the livebench options in
the project's mkdocs.yml (as the site build uses them), else the defaults."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError

DEFAULT_SPEC = "benchmarks/livebench.yml"
DEFAULT_CACHE = ".livebench-cache"
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


@dataclass(frozen=True)
class Project:
    root: Path
    spec: str  # relative to root unless absolute
    cache_dir: Path
    docs: Path
    config: Path | None  # the mkdocs.yml the settings came from, if any


def resolve(args: argparse.Namespace) -> Project:
    root = Path(args.root).resolve()
    config, opts, docs_dir = _mkdocs_options(root)
    spec = getattr(args, "spec", None) or opts.get("spec") or DEFAULT_SPEC
    cache = Path(args.cache_dir or opts.get("cache_dir") or DEFAULT_CACHE)
    docs = Path(getattr(args, "docs", None) or docs_dir or "docs")
    return Project(root=root, spec=str(spec), cache_dir=cache if cache.is_absolute() else root / cache,
                   docs=docs if docs.is_absolute() else root / docs, config=config)


def _mkdocs_options(root: Path) -> tuple[Path | None, dict[str, Any], str | None]:
    """(the config file, the livebench plugin's options, docs_dir) — empty when there is no mkdocs.yml."""
    config = next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)
    if config is None:
        return None, {}, None
    # MkDocs' own loader: it resolves !ENV and !relative as the site build does.
    from mkdocs.utils.yaml import yaml_load  # deferred on purpose: only commands that read a project need it

    try:
        with open(config, encoding="utf-8") as fh:
            data = yaml_load(fh) or {}
    except Exception as exc:  # yaml's and MkDocs' errors alike: the user's file, not our bug
        raise UsageError(f"{config.name}: cannot read it ({exc}). Fix it, or pass --spec and --cache-dir.") from None
    if not isinstance(data, dict):
        return config, {}, None
    options: dict[str, Any] = {}
    for entry in data.get("plugins") or []:
        if entry == "livebench":
            break
        if isinstance(entry, dict) and "livebench" in entry:
            options = entry["livebench"] or {}
            break
    docs_dir = data.get("docs_dir")
    return config, options if isinstance(options, dict) else {}, docs_dir if isinstance(docs_dir, str) else None
