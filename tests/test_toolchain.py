"""Real toolchain tests: `livebench rust-target add` and the hello builds, checked with readelf.

These build for real with Debian's rustc/cargo and musl-gcc. A missing toolchain is a failure,
not a skip: the builds the site reports on would be missing too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CACHE, MUSL_STD

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "plugin" / "livebench" / "assets" / "toolchains" / "rust-target.sh"
LIVEBENCH = [sys.executable, "-m", "livebench.cli"]
HELLO_RUST = ROOT / "benchmarks" / "hello-rust"
HELLO_C = ROOT / "benchmarks" / "hello-c" / "hello.c"
TARGET = "x86_64-unknown-linux-musl"
TRIPLE = "X86_64_UNKNOWN_LINUX_MUSL"
DEST = MUSL_STD  # shared across sessions, like the bases: std is built once
HOME = CACHE / "toolchain-home"  # a home of its own: the test sees whether anything wrote ~/.cargo
GLIBC_INTERP = "/lib64/ld-linux-x86-64.so.2"

# what the spec's builds need, and the Debian package providing each
PREREQUISITES = {
    "/usr/bin/rustc": "rustc-web",
    "/usr/bin/cargo": "cargo-web",
    "/usr/bin/musl-gcc": "musl-tools",
    "/usr/bin/gcc": "gcc",
    "/usr/bin/readelf": "binutils",
}

pytestmark = pytest.mark.slow


def _env(**extra: str) -> dict[str, str]:
    """The spec's environment: Debian's toolchain first, never the rustup proxies."""
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": os.environ.get("HOME", "/root")}
    if "CARGO_HOME" in os.environ:  # the runner leaves CARGO_HOME alone; so do we
        env["CARGO_HOME"] = os.environ["CARGO_HOME"]
    env.update(extra)
    return env


def _run(args: list[str], *, cwd: Path | None = None, timeout: float = 600,
         **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_env(**env), capture_output=True, text=True,
                          timeout=timeout)


def _require_toolchain() -> None:
    missing = [f"{path} (apt-get install {pkg})" for path, pkg in PREREQUISITES.items()
               if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail("toolchain missing: " + ", ".join(missing)
                    + "; see benchmarks/toolchain/apt-packages.txt")


def _headers(binary: Path) -> str:
    proc = _run(["readelf", "-lhd", str(binary)])
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _program_header_types(headers: str) -> set[str]:
    section = headers.split("Program Headers:", 1)[1].split("Section to Segment", 1)[0]
    return {m.group(1) for m in re.finditer(r"^\s+([A-Z_]+)\s+0x", section, re.M)}


def _assert_truly_static(binary: Path) -> None:
    headers = _headers(binary)
    types = _program_header_types(headers)
    assert "INTERP" not in types, f"{binary} has a PT_INTERP:\n{headers}"
    assert "DYNAMIC" not in types, f"{binary} has a PT_DYNAMIC:\n{headers}"
    assert "There is no dynamic section in this file." in headers, headers
    assert re.search(r"Type:\s+EXEC", headers), headers


def _assert_glibc_dynamic(binary: Path) -> None:
    headers = _headers(binary)
    types = _program_header_types(headers)
    assert {"INTERP", "DYNAMIC"} <= types, headers
    assert f"[Requesting program interpreter: {GLIBC_INTERP}]" in headers, headers
    assert "Shared library: [libc.so.6]" in headers, headers


def _assert_hello(binary: Path) -> None:
    proc = subprocess.run([str(binary)], capture_output=True, text=True, timeout=30)
    assert (proc.returncode, proc.stdout) == (0, "Hello, world!\n"), proc


@pytest.fixture(scope="module")
def musl_rust(musl_std: Path) -> dict[str, str]:
    """`livebench rust-target add` into the tests' shared folder (conftest's ``musl_std`` built it
    there, cold or warm); returns the variables a build for the target gets."""
    _require_toolchain()
    assert musl_std == DEST
    proc = _run(LIVEBENCH + ["rust-target", "add", TARGET, "--dest", str(DEST)], cwd=ROOT, timeout=1200,
                HOME=str(HOME))
    assert proc.returncode == 0, f"rust-target add failed:\n{proc.stdout}\n{proc.stderr}"
    return dict(line.split("=", 1) for line in (DEST / "env").read_text().splitlines())


def test_rust_target_add_is_idempotent_fast_when_done_and_one_at_a_time(musl_rust: dict[str, str]) -> None:
    start = time.monotonic()
    procs = [subprocess.Popen(LIVEBENCH + ["rust-target", "add", TARGET, "--dest", str(DEST)], cwd=ROOT,
                              env=_env(HOME=str(HOME)), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]  # two at once: flock, then the fast path for both
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "already built" in out, out + err
    assert time.monotonic() - start < 20
    assert list((DEST / "sysroot" / "lib" / "rustlib" / TARGET / "lib").glob("libstd-*.rlib"))


def test_a_copied_toolchain_folder_is_used_where_it_is_not_rebuilt(musl_rust: dict[str, str], tmp_path: Path) -> None:
    """The folder is relocatable: a copy (another project's cache, a moved cache) passes the stamp check and
    gets its own paths in env, so a build with the copy's variables links against the copy."""
    from conftest import seed_toolchain

    seed_toolchain(DEST, tmp_path / "cache")
    copy = tmp_path / "cache" / "toolchains" / TARGET
    proc = _run(LIVEBENCH + ["rust-target", "add", TARGET, "--dest", str(copy)], cwd=ROOT, timeout=120, HOME=str(HOME))
    assert proc.returncode == 0 and "already built" in proc.stdout, proc.stdout + proc.stderr
    moved = dict(line.split("=", 1) for line in (copy / "env").read_text().splitlines())
    flags = moved[f"CARGO_TARGET_{TRIPLE}_RUSTFLAGS"]
    assert f"--sysroot={copy / 'sysroot'}" in flags and str(DEST) not in flags
    hidden = DEST.with_name(DEST.name + ".hidden")
    DEST.rename(hidden)  # the original out of reach while the copy is used
    try:
        build = _run(["cargo", "build", "--release", "--target", TARGET], cwd=HELLO_RUST,
                     CARGO_TARGET_DIR=str(tmp_path / "target"), CARGO_HOME=str(tmp_path / "cargo-home"), **moved)
    finally:
        hidden.rename(DEST)
    assert build.returncode == 0, build.stderr
    _assert_truly_static(tmp_path / "target" / TARGET / "release" / "hello")


def test_nothing_global_is_written(musl_rust: dict[str, str]) -> None:
    """rustup's job done in user space: not the system's rustlib, not the user's cargo config."""
    system_libdir = _run(["/usr/bin/rustc", "--print", "target-libdir", "--target", TARGET]).stdout.strip()
    assert not Path(system_libdir).exists(), f"{system_libdir} exists: something wrote the system sysroot"
    assert not (HOME / ".cargo").exists(), "the user's ~/.cargo was written"
    assert musl_rust[f"CARGO_TARGET_{TRIPLE}_LINKER"] == "/usr/bin/musl-gcc"
    assert f"--sysroot={DEST / 'sysroot'}" in musl_rust[f"CARGO_TARGET_{TRIPLE}_RUSTFLAGS"]


def test_hello_rust_musl_is_truly_static(musl_rust: dict[str, str], tmp_path: Path) -> None:
    # the article's plain command: no extra flags, the step's two variables made it work
    proc = _run(["cargo", "build", "--release", "--target", TARGET], cwd=HELLO_RUST,
                CARGO_TARGET_DIR=str(tmp_path / "target"), CARGO_HOME=str(tmp_path / "cargo-home"), **musl_rust)
    assert proc.returncode == 0, proc.stderr
    binary = tmp_path / "target" / TARGET / "release" / "hello"
    _assert_truly_static(binary)
    _assert_hello(binary)


def test_hello_rust_gnu_is_glibc_dynamic(tmp_path: Path) -> None:
    _require_toolchain()
    proc = _run(["cargo", "build", "--release"], cwd=HELLO_RUST,
                CARGO_TARGET_DIR=str(tmp_path / "target"))
    assert proc.returncode == 0, proc.stderr
    binary = tmp_path / "target" / "release" / "hello"
    _assert_glibc_dynamic(binary)
    _assert_hello(binary)


def test_hello_c_builds(tmp_path: Path) -> None:
    _require_toolchain()
    gnu, musl = tmp_path / "hello-gnu", tmp_path / "hello-musl"
    for args in (["gcc", "-O2", "-o", str(gnu), str(HELLO_C)],
                 ["musl-gcc", "-static", "-O2", "-o", str(musl), str(HELLO_C)]):
        proc = _run(args, timeout=120)
        assert proc.returncode == 0, proc.stderr
    _assert_glibc_dynamic(gnu)
    _assert_truly_static(musl)
    _assert_hello(gnu)
    _assert_hello(musl)


def test_missing_prerequisite_names_the_debian_package(tmp_path: Path) -> None:
    # a copy pointing at a musl-gcc that doesn't exist stops before touching anything
    script = tmp_path / "rust-target.sh"
    text = SCRIPT.read_text()
    assert "MUSL_GCC=/usr/bin/musl-gcc;" in text
    script.write_text(text.replace("MUSL_GCC=/usr/bin/musl-gcc;", "MUSL_GCC=/nonexistent/musl-gcc;"))
    proc = _run(["bash", str(script), TARGET, str(tmp_path / "dest")], cwd=ROOT, timeout=60)
    assert proc.returncode != 0 and not (tmp_path / "dest").exists()
    assert "/nonexistent/musl-gcc not found: apt-get install musl-tools" in proc.stderr, proc.stderr


def test_an_unsupported_target_is_refused_by_name() -> None:
    proc = _run(LIVEBENCH + ["rust-target", "add", "x86_64-unknown-linux-mus"], cwd=ROOT)
    assert proc.returncode == 2 and "supported: x86_64-unknown-linux-musl" in proc.stderr, proc.stderr


def test_apt_packages_cover_the_toolchain() -> None:
    listed = set((ROOT / "benchmarks" / "toolchain" / "apt-packages.txt").read_text().split())
    assert set(PREREQUISITES.values()) | {"musl-dev", "libunwind-14-dev", "rust-web-src",
                                          "libstd-rust-web-dev"} <= listed
