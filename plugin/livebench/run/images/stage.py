"""The image stage of a run: the bases something uses, and the images around the builds' artifacts,
one node of the run's graph each.

Bases are cached by their recipe inside ``bases``; images are cached here by what makes them
(recipe, artifact hashes, base digest, Dockerfile and context contents, backend), so a warm run
neither rebuilds nor re-runs them.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from ..._util.files import sha256_file
from ..._util.proc import run_command
from ...errors import LivebenchError
from ...spec.inputs import dockerfile_inputs
from ...spec.model import ImageSpec, Plan
from ..cache import make_key
from ..context import StageContext
from ..display import Display
from . import engine, oci
from .assemble import build_image
from .bases import build_base
from .model import Addendum, BaseResult, ImageRecipe


def build_one_base(ctx: StageContext, name: str, bases: dict[str, BaseResult]) -> bool:
    """Build (or reuse) one base into ``bases``; a failure is reported, not raised."""
    display = Display.of(ctx.plan.root, ctx.cache.root, shown_root=ctx.plan.display_root)
    ctx.event("start", f"base {name}")
    started = time.monotonic()
    try:
        base = build_base(ctx.plan.bases[name], ctx.options.cache_dir)
    except LivebenchError as exc:
        ctx.fail(f"bases.{name}", str(exc), event_name=f"base {name}")
        return False
    bases[name] = base
    ctx.result.bases[name] = {"kind": base.kind, "diff_id": base.diff_id, "size": base.size, "files": base.files,
                              "cached": base.cached, "seconds": round(time.monotonic() - started, 3),
                              "transcript": [display.entry(dict(e)) for e in base.transcript]}
    ctx.event("cached" if base.cached else "done", f"base {name}")
    return True


def _key(plan: Plan, image: ImageSpec, ctx: StageContext, bases: dict[str, BaseResult], backend: str) -> str:
    return make_key({"image": image.recipe(), "format": oci.CONFIG_FORMAT,
                     "files": [ctx.result.builds[f.build]["artifact"]["sha256"] for f in image.files],
                     "base": bases[image.base].diff_id if image.base in bases else None, "backend": backend,
                     "dockerfile": {os.path.relpath(f, plan.root): sha256_file(f)
                                    for f in dockerfile_inputs(plan.root, image) if f.is_file()}})


def build_one_image(ctx: StageContext, name: str, bases: dict[str, BaseResult], backend: str) -> str:
    """Build (or reuse) one image around its builds' artifacts: "ok", "failed" or "skipped" (a need failed)."""
    plan = ctx.plan
    image = plan.images[name]
    what = f"images.{name}"
    if not image.dockerfile and image.base not in bases:
        ctx.fail(what, f"skipped because base '{image.base}' failed (reported above)", cause=f"bases.{image.base}")
        return "skipped"
    missing = [f.build for f in image.files if ctx.artifact(f.build) is None]
    if missing:
        ctx.fail(what, f"skipped because build(s) {', '.join(missing)} failed (reported above)",
                 cause=f"builds.{missing[0]}")
        return "skipped"
    recipe = ImageRecipe(
        name=name, base=image.base,
        files=tuple(Addendum(ctx.artifact(f.build) or Path(), f.dest, f.mode) for f in image.files),
        entrypoint=image.entrypoint, cmd=image.cmd,
        dockerfile=plan.root / image.dockerfile if image.dockerfile else None,
        context=plan.root / image.context if image.context else None)
    key = _key(plan, image, ctx, bases, backend)
    cached = None if ctx.options.refresh else ctx.cache.get("images", key)
    if cached and backend == "docker" and not engine.has_image(cached.get("ref")):
        cached = None  # the engine lost it (a fresh engine): assemble it again
    if cached:
        cached.pop("_dir", None)
        ctx.result.images[name] = {**cached, "cached": True}
        ctx.event("cached", f"image {name}")
        return "ok"
    ctx.event("start", f"image {name}")
    try:
        result = build_image(recipe, bases.get(image.base or ""), backend, ctx.options.cache_dir / "images")
    except LivebenchError as exc:
        ctx.fail(what, str(exc), event_name=f"image {name}")
        return "failed"
    data: dict[str, Any] = result.to_dict()
    ctx.cache.commit("images", key, ctx.cache.staging(), data)
    ctx.result.images[name] = {**data, "cached": False}
    ctx.event("done", f"image {name}", f"{data['size']['uncompressed']:,} bytes")
    return "ok"


LISTING = "docker images 'livebench/*'"


def capture_listing(ctx: StageContext) -> None:
    """The engine's own `docker images` of the declared images, as its CLI printed it, for the page.

    Lines of other livebench images in the engine (other projects) are left out, and a last line
    says how many, so the output shown is the engine's, not a look-alike."""
    refs = {im["ref"] for im in ctx.result.images.values() if im.get("backend") == "docker" and im.get("ref")}
    if not refs or shutil.which("docker") is None:
        return  # the SDK alone built them: pages say the table is computed
    entry = run_command(LISTING, cwd=ctx.plan.root, timeout=60)
    if entry["exit_code"] != 0:
        ctx.fail("images", f"`{LISTING}` exited {entry['exit_code']}: {entry['output'].strip()[-300:]}")
        return
    lines = entry["output"].rstrip("\n").splitlines()
    kept = lines[:1] + [line for line in lines[1:] if listing_ref(line) in refs]
    others = len(lines) - len(kept)
    if others:
        kept.append(f"[livebench: {others} line(s) of images this project does not declare left out]")
    ctx.result.docker_images = {**entry, "output": "\n".join(kept) + "\n"}


def listing_ref(line: str) -> str:
    """``REPOSITORY:TAG`` of one line of `docker images` (columns are separated by two spaces or more)."""
    cols = re.split(r"\s{2,}", line.strip())
    return f"{cols[0]}:{cols[1]}" if len(cols) > 1 else cols[0]
