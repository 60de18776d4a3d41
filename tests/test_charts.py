"""Chart blocks: the figure JSON carries the record's numbers, Korean labels, escaping of hostile names,
the exact-figures table and downloads under every chart, and script tags only on chart pages."""
from __future__ import annotations

import copy
import csv
import html
import io
import json
import os
import re
import subprocess
import sys
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml

from livebench._util.units import human_size
from livebench.errors import DirectiveError
from livebench.render import expand_markdown
from livebench.render.blocks import render_block
from livebench.render.charts import PLOTLY_BUNDLE, chart_image_sizes, figure_json
from livebench.render.figure import APP_COLOR, BASE_COLOR, FAIL_COLOR, RUN_COLOR, TIME_COLOR
from livebench.render.labels import LABELS

ROOT = Path(__file__).resolve().parents[1]
EVIL = "'</div><script>alert(1)</script>*x*_y_`z`[l](http://e.x)\\"


def _build(name: str, size: int, libc: str, kind: str = "static", seconds: float = 1.5, cached=False) -> dict:
    return {"ok": True, "cached": cached, "seconds": seconds, "error": None,
            "artifact": {"path": f"out/{name}", "size": size, "sha256": "ab" * 32},
            "linkage": {"kind": kind, "libc": libc, "interpreter": None, "needed": [], "stripped": True}}


def _image(base: str, base_layer: tuple[int, int], app_layer: tuple[int, int]) -> dict:
    layers = [{"digest": "sha256:b", "size": base_layer[0], "compressed_size": base_layer[1], "role": "base"},
              {"digest": "sha256:a", "size": app_layer[0], "compressed_size": app_layer[1], "role": "app"}]
    return {"base": base, "backend": "embedded",
            "size": {"uncompressed": base_layer[0] + app_layer[0], "compressed": base_layer[1] + app_layer[1],
                     "engine": None},
            "layers": layers}


RECORD = {
    "schema": 1,
    "provenance": {"arch": "x86_64", "date": "2026-11-28T00:00:00+00:00", "kernel": "Linux 6.1 #1",
                   "git_commit": "0123456789abcdef", "tools": {"rustc": "rustc 1.96.0"}},
    "setup": {},
    "builds": {
        "hello-c-gnu": _build("hello-c-gnu", 15960, "glibc", "dynamic", 0.09),
        "hello-c-musl": _build("hello-c-musl", 24696, "musl", seconds=0.06, cached=True),
        "hello-rust-gnu": _build("hello-rust-gnu", 442352, "glibc", "dynamic", 0.5),
        "hello-rust-musl": _build("hello-rust-musl", 499896, "musl", seconds=0.6),
        EVIL: _build(EVIL, 777, "musl"),
        "broken": {"ok": False, "error": "cc failed", "seconds": 0.1},
    },
    "images": {
        "slice-debian-glibc": _image("debian", (73800851, 28138178), (934808, 413545)),
        "slice-busybox-musl": _image("busybox-musl", (2799653, 1549551), (962840, 438091)),
        EVIL: _image(EVIL, (10, 5), (20, 7)),
    },
    "probes": {
        "hello-c-gnu": {"scratch": {"ok": True, "expected": "fails", "exit_code": 127, "output": "", "command": "x"},
                        "debian": {"ok": True, "expected": "runs", "exit_code": 0, "output": "Hi", "command": "x"}},
        "hello-c-musl": {"scratch": {"ok": True, "expected": "runs", "exit_code": 0, "output": "Hi", "command": "x"},
                         "debian": {"ok": False, "expected": "fails", "exit_code": 0, "output": "Hi", "command": "x"}},
    },
    "failures": [],
}


