"""The charts in a real browser: Debian's Chromium driven by Playwright, against the built demo site served
on 127.0.0.1. Both editions draw every chart with the record's numbers, Korean text in the Korean charts,
no console errors, no request to any other host, re-theming on the palette toggle, a chart in a content
tab sized when its tab opens, and drawing after Material's instant navigation.

These tests FAIL (never skip) when Playwright or Chromium is missing. Screenshots of both editions, light
and dark, go to test-artifacts/ (gitignored) for a person to look at.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from livebench.render.labels import LABELS

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
ARTICLE = {"en": "container-diet/", "ko": "ko/container-diet/"}
N_CHARTS = 9  # the article's charts, the same in both editions
# Material's language-switch integration fetches a sitemap.xml next to each alternate-language link;
# mkdocs-static-i18n's links point at pages, so those probes 404 on every page of the demo site, with or
# without charts. That is Material's request to our own server, not a chart's: tolerated by URL, nothing else.
MATERIAL_PROBES = re.compile(r"/sitemap\.xml$")


def _mkdocs_build(out: Path, *args: str, stdin: str | None = None) -> None:
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(out), *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-4000:]


@pytest.fixture(scope="session")
def site(tmp_path_factory, serve, demo_cache) -> tuple[str, dict]:
    """The demo site, built once (the plugin's cache makes it seconds when warm), served on 127.0.0.1."""
    out = tmp_path_factory.mktemp("browser-site")
    _mkdocs_build(out, "--strict")
    return serve(out), json.loads((out / "livebench/results.json").read_text())


@pytest.fixture(scope="session")
def instant_site(tmp_path_factory, serve, demo_cache) -> str:
    """The demo site with Material's instant navigation on. The demo leaves it off (mkdocs-static-i18n warns
    that it breaks its language switcher, which fails --strict), so this variant builds without --strict
    from a config that inherits the demo's and adds the feature."""
    from mkdocs.utils.yaml import yaml_load

    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        features = list((yaml_load(f).get("theme") or {}).get("features") or [])
    out = tmp_path_factory.mktemp("browser-instant")
    base = serve(out)  # the port first: instant navigation needs site_url (Material reads the sitemap)
    variant = {"INHERIT": str(ROOT / "mkdocs.yml"), "site_url": base,
               "theme": {"name": "material", "features": features + ["navigation.instant"]}}
    _mkdocs_build(out, "-f", "-", stdin=json.dumps(variant))  # JSON is YAML
    assert '"navigation.instant"' in (out / "index.html").read_text(encoding="utf-8")
    return base


class Watch:
    """Every request and console message of one page; any host but 127.0.0.1 is refused and recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.foreign: list[str] = []
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.context.route("**/*", self._route)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(r.url))

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def check(self) -> None:
        assert not self.foreign, f"requests left 127.0.0.1: {self.foreign}"
        unexplained = [u for u in self.failed if not MATERIAL_PROBES.search(u)]
        assert not unexplained, f"failed requests: {unexplained}"
        errors = [e for e in self.errors if not e.startswith("Failed to load resource")]
        errors += [e for e in self.errors if e.startswith("Failed to load resource")][len(self.failed):]
        assert not errors, f"console errors: {errors}"


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.watch = Watch(pg)  # type: ignore[attr-defined]
    yield pg
    context.close()


def open_article(page: Page, base: str, lang: str) -> None:
    page.goto(base + ARTICLE[lang])
    page.wait_for_function(f"document.querySelectorAll('.lb-chart .main-svg').length >= {N_CHARTS}",
                           timeout=30_000)


def overflowing(page: Page, selector: str) -> list[str]:
    """Elements wider than the screen that no box of their own scrolls (Material wraps Markdown tables
    in one): the start of each one's HTML."""
    return page.evaluate("""(selector) => Array.from(document.querySelectorAll(selector)).filter(t => {
        if (t.getBoundingClientRect().right <= window.innerWidth + 1) return false;
        for (let e = t; e && e !== document.body; e = e.parentElement) {
            const o = getComputedStyle(e).overflowX;
            if ((o === 'auto' || o === 'scroll') && e.getBoundingClientRect().right <= window.innerWidth + 1) return false;
        }
        return true; }).map(t => t.outerHTML.slice(0, 80))""", selector)


def figures(page: Page) -> list[dict]:
    """What each chart actually plotted: the graph div's data, as Plotly holds it."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.lb-chart-figure')).map(f => {
        const gd = f.querySelector('.js-plotly-plot');
        return {kind: f.dataset.lbKind, data: gd.data.map(t => ({name: t.name, type: t.type, x: t.x, y: t.y, z: t.z, text: t.text, boxpoints: t.boxpoints, xaxis: t.xaxis || "x"})),
                panels: (gd.layout.annotations || []).map(a => a.text),
                paper: gd.layout.paper_bgcolor, width: gd.getBoundingClientRect().width,
                svgWidth: Number(gd.querySelector('.main-svg').getAttribute('width')),
                text: Array.from(gd.querySelectorAll('.main-svg text')).map(t => t.textContent).join(' ')};
    })""")


