"""Faults during a run: failing, hung and toolchain-less builds, an unreachable or forbidden Docker engine,
SIGKILL in the middle of a build or of a cache commit, and two runs sharing one cache.

Everything goes through `livebench run` (a real process) where the fault is a process-level one. The
invariants: a message that names the build/key/command and what to do, never a traceback; the cache
serves only complete entries; results.json is always parseable.
"""
from __future__ import annotations

import json
import os
import pwd
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from livebench._util.files import sha256_file

PY = sys.executable
# A tiny ELF to stand in for a build's artifact without a compiler: fast, and elf.inspect has a real file.
TRUE = "/bin/true"


def livebench(project: Path, *args: str, env: dict | None = None, timeout: float = 300,
              prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    cmd = [*(prefix or []), PY, "-m", "livebench.cli", "run", "--root", str(project), "--spec", "livebench.yml",
           "--cache-dir", str(project / ".cache"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def write_spec(project: Path, text: str) -> Path:
    project.mkdir(parents=True, exist_ok=True)
    (project / "livebench.yml").write_text(textwrap.dedent(text))
    return project


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr[-3000:]


# -- builds ------------------------------------------------------------------------------------------

def test_failing_command_names_build_command_and_exit(tmp_path: Path) -> None:
    p = write_spec(tmp_path, """\
        version: 1
        builds:
          broken:
            commands: ["echo compiling", "echo 'error: no such thing' >&2; exit 3", "echo never"]
            artifact: out
        """)
    proc = livebench(p)
    assert proc.returncode == 1, proc
    no_traceback(proc)
    assert "builds.broken" in proc.stderr and "exited 3" in proc.stderr and "error: no such thing" in proc.stderr
    record = json.loads((p / ".cache" / "results.json").read_text())
    b = record["builds"]["broken"]
    assert [t["command"] for t in b["transcript"]] == ["echo compiling", "echo 'error: no such thing' >&2; exit 3"]
    assert not (p / ".cache" / "builds").exists() or not any((p / ".cache" / "builds").iterdir())


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_hung_command_kills_grandchildren_that_ignore_sigterm(tmp_path: Path) -> None:
    """Children and grandchildren that trap TERM (and a busy loop) are all gone after the timeout."""
    pids = tmp_path / "pids"
    p = write_spec(tmp_path, f"""\
        version: 1
        builds:
          hung:
            commands:
              - |
                trap '' TERM HUP INT
                ( trap '' TERM HUP INT; ( trap '' TERM; while :; do :; done ) & echo $! >> {pids}; sleep 600 ) &
                echo $! >> {pids}
                ( trap '' TERM; exec sleep 600 ) &
                echo $! >> {pids}
                echo $$ >> {pids}
                echo started
                wait
            artifact: out
            timeout: 2
        """)
    started = time.monotonic()
    proc = livebench(p, timeout=60)
    took = time.monotonic() - started
    assert proc.returncode == 1 and took < 30, (took, proc.stderr)
    no_traceback(proc)
    assert "timed out after 2 s" in proc.stderr and "builds.hung.timeout" in proc.stderr
    listed = [int(x) for x in pids.read_text().split()]
    assert len(listed) == 4
    time.sleep(0.3)
    assert [pid for pid in listed if _alive(pid)] == []
    record = json.loads((p / ".cache" / "results.json").read_text())
    assert record["builds"]["hung"]["transcript"][0]["output"].startswith("started")
    assert "killed after 2 s timeout" in record["builds"]["hung"]["transcript"][0]["output"]


def test_missing_toolchain_names_the_package(tmp_path: Path) -> None:
    p = write_spec(tmp_path, """\
        version: 1
        tools:
          zigcc: {version: "zig-cc-not-installed --version", package: zig}
          plain: "also-not-installed -V"
        builds:
          needs-zig:
            tools: [zigcc]
            commands: ["zig-cc-not-installed -o out x.c"]
            artifact: out
          needs-plain:
            tools: [plain]
            commands: ["also-not-installed"]
            artifact: out
        """)
    proc = livebench(p)
    assert proc.returncode == 1
    no_traceback(proc)
    assert "tool 'zigcc' is missing" in proc.stderr and "apt-get install zig." in proc.stderr
    assert "tool 'plain' is missing" in proc.stderr and "also-not-installed" in proc.stderr
    record = json.loads((p / ".cache" / "results.json").read_text())
    # The commands never ran: no transcript that suggests the compiler was tried.
    assert record["builds"]["needs-zig"]["transcript"] == [] and not record["builds"]["needs-zig"]["ok"]


def test_artifact_missing_after_success(tmp_path: Path) -> None:
    p = write_spec(tmp_path, """\
        version: 1
        builds:
          forgetful:
            commands: ["echo built it, honest"]
            artifact: ${LIVEBENCH_OUT}/app
          wrong-dir:
            commands: ["mkdir -p \\"$LIVEBENCH_OUT/app\\""]
            artifact: ${LIVEBENCH_OUT}/app
        """)
    proc = livebench(p)
    assert proc.returncode == 1
    no_traceback(proc)
    assert "builds.forgetful" in proc.stderr and "the commands succeeded but the artifact" in proc.stderr
    assert "builds.wrong-dir" in proc.stderr  # a folder where the file should be is no artifact either
    again = livebench(p)
    record = json.loads((p / ".cache" / "results.json").read_text())
    assert again.returncode == 1 and not record["builds"]["forgetful"]["cached"]


def test_hostile_output_is_kept_and_record_stays_json(tmp_path: Path) -> None:
    """Invalid UTF-8, NULs, ANSI and a 1 MB line: kept (replaced where undecodable), JSON still valid."""
    p = write_spec(tmp_path, f"""\
        version: 1
        builds:
          noisy:
            commands:
              - printf '\\xff\\xfe bad utf8 \\x00 nul \\033[31mred\\033[0m\\n'; head -c 1000000 /dev/zero | tr '\\0' x; echo
              - cp {TRUE} "$LIVEBENCH_OUT/t"
            artifact: ${{LIVEBENCH_OUT}}/t
        """)
    proc = livebench(p, "--json")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    out = record["builds"]["noisy"]["transcript"][0]["output"]
    assert "\ufffd\ufffd bad utf8 \x00 nul \x1b[31mred" in out and out.count("x") >= 1_000_000
    assert json.loads((p / ".cache" / "results.json").read_text()) == record


# -- Docker engine unreachable or forbidden ------------------------------------------------------------

IMAGE_SPEC = f"""\
    version: 1
    builds:
      tiny:
        commands: ["cp {TRUE} \\"$LIVEBENCH_OUT/tiny\\""]
        artifact: ${{LIVEBENCH_OUT}}/tiny
    bases:
      scratch: {{kind: scratch}}
    images:
      tiny-scratch:
        base: scratch
        files: [{{build: tiny, dest: /tiny}}]
        entrypoint: [/tiny]
    """


def _check_fallback(proc: subprocess.CompletedProcess, project: Path) -> None:
    assert proc.returncode == 0, proc.stderr[-3000:]
    no_traceback(proc)
    assert "backend auto -> embedded" in proc.stderr, proc.stderr
    record = json.loads((project / ".cache" / "results.json").read_text())
    assert record["provenance"]["backend"] == "embedded" and record["provenance"]["engine"] is None
    assert record["images"]["tiny-scratch"]["backend"] == "embedded"
    assert record["images"]["tiny-scratch"]["size"]["uncompressed"] > 0


def _check_docker_refused(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 1, proc
    no_traceback(proc)
    err = proc.stderr
    assert "backend 'docker' was chosen but the Docker engine does not answer" in err, err
    for w in words:
        assert w in err, (w, err)


def test_docker_socket_missing(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": f"unix://{tmp_path}/no-such/docker.sock"}
    p = write_spec(tmp_path / "auto", IMAGE_SPEC)
    _check_fallback(livebench(p, "--backend", "auto", env=env), p)
    d = write_spec(tmp_path / "docker", IMAGE_SPEC)
    proc = livebench(d, "--backend", "docker", env=env)
    _check_docker_refused(proc, "no-such/docker.sock: no such socket")
    record = json.loads((d / ".cache" / "results.json").read_text())
    assert record["builds"]["tiny"]["ok"] and record["images"] == {}  # builds are kept, images refused


def test_docker_socket_that_never_answers(tmp_path: Path) -> None:
    """A socket that accepts and then says nothing (a wedged daemon): the short ping gives up."""
    sock_path = tmp_path / "wedged.sock"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(sock_path))
    srv.listen(16)
    try:
        env = {"DOCKER_HOST": f"unix://{sock_path}"}
        p = write_spec(tmp_path / "auto", IMAGE_SPEC)
        started = time.monotonic()
        _check_fallback(livebench(p, "--backend", "auto", env=env, timeout=120), p)
        assert time.monotonic() - started < 60
        d = write_spec(tmp_path / "docker", IMAGE_SPEC)
        _check_docker_refused(livebench(d, "--backend", "docker", env=env, timeout=120), "no answer within")
    finally:
        srv.close()


def test_docker_socket_permission_denied() -> None:
    """A root-owned socket mode 0600, reached by user nobody (like a user outside the docker group)."""
    assert os.geteuid() == 0, "this test needs root to drop to user nobody"
    nobody = pwd.getpwnam("nobody")
    base = Path(tempfile.mkdtemp(prefix="lb-faults-"))
    try:
        base.chmod(0o755)
        sock_path = base / "docker.sock"
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(str(sock_path))
        srv.listen(16)
        sock_path.chmod(0o600)
        try:
            drop = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
            env = {"DOCKER_HOST": f"unix://{sock_path}", "HOME": str(base)}
            for backend in ("auto", "docker"):
                proj = base / backend
                write_spec(proj, IMAGE_SPEC)
                os.chown(proj, nobody.pw_uid, nobody.pw_gid)
                proc = livebench(proj, "--backend", backend, env=env, prefix=drop)
                if backend == "auto":
                    _check_fallback(proc, proj)
                else:
                    _check_docker_refused(proc, "permission denied: add this user to the 'docker' group")
        finally:
            srv.close()
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=False)


# -- SIGKILL mid-run, concurrent runs ----------------------------------------------------------------

KILL_SPEC = """\
    version: 1
    builds:
      big:
        commands:
          - "sleep ${SLEEP:-0}"
          - head -c 48000000 /dev/urandom > "$LIVEBENCH_OUT/big.bin"
        artifact: ${LIVEBENCH_OUT}/big.bin
        inputs: [input.txt]
      small:
        commands: ["cp /bin/true \\"$LIVEBENCH_OUT/t\\""]
        artifact: ${LIVEBENCH_OUT}/t
        inputs: [input.txt]
    """


def _cache_consistent(cache: Path) -> int:
    """Every entry the cache would serve is complete; results.json, if present, is JSON. Returns #entries."""
    n = 0
    for entry in sorted((cache / "builds").glob("*/entry.json")) if (cache / "builds").is_dir() else []:
        data = json.loads(entry.read_text())
        assert data["ok"] is True
        art = entry.parent / "artifact" / data["artifact"]["name"]
        assert art.stat().st_size == data["artifact"]["size"]
        assert sha256_file(art) == data["artifact"]["sha256"], f"{art} does not match its entry"
        n += 1
    for d in (cache / "builds").iterdir() if (cache / "builds").is_dir() else []:
        assert (d / "entry.json").is_file(), f"an entry folder without entry.json: {d}"
    if (cache / "results.json").exists():
        json.loads((cache / "results.json").read_text())
    return n


def _start(project: Path, env: dict | None = None, pre: str = "") -> subprocess.Popen:
    """`livebench run` in its own process group; ``pre`` runs first in the same interpreter (fault hooks)."""
    code = pre + "\nimport sys\nfrom livebench.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    return subprocess.Popen([PY, "-c", code, "run", "--root", str(project), "--spec", "livebench.yml",
                             "--cache-dir", str(project / ".cache"), "--no-images", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, start_new_session=True)


def _rerun_and_check(project: Path, expect_sha: dict | None = None) -> dict:
    proc = livebench(project, "--json", "--no-images", "-q")
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads(proc.stdout)
    for name, b in record["builds"].items():
        art = project / b["artifact"]["path"]
        assert sha256_file(art) == b["artifact"]["sha256"]
        if expect_sha and name in expect_sha:
            assert b["artifact"]["sha256"] == expect_sha[name]
    _cache_consistent(project / ".cache")
    return record


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.4, 1.9, 2.6])
def test_sigkill_at_any_moment(tmp_path: Path, delay: float) -> None:
    """kill -9 the whole group at several moments (mid-sleep, mid-write, mid-copy/hash, after): a rerun is
    consistent and nothing partial is ever served."""
    p = write_spec(tmp_path, KILL_SPEC)
    (p / "input.txt").write_text("1")
    proc = _start(p, env={"SLEEP": "1"})
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    _cache_consistent(p / ".cache")
    first = _rerun_and_check(p)
    # A second rerun serves exactly what the first one made.
    second = _rerun_and_check(p, {n: b["artifact"]["sha256"] for n, b in first["builds"].items()})
    assert all(b["cached"] for b in second["builds"].values())


