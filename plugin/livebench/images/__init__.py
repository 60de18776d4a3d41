"""Container images around built binaries: bases, a daemonless OCI writer, the Docker backend.

Facade::

    base = build_base(DEFAULT_BASES["debian"], cache_dir, log)
    image = build_image(ImageSpec("slice-debian-glibc", "debian", [FileSpec(bin, "/usr/local/bin/slice")],
                                  entrypoint=["/usr/local/bin/slice"]), base, "auto", cache_dir, log)
    image.to_dict()  # {"base", "backend", "ref", "size": {...}, "layers": [...], ...}

Sizes: ``uncompressed`` is what ``docker images`` shows on a classic store (overlay2, vfs,
fuse-overlayfs): per layer, files' apparent bytes (hard links once) plus symlink target lengths,
summed over all layers. ``compressed`` sums the gzip blobs (what a registry stores). ``engine`` is
the engine's own ``Size`` (null without an engine); the docker backend checks it equals ours.
"""
from __future__ import annotations

import gzip
import hashlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import ImageError
from . import docker_backend, layers, oci
from .bases import DEFAULT_BASES, BaseResult, BaseSpec, build_base
from .docker_backend import engine_info

__all__ = ["BaseSpec", "BaseResult", "DEFAULT_BASES", "build_base", "FileSpec", "ImageSpec", "ImageResult",
           "LayerResult", "build_image", "select_backend", "engine_info", "write_docker_archive"]

Log = Callable[[str], None]
BACKENDS = ("auto", "docker", "embedded")


def _nolog(msg: str) -> None:
    pass


@dataclass(frozen=True)
class FileSpec:
    src: Path  # on the host (a build's artifact)
    dest: str  # absolute path inside the image
    mode: int = 0o755


@dataclass(frozen=True)
class ImageSpec:
    name: str
    base: str
    files: tuple[FileSpec, ...] | list[FileSpec] = ()
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    dockerfile: Path | None = None  # docker backend only: `ARG BASE` + `FROM ${BASE}` gets the base
    context: Path | None = None  # build context of the Dockerfile (default: its folder)


@dataclass
class LayerResult:
    digest: str  # diff_id: sha256 of the uncompressed tar
    size: int
    compressed_size: int
    role: str  # "base" | "app"
    blob: str = ""  # digest of the gzip blob (the manifest descriptor)

    def to_dict(self) -> dict[str, Any]:
        return {"digest": self.digest, "size": self.size, "compressed_size": self.compressed_size,
                "role": self.role, "blob": self.blob}


@dataclass
class ImageResult:
    name: str
    base: str
    backend: str  # "embedded" | "docker"
    ref: str  # livebench/NAME:latest (engine tag, and the OCI layout's ref.name)
    id: str  # config digest = the engine's image ID
    manifest: str | None
    layers: list[LayerResult]
    uncompressed: int
    compressed: int
    engine_size: int | None
    engine: dict[str, Any] | None = None
    layout: Path | None = None  # the shared OCI layout folder
    seconds: float = 0.0
    config: bytes = field(default=b"", repr=False)
    layer_tars: list[Path] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base, "backend": self.backend, "ref": self.ref, "id": self.id, "manifest": self.manifest,
            "size": {"uncompressed": self.uncompressed, "compressed": self.compressed, "engine": self.engine_size},
            "layers": [l.to_dict() for l in self.layers],
            "engine": self.engine, "oci_layout": str(self.layout) if self.layout else None,
            "seconds": self.seconds,
        }


def select_backend(backend: str = "auto", log: Log | None = None) -> str:
    """"auto" -> "docker" when the engine answers a short ping, else "embedded" (logged either way)."""
    log = log or _nolog
    if backend not in BACKENDS:
        raise ImageError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}.")
    if backend == "embedded":
        return backend
    up = docker_backend.ping()
    if backend == "docker":
        if not up:
            raise ImageError(f"backend 'docker' was chosen but the Docker engine does not answer "
                             f"({docker_backend.why_down()}); start dockerd (or check DOCKER_HOST), or set "
                             f"`backend: embedded` / `auto`.")
        return backend
    chosen = "docker" if up else "embedded"
    why = "engine answered" if up else f"no engine answered the ping: {docker_backend.why_down()}"
    log(f"images: backend auto -> {chosen} ({why})")
    return chosen


def _app_layer(spec: ImageSpec, base: BaseResult, cache_dir: Path) -> oci.Layer:
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


