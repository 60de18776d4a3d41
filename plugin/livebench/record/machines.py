"""Several machines in one record: ``livebench merge`` of records from a CI matrix or remote engines.

A merged record is the first machine's record as it is (so every page written for one machine reads
it unchanged) plus ``machines``: machine id → that machine's whole record, and ``merged``: where each
came from. A machine's id is ``provenance.machine`` (``livebench run --machine NAME``; by default the
arch and a short hash of the host's name, which the published record should not carry).
"""
from __future__ import annotations

import copy
import hashlib
import platform
from pathlib import Path
from typing import Any

from ..errors import DirectiveError, RecordError
from ..spec.checker import did_you_mean


def host_label() -> str:
    """Tells machines apart without publishing the host's name (the record is served with the site)."""
    return hashlib.sha256(platform.node().encode()).hexdigest()[:6]


def default_machine(arch: str | None = None) -> str:
    return f"{arch or platform.machine()}-{host_label()}"


def machine_id(record: dict[str, Any]) -> str:
    prov = record.get("provenance") or {}
    return str(prov.get("machine") or default_machine(prov.get("arch")))


def machines(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Machine id → its record; a record of one machine is its own only entry."""
    return dict(record["machines"]) if record.get("machines") else {machine_id(record): record}


def select(record: dict[str, Any], which: Any, where: str = "machine") -> list[tuple[str, dict[str, Any]]]:
    """The machines a directive asks for: one id, a list of ids, or ``all``."""
    known = machines(record)
    if which == "all":
        return list(known.items())
    names = which if isinstance(which, list) else [which]
    out = []
    for name in names:
        if not isinstance(name, str) or name not in known:
            raise DirectiveError(f"{where}: unknown machine {name!r}.{did_you_mean(str(name), known)} "
                                 f"Machines in this record: {', '.join(known)} (or `all`)")
        out.append((name, known[name]))
    return out


def spec_digest(spec_path: Path) -> str:
    return "sha256:" + hashlib.sha256(spec_path.read_bytes()).hexdigest()


def merge(inputs: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One record of every machine in ``inputs`` ((label, record) pairs, the first is the primary).

    Refused, naming the inputs: different schemas or spec digests, and two records of one machine id.
    A merged input contributes each of its machines. Failures stay with their machine and are also
    listed at the top, prefixed with the machine id, so a frozen build from the result fails as a
    build from any of them would.
    """
    if len(inputs) < 2:
        raise RecordError("livebench merge needs at least two records.")
    flat: list[tuple[str, str, dict[str, Any]]] = []
    for label, record in inputs:
        for mid, sub in machines(record).items():
            flat.append((label, mid, {k: v for k, v in sub.items() if k not in ("machines", "merged")}))
    first_label, _, first = flat[0]
    by_id: dict[str, str] = {}
    for label, mid, sub in flat:
        if sub.get("schema") != first.get("schema"):
            raise RecordError(f"{label} is a schema {sub.get('schema')} record and {first_label} a schema "
                              f"{first.get('schema')} one: run both with the same livebench version.")
        a, b = (first.get("provenance") or {}).get("spec_digest"), (sub.get("provenance") or {}).get("spec_digest")
        if a != b:
            raise RecordError(f"{label} was measured from another spec than {first_label} ({b or 'no digest'} vs "
                              f"{a or 'no digest'}): merge records of one commit's spec, or run them again.")
        if mid in by_id:
            raise RecordError(f"{by_id[mid]} and {label} both describe machine {mid!r}: give each run its own "
                              f"`livebench run --machine NAME`.")
        by_id[mid] = label
    merged = copy.deepcopy(first)
    merged["machines"] = {mid: copy.deepcopy(sub) for _, mid, sub in flat}
    merged["merged"] = {"primary": flat[0][1], "from": {mid: label for label, mid, _ in flat}}
    merged["failures"] = [{**f, "what": f"machines.{mid}.{f['what']}", "message": f"[{mid}] {f['message']}",
                           **({"cause": f"machines.{mid}.{f['cause']}"} if f.get("cause") else {})}
                          for _, mid, sub in flat for f in sub.get("failures", [])]
    return merged
