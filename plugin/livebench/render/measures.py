"""The `measurements:` block and inline values: results of slow benchmarks read into the record
(``record["measurements"][NAME][STEM]``, see measurements.py), e.g. the plugin's own perf scripts.

```livebench
measurements: perf                 # the name under `measurements:` in the spec
only: [build_warm, runs_cold]      # optional: these files (stems), in this order
```

Inline: ``{lb:measurement.NAME.STEM.FIELD}`` with FIELD in ratio (the first ratio, "1.02×"),
``ratio:KEY`` (a named ratio), target, met, date, commit, cpus, rounds, rate (binaries per second),
overhead (seconds added, where the script records it), per_run (a harness's cost per run, in µs).
"""
from __future__ import annotations

from typing import Any

from ..errors import DirectiveError
from .bench import duration
from .html import esc, status_mark
from .labels import label


def items(record: dict, name: Any, only: Any = None) -> list[tuple[str, dict]]:
    groups = record.get("measurements") or {}
    if not isinstance(name, str) or name not in groups:
        known = ", ".join(sorted(groups)) or "none in the record (declare `measurements:` in the spec)"
        raise DirectiveError(f"unknown measurements '{name}'. Known: {known}")
    group = groups[name]
    if only is None:
        return sorted(group.items())
    if isinstance(only, str):
        only = [only]
    if not isinstance(only, list) or not all(isinstance(o, str) for o in only):
        raise DirectiveError(f"'only' must be a name or a list of names, got {only!r}")
    missing = [o for o in only if o not in group]
    if missing:
        raise DirectiveError(f"no measurement {', '.join(missing)} in '{name}'. Known: {', '.join(sorted(group))}")
    return [(o, group[o]) for o in only]


def _median(value: float, unit: str) -> str:
    return duration(value) if unit == "s" else f"{value:.3f} {unit}"  # seconds in µs/ms/s: 0.000 s says nothing


def ratio_text(v: float) -> str:
    return f"{v:.2f}×" if v < 10 else f"{v:.0f}×"


def met(key: str, value: float, target: str | None) -> bool | None:
    """Targets are written '<= 1.05', '>= 5' or '0.95..1.05' (a band)."""
    if not target:
        return None
    lo, sep, hi = target.partition("..")
    if sep:
        try:
            return float(lo) <= value <= float(hi)
        except ValueError:
            return None
    op, _, num = target.strip().partition(" ")
    try:
        bound = float(num)
    except ValueError:
        return None
    return value <= bound if op == "<=" else value >= bound if op == ">=" else None


def _measured(m: dict, lang: str) -> str:
    p = m.get("measured") or {}
    bits = [str(p.get("date", "?"))[:10], f"{p.get('cpus', '?')} CPU", (p.get("git_commit") or "")[:10]]
    if p.get("git_dirty"):
        bits.append(label(lang, "prov_dirty"))
    return " · ".join(b for b in bits if b)


def block_measurements(opts: dict, record: dict, lang: str) -> str:
    L = lambda k: esc(label(lang, k))
    rows = []
    for stem, m in items(record, opts.get("measurements"), opts.get("only")):
        variants = m.get("variants") or {}
        unit = m.get("unit", "s")
        medians = "<br>".join(f"{esc(v)}: {esc(_median(float(s.get('median', 0)), unit))}" for v, s in variants.items())
        ratios, verdicts = [], []
        for key, value in (m.get("ratios") or {}).items():
            target = (m.get("targets") or {}).get(key)
            ok = met(key, float(value), target)
            ratios.append(f"<code>{esc(key)}</code> <strong>{esc(ratio_text(float(value)))}</strong>")
            verdicts.append("–" if ok is None else
                            f'<span class="lb-{"ok" if ok else "fail"}">{status_mark(bool(ok))}{esc(target)}</span>')
        rate = m.get("binaries_per_second") or {}
        if rate:
            medians += "<br>" + "<br>".join(f"{esc(k)}: {float(v):,.0f} {L('per_second')}" for k, v in rate.items())
        rows.append(
            f"<tr><td>{esc(m.get('title') or stem)}<br><small><code>{esc(m.get('file', ''))}</code></small></td>"
            f"<td>{medians}</td><td>{'<br>'.join(ratios) or '–'}</td><td>{'<br>'.join(verdicts) or '–'}</td>"
            f"<td>{esc(_measured(m, lang))}</td></tr>")
    head = "".join(f"<th>{L(k)}</th>" for k in ("benchmark", "medians", "ratio", "target", "provenance"))
    return (f'<div class="lb-measurements"><table class="lb-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            f'<p class="lb-note">{L("measurements_note")}</p></div>')


def inline(parts: list[str], record: dict, lang: str, ref: str) -> str:
    """``measurement.NAME.STEM.FIELD`` (parts without the leading "measurement")."""
    if len(parts) != 3:
        raise DirectiveError(f"write '{{lb:measurement.NAME.FILE.FIELD}}', got '{{lb:{ref}}}'")
    name, stem, field = parts
    (_, m), = items(record, name, [stem])
    ratios = m.get("ratios") or {}
    p = m.get("measured") or {}
    first = next(iter(ratios), None)
    if field == "ratio" and first is not None:
        return ratio_text(float(ratios[first]))
    if field.startswith("ratio:") and field[6:] in ratios:
        return ratio_text(float(ratios[field[6:]]))
    if field == "target" and first is not None:
        return str((m.get("targets") or {}).get(first, "–"))
    if field == "met" and first is not None:
        ok = met(first, float(ratios[first]), (m.get("targets") or {}).get(first))
        return "–" if ok is None else label(lang, "yes" if ok else "no")
    if field in ("date", "commit", "cpus"):
        value = {"date": str(p.get("date", ""))[:10], "commit": (p.get("git_commit") or "")[:10],
                 "cpus": str(p.get("cpus", ""))}[field]
        return value or "–"
    if field == "overhead" and m.get("overhead_seconds") is not None:
        return f"{float(m['overhead_seconds']):.2f} s"
    if field == "per_run" and m.get("per_run_overhead_seconds") is not None:
        return f"{float(m['per_run_overhead_seconds']) * 1e6:.0f} µs"
    if field == "rounds" and "rounds" in m:
        return str(m["rounds"])
    if field == "rate" and m.get("binaries_per_second"):
        return f"{float(next(iter(m['binaries_per_second'].values()))):,.0f}"
    raise DirectiveError(f"unknown field '{field}' in '{{lb:{ref}}}'. Fields: ratio, ratio:KEY "
                         f"({', '.join(ratios) or 'no ratios'}), target, met, date, commit, cpus, rounds, rate, overhead, per_run")
