"""A small query over the record for charts of one's own: rows from a section, columns by field path.

Sections and their rows (every row has ``name``):

* ``builds``: one row per build (``artifact.size``, ``seconds``, ``linkage.kind``, ``linkage.libc``, …);
* ``images``: one per image (``size.uncompressed``, ``size.compressed``, ``base``, ``backend``, …);
* ``probes``: one per build and base (``build``, ``base``, ``exit_code``, ``result``, ``seconds``);
* ``benchmarks``: one per benchmark and variant (``benchmark``, ``variant``, ``median``, ``ci95.0``,
  ``runs``, ``max_rss``, ``samples.seconds`` — a list, for box and strip charts);
* ``measurements``: one per result file (``group``, ``title``, ``ratios.KEY``, ``variants.NAME.median``).
"""
from __future__ import annotations

from typing import Any

from ..errors import DirectiveError
from ..spec.checker import did_you_mean

SECTIONS = ("builds", "images", "probes", "benchmarks", "measurements")
_MISSING = object()


def rows(record: dict, section: Any) -> list[dict[str, Any]]:
    if section not in SECTIONS:
        raise DirectiveError(f"unknown data '{section}'.{did_you_mean(str(section), SECTIONS)} "
                             f"Sections: {', '.join(SECTIONS)}")
    if section in ("benchmarks", "measurements") and section not in record:
        raise DirectiveError(f"data: {section}: the record has no {section} (the spec declares none, or the "
                             f"record was written by a livebench without them)")
    if section in ("builds", "images"):
        return [{"name": n, **e} for n, e in (record.get(section) or {}).items() if e.get("ok", True)]
    if section == "probes":
        return [{"name": f"{b}/{base}", "build": b, "base": base, **p,
                 "result": "runs" if p.get("exit_code") == 0 else "fails"}
                for b, row in (record.get("probes") or {}).items() for base, p in row.items()]
    if section == "benchmarks":
        out = []
        for key, entry in (record.get("benchmarks") or {}).items():
            bench = entry.get("name", key)  # rows of several machines (render/machines.py) carry their own
            mark = {"machine": entry["machine"]} if "machine" in entry else {}
            for v, data in entry["variants"].items():
                samples = {k: [s[k] for s in data["samples"]] for k in ("seconds", "user", "system")}
                out.append({"name": f"{bench}/{v}", "benchmark": bench, "variant": v, **mark,
                            **{k: x for k, x in data.items() if k != "samples"}, "samples": samples})
        return out
    return [{"name": f"{group}/{stem}", "group": group, "stem": stem, **m}
            for group, files in (record.get("measurements") or {}).items() for stem, m in files.items()]


def get(row: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (``artifact.size``, ``ci95.0``); _MISSING when a part is absent."""
    node: Any = row
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def column(rows_: list[dict[str, Any]], path: Any, key: str, section: str) -> list[Any]:
    """One value per row; an unknown path names the fields the rows do have."""
    if not isinstance(path, str) or not path:
        raise DirectiveError(f"'{key}' takes a field path such as artifact.size, got {path!r}")
    values = [get(r, path) for r in rows_]
    if rows_ and all(v is _MISSING for v in values):
        known = sorted(paths(rows_[0]))
        raise DirectiveError(f"'{key}: {path}': no such field in {section}.{did_you_mean(path, known)} "
                             f"Fields: {', '.join(known[:40])}")
    return [None if v is _MISSING else v for v in values]


def paths(row: dict[str, Any], prefix: str = "") -> list[str]:
    """Every field path of a row, for "did you mean" (lists of numbers count as one field)."""
    out = []
    for k, v in row.items():
        p = f"{prefix}{k}"
        if isinstance(v, dict):
            out.extend(paths(v, p + "."))
        elif not (isinstance(v, list) and v and isinstance(v[0], dict)):
            out.append(p)
    return out


def select(rows_: list[dict[str, Any]], only: Any, where: Any) -> list[dict[str, Any]]:
    """``only``: these row names, in this order; ``where``: {path: value} every row must match."""
    if only is not None:
        names = [only] if isinstance(only, str) else only
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise DirectiveError(f"'only' takes row names, got {only!r}")
        by_name = {r["name"]: r for r in rows_}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise DirectiveError(f"'only': no row {', '.join(missing)}.{did_you_mean(missing[0], by_name)} "
                                 f"Rows: {', '.join(by_name) or 'none'}")
        rows_ = [by_name[n] for n in names]
    if where is not None:
        if not isinstance(where, dict):
            raise DirectiveError(f"'where' takes {{field.path: value}}, got {where!r}")
        rows_ = [r for r in rows_ if all(get(r, str(k)) == v for k, v in where.items())]
    if not rows_:
        raise DirectiveError("the chart selects no rows (check 'only' and 'where')")
    return rows_