def _program(name: str) -> str:
    return re.sub(r"-(gnu|glibc|musl)$", "", name)


def assert_values_equal_record(figs: list[dict], record: dict, lang: str) -> None:
    assert [f["kind"] for f in figs] == ["binary-sizes", "probes", "binary-sizes", "build-times", "image-sizes",
                                         "bar", "benchmark", "benchmark", "bar"]
    builds, images, probes = record["builds"], record["images"], record["probes"]
    benches = [record["benchmarks"][n] for n in ("hello-startup", "alloc-threads")]
    for f in figs:
        if f["kind"] == "binary-sizes":
            for trace in f["data"]:
                for prog, y in zip(trace["x"], trace["y"]):
                    (name,) = [n for n in builds if _program(n) == prog and builds[n]["linkage"]["libc"] == trace["name"]]
                    assert y == builds[name]["artifact"]["size"], (prog, trace["name"])
        elif f["kind"] == "probes":  # each cell's word (in the page's language) is the probe's result
            (hm,) = f["data"]
            words = (LABELS[lang]["runs"], LABELS[lang]["fails"])
            for build, row in zip(hm["y"], hm["text"]):
                assert row == [words[0] if probes[build][base]["exit_code"] == 0 else words[1] for base in hm["x"]]
        elif f["kind"] == "build-times":
            (bar,) = f["data"]
            assert bar["x"] == [builds[n]["seconds"] for n in bar["y"]]
        elif f["kind"] == "benchmark":  # every sample drawn, in the order taken; outliers marked on top
            bench = benches.pop(0)
            boxes = [t for t in f["data"] if t["type"] == "box"]
            assert boxes and all(t["boxpoints"] == "all" for t in boxes)
            for t in boxes:
                assert t["y"] == [s["seconds"] for s in bench["variants"][t["name"]]["samples"]], t["name"]
            marked = sum(len(t["y"]) for t in f["data"] if t["type"] == "scatter")
            assert marked == sum(len(bench["variants"][t["name"]]["outliers"]) for t in boxes)
        elif f["kind"] == "bar":  # charts of the author's own: compressed image sizes, then peak memory
            if not f["panels"]:
                values = {x: y for t in f["data"] for x, y in zip(t["x"], t["y"])}
                assert values == {n: images[n]["size"]["compressed"] for n in images}
            else:  # one panel per benchmark (facet): each variant's peak memory in its benchmark's panel
                panel = {("x" if i == 0 else f"x{i + 1}"): name for i, name in enumerate(f["panels"])}
                values = {(panel[t["xaxis"]], x): y for t in f["data"] for x, y in zip(t["x"], t["y"])}
                assert values == {(b, v): x["max_rss"] for b, e in record["benchmarks"].items()
                                  for v, x in e["variants"].items()}
        elif f["kind"] == "image-sizes":
            base, app = f["data"]
            for i, name in enumerate(base["x"]):
                layers = images[name]["layers"]
                assert base["y"][i] == sum(l["size"] for l in layers if l.get("role") != "app")
                assert app["y"][i] == sum(l["size"] for l in layers if l.get("role") == "app")
                assert base["y"][i] + app["y"][i] == images[name]["size"]["uncompressed"]


def shoot(page: Page, lang: str, scheme: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for i, fig in enumerate(page.query_selector_all("figure.lb-chart-figure")):
        if fig.is_visible():
            fig.scroll_into_view_if_needed()
            fig.screenshot(path=str(ARTIFACTS / f"chart-{lang}-{scheme}-{i}-{fig.get_attribute('data-lb-kind')}.png"))
    page.query_selector_all("figure.lb-chart-figure")[-1].scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"page-{lang}-{scheme}.png"))


def toggle_palette(page: Page) -> None:
    page.click("form[data-md-component=palette] label:not([hidden])")


