"""Fixtures shared by the tests that need the REAL Docker engine, the demo's bases or Chromium.

``engine`` FAILS (never skips) when the engine is unreachable. ``bases`` builds the four demo bases
into CACHE (/tmp/livebench-test-cache, or LIVEBENCH_TEST_CACHE), shared across sessions so
debootstrap runs once; the recipes are the demo spec's (``DEMO_BASES``). ``browser`` is Debian's Chromium driven by Playwright, one per session:
Playwright's sync API refuses a second instance while the first one's event loop is running.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from livebench.run.images import engine as docker_backend
from livebench.run.images.bases import build_base
from livebench.run.images.model import BaseResult
from livebench.spec import BaseSpec, load_plan

CACHE = Path(os.environ.get("LIVEBENCH_TEST_CACHE", "/tmp/livebench-test-cache"))
CHROMIUM = Path(os.environ.get("LIVEBENCH_CHROMIUM", "/usr/bin/chromium"))
BASES = ["scratch", "busybox-musl", "distroless-static", "debian"]
ROOT = Path(__file__).resolve().parent.parent
# The demo's base recipes, as its spec declares them (the library ships no bases of its own).
DEMO_BASES: dict[str, BaseSpec] = dict(load_plan(ROOT / "benchmarks" / "livebench.yml", root=ROOT).bases)


@pytest.fixture(scope="session")
def engine():
    if not docker_backend.ping(timeout=10):
        pytest.fail("the Docker engine does not answer: these tests need it (start dockerd; they never skip)")
    return docker_backend.client()


@pytest.fixture(scope="session")
def bases() -> dict[str, BaseResult]:
    return {name: build_base(DEMO_BASES[name], CACHE) for name in BASES}


MUSL_TARGET = "x86_64-unknown-linux-musl"
MUSL_STD = CACHE / "toolchains" / MUSL_TARGET  # shared across sessions, like the bases


@pytest.fixture(scope="session")
def musl_std() -> Path:
    """The musl target's std, built once for the suite by `livebench rust-target add --dest` (cold, a
    couple of minutes; warm, instant), with a home of its own so tests can see nothing wrote ~/.cargo."""
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(CACHE / "toolchain-home"),
           **({"CARGO_HOME": os.environ["CARGO_HOME"]} if "CARGO_HOME" in os.environ else {})}
    proc = subprocess.run([sys.executable, "-m", "livebench.cli", "rust-target", "add", MUSL_TARGET,
                           "--dest", str(MUSL_STD)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"rust-target add failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return MUSL_STD


def seed_toolchain(std: Path, cache_dir: Path) -> None:
    """Put the suite's std into a project's cache where its `rust-target:` step looks (the step still runs
    and checks it; the folder is relocatable): the suite builds std once instead of once per project."""
    dest = cache_dir / "toolchains" / std.name
    stamp = dest / ".stamp"
    if stamp.exists() and stamp.read_bytes() == (std / ".stamp").read_bytes():
        return  # this project's own is as current as the suite's
    staging = dest.with_name(dest.name + ".seeding")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(std, staging, symlinks=True, ignore=shutil.ignore_patterns(".lock"))
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)


@pytest.fixture(scope="session")
def demo_cache(musl_std: Path) -> Path:
    """The demo's own cache (the repository's .livebench-cache), with the suite's musl std in it."""
    cache = ROOT / ".livebench-cache"
    seed_toolchain(musl_std, cache)
    return cache


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """A wheel of this package, as a user would install it (not the editable checkout)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    return next(out.glob("mkdocs_livebench-*.whl"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), (f"Chromium not found at {CHROMIUM}: install Debian's chromium "
                               "(apt-get install chromium) or set LIVEBENCH_CHROMIUM; these tests never skip")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session", autouse=True)
def engine_left_tidy():
    """The suite removes the images it put into the engine (livebench labels every image it makes)."""
    c = docker_backend.client() if docker_backend.ping(timeout=10) else None  # engine tests fail on their own
    before = {i.id for i in docker_backend.ours(c)} if c else set()
    yield
    if c is None:
        return
    for _ in range(3):  # children before the bases they are built on
        new = [i for i in docker_backend.ours(c) if i.id not in before]
        for image in new:
            docker_backend.remove(c, image.tags or [image.id])
        if not new:
            break


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass


@pytest.fixture(scope="session")
def serve():
    """Serve a built site on 127.0.0.1 (a free port): `serve(folder)` gives its base URL."""
    servers = []

    def start(folder: Path) -> str:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()
