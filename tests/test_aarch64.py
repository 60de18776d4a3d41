"""A second architecture on one machine: aarch64 builds with Debian's cross gcc (glibc, and static musl
through multiarch) and Debian's Rust (its aarch64 std through multiarch), linkage read from the aarch64
ELF files, and probes run under qemu-user-static, called explicitly (no binfmt_misc)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SPEC = """\
version: 1
tools:
  cross-gcc: {version: "aarch64-linux-gnu-gcc --version | head -n 1", package: gcc-aarch64-linux-gnu}
  rustc: {version: "rustc --version", package: rustc-web}
  cargo: {version: "cargo --version", package: cargo-web}
env: {PATH: /usr/bin:/bin}
builds:
  hello-a64-dynamic:
    workdir: src
    tools: [cross-gcc]
    commands: ['aarch64-linux-gnu-gcc -O2 -o "$LIVEBENCH_OUT/hello" hello.c']
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
    expect: {kind: dynamic, libc: glibc}
  hello-a64-static:
    workdir: src
    tools: [cross-gcc]
    commands: ['aarch64-linux-gnu-gcc -O2 -static -o "$LIVEBENCH_OUT/hello" hello.c']
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
    expect: {kind: static, libc: glibc}
  hello-a64-musl:  # musl for arm64 through multiarch (musl-dev:arm64): its specs put the cross gcc on musl
    workdir: src
    tools: [cross-gcc]
    commands: ['aarch64-linux-gnu-gcc -O2 -static -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs -o "$LIVEBENCH_OUT/hello" hello.c']
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
    expect: {kind: static, libc: musl}
  hello-rust-a64:  # Rust's aarch64 target: Debian ships its std (libstd-rust-web-dev:arm64, multiarch)
    workdir: rust
    tools: [cross-gcc, rustc, cargo]
    env:
      CARGO_TARGET_DIR: "${LIVEBENCH_WORK}/target"
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER: aarch64-linux-gnu-gcc
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS: "-C target-feature=+crt-static"
    commands: [cargo build --release --offline --target aarch64-unknown-linux-gnu]
    artifact: ${LIVEBENCH_WORK}/target/aarch64-unknown-linux-gnu/release/hello
    inputs: [rust/**]
    expect: {kind: static, libc: glibc}
bases:
  scratch: {kind: scratch}
probes:
  builds: [hello-a64-dynamic, hello-a64-static, hello-a64-musl, hello-rust-a64]
  bases: [scratch]
  expect:
    hello-a64-dynamic: {scratch: fails}
    hello-a64-static: {scratch: runs}
    hello-a64-musl: {scratch: runs}
    hello-rust-a64: {scratch: runs}
"""


def _project(root: Path, spec: str, files: dict[str, str]) -> None:
    for rel, text in {**files, "livebench.yml": spec}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _cargo_toml(name: str) -> str:
    return f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n'


def _run(root: Path, *args: str, timeout: float) -> dict:
    """`livebench run --json` of the project's spec: its record."""
    proc = subprocess.run([sys.executable, "-m", "livebench.cli", "run", "--spec", "livebench.yml", "--json", "-q",
                           *args], cwd=root, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize("backend", ["embedded", "docker"])
def test_aarch64_builds_are_read_and_probed_emulated(tmp_path: Path, backend: str, request) -> None:
    for tool, package in (("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"), ("qemu-aarch64-static", "qemu-user-static")):
        assert shutil.which(tool), f"{tool} is missing: apt-get install {package}"
    assert Path("/usr/lib/aarch64-linux-musl/libc.a").is_file(), \
        "musl for arm64 is missing: dpkg --add-architecture arm64 && apt-get update && apt-get install musl-dev:arm64"
    assert Path("/usr/lib/rustlib/aarch64-unknown-linux-gnu").is_dir(), \
        "Rust's aarch64 std is missing: dpkg --add-architecture arm64 && apt-get update && apt-get install libstd-rust-web-dev:arm64"
    if backend == "docker":
        request.getfixturevalue("engine")  # fails (never skips) without an engine
    _project(tmp_path, SPEC, {
        "src/hello.c": '#include <stdio.h>\nint main(void){puts("Hello from aarch64");return 0;}\n',
        "rust/Cargo.toml": _cargo_toml("hello"),
        "rust/src/main.rs": 'fn main() { println!("Hello from Rust on aarch64"); }\n'})
    record = _run(tmp_path, "--backend", backend, "--machine", "aarch64-emulated", timeout=600)
    assert record["provenance"]["arch"] == "x86_64" and record["provenance"]["machine"] == "aarch64-emulated"
    dynamic, static = (record["builds"][n]["linkage"] for n in ("hello-a64-dynamic", "hello-a64-static"))
    assert (dynamic["machine"], dynamic["kind"], dynamic["libc"]) == ("aarch64", "dynamic", "glibc")
    assert dynamic["interpreter"] == "/lib/ld-linux-aarch64.so.1"
    assert (static["machine"], static["kind"], static["libc"]) == ("aarch64", "static", "glibc")
    musl = record["builds"]["hello-a64-musl"]["linkage"]
    assert (musl["machine"], musl["kind"], musl["libc"], musl["interpreter"]) == ("aarch64", "static", "musl", None)
    assert record["builds"]["hello-a64-musl"]["artifact"]["size"] < record["builds"]["hello-a64-static"]["artifact"]["size"]
    rust = record["builds"]["hello-rust-a64"]["linkage"]
    assert (rust["machine"], rust["kind"], rust["libc"]) == ("aarch64", "static", "glibc")
    on_rust = record["probes"]["hello-rust-a64"]["scratch"]
    assert on_rust["emulated"] and on_rust["output"].strip() == "Hello from Rust on aarch64"
    on_musl = record["probes"]["hello-a64-musl"]["scratch"]
    assert on_musl["emulated"] and on_musl["exit_code"] == 0 and on_musl["output"].strip() == "Hello from aarch64"
    ran = record["probes"]["hello-a64-static"]["scratch"]
    assert ran["emulated"].startswith("qemu-aarch64-static (qemu-aarch64 version ")
    assert ran["exit_code"] == 0 and ran["output"].strip() == "Hello from aarch64" and ran["how"] == (
        "docker" if backend == "docker" else "sandbox")
    assert ran["shown"] == "/hello" and "/.livebench-emulator /hello" in ran["command"]
    failed = record["probes"]["hello-a64-dynamic"]["scratch"]
    assert failed["emulated"] and failed["exit_code"] != 0  # scratch has no aarch64 loader
    assert "ld-linux-aarch64.so.1" in failed["output"]


MUSL_SPEC = """\
version: 1
tools:
  rustc: {version: "rustc --version", package: rustc-web}
  cargo: {version: "cargo --version", package: cargo-web}
  cross-gcc: {version: "aarch64-linux-gnu-gcc --version | head -n 1", package: gcc-aarch64-linux-gnu}
env: {PATH: /usr/bin:/bin}
setup:
  musl-a64: {rust-target: aarch64-unknown-linux-musl, tools: [rustc, cargo, cross-gcc], timeout: 1500}
builds:
  unwind-a64-musl:
    workdir: rust
    needs: [musl-a64]
    tools: [rustc, cargo, cross-gcc]
    env: {CARGO_TARGET_DIR: "${LIVEBENCH_WORK}/target"}
    commands: [cargo build --release --offline --target aarch64-unknown-linux-musl]
    artifact: ${LIVEBENCH_WORK}/target/aarch64-unknown-linux-musl/release/unwind
    inputs: [rust/**]
    expect: {kind: static, libc: musl}
bases:
  scratch: {kind: scratch}
probes:
  builds: [unwind-a64-musl]
  bases: [scratch]
  expect: {unwind-a64-musl: {scratch: runs}}
"""


def test_rust_aarch64_musl_std_is_built_offline_and_unwinds(tmp_path: Path) -> None:
    """`rust-target: aarch64-unknown-linux-musl`: std built from Debian's sources for arm64 musl, linked by
    the cross gcc with musl's specs and LLVM's arm64 libunwind; a panic caught under emulation proves the
    unwinder is really there, not only that the binary links."""
    assert Path("/usr/lib/aarch64-linux-musl/musl-gcc.specs").is_file(), \
        "musl for arm64 is missing: dpkg --add-architecture arm64 && apt-get update && apt-get install musl-dev:arm64"
    _project(tmp_path, MUSL_SPEC, {
        "rust/Cargo.toml": _cargo_toml("unwind"),
        "rust/src/main.rs": 'fn main() {\n    std::panic::set_hook(Box::new(|_| {}));\n'
                            '    let caught = std::panic::catch_unwind(|| panic!("deliberate")).is_err();\n'
                            '    println!("aarch64 musl, panic caught: {caught}");\n}\n'})
    record = _run(tmp_path, "--backend", "embedded", timeout=1800)
    build = record["builds"]["unwind-a64-musl"]
    linkage = build["linkage"]
    assert (linkage["machine"], linkage["kind"], linkage["libc"], linkage["interpreter"]) == (
        "aarch64", "static", "musl", None)
    env = (tmp_path / ".livebench-cache" / "toolchains" / "aarch64-unknown-linux-musl" / "env").read_text()
    assert "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=" in env and "aarch64-linux-musl-gcc" in env
    assert not Path("/usr/lib/rustlib/aarch64-unknown-linux-musl").exists()  # nothing written to the system
    ran = record["probes"]["unwind-a64-musl"]["scratch"]
    assert ran["emulated"].startswith("qemu-aarch64-static") and ran["exit_code"] == 0
    assert ran["output"].strip() == "aarch64 musl, panic caught: true"
