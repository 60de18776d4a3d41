"""Directives → HTML from a record: escaping, code blocks left alone, errors with page and line."""
from __future__ import annotations

import pytest

from livebench.render import expand_markdown

RECORD = {
    "schema": 1,
    "provenance": {"arch": "x86_64", "date": "2026-11-28T00:00:00+00:00", "kernel": "Linux 6.1 #1",
                   "tools": {"rustc": "rustc 1.96.0"}},
    "setup": {},
    "builds": {
        "hello": {
            "ok": True, "cached": False, "seconds": 1.25,
            "artifact": {"path": "x/hello", "size": 409728, "sha256": "ab" * 32},
            "linkage": {"kind": "dynamic", "libc": "glibc", "interpreter": "/lib64/ld-linux-x86-64.so.2",
                        "needed": ["libc.so.6"], "stripped": False,
                        "ldd": "\tlinux-vdso.so.1\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6\n\t/lib64/ld-linux-x86-64.so.2"},
            "transcript": [{"command": "echo '<b>hi</b>'", "output": "<script>alert(1)</script>\n\x1b[31mred\x1b[0m\n",
                            "exit_code": 0, "seconds": 0.01}],
        },
        "broken": {"ok": False, "error": "x failed", "transcript": [], "seconds": 0},
    },
    "images": {
        "slice-busybox-musl": {"base": "busybox-musl", "backend": "embedded", "ref": "livebench/slice:busybox-musl",
                               "reference": {"value": "8.4 MB", "source": "the reference article's alpine-musl"},
                               "size": {"uncompressed": 3200000, "compressed": 1500000, "engine": None},
                               "layers": [{"digest": "sha256:aa", "size": 2900000, "compressed_size": 1}]},
    },
    "probes": {"hello": {"scratch": {"ok": True, "exit_code": 127, "output": "no such file",
                                     "command": "docker run --rm --network none x /hello"},
                         "debian": {"ok": True, "exit_code": 0, "output": "Hello, world!",
                                    "command": "docker run x"}}},
    "failures": [],
}


def expand(md: str, lang: str = "en"):
    return expand_markdown(md, RECORD, lang=lang, page="docs/p.md")


def test_transcript_is_escaped_and_prompt_settable():
    html, problems = expand("```livebench\ntranscript: hello\nprompt: 'ubuntu#'\n```\n")
    assert not problems
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "\x1b" not in html and "red" in html
    assert '<span class="lb-prompt">ubuntu#</span>' in html
    assert "echo &#x27;&lt;b&gt;hi&lt;/b&gt;&#x27;" in html


def test_linkage_table_and_listing():
    html, problems = expand("```livebench\nlinkage: [hello]\n```")
    assert not problems
    assert "/lib64/ld-linux-x86-64.so.2" in html
    assert "libc.so.6 =&gt; /lib/x86_64-linux-gnu/libc.so.6" in html
    assert "409.7 kB" in html


def test_inline_values_en_and_ko():
    html, problems = expand("Size {lb:build.hello.size} ({lb:build.hello.size_bytes} bytes), {lb:build.hello.kind}.")
    assert not problems
    assert "409.7 kB" in html and "409,728" in html and ">dynamic<" in html
    html, _ = expand("{lb:build.hello.kind_words}", lang="ko")
    assert "동적" in html


def test_inline_value_is_inert_markdown():
    html, _ = expand("{lb:build.hello.interpreter}")
    # underscores must not become emphasis, and nothing unescaped
    assert "ld-linux-x86-64.so.2" in html
    html, _ = expand("{lb:probe.hello.scratch.exit_code} / {lb:probe.hello.debian.result}")
    assert "127" in html and "runs" in html


def test_code_blocks_and_code_spans_are_left_alone():
    md = ("````markdown\n```livebench\ntranscript: nope\n```\n{lb:build.nope.size}\n````\n"
          "Inline `{lb:build.nope.size}` stays.\n~~~\n{lb:build.x.y}\n~~~\n")
    html, problems = expand(md)
    assert problems == []
    assert html == md


