"""Claims evaluated against the record: true, false (with what was measured), or not measured."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .._util.units import human_size
from ..record.machines import machines
from ..spec.model import Claim, Fact


@dataclass
class FactResult:
    ok: bool | None  # None: not measured in this (partial) run
    measured: str
    expected: str
    reproduce: str


def evaluate_fact(fact: Fact, record: dict[str, Any], *, partial: bool = False) -> FactResult:
    if fact.machine:
        return _on_machines(fact, record, partial)
    if fact.subject == "build":
        return _eval_build(fact, record, partial)
    if fact.subject == "image":
        return _eval_image(fact, record, partial)
    if fact.subject == "bench":
        return _eval_bench(fact, record, partial)
    return _eval_probe(fact, record, partial)


def _on_machines(fact: Fact, record: dict[str, Any], partial: bool) -> FactResult:
    """True when it holds on the named machine, or on every machine for ``all``."""
    known = machines(record)
    if fact.machine != "all" and fact.machine not in known:
        return FactResult(False, f"no machine {fact.machine!r} in the record (machines: {', '.join(known)})",
                          _expected_text(fact), "livebench merge the records of every machine")
    chosen = known if fact.machine == "all" else {fact.machine: known[str(fact.machine)]}
    one = replace(fact, machine=None)
    results = {mid: evaluate_fact(one, sub, partial=partial) for mid, sub in chosen.items()}
    oks = [r.ok for r in results.values()]
    ok = False if False in oks else (True if all(oks) else None)
    shown = {m: r for m, r in results.items() if r.ok is False} or results
    return FactResult(ok, "; ".join(f"{m}: {r.measured}" for m, r in shown.items()), _expected_text(one),
                      " ; ".join(dict.fromkeys(r.reproduce for r in shown.values())))


def _absent(what: str, table: dict[str, Any], partial: bool, expected: str, reproduce: str,
            failed: bool = False) -> FactResult:
    if partial:
        return FactResult(None, "not measured in this run", expected, reproduce)
    if failed:  # reported once, as its own failure
        return FactResult(None, f"not measured: {what} failed", expected, reproduce)
    known = ", ".join(sorted(table)) or "none"
    return FactResult(False, f"no {what} in the record (known: {known})", expected, reproduce)


def _failed(record: dict[str, Any], what: str) -> bool:
    return any(f.get("what") == what for f in record.get("failures", []))


def _eval_build(f: Fact, record: dict[str, Any], partial: bool) -> FactResult:
    builds = record.get("builds", {})
    b = builds.get(f.name)
    rerun = f"livebench run --only {f.name}"
    expected = _expected_text(f)
    if b is None:
        return _absent(f"build '{f.name}'", builds, partial, expected, rerun)
    if not b.get("ok"):
        # its failure is reported once, by the build: the claim is not judged on no data
        return FactResult(None, "not measured: the build failed", expected, rerun)
    art = b.get("artifact") or {}
    reproduce = f"livebench inspect {art.get('path')}" if art.get("path") else rerun
    if f.field == "size":
        size = art.get("size")
        return FactResult(size is not None and size <= f.expected, _bytes(size), expected, reproduce)
    lk = b.get("linkage")
    if not lk:
        return FactResult(False, f"the artifact could not be inspected: {b.get('linkage_error')}", expected, reproduce)
    have = lk.get(f.field)
    if f.field == "needed":
        extra = sorted(set(have or []) - set(f.expected))
        shown = ", ".join(have or []) or "nothing"
        if extra:
            shown += f" (not allowed: {', '.join(extra)})"
        return FactResult(not extra, shown, expected, reproduce)
    return FactResult(have == f.expected, "none" if have is None else str(have), expected, reproduce)


def _image_repro(name: str, im: dict[str, Any]) -> str:
    ref = im.get("ref")
    if im.get("backend") == "docker" and ref:
        return f"docker image inspect --format '{{{{.Size}}}}' {ref}"
    return f"livebench run && livebench show --json  # images.{name}.size"


def _eval_image(f: Fact, record: dict[str, Any], partial: bool) -> FactResult:
    images = record.get("images", {})
    im = images.get(f.name)
    expected = _expected_text(f)
    if im is None:
        return _absent(f"image '{f.name}'", images, partial, expected, "livebench run",
                       _failed(record, f"images.{f.name}"))
    size = im.get("size") or {}
    if f.field in ("size", "compressed"):
        have = size.get("uncompressed" if f.field == "size" else "compressed")
        return FactResult(have is not None and have <= f.expected, _bytes(have), expected, _image_repro(f.name, im))
    other, factor = f.expected
    key = "uncompressed" if f.field == "smaller_than" else "compressed"
    oim = images.get(other)
    if oim is None:
        return _absent(f"image '{other}'", images, partial, expected, "livebench run",
                       _failed(record, f"images.{other}"))
    a, b = size.get(key), (oim.get("size") or {}).get(key)
    if not a or not b:
        return FactResult(False, "a size is missing from the record", expected, "livebench run")
    ratio = b / a
    measured = f"{_bytes(a)} vs {_bytes(b)}: {ratio:.1f}x smaller"
    reproduce = _image_repro(f.name, im) + " ; " + _image_repro(other, oim)
    return FactResult(a * factor <= b, measured, expected, reproduce)


def _eval_probe(f: Fact, record: dict[str, Any], partial: bool) -> FactResult:
    expected = _expected_text(f)
    row = record.get("probes", {}).get(f.name) or {}
    p = row.get(f.base or "")
    if p is None:
        cells = [f"{b}/{base}" for b, r in record.get("probes", {}).items() for base in r]
        if partial:
            return FactResult(None, "not measured in this run", expected, "livebench run")
        if _failed(record, f"probes.expect.{f.name}.{f.base}"):
            return FactResult(None, "not measured: the probe could not run", expected, "livebench run")
        return FactResult(False, f"no probe of '{f.name}' in '{f.base}' in the record "
                                 f"(probed: {', '.join(cells) or 'none'})", expected, "livebench run")
    verdict = "runs" if p.get("exit_code") == 0 else "fails"
    out = (p.get("output") or "").strip().splitlines()
    measured = f"{verdict} (exit {p.get('exit_code')}{': ' + out[-1][:120] if out else ''})"
    return FactResult(verdict == f.expected, measured, expected, p.get("command") or "livebench run")


def comparison(bench: dict[str, Any], a: str, b: str) -> dict[str, Any] | None:
    """The record's comparison of variant ``a`` with ``b``, turned around if it was stored as b vs a."""
    for c in bench.get("comparisons") or []:
        if (c["a"], c["b"]) == (a, b):
            return dict(c)
        if (c["a"], c["b"]) == (b, a):
            flipped = {"faster": "slower", "slower": "faster"}.get(c["verdict"], c["verdict"])
            lo, hi = c["ci95"]
            return {**c, "a": a, "b": b, "ratio": 1 / c["ratio"], "ci95": [1 / hi, 1 / lo], "verdict": flipped}
    return None