class _Figures(HTMLParser):
    """Collects what a browser would see: data-lb-figure attributes (decoded), data: links, table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[dict] = []
        self.links: dict[str, str] = {}
        self.cells: list[str] = []
        self.scripts = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-lb-figure" in a:
            self.figures.append(json.loads(a["data-lb-figure"]))
        if tag == "a" and (a.get("href") or "").startswith("data:"):
            self.links[a.get("download") or ""] = a["href"]
        if tag == "script":
            self.scripts += 1
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(fragment: str) -> _Figures:
    p = _Figures()
    p.feed(fragment)
    p.close()
    return p


def chart(body: dict, lang: str = "en", record: dict = RECORD) -> tuple[str, _Figures]:
    out = render_block(body, record, lang)
    return out, parse(out)


def _data_uri_text(uri: str) -> str:
    head, _, payload = uri.partition(",")
    assert head.endswith(";charset=utf-8")
    return urllib.parse.unquote(payload)


# -- values equal the record ------------------------------------------------------------------------

def test_image_sizes_stack_base_and_app_layers_and_switch_to_compressed():
    _, p = chart({"chart": "image-sizes", "images": ["slice-debian-glibc", "slice-busybox-musl"]})
    (fig,) = p.figures
    base, app = fig["data"]
    assert fig["layout"]["barmode"] == "stack"
    assert base["x"] == ["slice-debian-glibc", "slice-busybox-musl"]
    assert base["y"] == [73800851, 2799653] and app["y"] == [934808, 962840]
    for name, b, a in zip(base["x"], base["y"], app["y"]):
        assert b + a == RECORD["images"][name]["size"]["uncompressed"]
    unc, comp = fig["switch"]
    assert unc["y"] == [base["y"], app["y"]] and unc["label"] == "Uncompressed"
    assert comp["y"] == [[28138178, 1549551], [413545, 438091]] and comp["label"] == "Compressed"
    assert [c[1] for c in comp["customdata"][1]] == ["413.5 kB", "438.1 kB"]  # the hover's words
    assert fig["layout"]["yaxis"].get("type", "linear") == "linear"
    _, p = chart({"chart": "image-sizes", "images": "slice-debian-glibc", "log": True})
    assert p.figures[0]["layout"]["yaxis"]["type"] == "log"


def test_binary_sizes_group_gnu_and_musl_per_program():
    _, p = chart({"chart": "binary-sizes",
                  "builds": ["hello-c-gnu", "hello-c-musl", "hello-rust-gnu", "hello-rust-musl"]})
    traces = {t["name"]: t for t in p.figures[0]["data"]}
    assert set(traces) == {"glibc", "musl"}
    assert traces["glibc"]["x"] == ["hello-c", "hello-rust"] == traces["musl"]["x"]
    assert traces["glibc"]["y"] == [15960, 442352]
    assert traces["musl"]["y"] == [24696, 499896]


def test_probe_heatmap_marks_ran_and_failed_and_unexpected():
    _, p = chart({"chart": "probes", "builds": ["hello-c-gnu", "hello-c-musl"]})
    (hm,) = p.figures[0]["data"]
    assert hm["type"] == "heatmap"
    assert hm["x"] == ["scratch", "debian"] and hm["y"] == ["hello-c-gnu", "hello-c-musl"]
    assert hm["text"] == [["fails", "runs"], ["runs", "runs"]]
    assert hm["z"] == [[0, 1], [1, 1]]  # the words' indices, each on its colour's stop
    assert hm["colorscale"][0][1] == FAIL_COLOR and hm["colorscale"][-1][1] == RUN_COLOR
    assert p.figures[0]["layout"]["yaxis"]["autorange"] == "reversed"  # the first build on top, as in the table
    row = p.cells[p.cells.index("hello-c-musl/debian"):][:5]
    assert row == ["hello-c-musl/debian", "debian", "hello-c-musl", "runs", "0"] and "unexpected" in p.cells


def test_build_times_are_the_recorded_seconds():
    names = ["hello-c-gnu", "hello-c-musl"]
    _, p = chart({"chart": "build-times", "builds": names})
    (bar,) = p.figures[0]["data"]
    assert bar["orientation"] == "h" and bar["y"] == names and bar["x"] == [0.09, 0.06]
    assert "from cache" in p.cells  # hello-c-musl's seconds come from the run that filled the cache


# -- the page around the plot -------------------------------------------------------------------------

def test_table_downloads_and_one_provenance_box_per_page():
    out, p = chart({"chart": "image-sizes", "images": ["slice-debian-glibc"]})
    assert '<details class="lb-chart__data">' in out
    assert "73,800,851 bytes (73.8 MB)" in p.cells and "934,808 bytes (934.8 kB)" in p.cells
    rows = list(csv.DictReader(io.StringIO(_data_uri_text(p.links["livebench-image-sizes.csv"]))))
    assert rows[0] == {"name": "slice-debian-glibc/base", "image": "slice-debian-glibc", "size.uncompressed": "73800851",
                       "role": "base", "base": "debian", "size.compressed": "28138178"}
    doc = json.loads(_data_uri_text(p.links["livebench-image-sizes.json"]))
    assert doc["chart"] == "image-sizes" and doc["provenance"]["git_commit"] == "0123456789abcdef"
    assert doc["rows"][1]["size.uncompressed"] == 934808
    assert p.scripts == 0  # nothing executable in a chart block
    # Provenance is the page's, once, not every chart's (16 boxes on the article before).
    assert "lb-provenance" not in out
    page, problems = expand_markdown("```livebench\nchart: image-sizes\nimages: [slice-debian-glibc]\n```\n\n"
                                     "```livebench\nchart: binary-sizes\nbuilds: [hello]\n```\n", RECORD,
                                     lang="en", page="p.md")
    assert page.count('<details class="lb-provenance">') == 1 and "0123456789" in page


def test_korean_edition_labels_everything_in_korean():
    ko = LABELS["ko"]
    _, p = chart({"chart": "image-sizes", "images": ["slice-debian-glibc"]}, lang="ko")
    fig = p.figures[0]
    assert fig["lang"] == "ko"
    assert fig["layout"]["title"]["text"] == ko["chart_image_sizes"]
    assert fig["layout"]["xaxis"]["title"]["text"] == ko["image"]
    assert fig["layout"]["yaxis"]["title"]["text"] == ko["axis_uncompressed"]
    assert [t["name"] for t in fig["data"]] == [ko["layer_base"], ko["layer_app"]]
    assert [v["label"] for v in fig["switch"]] == [ko["show_uncompressed"], ko["show_compressed"]]
    assert fig["switch"][1]["axis"] == ko["axis_compressed"]
    assert "73,800,851바이트 (73.8 MB)" in p.cells and ko["layer_base"] in p.cells
    _, p = chart({"chart": "build-times", "builds": ["hello-c-gnu", "hello-c-musl"]}, lang="ko")
    assert p.figures[0]["data"][0]["text"] == ["90.0 ms", "60.0 ms"]
    assert p.figures[0]["layout"]["xaxis"]["title"]["text"] == ko["axis_seconds"]
    assert ko["cached"] in p.cells and ko["measured"] in p.cells
    _, p = chart({"chart": "probes", "builds": ["hello-c-gnu"]}, lang="ko")
    assert p.figures[0]["layout"]["title"]["text"] == ko["probe_matrix"]
    assert p.figures[0]["data"][0]["text"] == [[ko["fails"], ko["runs"]]]
    _, p = chart({"chart": "binary-sizes", "builds": ["hello-c-gnu", "hello-c-musl"]}, lang="ko")
    assert "동적 (dynamic)" in p.cells and "정적 (static)" in p.cells


def test_hostile_names_are_escaped_everywhere():
    out, p = chart({"chart": "image-sizes", "images": [EVIL]})
    assert "<script" not in out and "</div><" not in out.split("data-lb-figure")[1][:200]
    raw = re.search(r"data-lb-figure='([^']*)'", out).group(1)
    decoded = html.unescape(raw)  # what JSON.parse gets in the browser
    assert decoded == raw  # no entity at all: the JSON in single quotes, with no ' < > & of its own
    assert not set(raw) & set("<>&`()'")  # all as \\uXXXX escapes
    assert "\\\\" not in decoded  # no escaped backslash either: Markdown would eat one of the pair
    fig = p.figures[0]
    # Plotly renders a little HTML in its strings: record text reaches it HTML-escaped, shown verbatim.
    assert fig["data"][0]["x"] == [html.escape(EVIL, quote=False)]
    assert EVIL in p.cells  # the table shows the name as text
    out, p = chart({"chart": "binary-sizes", "builds": [EVIL]})
    assert "<script" not in out and p.figures[0]["data"][0]["y"] == [777]
    # A spreadsheet would run a cell that starts with "=": the CSV neutralises it.
    rec = copy.deepcopy(RECORD)
    rec["builds"]["=HYPERLINK(1)"] = _build("x", 1, "musl")
    _, p = chart({"chart": "binary-sizes", "builds": ["=HYPERLINK(1)"]}, record=rec)
    assert "'=HYPERLINK(1)" in _data_uri_text(p.links["livebench-binary-sizes.csv"])


def test_record_text_in_every_plotly_string_is_escaped():
    """Plotly renders a subset of HTML in hovers: no record string may reach the figure unescaped
    (probe exit codes and the ratio chart's target and title included; a frozen record is a file)."""
    rec = copy.deepcopy(RECORD)
    rec["probes"]["hello-c-gnu"]["debian"] = {"ok": True, "exit_code": EVIL, "output": EVIL, "command": EVIL}
    rec["measurements"] = {"perf": {"s": {"title": EVIL, "ratios": {"r": 1.5}, "targets": {"r": EVIL}}}}

    def strings(o):
        if isinstance(o, str):
            yield o
        elif isinstance(o, dict):
            for v in o.values():
                yield from strings(v)
        elif isinstance(o, list):
            for v in o:
                yield from strings(v)

    for body in ({"chart": "probes", "builds": ["hello-c-gnu"]}, {"chart": "ratios", "measurements": "perf"}):
        out, p = chart(body, record=rec)
        assert not [t for t in strings(p.figures[0]) if "<script" in t or "</div>" in t], body
        assert "<script" not in out


def test_chart_survives_markdown_inside_a_content_tab():
    """Indented in a tab, the block reaches Python-Markdown as inline HTML: it must come out unchanged."""
    md = (f"=== \"Tab\"\n\n    ```livebench\n    chart: image-sizes\n    images: ['{EVIL.replace(chr(39), chr(39) * 2)}']"
          "\n    ```\n\n=== \"Other\"\n\n    text\n")
    text, problems = expand_markdown(md, RECORD, lang="en", page="docs/p.md")
    assert not problems
    out = markdown.markdown(text, extensions=["attr_list", "md_in_html", "tables", "pymdownx.superfences",
                                              "pymdownx.details", "pymdownx.tabbed"],
                            extension_configs={"pymdownx.tabbed": {"alternate_style": True}})
    assert "tabbed-set" in out
    chart_part = re.sub(r'<details class="lb-provenance">.*?</details>', "", out)  # its <code> is its own
    for produced_by_markdown in ("<em>", "<strong>", "<code>", '<a href="http'):
        assert produced_by_markdown not in chart_part
    p = parse(out)
    built = chart_image_sizes({"images": [EVIL]}, RECORD, "en")
    expected = json.loads(figure_json(built.figure, "en", built.switch))
    assert p.figures == [expected]
    assert EVIL in p.cells


def test_errors_name_what_is_wrong():
    with pytest.raises(DirectiveError, match="unknown chart 'pie'. Charts: image-sizes"):
        render_block({"chart": "pie"}, RECORD, "en")
    with pytest.raises(DirectiveError, match=r"option\(s\) images do not apply to 'chart: probes'"):
        render_block({"chart": "probes", "builds": ["hello-c-gnu"], "images": ["x"]}, RECORD, "en")
    with pytest.raises(DirectiveError, match="unknown image 'nope'. Known: "):
        render_block({"chart": "image-sizes", "images": ["nope"]}, RECORD, "en")
    with pytest.raises(DirectiveError, match="build 'broken' failed"):
        render_block({"chart": "build-times", "builds": ["broken"]}, RECORD, "en")
    with pytest.raises(DirectiveError, match="needs 'builds'"):
        render_block({"chart": "binary-sizes"}, RECORD, "en")
    text, problems = expand_markdown("```livebench\nchart: probes\nbuilds: [ghost]\n```\n", RECORD,
                                     lang="en", page="docs/p.md")
    assert [str(x) for x in problems] == ["docs/p.md:1: no probes for build 'ghost'. Probed: hello-c-gnu, hello-c-musl"]


# -- the built demo site ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_cache) -> Path:
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]*)\"", re.I)


