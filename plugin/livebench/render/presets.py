"""The built-in chart kinds (image sizes, binary sizes, probes, build times, measured ratios), each written
as the options of a chart of one's own (render/custom.py), so the two cannot drift apart. A kind checks
what its block names against the record first, naming a failed build or step as the cause, then hands
chart_custom its query and its labels in the page's language."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import DirectiveError
from .absent import absent, failed_build
from .custom import chart_custom
from .figure import Chart
from .labels import KIND_WORDS, label
from .measures import items
from .options import names as option_names
from .query import program_of


def _drawn(kind: str, options: dict[str, Any], opts: dict, record: dict, lang: str) -> Chart:
    """The chart of ``options``, titled by the block's ``title`` if it has one, under the kind's name."""
    if opts.get("title"):
        options["title"] = opts["title"]
    if "log" in opts:
        options["log"] = bool(opts["log"])
    return replace(chart_custom(options, record, lang), kind=kind)


def chart_image_sizes(opts: dict, record: dict, lang: str) -> Chart:
    names = option_names(opts, "images", "chart: image-sizes")
    for name in names:
        if name not in record.get("images", {}):
            raise absent(record, "images", name, f"image '{name}'")
    return _drawn("image-sizes", {
        "chart": "stacked-bar", "data": "layers", "only": [f"{n}/{role}" for n in names for role in ("base", "app")],
        "x": "image", "y": "size.uncompressed", "color": "role", "unit": "bytes",
        "columns": [{"field": "base", "title": label(lang, "base")}],
        "switch": [{"y": "size.compressed", "title": label(lang, "axis_compressed"),
                    "button": label(lang, "show_compressed")}],
        "names": {role: label(lang, f"layer_{role}") for role in ("base", "app")},
        "title": label(lang, "chart_image_sizes"), "x_title": label(lang, "image"), "color_title": label(lang, "layer"),
        "y_title": label(lang, "axis_uncompressed"), "y_button": label(lang, "show_uncompressed"),
    }, opts, record, lang)


def _builds(opts: dict, record: dict, kind: str) -> list[tuple[str, dict]]:
    out = []
    builds = record.get("builds", {})
    for name in option_names(opts, "builds", f"chart: {kind}"):
        b = builds.get(name)
        if b is None:
            raise absent(record, "builds", name, f"build '{name}'")
        if not b.get("ok") or not b.get("artifact"):
            raise failed_build(record, name, f"build '{name}' failed, so 'chart: {kind}' has no value for it: "
                                             f"{b.get('error') or 'no artifact'}")
        out.append((name, b))
    return out


def chart_binary_sizes(opts: dict, record: dict, lang: str) -> Chart:
    builds = _builds(opts, record, "binary-sizes")
    pairs = [(program_of(n), (b.get("linkage") or {}).get("libc")) for n, b in builds]
    by_program = len(set(pairs)) == len(pairs)  # else two builds of one program with one libc: each on its own
    return _drawn("binary-sizes", {
        "chart": "grouped-bar", "data": "builds", "only": [n for n, _ in builds],
        "x": "program" if by_program else "name", "y": "artifact.size", "color": "linkage.libc", "unit": "bytes",
        "columns": [{"field": "linkage.kind", "title": label(lang, "kind")}], "names": KIND_WORDS.get(lang, {}),
        "title": label(lang, "chart_binary_sizes"), "x_title": label(lang, "program" if by_program else "build"),
        "y_title": label(lang, "axis_file_size"), "color_title": label(lang, "libc"),
    }, opts, record, lang)


def chart_probes(opts: dict, record: dict, lang: str) -> Chart:
    names = option_names(opts, "builds", "chart: probes")
    probes = record.get("probes", {})
    for n in names:
        if n not in probes:
            raise DirectiveError(f"no probes for build '{n}'. Probed: {', '.join(sorted(probes)) or 'none'}")
    return _drawn("probes", {
        "chart": "heatmap", "data": "probes", "only": [f"{n}/{base}" for n in names for base in probes[n]],
        "x": "base", "y": "build", "z": "result",
        "columns": [{"field": "exit_code", "title": label(lang, "exit")}, {"field": "as_expected", "title": label(lang, "expectation")}],
        "names": {"runs": label(lang, "runs"), "fails": label(lang, "fails"),
                  "True": label(lang, "expected"), "False": label(lang, "unexpected")},
        "title": label(lang, "probe_matrix"), "x_title": label(lang, "base"), "y_title": label(lang, "build"),
        "z_title": label(lang, "result"),
    }, opts, record, lang)


def chart_build_times(opts: dict, record: dict, lang: str) -> Chart:
    builds = _builds(opts, record, "build-times")
    return _drawn("build-times", {
        "chart": "bar", "data": "builds", "only": [n for n, _ in builds], "y": "seconds", "unit": "seconds",
        "orientation": "horizontal", "columns": [{"field": "cached", "title": label(lang, "note")}],
        "names": {"True": label(lang, "cached"), "False": label(lang, "measured")},
        "title": label(lang, "chart_build_times"), "x_title": label(lang, "build"), "y_title": label(lang, "axis_seconds"),
    }, opts, record, lang)


def chart_ratios(opts: dict, record: dict, lang: str) -> Chart:
    """One bar per measured ratio (record["measurements"]), coloured by its verdict, with a line at 1×."""
    group = opts.get("measurements")
    shown = [f"{stem}: {key}" for stem, m in items(record, group, opts.get("only")) for key in m.get("ratios") or {}]
    if not shown:
        raise DirectiveError("'chart: ratios': the measurements hold no ratios")
    return _drawn("ratios", {
        "chart": "bar", "data": "ratios", "only": shown, "where": {"group": group}, "y": "value", "unit": "ratio",
        "color": "verdict", "orientation": "horizontal", "log": True, "reference": [{"value": 1, "label": "1×"}],
        "columns": [{"field": "target", "title": label(lang, "target")}],
        "names": {v: label(lang, f"verdict_{k}") for v, k in (("met", "met"), ("missed", "missed"), ("no target", "none"))},
        "title": label(lang, "chart_ratios"), "x_title": label(lang, "benchmark"), "y_title": label(lang, "axis_ratio"),
        "color_title": label(lang, "result"),
    }, opts, record, lang)
