"""Run one shell command the way a reader would see it in a terminal."""
from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

# An ordinary Debian user's PATH has no sbin folders, where chroot lives: system tools are looked up
# there too, and called by their full path.
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def system_tool(name: str) -> str | None:
    """How to call a system command (``chroot``): its name when it is on the PATH, else its full path
    in a system folder; None when it is in neither."""
    return name if shutil.which(name) else shutil.which(name, path=SYSTEM_PATH)


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
    try:
        out, timed_out, orphaned = _collect(proc, started, timeout)
    except BaseException:
        _kill_group(proc.pid)
        proc.wait()
        raise
    finally:
        proc.stdout.close()  # type: ignore[union-attr]
    seconds = round(time.monotonic() - started, 3)
    text = out.decode("utf-8", errors="replace")
    entry = {"command": command, "output": text, "exit_code": proc.returncode, "seconds": seconds}
    if timed_out:
        entry["timed_out"] = True
        # the remaining budget of a step's shared deadline: 1.99999 s is 2 s to a reader
        entry["output"] = text + f"\n[livebench: killed after {round(timeout or 0, 1):g} s timeout]\n"
    elif orphaned:
        entry["output"] = text + "\n[livebench: a background process still holds the output; not waiting for it]\n"
    return entry


ORPHAN_GRACE = 2.0  # seconds to keep reading after the command exited, for output still in flight


def _collect(proc: subprocess.Popen, started: float, timeout: float | None) -> tuple[bytes, bool, bool]:
    """Read the merged output until EOF, the deadline (kill the group) or ORPHAN_GRACE after exit.

    Not ``communicate()``: it waits for EOF, and a process that left the group (``setsid cmd &``, a
    compiler server) keeps the pipe open, so the run would hang past its own timeout.
    """
    fd = proc.stdout.fileno()  # type: ignore[union-attr]
    os.set_blocking(fd, False)
    chunks: list[bytes] = []
    timed_out = orphaned = False
    exited_at: float | None = None
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > ORPHAN_GRACE:
                orphaned = True
                break
            if not timed_out and timeout is not None and now - started > timeout:
                timed_out = True
                _kill_group(proc.pid)
            if sel.select(0.05 if exited_at is None else 0.2):
                try:
                    data = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not data:
                    break
                chunks.append(data)
    proc.wait()
    return b"".join(chunks), timed_out, orphaned


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