HOOK_KILL_AT_RENAME = """
import os, signal, types
import livebench.run.cache as cache
fake_os = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith('__')})
def rename(src, dst):
    if str(dst).find('/builds/') >= 0:
        os.kill(os.getpid(), signal.SIGKILL)  # entry.json is written, the rename has not happened
    return os.rename(src, dst)
fake_os.rename = rename
cache.os = fake_os
"""

HOOK_KILL_IN_RESULTS = """
import os, signal
import livebench._util.files as results
real = results.os.replace
def replace(src, dst):
    if str(dst).endswith('results.json'):
        os.kill(os.getpid(), signal.SIGKILL)  # the temporary record is complete, not yet in place
    return real(src, dst)
results.os = __import__('types').SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith('__')})
results.os.replace = replace
"""


@pytest.mark.parametrize("hook", ["rename", "results"])
def test_sigkill_mid_commit(tmp_path: Path, hook: str) -> None:
    p = write_spec(tmp_path, KILL_SPEC)
    (p / "input.txt").write_text("1")
    # a previous good record, so a kill while replacing it must leave the old one readable
    _rerun_and_check(p)
    (p / "input.txt").write_text("2")
    before = json.loads((p / ".cache" / "results.json").read_text())
    proc = _start(p, pre=HOOK_KILL_AT_RENAME if hook == "rename" else HOOK_KILL_IN_RESULTS)
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    n = _cache_consistent(p / ".cache")
    assert json.loads((p / ".cache" / "results.json").read_text()) == before  # old record, intact
    if hook == "rename":
        assert n == 2  # only the two entries of the first run: the killed commit left nothing servable
        assert any((p / ".cache" / "tmp").glob("stage-*/entry.json"))  # it was really killed mid-commit
    record = _rerun_and_check(p)
    assert not any(b["cached"] for b in record["builds"].values()) or hook == "results"
    assert not (p / ".cache" / "tmp").exists() or not any((p / ".cache" / "tmp").iterdir())
    leftovers = [f for f in (p / ".cache").glob(".results.json.*")]
    assert len(leftovers) <= 1  # a killed writer may leave its temp file; never a half results.json


