"""`mkdocs serve`'s rebuild path: page edits re-render without running builds; a source edit
re-runs only what depends on it; the spec and the sources are watched.

MkDocs 1.6's serve calls ``build(get_config())`` on every change. Our plugin defines on_startup, so
MkDocs keeps its instance for the session; most tests here still drive the harder case, a fresh
config and ``build()`` per "rebuild" (fresh instances, as a new process has), and one runs the real
``mkdocs serve`` on loopback.
"""
from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from livebench.mkdocs_plugin import plugin as lb_plugin

SPEC = """\
version: 1
tools: {gcc: {version: "gcc --version | head -n 1", package: gcc}}
builds:
  alpha:
    workdir: src
    tools: [gcc]
    commands: ['gcc -O2 -o "$LIVEBENCH_WORK/alpha" alpha.c']
    artifact: ${LIVEBENCH_WORK}/alpha
    inputs: [src/alpha.c]
  beta:
    workdir: src
    tools: [gcc]
    commands: ['gcc -O2 -o "$LIVEBENCH_WORK/beta" beta.c']
    artifact: ${LIVEBENCH_WORK}/beta
    inputs: [src/beta.c]
"""
PAGE = "# Two builds\n\nalpha is {lb:build.alpha.size_bytes} bytes, beta {lb:build.beta.size_bytes} bytes.\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "alpha.c").write_text('#include <stdio.h>\nint main(void){puts("alpha");return 0;}\n')
    (tmp_path / "src" / "beta.c").write_text('#include <stdio.h>\nint main(void){puts("beta");return 0;}\n')
    (tmp_path / "livebench.yml").write_text(SPEC)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(PAGE)
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - livebench:\n      spec: livebench.yml\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIVEBENCH_REFRESH", raising=False)
    monkeypatch.setattr(lb_plugin.ServeMemo, "_records", {})  # this process's memo, as a fresh `mkdocs serve` has it
    return tmp_path


def rebuild(root: Path, caplog) -> tuple[dict, str]:
    """One serve rebuild: a fresh config (so fresh plugin instances), then build(); (record, log)."""
    caplog.clear()
    config = load_config(config_file=str(root / "mkdocs.yml"))
    build(config, serve_url="http://127.0.0.1:8000/")
    record = json.loads((root / "site" / "livebench" / "results.json").read_text())
    return record, "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("mkdocs.plugins.livebench"))


def touch_later(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text)
    while path.stat().st_mtime_ns == before:  # coarse timestamps: make the edit visible to stat()
        time.sleep(0.01)
        path.write_text(text)


def test_serve_rebuilds_rerun_only_what_an_edit_touches(project, caplog):
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.livebench")
    first, log1 = rebuild(project, caplog)
    assert not first["builds"]["alpha"]["cached"] and not first["builds"]["beta"]["cached"]
    assert "running alpha" in log1 and "running beta" in log1

    # A page edit: the next rebuild (new plugin instance) re-renders from the memo, runs nothing.
    touch_later(project / "docs" / "index.md", PAGE + "\nAn edited paragraph.\n")
    second, log2 = rebuild(project, caplog)
    assert "reusing its record" in log2 and "running" not in log2 and "cached alpha" not in log2
    html = (project / "site" / "index.html").read_text()
    assert "An edited paragraph." in html
    assert f"{first['builds']['beta']['artifact']['size']:,}" in html

    # A source edit: only its build re-runs; the other one comes from the cache.
    touch_later(project / "src" / "beta.c",
                '#include <stdio.h>\nint main(void){puts("beta, edited, and a bit longer");return 0;}\n')
    third, log3 = rebuild(project, caplog)
    assert third["builds"]["alpha"]["cached"] is True
    assert third["builds"]["beta"]["cached"] is False
    assert "running beta" in log3 and "running alpha" not in log3
    assert third["builds"]["alpha"]["artifact"]["sha256"] == first["builds"]["alpha"]["artifact"]["sha256"]
    assert third["builds"]["beta"]["artifact"]["sha256"] != first["builds"]["beta"]["artifact"]["sha256"]

    # And nothing again after that.
    fourth, log4 = rebuild(project, caplog)
    assert "running" not in log4
    assert fourth["builds"]["beta"]["artifact"]["sha256"] == third["builds"]["beta"]["artifact"]["sha256"]


def test_a_new_process_reuses_the_warm_record_and_sees_edits(project, caplog):
    """`mkdocs build` twice (a new process each: no memo) runs nothing the second time."""
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.livebench")
    first, _ = rebuild(project, caplog)
    assert (project / ".livebench-cache" / "warm.json").is_file()
    lb_plugin.ServeMemo._records.clear()  # what a new process starts with
    second, log2 = rebuild(project, caplog)
    assert "nothing changed since the last run" in log2 and "running" not in log2
    assert all(b["cached"] for b in second["builds"].values())
    # an edited input is seen without the memo too: only its build runs
    lb_plugin.ServeMemo._records.clear()
    touch_later(project / "src" / "alpha.c", '#include <stdio.h>\nint main(void){puts("alpha 2");return 0;}\n')
    third, log3 = rebuild(project, caplog)
    assert third["builds"]["alpha"]["cached"] is False and third["builds"]["beta"]["cached"] is True
    # LIVEBENCH_REFRESH=1 runs everything again
    lb_plugin.ServeMemo._records.clear()
    os.environ["LIVEBENCH_REFRESH"] = "1"
    try:
        fourth, log4 = rebuild(project, caplog)
    finally:
        del os.environ["LIVEBENCH_REFRESH"]
    assert not any(b["cached"] for b in fourth["builds"].values())


def test_on_serve_watches_the_spec_and_the_sources(project):
    class Server:
        def __init__(self):
            self.watched: list[str] = []

        def watch(self, path, *args, **kwargs):
            self.watched.append(str(path))

    config = load_config(config_file=str(project / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    server = Server()
    config.plugins.on_serve(server, config=config, builder=lambda: None)
    assert str(project / "livebench.yml") in server.watched
    assert any(Path(w) == project / "src" / "alpha.c" or Path(w) == project / "src" for w in server.watched)
    assert any(Path(w) == project / "src" / "beta.c" or Path(w) == project / "src" for w in server.watched)


def test_real_serve_keeps_serving_a_failing_spec_and_recovers_on_the_next_edit(project):
    """`mkdocs serve` must not look hung when livebench fails: the page says why, the fix rebuilds it."""
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    good = (project / "livebench.yml").read_text()
    (project / "livebench.yml").write_text(good.replace("artifact:", "artefact:", 1))
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})

    def page(want: str, timeout: float = 90) -> str:
        deadline, last = time.monotonic() + timeout, ""
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"mkdocs serve exited: {proc.stderr.read()[-3000:]}"
            try:
                last = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
                if want in last:
                    return last
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"{want!r} never appeared; last page: {last[-2000:]}")

    try:
        shown = page("lb-problem")
        assert "builds.alpha.artefact: unknown key" in shown and "Did you mean" in shown
        touch_later(project / "livebench.yml", good)
        fixed = page('class="lb-value"')
        assert "lb-problem" not in fixed
    finally:
        proc.terminate()
        proc.wait(timeout=30)
