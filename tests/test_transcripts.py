"""Transcripts read as a reader's terminal: no folder of the machine that built the site, the same text
from any clone folder, livebench's variables shown by value, probes as typed in their base."""
from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

from livebench.render import expand_markdown
from livebench.render.html import status_mark

SPEC = """\
version: 1
env: {PATH: "/usr/bin:/bin"}
builds:
  hello:
    workdir: src
    commands:
      - echo "building in $(pwd)"
      - gcc -O2 -o "$LIVEBENCH_WORK/hello" hello.c && ls "$LIVEBENCH_WORK"
      - echo "cache at $LIVEBENCH_CACHE, root $LIVEBENCH_ROOT, home $HOME/.cargo"
    artifact: ${LIVEBENCH_WORK}/hello
    inputs: [src/hello.c]
"""
PAGE = "# T\n\n```livebench\ntranscript: hello\n```\n"
MKDOCS = "site_name: t\nplugins:\n  - livebench:\n      spec: livebench.yml\n"


def _project(folder: Path) -> Path:
    (folder / "src").mkdir(parents=True)
    (folder / "docs").mkdir()
    (folder / "src" / "hello.c").write_text('#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n')
    (folder / "livebench.yml").write_text(SPEC)
    (folder / "mkdocs.yml").write_text(MKDOCS)
    (folder / "docs" / "index.md").write_text(PAGE)
    return folder


def _screens(site: Path) -> list[str]:
    page = (site / "index.html").read_text()
    return [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r'<pre class="lb-terminal__screen">(.*?)</pre>',
                                                                         page, re.S)]


def test_two_clone_folders_publish_the_same_transcript(tmp_path):
    screens = []
    for folder in (tmp_path / "a" / "blog", tmp_path / "somewhere" / "else" / "blog"):
        proj = _project(folder)
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=proj, capture_output=True,
                              text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        (screen,) = _screens(proj / "site")
        assert str(tmp_path) not in screen and ".livebench-cache/tmp" not in screen, screen
        screens.append(screen)
    assert screens[0] == screens[1]
    text = screens[0]
    assert "building in ~/project/src" in text
    assert 'gcc -O2 -o "~/work/hello/hello" hello.c' in text  # the variable by its (shown) value
    assert "cache at ~/project/.livebench-cache, root ~/project, home ~/.cargo" in text
    if os.environ.get("HOME", "/") != "/":
        assert os.environ["HOME"] not in text


def test_display_root_is_the_authors_choice(tmp_path):
    proj = _project(tmp_path / "p")
    (proj / "livebench.yml").write_text(SPEC + "display_root: ~/src/my-blog\n")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=proj, capture_output=True,
                          text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (screen,) = _screens(proj / "site")
    assert "building in ~/src/my-blog/src" in screen and "root ~/src/my-blog," in screen


def test_probe_shows_what_a_reader_types_and_the_engine_command_one_click_away():
    record = {"provenance": {}, "probes": {"hello": {"scratch": {
        "exit_code": 0, "output": "hi\n", "command": "docker run --rm --network none livebench-probe/scratch:1 /hello",
        "shown": "/hello", "seconds": 0.2, "how": "docker", "via": "docker-cli", "timed_out": False}}}}
    out, problems = expand_markdown('```livebench\nprobe: hello\nbase: scratch\nprompt: "scratch#"\n```\n', record,
                                    lang="en", page="p.md")
    assert not problems
    screen = re.search(r'<pre class="lb-terminal__screen">(.*?)</pre>', out, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", screen).startswith("scratch# /hello\nhi")
    assert '<details class="lb-probe-how">' in out and "docker run --rm --network none" in out


def test_status_marks_are_drawn_not_emoji():
    assert not re.search(r"[\U0001F300-\U0001FAFF\u2705\u274C]", status_mark(True) + status_mark(False))
