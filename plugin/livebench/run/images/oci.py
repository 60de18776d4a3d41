"""A daemonless image writer: OCI image layout and docker-archive, both deterministic.

Like go-containerregistry's ``mutate``: an image is a base plus addenda. Each layer has a diff_id
(sha256 of the uncompressed tar, listed in the config's rootfs) and a descriptor (digest and size of
the gzip blob, listed in the manifest). Gzip blobs use mtime 0, no file name and level 6, so the same
tar always gives the same blob. All images share one layout folder (``<cache>/oci``); blobs are
content-addressed, so a base layer is stored once however many images use it.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

from ..._util import files
from ..._util.files import write_atomic
from .layers import CHUNK, HashingWriter, source_date_epoch

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
GZIP_LEVEL = 6


def canonical_json(obj: object) -> bytes:
    return files.canonical_json(obj).encode()


@dataclass
class Layer:
    tar: Path
    diff_id: str
    size: int  # engine-comparable bytes
    role: str  # "base" | "app"
    blob_digest: str = ""
    compressed_size: int = 0
    comment: str = ""


class Layout:
    """An OCI image layout folder shared by all images of one cache."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs" / "sha256"
        self.blobs.mkdir(parents=True, exist_ok=True)
        (root / "gzip-of").mkdir(exist_ok=True)
        oci_layout = root / "oci-layout"
        if not oci_layout.exists():
            oci_layout.write_bytes(canonical_json({"imageLayoutVersion": "1.0.0"}))

    def blob_path(self, digest: str) -> Path:
        return self.blobs / digest.split(":", 1)[1]

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        path = self.blob_path(digest)
        if not path.exists():
            write_atomic(path, data)
        return digest, len(data)

    def put_gzip(self, layer: Layer) -> None:
        """Compress ``layer.tar`` into a blob (once per diff_id: the mapping is remembered)."""
        memo = self.root / "gzip-of" / (layer.diff_id.split(":", 1)[1] + f".l{GZIP_LEVEL}.json")
        if memo.exists():
            known = json.loads(memo.read_text())
            if self.blob_path(known["digest"]).exists():
                layer.blob_digest, layer.compressed_size = known["digest"], known["size"]
                return
        fd, tmp = tempfile.mkstemp(dir=self.blobs, prefix=".gz-")
        with os.fdopen(fd, "wb") as raw:
            sink = HashingWriter(raw)
            with gzip.GzipFile(filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=sink, mtime=0) as gz, \
                    open(layer.tar, "rb") as src:
                shutil.copyfileobj(src, gz, CHUNK)
        layer.blob_digest, layer.compressed_size = "sha256:" + sink.sha.hexdigest(), sink.count
        os.replace(tmp, self.blob_path(layer.blob_digest))
        write_atomic(memo, canonical_json({"digest": layer.blob_digest, "size": layer.compressed_size}))

    def add_image(self, ref_name: str, layers: list[Layer], config: dict) -> tuple[str, str, bytes]:
        """Write config, manifest and the index entry; return (manifest digest, config digest, config bytes)."""
        for layer in layers:
            self.put_gzip(layer)
        config_bytes = canonical_json(config)
        config_digest, config_size = self.put_bytes(config_bytes)
        manifest = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "digest": config_digest, "size": config_size},
            "layers": [{"mediaType": MT_LAYER_GZ, "digest": l.blob_digest, "size": l.compressed_size}
                       for l in layers],
        }
        manifest_digest, manifest_size = self.put_bytes(canonical_json(manifest))
        with FileLock(str(self.root / "index.json.lock")):
            index_path = self.root / "index.json"
            index = json.loads(index_path.read_text()) if index_path.exists() else \
                {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": []}
            index["manifests"] = [m for m in index["manifests"]
                                  if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != ref_name]
            index["manifests"].append({"mediaType": MT_MANIFEST, "digest": manifest_digest, "size": manifest_size,
                                       "annotations": {"org.opencontainers.image.ref.name": ref_name}})
            index["manifests"].sort(key=lambda m: m["annotations"]["org.opencontainers.image.ref.name"])
            write_atomic(index_path, canonical_json(index))
        return manifest_digest, config_digest, config_bytes


# Every image livebench puts into an engine carries this label (value: image, base or probe), so
# pruning and `livebench clean` touch nothing else in the user's image store.
LABEL = "org.mkdocs-livebench.role"
CONFIG_FORMAT = 2  # bump when image_config() changes what it writes (2: the label): cached images are rebuilt


def image_config(layers: list[Layer], *, entrypoint: list[str] | None, cmd: list[str] | None,
                 env: list[str] | None = None, history: list[str] | None = None) -> dict:
    created = datetime.fromtimestamp(source_date_epoch(), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    cfg: dict = {"Env": env if env is not None else ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
    if entrypoint:
        cfg["Entrypoint"] = list(entrypoint)
    if cmd:
        cfg["Cmd"] = list(cmd)
    cfg["Labels"] = {LABEL: "image"}
    return {
        "architecture": "amd64",
        "os": "linux",
        "created": created,
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": [l.diff_id for l in layers]},
        "history": [{"created": created, "created_by": (history[i] if history else l.comment) or f"livebench {l.role} layer"}
                    for i, l in enumerate(layers)],
    }


def write_docker_archive(out: Path, repo_tag: str, config_bytes: bytes, layers: list[Layer]) -> Path:
    """The `docker save` format (manifest.json + config + uncompressed layer tars) that `docker load` reads."""
    config_hex = hashlib.sha256(config_bytes).hexdigest()
    names = [f"{l.diff_id.split(':', 1)[1]}/layer.tar" for l in layers]
    manifest = [{"Config": f"{config_hex}.json", "RepoTags": [repo_tag], "Layers": names}]
    mtime = source_date_epoch()

    def add(tf: tarfile.TarFile, name: str, data: bytes | None = None, src: Path | None = None) -> None:
        ti = tarfile.TarInfo(name)
        ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname, ti.mode = mtime, 0, 0, "", "", 0o644
        if data is None and src is None:
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            tf.addfile(ti)
        elif data is not None:
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
        else:
            assert src is not None
            ti.size = src.stat().st_size
            with open(src, "rb") as fh:
                tf.addfile(ti, fh)

    tmp = out.with_name(out.name + ".part")
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tf:
        add(tf, f"{config_hex}.json", config_bytes)
        seen: set[str] = set()
        for name, layer in zip(names, layers):
            if name in seen:
                continue
            seen.add(name)
            add(tf, name.split("/")[0])
            add(tf, name, src=layer.tar)
        add(tf, "manifest.json", canonical_json(manifest))
    os.replace(tmp, out)
    return out
