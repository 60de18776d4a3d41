"""Inline values: ``{lb:build.NAME.FIELD}``, ``{lb:image.NAME.FIELD}``, ``{lb:probe.BUILD.BASE.FIELD}``,
``{lb:provenance.KEY[.KEY]}`` — read from the record, formatted for the page's language."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._util.units import human_size
from ..errors import DirectiveError
from ..record.machines import select
from .absent import absent, absent_probe, failed_build
from .bench import bench_inline
from .labels import KIND_WORDS, label
from .measures import inline as measurement_inline


def _join(items: list[str] | None, lang: str) -> str:
    return ", ".join(items) if items else label(lang, "none")


def _build_fields(lang: str) -> dict[str, Callable[[dict], Any]]:
    return {
        "size": lambda b: human_size(b["artifact"]["size"]),
        "size_bytes": lambda b: f"{b['artifact']['size']:,}",
        "sha256": lambda b: b["artifact"]["sha256"],
        "kind": lambda b: b["linkage"]["kind"],
        "kind_words": lambda b: KIND_WORDS.get(lang, {}).get(b["linkage"]["kind"], b["linkage"]["kind"]),
        "libc": lambda b: b["linkage"]["libc"],
        "interpreter": lambda b: b["linkage"]["interpreter"] or label(lang, "none"),
        "needed": lambda b: _join(b["linkage"]["needed"], lang),
        "stripped": lambda b: label(lang, "yes" if b["linkage"]["stripped"] else "no"),
        "seconds": lambda b: f"{b['seconds']:.1f} s",
        "path": lambda b: b["artifact"]["path"],
    }


def _image_fields(lang: str) -> dict[str, Callable[[dict], Any]]:
    return {
        "size": lambda i: human_size(i["size"]["uncompressed"]),
        "size_bytes": lambda i: f"{i['size']['uncompressed']:,}",
        "compressed": lambda i: human_size(i["size"]["compressed"]),
        "compressed_bytes": lambda i: f"{i['size']['compressed']:,}",
        "engine": lambda i: human_size(i["size"]["engine"]) if i["size"].get("engine") is not None else "–",
        "base": lambda i: i["base"],
        "backend": lambda i: i["backend"],
        "layers": lambda i: str(len(i["layers"])),
    }


def _probe_fields(lang: str) -> dict[str, Callable[[dict], Any]]:
    return {
        "result": lambda p: label(lang, "runs" if p["exit_code"] == 0 else "fails"),
        "exit_code": lambda p: str(p["exit_code"]),
        "output": lambda p: p["output"].strip(),
        "command": lambda p: p["command"],
    }


# `{lb:…|raw}`: the record's own value, unformatted (bytes as a plain integer, seconds as a number,
# words untranslated), for HTML attributes, scripts and data. Fields not listed give their English text.
RAW_FIELDS: dict[str, dict[str, Callable[[dict], Any]]] = {
    "build": {"size": lambda b: b["artifact"]["size"], "size_bytes": lambda b: b["artifact"]["size"],
              "seconds": lambda b: b["seconds"], "interpreter": lambda b: b["linkage"]["interpreter"] or "",
              "needed": lambda b: ",".join(b["linkage"]["needed"]), "stripped": lambda b: str(b["linkage"]["stripped"]).lower()},
    "image": {"size": lambda i: i["size"]["uncompressed"], "size_bytes": lambda i: i["size"]["uncompressed"],
              "compressed": lambda i: i["size"]["compressed"], "compressed_bytes": lambda i: i["size"]["compressed"],
              "engine": lambda i: "" if i["size"].get("engine") is None else i["size"]["engine"]},
    "probe": {"result": lambda p: "runs" if p["exit_code"] == 0 else "fails"},
}

FIELD_NAMES = {
    "build": sorted(_build_fields("en")),
    "image": sorted(_image_fields("en")),
    "probe": sorted(_probe_fields("en")),
}


def _fields_of(kind: str, lang: str) -> dict[str, Callable[[dict], Any]]:
    return {"build": _build_fields, "image": _image_fields, "probe": _probe_fields}[kind](lang)


def inline_value(ref: str, record: dict, lang: str, *, raw: bool = False) -> str:
    """Resolve one reference (the text after ``lb:``); raises DirectiveError naming what is wrong.

    ``raw``: the bare value (see RAW_FIELDS) instead of the one formatted for readers."""
    ref, at, machine = ref.strip().partition("@")
    if at:  # `{lb:build.x.size@MACHINE}`: that machine's value in a merged record
        if machine == "all":
            raise DirectiveError(f"'{{lb:{ref}@all}}': an inline value shows one machine's value; name it "
                                 f"(`@ID`), or use a block with `machine: all`")
        record = select(record, machine, where=f"'{{lb:{ref}@{machine}}}'")[0][1]
    parts = ref.split(".")
    kind = parts[0]
    if kind == "build" and len(parts) == 3:
        table, fields, item_key = record.get("builds", {}), _build_fields(lang), parts[1]
        item = table.get(item_key)
        field_name = parts[2]
        what = f"build '{item_key}'"
    elif kind == "image" and len(parts) == 3:
        table, fields, item_key = record.get("images", {}), _image_fields(lang), parts[1]
        item = table.get(item_key)
        field_name = parts[2]
        what = f"image '{item_key}'"
    elif kind == "probe" and len(parts) == 4:
        table, fields = record.get("probes", {}), _probe_fields(lang)
        item_key = f"{parts[1]}.{parts[2]}"
        item = table.get(parts[1], {}).get(parts[2])
        field_name = parts[3]
        what = f"probe of '{parts[1]}' in base '{parts[2]}'"
    elif kind == "bench":
        return bench_inline(parts[1:], record, lang, ref, raw)
    elif kind == "measurement":
        return measurement_inline(parts[1:], record, lang, ref)
    elif kind == "provenance" and len(parts) >= 2:
        node: Any = record.get("provenance", {})
        for p in parts[1:]:
            if not isinstance(node, dict) or p not in node:
                raise DirectiveError(f"unknown provenance key '{ref}'. Known: {', '.join(sorted(record.get('provenance', {})))}")
            node = node[p]
        return str(node if node is not None else "–")
    else:
        raise DirectiveError(
            f"cannot read '{{lb:{ref}}}': write build.NAME.FIELD, image.NAME.FIELD, "
            f"probe.BUILD.BASE.FIELD, bench.NAME.VARIANT.FIELD or provenance.KEY"
        )
    if item is None:
        if kind == "probe":
            raise absent_probe(record, parts[1], parts[2])
        raise absent(record, {"build": "builds", "image": "images"}[kind], item_key, what, f" in '{{lb:{ref}}}'")
    if field_name not in fields:
        raise DirectiveError(f"unknown field '{field_name}' in '{{lb:{ref}}}'. Fields: {', '.join(sorted(fields))}")
    if kind == "build" and not item.get("ok"):
        raise failed_build(record, item_key, f"{what} failed, so '{{lb:{ref}}}' has no value: "
                                             f"{item.get('error') or ''}".strip())
    if raw:
        fields = {**_fields_of(kind, "en"), **RAW_FIELDS.get(kind, {})}
    try:
        return str(fields[field_name](item))
    except (KeyError, TypeError) as exc:
        raise DirectiveError(f"'{{lb:{ref}}}' has no measured value ({exc} missing from the record)") from None
