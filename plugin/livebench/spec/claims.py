"""The claim grammar: ``{lb-claim:build.x.kind == static}`` and the spec's ``claims:`` entries → Claims.

A *claim* is a fact the prose relies on ("the musl build is static", "distroless is 10x smaller than
Debian"). Written in the spec (``claims:``) or next to the sentence it backs (inline, or a
``livebench`` block with ``claim:``), every claim compiles to the same :class:`Claim`; ``verify``
evaluates them against the record.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from .._util import units
from ..errors import ClaimSyntaxError
from .checker import did_you_mean
from .model import Claim, Fact, ProbeMatrix

INLINE_CLAIM_RE = re.compile(r"\{lb-claim:([^{}]+)\}")
BUILD_FIELDS = ("kind", "libc", "interpreter", "needed", "size")
IMAGE_FIELDS = ("size", "compressed")
PROBE_RESULTS = ("runs", "fails")
# spec form: the keys a claim entry may have
CLAIM_KEYS = {"id", "text", "check", "build", "image", "probe", "base", "kind", "libc", "interpreter",
              "needed", "max_size", "max_compressed", "smaller_than", "factor", "result",
              "benchmark", "variant", "faster_than", "slower_than", "within", "of"}
BENCH_RELATIONS = ("faster_than", "slower_than", "within")
_BENCH_RE = re.compile(
    r"^\s*bench\.(?P<bench>[A-Za-z0-9_-]+)\.(?P<a>[A-Za-z0-9_-]+)\s+(?:"
    r"(?P<rel>faster_than|slower_than)\s+(?P<b>[A-Za-z0-9_-]+)(?:\s+by\s+(?P<factor>[0-9]+(?:\.[0-9]+)?)x?)?"
    r"|within\s+(?P<pct>[0-9]+(?:\.[0-9]+)?)\s*%\s+of\s+(?P<of>[A-Za-z0-9_-]+))\s*$")

_RATIO_RE = re.compile(r"^image\.([^.\s]+)\.(size|compressed)\s*/\s*([0-9]+(?:\.[0-9]+)?)$")
_ON_RE = re.compile(r"\s+on\s+([A-Za-z0-9_.@-]+)\s*$")
_EXPR_RE = re.compile(r"^\s*(?P<lhs>[A-Za-z0-9_.-]+)\s*(?P<op>==|<=|\bin\b)\s*(?P<rhs>.+?)\s*$")


def parse_size(value: Any) -> int:
    """A size in bytes or with a unit (``"1 MB"``); ClaimSyntaxError otherwise."""
    try:
        return units.parse_size(value)
    except ValueError as exc:
        raise ClaimSyntaxError(str(exc)) from None


def _word(value: Any) -> str | None:
    """`none`, `null`, `~` or YAML null mean "no interpreter"."""
    if value is None:
        return None
    s = str(value).strip().strip("'\"")
    return None if s.lower() in ("none", "null", "~", "") else s


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    s = str(value).strip()
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    return [p.strip().strip("'\"") for p in s.split(",") if p.strip()]


def parse_expression(expr: str) -> Fact:
    """One inline claim: ``SUBJECT.NAME.FIELD OP VALUE``.

    build.N.kind == static | build.N.libc == musl | build.N.interpreter == none
    build.N.needed in [libc.so.6, libgcc_s.so.1] | build.N.size <= 1 MB
    image.N.size <= 5 MB | image.N.compressed <= 2 MB | image.A.size <= image.B.size / 10
    probe.BUILD.BASE == runs | probe.BUILD.BASE.result == fails
    bench.NAME.A faster_than B [by 1.5x] | bench.NAME.A slower_than B | bench.NAME.A within 10% of B
    """
    on = _ON_RE.search(expr)
    if on:  # `… on MACHINE` / `… on all`: a merged record's machine(s), checked when the claim is judged
        return replace(parse_expression(expr[:on.start()]), machine=on.group(1))
    if expr.strip().startswith("bench."):
        return _bench_expression(expr)
    m = _EXPR_RE.match(expr)
    if not m:
        raise ClaimSyntaxError(
            f"cannot read the claim '{expr}': write SUBJECT.NAME.FIELD == VALUE, <= SIZE or in [LIST], "
            f"e.g. build.hello.kind == static, image.a.size <= image.b.size / 10, probe.hello.scratch == fails")
    lhs, op, rhs = m.group("lhs"), m.group("op"), m.group("rhs")
    parts = lhs.split(".")
    subject = parts[0]
    if subject == "probe" and len(parts) in (3, 4):
        if len(parts) == 4 and parts[3] != "result":
            raise ClaimSyntaxError(f"probe claims check the result: probe.BUILD.BASE == runs|fails, got '{lhs}'")
        verdict = rhs.strip("'\"")
        if op != "==" or verdict not in PROBE_RESULTS:
            raise ClaimSyntaxError(f"'{expr}': a probe claim is probe.BUILD.BASE == runs or == fails")
        return Fact("probe", parts[1], "result", verdict, base=parts[2])
    if subject not in ("build", "image") or len(parts) != 3:
        raise ClaimSyntaxError(f"'{lhs}': write build.NAME.FIELD, image.NAME.FIELD or probe.BUILD.BASE")
    name, fld = parts[1], parts[2]
    if subject == "build":
        if fld not in BUILD_FIELDS:
            raise ClaimSyntaxError(f"'{lhs}': unknown build field '{fld}'. Claims check: {', '.join(BUILD_FIELDS)}")
        if fld == "size":
            if op != "<=":
                raise ClaimSyntaxError(f"'{expr}': sizes are claimed with <= (size at most)")
            return Fact("build", name, "size", parse_size(rhs))
        if fld == "needed":
            if op != "in":
                raise ClaimSyntaxError(f"'{expr}': write build.{name}.needed in [lib1, lib2] (needed within that set)")
            return Fact("build", name, "needed", _list(rhs))
        if op != "==":
            raise ClaimSyntaxError(f"'{expr}': build.{name}.{fld} is claimed with ==")
        return Fact("build", name, fld, _word(rhs) if fld == "interpreter" else rhs.strip("'\""))
    if fld not in IMAGE_FIELDS:
        raise ClaimSyntaxError(f"'{lhs}': unknown image field '{fld}'. Claims check: {', '.join(IMAGE_FIELDS)}")
    if op != "<=":
        raise ClaimSyntaxError(f"'{expr}': image sizes are claimed with <=")
    ratio = _RATIO_RE.match(rhs)
    if ratio:
        if fld != ratio.group(2):
            raise ClaimSyntaxError(f"'{expr}': compare the same field on both sides")
        factor = float(ratio.group(3))
        if factor <= 0:
            raise ClaimSyntaxError(f"'{expr}': the factor must be positive")
        return Fact("image", name, "smaller_than" if fld == "size" else "smaller_than_compressed",
                    (ratio.group(1), factor))
    return Fact("image", name, fld, parse_size(rhs))


def _bench_expression(expr: str) -> Fact:
    m = _BENCH_RE.match(expr)
    if not m:
        raise ClaimSyntaxError(
            f"cannot read the claim '{expr}': write bench.NAME.A faster_than B, bench.NAME.A slower_than B by 2x "
            f"or bench.NAME.A within 10% of B (A and B are variants of benchmark NAME)")
    name = f"{m.group('bench')}.{m.group('a')}"
    if m.group("rel"):
        factor = float(m.group("factor") or 1)
        if factor < 1:
            raise ClaimSyntaxError(f"'{expr}': the factor is at least 1 (faster_than B by 2x: at least twice as fast)")
        return Fact("bench", name, m.group("rel"), factor, base=m.group("b"))
    pct = float(m.group("pct")) / 100
    if not 0 < pct < 1:
        raise ClaimSyntaxError(f"'{expr}': 'within' takes a percentage between 0 and 100")
    return Fact("bench", name, "within", pct, base=m.group("of"))


def _bench_claim(entry: dict[str, Any], key_path: str, problem: Callable[[str, str], None],
                 benchmarks: Mapping[str, Any]) -> Fact | None:
    """{benchmark: N, variant: A, faster_than|slower_than: B [, factor: F]} or {…, within: 10%, of: B}."""
    bench = benchmarks.get(entry["benchmark"]) if isinstance(entry["benchmark"], str) else None
    if bench is None:
        tip = did_you_mean(str(entry["benchmark"]), benchmarks)
        problem(f"{key_path}.benchmark", f"unknown benchmark '{entry['benchmark']}'.{tip} "
                                         f"Declared: {', '.join(sorted(benchmarks)) or 'none'}.")
        return None
    rels = [r for r in BENCH_RELATIONS if r in entry]
    if len(rels) != 1:
        problem(key_path, "a benchmark claim says one of faster_than, slower_than or within, "
                          f"got {', '.join(rels) or 'none'}.")
        return None
    rel = rels[0]
    variant = entry.get("variant")
    other = entry.get("of") if rel == "within" else entry[rel]
    for key, v in (("variant", variant), ("of" if rel == "within" else rel, other)):
        if v not in bench.variants:
            problem(f"{key_path}.{key}", f"'{v}' is not a variant of benchmark '{bench.name}' "
                                         f"({', '.join(bench.variants)}).{did_you_mean(str(v), bench.variants)}")
            return None
    if variant == other:
        problem(key_path, f"the claim compares '{variant}' with itself.")
        return None
    if rel == "within":
        try:  # "10%", or a fraction (0.1) as benchmarks' own min_effect takes it
            w = entry["within"]
            pct = float(w) if isinstance(w, (int, float)) and not isinstance(w, bool) else units.parse_percent(w)
            if not 0 < pct < 1:
                raise ValueError(pct)
        except ValueError:
            problem(f"{key_path}.within", f"expected a percentage such as '10%', got {entry['within']!r}.")
            return None
        return Fact("bench", f"{bench.name}.{variant}", "within", pct, base=str(other))
    factor = entry.get("factor", 1)
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor < 1:
        problem(f"{key_path}.factor", f"expected a number of at least 1 (by that factor or more), got {factor!r}.")
        return None
    return Fact("bench", f"{bench.name}.{variant}", rel, float(factor), base=str(other))


def spec_claim(entry: Any, key_path: str, where: str, add: Callable[[str, str], None],
               builds: Mapping[str, Any], images: Mapping[str, Any], probes: ProbeMatrix,
               benchmarks: Mapping[str, Any] | None = None) -> Claim | None:
    """Validate one ``claims:`` entry of the spec; problems go to ``add(key_path, message)``."""
    if not isinstance(entry, dict):
        add(key_path, "expected a mapping such as {build: NAME, kind: static} or {check: 'EXPR'}.")
        return None
    n_problems = [0]

    def problem(kp: str, msg: str) -> None:
        n_problems[0] += 1
        add(kp, msg)

    for key in entry:
        if key not in CLAIM_KEYS:
            tip = did_you_mean(str(key), CLAIM_KEYS)
            problem(f"{key_path}.{key}", f"unknown key.{tip} Allowed here: {', '.join(sorted(CLAIM_KEYS))}.")
    facts: list[Fact] = []

    def known(kind: str, name: Any, table: Mapping[str, Any], kp: str) -> bool:
        if not isinstance(name, str):
            problem(kp, f"expected the name of a declared {kind}, got {name!r}.")
            return False
        if name in table:
            return True
        tip = did_you_mean(str(name), table)
        problem(kp, f"unknown {kind} '{name}'.{tip} Declared: {', '.join(sorted(table)) or 'none'}.")
        return False

    subjects = [k for k in ("check", "build", "image", "probe", "benchmark") if k in entry]
    if len(subjects) != 1:
        problem(key_path, "a claim names exactly one of build, image, probe, benchmark (or check: 'EXPR'), "
                          f"got {', '.join(subjects) or 'none'}.")
        return None
    subject = subjects[0]
    try:
        if subject == "check":
            for expr in _list(entry["check"]) if isinstance(entry["check"], list) else [entry["check"]]:
                try:
                    facts.append(parse_expression(str(expr)))
                except ClaimSyntaxError as exc:
                    problem(f"{key_path}.check", str(exc))
        elif subject == "benchmark":
            fact = _bench_claim(entry, key_path, problem, benchmarks or {})
            if fact is not None:
                facts.append(fact)
        elif subject == "build":
            name = entry["build"]
            known("build", name, builds, f"{key_path}.build")
            for fld in ("kind", "libc", "interpreter"):
                if fld in entry:
                    value = _word(entry[fld]) if fld == "interpreter" else entry[fld]
                    if fld != "interpreter" and not isinstance(value, str):
                        problem(f"{key_path}.{fld}", f"expected a word such as 'static' or 'musl', got {value!r}.")
                        continue
                    facts.append(Fact("build", str(name), fld, value))
            if "needed" in entry:
                if not isinstance(entry["needed"], list):
                    problem(f"{key_path}.needed", "expected a list of library names (the allowed DT_NEEDED set).")
                else:
                    facts.append(Fact("build", str(name), "needed", [str(v) for v in entry["needed"]]))
            if "max_size" in entry:
                facts.append(Fact("build", str(name), "size", _size(entry["max_size"], f"{key_path}.max_size", problem)))
        elif subject == "image":
            name = entry["image"]
            known("image", name, images, f"{key_path}.image")
            for key, fld in (("max_size", "size"), ("max_compressed", "compressed")):
                if key in entry:
                    facts.append(Fact("image", str(name), fld, _size(entry[key], f"{key_path}.{key}", problem)))
            if "smaller_than" in entry:
                other = entry["smaller_than"]
                known("image", other, images, f"{key_path}.smaller_than")
                factor = entry.get("factor", 1)
                if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor <= 0:
                    problem(f"{key_path}.factor", f"expected a positive number (smaller by at least this factor), got {factor!r}.")
                    factor = 1
                facts.append(Fact("image", str(name), "smaller_than", (str(other), float(factor))))
            elif "factor" in entry:
                problem(f"{key_path}.factor", "'factor' goes with 'smaller_than: OTHER-IMAGE'.")
        else:
            build, base = entry["probe"], entry.get("base")
            matrix_builds, matrix_bases = list(probes.builds), list(probes.bases)
            if build not in matrix_builds:
                problem(f"{key_path}.probe", f"build '{build}' is not probed. Probed: {', '.join(matrix_builds) or 'none'}.")
            if base not in matrix_bases:
                problem(f"{key_path}.base", f"base {base!r} is not in the probe matrix. Bases: {', '.join(matrix_bases) or 'none'}.")
            result = entry.get("result")
            if result not in PROBE_RESULTS:
                problem(f"{key_path}.result", f"expected 'runs' or 'fails', got {result!r}.")
            facts.append(Fact("probe", str(build), "result", result, base=str(base)))
    except ClaimSyntaxError as exc:  # pragma: no cover - every parse above reports through problem()
        problem(key_path, str(exc))
    if not facts and not n_problems[0]:
        problem(key_path, "the claim checks nothing: add kind, libc, interpreter, needed, max_size, "
                          "smaller_than or result.")
    text = entry.get("text")
    if text is not None and not isinstance(text, str):
        problem(f"{key_path}.text", f"expected a sentence, got {text!r}.")
    cid = entry.get("id")
    if cid is not None and not (isinstance(cid, str) and re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", cid)):
        problem(f"{key_path}.id", "ids use letters, digits, '.', '-' and '_' only.")
    if n_problems[0]:
        return None
    claim = Claim(id=cid or key_path, text=text or "", where=where, facts=tuple(facts), source="spec")
    return claim if claim.text else Claim(claim.id, claim.expression, where, claim.facts, "spec")


def _size(value: Any, kp: str, problem: Callable[[str, str], None]) -> int:
    try:
        return parse_size(value)
    except ClaimSyntaxError as exc:
        problem(kp, str(exc) + ".")
        return 0


