"""What the image stage produces: bases, layers and images, measured (no engine or spec import)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class BaseResult:
    name: str
    kind: str
    key: str
    tar: Path  # deterministic layer tar
    diff_id: str  # "sha256:<hex>" of that tar
    size: int  # engine-comparable bytes (files' apparent sizes, hard links once, symlink targets)
    files: int
    tar_bytes: int
    transcript: list[dict] = field(default_factory=list)
    cached: bool = False
    skipped: list[str] = field(default_factory=list)

    @property
    def index_path(self) -> Path:
        return self.tar.with_name("index.json")

    def index(self) -> dict[str, list]:
        """Directories and symlinks of the base (for resolving image destinations)."""
        return json.loads(self.index_path.read_text())

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tar"] = str(self.tar)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BaseResult:
        return cls(**{**d, "tar": Path(d["tar"])})


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


@dataclass(frozen=True)
class Addendum:
    """A file added on top of a base (go-containerregistry's mutate.Addendum): host ``src`` at ``dest``."""

    src: Path
    dest: str
    mode: int = 0o755


@dataclass(frozen=True)
class ImageRecipe:
    """An image as the run resolved it: base name, addenda with real paths, or a Dockerfile."""

    name: str
    base: str | None
    files: tuple[Addendum, ...] = ()
    entrypoint: tuple[str, ...] | list[str] | None = None
    cmd: tuple[str, ...] | list[str] | None = None
    dockerfile: Path | None = None  # docker backend only: `ARG BASE` + `FROM ${BASE}` gets the base
    context: Path | None = None  # build context of the Dockerfile (default: its folder)
