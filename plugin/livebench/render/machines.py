"""``machine:`` on a block: one machine of a merged record, or several side by side.

``machine: ID`` renders the block from that machine's record. ``machine: all`` (or a list of ids)
renders it once per machine, side by side, each under the machine's name and arch; a chart of one's
own (``chart: bar`` …) is instead drawn once over every machine's rows, each row with a ``machine``
field to colour or group by (``color: machine``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..record.machines import select
from .chart_kinds import CUSTOM_TYPES
from .html import esc

Render = Callable[[dict, dict, str], str]
_SECTIONS = ("builds", "images", "benchmarks")


def combined(chosen: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One record whose rows are every chosen machine's, each entry marked with its machine."""
    out: dict[str, Any] = {"schema": chosen[0][1].get("schema"), "provenance": chosen[0][1].get("provenance", {}),
                           "probes": {}, **{s: {} for s in _SECTIONS}}
    for mid, sub in chosen:
        for section in _SECTIONS:
            for name, entry in (sub.get(section) or {}).items():
                out[section][f"{name}@{mid}"] = {**entry, "name": name, "machine": mid}
        for build, row in (sub.get("probes") or {}).items():
            out["probes"][f"{build}@{mid}"] = {base: {**p, "build": build, "name": f"{build}/{base}", "machine": mid}
                                               for base, p in row.items()}
    return out


def render_for_machines(opts: dict, record: dict, lang: str, render: Render) -> str:
    which = opts["machine"]
    rest = {k: v for k, v in opts.items() if k != "machine"}
    chosen = select(record, which)
    if isinstance(which, str) and which != "all":
        return render(rest, chosen[0][1], lang)
    if rest.get("chart") in CUSTOM_TYPES:
        return render(rest, combined(chosen), lang)
    cells = []
    for mid, sub in chosen:
        prov = sub.get("provenance") or {}
        arch = f" <span>{esc(prov.get('arch'))}</span>" if prov.get("arch") else ""
        cells.append(f'<div class="lb-machine"><p class="lb-machine__name"><code>{esc(mid)}</code>{arch}</p>'
                     f"{render(rest, sub, lang)}</div>")
    return f'<div class="lb-machines">{"".join(cells)}</div>'