def test_script_tags_only_on_chart_pages_and_never_from_another_host(site: Path):
    pages = sorted(site.rglob("*.html"))
    assert pages
    chart_pages = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        srcs = SCRIPT_SRC.findall(text)
        for src in srcs:
            assert not re.match(r"^(?:[a-z]+:)?//", src, re.I), f"{page}: script from another host: {src}"
        ours = [s for s in srcs if "livebench" in s]
        if 'class="lb-chart"' in text:
            chart_pages.append(page.relative_to(site).as_posix())
            assert len(ours) == 1, f"{page}: {ours}"
            assert (page.parent / ours[0]).resolve() == (site / "assets/livebench/livebench-charts.js").resolve()
        else:
            assert not ours, f"{page} has no chart but loads {ours}"
        assert "plotly.min.js" not in "".join(srcs)  # fetched by our script, once, only where needed
    assert {"container-diet/index.html", "ko/container-diet/index.html"} <= set(chart_pages)
    assert len(chart_pages) < len(pages)  # pages without charts exist, and load nothing of ours
    served = site / "assets/livebench/plotly.min.js"
    assert served.read_bytes() == PLOTLY_BUNDLE.read_bytes()
    assert (site / "assets/livebench/livebench-charts.js").is_file()


def test_both_editions_carry_the_same_charts_in_the_same_order(site: Path):
    record = json.loads((site / "livebench/results.json").read_text())
    kinds = {}
    for ed in ("container-diet", "ko/container-diet"):
        p = parse((site / ed / "index.html").read_text(encoding="utf-8"))
        kinds[ed] = [(f["lang"], [t["type"] for t in f["data"]], [t.get("y") for t in f["data"]]) for f in p.figures]
        assert len(p.figures) == 9
    en, ko = kinds["container-diet"], kinds["ko/container-diet"]
    assert [k[0] for k in en] == ["en"] * 9 and [k[0] for k in ko] == ["ko"] * 9
    assert [k[1:] for k in en] == [k[1:] for k in ko]  # same traces, same numbers, one record
    img = parse((site / "container-diet/index.html").read_text()).figures[4]  # image-sizes; the benchmarks follow
    for name, base in zip(img["data"][0]["x"], img["data"][0]["y"]):
        assert base == sum(l["size"] for l in record["images"][name]["layers"] if l.get("role") != "app")


