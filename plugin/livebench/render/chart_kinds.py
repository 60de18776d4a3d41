"""The chart kinds and their options, without plotly: block validation and the plugin need these on
every build, while plotly (~0.1 s to import) is needed only to draw a chart that is not memoised."""
from __future__ import annotations

import importlib.util
from pathlib import Path

# The bundle the site serves (copied into site/assets/livebench/ by the plugin): the installed plotly's own,
# found without importing plotly.
_PLOTLY = importlib.util.find_spec("plotly")
PLOTLY_BUNDLE = Path(_PLOTLY.origin if _PLOTLY and _PLOTLY.origin else "plotly").parent / "package_data" / "plotly.min.js"
CHART_MARKER = 'class="lb-chart"'  # present in a page's HTML exactly when it has a chart

CUSTOM_TYPES = ("bar", "grouped-bar", "stacked-bar", "line", "scatter", "box", "strip", "heatmap")
CUSTOM_OPTIONS = {"data", "x", "y", "z", "color", "unit", "x_unit", "log", "sort", "only", "where", "title", "x_title",
                  "y_title", "facet", "facet_columns", "orientation", "colors", "columns", "switch", "reference", "names",
                  "color_title", "z_title", "y_button"}

CHART_OPTIONS: dict[str, set[str]] = {
    "image-sizes": {"images", "log", "title"},
    "binary-sizes": {"builds", "log", "title"},
    "probes": {"builds", "title"},
    "build-times": {"builds", "log", "title"},
    "ratios": {"measurements", "only", "title"},  # results of benchmarks/perf (render/measures.py)
    "benchmark": {"benchmark", "variants", "log", "title"},  # every sample of a benchmark (render/bench_chart.py)
    "timeline": {"run", "title"},  # the run's graph as a Gantt chart (render/timeline_chart.py)
    **{t: CUSTOM_OPTIONS for t in CUSTOM_TYPES},  # charts of one's own: a query over the record (render/custom.py)
}
ALL_OPTIONS = set().union(*CHART_OPTIONS.values())
