"""Probes: run binaries inside bases (docker and the unshare+chroot sandbox), never with network.

Against the REAL engine: these fail, never skip, when Docker is unreachable. Shares the base cache
with test_images.py (/tmp/livebench-test-cache), so debootstrap runs at most once.
"""
from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import BASES, CACHE
from livebench.errors import ProbeError
from livebench.run.images.model import BaseResult
from livebench.run.probes import run_probe

HOWS = ["docker", "sandbox"]

NET_C = r"""
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_port = htons(atoi(argv[1]));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) { puts("connected"); return 0; }
    printf("connect: %s\n", strerror(errno)); return 1;
}
"""
SLEEP_C = "#include <unistd.h>\nint main(void){for(;;)pause();}\n"
HOG_C = r"""
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    size_t n = (size_t)1 << 30;  /* 1 GiB, every page touched: cannot fit under a 64 MiB limit */
    volatile char *p = malloc(n);  /* volatile: -O2 would otherwise drop the unused writes */
    if (!p) { puts("malloc failed"); return 3; }
    for (size_t i = 0; i < n; i += 4096) p[i] = 1;
    puts("allocated"); return p[4096] - 1;
}
"""


@pytest.fixture(scope="session")
def programs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("progs")
    (d / "hello.c").write_text('#include <stdio.h>\nint main(void){puts("hello");return 0;}\n')
    out = {"hello-musl": d / "hello-musl", "hello-gnu": d / "hello-gnu"}
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", str(out["hello-musl"]), str(d / "hello.c")], check=True)
    subprocess.run(["gcc", "-O2", "-o", str(out["hello-gnu"]), str(d / "hello.c")], check=True)
    for name, src in (("net", NET_C), ("sleep", SLEEP_C), ("hog", HOG_C)):
        (d / f"{name}.c").write_text(src)
        subprocess.run(["musl-gcc", "-static", "-O2", "-o", str(d / name), str(d / f"{name}.c")], check=True)
        out[name] = d / name
    return out


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("build", ["hello-gnu", "hello-musl"])
def test_matrix(build: str, base: str, how: str, engine, bases: dict[str, BaseResult],
                programs: dict[str, Path]) -> None:
    r = run_probe(programs[build], bases[base], how, cache_dir=CACHE, dest="/hello")
    runs = build == "hello-musl" or base == "debian"
    print(f"{build} in {base} ({how}): exit {r.exit_code}: {r.output!r} -- {r.command}")
    if runs:
        assert (r.exit_code, r.output) == (0, "hello\n"), r
        return
    # glibc-dynamic in a root without /lib64/ld-linux-x86-64.so.2: the kernel reports ENOENT for
    # the missing interpreter. What each way prints is the real text, recorded as-is.
    if how == "sandbox":
        assert r.exit_code == 127
        assert r.output == "chroot: failed to run command '/hello': No such file or directory\n"
        assert r.command.endswith("unshare -rn --pid --fork --kill-child chroot rootfs /hello")
    else:
        # runc >= 1.1 execs after the container started: exit 1, "exec /hello: no such file or directory"
        # (runc < 1.1 failed at create: Docker's own 127 with "OCI runtime create failed ...").
        assert r.exit_code in (1, 127) and "no such file or directory" in r.output, r
        assert r.command.startswith("docker run --rm --network none ") and r.command.endswith(" /hello")
        assert r.via == "docker-cli"


@pytest.mark.parametrize("how", HOWS)
def test_no_network_inside(how: str, engine, bases: dict[str, BaseResult], programs: dict[str, Path]) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    accepted: list[object] = []
    stop = threading.Event()

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[1])
            except OSError:
                pass

    t = threading.Thread(target=accept_loop, daemon=True)
    t.start()
    try:
        control = subprocess.run([str(programs["net"]), str(port)], capture_output=True, text=True, timeout=10)
        assert control.stdout == "connected\n"  # the program works: the host reaches the listener
        time.sleep(0.6)
        before = len(accepted)
        r = run_probe(programs["net"], bases["busybox-musl"], how, args=[str(port)], cache_dir=CACHE)
        time.sleep(0.6)
        assert r.exit_code == 1 and r.output.startswith("connect: "), r
        assert len(accepted) == before, "the probe reached the host's listener"
    finally:
        stop.set()
        t.join()
        server.close()


@pytest.mark.parametrize("how", HOWS)
def test_timeout_kills(how: str, engine, bases: dict[str, BaseResult], programs: dict[str, Path]) -> None:
    started = time.monotonic()
    r = run_probe(programs["sleep"], bases["scratch"], how, timeout=2, cache_dir=CACHE)
    assert r.timed_out and not r.ok and "timeout" in r.output
    assert time.monotonic() - started < 20
    if how == "docker":
        time.sleep(1)
        image = r.command.split()[-2]
        assert engine.containers.list(all=True, filters={"ancestor": image}) == []


@pytest.mark.parametrize("how", HOWS)
def test_memory_limit(how: str, engine, bases: dict[str, BaseResult], programs: dict[str, Path]) -> None:
    r = run_probe(programs["hog"], bases["scratch"], how, memory_limit=64 << 20, cache_dir=CACHE)
    # sandbox: RLIMIT_AS makes malloc fail; docker: the cgroup OOM killer (137) or a failed malloc.
    assert r.exit_code in (3, 137), r
    ok = run_probe(programs["hog"], bases["scratch"], how, memory_limit=None, cache_dir=CACHE)
    assert (ok.exit_code, ok.output) == (0, "allocated\n")


def test_probe_errors(bases: dict[str, BaseResult], programs: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="does not exist"):
        run_probe(tmp_path / "nope", bases["scratch"], "sandbox", cache_dir=CACHE)
    with pytest.raises(ProbeError, match="not one of"):
        run_probe(programs["hello-musl"], bases["scratch"], "qemu", cache_dir=CACHE)
    with pytest.raises(ProbeError, match="'..'"):
        run_probe(programs["hello-musl"], bases["scratch"], "sandbox", dest="/../x", cache_dir=CACHE)


def test_docker_probe_without_engine(monkeypatch, bases: dict[str, BaseResult], programs: dict[str, Path]) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(ProbeError, match="how=sandbox"):
        run_probe(programs["hello-musl"], bases["scratch"], "docker", cache_dir=CACHE)


def test_to_dict_shape(bases: dict[str, BaseResult], programs: dict[str, Path]) -> None:
    d = run_probe(programs["hello-musl"], bases["busybox-musl"], "sandbox", cache_dir=CACHE).to_dict()
    assert {"ok", "exit_code", "output", "command", "seconds"} <= d.keys() and d["ok"] is True


def test_leftover_containers_are_found_whatever_the_local_timezone(monkeypatch) -> None:
    # After a timeout, the CLI's container is removed by its creation time, which the engine gives in UTC.
    import datetime as dt

    from livebench.run.probes import docker as probes

    class Ct:
        def __init__(self, created: str) -> None:
            self.attrs, self.removed = {"Created": created}, False

        def remove(self, force: bool = False) -> None:
            self.removed = True

    now = time.time()
    utc = dt.datetime.fromtimestamp(now, dt.UTC)
    fresh = Ct(utc.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z")
    old = Ct((utc - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z")

    class Client:
        class containers:
            @staticmethod
            def list(all: bool, filters: dict) -> list:
                return [fresh, old]

    monkeypatch.setenv("TZ", "Asia/Seoul")  # UTC+9: a naive parse would put `fresh` nine hours in the past
    time.tzset()
    try:
        probes.remove_leftovers(Client(), "img", now - 1)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert (fresh.removed, old.removed) == (True, False)