# -- charts of one's own ------------------------------------------------------------------------
BENCH_RECORD = {**RECORD, "benchmarks": {"b": {"settings": {"compare_to": "x"}, "comparisons": [], "variants": {
    v: {"median": m, "max_rss": r, "runs": 3, "samples": [{"seconds": m * k, "user": 0.0, "system": 0.0} for k in (0.9, 1, 1.1)]}
    for v, m, r in (("x", 0.002, 2_000_000), ("y", 0.0005, 300_000))}}}}


@pytest.mark.parametrize("body, trace", [
    ("chart: bar\ndata: builds\ny: artifact.size\nunit: bytes", "bar"),
    ("chart: grouped-bar\ndata: images\ny: size.compressed\ncolor: base\nunit: bytes", "bar"),
    ("chart: stacked-bar\ndata: builds\nx: linkage.libc\ny: artifact.size\ncolor: name\nunit: bytes", "bar"),
    ("chart: line\ndata: benchmarks\nx: variant\ny: median\nunit: seconds", "scatter"),
    ("chart: scatter\ndata: builds\nx: seconds\ny: artifact.size\nunit: bytes\nx_unit: seconds\nlog: true", "scatter"),
    ("chart: box\ndata: benchmarks\nx: variant\ny: samples.seconds\nunit: seconds", "box"),
    ("chart: strip\ndata: benchmarks\nx: variant\ny: samples.seconds\nunit: seconds", "box"),
    ("chart: heatmap\ndata: probes\nx: base\ny: build\nz: exit_code", "heatmap"),
])
def test_every_chart_type_draws_the_records_numbers(body, trace):
    out, p = chart(yaml.safe_load(body), record=BENCH_RECORD)
    (fig,) = p.figures
    assert {t["type"] for t in fig["data"]} == {trace}
    assert '<details class="lb-chart__data">' in out and p.links  # the table and the downloads, as presets have
    if "samples.seconds" in body:  # every sample of every variant, as recorded
        ys = {t["name"]: t["y"] for t in fig["data"]}
        assert ys == {v: [s["seconds"] for s in x["samples"]] for v, x in BENCH_RECORD["benchmarks"]["b"]["variants"].items()}
    if "artifact.size" in body and "stacked" not in body:
        values = [y for t in fig["data"] for y in t["y"]]
        assert sorted(values) == sorted(b["artifact"]["size"] for b in RECORD["builds"].values() if b.get("ok", True))


