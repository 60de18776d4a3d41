"""An image = a base + addenda, written as an OCI layout, and loaded into the engine when there is one.

Facade::

    base = build_base(plan.bases["debian"], cache_dir)
    image = build_image(ImageRecipe("slice-debian-glibc", "debian", (Addendum(bin, "/usr/local/bin/slice"),),
                                    entrypoint=["/usr/local/bin/slice"]), base, "auto", cache_dir)
    image.to_dict()  # {"base", "backend", "ref", "size": {...}, "layers": [...], ...}

Sizes: ``uncompressed`` is what ``docker images`` shows on a classic store (overlay2, vfs,
fuse-overlayfs): per layer, files' apparent bytes (hard links once) plus symlink target lengths,
summed over all layers. ``compressed`` sums the gzip blobs (what a registry stores). ``engine`` is
the engine's own ``Size`` (null without an engine); the docker backend checks it equals ours.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._util.log import info
from ...errors import ImageError
from . import engine, layers, oci
from .dockerfile import build_dockerfile
from .model import BaseResult, ImageRecipe, ImageResult, LayerResult

BACKENDS = ("auto", "docker", "embedded")



def select_backend(backend: str = "auto") -> str:
    """"auto" -> "docker" when the engine answers a short ping, else "embedded" (logged either way)."""
    if backend not in BACKENDS:
        raise ImageError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}.")
    if backend == "embedded":
        return backend
    up = engine.ping()
    if backend == "docker":
        if not up:
            raise ImageError(f"backend 'docker' was chosen but the Docker engine does not answer "
                             f"({engine.why_down()}); start dockerd (or check DOCKER_HOST), or set "
                             f"`backend: embedded` / `auto`.")
        return backend
    chosen = "docker" if up else "embedded"
    why = "engine answered" if up else f"no engine answered the ping: {engine.why_down()}"
    info(f"images: backend auto -> {chosen} ({why})")
    return chosen


def _app_layer(spec: ImageRecipe, base: BaseResult, cache_dir: Path) -> oci.Layer:
    index = base.index() if base.kind != "scratch" else {}
    entries: dict[str, layers.Entry] = {}
    for f in spec.files:
        src = Path(f.src)
        if not src.is_file():
            raise ImageError(f"image {spec.name!r}: file {src} does not exist (was its build run?).")
        dest = layers.resolve_in_root(index, f.dest)
        if not dest:
            raise ImageError(f"image {spec.name!r}: destination {f.dest!r} is the image root; name a file.")
        if index.get(dest, [None])[0] == "dir":
            raise ImageError(f"image {spec.name!r}: destination {f.dest!r} is a folder in base {base.name!r}.")
        parts = dest.split("/")
        for i in range(1, len(parts)):  # parent folders the base lacks (existing ones are inherited)
            parent = "/".join(parts[:i])
            if parent not in index and parent not in entries:
                entries[parent] = layers.Entry(parent, "dir", 0o755)
        entries[dest] = layers.Entry(dest, "file", f.mode, source=src)
    out_dir = cache_dir / "layers"
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{spec.name}.tar.part"
    stats = layers.write_layer(entries.values(), tmp)
    final = out_dir / (stats.diff_id.split(":", 1)[1] + ".tar")
    tmp.replace(final)
    return oci.Layer(final, stats.diff_id, stats.size, "app",
                     comment=f"livebench: {', '.join(f'{Path(f.src).name} -> {f.dest}' for f in spec.files)}")


@dataclass(frozen=True)
class Assembled:
    """An image before any sink: its layers bottom first, and its config (go-containerregistry's v1.Image)."""

    name: str
    base: BaseResult
    layers: tuple[oci.Layer, ...]
    config: dict[str, Any]

    @property
    def ref(self) -> str:
        return f"livebench/{self.name}:latest"


def assemble(spec: ImageRecipe, base: BaseResult, cache_dir: Path) -> Assembled:
    """``base`` + ``spec.files`` (mutate.Append): the app layer is written once, by its digest."""
    if spec.base != base.name:
        raise ImageError(f"image {spec.name!r} declares base {spec.base!r} but was given base {base.name!r}.")
    image_layers: list[oci.Layer] = []
    if base.kind != "scratch":  # scratch has no layer at all, like FROM scratch
        image_layers.append(oci.Layer(base.tar, base.diff_id, base.size, "base", comment=f"livebench base {base.name}"))
    image_layers.append(_app_layer(spec, base, cache_dir))
    config = oci.image_config(image_layers, entrypoint=_list(spec.entrypoint), cmd=_list(spec.cmd))
    return Assembled(spec.name, base, tuple(image_layers), config)


def write_layout(image: Assembled, backend: str, cache_dir: Path) -> ImageResult:
    """Sink 1, always: the shared OCI layout; the sizes are measured from the layers written there."""
    layout = oci.Layout(cache_dir / "oci")
    lays = list(image.layers)
    manifest, config_digest, config_bytes = layout.add_image(image.ref, lays, image.config)
    return ImageResult(
        name=image.name, base=image.base.name, backend=backend, ref=image.ref, id=config_digest, manifest=manifest,
        layers=[LayerResult(l.diff_id, l.size, l.compressed_size, l.role, l.blob_digest) for l in lays],
        uncompressed=sum(l.size for l in lays), compressed=sum(l.compressed_size for l in lays),
        engine_size=None, layout=layout.root, config=config_bytes, layer_tars=[l.tar for l in lays])


def load_into_engine(result: ImageResult, base: BaseResult, cache_dir: Path) -> None:
    """Sink 2, with the docker backend: `docker load` of the same bytes; the engine's Size, checked."""
    c = engine.client()
    result.engine = engine.engine_info(c)
    engine.ensure_base(c, base)
    tmp = Path(engine.temp_dir(cache_dir))
    try:
        if not engine.holds(c, result.id):
            write_docker_archive(result, tmp / "image.tar")
        engine.load_archive(c, tmp / "image.tar", result.ref, result.id)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    attrs = engine.inspect(c, result.ref)
    engine_layers = attrs["RootFS"].get("Layers")
    if engine_layers != [l.digest for l in result.layers]:
        raise ImageError(f"image {result.name!r}: the engine holds layers {engine_layers}, expected "
                         f"{[l.digest for l in result.layers]}; remove {result.ref} and rebuild.")
    result.engine_size = int(attrs["Size"])


def build_image(spec: ImageRecipe, base: BaseResult, backend: str, cache_dir: str | Path) -> ImageResult:
    """Build ``spec`` on ``base`` with backend "embedded", "docker" or "auto"; measure its sizes."""
    started = time.monotonic()
    cache_dir = Path(cache_dir)
    backend = select_backend(backend)
    if spec.dockerfile is not None:  # another source, not another branch of assembly
        if backend != "docker":
            raise ImageError(f"image {spec.name!r} is declared with a Dockerfile, which needs the docker backend "
                             f"(backend is {backend!r}); start an engine or declare `files:` instead.")
        result = build_dockerfile(spec, base, cache_dir)
    else:
        result = write_layout(assemble(spec, base, cache_dir), backend, cache_dir)
        if backend == "docker":
            load_into_engine(result, base, cache_dir)
    result.seconds = round(time.monotonic() - started, 3)
    info(f"image {spec.name} ({backend}): {result.uncompressed:,} bytes uncompressed, {result.compressed:,} "
         f"compressed" + (f", engine {result.engine_size:,}" if result.engine_size is not None else ""))
    return result


def write_docker_archive(image: ImageResult, out: str | Path) -> Path:
    """Write the embedded image as a `docker load`-able archive (docker save format)."""
    if not image.config or not image.layer_tars:
        raise ImageError(f"image {image.name!r} has no embedded layers to archive (Dockerfile images live in the engine).")
    lays = [oci.Layer(t, l.digest, l.size, l.role) for t, l in zip(image.layer_tars, image.layers)]
    return oci.write_docker_archive(Path(out), image.ref, image.config, lays)


def _list(words: tuple[str, ...] | list[str] | None) -> list[str] | None:
    return None if words is None else list(words)
