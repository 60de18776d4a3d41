"""The box/strip chart of every sample of a benchmark (``chart: benchmark``)."""
from __future__ import annotations

import plotly.graph_objects as go

from .bench import bench_of, duration, selected_variants
from .figure import FAIL_COLOR, LIBC_COLORS, OTHER_COLORS, Chart, base_layout, pt
from .labels import label


def _color(name: str, i: int) -> str:
    for libc, color in LIBC_COLORS.items():
        if libc in name or (libc == "glibc" and name.endswith("-gnu")):
            return color
    return OTHER_COLORS[i % len(OTHER_COLORS)]


def chart_benchmark(opts: dict, record: dict, lang: str) -> Chart:
    """A box per variant with every sample drawn beside it; outliers (modified z > 3.5) marked."""
    name = opts.get("benchmark")
    bench = bench_of(record, name)
    names = selected_variants(opts, bench)
    title = str(opts.get("title") or label(lang, "chart_bench", name=str(name)))
    data, rows = [], []
    for i, n in enumerate(names):
        v = bench["variants"][n]
        ys = [s["seconds"] for s in v["samples"]]
        data.append(go.Box(
            # pointpos 0: the samples over the box, so the outlier marks fall on their own points
            y=ys, name=pt(n), boxpoints="all", jitter=0.5, pointpos=0, marker={"color": _color(n, i), "size": 4},
            line={"width": 1.5}, customdata=[duration(y) for y in ys],
            hovertemplate=pt(n) + "<br>%{customdata}<extra></extra>", showlegend=False))
        out = set(v["outliers"])
        if out:
            data.append(go.Scatter(
                x=[pt(n)] * len(out), y=[ys[j] for j in sorted(out)], mode="markers", showlegend=False,
                marker={"color": FAIL_COLOR, "symbol": "x", "size": 8}, name=pt(label(lang, "outlier")),
                hovertemplate=pt(n) + " (" + pt(label(lang, "outlier")) + ")<br>%{y:.4s}s<extra></extra>"))
        rows.extend([n, j, s["seconds"], s["user"], s["system"], j in out] for j, s in enumerate(v["samples"]))
    layout = base_layout(title, lang, height=420)
    layout.update({"yaxis": {"title": {"text": pt(label(lang, "axis_time"))}, "type": "log" if opts.get("log") else "linear",
                             "ticksuffix": "s", "tickformat": "~s", "hoverformat": ".4s", "rangemode": "tozero",
                             "automargin": True},
                   "xaxis": {"automargin": True}, "margin": {"l": 70, "r": 20, "t": 60, "b": 50}})
    keys = ["variant", "run", "seconds", "user", "system", "outlier"]
    headers = [label(lang, k) for k in ("variant", "median_ci", "range", "bench_runs", "outliers")]
    cells = []
    for n in names:
        v = bench["variants"][n]
        lo, hi = v["ci95"]
        cells.append([n, f"{duration(v['median'])} ({duration(lo)} … {duration(hi)})",
                      f"{duration(v['min'])} … {duration(v['max'])}", str(v["runs"]), str(len(v["outliers"]))])
    return Chart("benchmark", title, go.Figure(data=data, layout=layout), keys, rows, headers, cells)
