"""The runner with real gcc/musl-gcc builds: cache cold/warm/refresh, failures, timeouts, transcripts."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from livebench.runner import RunOptions, Runner
from livebench.spec import load_plan

HELLO = '#include <stdio.h>\nint main(void) { puts("Hello, world!"); return 0; }\n'

SPEC = """\
version: 1
tools:
  gcc: {version: gcc --version, package: gcc}
  musl-gcc: {version: "musl-gcc --version", package: musl-tools}
env: {PATH: "/usr/bin:/bin"}
builds:
  c-gnu:
    workdir: src
    tools: [gcc]
    commands: ["echo building", "gcc -O2 -o \\"$LIVEBENCH_OUT/hello\\" hello.c"]
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
    expect: {kind: dynamic, libc: glibc}
  c-musl:
    workdir: src
    tools: [musl-gcc]
    commands: ["musl-gcc -static -O2 -o out-musl hello.c"]
    artifact: out-musl
    inputs: [src/*.c]
    expect: {kind: static, libc: musl, needed: []}
"""


def test_toolchains_present():
    # These tests need real compilers: missing ones must fail CI, not skip.
    for tool in ("gcc", "musl-gcc", "readelf"):
        assert shutil.which(tool), f"{tool} is missing: run ./bootstrap.sh"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.c").write_text(HELLO)
    (tmp_path / "livebench.yml").write_text(SPEC)
    return tmp_path


def run(project: Path, **kw) -> dict:
    plan = load_plan(project / "livebench.yml", root=project)
    return Runner(plan, RunOptions(cache_dir=project / ".cache", **kw)).run()


def readelf(path: str) -> str:
    return subprocess.run(["readelf", "-lhd", path], capture_output=True, text=True, check=True).stdout


def test_cold_warm_refresh(project):
    cold = run(project)
    assert not cold["failures"], cold["failures"]
    for name in ("c-gnu", "c-musl"):
        b = cold["builds"][name]
        assert b["ok"] and not b["cached"]
        art = project / b["artifact"]["path"]
        assert art.is_file() and art.stat().st_size == b["artifact"]["size"]
    gnu, musl = cold["builds"]["c-gnu"], cold["builds"]["c-musl"]
    assert gnu["transcript"][0] == {**gnu["transcript"][0], "command": "echo building", "output": "building\n", "exit_code": 0}
    assert "INTERP" in readelf(str(project / gnu["artifact"]["path"]))
    assert gnu["linkage"]["interpreter"] == "/lib64/ld-linux-x86-64.so.2"
    musl_elf = readelf(str(project / musl["artifact"]["path"]))
    assert "INTERP" not in musl_elf and "There is no dynamic section" in musl_elf
    assert musl["linkage"]["kind"] == "static" and musl["linkage"]["libc"] == "musl"
    assert (project / ".cache" / "results.json").is_file()

    warm = run(project)
    assert all(b["cached"] for b in warm["builds"].values())
    assert warm["builds"]["c-gnu"]["artifact"] == gnu["artifact"]
    assert warm["builds"]["c-gnu"]["transcript"] == gnu["transcript"]

    refreshed = run(project, refresh=True)
    assert not any(b["cached"] for b in refreshed["builds"].values())

    # An input change re-runs only the builds that hash it.
    (project / "src" / "other.c").write_text("int x;\n")
    partial = run(project)
    assert partial["builds"]["c-gnu"]["cached"] and not partial["builds"]["c-musl"]["cached"]


def test_failed_build_is_not_cached_and_says_how_to_reproduce(project):
    (project / "src" / "hello.c").write_text("int main( {\n")
    first = run(project)
    b = first["builds"]["c-gnu"]
    assert not b["ok"] and "exited 1" in b["error"] and "livebench.yml" in b["error"]
    assert b["transcript"][-1]["exit_code"] != 0 and "error" in b["transcript"][-1]["output"]
    assert len(first["failures"]) == 2
    second = run(project)
    assert not second["builds"]["c-gnu"]["cached"]  # failures are never served from the cache
    assert not list((project / ".cache" / "builds").glob("*")) or all(
        json.loads((d / "entry.json").read_text())["ok"] for d in (project / ".cache" / "builds").iterdir())


def test_missing_artifact(project):
    spec = (project / "livebench.yml").read_text().replace("artifact: out-musl", "artifact: not-there")
    (project / "livebench.yml").write_text(spec)
    result = run(project)
    assert "artifact 'not-there'" in result["builds"]["c-musl"]["error"]


def test_timeout_kills_the_process_group(project):
    pidfile = project / "child.pid"
    spec = SPEC.replace('commands: ["musl-gcc -static -O2 -o out-musl hello.c"]',
                        f'commands: ["sleep 300 & echo $! > {pidfile}; wait"]\n    timeout: 1.5')
    (project / "livebench.yml").write_text(spec)
    started = time.monotonic()
    result = run(project)
    assert time.monotonic() - started < 30
    b = result["builds"]["c-musl"]
    assert not b["ok"] and "timed out after 1.5 s" in b["error"]
    child = int(pidfile.read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]


def test_missing_tool_names_the_package(project):
    spec = SPEC.replace('musl-gcc: {version: "musl-gcc --version", package: musl-tools}',
                        'musl-gcc: {version: "no-such-musl-gcc --version", package: musl-tools}')
    (project / "livebench.yml").write_text(spec)
    result = run(project)
    err = result["builds"]["c-musl"]["error"]
    assert "apt-get install musl-tools" in err and "no-such-musl-gcc" in err
    assert result["builds"]["c-gnu"]["ok"]


def test_expectation_mismatch_is_a_failure(project):
    spec = SPEC.replace("expect: {kind: dynamic, libc: glibc}", "expect: {kind: static}")
    (project / "livebench.yml").write_text(spec)
    result = run(project)
    assert any("expect.kind: expected 'static', measured 'dynamic'" in f["message"] for f in result["failures"])


def test_cli_run_json_and_show(project):
    cmd = [sys.executable, "-m", "livebench.cli", "run", "--root", str(project), "--spec", "livebench.yml",
           "--cache-dir", ".cache", "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["builds"]["c-musl"]["linkage"]["kind"] == "static"
    assert "gcc" in record["provenance"]["tools"]
    show = subprocess.run([sys.executable, "-m", "livebench.cli", "show", "--root", str(project),
                           "--cache-dir", ".cache", "--json"], capture_output=True, text=True)
    assert json.loads(show.stdout) == record