def test_own_chart_labels_sort_and_filters():
    body = {"chart": "bar", "data": "builds", "y": "artifact.size", "unit": "bytes", "sort": "-y",
            "title": {"en": "Sizes", "ko": "크기"}, "y_title": {"en": "bytes", "ko": "바이트"}}
    _, en = chart(body)
    _, ko = chart(body, lang="ko")
    assert en.figures[0]["layout"]["title"]["text"] == "Sizes" and ko.figures[0]["layout"]["title"]["text"] == "크기"
    ys = en.figures[0]["data"][0]["y"]
    assert ys == sorted(ys, reverse=True)
    names = [b for b in RECORD["builds"] if RECORD["builds"][b].get("ok", True)][:1]
    _, only = chart({**body, "only": names})
    assert only.figures[0]["data"][0]["x"] == names


def test_horizontal_bars_put_the_rows_down_the_side_and_the_values_across():
    body = {"chart": "bar", "data": "builds", "y": "seconds", "unit": "seconds", "orientation": "horizontal",
            "color": "linkage.libc", "only": ["hello-c-gnu", "hello-c-musl"]}
    out, p = chart(body)
    (fig,) = p.figures
    seconds = [RECORD["builds"][n]["seconds"] for n in body["only"]]
    assert [(t["orientation"], t["y"], t["x"]) for t in fig["data"]] == [
        ("h", ["hello-c-gnu"], [seconds[0]]), ("h", ["hello-c-musl"], [seconds[1]])]
    layout = fig["layout"]
    assert layout["xaxis"]["ticksuffix"] == "s" and layout["yaxis"]["autorange"] == "reversed"  # value axis across
    assert '<svg class="lb-chart__static"' in out and "<rect" in out  # drawn at build time, as vertical bars are
    for bad, says in (({"orientation": "sideways"}, "write vertical or horizontal"),
                      ({"chart": "line"}, "'orientation' turns bars"),
                      ({"facet": "linkage.libc"}, "does not combine with 'facet'")):
        with pytest.raises(DirectiveError, match=says):
            render_block({**body, **bad}, RECORD, "en")


