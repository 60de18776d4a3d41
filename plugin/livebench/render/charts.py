"""Chart blocks: Plotly figures built from the record, drawn in the page by ``assets/livebench-charts.js``.

```livebench
chart: image-sizes            # or binary-sizes, probes, build-times
images: [slice-debian-glibc, slice-busybox-musl]   # image-sizes takes images, the others builds
log: true                     # optional: a log value axis
```

Every chart is one ``<figure class="lb-chart-figure">`` holding

* ``<div class="lb-chart" data-lb-figure='{...}'>``: the Plotly figure as JSON in an attribute;
* a ``<details>`` table with the exact figures (what readers without JavaScript, and screen readers, get);
* CSV and JSON downloads of the same rows, as ``data:`` URIs;
* the provenance line of the record.

Why the figure sits in an attribute and not in ``<script type="application/json">``: Material's instant
navigation re-creates every ``<script>`` inside the page container and copies the attributes only of
scripts with a ``src``, so a JSON script would be turned into an executable one (record text run as
JavaScript, and a SyntaxError on every navigation). An attribute is never executed, and the JS reads it
with ``JSON.parse``.

Why the HTML is "Markdown-inert": a directive indented inside a content tab or an admonition reaches
Python-Markdown as inline HTML inside a paragraph, and the text between tags is then parsed as Markdown
(``*``, ``_``, backticks, links). So every text node is written with :func:`inline_text`, and the JSON in
the attribute is part of a tag, which Markdown leaves alone.

Why ``data:`` URIs for the downloads: a block is rendered from ``(options, record, lang)`` only, with no
page or site directory at hand; a data URI needs no files to name, clean up or keep in step between the two
editions and ``mkdocs serve``, and the data behind one chart is a few hundred bytes.
"""
from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
from collections.abc import Callable

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from ..errors import DirectiveError
from ..spec.checker import did_you_mean
from . import static_svg
from .bench_chart import chart_benchmark
from .chart_kinds import ALL_OPTIONS, CHART_MARKER, CHART_OPTIONS, CUSTOM_TYPES, PLOTLY_BUNDLE
from .custom import chart_custom
from .figure import Chart
from .html import esc, inline_text
from .labels import label
from .presets import chart_binary_sizes, chart_build_times, chart_image_sizes, chart_probes, chart_ratios
from .timeline_chart import chart_timeline

_ESCAPED_BACKSLASH = re.compile(r"\\\\")  # a JSON-escaped backslash: two backslash characters

CHARTS: dict[str, Callable[[dict, dict, str], Chart]] = {
    "image-sizes": chart_image_sizes,
    "binary-sizes": chart_binary_sizes,
    "probes": chart_probes,
    "build-times": chart_build_times,
    "ratios": chart_ratios,
    "benchmark": chart_benchmark,
    "timeline": chart_timeline,
    **{t: chart_custom for t in CUSTOM_TYPES},
}


# -- HTML ---------------------------------------------------------------------------------------------