def build_image(spec: ImageSpec, base: BaseResult, backend: str, cache_dir: str | Path,
                log: Log | None = None) -> ImageResult:
    """Build ``spec`` on ``base`` with backend "embedded", "docker" or "auto"; measure its sizes."""
    log = log or _nolog
    started = time.monotonic()
    cache_dir = Path(cache_dir)
    backend = select_backend(backend, log)
    if spec.base != base.name:
        raise ImageError(f"image {spec.name!r} declares base {spec.base!r} but was given base {base.name!r}.")
    ref = f"livebench/{spec.name}:latest"
    if spec.dockerfile is not None:
        if backend != "docker":
            raise ImageError(f"image {spec.name!r} is declared with a Dockerfile, which needs the docker backend "
                             f"(backend is {backend!r}); start an engine or declare `files:` instead.")
        return _build_dockerfile(spec, base, ref, cache_dir, log, started)
    image_layers: list[oci.Layer] = []
    if base.kind != "scratch":  # scratch has no layer at all, like FROM scratch
        image_layers.append(oci.Layer(base.tar, base.diff_id, base.size, "base", comment=f"livebench base {base.name}"))
    image_layers.append(_app_layer(spec, base, cache_dir))
    config = oci.image_config(image_layers, entrypoint=spec.entrypoint, cmd=spec.cmd)
    layout = oci.Layout(cache_dir / "oci")
    manifest, config_digest, config_bytes = layout.add_image(ref, image_layers, config)
    result = ImageResult(
        name=spec.name, base=base.name, backend=backend, ref=ref, id=config_digest, manifest=manifest,
        layers=[LayerResult(l.diff_id, l.size, l.compressed_size, l.role, l.blob_digest) for l in image_layers],
        uncompressed=sum(l.size for l in image_layers), compressed=sum(l.compressed_size for l in image_layers),
        engine_size=None, layout=layout.root, config=config_bytes, layer_tars=[l.tar for l in image_layers])
    if backend == "docker":
        c = docker_backend.client()
        result.engine = docker_backend.engine_info(c)
        docker_backend.ensure_base(c, base, log)
        tmp = Path(docker_backend.temp_dir(cache_dir))
        try:
            if not _engine_has(c, config_digest):
                write_docker_archive(result, tmp / "image.tar")
            docker_backend.load_archive(c, tmp / "image.tar", ref, config_digest, log)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        attrs = docker_backend.inspect(c, ref)
        engine_layers = attrs["RootFS"].get("Layers")
        if engine_layers != [l.digest for l in result.layers]:
            raise ImageError(f"image {spec.name!r}: the engine holds layers {engine_layers}, expected "
                             f"{[l.digest for l in result.layers]}; remove {ref} and rebuild.")
        result.engine_size = int(attrs["Size"])
    result.seconds = round(time.monotonic() - started, 3)
    log(f"image {spec.name} ({backend}): {result.uncompressed:,} bytes uncompressed, {result.compressed:,} "
        f"compressed" + (f", engine {result.engine_size:,}" if result.engine_size is not None else ""))
    return result


def write_docker_archive(image: ImageResult, out: str | Path) -> Path:
    """Write the embedded image as a `docker load`-able archive (docker save format)."""
    if not image.config or not image.layer_tars:
        raise ImageError(f"image {image.name!r} has no embedded layers to archive (Dockerfile images live in the engine).")
    lays = [oci.Layer(t, l.digest, l.size, l.role) for t, l in zip(image.layer_tars, image.layers)]
    return oci.write_docker_archive(Path(out), image.ref, image.config, lays)


def _engine_has(c: Any, image_id: str) -> bool:
    import docker

    try:
        c.images.get(image_id)
        return True
    except docker.errors.ImageNotFound:
        return False


def _build_dockerfile(spec: ImageSpec, base: BaseResult, ref: str, cache_dir: Path, log: Log,
                      started: float) -> ImageResult:
    c = docker_backend.client()
    bref = docker_backend.ensure_base(c, base, log)
    dockerfile = Path(spec.dockerfile)  # type: ignore[arg-type]
    context = Path(spec.context) if spec.context else dockerfile.parent
    image_id = docker_backend.build_dockerfile(c, spec.name, dockerfile, context, ref, bref, log)
    attrs = docker_backend.inspect(c, ref)
    tmp = Path(docker_backend.temp_dir(cache_dir))
    try:
        saved = docker_backend.save_layers(c, ref, tmp)
        result_layers: list[LayerResult] = []
        base_ids = [] if base.kind == "scratch" else [base.diff_id]
        for i, tar in enumerate(saved):
            with open(tar, "rb") as fh:
                size, _files = layers.measure_tar(fh)
            lay = oci.Layer(tar, "", size, "")
            digest = _sha256(tar)
            lay.diff_id = digest
            sink = layers._HashingWriter(None)  # count and hash the blob, never store it
            with gzip.GzipFile(filename="", mode="wb", compresslevel=oci.GZIP_LEVEL, fileobj=sink, mtime=0) as gz, \
                    open(tar, "rb") as src:
                shutil.copyfileobj(src, gz, layers.CHUNK)
            role = "base" if i < len(base_ids) and digest == base_ids[i] else "app"
            result_layers.append(LayerResult(digest, size, sink.count, role, "sha256:" + sink.sha.hexdigest()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ImageResult(
        name=spec.name, base=base.name, backend="docker", ref=ref, id=image_id, manifest=None, layers=result_layers,
        uncompressed=sum(l.size for l in result_layers), compressed=sum(l.compressed_size for l in result_layers),
        engine_size=int(attrs["Size"]), engine=docker_backend.engine_info(c),
        seconds=round(time.monotonic() - started, 3))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(layers.CHUNK):
            h.update(block)
    return "sha256:" + h.hexdigest()