# -- tests ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ko"])
def test_edition_draws_every_chart_from_the_record(page: Page, site, lang: str):
    base, record = site
    open_article(page, base, lang)
    figs = figures(page)
    assert len(figs) == N_CHARTS
    assert_values_equal_record(figs, record, lang)
    plotly_loads = [u for u in page.watch.requests if u.endswith("/plotly.min.js")]
    assert plotly_loads == [base + "assets/livebench/plotly.min.js"]  # from this site, once
    ko = LABELS["ko"]
    text = " ".join(f["text"] for f in figs)
    if lang == "ko":
        for word in (ko["chart_binary_sizes"], ko["probe_matrix"], ko["layer_base"], ko["axis_uncompressed"],
                     ko["runs"], ko["fails"], ko["axis_file_size"]):
            assert word in text, word
        buttons = page.locator("figure[data-lb-kind=image-sizes] .lb-chart__switch button")
        assert buttons.all_text_contents() == [ko["show_uncompressed"], ko["show_compressed"]]
        assert LABELS["en"]["layer_base"] not in text
    else:
        assert not re.search(r"[\uac00-\ud7a3]", text)  # no Hangul in the English charts
        assert LABELS["en"]["chart_image_sizes"] in text
    shoot(page, lang, "light")
    page.watch.check()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_palette_toggle_rethemes_charts_without_a_reload(page: Page, site, lang: str):
    base, _ = site
    open_article(page, base, lang)
    page.evaluate("window.__noReload = true")
    before = [f["paper"] for f in figures(page)]
    assert len(set(before)) == 1
    toggle_palette(page)
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.wait_for_function(f"document.querySelector('.lb-chart .js-plotly-plot').layout.paper_bgcolor !== {json.dumps(before[0])}")
    after = figures(page)
    assert all(f["paper"] != before[0] for f in after)
    assert page.evaluate("window.__noReload") is True
    # The chart background is the page's: read what the body actually paints.
    body_bg = page.evaluate("getComputedStyle(document.querySelector('.md-main')).backgroundColor || ''")
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert after[0]["paper"] in (bg, body_bg)
    rect_fill = page.evaluate("document.querySelector('.lb-chart .main-svg rect.bg, .lb-chart .main-svg').style.background")
    assert rect_fill  # Plotly painted the new background
    shoot(page, lang, "dark")
    toggle_palette(page)
    page.wait_for_function(f"document.querySelector('.lb-chart .js-plotly-plot').layout.paper_bgcolor === {json.dumps(before[0])}")
    page.watch.check()


def test_chart_in_a_content_tab_is_sized_when_the_tab_opens(page: Page, site):
    base, _ = site
    open_article(page, base, "en")
    tab_chart = "document.querySelector('.tabbed-set figure[data-lb-kind=build-times] .js-plotly-plot')"
    assert page.evaluate(f"{tab_chart}.getBoundingClientRect().width") == 0  # hidden behind the first tab
    tabs = ".tabbed-set:has(figure[data-lb-kind=build-times])"
    page.click(f"{tabs} .tabbed-labels label:nth-child(2)")
    page.wait_for_function(f"{tab_chart}.getBoundingClientRect().width > 0")
    page.wait_for_function(f"""Math.abs(Number({tab_chart}.querySelector('.main-svg').getAttribute('width'))
                              - {tab_chart}.getBoundingClientRect().width) <= 2""", timeout=5_000)
    width = page.evaluate(f"{tab_chart}.getBoundingClientRect().width")
    assert width != 700  # Plotly's fallback width for a chart drawn while hidden
    page.query_selector(tabs).screenshot(path=str(ARTIFACTS / "tab-build-times-en.png"))
    page.watch.check()