def test_switch_gives_buttons_for_other_y_fields_with_their_values_and_table_column():
    body = {"chart": "grouped-bar", "data": "images", "y": "size.uncompressed", "unit": "bytes", "color": "base",
            "sort": "-y", "switch": [{"y": "size.compressed", "title": {"en": "compressed", "ko": "압축"}}]}
    out, p = chart(body, lang="ko")
    (fig,) = p.figures
    shown, other = fig["switch"]
    assert [shown["label"], other["label"]] == ["size.uncompressed", "압축"] and other["axis"] == "압축"
    assert shown["y"] == [t["y"] for t in fig["data"]]  # the first view is the chart as drawn
    for trace, ys, texts in zip(fig["data"], other["y"], other["text"]):
        # each trace's bars keep their order; the other view carries the same images' compressed sizes
        assert ys == [RECORD["images"][html.unescape(x)]["size"]["compressed"] for x in trace["x"]]
        assert texts == [human_size(v) for v in ys]
    assert "<th>압축</th>" in out
    for bad, says in (({"chart": "box"}, "vertical bars, lines and scatters"),
                      ({"orientation": "horizontal"}, "vertical bars"),
                      ({"switch": "size.compressed"}, "takes a list"),
                      ({"switch": [{"field": "size.compressed"}]}, "a field path or"),
                      ({"switch": ["size.zipped"]}, "size.zipped")):
        with pytest.raises(DirectiveError, match=says):
            render_block({**body, **bad}, RECORD, "en")


def test_reference_lines_sit_on_the_value_axis_of_every_panel_with_their_label():
    body = {"chart": "bar", "data": "builds", "y": "seconds", "unit": "seconds", "facet": "linkage.libc",
            "reference": [2, {"value": 30, "label": {"en": "half a minute", "ko": "30초"}}]}
    _, p = chart(body, lang="ko")
    layout = p.figures[0]["layout"]
    panels = [k for k in layout if k.startswith("yaxis")]
    lines = [(sh["yref"], sh["y0"], sh["y1"], sh["xref"]) for sh in layout["shapes"]]
    assert sorted(lines) == sorted((f"y{n}", v, v, f"x{n} domain") for v in (2, 30)
                                   for n in ["" if k == "yaxis" else k[5:] for k in panels])
    labels = [a for a in layout["annotations"] if a["text"] == "30초"]
    assert len(labels) == len(panels) and all(a["y"] == 30 for a in labels)
    plain = {k: v for k, v in body.items() if k != "facet"}
    _, turned = chart({**plain, "orientation": "horizontal", "log": True, "reference": [{"value": 10, "label": "10 s"}]})
    (line,) = turned.figures[0]["layout"]["shapes"]
    assert (line["xref"], line["x0"], line["x1"], line["yref"]) == ("x", 10, 10, "y domain")
    assert [a["x"] for a in turned.figures[0]["layout"]["annotations"] if a["text"] == "10 s"] == [1.0]  # log10(10)
    for bad, says in (({"reference": ["one"]}, "each entry is a number"),
                      ({"reference": [0], "log": True}, "above 0"),
                      ({"reference": [{"value": 1, "colour": "red"}]}, "each entry is a number"),
                      ({"chart": "heatmap", "data": "probes", "x": "base", "y": "build", "z": "result"}, "heatmap")):
        with pytest.raises(DirectiveError, match=says):
            render_block({**plain, **bad}, RECORD, "en")


def test_a_heatmap_of_words_gives_each_word_its_colour_and_writes_it_in_the_cell():
    body = {"chart": "heatmap", "data": "probes", "x": "base", "y": "build", "z": "result"}
    out, p = chart(body)
    (trace,) = p.figures[0]["data"]
    words = [list(row) for row in trace["text"]]
    results = {(b, base): probe["exit_code"] == 0 for b, row in RECORD["probes"].items() for base, probe in row.items()}
    assert {w for row in words for w in row if w} == {"runs", "fails"}
    for r, build in enumerate(trace["y"]):
        for c, base in enumerate(trace["x"]):
            if (build, base) in results:
                assert words[r][c] == ("runs" if results[(build, base)] else "fails")
    scale = trace["colorscale"]

    def colour_of(index: int) -> str:  # the stop exactly at the value's position
        return next(c for pos, c in scale if abs(pos - index / trace["zmax"]) < 1e-9)
    index = {w: trace["z"][r][c] for r, row in enumerate(words) for c, w in enumerate(row) if w}
    assert colour_of(index["runs"]) == RUN_COLOR and colour_of(index["fails"]) == FAIL_COLOR
    assert f'fill="{RUN_COLOR}"' in out and f'fill="{FAIL_COLOR}"' in out  # the build-time drawing agrees
    _, own = chart({**body, "colors": {"fails": "#000000"}})
    (trace,) = own.figures[0]["data"]
    assert "#000000" in [c for _, c in trace["colorscale"]] and FAIL_COLOR not in [c for _, c in trace["colorscale"]]
    with pytest.raises(DirectiveError, match="#rrggbb"):
        render_block({**body, "colors": {"fails": "red"}}, RECORD, "en")


