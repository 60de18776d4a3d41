"""End to end: `mkdocs build` of the demo site, both editions, from real builds."""
from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = [sys.executable, "-m", "mkdocs"]


def mkdocs_build(site: Path, *extra: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*MKDOCS, "build", "-d", str(site), *extra], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}, timeout=1800)


@pytest.fixture(scope="module")
def built(tmp_path_factory, demo_cache):
    site = tmp_path_factory.mktemp("site")
    first = mkdocs_build(site, "--strict")
    assert first.returncode == 0, first.stderr[-4000:]
    second_site = tmp_path_factory.mktemp("site2")
    second = mkdocs_build(second_site, "--strict")
    assert second.returncode == 0, second.stderr[-4000:]
    return site, first, second_site, second


def test_no_published_transcript_shows_a_folder_of_this_machine(built):
    """The clone's folder, the cache's staging folders and the home folder never reach a page."""
    site, *_ = built
    real = [str(ROOT), os.path.realpath(ROOT), ".livebench-cache/tmp/", ".livebench-cache/work/"]
    home = os.environ.get("HOME", "/")
    for page in ("container-diet/index.html", "ko/container-diet/index.html"):
        text = (site / page).read_text()
        screens = re.findall(r'<pre class="lb-terminal__screen">(.*?)</pre>', text, re.S)
        assert len(screens) >= 8, page
        for screen in screens:
            assert not [r for r in real if r in screen], screen[:400]
            assert home == "/" or f"{home}/" not in screen, screen[:400]
        assert "~/work/slice-gnu/install" in text  # "$LIVEBENCH_WORK/install", by its shown value


def test_docker_images_on_the_page_is_the_engines_own_output(built):
    site, *_ = built
    record = json.loads((site / "livebench" / "results.json").read_text())
    refs = [record["images"][n]["ref"] for n in ("slice-debian-glibc", "slice-debian-musl", "slice-busybox-musl",
                                                 "slice-distroless-musl")]
    engine = subprocess.run(["docker", "images", "livebench/*"], capture_output=True, text=True, check=True).stdout
    cols = lambda line: tuple(re.split(r"\s{2,}", line.strip()))  # column widths follow the longest name listed
    want = {cols(line) for line in engine.splitlines() if cols(line)[0] in {r.split(":")[0] for r in refs}}
    assert len(want) == 4
    text = (site / "container-diet" / "index.html").read_text()
    (screen,) = [s for s in re.findall(r'<pre class="lb-terminal__screen">(.*?)</pre>', text, re.S)
                 if "docker images" in s]
    shown = {cols(line) for line in html.unescape(re.sub(r"<[^>]+>", "", screen)).splitlines()}
    assert want <= shown, (want, shown)  # SIZE as the engine prints it ("74.7MB"), not livebench's figure


def test_hello_sources_on_the_page_are_the_built_files(built):
    site, *_ = built
    text = (site / "container-diet" / "index.html").read_text()
    for path, build, word in (("benchmarks/hello-c/hello.c", "hello-c-gnu", "printf"),
                              ("benchmarks/hello-rust/src/main.rs", "hello-rust-gnu", "println")):
        caption = text.index(f"<code>{path}</code>, as built by {build}")
        block = text[caption:caption + 4000]
        assert 'class="highlight"' in block and word in block  # Pygments, through the site's own config
        code = re.sub(r"<[^>]+>", "", block[block.index("<pre"):block.index("</pre>")])
        assert html.unescape(code).strip() == (ROOT / path).read_text().strip()


