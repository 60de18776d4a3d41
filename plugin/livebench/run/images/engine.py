"""The Docker Engine backend, through the Docker SDK (docker-py): the only module that imports it.

Imported only when a run reaches its image stage (the SDK and requests cost ~0.2 s at import).

Images declared as base + files are *loaded* (``docker load``) from the embedded writer's
docker-archive rather than rebuilt with a generated Dockerfile: the engine then holds exactly the
layers the OCI layout holds (same diff_ids, same image ID), so the engine's ``Size`` is an
independent measurement of the very same bytes. A Dockerfile ``COPY`` would stamp its parent
folders with the build time and give other digests on every build.
"""
from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker

from ..._util.log import info
from ...errors import ImageError
from .endpoint import endpoint
from .extract import extract_tar
from .model import BaseResult
from .oci import LABEL

# The SDK errors the probes catch (they talk to the engine too, through this module only).
APIError, DockerException, ImageNotFound = docker.errors.APIError, docker.errors.DockerException, docker.errors.ImageNotFound

PING_TIMEOUT = 3.0
API_TIMEOUT = 600.0
PULL_TIMEOUT = 20.0
_IMPORT_LOCK = threading.Lock()  # probes run in threads: import each base once, not once per thread


def _connect(timeout: float) -> docker.DockerClient:
    """DOCKER_HOST (with DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) as docker-py reads it, else the docker CLI's
    current context (docker-py's from_env ignores contexts), else the local socket."""
    host, origin = endpoint()
    if origin.startswith("docker context"):
        from docker.context import ContextAPI

        ctx = ContextAPI.get_context(origin.split(" ", 2)[2])
        return docker.DockerClient(base_url=host, tls=getattr(ctx, "TLSConfig", None) or False, timeout=timeout)
    return docker.from_env(timeout=timeout)


def client(timeout: float = API_TIMEOUT) -> docker.DockerClient:
    """A client for the engine the docker CLI would use; ImageError when it does not answer."""

    try:
        c = _connect(timeout)
        c.ping()
        return c
    except docker.errors.DockerException as e:
        raise ImageError(f"the Docker engine does not answer ({short_error(e)}); start dockerd or set "
                         f"`backend: embedded`.") from None


def ping(timeout: float = PING_TIMEOUT) -> bool:

    try:
        c = _connect(timeout)
        try:
            return bool(c.ping())
        finally:
            c.close()
    except (docker.errors.DockerException, OSError):
        return False
    except Exception:  # requests' ConnectionError/ReadTimeout when the socket exists but hangs
        return False


def why_down(timeout: float = PING_TIMEOUT) -> str:
    """Where the engine was looked for and why it did not answer, in words a user can act on."""

    host, origin = endpoint()
    host = f"{host} ({origin})" if origin.startswith("docker context") else host  # which context chose it
    try:
        c = _connect(timeout)
        try:
            c.ping()
        finally:
            c.close()
        return f"{host} answers now"
    except Exception as e:  # requests/urllib3 wrap the socket error several levels deep: match its text
        text = repr(e)
        if "Permission denied" in text or "PermissionError" in text:
            reason = "permission denied: add this user to the 'docker' group or run as root"
        elif "FileNotFoundError" in text or "No such file" in text:
            reason = "no such socket"
        elif "Connection refused" in text or "ConnectionRefused" in text:
            reason = "connection refused"
        elif "timed out" in text.lower():
            reason = f"no answer within {timeout:g} s"
        else:
            reason = short_error(e)
        return f"{host}: {reason}"


def engine_info(c: docker.DockerClient | None = None) -> dict[str, Any] | None:
    """Engine version and image store, recorded with every engine size (their meaning depends on it)."""
    if c is None:
        if not ping():
            return None
        c = client()
    details, version = c.info(), c.version()
    status = {k: v for k, v in (details.get("DriverStatus") or [])}
    containerd = "containerd" in str(status.get("driver-type", ""))
    return {
        "version": version.get("Version"),
        "api_version": version.get("ApiVersion"),
        "storage_driver": details.get("Driver"),
        "image_store": "containerd" if containerd else "classic",
        "kernel": details.get("KernelVersion"),
        "os": details.get("OperatingSystem"),
        "cgroup": f"{details.get('CgroupDriver')} v{details.get('CgroupVersion')}",
        "host": endpoint()[0], "host_from": endpoint()[1],  # which engine: a remote one measures its own machine
    }


