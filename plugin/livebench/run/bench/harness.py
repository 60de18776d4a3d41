"""Time one program run the way hyperfine's ``-N`` does: no shell, output to /dev/null, one child.

Wall time is a monotonic clock read around ``posix_spawn`` … ``wait4``; user and system CPU time
come from the rusage ``wait4`` returns for that child alone. Its peak resident set does not: the
child starts as a vfork of this Python process, and Linux carries the old memory's high-water mark
across ``exec`` into ``ru_maxrss`` (100+ MB for any program). So memory is measured in runs of their
own, started through a tiny static launcher (``launcher.c``) whose own peak is recorded beside it.
"""
from __future__ import annotations

import hashlib
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import LivebenchError

# A command that needs these is run by `bash -c` (and the record says so); anything else is spawned directly.
SHELL_CHARS = re.compile(r"[|&;<>()$`\\*?~{}\[\]!#'\"\n]|\s=|^\s*\w+=")  # also `VAR=x prog` and two lines


class BenchError(LivebenchError):
    pass


@dataclass(frozen=True)
class Sample:
    seconds: float  # wall time
    user: float  # CPU seconds in user mode
    system: float  # CPU seconds in the kernel
    max_rss: int  # ru_maxrss, bytes: meaningful only for runs through the launcher
    exit_code: int


def needs_shell(command: str) -> bool:
    return bool(SHELL_CHARS.search(command))


def resolve(argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> list[str]:
    """``argv`` with its program as an absolute path (posix_spawn does not search PATH)."""
    prog = argv[0]
    if "/" in prog:
        path = Path(prog) if Path(prog).is_absolute() else cwd / prog
        if not os.access(path, os.X_OK):
            raise BenchError(f"'{prog}' is not an executable file")
        return [str(path), *argv[1:]]
    found = shutil.which(prog, path=env.get("PATH", os.defpath))
    if not found:
        raise BenchError(f"'{prog}' is not on PATH ({env.get('PATH', os.defpath)})")
    return [found, *argv[1:]]


def _wait(pid: int, start: float, timeout: float) -> tuple[float, int, Any]:
    """Wait for the child with a deadline, without a thread in the timed window: poll a pidfd (Linux 5.3+),
    read the clock when it signals the exit, then reap with wait4 for the rusage."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    if fd is None:  # older kernels: a timer thread kills it (its start-up lands in the sample)
        timer = threading.Timer(timeout, _kill, (pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(pid, 0)
            end = time.perf_counter()
        finally:
            timer.cancel()
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL and end - start >= timeout:
            raise BenchError("timed out")
        return end, status, usage
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        ready = poller.poll(timeout * 1000)
        end = time.perf_counter()
        if not ready:
            _kill(pid)
            os.wait4(pid, 0)
            raise BenchError("timed out")
        _, status, usage = os.wait4(pid, 0)
        return end, status, usage
    finally:
        os.close(fd)


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # its own session: the program and anything it started
    except ProcessLookupError:
        pass


def run_once(argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, timeout: float) -> Sample:
    """Spawn ``argv`` (absolute program path), wait for it, and return what it cost.

    Between the two clock reads there is only the spawn and the wait: the working folder is restored
    and the /dev/null descriptor closed after the child is reaped."""
    devnull = os.open(os.devnull, os.O_RDWR)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
               (os.POSIX_SPAWN_DUP2, devnull, 2)]
    old = os.getcwd()
    try:
        os.chdir(cwd)  # posix_spawn has no cwd argument before Python 3.13; benchmarks run alone
        args, environ = list(argv), dict(env)
        start = time.perf_counter()
        try:
            pid = os.posix_spawn(args[0], args, environ, file_actions=actions, setsid=True)
        except OSError as exc:  # not executable here (another architecture, a noexec mount)
            raise BenchError(f"cannot start {args[0]}: {exc.strerror}") from None
        try:
            end, status, usage = _wait(pid, start, timeout)
        except BenchError:
            raise BenchError(f"timed out after {timeout:g} s and was killed") from None
        except BaseException:  # Ctrl-C, or anything else: the child is in its own session, stop it
            _kill(pid)
            os.wait4(pid, 0)
            raise
    finally:
        os.chdir(old)
        os.close(devnull)
    return Sample(seconds=end - start, user=usage.ru_utime, system=usage.ru_stime,
                  max_rss=usage.ru_maxrss * 1024, exit_code=os.waitstatus_to_exitcode(status))


LAUNCHER_C = b"""#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
/* launcher OUT PROGRAM ARGS...: run PROGRAM as a fork of this small process, write its ru_maxrss (KiB) to OUT */
int main(int argc, char **argv) {
    if (argc < 3) return 126;
    pid_t pid = fork();
    if (pid < 0) return 126;
    if (pid == 0) { execv(argv[2], argv + 2); _exit(127); }
    int status; struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) return 126;
    FILE *out = fopen(argv[1], "w");
    if (!out) return 126;
    fprintf(out, "%ld\\n", ru.ru_maxrss);
    fclose(out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
"""

LAUNCHER_ID = hashlib.sha256(LAUNCHER_C).hexdigest()[:12]  # names the compiled launcher in the cache


def peak_rss(launcher: Path, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, timeout: float,
             scratch: Path) -> int:
    """Peak resident set (bytes) of ``argv`` run as a child of the launcher rather than of Python."""
    out = scratch / "rss.txt"
    out.unlink(missing_ok=True)
    run_once([str(launcher), str(out), *argv], env=env, cwd=cwd, timeout=timeout)
    try:
        return int(out.read_text().strip()) * 1024
    except (OSError, ValueError):
        raise BenchError(f"the memory launcher wrote no figure for `{shlex.join(argv)}`") from None


def launcher_possible() -> bool:
    """Whether memory can be measured here (a C compiler builds the launcher): part of a result's key."""
    return (shutil.which("cc") or shutil.which("gcc")) is not None


def build_launcher(dest: Path) -> Path | None:
    """Compile the launcher (static if the C library allows) into ``dest``; None without a C compiler."""
    if dest.is_file():
        return dest
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = dest.with_suffix(".c")
    src.write_bytes(LAUNCHER_C)
    tmp = dest.with_suffix(".tmp")
    for flags in (["-static"], []):
        try:
            subprocess.run([cc, "-O2", *flags, "-o", str(tmp), str(src)], check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            continue
        os.replace(tmp, dest)
        return dest
    return None
