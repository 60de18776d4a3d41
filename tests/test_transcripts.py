"""Transcripts read as a reader's terminal: no folder of the machine that built the site, the same text
from any clone folder, livebench's variables shown by value, probes as typed in their base."""
from __future__ import annotations

import html
import json
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


LISTING = ("REPOSITORY                  TAG       IMAGE ID       CREATED        SIZE\n"
           "livebench/a                 latest    1a15465174bd   56 years ago   74.7MB\n"
           "livebench/other-project     latest    38b4cdaeff00   56 years ago   3.76MB\n"
           "livebench/b                 latest    39a300b903ac   56 years ago   2.92MB\n")


def _images(backend: str) -> dict:
    return {n: {"ref": f"livebench/{n}:latest", "backend": backend, "id": "sha256:" + "ab" * 32,
                "size": {"uncompressed": 2_920_000, "compressed": 1_000_000, "engine": None}, "layers": []}
            for n in ("a", "b")}


def test_docker_images_is_the_engines_output_or_a_labelled_table():
    block = "```livebench\ndocker-images: [b]\n```\n"
    record = {"provenance": {}, "images": _images("docker"),
              "docker_images": {"command": "docker images 'livebench/*'", "output": LISTING, "exit_code": 0,
                                "seconds": 0.1}}
    out, problems = expand_markdown(block, record, lang="en", page="p.md")
    assert not problems
    screen = html.unescape(re.sub(r"<[^>]+>", "", re.search(r'<pre class="lb-terminal__screen">(.*?)</pre>', out,
                                                              re.S).group(1)))
    lines = screen.splitlines()
    assert lines[0] == "$ docker images 'livebench/*'" and lines[1] == LISTING.splitlines()[0]
    assert lines[2] == LISTING.splitlines()[3]  # the engine's own line, byte for byte (its 2.92MB, not ours)
    assert lines[3] == "[livebench: 2 line(s) of other images left out]"
    # Built by the embedded backend, no engine was asked: a table that says so, no terminal.
    out, problems = expand_markdown(block, {"provenance": {}, "images": _images("embedded")}, lang="en", page="p.md")
    assert not problems and "lb-terminal" not in out and "docker images" not in out
    assert "no engine was asked" in out and "2.92 MB" in out


def _transcript_record(output: str) -> dict:
    return {"provenance": {}, "builds": {"b": {"ok": True, "cached": False, "transcript": [
        {"command": "cargo build", "output": output, "exit_code": 0, "seconds": 1.0}]}}}


def _screen_text(out: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", re.search(r'<pre class="lb-terminal__screen">(.*?)</pre>', out,
                                                          re.S).group(1)))


def test_hidden_lines_leave_a_marker_that_counts_them():
    output = "Updating index\nBlocking waiting for file lock on package cache\nCompiling a\n" \
             "Blocking waiting for file lock on package cache\nFinished\n"
    out, problems = expand_markdown('```livebench\ntranscript: b\nhide: ["^Blocking waiting"]\n```\n',
                                    _transcript_record(output), lang="en", page="p.md")
    assert not problems
    assert _screen_text(out).splitlines()[1:] == [
        "Updating index", "[livebench: 2 line(s) hidden by this page's `hide:`]", "Compiling a", "Finished"]
    _, problems = expand_markdown('```livebench\ntranscript: b\nhide: ["(unclosed"]\n```\n',
                                  _transcript_record(output), lang="en", page="p.md")
    assert "is not a regular expression" in str(problems[0]) and "p.md:1" in str(problems[0])


