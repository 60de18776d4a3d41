"""Bases, the embedded OCI writer and the docker backend, against the REAL engine.

These tests fail (they never skip) when the Docker engine is unreachable: the sizes the site
publishes are only trustworthy if embedded == engine is checked here. The cache lives in
/tmp/livebench-test-cache (LIVEBENCH_TEST_CACHE) so debootstrap runs once, not on every session.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import tarfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import BASES, CACHE, DEMO_BASES
from livebench.errors import ImageError
from livebench.run.images import engine as docker_backend
from livebench.run.images import layers
from livebench.run.images.assemble import build_image, select_backend, write_docker_archive
from livebench.run.images.bases import build_base
from livebench.run.images.engine import engine_info
from livebench.run.images.model import Addendum as FileSpec
from livebench.run.images.model import BaseResult
from livebench.run.images.model import ImageRecipe as ImageSpec
from livebench.spec import BaseSpec


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return "sha256:" + h.hexdigest()


@pytest.fixture(scope="session")
def hello_static(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hello")
    (d / "hello.c").write_text('#include <stdio.h>\nint main(void){puts("hello from musl");return 0;}\n')
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", str(d / "hello"), str(d / "hello.c")], check=True)
    return d / "hello"


def _image(name: str, base: str, binary: Path, dest: str = "/usr/local/bin/hello") -> ImageSpec:
    return ImageSpec(name, base, [FileSpec(binary, dest)], entrypoint=[dest])


# -- bases -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", BASES)
def test_base_layer_is_deterministic_and_measured(name: str, bases: dict[str, BaseResult]) -> None:
    base = bases[name]
    assert _sha256(base.tar) == base.diff_id
    with open(base.tar, "rb") as fh:
        assert layers.measure_tar(fh) == (base.size, base.files)
    names = []
    with tarfile.open(base.tar) as tf:
        for m in tf:
            names.append(m.name)
            assert (m.uid, m.gid, m.uname, m.gname, m.mtime) == (0, 0, "", "", 0), m.name
            assert m.isdir() or m.isreg() or m.issym() or m.islnk(), f"special file {m.name} in {name}"
            assert not m.pax_headers.keys() & {"mtime", "atime", "ctime"}
    assert names == sorted(names, key=lambda n: n.rstrip("/"))


def test_base_contents(bases: dict[str, BaseResult]) -> None:
    def members(name: str) -> dict[str, tarfile.TarInfo]:
        with tarfile.open(bases[name].tar) as tf:
            return {m.name.rstrip("/"): m for m in tf}

    assert bases["scratch"].files == 0 and bases["scratch"].size == 0
    bb = members("busybox-musl")
    assert bb["bin/sh"].issym() and bb["bin/sh"].linkname == "busybox"
    assert bb["usr/bin/nc"].linkname == "../../bin/busybox"
    assert bb["lib/ld-musl-x86_64.so.1"].linkname == "x86_64-linux-musl/libc.so" and "lib/x86_64-linux-musl/libc.so" in bb
    dl = members("distroless-static")
    assert {"etc/services", "usr/share/zoneinfo/UTC", "etc/os-release"} <= dl.keys()
    assert any(n.startswith("usr/share/ca-certificates/mozilla/") for n in dl)
    assert oct(dl["tmp"].mode) == oct(0o1777)
    assert not any(n.startswith("usr/lib/x86_64-linux-gnu/libc.so") for n in dl)  # static: no libc
    deb = members("debian")
    assert deb["bin"].issym() and "usr/bin/dash" in deb and "usr/bin/apt-get" in deb
    assert not any(n.startswith("var/cache/apt/archives/") and n.endswith(".deb") for n in deb)
    assert not any(n.startswith("var/lib/apt/lists/") for n in deb)
    assert not any(n.startswith("dev/") for n in deb)  # device nodes left out: the engine makes /dev


def test_base_cache_hit(bases: dict[str, BaseResult]) -> None:
    again = build_base(DEMO_BASES["busybox-musl"], CACHE)
    assert again.cached and again.diff_id == bases["busybox-musl"].diff_id


@pytest.mark.parametrize("name", ["busybox-musl", "distroless-static", "scratch"])
def test_base_rebuilt_from_scratch_has_same_digest(name: str, bases: dict[str, BaseResult], tmp_path: Path) -> None:
    fresh = build_base(DEMO_BASES[name], tmp_path)
    assert not fresh.cached and fresh.diff_id == bases[name].diff_id


def test_base_digest_does_not_depend_on_the_umask(bases: dict[str, BaseResult], tmp_path: Path) -> None:
    # busybox's applet folders (sbin, usr/sbin) are created by us, not unpacked: their mode must be fixed
    old = os.umask(0o077)
    try:
        fresh = build_base(DEMO_BASES["busybox-musl"], tmp_path)
    finally:
        os.umask(old)
    assert fresh.diff_id == bases["busybox-musl"].diff_id


def test_debian_layer_round_trips(bases: dict[str, BaseResult], tmp_path: Path) -> None:
    """Extract the debian layer, write it again from the folder: same digest (modes, links, hard links kept)."""
    from livebench.run.images.extract import extract_tar

    root = tmp_path / "root"
    extract_tar(bases["debian"].tar, root, rootfs=True, compression="")
    stats = layers.layer_from_dir(root, tmp_path / "again.tar")
    assert stats.diff_id == bases["debian"].diff_id
    assert stats.size == bases["debian"].size


def test_registry_base_fails_fast_with_engine(engine) -> None:
    started = time.monotonic()
    with pytest.raises(ImageError) as err:
        build_base(BaseSpec("ubuntu", "registry", image="ubuntu:22.04"), CACHE)
    assert time.monotonic() - started < 30
    assert "'ubuntu:22.04'" in str(err.value) and "docker load" in str(err.value)


def test_registry_base_without_engine(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    started = time.monotonic()
    with pytest.raises(ImageError, match="registries are not supported offline"):
        build_base(BaseSpec("ubuntu", "registry", image="ubuntu:22.04"), CACHE)
    assert time.monotonic() - started < 15


def test_registry_base_from_local_image(engine, bases: dict[str, BaseResult], tmp_path: Path) -> None:
    """An image the engine already holds is flattened into a deterministic layer."""
    ref = docker_backend.ensure_base(engine, bases["busybox-musl"])
    engine.images.get(ref).tag("example.invalid/livebench-busybox", "1")
    spec = BaseSpec("reg-busybox", "registry", image="example.invalid/livebench-busybox:1")
    try:
        a, b = build_base(spec, tmp_path / "a"), build_base(spec, tmp_path / "b")
    finally:
        engine.images.remove("example.invalid/livebench-busybox:1")
    # docker export adds the runtime's own files (empty /etc/hosts ..., /etc/mtab -> /proc/mounts).
    assert a.diff_id == b.diff_id and a.size >= bases["busybox-musl"].size


# -- backends --------------------------------------------------------------------------------------

def test_select_backend_and_engine_info(engine, monkeypatch, caplog) -> None:
    assert select_backend("auto") == "docker"
    info = engine_info()
    assert info is not None and info["storage_driver"] == engine.info()["Driver"]
    assert info["version"] == engine.version()["Version"] and info["api_version"]
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    caplog.set_level("INFO", logger="livebench")
    assert select_backend("auto") == "embedded"
    assert any("auto -> embedded" in r.getMessage() for r in caplog.records)  # the log says why
    assert engine_info() is None
    with pytest.raises(ImageError, match="does not answer"):
        select_backend("docker")
    with pytest.raises(ImageError, match="not one of"):
        select_backend("podman")


@pytest.mark.parametrize("name", BASES)
def test_embedded_size_equals_engine(name: str, engine, bases: dict[str, BaseResult], hello_static: Path) -> None:
    """The figure the site prints (embedded) is the figure `docker images` prints, byte for byte."""
    spec = _image(f"test-hello-{name}", name, hello_static)
    emb = build_image(spec, bases[name], "embedded", CACHE)
    dock = build_image(spec, bases[name], "docker", CACHE)
    assert emb.engine_size is None and emb.backend == "embedded"
    assert dock.engine_size == emb.uncompressed == dock.uncompressed, (name, emb.to_dict(), dock.to_dict())
    assert dock.compressed == emb.compressed and dock.id == emb.id
    assert [l.digest for l in dock.layers] == engine.images.get(dock.ref).attrs["RootFS"]["Layers"]
    roles = [l.role for l in emb.layers]
    assert roles == (["app"] if name == "scratch" else ["base", "app"])
    app = emb.layers[-1]
    assert app.size == hello_static.stat().st_size
    d = dock.to_dict()
    assert set(d) >= {"base", "backend", "ref", "size", "layers"}
    assert set(d["size"]) == {"uncompressed", "compressed", "engine"}
    assert set(d["layers"][0]) >= {"digest", "size", "compressed_size", "role"}
    assert d["engine"]["storage_driver"]
    out = engine.containers.run(dock.ref, remove=True, network_mode="none")
    assert out == b"hello from musl\n"


def test_oci_layout_is_consistent_and_deterministic(bases: dict[str, BaseResult], hello_static: Path) -> None:
    spec = _image("test-oci-busybox", "busybox-musl", hello_static)
    a = build_image(spec, bases["busybox-musl"], "embedded", CACHE)
    b = build_image(spec, bases["busybox-musl"], "embedded", CACHE)
    assert (a.manifest, a.id) == (b.manifest, b.id)
    layout = a.layout
    assert layout is not None
    assert json.loads((layout / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((layout / "index.json").read_text())
    entry = [m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == a.ref]
    assert entry and entry[0]["digest"] == a.manifest

    def blob(digest: str) -> bytes:
        data = (layout / "blobs" / "sha256" / digest.split(":")[1]).read_bytes()
        assert "sha256:" + hashlib.sha256(data).hexdigest() == digest
        return data

    manifest = json.loads(blob(a.manifest))
    config = json.loads(blob(manifest["config"]["digest"]))
    assert config["rootfs"]["diff_ids"] == [l.digest for l in a.layers]
    assert config["config"]["Entrypoint"] == ["/usr/local/bin/hello"] and len(config["history"]) == 2
    for desc, layer in zip(manifest["layers"], a.layers):
        data = blob(desc["digest"])
        assert desc["size"] == len(data) == layer.compressed_size
        assert data[4:8] == b"\0\0\0\0"  # gzip mtime 0
        assert "sha256:" + hashlib.sha256(gzip.decompress(data)).hexdigest() == layer.digest


def test_app_layer_follows_base_symlinks(engine, bases: dict[str, BaseResult], hello_static: Path) -> None:
    """/bin is a link to usr/bin in debian bookworm: /bin/hello must land in usr/bin, keeping /bin/sh."""
    img = build_image(_image("test-debian-binhello", "debian", hello_static, dest="/bin/hello"), bases["debian"],
                      "docker", CACHE)
    app_tar = CACHE / "layers" / (img.layers[-1].digest.split(":")[1] + ".tar")
    with tarfile.open(app_tar) as tf:
        assert tf.getnames() == ["usr/bin/hello"]
    out = engine.containers.run(img.ref, entrypoint=["/bin/sh", "-c", "/bin/hello && ls /bin/dash"],
                                remove=True, network_mode="none")
    assert out == b"hello from musl\n/bin/dash\n"


def test_docker_load_of_embedded_archive(engine, bases: dict[str, BaseResult], hello_static: Path,
                                         tmp_path: Path) -> None:
    """The embedded docker-archive is what `docker load` accepts (a unique file makes it a new image)."""
    marker = tmp_path / "marker"
    marker.write_text(uuid.uuid4().hex)
    spec = ImageSpec("test-load-" + marker.read_text()[:8], "distroless-static",
                     [FileSpec(hello_static, "/hello"), FileSpec(marker, "/etc/marker", 0o644)], entrypoint=["/hello"])
    img = build_image(spec, bases["distroless-static"], "embedded", CACHE)
    archive = write_docker_archive(img, tmp_path / "image.tar")
    try:
        load = subprocess.run(["docker", "load", "-i", str(archive)], capture_output=True, text=True, timeout=120)
        assert load.returncode == 0 and f"Loaded image: {img.ref}" in load.stdout, load.stdout + load.stderr
        attrs = engine.images.get(img.ref).attrs
        assert attrs["Id"] == img.id and attrs["Size"] == img.uncompressed
        run = subprocess.run(["docker", "run", "--rm", "--network", "none", img.ref], capture_output=True, text=True,
                             timeout=60)
        assert run.stdout == "hello from musl\n"
    finally:
        engine.images.remove(img.ref, force=True)


def test_dockerfile_image(engine, bases: dict[str, BaseResult], hello_static: Path, tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "hello").write_bytes(hello_static.read_bytes())
    (ctx / "hello").chmod(0o755)
    (ctx / "Dockerfile").write_text('ARG BASE\nFROM ${BASE}\nCOPY hello /usr/bin/hello\nENTRYPOINT ["/usr/bin/hello"]\n')
    spec = ImageSpec("test-dockerfile-busybox", "busybox-musl", dockerfile=ctx / "Dockerfile")
    img = build_image(spec, bases["busybox-musl"], "docker", CACHE)
    assert img.engine_size == img.uncompressed == bases["busybox-musl"].size + hello_static.stat().st_size
    assert [l.role for l in img.layers] == ["base", "app"] and img.layers[0].digest == bases["busybox-musl"].diff_id
    with pytest.raises(ImageError, match="needs the docker backend"):
        build_image(spec, bases["busybox-musl"], "embedded", CACHE)
    (ctx / "Dockerfile").write_text("ARG BASE\nFROM ${BASE}\nRUN /bin/false\n")
    with pytest.raises(ImageError, match="docker build of .*Dockerfile failed"):
        build_image(ImageSpec("test-dockerfile-bad", "busybox-musl", dockerfile=ctx / "Dockerfile"),
                    bases["busybox-musl"], "docker", CACHE)


def test_image_spec_errors(bases: dict[str, BaseResult], tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="does not exist"):
        build_image(_image("x", "scratch", tmp_path / "missing"), bases["scratch"], "embedded", CACHE)
    with pytest.raises(ImageError, match="declares base 'debian'"):
        build_image(_image("x", "debian", tmp_path / "missing"), bases["scratch"], "embedded", CACHE)
    (tmp_path / "f").write_text("x")
    with pytest.raises(ImageError, match="'..'"):
        build_image(_image("x", "scratch", tmp_path / "f", dest="/../etc/x"), bases["scratch"], "embedded", CACHE)
    with pytest.raises(ImageError, match="is a folder in base"):
        build_image(_image("x", "debian", tmp_path / "f", dest="/usr/bin"), bases["debian"], "embedded", CACHE)


CLEAN_SPEC = """\
version: 1
env: {PATH: /usr/bin:/bin}
builds:
  hello:
    commands: ['musl-gcc -static -O2 -o "$LIVEBENCH_OUT/hello" hello.c']
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [hello.c]
bases:
  empty: {kind: scratch}
  bb: {kind: debs, packages: [busybox-static, musl], busybox_links: true}
