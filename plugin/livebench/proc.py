"""Run one shell command the way a reader would see it in a terminal."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Mapping


def run_command(
    command: str,
    *,
    cwd: str | Path,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> dict:
    """Run ``command`` with bash and return a transcript entry.

    stdout and stderr share one pipe so the output keeps the order a terminal shows. The command
    gets its own process group: on timeout the whole group is killed, so a hung ``make`` does not
    leave compilers running behind it.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=str(cwd),
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    timed_out = False
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc.pid)
        out, _ = proc.communicate()
    except BaseException:
        _kill_group(proc.pid)
        proc.wait()
        raise
    seconds = round(time.monotonic() - started, 3)
    text = out.decode("utf-8", errors="replace")
    entry = {"command": command, "output": text, "exit_code": proc.returncode, "seconds": seconds}
    if timed_out:
        entry["timed_out"] = True
        entry["output"] = text + f"\n[livebench: killed after {timeout:g} s timeout]\n"
    return entry


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