def test_unknown_build_and_field_name_page_and_line():
    md = "line one\n\nSee {lb:build.nope.size}\n\n```livebench\ntranscript: hello\nbogus: 1\n```\n{lb:build.hello.colour}\n"
    html, problems = expand(md)
    got = [str(p) for p in problems]
    assert got[0].startswith("docs/p.md:3: unknown build 'nope'")
    assert got[1].startswith("docs/p.md:5: unknown option(s) bogus")
    assert got[2].startswith("docs/p.md:9: unknown field 'colour'")
    assert "admonition warning" in html


def test_failed_build_value_is_a_problem():
    _, problems = expand("{lb:build.broken.size}")
    assert problems and "failed" in problems[0].message


def test_images_block_with_reference_label():
    html, problems = expand("```livebench\nimages: [slice-busybox-musl]\nreference: true\n```")
    assert not problems
    assert "3.20 MB" in html and "8.4 MB" in html and "Published elsewhere" in html
    assert "(the reference article&#x27;s alpine-musl)" in html or "(the reference article's alpine-musl)" in html
    html, _ = expand("```livebench\nimages: [slice-busybox-musl]\nreference: true\n```", lang="ko")
    assert "다른 곳의 발표 수치" in html


def test_probe_matrix_and_probe_transcript():
    html, problems = expand("```livebench\nprobes: [hello]\n```\n\n```livebench\nprobe: hello\nbase: scratch\nprompt: '#'\n```")
    assert not problems
    assert "fails" in html and "runs" in html
    assert "docker run --rm --network none x /hello" in html and "exit code 127" in html


@pytest.mark.parametrize("body", ["[1, 2]", "transcript: [a, b]", "linkage: 5", "transcript: hello\nlinkage: hello", ":"])
def test_malformed_blocks_are_problems_not_crashes(body):
    _, problems = expand(f"```livebench\n{body}\n```")
    assert len(problems) == 1


def test_block_inside_a_tab_is_not_parsed_as_markdown():
    import markdown as md_lib

    from livebench.render import restore_blocks

    record = {**RECORD, "builds": {**RECORD["builds"], "md": {
        **RECORD["builds"]["hello"],
        "transcript": [{"command": "echo", "output": "*not emphasis* and __init__ and [x](http://e.invalid)\n",
                        "exit_code": 0, "seconds": 0}]}}}
    page = '=== "Tab"\n\n    ```livebench\n    transcript: md\n    ```\n'
    stash: dict[str, str] = {}
    text, problems = expand_markdown(page, record, lang="en", page="docs/p.md", stash=stash)
    assert not problems and len(stash) == 2  # the block, and the page's one provenance box
    html = restore_blocks(md_lib.markdown(text, extensions=["pymdownx.superfences", "pymdownx.tabbed"]), stash)
    assert "*not emphasis* and __init__ and [x](http://e.invalid)" in html
    assert "<em>" not in html and "<strong>" not in html and "<a " not in html
    assert "LIVEBENCHSLOT" not in html
    assert 'class="tabbed-set' in html and "lb-terminal" in html


def test_reference_page_documents_every_key_option_and_field():
    """docs/reference.md keeps up with the code: spec keys, block options, inline fields, plugin options."""
    from pathlib import Path

    from livebench.mkdocs_plugin.config import LivebenchConfig
    from livebench.render.blocks import OPTIONS
    from livebench.render.values import FIELD_NAMES
    from livebench.spec import validate as spec

    text = (Path(__file__).resolve().parents[1] / "docs" / "en" / "reference.md").read_text()
    from livebench.spec import checker, containers

    keys = (spec.TOP_KEYS | spec.STEP_KEYS | spec.BUILD_KEYS | spec.EXPECT_KEYS | containers.BASE_KEYS
            | containers.IMAGE_KEYS | containers.FILE_KEYS | containers.PROBE_KEYS | checker.REFERENCE_KEYS)
    keys |= {k for opts in OPTIONS.values() for k in opts} | set(OPTIONS)
    keys |= {f for fields in FIELD_NAMES.values() for f in fields}
    keys |= {name for name, _ in LivebenchConfig._schema}
    from livebench.markdown import LivebenchExtension

    keys |= set(LivebenchExtension().config)  # markdown_extensions: - livebench
    missing = sorted(k for k in keys if f"`{k}`" not in text and f"`{k}:" not in text and f"{k}`" not in text)
    assert not missing, f"docs/reference.md does not document: {missing}"


