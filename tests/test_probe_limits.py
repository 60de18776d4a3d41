"""Probe limits that tests/test_probes.py does not reach: a CPU-bound spinner (not a sleeper) and a binary
that forks a setsid() daemon to outlive its probe. Both ways (docker, sandbox); FAILS without Docker.
Network isolation, the pause()-based timeout and the 1 GiB allocation are in test_probes.py.
"""
from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import CACHE, DEMO_BASES
from livebench.run.images.bases import build_base
from livebench.run.images.model import BaseResult
from livebench.run.probes import run_probe

SPIN_C = "int main(void){ volatile unsigned long n = 0; for (;;) n++; }\n"
ESCAPE_C = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) {
    if (fork() == 0) { setsid(); if (fork() == 0) { for (;;) ; } return 0; }  /* a daemon, out of the group */
    puts("parent spins"); fflush(stdout);
    for (;;) ;
}
"""


@pytest.fixture(scope="module")
def scratch() -> BaseResult:
    return build_base(DEMO_BASES["scratch"], CACHE)


@pytest.fixture(scope="module")
def progs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("limits")
    out = {}
    tag = uuid.uuid4().hex[:8]
    for name, src in (("spin", SPIN_C), ("escape", ESCAPE_C)):
        (d / f"{name}.c").write_text(src)
        exe = d / f"lb-{name}-{tag}"  # a unique name to find leftovers by in /proc
        subprocess.run(["musl-gcc", "-static", "-O1", "-o", str(exe), str(d / f"{name}.c")], check=True)
        out[name] = exe
    return out


def _running(name: str) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes()
                state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if name.encode() in cmd and state != "Z":
                pids.append(int(d.name))
    return pids


@pytest.mark.parametrize("how", ["docker", "sandbox"])
@pytest.mark.parametrize("prog", ["spin", "escape"])
def test_timeout_is_final(how: str, prog: str, engine, scratch: BaseResult, progs: dict[str, Path]) -> None:
    exe = progs[prog]
    started = time.monotonic()
    r = run_probe(exe, scratch, how, timeout=2, cache_dir=CACHE)
    took = time.monotonic() - started
    assert r.timed_out and not r.ok and "timeout" in r.output, r
    assert took < 30, f"{how}: the probe took {took:.0f} s"
    deadline = time.monotonic() + 10
    while _running(exe.name) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _running(exe.name)
    assert left == [], f"{how}: {exe.name} still running after its probe timed out: pids {left}"