def short_error(e: BaseException) -> str:
    text = getattr(e, "explanation", None) or str(e)
    return str(text).strip().splitlines()[0][:300] if str(text).strip() else type(e).__name__


def base_ref(base: BaseResult) -> str | None:
    """``livebench-base/NAME:<diff_id 12>``; None for scratch, which has no layer (FROM scratch)."""
    if base.kind == "scratch":
        return None
    return f"livebench-base/{base.name}:{base.diff_id.split(':', 1)[1][:12]}"


def ensure_base(c: docker.DockerClient, base: BaseResult) -> str:
    """Import the base's deterministic tar into the engine once (tagged by digest); return its ref."""
    ref = base_ref(base)
    if ref is None:
        return "scratch"
    with _IMPORT_LOCK:
        return _ensure_base(c, base, ref)


def _ensure_base(c: docker.DockerClient, base: BaseResult, ref: str) -> str:

    try:
        img = c.images.get(ref)
        if img.attrs["RootFS"].get("Layers") == [base.diff_id]:
            return ref
    except docker.errors.ImageNotFound:
        pass
    repo, tag = ref.rsplit(":", 1)
    info(f"docker: importing base {base.name} as {ref}")
    try:
        c.api.import_image_from_file(str(base.tar), repository=repo, tag=tag, changes=[f"LABEL {LABEL}=base"])
        layers = c.images.get(ref).attrs["RootFS"].get("Layers")
    except docker.errors.DockerException as e:
        raise ImageError(f"docker import of base {base.name!r} ({base.tar}) failed: {short_error(e)}") from None
    if layers != [base.diff_id]:
        raise ImageError(f"docker import of base {base.name!r} gave layer {layers}, expected [{base.diff_id}]: "
                         f"the engine rewrote the tar; sizes would not be comparable.")
    for old in c.images.list(name=repo, filters={"label": f"{LABEL}=base"}):  # this base's earlier recipes
        for t in old.tags:
            if t != ref:
                remove(c, [t])
    return ref


def load_archive(c: docker.DockerClient, archive: Path, ref: str, image_id: str) -> None:
    """``docker load`` an archive unless the engine already holds ``image_id``; then tag it ``ref``."""

    try:
        try:
            img = c.images.get(image_id)
        except docker.errors.ImageNotFound:
            info(f"docker: loading {ref} ({archive.stat().st_size:,} bytes archive)")
            with open(archive, "rb") as fh:
                c.images.load(fh)
            img = c.images.get(image_id)
        repo, tag = ref.rsplit(":", 1)
        img.tag(repo, tag)
    except docker.errors.DockerException as e:
        raise ImageError(f"docker load of {ref} from {archive} failed: {short_error(e)}") from None


def inspect(c: docker.DockerClient, ref: str) -> dict[str, Any]:

    try:
        return c.images.get(ref).attrs
    except docker.errors.DockerException as e:
        raise ImageError(f"docker image inspect {ref} failed: {short_error(e)}") from None


def build_dockerfile(c: docker.DockerClient, name: str, dockerfile: Path, context: Path, ref: str,
                     base_ref: str) -> str:
    """Build a user Dockerfile; ``ARG BASE`` / ``FROM ${BASE}`` gets the base's ref. Returns the image ID."""

    if not dockerfile.is_file():
        raise ImageError(f"image {name!r}: Dockerfile {dockerfile} does not exist.")
    try:
        dockerfile_arg = os.path.relpath(dockerfile, context)
        img, logs = c.images.build(path=str(context), dockerfile=dockerfile_arg, tag=ref, rm=True, pull=False,
                                   buildargs={"BASE": base_ref}, network_mode="none", labels={LABEL: "image"})
        for chunk in logs:
            if "stream" in chunk and chunk["stream"].strip():
                info(f"docker build {name}: {chunk['stream'].strip()}")
        return img.id
    except docker.errors.BuildError as e:
        tail = "".join(str(x.get("stream", x.get("error", ""))) for x in e.build_log)[-2000:]
        raise ImageError(f"image {name!r}: docker build of {dockerfile} failed: {e.msg}\n{tail}\n"
                         f"Fix the Dockerfile (FROM ${{BASE}} gets the base {base_ref}; there is no network).") from None
    except docker.errors.DockerException as e:
        raise ImageError(f"image {name!r}: docker build of {dockerfile} failed: {short_error(e)}") from None