def test_record_holds_six_real_builds(built):
    site, *_ = built
    record = json.loads((site / "livebench" / "results.json").read_text())
    names = ("hello-c-gnu", "hello-c-musl", "hello-rust-gnu", "hello-rust-musl", "slice-gnu", "slice-musl")
    for name in names:
        b = record["builds"][name]
        assert b["ok"], b.get("error")
        art = Path(b["artifact"]["path"])
        art = art if art.is_absolute() else ROOT / art
        assert art.stat().st_size == b["artifact"]["size"]
        lk = b["linkage"]
        if name.endswith("gnu"):
            assert (lk["kind"], lk["libc"]) == ("dynamic", "glibc")
            assert lk["interpreter"] == "/lib64/ld-linux-x86-64.so.2"
            assert "libc.so.6" in lk["needed"]
        else:
            assert (lk["kind"], lk["libc"]) == ("static", "musl")
            assert lk["interpreter"] is None and lk["needed"] == []
        assert b["transcript"] and all({"command", "output", "exit_code", "seconds"} <= set(t) for t in b["transcript"])
    prov = record["provenance"]
    assert "rustc 1.96" in prov["tools"]["rustc"] and prov["kernel"] and prov["arch"] and prov["date"]


def test_both_editions_show_live_transcripts_and_listing(built):
    site, *_ = built
    record = json.loads((site / "livebench" / "results.json").read_text())
    musl_cmd = record["builds"]["hello-rust-musl"]["transcript"][0]["command"]
    assert musl_cmd == "cargo build --release --target x86_64-unknown-linux-musl"
    size = record["builds"]["hello-rust-musl"]["artifact"]["size"]
    for page in (site / "container-diet" / "index.html", site / "ko" / "container-diet" / "index.html"):
        html = page.read_text()
        assert musl_cmd in html
        assert "lb-terminal" in html and "Finished" in html
        assert "/lib64/ld-linux-x86-64.so.2" in html
        assert re.search(r"libc\.so\.6 =&gt; /(usr/)?lib/x86_64-linux-gnu/libc\.so\.6", html)
        assert f"{size:,}" in html  # the inline byte count
        assert "{lb:" not in html.split("<pre")[0] or "lb-error" not in html
        assert "lb-error" not in html and "lb-problem" not in html
    ko = (site / "ko" / "container-diet" / "index.html").read_text()
    assert 'lang="ko"' in ko and "인터프리터" in ko


def test_second_build_runs_nothing(built):
    site, first, site2, second = built
    assert "livebench: running" not in second.stderr
    r1 = json.loads((site / "livebench" / "results.json").read_text())
    r2 = json.loads((site2 / "livebench" / "results.json").read_text())
    for name, b in r2["builds"].items():
        assert b["cached"]
        assert b["artifact"]["sha256"] == r1["builds"][name]["artifact"]["sha256"]


def test_work_happens_once_per_build_not_per_language(built):
    _, first, _, second = built
    # one "cached"/"running" line per build, although the i18n plugin runs every hook twice
    for out in (first.stderr, second.stderr):
        assert out.count("livebench: running hello-c-gnu") + out.count("livebench: cached hello-c-gnu") <= 1


SMALL_SPEC = """\
version: 1
tools: {gcc: {version: "gcc --version", package: gcc}}
builds:
  hello:
    workdir: src
    tools: [gcc]
    commands: ["gcc -o \\"$LIVEBENCH_OUT/hello\\" hello.c"]
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
"""


