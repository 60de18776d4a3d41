"""A small query over the record for charts of one's own: rows from a section, columns by field path.

Sections and their rows (every row has ``name``):

* ``builds``: one row per build (``program``, ``artifact.size``, ``seconds``, ``linkage.kind``, ``linkage.libc``, …);
* ``images``: one per image (``size.uncompressed``, ``size.compressed``, ``base``, ``backend``, …);
* ``layers``: one per image and role, its layers summed (``image``, ``base``, ``role`` — base or app —,
  ``size.uncompressed``, ``size.compressed``);
* ``probes``: one per build and base (``build``, ``base``, ``exit_code``, ``result``, ``as_expected``,
  ``seconds``);
* ``benchmarks``: one per benchmark and variant (``benchmark``, ``variant``, ``median``, ``ci95.0``,
  ``runs``, ``max_rss``, ``samples.seconds`` — a list, for box and strip charts);
* ``measurements``: one per result file (``group``, ``title``, ``ratios.KEY``, ``variants.NAME.median``);
* ``ratios``: one per ratio of every result file (``group``, ``stem``, ``ratio``, ``value``, ``target``,
  ``verdict`` — met, missed or no target).
"""
from __future__ import annotations

from typing import Any

from ..errors import DirectiveError
from ..spec.checker import did_you_mean

SECTIONS = ("builds", "images", "layers", "probes", "benchmarks", "measurements", "ratios")
_MISSING = object()


def program_of(build: str) -> str:
    """The program a build builds, by the demo's naming (``slice-gnu`` and ``slice-musl`` are ``slice``)."""
    for suffix in ("-gnu", "-glibc", "-musl"):
        if build.endswith(suffix):
            return build[: -len(suffix)]
    return build


def rows(record: dict, section: Any) -> list[dict[str, Any]]:
    if section not in SECTIONS:
        raise DirectiveError(f"unknown data '{section}'.{did_you_mean(str(section), SECTIONS)} "
                             f"Sections: {', '.join(SECTIONS)}")
    if section in ("benchmarks", "measurements", "ratios") and section.replace("ratios", "measurements") not in record:
        raise DirectiveError(f"data: {section}: the record has no {section} (the spec declares none, or the "
                             f"record was written by a livebench without them)")
    if section == "builds":
        return [{"name": n, "program": program_of(n), **e} for n, e in (record.get("builds") or {}).items()
                if e.get("ok", True)]
    if section == "images":
        return [{"name": n, **e} for n, e in (record.get("images") or {}).items() if e.get("ok", True)]
    if section == "layers":
        return [row for n, im in (record.get("images") or {}).items() if im.get("ok", True) for row in _layers(n, im)]
    if section == "ratios":
        return _ratios(record)
    if section == "probes":
        return [{"name": f"{b}/{base}", "build": b, "base": base, **p,
                 "result": "runs" if p.get("exit_code") == 0 else "fails", "as_expected": p.get("ok") is not False}
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


def _layers(name: str, image: dict[str, Any]) -> list[dict[str, Any]]:
    sums = {"base": [0, 0], "app": [0, 0]}
    for layer in image.get("layers") or []:
        role = "app" if layer.get("role") == "app" else "base"
        sums[role][0] += int(layer.get("size") or 0)
        sums[role][1] += int(layer.get("compressed_size") or 0)
    return [{"name": f"{name}/{role}", "image": name, "base": image.get("base", ""), "role": role,
             "size": {"uncompressed": u, "compressed": c}} for role, (u, c) in sums.items()]


def _ratios(record: dict) -> list[dict[str, Any]]:
    from .measures import met  # the same reading of a target as the measurement directives'

    out = []
    for group, files in (record.get("measurements") or {}).items():
        for stem, m in sorted(files.items()):
            for key, value in (m.get("ratios") or {}).items():
                target = (m.get("targets") or {}).get(key)
                ok = met(key, float(value), target)
                out.append({"name": f"{stem}: {key}", "group": group, "stem": stem, "ratio": key, "value": float(value),
                            "target": target, "verdict": "no target" if ok is None else "met" if ok else "missed",
                            "title": m.get("title") or stem})
    return out


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
