"""A Dockerfile image: another source of an image, built by the engine and measured from its layers."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from ..._util.files import sha256_file
from . import engine, layers, oci
from .model import BaseResult, ImageRecipe, ImageResult, LayerResult


def build_dockerfile(spec: ImageRecipe, base: BaseResult, cache_dir: Path) -> ImageResult:
    """`docker build` with the base as `BASE`; sizes from `docker save`d layers, measured as ours are."""
    ref = f"livebench/{spec.name}:latest"
    c = engine.client()
    bref = engine.ensure_base(c, base)
    dockerfile = Path(spec.dockerfile)  # type: ignore[arg-type]
    context = Path(spec.context) if spec.context else dockerfile.parent
    image_id = engine.build_dockerfile(c, spec.name, dockerfile, context, ref, bref)
    attrs = engine.inspect(c, ref)
    tmp = Path(engine.temp_dir(cache_dir))
    try:
        saved = engine.save_layers(c, ref, tmp)
        result_layers: list[LayerResult] = []
        base_ids = [] if base.kind == "scratch" else [base.diff_id]
        for i, tar in enumerate(saved):
            with open(tar, "rb") as fh:
                size, _files = layers.measure_tar(fh)
            digest = "sha256:" + sha256_file(tar)
            sink = layers.HashingWriter(None)  # count and hash the blob, never store it
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
        engine_size=int(attrs["Size"]), engine=engine.engine_info(c))