def test_image_chart_switches_to_compressed_sizes(page: Page, site):
    base, record = site
    open_article(page, base, "en")
    img = "document.querySelector('figure[data-lb-kind=image-sizes] .js-plotly-plot')"
    buttons = page.locator("figure[data-lb-kind=image-sizes] .lb-chart__switch button")
    assert buttons.all_text_contents() == [LABELS["en"]["show_uncompressed"], LABELS["en"]["show_compressed"]]
    # the switch sits above the plot: never over Plotly's toolbar (shown on hover, top right of the plot)
    page.hover("figure[data-lb-kind=image-sizes] .js-plotly-plot")
    switch = page.locator("figure[data-lb-kind=image-sizes] .lb-chart__switch").bounding_box()
    toolbar = page.locator("figure[data-lb-kind=image-sizes] .modebar-container").bounding_box()
    assert switch and toolbar and switch["y"] + switch["height"] <= toolbar["y"], (switch, toolbar)
    buttons.nth(1).click()
    assert buttons.nth(1).get_attribute("aria-pressed") == "true"
    page.wait_for_function(f"{img}.layout.yaxis.title.text === {json.dumps(LABELS['en']['axis_compressed'])}")
    data = page.evaluate(f"{img}.data.map(t => ({{x: t.x, y: t.y}}))")
    for i, name in enumerate(data[0]["x"]):
        layers = record["images"][name]["layers"]
        assert data[0]["y"][i] == sum(l["compressed_size"] for l in layers if l.get("role") != "app")
        assert data[1]["y"][i] == sum(l["compressed_size"] for l in layers if l.get("role") == "app")
    page.watch.check()