def test_two_runs_share_one_cache(tmp_path: Path) -> None:
    """Two `livebench run` at once: the lock serialises them, one builds and the other is served the
    same bytes; a reader polling results.json never sees half a file."""
    p = write_spec(tmp_path, KILL_SPEC)
    (p / "input.txt").write_text("1")
    procs = [_start(p, env={"SLEEP": "1"}) for _ in range(2)]
    seen = 0
    deadline = time.monotonic() + 120
    while any(pr.poll() is None for pr in procs) and time.monotonic() < deadline:
        f = p / ".cache" / "results.json"
        if f.exists():
            json.loads(f.read_text())
            seen += 1
        time.sleep(0.02)
    outs = [pr.communicate(timeout=60) for pr in procs]
    assert [pr.returncode for pr in procs] == [0, 0], outs
    assert seen > 0
    record = _rerun_and_check(p)
    assert _cache_consistent(p / ".cache") == 2
    assert all(b["cached"] for b in record["builds"].values())


def test_daemon_holding_the_output_does_not_hang_the_run(tmp_path: Path) -> None:
    """`setsid server &` leaves the process group (so the timeout cannot kill it) and keeps the output
    pipe open: the run must neither wait for it to exit nor hang past the build's timeout."""
    pids = tmp_path / "daemons"
    p = write_spec(tmp_path, f"""\
        version: 1
        builds:
          starts-a-server:
            commands: ["setsid sleep 600 & echo $! > {pids}; cp {TRUE} \\"$LIVEBENCH_OUT/t\\"; echo built"]
            artifact: ${{LIVEBENCH_OUT}}/t
            timeout: 60
          hangs-with-a-server:
            commands: ["setsid sleep 600 & echo $! >> {pids}; sleep 600"]
            artifact: x
            timeout: 2
        """)
    try:
        started = time.monotonic()
        proc = livebench(p, "--json", "-q", timeout=120)
        took = time.monotonic() - started
        assert took < 30, f"the run waited {took:.0f} s for a background process"
        no_traceback(proc)
        record = json.loads(proc.stdout)
        ok = record["builds"]["starts-a-server"]
        assert ok["ok"] and ok["transcript"][0]["output"].startswith("built\n")
        assert "a background process still holds the output" in ok["transcript"][0]["output"]
        hung = record["builds"]["hangs-with-a-server"]
        assert not hung["ok"] and "timed out after 2 s" in hung["error"]
    finally:
        for pid in (int(x) for x in pids.read_text().split()) if pids.exists() else []:
            try:
                os.kill(pid, signal.SIGKILL)  # the daemons this test started
            except ProcessLookupError:
                pass
