"""The demo under Zensical (pinned in the test extras): the same pages through the `livebench`
Python-Markdown extension, from the record `livebench run` wrote, both editions; charts drawn in
Chromium; a false claim or a broken directive stops `zensical build` with our message last.

These tests FAIL (never skip) when Zensical, Playwright or Chromium is missing.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from livebench._util.units import human_size
from livebench.render.labels import LABELS
from test_browser import ARTICLE, N_CHARTS, Watch, assert_values_equal_record, figures, toggle_palette

ROOT = Path(__file__).resolve().parents[1]
ZENSICAL = [sys.executable, "-m", "zensical"]
LIVEBENCH = [sys.executable, "-m", "livebench.cli"]
EDITIONS = {"en": "zensical.yml", "ko": "zensical.ko.yml"}
PAGES = {"en": "container-diet/index.html", "ko": "ko/container-diet/index.html"}


def _run(cmd: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})


def _project(dest: Path, record: Path) -> Path:
    """A copy of the demo's sources (pages, configs, the files `source:` blocks show) with its assets."""
    dest.mkdir(parents=True)
    for name in ("mkdocs.yml", *EDITIONS.values()):
        shutil.copy2(ROOT / name, dest / name)
    generated = shutil.ignore_patterns("assets", "livebench")  # what `livebench assets` writes
    shutil.copytree(ROOT / "docs", dest / "docs", ignore=generated)
    shutil.copytree(ROOT / "benchmarks", dest / "benchmarks", ignore=shutil.ignore_patterns("__pycache__", "perf"))
    done = _run([*LIVEBENCH, "assets", "--root", str(dest), "--frozen", str(record), "docs/en", "docs/ko"], dest)
    assert done.returncode == 0, done.stdout + done.stderr
    return dest


def _zensical(project: Path, edition: str, record: Path) -> subprocess.CompletedProcess:
    return _run([*ZENSICAL, "build", "-f", EDITIONS[edition], "--clean"], project,
                env={"LIVEBENCH_RECORD": str(record)})


@pytest.fixture(scope="module")
def record(tmp_path_factory, demo_cache) -> Path:
    """The record of a real run of the demo (cached when the site tests ran before), kept aside."""
    run = _run([*LIVEBENCH, "run", "-q"], ROOT)
    assert run.returncode == 0, run.stderr[-4000:]
    path = tmp_path_factory.mktemp("record") / "results.json"
    shutil.copy2(ROOT / ".livebench-cache" / "results.json", path)
    return path


@pytest.fixture(scope="module")
def zsite(tmp_path_factory, record) -> Path:
    project = _project(tmp_path_factory.mktemp("zensical") / "demo", record)
    for edition in ("en", "ko"):  # English first: its --clean empties site-zensical/, ko/ included
        built = _zensical(project, edition, record)
        assert built.returncode == 0, built.stdout + built.stderr
        assert "Traceback" not in built.stderr
    return project / "site-zensical"


@pytest.fixture(scope="module")
def mkdocs_site(tmp_path_factory, record) -> Path:
    """The MkDocs build of the same record, to compare with."""
    site = tmp_path_factory.mktemp("mkdocs-frozen")
    built = _run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], ROOT,
                 env={"LIVEBENCH_FROZEN": str(record)})
    assert built.returncode == 0, built.stderr[-4000:]
    return site


def _parts(text: str) -> dict[str, list[str]]:
    """What livebench put on a page: inline values, terminal screens, chart figures, tables' cells."""
    return {
        "values": re.findall(r'<span class="lb-value">(.*?)</span>', text),
        "screens": re.findall(r'<pre class="lb-terminal__screen">(.*?)</pre>', text, re.S),
        "charts": re.findall(r"data-lb-figure='([^']*)'", text),
        "claims": re.findall(r'<span class="lb-claim lb-claim--(\w+)"', text),
    }


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_zensical_pages_carry_what_the_mkdocs_pages_carry(zsite, mkdocs_site, record, lang):
    page = (zsite / PAGES[lang]).read_text(encoding="utf-8")
    assert "LIVEBENCHSLOT" not in page and "lb-problem" not in page and "lb-error" not in page
    assert f'<html lang="{lang}"' in page
    got, want = _parts(page), _parts((mkdocs_site / PAGES[lang]).read_text(encoding="utf-8"))
    assert len(got["values"]) >= 20 and len(got["screens"]) >= 8 and len(got["charts"]) == N_CHARTS
    assert got == want  # one render path: the same values, transcripts, charts and claims, in order
    size = json.loads(record.read_text())["builds"]["hello-c-musl"]["artifact"]["size"]
    assert human_size(size) in html.unescape(" ".join(got["values"]))
    assert ("측정 환경" in page) == (lang == "ko")  # the provenance box in the edition's language
    # our CSS through extra_css, the charts script inside the content, both served by the site itself
    assert re.search(r'<link rel="stylesheet" href="(\.\./)+assets/livebench/livebench\.css"', page)
    (src,) = re.findall(r'<script src="([^"]*livebench-charts\.js)"', page)
    assert (zsite / PAGES[lang]).parent.joinpath(src).resolve().is_file()
    edition = zsite / ("ko" if lang == "ko" else "")
    assert json.loads((edition / "livebench" / "results.json").read_text()) == json.loads(record.read_text())