def test_own_chart_switch_redraws_the_bars_with_the_other_field(page: Page, site):
    base, record = site
    open_article(page, base, "ko")
    fig = "figure[data-lb-kind=bar]:has(.lb-chart__switch)"
    plot = f"document.querySelector({json.dumps(fig + ' .js-plotly-plot')})"
    buttons = page.locator(f"{fig} .lb-chart__switch button")
    assert buttons.all_text_contents() == ["압축 크기", "압축 전 크기"]
    buttons.nth(1).click()
    page.wait_for_function(f"{plot}.layout.yaxis.title.text === '압축 전 크기'")
    data = page.evaluate(f"{plot}.data.map(t => ({{x: t.x, y: t.y, text: t.text}}))")
    assert sum(len(t["x"]) for t in data) == len(record["images"])
    for trace in data:
        assert trace["y"] == [record["images"][x]["size"]["uncompressed"] for x in trace["x"]]
        assert all(t.endswith("B") for t in trace["text"])  # the values written on the bars followed
    buttons.nth(0).click()
    page.wait_for_function(f"{plot}.layout.yaxis.title.text === '압축 크기'")
    assert page.evaluate(f"{plot}.data[0].y[0]") == record["images"][data[0]["x"][0]]["size"]["compressed"]
    page.watch.check()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_instant_navigation_draws_the_charts(page: Page, instant_site: str, site, lang: str):
    _, record = site
    home = instant_site + ("ko/" if lang == "ko" else "")
    page.goto(home)
    page.wait_for_function("typeof window.document$ !== 'undefined'")
    page.evaluate("window.__sameDocument = true")
    # Material intercepts links only once it has fetched the sitemap: clicking earlier reloads the page.
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelectorAll('script[src*=livebench]').length") == 0  # home: no charts
    page.click(".md-content a[href$='container-diet/']")
    page.wait_for_url(re.compile(re.escape(instant_site + ARTICLE[lang]) + "$"))
    page.wait_for_function(f"document.querySelectorAll('.lb-chart .main-svg').length >= {N_CHARTS}", timeout=30_000)
    assert page.evaluate("window.__sameDocument") is True  # Material swapped the page in: no reload
    assert_values_equal_record(figures(page), record, lang)
    # Back home and forth again: still one plotly.js download, charts drawn again.
    page.go_back()
    page.wait_for_function("document.querySelectorAll('.lb-chart').length === 0")
    page.click(".md-content a[href$='container-diet/']")
    page.wait_for_function(f"document.querySelectorAll('.lb-chart .main-svg').length >= {N_CHARTS}", timeout=30_000)
    assert page.evaluate("window.__sameDocument") is True
    assert len([u for u in page.watch.requests if u.endswith("/plotly.min.js")]) == 1
    page.watch.check()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_tables_scroll_in_their_own_box_on_a_phone(page: Page, site, lang: str):
    """At 390 px no table pushes the page sideways or squeezes its names letter by letter."""
    base, _ = site
    page.set_viewport_size({"width": 390, "height": 844})
    open_article(page, base, lang)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, width  # the page itself never scrolls sideways
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.lb-table')).map(t => {
        const code = t.querySelector('td code');
        return {fits: t.getBoundingClientRect().right <= window.innerWidth + 1,
                scrolls: getComputedStyle(t).overflowX === 'auto',
                codeLines: code ? Math.round(code.getBoundingClientRect().height / parseFloat(getComputedStyle(code).lineHeight || 16)) : 1};
    })""")
    assert boxes and all(b["fits"] and b["scrolls"] for b in boxes), boxes
    assert all(b["codeLines"] <= 1 for b in boxes), boxes  # `slice-debian-glibc` stays on one line
    page.watch.check()


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reading_quality_at_both_widths_and_schemes(page: Page, site, lang: str, width: int, scheme: str):
    """One provenance box per page; no table wider than the screen; status marks drawn, not emoji glyphs;
    every benchmark table shows its verdicts."""
    base, _ = site
    page.set_viewport_size({"width": width, "height": 900})
    open_article(page, base, lang)
    if scheme == "dark":
        toggle_palette(page)
        page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    assert page.locator("details.lb-provenance").count() == 1
    # a table wider than the screen must scroll in its own box (Material wraps Markdown tables in one)
    over = overflowing(page, ".md-content table")
    assert over == []
    assert page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")[0] <= width + 1
    text = page.evaluate("document.querySelector('.md-content').innerText")
    assert not re.search(r"[\u2705\u274c\U0001F300-\U0001FAFF]", text)  # emoji need a font the reader may lack
    marks = page.evaluate("""() => Array.from(document.querySelectorAll('.lb-probes .lb-mark')).map(m => {
        const s = getComputedStyle(m, '::before'); return [s.content, s.borderRightWidth, s.backgroundColor]; })""")
    assert marks and all(m[0] == '""' for m in marks)  # drawn by CSS: an empty box with borders or a fill
    assert page.locator(".lb-bench .lb-verdict").count() >= 3
    # Material's copy button sits in the terminal's title bar, above the first command, never over it
    buttons = page.evaluate("""() => Array.from(document.querySelectorAll('.lb-terminal')).map(t => {
        const b = t.querySelector('.md-code__button, .md-clipboard'), c = t.querySelector('.lb-cmd');
        return b && c ? [b.getBoundingClientRect().bottom, c.getBoundingClientRect().top] : null; })""")
    assert buttons and all(b is not None and b[0] <= b[1] for b in buttons), buttons
    if width == 390 and scheme == "light":
        page.locator(".lb-bench").first.screenshot(path=str(ARTIFACTS / f"bench-table-{lang}-390.png"))
    page.watch.check()


def test_charts_are_drawn_before_plotly_loads_and_then_replaced(page: Page, site):
    """The bar and heatmap charts come drawn in the page (render/static_svg.py): visible while
    plotly.js (4.8 MB) is still on its way, and replaced by the interactive charts once it has run."""
    base, _ = site
    held = []
    page.route("**/plotly.min.js", lambda route: held.append(route))  # plotly.js is held back
    page.goto(base + ARTICLE["en"], wait_until="domcontentloaded")  # "load" would wait for plotly.js
    drawn = page.locator(".lb-chart__plot > svg.lb-chart__static")
    assert drawn.count() == 6  # all but the two box-plot benchmarks and the faceted bars, which wait for Plotly
    first = drawn.first
    first.scroll_into_view_if_needed()
    box = first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150 and first.is_visible()
    assert page.locator(".js-plotly-plot").count() == 0  # nothing interactive yet: this is the static drawing
    assert held, "the page never asked for plotly.min.js"
    for route in held:
        route.continue_()
    page.wait_for_function(f"document.querySelectorAll('.lb-chart .main-svg').length >= {N_CHARTS}", timeout=30_000)
    assert page.locator("svg.lb-chart__static").count() == 0
    page.watch.check()


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", ["performance/", "ci/"])
def test_the_other_pages_read_at_both_widths(page: Page, site, lang: str, width: int, path: str):
    """The Performance page (measurement tables, ratio chart, timeline) and the CI page (a long workflow
    listing) at desktop and phone widths: nothing pushes the page sideways, every table fits or scrolls
    in its own box, and the charts are drawn."""
    base, _ = site
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base + ("" if lang == "en" else "ko/") + path)
    if path == "performance/":
        page.wait_for_function("document.querySelectorAll('.lb-chart .main-svg').length >= 2", timeout=30_000)
        sizes = page.evaluate("""() => Array.from(document.querySelectorAll('.lb-chart .main-svg'))
            .map(s => s.getBoundingClientRect().width)""")
        assert all(0 < w <= width for w in sizes), sizes
    assert page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")[0] <= width + 1
    over = overflowing(page, ".md-content table, .md-content pre")
    assert over == []
    if width == 390:
        page.screenshot(path=str(ARTIFACTS / f"{path.strip('/')}-{lang}-390.png"), full_page=False)
    page.watch.check()
