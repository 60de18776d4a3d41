"""The Docker backend through DOCKER_HOST=tcp://127.0.0.1:PORT: this machine's own engine, exposed on a
loopback port by a forwarder in the test (never another address), builds the image and runs the probe;
the record names the engine it used. Also: the docker CLI's current context is followed as the CLI does.
Fails (never skips) without a Docker engine."""
from __future__ import annotations

import hashlib
import json
import os
import select
import socket
import socketserver
import subprocess
import sys
import threading

import pytest

SOCKET = "/var/run/docker.sock"
LIVEBENCH = [sys.executable, "-m", "livebench.cli"]

SPEC = """\
version: 1
tools:
  musl-gcc: {version: "musl-gcc --version", package: musl-tools}
env: {PATH: "/usr/bin:/bin"}
builds:
  hello:
    workdir: src
    tools: [musl-gcc]
    commands: ['musl-gcc -static -O2 -o "$LIVEBENCH_OUT/hello" hello.c']
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
bases:
  scratch: {kind: scratch}
images:
  remote-hello:
    base: scratch
    files: [{build: hello, dest: /hello, mode: "0755"}]
probes:
  builds: [hello]
  bases: [scratch]
  expect: {hello: {scratch: runs}}
"""


class _Forward(socketserver.BaseRequestHandler):
    """One TCP connection piped to the engine's unix socket, both ways."""

    def handle(self) -> None:
        self.server.connections += 1  # type: ignore[attr-defined]
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(SOCKET)
        ends = [self.request, upstream]
        try:
            while ends:  # a half-close is passed on: `docker run` ends its input and still reads the output
                readable, _, _ = select.select(ends, [], [], 60)
                if not readable:
                    return
                for end in readable:
                    other = upstream if end is self.request else self.request
                    data = end.recv(65536)
                    if data:
                        other.sendall(data)
                        continue
                    ends.remove(end)
                    try:
                        other.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
        finally:
            upstream.close()


@pytest.fixture
def tcp_engine():
    assert os.path.exists(SOCKET), f"no Docker engine at {SOCKET}: these tests never skip"
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Forward)
    server.daemon_threads = True
    server.connections = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _project(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.c").write_text('#include <stdio.h>\nint main(void) { puts("over tcp"); return 0; }\n')
    (tmp_path / "livebench.yml").write_text(SPEC)
    return tmp_path


def test_the_docker_backend_works_through_a_loopback_tcp_docker_host(tmp_path, tcp_engine):
    server, host = tcp_engine
    proj = _project(tmp_path)
    env = {**os.environ, "DOCKER_HOST": host}
    run = subprocess.run([*LIVEBENCH, "run", "--json", "-q", "--backend", "docker", "--root", str(proj),
                          "--spec", "livebench.yml", "--cache-dir", str(proj / ".cache")],
                         cwd=proj, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    record = json.loads(run.stdout)
    engine = record["provenance"]["engine"]
    assert (engine["host"], engine["host_from"]) == (host, "DOCKER_HOST")
    assert record["images"]["remote-hello"]["backend"] == "docker"
    probe = record["probes"]["hello"]["scratch"]
    assert probe["exit_code"] == 0 and probe["how"] == "docker" and "over tcp" in probe["output"]
    assert "remote-hello" in record["docker_images"]["output"].replace("livebench/", "")  # the CLI, over TCP too
    assert server.connections >= 3  # the SDK and the CLI both went through the forwarder
    from livebench.render.provenance import engine_text

    assert engine_text(record["provenance"]).endswith(f"at {host}")  # the page names the remote engine
    subprocess.run(["docker", "rmi", "-f", record["images"]["remote-hello"]["ref"]], capture_output=True)


def test_the_docker_cli_context_is_followed_when_docker_host_is_unset(tmp_path, monkeypatch):
    from livebench.run.images.endpoint import endpoint

    config = tmp_path / "docker-config"
    meta = config / "contexts" / "meta" / hashlib.sha256(b"lab").hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": "lab", "Endpoints": {"docker": {"Host": "tcp://127.0.0.1:2375"}}}))
    (config / "config.json").write_text(json.dumps({"currentContext": "lab"}))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    assert endpoint() == ("tcp://127.0.0.1:2375", "docker context lab")
    monkeypatch.setenv("DOCKER_HOST", "unix:///run/other.sock")  # DOCKER_HOST wins, as with the CLI
    assert endpoint() == ("unix:///run/other.sock", "DOCKER_HOST")
    monkeypatch.delenv("DOCKER_HOST")
    monkeypatch.setenv("DOCKER_CONTEXT", "default")
    assert endpoint() == ("unix:///var/run/docker.sock", "default")