def test_the_rows_the_built_in_kinds_need_are_sections_and_fields_of_the_query():
    """layers (an image's layers summed by role), ratios (every measured ratio with its verdict), a build's
    program, and more table columns: what the built-in kinds compute, reachable by any chart."""
    from livebench.render.query import rows

    layers = {r["name"]: r for r in rows(RECORD, "layers")}
    assert layers["slice-busybox-musl/base"]["size"] == {"uncompressed": 2799653, "compressed": 1549551}
    assert (layers["slice-busybox-musl/app"]["role"], layers["slice-busybox-musl/app"]["image"]) == (
        "app", "slice-busybox-musl")
    rec = copy.deepcopy(RECORD)
    rec["measurements"] = {"perf": {"warm": {"title": "warm", "ratios": {"on/off": 1.09, "cpu": 1.0},
                                             "targets": {"on/off": "<= 1.05"}},
                                    "cold": {"ratios": {"x": 0.8}, "targets": {"x": "<= 0.85"}}}}
    verdicts = {r["name"]: (r["value"], r["verdict"]) for r in rows(rec, "ratios")}
    assert verdicts == {"warm: on/off": (1.09, "missed"), "warm: cpu": (1.0, "no target"), "cold: x": (0.8, "met")}
    assert {r["name"]: r["program"] for r in rows(RECORD, "builds")}["hello-rust-musl"] == "hello-rust"
    body = {"chart": "stacked-bar", "data": "layers", "x": "image", "y": "size.compressed", "color": "role",
            "unit": "bytes", "columns": ["base", "size.uncompressed"],
            "only": ["slice-busybox-musl/base", "slice-busybox-musl/app"]}
    out, p = chart(body)
    assert [(t["name"], t["y"]) for t in p.figures[0]["data"]] == [("base", [1549551]), ("app", [438091])]
    assert [t["marker"]["color"] for t in p.figures[0]["data"]] == [BASE_COLOR, APP_COLOR]
    (csv_link,) = [u for name, u in p.links.items() if name.endswith(".csv")]
    table = list(csv.reader(io.StringIO(_data_uri_text(csv_link))))
    assert table[0] == ["name", "image", "size.compressed", "role", "base", "size.uncompressed"]  # by field path
    assert table[1] == ["slice-busybox-musl/base", "slice-busybox-musl", "1549551", "base", "busybox-musl", "2799653"]
    assert "busybox-musl" in p.cells and "2,799,653" in p.cells  # the table shows them too
    _, turned = chart({"chart": "bar", "data": "ratios", "x": "name", "y": "value", "color": "verdict", "unit": "ratio",
                       "orientation": "horizontal"}, record=rec)
    assert {t["name"]: t["marker"]["color"] for t in turned.figures[0]["data"]} == {
        "missed": FAIL_COLOR, "no target": TIME_COLOR, "met": RUN_COLOR}
    with pytest.raises(DirectiveError, match="'columns' takes a list"):
        render_block({**body, "columns": "base"}, RECORD, "en")
    with pytest.raises(DirectiveError, match="no such field in layers"):
        render_block({**body, "columns": ["bse"]}, RECORD, "en")


def test_facets_are_panels_sharing_the_value_axis_with_one_legend_entry_per_colour():
    # a static glibc build too, so one colour (static) is in both panels (glibc, musl)
    rec = copy.deepcopy(RECORD)
    rec["builds"]["hello-c-gnu-static"] = _build("hello-c-gnu-static", 800000, "glibc", "static")
    body = {"chart": "bar", "data": "builds", "x": "name", "y": "artifact.size", "unit": "bytes",
            "color": "linkage.kind", "facet": "linkage.libc", "facet_columns": 1,
            "only": ["hello-c-gnu", "hello-c-gnu-static", "hello-c-musl", "hello-rust-musl"]}
    out, p = chart(body, record=rec)
    (fig,) = p.figures
    layout = fig["layout"]
    assert [a["text"] for a in layout["annotations"]] == ["glibc", "musl"]  # one panel per C library, titled
    panels = {}
    for t in fig["data"]:
        panels.setdefault(t["xaxis"], []).append((t["name"], t["yaxis"], t["x"], t["y"]))
    assert panels == {"x": [("dynamic", "y", ["hello-c-gnu"], [15960]),
                            ("static", "y", ["hello-c-gnu-static"], [800000])],
                      "x2": [("static", "y2", ["hello-c-musl", "hello-rust-musl"], [24696, 499896])]}
    assert layout["yaxis2"]["matches"] == "y" and layout["xaxis2"]["anchor"] == "y2"
    first, second = layout["yaxis"]["domain"], layout["yaxis2"]["domain"]  # one column: stacked, not overlapping
    assert second[1] < first[0]
    shown = [t["name"] for t in fig["data"] if t.get("showlegend", True)]
    assert sorted(shown) == ["dynamic", "static"]  # static is in both panels, and in the legend once
    colours = {t["name"]: set() for t in fig["data"]}
    for t in fig["data"]:
        colours[t["name"]].add(t["marker"]["color"])
    assert all(len(c) == 1 for c in colours.values()), colours  # a colour means the same in every panel
    # box and strip traces are named by their x: the legend entry is the colour's group, once
    two = copy.deepcopy(BENCH_RECORD)  # a second benchmark, other variants, the same two colours (libc)
    variants = two["benchmarks"]["b"]["variants"]
    variants["x"]["libc"], variants["y"]["libc"] = "glibc", "musl"
    two["benchmarks"]["c"] = {**two["benchmarks"]["b"], "variants": {"p": variants["x"], "q": variants["y"]}}
    _, strip = chart({"chart": "strip", "data": "benchmarks", "x": "variant", "y": "samples.seconds",
                      "color": "libc", "facet": "benchmark"}, record=two)
    traces = strip.figures[0]["data"]
    assert [(t["xaxis"], t["name"]) for t in traces] == [("x", "x"), ("x", "y"), ("x2", "p"), ("x2", "q")]
    assert [t["legendgroup"] for t in traces if t.get("showlegend")] == ["glibc", "musl"]
    assert "lb-chart__static" not in out  # the build-time drawing is for single plots; Plotly draws panels
    assert "glibc" in p.cells and "musl" in p.cells  # the table names each row's panel
    _, problems = expand_markdown("```livebench\nchart: bar\ndata: builds\ny: artifact.size\nfacet: linkage.lib\n```\n",
                                  RECORD, lang="en", page="docs/p.md")
    assert "Did you mean 'linkage.libc'" in str(problems[0])
    _, problems = expand_markdown("```livebench\nchart: bar\ndata: builds\ny: artifact.size\nfacet: name\n"
                                  "facet_columns: 0\n```\n", RECORD, lang="en", page="docs/p.md")
    assert "'facet_columns' takes a number of panels per row from 1 to 6" in str(problems[0])


