"""The files a declaration is made from, found on disk: what keys the cache and the warm fingerprint."""
from __future__ import annotations

import os
from pathlib import Path

from .model import ImageSpec


def dockerfile_inputs(root: Path, image: ImageSpec) -> list[Path]:
    """The files a ``dockerfile`` image is made from: the Dockerfile and its build context (less ``.git``
    and any livebench cache inside it, which change on every run). Sorted; empty for other images."""
    if not image.dockerfile:
        return []
    dockerfile = root / image.dockerfile
    context = root / image.context if image.context else dockerfile.parent
    out = {dockerfile}
    for folder, dirs, names in os.walk(context):
        if "run.lock" in names:  # a livebench cache folder
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if d != ".git"]
        out.update(Path(folder) / n for n in names)
    return sorted(out)
