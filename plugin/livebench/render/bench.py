"""Benchmarks on the page: the table (median ± CI, ratio with CI, runs, outliers) and the inline values
``{lb:bench.NAME.VARIANT.FIELD}`` / ``{lb:bench.NAME.FIELD}``; the chart is in bench_chart.py (plotly)."""
from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from .._util.units import human_size
from ..errors import DirectiveError
from ..spec.checker import did_you_mean
from .html import esc
from .labels import label
from .options import names as option_names
from .provenance import short_date


def duration(seconds: float) -> str:
    """A time as a reader wants it: 3 significant digits in µs, ms or s."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            return f"{_three_digits(seconds / scale)} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def _three_digits(x: float) -> str:
    """1.00, 12.3, 308 (trailing zeros kept: "1 ms" would read as less precise than it is)."""
    if x >= 100 or x == 0:
        return f"{x:.0f}"
    return f"{x:.{2 - math.floor(math.log10(x))}f}" if x >= 0.01 else f"{x:.3g}"


def ratio_words(r: float) -> str:
    return f"{_three_digits(r)}×"


def bench_of(record: dict, name: Any) -> dict:
    if "benchmarks" not in record:
        raise DirectiveError(f"benchmark '{name}': the record has no benchmarks (the spec declares none under "
                             f"`benchmarks:`, or the record was written by a livebench without them)")
    benches = record["benchmarks"]
    if not isinstance(name, str) or name not in benches:
        raise DirectiveError(f"unknown benchmark '{name}'.{did_you_mean(str(name), benches)} "
                             f"Known: {', '.join(sorted(benches)) or 'none in the record'}")
    return benches[name]


def _comparison(bench: dict, variant: str) -> dict | None:
    return next((c for c in bench.get("comparisons") or [] if c["a"] == variant and c["b"] == _ref(bench)), None)


def _ref(bench: dict) -> str:
    return (bench.get("settings") or {}).get("compare_to") or next(iter(bench["variants"]))


def readable_command(bench: dict) -> str:
    """The template as a reader would type it: ``./slice ::2 data/words.txt`` (no placeholder, no cache path)."""
    names = [PurePosixPath(v["artifact"]).name for v in bench["variants"].values()]
    shown = [bench["command"].replace("{artifact}", "./" + n).replace("{data}", "data") for n in dict.fromkeys(names)]
    return " · ".join(shown)  # one line per program name: never the cache folder the file sits in


def caption_html(bench: dict, lang: str) -> str:
    m = bench.get("measured") or {}
    mach = m.get("machine") or {}
    where = bench.get("where") or "host"
    where_text = label(lang, "bench_where_host") if where == "host" else \
        label(lang, "bench_where_sandbox", base=where.partition(":")[2])
    governor = f", {mach['governor']}" if mach.get("governor") else ""
    text = label(lang, "bench_caption", where=where_text, command="\x00", warmup=str(bench["settings"]["warmup"]),
                 date=short_date(m.get("date"), lang), cpu=str(mach.get("cpu_model") or "?"),
                 cpus=str(mach.get("cpu_count") or "?"), governor=governor,
                 before=" / ".join(map(str, m.get("load_before") or [])),
                 after=" / ".join(map(str, m.get("load_after") or [])))
    html = esc(text).replace("\x00", f"<code>{esc(readable_command(bench))}</code>")
    if bench.get("shell"):
        html += esc(label(lang, "bench_shell"))
    s = bench["settings"]
    notes = [label(lang, "bench_verdict_note", alpha=f"{s['alpha']:g}", effect=f"{s['min_effect'] * 100:g} %")]
    if bench.get("rss_floor") is not None:
        notes.append(label(lang, "bench_rss_note", floor=human_size(bench["rss_floor"])))
    if bench.get("cached"):
        notes.append(label(lang, "bench_cached"))
    return f'<p class="lb-note lb-bench__caption">{html} {" ".join(esc(n) for n in notes)}</p>'


def block_benchmark(opts: dict, record: dict, lang: str) -> str:
    bench = bench_of(record, opts.get("benchmark"))
    names = selected_variants(opts, bench)
    ref = _ref(bench)
    L = lambda k, **f: esc(label(lang, k, **f))
    head = "".join(f"<th>{h}</th>" for h in (
        L("variant"), L("median_ci"), L("mean_sd"), L("bench_runs_outliers"), L("peak_rss"), L("versus", ref=ref)))
    rows = []
    for name in names:
        v = bench["variants"][name]
        lo, hi = v["ci95"]
        c = _comparison(bench, name)
        if name == ref:
            versus = L("reference_variant")
        elif c is None:
            versus = "–"
        else:
            clo, chi = c["ci95"]
            versus = (f'<span class="lb-verdict lb-verdict--{esc(c["verdict"].split()[0])}">{L(c["verdict"])}</span> '
                      f"{esc(ratio_words(c['ratio']))}<br><small>{esc(ratio_words(clo))} … {esc(ratio_words(chi))}, "
                      f"p = {c['p_value']:.2g}</small>")
        rss = human_size(v["max_rss"]) if v.get("max_rss") is not None else label(lang, "not_measured")
        rows.append(
            "<tr>"
            f"<td><code>{esc(name)}</code></td>"
            f"<td><strong>{esc(duration(v['median']))}</strong><br><small>{esc(duration(lo))} … {esc(duration(hi))}</small></td>"
            f"<td>{esc(duration(v['mean']))} ± {esc(duration(v['stddev']))}<br>"
            f"<small>{esc(duration(v['min']))} … {esc(duration(v['max']))}</small></td>"
            f"<td>{v['runs']} ({len(v['outliers'])})</td><td>{esc(rss)}</td><td>{versus}</td>"
            "</tr>")
    return (f'<div class="lb-bench"><table class="lb-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{caption_html(bench, lang)}</div>")


def selected_variants(opts: dict, bench: dict) -> list[str]:
    if "variants" not in opts:
        return list(bench["variants"])
    names = option_names(opts, "variants")
    for n in names:
        if n not in bench["variants"]:
            raise DirectiveError(f"'{n}' is not a variant of this benchmark. Variants: {', '.join(bench['variants'])}")
    return names


# -- inline values -----------------------------------------------------------------------------------

VARIANT_FIELDS: dict[str, Callable[[dict], Any]] = {
    key: (lambda k: lambda v: duration(v[k]))(key) for key in ("median", "mean", "stddev", "mad", "min", "max", "iqr")
}
VARIANT_FIELDS.update({
    "ci95": lambda v: f"{duration(v['ci95'][0])} … {duration(v['ci95'][1])}",
    "runs": lambda v: str(v["runs"]), "outliers": lambda v: str(len(v["outliers"])),
    "max_rss": lambda v: human_size(v["max_rss"]) if v.get("max_rss") is not None else "–",
})
COMPARISON_FIELDS: dict[str, Callable[[dict], Any]] = {
    "ratio": lambda c: ratio_words(c["ratio"]), "speedup": lambda c: ratio_words(1 / c["ratio"]),
    "ratio_ci95": lambda c: f"{ratio_words(c['ci95'][0])} … {ratio_words(c['ci95'][1])}",
    "p_value": lambda c: f"{c['p_value']:.2g}", "verdict": lambda c: c["verdict"],
}


def bench_inline(parts: list[str], record: dict, lang: str, ref: str, raw: bool) -> str:
    """``bench.NAME.FIELD`` (the first comparison), ``bench.NAME.VARIANT.FIELD`` (a variant, or its comparison)."""
    if len(parts) not in (2, 3):
        raise DirectiveError(f"cannot read '{{lb:{ref}}}': write bench.NAME.VARIANT.FIELD or bench.NAME.FIELD")
    bench = bench_of(record, parts[0])
    field = parts[-1]
    if len(parts) == 2:
        comps = bench.get("comparisons") or []
        if field not in COMPARISON_FIELDS or not comps:
            raise DirectiveError(f"'{{lb:{ref}}}': bench.NAME.FIELD reads the first comparison: "
                                 f"{', '.join(COMPARISON_FIELDS)}" + ("" if comps else " (this benchmark has one variant)"))
        return _comparison_value(comps[0], field, lang, raw)
    variant = parts[1]
    if variant not in bench["variants"]:
        raise DirectiveError(f"'{{lb:{ref}}}': no variant '{variant}'. Variants: {', '.join(bench['variants'])}")
    v = bench["variants"][variant]
    if field in VARIANT_FIELDS:
        if raw:
            value = v.get(field)
            return str(len(value) if field == "outliers" else ",".join(map(str, value)) if field == "ci95" else value)
        return str(VARIANT_FIELDS[field](v))
    if field in COMPARISON_FIELDS:
        c = _comparison(bench, variant)
        if c is None:
            raise DirectiveError(f"'{{lb:{ref}}}': '{variant}' is the reference variant; it is compared with nothing")
        return _comparison_value(c, field, lang, raw)
    raise DirectiveError(f"unknown field '{field}' in '{{lb:{ref}}}'. Fields: "
                         f"{', '.join([*VARIANT_FIELDS, *COMPARISON_FIELDS])}")


def _comparison_value(c: dict, field: str, lang: str, raw: bool) -> str:
    if raw:
        if field == "speedup":
            return str(1 / c["ratio"])
        value = c[field if field != "ratio_ci95" else "ci95"]
        return ",".join(map(str, value)) if isinstance(value, list) else str(value)
    text = str(COMPARISON_FIELDS[field](c))
    return label(lang, text) if field == "verdict" else text