@pytest.fixture
def small_site(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.c").write_text('int main(void){return 0;}\n')
    (tmp_path / "livebench.yml").write_text(SMALL_SPEC)
    (tmp_path / "docs").mkdir()

    def make(page: str, on_failure: str = "fail") -> Path:
        (tmp_path / "docs" / "index.md").write_text(page)
        (tmp_path / "mkdocs.yml").write_text(
            f"site_name: t\nplugins:\n  - livebench:\n      spec: livebench.yml\n      on_failure: {on_failure}\n")
        return tmp_path
    return make


def test_bad_directive_fails_once_naming_page_and_line(small_site):
    proj = small_site("# T\n\nok {lb:build.hello.kind}\n\nbad {lb:build.nope.size}\n\n```livebench\nlinkage: [ghost]\n```\n")
    proc = mkdocs_build(proj / "site", cwd=proj)
    assert proc.returncode != 0
    assert "livebench: 2 failure(s)" in proc.stderr
    assert "docs/index.md:5: unknown build 'nope'" in proc.stderr
    assert "docs/index.md:7: unknown build 'ghost'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_warn_mode_shows_warning_and_strict_still_fails(small_site):
    proj = small_site("# T\n\nbad {lb:build.nope.size}\n", on_failure="warn")
    proc = mkdocs_build(proj / "site", cwd=proj)
    assert proc.returncode == 0
    assert "WARNING" in proc.stderr and "docs/index.md:3" in proc.stderr
    assert "lb-error" in (proj / "site" / "index.html").read_text()
    strict = mkdocs_build(proj / "site", "--strict", cwd=proj)
    assert strict.returncode != 0


def test_failed_build_fails_the_site(small_site):
    proj = small_site("# T\n")
    (proj / "src" / "hello.c").write_text("broken(\n")
    proc = mkdocs_build(proj / "site", cwd=proj)
    assert proc.returncode != 0
    assert "builds.hello" in proc.stderr and "exited 1" in proc.stderr


def test_one_failed_base_is_one_failure_with_what_it_took_down(small_site):
    """A base that cannot be made: its image, its probes and the page's directives about them are
    named under it, not counted as failures of their own (and not called "unknown")."""
    proj = small_site("# T\n\nThe image weighs {lb:image.img.size}.\n\n```livebench\nprobe: hello\nbase: bad\n```\n\n"
                      "```livebench\nchart: image-sizes\nimages: [img]\n```\n")
    (proj / "livebench.yml").write_text(SMALL_SPEC + """\
bases:
  bad: {kind: debs, packages: [livebench-no-such-package]}
images:
  img: {base: bad, files: [{build: hello, dest: /hello}]}
probes: {builds: [hello], bases: [bad]}
""")
    proc = mkdocs_build(proj / "site", "--strict", cwd=proj)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    report = proc.stderr[proc.stderr.index("livebench: 1 failure(s)"):]
    assert report.startswith("livebench: 1 failure(s), and 5 thing(s) skipped or not shown because of it:"), report
    assert report.count("\n  - ") == 1  # one failure line: the base's
    assert "bases.bad: apt has no candidate for livebench-no-such-package" in report
    under = report.split("because of it, not made or not shown: ", 1)[1].splitlines()[0]
    assert under.split(", ") == ["images.img", "probes.expect.hello.bad", "docs/index.md:3", "docs/index.md:5",
                                 "docs/index.md:10"]
    assert "unknown image" not in proc.stderr


def test_serve_memo_never_keeps_a_failed_run(small_site, monkeypatch):
    """`mkdocs serve` rebuilds in one process: a run with failures must not be reused by the next rebuild
    (failures are never cached), while a clean run is."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from livebench.mkdocs_plugin import plugin as lb_plugin

    proj = small_site("# T\n", on_failure="warn")
    (proj / "src" / "hello.c").write_text("broken(\n")
    monkeypatch.chdir(proj)
    monkeypatch.delenv("LIVEBENCH_REFRESH", raising=False)
    monkeypatch.setattr(lb_plugin.ServeMemo, "_records", {})
    build(load_config(config_file=str(proj / "mkdocs.yml")), serve_url="http://127.0.0.1:8000/")
    assert lb_plugin.ServeMemo._records == {}
    (proj / "src" / "hello.c").write_text("int main(void){return 0;}\n")
    build(load_config(config_file=str(proj / "mkdocs.yml")), serve_url="http://127.0.0.1:8000/")
    assert len(lb_plugin.ServeMemo._records) == 1 and not next(iter(lb_plugin.ServeMemo._records.values()))[1].get("failures")


def test_spec_error_is_a_message_not_a_traceback(small_site):
    proj = small_site("# T\n")
    (proj / "livebench.yml").write_text(SMALL_SPEC.replace("artifact:", "artefact:"))
    proc = mkdocs_build(proj / "site", cwd=proj)
    assert proc.returncode != 0
    assert "livebench.yml:8: builds.hello.artefact: unknown key. Did you mean 'artifact'?" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_disabled_plugin_runs_nothing(small_site):
    proj = small_site("# T\n\n{lb:build.hello.kind}\n")
    (proj / "mkdocs.yml").write_text((proj / "mkdocs.yml").read_text().replace("spec:", "enabled: false\n      spec:"))
    proc = mkdocs_build(proj / "site", cwd=proj)
    assert proc.returncode == 0, proc.stderr
    assert not (proj / ".livebench-cache").exists()


def test_six_verdicts_agree_with_readelf(built):
    site, *_ = built
    record = json.loads((site / "livebench" / "results.json").read_text())
    for name, b in record["builds"].items():
        art = Path(b["artifact"]["path"])
        art = art if art.is_absolute() else ROOT / art
        out = subprocess.run(["readelf", "-lhdW", str(art)], capture_output=True, text=True, check=True).stdout
        interp = re.search(r"Requesting program interpreter: ([^\]]+)\]", out)
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
        lk = b["linkage"]
        assert lk["interpreter"] == (interp.group(1) if interp else None), name
        assert lk["needed"] == needed, name
        if lk["kind"] == "static":
            assert "There is no dynamic section" in out and "INTERP" not in out, name
        etype = re.search(r"Type:\s+(\w+)", out).group(1)
        # the gnu builds are PIEs (ET_DYN with an interpreter); the musl ones plain ET_EXEC
        assert etype == ("EXEC" if lk["kind"] == "static" else "DYN"), (name, etype)


def livebench_json(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "livebench.cli", "run", "--json", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_demo_images_and_probes_with_both_backends(built):
    docker_rec = livebench_json("--backend", "docker")
    embedded_rec = livebench_json("--backend", "embedded")
    assert docker_rec["provenance"]["engine"]["storage_driver"]
    for rec, backend in ((docker_rec, "docker"), (embedded_rec, "embedded")):
        im = {n: rec["images"][n] for n in ("slice-debian-glibc", "slice-debian-musl", "slice-busybox-musl",
                                            "slice-distroless-musl")}
        assert all(i["backend"] == backend for i in im.values())
        size = {n: i["size"]["uncompressed"] for n, i in im.items()}
        assert size["slice-distroless-musl"] < size["slice-busybox-musl"] < size["slice-debian-glibc"]
        assert abs(size["slice-debian-glibc"] - size["slice-debian-musl"]) / size["slice-debian-glibc"] < 0.01
        for i in im.values():
            assert i["size"]["compressed"] < i["size"]["uncompressed"]
            assert sum(l["size"] for l in i["layers"]) == i["size"]["uncompressed"]
    for name, i in embedded_rec["images"].items():
        # the daemonless figure equals what the engine reports for the same image, byte for byte
        assert i["size"]["engine"] is None
        assert i["size"]["uncompressed"] == docker_rec["images"][name]["size"]["engine"], name
    for rec in (docker_rec, embedded_rec):
        p = rec["probes"]
        assert p["hello-c-gnu"]["debian"]["exit_code"] == 0 and "Hello, world!" in p["hello-c-gnu"]["debian"]["output"]
        assert p["hello-c-gnu"]["scratch"]["exit_code"] != 0
        assert "no such file or directory" in p["hello-c-gnu"]["scratch"]["output"].lower()
        for build in ("hello-c-musl", "hello-rust-musl"):
            assert all(cell["exit_code"] == 0 for cell in p[build].values()), build
    # the sandbox shows exactly what an empty root does to a dynamic binary
    assert embedded_rec["probes"]["hello-c-gnu"]["scratch"]["exit_code"] == 127


def test_published_record_validates_against_the_published_schema(built):
    """The site publishes its record and the record's JSON Schema side by side; one validates the other."""
    import jsonschema

    site, *_ = built
    record = json.loads((site / "livebench" / "results.json").read_text())
    schema = json.loads((site / "livebench" / "results.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(record)
    assert record["images"]["slice-debian-glibc"]["reference"]["value"] == "78.8 MB"  # labelled, from the spec
    assert oct((site / "livebench" / "results.json").stat().st_mode & 0o777) == "0o644"  # readable by a web server


def test_a_frozen_record_of_livebench_0_1_0_still_builds_the_site(tmp_path):
    """Records written before the typed record (tests/fixtures/record-0.1.0.json) keep building the site.

    That record predates benchmarks, so the article's run-time section has nothing to show: --strict
    refuses it naming each directive, and with on_failure: warn everything else renders from it."""
    fixture = ROOT / "tests" / "fixtures" / "record-0.1.0.json"
    strict = mkdocs_build(tmp_path / "strict", "--strict", env={"LIVEBENCH_FROZEN": str(fixture)})
    assert strict.returncode == 1
    assert "docs/en/container-diet.md:" in strict.stderr and "the record has no benchmarks" in strict.stderr
    proc = mkdocs_build(tmp_path / "site", env={"LIVEBENCH_FROZEN": str(fixture), "LIVEBENCH_ON_FAILURE": "warn"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = (tmp_path / "site" / "container-diet" / "index.html").read_text()
    old = json.loads(fixture.read_text())
    assert f'{old["builds"]["hello-rust-musl"]["artifact"]["size"]:,}' in page
    assert old["provenance"]["date"][:10] in page
    # what 0.1.0 did not record: benchmarks, their anchor, the graph, the first chart, the warm ratios in CPU time and instructions
    newer = ("benchmark", "vs_hyperfine", "timeline", "cold_demo", "first_chart", "ratio:cpu", "ratio:instructions")
    assert not [line for line in proc.stderr.splitlines() if "WARNING" in line and "livebench" in line
                and not any(n in line for n in newer)]


def test_the_engine_keeps_only_declared_images_and_their_bases(built):
    """Probe images are thrown away once their results are cached; a base keeps one tag, its current one."""
    from livebench.run.images import engine as docker_backend

    c = docker_backend.client()
    tags = [t for image in docker_backend.ours(c) for t in image.tags]
    record = json.loads((built[0] / "livebench" / "results.json").read_text())
    ran_in = {w for row in record["probes"].values() for p in row.values() for w in p["command"].split()
              if w.startswith("livebench-probe/")}
    assert ran_in and not ran_in & set(tags), tags  # the demo's probe images are gone (their results are cached)
    bases = [t.split(":")[0] for t in tags if t.startswith("livebench-base/")]
    assert len(bases) == len(set(bases)), tags  # one tag per base name
    for name, im in record["images"].items():
        assert im["ref"] in tags and docker_backend.inspect(c, im["ref"])["Config"]["Labels"][
            "org.mkdocs-livebench.role"] == "image", name


def _index_of(html: str) -> list[tuple[str, str | None, str, str]]:
    """What Material's search plugin makes of a page: each section's id, title and text, as it indexes them."""
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(repr(s), s.id, "".join(s.title).strip(), "".join(s.text).strip()) for s in parser.data
            if not s.is_excluded()]


def _viewed(page: str, blocks: dict[str, str]) -> tuple[str, object]:
    from livebench.mkdocs_plugin.search_view import SearchView

    view = SearchView(None)
    view.note_page("p.md", " ".join(blocks))
    return view.hold("p.md", page, blocks), view


def test_a_block_goes_back_whole_and_in_place_around_what_others_added():
    block = ('<div class="lb-terminal"><div class="lb-terminal__bar"><span class="lb-dots"></span><span>t</span></div>'
             '<pre class="lb-terminal__screen"><code><span class="lb-prompt">$</span> <span class="lb-cmd">ls</span>\n'
             'a  b</code></pre></div>')
    chart = ('<div class="lb-chart"><figure class="lb-chart-figure" data-lb-kind="bar" data-search-exclude><svg>a</svg>'
             '<table><tr><td>1</td></tr></table></figure>\n<p class="lb-note">n</p></div>')
    blocks = {"LIVEBENCHSLOT" + "0" * 16: block, "LIVEBENCHSLOT" + "1" * 16: chart}
    page = f"<h1>t</h1>\n{block}\n<p>between</p>\n{chart}\n"
    held, view = _viewed(page, blocks)
    assert "lb-dots" not in held and "<svg>" not in held and "<p>between</p>" in held
    assert "<pre><code>$ ls\na  b</code></pre>" in held  # the transcript's text whole, without its spans
    assert _index_of(held) == _index_of(page)
    assert view.put_back(held) == page  # the search plugin changed nothing: the page as it was
    held, view = _viewed(page, blocks)
    added = held.replace("<p>between</p>", "<p>between</p><p>added</p>")  # another plugin, meanwhile
    assert view.put_back(added) == page.replace("<p>between</p>", "<p>between</p><p>added</p>")


def test_a_block_is_found_whole_after_html_that_starts_like_it():
    block = '<div class="lb-wrap"><table><tr><td>' + "x" * 80 + "</td><td>block</td></tr></table></div>"
    decoy = block.replace("<td>block</td>", "<td>the author's own</td>")  # the same first 64 characters
    page = f"<p>a</p>\n{decoy}\n<p>b</p>\n{block}\n"
    held, view = _viewed(page, {"LIVEBENCHSLOT" + "0" * 16: block})
    assert held.startswith(f"<p>a</p>\n{decoy}\n<p>b</p>\n<!--lb-search 0-->")  # the block, not the decoy
    assert _index_of(held) == _index_of(page) and view.put_back(held) == page


def test_search_forms_are_kept_for_the_next_build(tmp_path, monkeypatch):
    from livebench.markdown.render_memo import RenderMemo
    from livebench.mkdocs_plugin import search_view

    block = '<div class="lb-wrap"><table><tr><td>1</td><td>2</td></tr></table></div>'
    page, token = f"<p>a</p>\n{block}\n", "LIVEBENCHSLOT" + "0" * 16
    first = search_view.SearchView(RenderMemo(tmp_path, {}, digest="d"))
    first.note_page("p.md", token)
    held = first.hold("p.md", page, {token: block})
    first.save()
    monkeypatch.setattr(search_view, "search_form", lambda html: pytest.fail("made again"))
    second = search_view.SearchView(RenderMemo(tmp_path, {}, digest="d"))  # the next build, same record
    second.note_page("p.md", token)
    assert second.hold("p.md", page, {token: block}) == held and second.put_back(held) == page


def test_a_page_that_excludes_something_itself_is_read_whole():
    block = '<div class="lb-wrap"><table><tr><td>1</td><td>2</td></tr></table></div>'
    page = f'<div data-search-exclude>\n{block}\n</div><p>x</p>'
    held, _ = _viewed(page, {"LIVEBENCHSLOT" + "0" * 16: block})
    assert held == page  # the parser tells excluded elements apart by tag name only: no form can be safe here


_TEXT = st.sampled_from(["a", "b c", " ", "\n", "  \n ", "&amp;", "x&lt;y", "\t", "é 한", "&nbsp;", "&#10; ", "\xa0"])
_TAGS = ["span", "strong", "em", "a", "small", "code", "sub", "sup",
         "div", "p", "table", "tr", "td", "th", "thead", "ul", "li", "ol", "details", "summary", "pre"]


def _element(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(st.sampled_from(_TAGS), st.sampled_from(["", ' class="lb-x"', ' data-lb-title="t — 1"']),
                     st.lists(children, max_size=4)).map(lambda t: f"<{t[0]}{t[1]}>{''.join(t[2])}</{t[0]}>")


_NODE = st.recursive(st.one_of(_TEXT, st.just("<br>"), st.just(
    '<figure class="lb-chart-figure" data-search-exclude><svg><text>9</text></svg></figure>')), _element, max_leaves=14)
_CONTEXT = st.sampled_from(["", "text", "text ", "\n", "<p>a</p>\n", "<p><code>x</code></p>", "<code></code>",
                            '<h2 id="s">S</h2>\n', "<ul><li>i</li></ul>", "<pre>p\n</pre>", "<code> </code>"])


@settings(max_examples=400, deadline=None)
@given(root=st.sampled_from(["div", "p", "table", "pre", "span"]), body=st.lists(_NODE, max_size=5),
       before=_CONTEXT, after=_CONTEXT)
def test_the_search_form_of_any_block_gives_the_same_index(root, body, before, after):
    """Whatever a block holds and wherever it stands, Material's parser makes the same index of its form."""
    block = f"<{root}>{''.join(body)}</{root}>"
    page = f"<h1>T</h1>{before}{block}{after}<p>end</p>"
    held, view = _viewed(page, {"LIVEBENCHSLOT" + "0" * 16: block})
    assert _index_of(held) == _index_of(page), (page, held)
    assert view.put_back(held) == page


def test_search_parses_the_pages_without_their_charts_and_the_pages_keep_them(built):
    """Material's search plugin reads each page's blocks in their search form (search_view); the template
    renders them whole, so no page shows a trace of it and every figure has its chart."""
    site, *_ = built
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert "lb-search" not in text, page
        assert text.count('<figure class="lb-chart-figure"') == text.count("data-lb-figure="), page
    for page in ("container-diet/index.html", "ko/container-diet/index.html"):
        assert (site / page).read_text().count("data-lb-figure=") >= 5, page
    search = (site / "search" / "search_index.json").read_text()
    assert "lb-search" not in search and "lb-chart" not in search
    assert "Exact figures" not in search and "정확한 수치" not in search  # each chart's table caption
    assert "x86_64-unknown-linux-musl" in search  # the prose and transcripts are indexed
    assert 'println!(\\"Hello, world!\\")' in search  # and a source block's code, as text
    assert '<code><span class="k">fn</span>' in (site / "container-diet/index.html").read_text()  # the page keeps colours


def test_the_search_view_changes_neither_the_index_nor_a_page(built, tmp_path, monkeypatch):
    """The demo built in this process twice: with the search view, and with the search plugin reading the
    pages' own HTML. The index and every page are the same bytes; the view is the lighter read."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from livebench.mkdocs_plugin import search_view

    read: dict[str, tuple[str, str]] = {}
    hold = search_view.SearchView.hold

    def spy(self, page, content, blocks):
        view = hold(self, page, content, blocks)
        read[page] = (content, view)
        return view

    def site(name: str) -> Path:
        config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / name), strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
        return tmp_path / name

    monkeypatch.setattr(search_view.SearchView, "hold", spy)
    lighter = site("view")
    for page in ("en/container-diet.md", "ko/container-diet.md", "en/performance.md", "ko/performance.md"):
        content, view = read[page]
        assert view.count("<") < content.count("<") / 2, page  # fewer than half the tags to parse
    monkeypatch.setattr(search_view.SearchView, "hold", lambda self, page, content, blocks: content)
    whole = site("whole")
    index = "search/search_index.json"
    assert (lighter / index).read_bytes() == (whole / index).read_bytes()
    pages = sorted(p.relative_to(whole) for p in whole.rglob("*.html"))
    assert len(pages) >= 14 and pages == sorted(p.relative_to(lighter) for p in lighter.rglob("*.html"))
    assert [p for p in pages if (lighter / p).read_bytes() != (whole / p).read_bytes()] == []