@pytest.mark.parametrize("body, says", [
    ("chart: scater\ndata: builds\ny: artifact.size", "Did you mean 'scatter'"),
    ("chart: bar\ndata: buils\ny: artifact.size", "Did you mean 'builds'"),
    ("chart: bar\ndata: builds\ny: artifact.sise", "Did you mean 'artifact.size'"),
    ("chart: bar\ndata: builds\ny: artifact.size\nunit: byte", "Did you mean 'bytes'"),
    ("chart: bar\ndata: builds\ny: artifact.size\ncolour: x", "Did you mean 'color'"),
    ("chart: heatmap\ndata: probes\nx: base\ny: build", "needs 'z'"),
    ("chart: bar\ndata: builds\ny: artifact.size\nonly: [nope]", "no row nope"),
])
def test_own_chart_mistakes_name_page_line_and_fix(body, says):
    _, problems = expand_markdown(f"text\n\n```livebench\n{body}\n```\n", RECORD, lang="en", page="docs/p.md")
    assert len(problems) == 1 and says in str(problems[0]) and str(problems[0]).startswith("docs/p.md:3:")


def test_bar_and_heatmap_charts_are_drawn_at_build_time_from_the_figures_numbers():
    html_ = render_block({"chart": "binary-sizes", "builds": ["hello-c-gnu", "hello-c-musl", "hello-rust-gnu",
                                                               "hello-rust-musl"]}, RECORD, "en")
    svg = html_.split('<svg class="lb-chart__static"', 1)[1].split("</svg>", 1)[0]
    rects = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="([\d.]+)"', svg)
    bars = [float(h) for w, h in rects if (w, h) != ("10", "10")]  # the legend's keys are 10 x 10 squares
    assert len(bars) == 4  # two programs x two C libraries
    sizes = [15960, 442352, 24696, 499896]  # the glibc trace (hello-c, hello-rust), then musl: heights in proportion
    for h, size in zip(bars, sizes):
        assert h == pytest.approx(size / sizes[-1] * bars[-1], rel=0.02, abs=1.0)
    heat = render_block({"chart": "probes", "builds": ["hello-c-gnu", "hello-c-musl"]}, RECORD, "en")
    assert heat.count('<svg class="lb-chart__static"') == 1 and heat.count('height="') >= 4
    scatter = render_block({"chart": "scatter", "data": "builds", "x": "seconds", "y": "artifact.size"}, RECORD, "en")
    assert "lb-chart__static" not in scatter  # kinds it does not draw wait for Plotly


def test_the_build_time_drawing_escapes_record_text():
    html_ = render_block({"chart": "image-sizes", "images": [EVIL]}, RECORD, "en")
    svg = html_.split('<svg class="lb-chart__static"', 1)[1].split("</svg>", 1)[0]
    assert "<script" not in svg and "<img" not in svg and "onerror" not in svg.replace("onerror=&", "")
    assert all(part.startswith(("text", "rect", "line", "/")) for part in svg.split("<")[1:])