def test_hostile_record_text_in_an_inline_claim_tooltip_stays_inert_through_markdown():
    """The ✓/✗ tooltip carries measured (record) text inside a paragraph Markdown parses after us: a
    backtick pair must not open a code span across the tag, nor `[x](javascript:...)` become a link."""
    import copy

    import markdown

    rec = copy.deepcopy(RECORD)
    rec["builds"]["hello"]["linkage"]["kind"] = "`x<b>`*_[y](javascript:alert(1))"
    for line in ("It is static {lb-claim:build.hello.kind == static}.", "Bad {lb:build.nope.size} `{lb:x}`."):
        out, _ = expand_markdown(line, rec, lang="en", page="docs/p.md")
        html = markdown.markdown(out)
        assert 'href="javascript' not in html and "<code>" not in html.split("</span>")[0] and "<b>" not in html


def test_raw_form_of_an_inline_value_for_attributes_and_scripts():
    html, problems = expand('<div data-bytes="{lb:build.hello.size_bytes|raw}" title="{lb:build.hello.kind|raw}">\n'
                            "<script>\nconst n = {lb:build.hello.size|raw}, s = {lb:build.hello.seconds|raw};\n</script>\n"
                            "It weighs {lb:build.hello.size_bytes} bytes.")
    assert not problems, problems
    assert 'data-bytes="409728" title="dynamic"' in html and "const n = 409728, s = 1.25;" in html
    assert '<span class="lb-value">409,728</span> bytes' in html  # outside HTML: the formatted value


@pytest.mark.parametrize("page, where", [
    ('<img alt="{lb:build.hello.size}">', "an HTML tag"),
    ("<script>\nvar a = 1;\nvar n = {lb:build.hello.size_bytes};\n</script>", "a <script> element"),
    ("<style>\n.x::after { content: '{lb:build.hello.kind}'; }\n</style>", "a <style> element"),
])
def test_a_formatted_value_inside_raw_html_is_an_error_not_a_broken_page(page, where):
    html, problems = expand(page)
    assert len(problems) == 1 and f"is inside {where}" in problems[0].message and "|raw}" in problems[0].message
    assert "<span" not in html  # nothing was put where it would break the tag or script


def test_unknown_format_and_mistyped_block_options_say_what_was_meant():
    _, problems = expand("It is {lb:build.hello.kind|json}.")
    assert "the only one is '|raw'" in problems[0].message
    _, problems = expand("```livebench\ntranscript: hello\npromt: '#'\n```\n")
    assert "unknown option(s) promt for 'transcript'. Did you mean 'prompt'?" in problems[0].message
    _, problems = expand("```livebench\ntranscrip: hello\n```\n")
    assert "Did you mean 'transcript'?" in problems[0].message


def test_rendered_blocks_are_kept_per_record_and_never_with_a_problem(tmp_path):
    from livebench.markdown.render_memo import RenderMemo

    page = "```livebench\nlinkage: [hello]\n```\n\n```livebench\nlinkage: [nope]\n```\n"
    memo = RenderMemo(tmp_path, RECORD)
    first, problems = expand_markdown(page, RECORD, lang="en", page="p.md", memo=memo)
    assert len(problems) == 1 and len(memo) == 1  # the failing block is not kept
    again = RenderMemo(tmp_path, RECORD)  # the next build: a new process, the same record
    (key,) = list(memo)
    assert again[key] == memo[key]
    again[key] = "<p>KEPT</p>"  # what the next build reads is what it shows
    second, problems = expand_markdown(page, RECORD, lang="en", page="p.md", memo=again)
    assert "<p>KEPT</p>" in second and len(problems) == 1  # and the problem is reported again
    changed = RenderMemo(tmp_path, {**RECORD, "builds": {}})
    assert changed.dir != memo.dir and key not in changed