images:
  tidy-hello: {base: empty, files: [{build: hello, dest: /hello}], entrypoint: [/hello]}
  tidy-bb: {base: bb, files: [{build: hello, dest: /usr/local/bin/hello}], entrypoint: [hello]}
probes: {builds: [hello], bases: [bb]}
"""


def test_clean_removes_what_this_project_put_into_the_engine_and_nothing_else(engine, tmp_path: Path) -> None:
    import io
    import sys

    (tmp_path / "hello.c").write_text('int main(void){return 0;}\n')
    (tmp_path / "livebench.yml").write_text(CLEAN_SPEC)
    lb = [sys.executable, "-m", "livebench.cli"]
    run = subprocess.run([*lb, "run", "-q", "--backend", "docker", "--spec", "livebench.yml", "--cache-dir", ".c"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    record = json.loads((tmp_path / ".c" / "results.json").read_text())
    refs = [record["images"][n]["ref"] for n in ("tidy-hello", "tidy-bb")]
    for ref in refs:
        assert engine.images.get(ref).labels["org.mkdocs-livebench.role"] == "image"
    probe_image = next(w for w in record["probes"]["hello"]["bb"]["command"].split() if w.startswith("livebench-probe/"))
    assert probe_image not in {t for i in engine.images.list() for t in i.tags}  # results cached, image gone
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:  # the user's own image: no livebench label
        info = tarfile.TarInfo("mine")
        tf.addfile(info, io.BytesIO(b""))
    mine = f"user-owned/keep:{uuid.uuid4().hex[:8]}"
    engine.api.import_image_from_data(buf.getvalue(), repository=mine.split(":")[0], tag=mine.split(":")[1])
    try:
        clean = subprocess.run([*lb, "clean", "--project-root", str(tmp_path), "--cache-dir", ".c"],
                               capture_output=True, text=True, timeout=300)
        assert clean.returncode == 0, clean.stderr
        assert not (tmp_path / ".c").exists()
        left = {t for i in engine.images.list() for t in i.tags}
        assert not set(refs) & left, clean.stdout
        assert mine in left  # never touched
    finally:
        engine.images.remove(mine, force=True)