@pytest.fixture(scope="module")
def served(zsite, serve):
    return serve(zsite)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_zensical_site_draws_and_rethemes_every_chart(browser, served, record, lang):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    watch = Watch(page)
    page.goto(served + ARTICLE[lang])
    page.wait_for_function(f"document.querySelectorAll('.lb-chart .main-svg').length >= {N_CHARTS}", timeout=30_000)
    figs = figures(page)
    assert_values_equal_record(figs, json.loads(record.read_text()), lang)
    text = " ".join(f["text"] for f in figs)
    assert (LABELS["ko"]["chart_binary_sizes"] in text) == (lang == "ko")
    assert [u for u in watch.requests if u.endswith("/plotly.min.js")] == [
        served + ("ko/" if lang == "ko" else "") + "assets/livebench/plotly.min.js"]
    before = figs[0]["paper"]
    toggle_palette(page)  # Zensical keeps Material's palette toggle and colour variables
    page.wait_for_function(f"document.querySelector('.lb-chart .js-plotly-plot').layout.paper_bgcolor !== {json.dumps(before)}")
    page.screenshot(path=str(ROOT / "test-artifacts" / f"zensical-{lang}-dark.png"), full_page=False)
    watch.check()
    context.close()


BAD_PAGES = {
    "a false claim": ("The musl hello is {lb-claim:build.hello-c-musl.kind == dynamic}.",
                      "claim {lb-claim:build.hello-c-musl.kind == dynamic} is false: measured static"),
    "a broken directive": ("```livebench\nlinkage: hello-c-mus\n```", "unknown build 'hello-c-mus'"),
}


@pytest.mark.parametrize("case", sorted(BAD_PAGES))
def test_zensical_build_stops_on_a_bad_page_with_our_message_last(tmp_path, record, case):
    project = _project(tmp_path / "demo", record)
    page = project / "docs" / "en" / "index.md"
    text = page.read_text(encoding="utf-8")
    line = len(text.splitlines()) + 2
    addition, says = BAD_PAGES[case]
    page.write_text(text + "\n" + addition + "\n", encoding="utf-8")
    built = _zensical(project, "en", record)
    assert built.returncode == 1
    last = built.stderr.strip().splitlines()[-1]
    assert f"docs/en/index.md:{line}:" in last and says in last, built.stderr[-3000:]
    assert "Traceback" not in built.stderr


def test_python_markdown_loads_the_extension_by_its_name(record, tmp_path):
    """`markdown_extensions: - livebench` resolves through the package's entry point, in any host."""
    out = markdown.markdown("The musl hello weighs {lb:build.hello-c-musl.size|raw} bytes.", extensions=["livebench"],
                            extension_configs={"livebench": {"record": str(record), "cache_dir": str(tmp_path)}})
    size = json.loads(record.read_text())["builds"]["hello-c-musl"]["artifact"]["size"]
    assert f"weighs {size} bytes." in out and "lb-provenance" not in out  # a bare value needs no provenance box


def test_a_missing_record_names_the_page_and_the_command_to_run(tmp_path):
    with pytest.raises(Exception, match=r"no results record yet\. Run `livebench run`") as info:
        markdown.markdown("{lb:build.x.size}", extensions=["livebench"],
                          extension_configs={"livebench": {"record": str(tmp_path / "none.json")}})
    assert type(info.value).__name__ == "PageError"


def test_one_mkdocs_yml_may_list_both_the_plugin_and_the_extension(record, tmp_path):
    """A site shared by MkDocs and Zensical lists both; under MkDocs the plugin renders, once."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# T\n\nThe musl hello weighs {lb:build.hello-c-musl.size}.\n")
    (tmp_path / "livebench.yml").write_text("version: 1\nbuilds: {}\n")
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: t\nplugins:\n  - livebench:\n      spec: livebench.yml\n      frozen: {record}\n"
        "markdown_extensions:\n  - livebench:\n      record: no-such-record.json\n")
    built = _run([sys.executable, "-m", "mkdocs", "build", "--strict"], tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    page = (tmp_path / "site" / "index.html").read_text()
    size = json.loads(record.read_text())["builds"]["hello-c-musl"]["artifact"]["size"]
    assert page.count(f'<span class="lb-value">{human_size(size)}</span>') == 1