def figure_json(fig: go.Figure | dict, lang: str, switch: list[dict] | None = None) -> str:
    """The figure as JSON for the page: no template (the JS themes it), and no ``<``, ``>``, ``&`` at all,
    so it cannot close a tag or start an entity wherever it is embedded."""
    spec = dict(fig) if isinstance(fig, dict) else fig.to_plotly_json()
    spec["layout"] = {k: v for k, v in spec.get("layout", {}).items() if k != "template"}
    spec["config"] = {"displaylogo": False, "responsive": True, "showLink": False, "showSendToCloud": False,
                      "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}
    spec["lang"] = lang
    if switch:
        spec["switch"] = switch
    text = json.dumps(spec, cls=PlotlyJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    # Outside strings JSON only has {}[],:"digits and words, so these characters are in strings, where a
    # \uXXXX escape means the same. Escaped: what could end a tag or start an entity (< > &), and what
    # Python-Markdown acts on inside a paragraph before it stashes a tag: code spans (`), backslash
    # escapes (\\) and inline links ( ... ).
    text = _ESCAPED_BACKSLASH.sub(lambda m: "\\u005c", text)
    # And the single quote, which would end the attribute: the JSON goes in single quotes unescaped,
    # since an HTML parser (Material's search, for one) unescapes every &quot; of it in Python.
    for ch in "<>&`()'":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def _csv(chart: Chart) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(chart.keys)
    for row in chart.rows:
        # A cell starting with = + - @ would be a formula in a spreadsheet: prefix it (names are untrusted).
        w.writerow([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    return buf.getvalue()


def _json(chart: Chart, record: dict) -> str:
    p = record.get("provenance", {})
    doc = {"chart": chart.kind, "title": chart.title,
           "provenance": {k: p.get(k) for k in ("date", "arch", "kernel", "os", "git_commit", "livebench")},
           "rows": [dict(zip(chart.keys, row)) for row in chart.rows]}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"  # compact: it is in every page


def _data_uri(mime: str, text: str) -> str:
    # Only what a data: URL needs escaped (%, #, whitespace, which some browsers strip from non-text
    # data: URLs) and what HTML or Markdown would read: the downloads were two thirds of the article's
    # HTML when every character of the pretty JSON was.
    return f"data:{mime};charset=utf-8," + urllib.parse.quote(text, safe=",:{}=/;+@!$")


def _inert(fragment: str) -> str:
    """Make an HTML fragment whose attributes hold none of these characters inert to Markdown."""
    for ch, ent in (("\\", "&#92;"), ("_", "&#95;"), ("*", "&#42;"), ("`", "&#96;"), ("[", "&#91;"), ("]", "&#93;")):
        fragment = fragment.replace(ch, ent)
    return fragment


def render_chart(opts: dict, record: dict, lang: str, prov_line: str) -> str:
    kind = opts.get("chart")
    if kind not in CHARTS:
        raise DirectiveError(f"unknown chart '{kind}'.{did_you_mean(str(kind), CHARTS)} Charts: {', '.join(CHARTS)}")
    extra = set(opts) - {"chart"} - CHART_OPTIONS[kind]
    if extra:
        hints = "".join(did_you_mean(str(k), CHART_OPTIONS[kind]) for k in sorted(map(str, extra)))
        raise DirectiveError(f"option(s) {', '.join(sorted(map(str, extra)))} do not apply to 'chart: {kind}'.{hints} "
                             f"Allowed: {', '.join(sorted(CHART_OPTIONS[kind]))}")
    chart = CHARTS[kind](opts, record, lang)
    T = inline_text  # every text node Markdown-inert (see the module docstring)
    spec = chart.figure.to_plotly_json()
    drawing = static_svg.svg(spec, T) or ""  # shown at once; Plotly's chart replaces it once loaded
    head = "".join(f"<th>{T(h)}</th>" for h in chart.headers)
    body = "".join("<tr>" + "".join(f"<td>{T(c)}</td>" for c in row) + "</tr>" for row in chart.cells)
    stem = f"livebench-{kind}"
    downloads = (
        f'<p class="lb-chart__downloads">{T(label(lang, "download"))}: '
        f'<a href="{esc(_data_uri("text/csv", _csv(chart)))}" download="{stem}.csv">CSV</a> · '
        f'<a href="{esc(_data_uri("application/json", _json(chart, record)))}" download="{stem}.json">JSON</a></p>'
    )
    return (
        # data-search-exclude: Material's search indexes no axis tick, legend or table cell of a chart
        f'<figure class="lb-chart-figure" data-lb-kind="{esc(kind)}" data-search-exclude>'
        f"<div class=\"lb-chart\" data-lb-figure='{figure_json(spec, lang, chart.switch)}'>"
        f'<div class="lb-chart__plot" role="img" aria-label="{T(label(lang, "chart_aria", title=chart.title))}">'
        f"{drawing}</div>"
        "</div>"
        f'<details class="lb-chart__data"><summary>{T(label(lang, "chart_data"))}: {T(chart.title)}</summary>'
        f'<table class="lb-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>'
        f"{downloads}{_inert(prov_line)}</figure>"
    )


__all__ = ["ALL_OPTIONS", "CHART_MARKER", "CHARTS", "PLOTLY_BUNDLE", "figure_json", "render_chart"]