def _eval_bench(f: Fact, record: dict[str, Any], partial: bool) -> FactResult:
    name, _, variant = f.name.partition(".")
    benches = record.get("benchmarks", {})
    expected = _expected_text(f)
    reproduce = f"LIVEBENCH_REFRESH=1 livebench run  # re-measures benchmarks.{name}"
    bench = benches.get(name)
    if bench is None:
        return _absent(f"benchmark '{name}'", benches, partial, expected, reproduce, _failed(record, f"benchmarks.{name}"))
    c = comparison(bench, variant, f.base or "")
    if c is None:
        return FactResult(False, f"benchmark '{name}' compares no '{variant}' with '{f.base}' "
                                 f"(variants: {', '.join(bench.get('variants') or {})})", expected, reproduce)
    lo, hi = c["ci95"]
    measured = (f"{variant} / {f.base} = {c['ratio']:.3g}x (95% CI {lo:.3g}–{hi:.3g}, "
                f"Mann–Whitney p = {c['p_value']:.2g}): {c['verdict']}")
    if f.field == "faster_than":
        ok = c["verdict"] == "faster" and hi <= 1 / f.expected
    elif f.field == "slower_than":
        ok = c["verdict"] == "slower" and lo >= f.expected
    else:  # within: the whole interval inside the band, so "not significant" alone does not prove it
        ok = lo >= 1 - f.expected and hi <= 1 + f.expected
    return FactResult(ok, measured, expected, reproduce)


def _expected_text(f: Fact) -> str:
    if f.subject == "bench":
        if f.field == "within":
            return f"{f.name.partition('.')[2]} within {f.expected * 100:g}% of {f.base} (the ratio's whole CI)"
        by = f" by at least {f.expected:g}x" if f.expected != 1 else ""
        word = "faster" if f.field == "faster_than" else "slower"
        return f"{word} than {f.base}{by}, significantly (p < alpha, CI beyond the factor)"
    if f.subject == "probe":
        return f"{f.expected}"
    if f.field in ("size", "compressed"):
        return f"at most {_bytes(f.expected)}"
    if f.field.startswith("smaller_than"):
        other, factor = f.expected
        return f"at least {factor:g}x smaller than {other}"
    if f.field == "needed":
        return f"within [{', '.join(f.expected)}]" if f.expected else "nothing"
    return "none" if f.expected is None else str(f.expected)


def _bytes(n: Any) -> str:
    return "–" if n is None else f"{n:,} bytes ({human_size(n)})"


def evaluate(claim: Claim, record: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The record entry of one claim: ``{id, text, where, ok, measured, expected, reproduce, facts}``."""
    results = [(f, evaluate_fact(f, record, partial=partial)) for f in claim.facts]
    if any(r.ok is False for _, r in results):
        ok: bool | None = False
    elif all(r.ok for _, r in results):
        ok = True
    else:
        ok = None
    # measured/expected/reproduce: the facts that decide the verdict (the false ones if any)
    shown = [(f, r) for f, r in results if r.ok is False] or results
    multi = len(shown) > 1

    def join(attr: str) -> str:
        parts = [(f"{f.field}: " if multi else "") + getattr(r, attr) for f, r in shown]
        return "; ".join(parts)

    reproduce = []
    for _, r in shown:
        if r.reproduce not in reproduce:
            reproduce.append(r.reproduce)
    return {
        "id": claim.id, "text": claim.text, "where": claim.where, "source": claim.source, "ok": ok,
        "measured": join("measured"), "expected": join("expected"), "reproduce": " ; ".join(reproduce),
        "facts": [{"check": f.describe(), "ok": r.ok, "measured": r.measured, "expected": r.expected}
                  for f, r in results],
    }


def claim_message(entry: dict[str, Any]) -> str:
    """One line of the failure report: page or spec line, the claim, measured value, how to reproduce."""
    facts = " and ".join(f["check"] for f in entry.get("facts", [])) or entry.get("id")
    what = entry["text"] if entry.get("text") and entry["text"] != facts else ""
    said = f' ("{what}")' if what else ""
    if entry.get("error"):
        return f"{entry['where']}: claim {entry['id']}: {entry['error']}"
    return (f"{entry['where']}: claim {{lb-claim:{facts}}}{said} is false: measured {entry['measured']}, "
            f"expected {entry['expected']}. Reproduce: {entry['reproduce']}")