def test_long_output_is_folded_with_every_line_still_there():
    output = "".join(f"line {i}\n" for i in range(300))
    out, problems = expand_markdown("```livebench\ntranscript: b\n```\n", _transcript_record(output), lang="ko",
                                    page="p.md")
    assert not problems and out.count('<details class="lb-fold">') == 1
    assert "276줄 더 보기" in out  # 300 lines: 12 above, 12 below, the rest behind the expander
    text = _screen_text(out)
    assert [int(n) for n in re.findall(r"line (\d+)", text)] == list(range(300))  # folded, not dropped
    assert "line 11\n276줄 더 보기\nline 12\n" in text and "line 287\nline 288" in text  # one line each
    out, _ = expand_markdown("```livebench\ntranscript: b\nfold: 0\n```\n", _transcript_record(output), lang="en",
                             page="p.md")
    assert "lb-fold" not in out


def test_ansi_colours_become_classes_and_nothing_else_gets_through():
    output = "\x1b[1m\x1b[32m   Compiling\x1b[0m hello v0.1.0\n\x1b[31merror\x1b[39m: <b>x</b>\x1b]0;title\x07\x1b[2K\n"
    out, problems = expand_markdown("```livebench\ntranscript: b\n```\n", _transcript_record(output), lang="en",
                                    page="p.md")
    assert not problems
    assert '<span class="lb-fg-green lb-bold">   Compiling</span> hello v0.1.0' in out
    assert '<span class="lb-fg-red">error</span>: &lt;b&gt;x&lt;/b&gt;' in out
    assert "\x1b" not in out and "title" not in _screen_text(out)


