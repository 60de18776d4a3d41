"""The runner with real gcc/musl-gcc builds: cache cold/warm/refresh, failures, timeouts, transcripts."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from livebench import workflow
from livebench.run import RunOptions
from livebench.spec import load_plan
from livebench.verify import CheckOptions

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
    """What `livebench run` does: measure (no warm reuse), judge, keep the record in the cache."""
    plan = load_plan(project / "livebench.yml", root=project)
    measured = workflow.measure(plan, RunOptions(cache_dir=project / ".cache", **kw), warm=False)
    return workflow.judge(plan, measured.record, CheckOptions(), save_to=project / ".cache")


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


def test_refresh_replaces_the_cache_entry_it_reran(tmp_path):
    # A refreshed, non-reproducible build: the record's sha256 must be the file's at the recorded path,
    # and the next (cached) run must serve the refreshed entry, not the one from before the refresh.
    import hashlib

    (tmp_path / "livebench.yml").write_text(
        'version: 1\nbuilds:\n  nd:\n    commands: ["date +%s%N > $LIVEBENCH_OUT/a"]\n'
        '    artifact: ${LIVEBENCH_OUT}/a\n')
    run(tmp_path)
    refreshed = run(tmp_path, refresh=True)["builds"]["nd"]
    art = refreshed["artifact"]
    assert hashlib.sha256((tmp_path / art["path"]).read_bytes()).hexdigest() == art["sha256"]
    again = run(tmp_path)["builds"]["nd"]
    assert again["cached"] and again["artifact"]["sha256"] == art["sha256"]
    assert again["transcript"] == refreshed["transcript"]


def test_dockerfile_image_is_rebuilt_when_the_dockerfile_or_context_changes(tmp_path, monkeypatch):
    # Invariant 4: the image key holds what makes the image; for a `dockerfile` image that is the
    # Dockerfile and its context, not only their paths. (The engine is stubbed: this tests the key.)
    from livebench.record import fingerprint as warm
    from livebench.run.images import assemble, engine, stage

    built = []

    class Built:
        def to_dict(self):
            return {"ref": "lbtest:x", "size": {"uncompressed": 1}}

    monkeypatch.setattr(assemble, "select_backend", lambda choice: "docker")
    monkeypatch.setattr(engine, "engine_info", lambda: {})
    monkeypatch.setattr(engine, "has_image", lambda ref: True)
    monkeypatch.setattr(stage, "build_image", lambda spec, *a: built.append(spec.name) or Built())
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "Dockerfile").write_text("FROM scratch\nCOPY a /a\n")
    (tmp_path / "img" / "a").write_text("one")
    (tmp_path / "livebench.yml").write_text(
        'version: 1\nbuilds:\n  b:\n    commands: ["echo x > $LIVEBENCH_OUT/b"]\n    artifact: ${LIVEBENCH_OUT}/b\n'
        'images:\n  df:\n    dockerfile: img/Dockerfile\n')
    plan = load_plan(tmp_path / "livebench.yml", root=tmp_path)
    fp = warm.fingerprint(plan, backend="docker")
    for _ in range(2):
        assert not run(tmp_path)["failures"]
    assert built == ["df"]  # the second run is cached
    (tmp_path / "img" / "a").write_text("two")
    assert warm.fingerprint(plan, backend="docker") != fp
    run(tmp_path)
    assert built == ["df", "df"]
    (tmp_path / "img" / "Dockerfile").write_text("FROM scratch\nCOPY a /b\n")
    run(tmp_path)
    assert built == ["df", "df", "df"]


def test_a_hung_tool_version_command_is_a_tool_error_not_a_version(project, monkeypatch):
    import livebench.run.steps as runner_mod

    monkeypatch.setattr(runner_mod, "TOOL_TIMEOUT", 1.0)
    spec = SPEC.replace('musl-gcc: {version: "musl-gcc --version", package: musl-tools}',
                        'musl-gcc: {version: "echo partial; sleep 30", package: musl-tools}')
    (project / "livebench.yml").write_text(spec)
    result = run(project)
    assert "musl-gcc" not in result["provenance"]["tools"]
    b = result["builds"]["c-musl"]
    assert not b["ok"] and "did not finish within 1 s" in b["error"]
    assert result["builds"]["c-gnu"]["ok"]


def test_a_relative_creates_is_read_in_the_workdir_not_the_callers_cwd(tmp_path, monkeypatch):
    # `creates: stamp` made by a step in its workdir: a run started from another folder must still see it.
    from livebench.record import fingerprint as warm

    (tmp_path / "livebench.yml").write_text(
        'version: 1\nsetup:\n  s:\n    commands: ["touch stamp"]\n    creates: stamp\n'
        'builds:\n  b:\n    needs: [s]\n    commands: ["echo x > $LIVEBENCH_OUT/b"]\n    artifact: ${LIVEBENCH_OUT}/b\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    run(tmp_path)
    assert run(tmp_path)["setup"]["s"]["cached"]
    plan = load_plan(tmp_path / "livebench.yml", root=tmp_path)
    fp = warm.fingerprint(plan)
    (tmp_path / "stamp").unlink()
    assert warm.fingerprint(plan) != fp
    assert not run(tmp_path)["setup"]["s"]["cached"]


def test_an_input_glob_that_matches_nothing_names_the_key(project):
    spec = (project / "livebench.yml").read_text().replace("inputs: [src/hello.c]", "inputs: [src/nothing-*.c]")
    (project / "livebench.yml").write_text(spec)
    err = run(project)["builds"]["c-gnu"]["error"]
    assert err.startswith("livebench.yml:")
    assert "builds.c-gnu: inputs: 'src/nothing-*.c' matches no file" in err


def test_an_io_error_is_a_message_not_a_traceback(project, monkeypatch):
    # What a full disk or an unreadable input raises (root ignores file modes, so raise it directly).
    import livebench.run.steps as runner_mod

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(runner_mod, "sha256_file", denied)
    err = run(project)["builds"]["c-gnu"]["error"]
    assert "Permission denied" in err and "hello.c" in err and "Traceback" not in err


def test_every_build_is_clean_unless_the_author_opts_into_incremental(tmp_path):
    """$LIVEBENCH_WORK starts empty on every run (what a reader assumes); `incremental: true` keeps it,
    and the record and the page say so."""
    from livebench.render.blocks import render_block

    step = ('    commands: ["ls $LIVEBENCH_WORK > $LIVEBENCH_OUT/seen; touch $LIVEBENCH_WORK/left-over"]\n'
            '    artifact: ${LIVEBENCH_OUT}/seen\n')
    (tmp_path / "livebench.yml").write_text(f"version: 1\nbuilds:\n  clean:\n{step}  inc:\n{step}    incremental: true\n")
    run(tmp_path)
    second = run(tmp_path, refresh=True)
    seen = {n: (tmp_path / b["artifact"]["path"]).read_text() for n, b in second["builds"].items()}
    assert seen == {"clean": "", "inc": "left-over\n"}
    assert second["builds"]["inc"]["incremental"] is True and "incremental" not in second["builds"]["clean"]
    html = render_block({"transcript": "inc"}, second, "en")
    assert "incremental build" in html and "incremental" not in render_block({"transcript": "clean"}, second, "en")


def test_a_failed_build_says_how_to_reproduce_it_in_a_shell_as_written(project):
    """The reproduce line runs as printed, from the project root: folder, variables and command."""
    spec = (project / "livebench.yml").read_text().replace(
        'commands: ["echo building", "gcc -O2 -o \\"$LIVEBENCH_OUT/hello\\" hello.c"]',
        'env: {GREETING: "hi from ${LIVEBENCH_ROOT}"}\n    commands: ["echo $GREETING > $LIVEBENCH_WORK/g; cat $LIVEBENCH_WORK/g; exit 3"]')
    (project / "livebench.yml").write_text(spec)
    err = run(project)["builds"]["c-gnu"]["error"]
    line = err.split("To reproduce, from the project root: ", 1)[1].splitlines()[0]
    assert line.startswith("(cd src && export ") and "$LIVEBENCH_WORK" not in line.split("bash -c")[0].replace(
        '"$(mktemp -d)"', "")
    again = subprocess.run(["bash", "-c", line], cwd=project, capture_output=True, text=True, timeout=60)
    assert again.returncode == 3 and again.stdout == f"hi from {project}\n", (line, again)