def save_layers(c: docker.DockerClient, ref: str, workdir: Path) -> list[Path]:
    """``docker save`` ``ref`` and return its layer tars in rootfs order (to measure them like ours)."""

    archive = workdir / "saved.tar"
    try:
        with open(archive, "wb") as fh:
            for chunk in c.images.get(ref).save(named=False):
                fh.write(chunk)
    except docker.errors.DockerException as e:
        raise ImageError(f"docker save {ref} failed: {short_error(e)}") from None
    out: list[Path] = []
    with tarfile.open(archive) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))  # type: ignore[arg-type]
        for i, name in enumerate(manifest[0]["Layers"]):
            dest = workdir / f"layer{i}.tar"
            with tf.extractfile(name) as src, open(dest, "wb") as dst:  # type: ignore[union-attr]
                while block := src.read(1 << 20):
                    dst.write(block)
            out.append(dest)
    archive.unlink()
    return out


# -- registry bases (only what the engine already holds: nothing can be pulled offline) ---------

def require_registry_engine(name: str, image: str) -> None:
    """Fail fast, with what to do, when a registry base cannot be had."""

    if not ping():
        raise ImageError(
            f"base {name!r} names the registry image {image!r}, but no Docker engine answers and the embedded "
            f"backend does not pull: registries are not supported offline. Declare the base with "
            f"`kind: debootstrap` or `kind: debs` instead, or start an engine that holds {image}.")
    c = client(timeout=PULL_TIMEOUT)
    try:
        c.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    started = time.monotonic()
    try:
        repo, _, tag = image.partition(":")
        c.images.pull(repo, tag=tag or "latest")
    except Exception as e:  # APIError, or a read timeout when the registry black-holes
        raise ImageError(
            f"base {name!r}: the engine does not hold {image!r} and `docker pull {image}` failed after "
            f"{time.monotonic() - started:.1f} s ({short_error(e)}). No registry is reachable from this machine: "
            f"`docker load` the image from a saved archive, or declare the base with `kind: debootstrap`.") from None


def export_registry_image(name: str, image: str, root: Path, transcript: list[dict]) -> None:
    """Flatten ``image`` into ``root`` (docker create + export, then hardened extraction)."""

    c = client()
    started = time.monotonic()
    container = c.containers.create(image, command=["true"])
    try:
        stream = _IterStream(container.export())
        extract_tar(stream, root, name=f"docker export of {image}", rootfs=True, compression="")
    finally:
        container.remove(force=True)
    for leftover in (".dockerenv",):
        (root / leftover).unlink(missing_ok=True)
    transcript.append({"command": f"docker export $(docker create {image}) | tar -x", "output": "",
                       "exit_code": 0, "seconds": round(time.monotonic() - started, 3)})
    info(f"base {name}: flattened {image}")


class _IterStream(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (docker-py's export generator)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks, self.buf = iter(chunks), b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self.buf:
            try:
                self.buf = next(self.chunks)
            except StopIteration:
                return 0
        n = min(len(b), len(self.buf))
        b[:n], self.buf = self.buf[:n], self.buf[n:]
        return n


def temp_dir(cache_dir: Path) -> str:
    (cache_dir / "tmp").mkdir(parents=True, exist_ok=True)
    return tempfile.mkdtemp(dir=cache_dir / "tmp")


def has_image(ref: str | None) -> bool:
    """Whether the engine still holds ``ref`` (a fresh engine has lost every cached image)."""
    if not ref:
        return False

    try:
        client().images.get(ref)
        return True
    except (docker.errors.DockerException, ImageError):
        return False


def holds(c: docker.DockerClient, image_id: str) -> bool:
    """Whether the engine behind ``c`` has the image with this ID (then loading it again is skipped)."""
    try:
        c.images.get(image_id)
        return True
    except docker.errors.ImageNotFound:
        return False


def remove(c: docker.DockerClient, refs: list[str]) -> None:
    """Untag (and so delete, when nothing else uses them) these refs; already gone is fine."""
    for ref in refs:
        try:
            c.images.remove(ref, noprune=False)
        except (docker.errors.ImageNotFound, docker.errors.APIError):
            pass  # gone already, or still used by a container or a child image: kept, not an error


def prune_dangling(c: docker.DockerClient) -> None:
    """Our images a newer build of the same tag left untagged."""
    try:
        c.images.prune(filters={"dangling": True, "label": LABEL})
    except docker.errors.APIError:
        pass  # another prune is running: the next run tidies


def ours(c: docker.DockerClient) -> list[Any]:
    """Every image livebench put into this engine (by label, whatever its tag)."""
    return list(c.images.list(all=True, filters={"label": LABEL}))