def _source_record(root: Path, text: str) -> dict:
    import hashlib

    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "hello.c").write_text(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return {"provenance": {}, "builds": {"gnu": {"ok": True, "inputs": {"src/hello.c": digest}},
                                         "other": {"ok": True, "inputs": {}}}}


def test_source_block_shows_the_built_file_through_the_sites_highlighter(tmp_path):
    text = "#include <stdio.h>\n// BEGIN\nint main(void) { return 0; }\n// END\n"
    record = _source_record(tmp_path, text)
    md, problems = expand_markdown("```livebench\nsource: src/hello.c\nbuild: gnu\n```\n", record, lang="en",
                                   page="p.md", root=tmp_path)
    assert not problems
    assert "```c\n#include <stdio.h>\n// BEGIN\n" in md  # Markdown: the site's highlighter colours it
    assert "<code>src/hello.c</code>, as built by gnu (sha256" in md
    md, _ = expand_markdown('```livebench\nsource: src/hello.c\nbuild: gnu\nbetween: ["BEGIN", "END"]\n```\n',
                            record, lang="en", page="p.md", root=tmp_path)
    assert "```c\nint main(void) { return 0; }\n```" in md
    md, _ = expand_markdown("```livebench\nsource: src/hello.c\nbuild: gnu\nlines: 1-1\n```\n", record, lang="en",
                            page="p.md", root=tmp_path)
    assert "```c\n#include <stdio.h>\n```" in md
    for body, says in (("build: other", "is not an input of build 'other'"),
                       ("build: gnu\nlines: 3-9", "write FIRST-LAST within 1-4"),
                       ("build: nope", "unknown build 'nope'")):
        _, problems = expand_markdown(f"```livebench\nsource: src/hello.c\n{body}\n```\n", record, lang="en",
                                      page="p.md", root=tmp_path)
        assert says in str(problems[0]) and str(problems[0]).startswith("p.md:1:"), problems
    (tmp_path / "src" / "hello.c").write_text(text + "// edited after the build\n")
    _, problems = expand_markdown("```livebench\nsource: src/hello.c\nbuild: gnu\n```\n", record, lang="en",
                                  page="p.md", root=tmp_path)
    assert "changed since build 'gnu' ran" in str(problems[0])


def test_a_kept_page_is_served_whole_until_a_file_it_shows_changes(tmp_path):
    from livebench.markdown.page import render_page
    from livebench.markdown.render_memo import RenderMemo

    text = "#include <stdio.h>\nint main(void) { return 0; }\n"
    record = _source_record(tmp_path, text)
    page = "# T\n\n```livebench\nsource: src/hello.c\nbuild: gnu\n```\n\nIt is {lb-claim: build.gnu.kind == static}.\n"

    def build(stash: dict) -> object:  # each build: a new process, so a new memo over the same record
        return render_page(page, record, lang="en", page="p.md", root=tmp_path, stash=stash,
                           memo=RenderMemo(tmp_path / "cache", record))

    first_stash: dict[str, str] = {}
    first = build(first_stash)
    assert not first.problems and len(first.claims) == 1
    kept = next((tmp_path / "cache" / "render").iterdir())
    page_file = next(f for f in kept.iterdir() if f.read_text().startswith('{"text"') and "src/hello.c" in
                     json.loads(f.read_text())["read"])  # the kept page (the others are blocks' HTML)
    page_file.write_text(page_file.read_text().replace("as built by gnu", "KEPT by gnu"))
    second_stash: dict[str, str] = {}
    second = build(second_stash)  # served from the memo: its text, and its blocks put into this build's stash
    assert second.text == first.text and "KEPT by gnu" in "".join(second_stash.values())
    assert [c.expression for c in second.claims] == [c.expression for c in first.claims]  # claims read every build
    (tmp_path / "src" / "hello.c").write_text(text + "// edited after the build\n")
    third = build({})
    assert "changed since build 'gnu' ran" in str(third.problems[0])  # not the kept page: the file changed
    assert third.claims[0].facts[0].expected == "static"


def test_display_leaves_sibling_folders_alone(tmp_path):
    from livebench.run.display import Display

    d = Display.of(tmp_path / "proj", tmp_path / "proj" / ".cache")
    assert d.text(f"{tmp_path}/proj/src {tmp_path}/proj-old/src") == f"~/project/src {tmp_path}/proj-old/src"


def test_source_blocks_are_coloured_once_as_the_page_itself_would_colour_them(tmp_path):
    """With the host's highlighter the fence becomes HTML in the stash: the very HTML the page's own
    conversion gives it (same extensions and configs), kept with the page so a warm build colours nothing."""
    import markdown as pymd

    from livebench.markdown.highlight import SiteHighlighter
    from livebench.markdown.page import render_page
    from livebench.markdown.render_memo import RenderMemo
    from livebench.render import restore_blocks

    text = "#include <stdio.h>\nint main(void) { return 0; }\n"
    record = _source_record(tmp_path, text)
    extensions, configs = ["pymdownx.superfences", "attr_list", "toc"], {"toc": {"permalink": True}}
    page = "# T\n\n```livebench\nsource: src/hello.c\nbuild: gnu\n```\n"
    plain = pymd.Markdown(extensions=extensions, extension_configs=configs).convert(
        render_page(page, record, lang="en", page="p.md", root=tmp_path, stash=(fenced := {})).text)
    assert '<span class="cp">#include' in plain  # the fence was left to the page: Pygments coloured it
    calls: list[list[str]] = []
    site = SiteHighlighter(extensions, configs)

    def spy(lines: list[str]) -> str | None:
        calls.append(lines)
        return site(lines)
    spy.key = site.key  # type: ignore[attr-defined]

    def build(stash: dict) -> str:
        done = render_page(page, record, lang="en", page="p.md", root=tmp_path, stash=stash, highlight=spy,
                           memo=RenderMemo(tmp_path / "cache", record))
        assert "```" not in done.text  # no fence left for the page's highlighter
        md = pymd.Markdown(extensions=extensions, extension_configs=configs)
        return restore_blocks(md.convert(done.text), stash)

    first = build({})
    assert restore_blocks(plain, fenced) == first  # byte for byte what the page's own conversion gave
    assert len(calls) == 1 and calls[0][0] == "```c"
    assert build({}) == first and len(calls) == 1  # the kept page: the highlighter is not called again
    numbered = SiteHighlighter(["pymdownx.highlight", "pymdownx.superfences"],
                               {"pymdownx.highlight": {"anchor_linenums": True}})
    assert numbered(["```c", "int x;", "```"]) is None  # anchors are numbered per page: left to the page
    assert numbered.key != site.key
