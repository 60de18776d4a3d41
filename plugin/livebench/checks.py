"""Claims and drift: the article checks itself against the record, and the record against a baseline.

A *claim* is a fact the prose relies on ("the musl build is static", "distroless is 10x smaller than
Debian"). Claims are declared in the spec (``claims:``) or next to the sentence they back, inline as
``{lb-claim:build.hello-rust-musl.kind == static}`` or in a ``livebench`` block with ``claim:``. All
of them compile to the same :class:`Claim` and are evaluated against the results record after every
run; a false one is a failure that names where it is written, what was measured and the command that
reproduces the measurement.

*Drift* compares a record with a committed baseline (``benchmarks/baseline.json``, written by
``livebench run --update-baseline``) metric by metric, each with a tolerance from the spec's
``drift:`` section.

No MkDocs import here: the CLI, the plugin and the tests all drive this module directly.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import LivebenchError
from .results import human_size

# -- syntax ------------------------------------------------------------------------------------
INLINE_CLAIM_RE = re.compile(r"\{lb-claim:([^{}]+)\}")
FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
CODE_SPAN_RE = re.compile(r"(`+)(?:.+?)\1")

BUILD_FIELDS = ("kind", "libc", "interpreter", "needed", "size")
IMAGE_FIELDS = ("size", "compressed")
PROBE_RESULTS = ("runs", "fails")
# spec form: the keys a claim entry may have
CLAIM_KEYS = {"id", "text", "check", "build", "image", "probe", "base", "kind", "libc", "interpreter",
              "needed", "max_size", "max_compressed", "smaller_than", "factor", "result"}

_SIZE_RE = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s*([kKMGT]i?B|B|bytes)?\s*$")
_UNITS = {None: 1, "B": 1, "bytes": 1, "kB": 10**3, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
# `image.a.size <= image.b.size / 10`: a is smaller than b by at least a factor of 10
_RATIO_RE = re.compile(r"^image\.([^.\s]+)\.(size|compressed)\s*/\s*([0-9]+(?:\.[0-9]+)?)$")
_EXPR_RE = re.compile(r"^\s*(?P<lhs>[A-Za-z0-9_.-]+)\s*(?P<op>==|<=|\bin\b)\s*(?P<rhs>.+?)\s*$")


class ClaimSyntaxError(LivebenchError):
    """A claim that cannot be read (wrong subject, field, operator or value)."""


@dataclass(frozen=True)
class Fact:
    """One checkable statement about one build, image or probe."""

    subject: str  # "build" | "image" | "probe"
    name: str  # build or image name; for probes the build
    field: str  # build: kind/libc/interpreter/needed/size; image: size/compressed/smaller_than; probe: result
    expected: Any  # str | None | list[str] | int bytes | (other image, factor)
    base: str | None = None  # probes only

    def describe(self) -> str:
        if self.subject == "probe":
            return f"probe.{self.name}.{self.base} == {self.expected}"
        if self.field == "smaller_than":
            other, factor = self.expected
            return f"image.{self.name}.size <= image.{other}.size / {factor:g}"
        if self.field == "needed":
            return f"build.{self.name}.needed in [{', '.join(self.expected)}]"
        if self.field in ("size", "compressed"):
            return f"{self.subject}.{self.name}.{self.field} <= {human_size(self.expected)}"
        value = "none" if self.expected is None else self.expected
        return f"{self.subject}.{self.name}.{self.field} == {value}"


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    where: str  # "benchmarks/livebench.yml:210" or "docs/container-diet.md:139"
    facts: tuple[Fact, ...]
    source: str = "spec"  # "spec" | "page"

    @property
    def expression(self) -> str:
        return " and ".join(f.describe() for f in self.facts)


# -- parsing -----------------------------------------------------------------------------------
def parse_size(value: Any) -> int:
    """``409728``, ``"409,728"``, ``"1 MB"``, ``"500 kB"``, ``"2 MiB"`` → bytes (decimal units as docker)."""
    if isinstance(value, bool):
        raise ClaimSyntaxError(f"expected a size such as 1000000 or '1 MB', got {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    m = _SIZE_RE.match(str(value))
    if not m or m.group(2) not in _UNITS:
        raise ClaimSyntaxError(f"expected a size such as 1000000, '1 MB' or '500 kB', got {value!r}")
    return int(float(m.group(1).replace(",", "").replace("_", "")) * _UNITS[m.group(2)])


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
    """
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


def spec_claim(entry: Any, key_path: str, where: str, add: Callable[[str, str], None],
               builds: dict, images: dict, probes: dict) -> Claim | None:
    """Validate one ``claims:`` entry of the spec; problems go to ``add(key_path, message)``."""
    if not isinstance(entry, dict):
        add(key_path, "expected a mapping such as {build: NAME, kind: static} or {check: 'EXPR'}.")
        return None
    import difflib

    n_problems = [0]

    def problem(kp: str, msg: str) -> None:
        n_problems[0] += 1
        add(kp, msg)

    for key in entry:
        if key not in CLAIM_KEYS:
            hint = difflib.get_close_matches(str(key), sorted(CLAIM_KEYS), n=1)
            tip = f" Did you mean '{hint[0]}'?" if hint else ""
            problem(f"{key_path}.{key}", f"unknown key.{tip} Allowed here: {', '.join(sorted(CLAIM_KEYS))}.")
    facts: list[Fact] = []

    def known(kind: str, name: Any, table: dict, kp: str) -> bool:
        if not isinstance(name, str):
            problem(kp, f"expected the name of a declared {kind}, got {name!r}.")
            return False
        if name in table:
            return True
        hint = difflib.get_close_matches(str(name), list(table), n=1)
        tip = f" Did you mean '{hint[0]}'?" if hint else ""
        problem(kp, f"unknown {kind} '{name}'.{tip} Declared: {', '.join(sorted(table)) or 'none'}.")
        return False

    subjects = [k for k in ("check", "build", "image", "probe") if k in entry]
    if len(subjects) != 1:
        problem(key_path, "a claim names exactly one of build, image, probe (or check: 'EXPR'), "
                          f"got {', '.join(subjects) or 'none'}.")
        return None
    subject = subjects[0]
    try:
        if subject == "check":
            for i, expr in enumerate(_list(entry["check"]) if isinstance(entry["check"], list) else [entry["check"]]):
                try:
                    facts.append(parse_expression(str(expr)))
                except ClaimSyntaxError as exc:
                    problem(f"{key_path}.check", str(exc))
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
            matrix_builds = [b for b in (probes.get("builds") or []) if isinstance(b, str)]
            matrix_bases = [b for b in (probes.get("bases") or []) if isinstance(b, str)]
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


# -- pages -------------------------------------------------------------------------------------
def page_claims(text: str, page: str) -> tuple[list[Claim], list[str]]:
    """Inline ``{lb-claim:...}`` and block ``claim:`` claims of one page, and unreadable ones."""
    claims: list[Claim] = []
    problems: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m:
            for expr in _inline_exprs(lines[i]):
                _add_page_claim(claims, problems, [expr], f"{page}:{i + 1}", "")
            i += 1
            continue
        fence = m.group("fence")
        close_re = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close_re.match(lines[j]):
            j += 1
        info = m.group("info").strip()
        if info and info.split(" ")[0].strip("{}.") == "livebench":
            indent = m.group("indent")
            body = "\n".join(l[len(indent):] if l.startswith(indent) else l for l in lines[i + 1:j])
            try:
                opts = yaml.safe_load(body)
            except yaml.YAMLError:
                opts = None  # the render layer reports the YAML error with page and line
            if isinstance(opts, dict) and "claim" in opts:
                exprs = opts["claim"] if isinstance(opts["claim"], list) else [opts["claim"]]
                text_ = opts.get("text") if isinstance(opts.get("text"), str) else ""
                _add_page_claim(claims, problems, [str(e) for e in exprs], f"{page}:{i + 1}", text_)
        i = j + 1
    return claims, problems


def _inline_exprs(line: str) -> list[str]:
    if "{lb-claim:" not in line:
        return []
    outside = CODE_SPAN_RE.sub("", line)  # code spans show the syntax; they are not claims
    return [m.group(1).strip() for m in INLINE_CLAIM_RE.finditer(outside)]


def _add_page_claim(claims: list[Claim], problems: list[str], exprs: list[str], where: str, text: str) -> None:
    try:
        facts = tuple(parse_expression(e) for e in exprs)
    except ClaimSyntaxError as exc:
        problems.append(f"{where}: {exc}")
        return
    expr = " and ".join(exprs)
    claims.append(Claim(id=expr, text=text or expr, where=where, facts=facts, source="page"))


def scan_pages(docs_dir: Path, root: Path) -> tuple[list[Claim], list[str]]:
    """Every claim written in the Markdown pages under ``docs_dir`` (paths shown relative to root)."""
    claims: list[Claim] = []
    problems: list[str] = []
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        return claims, problems
    for path in sorted(docs_dir.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "lb-claim" not in text and "claim:" not in text:
            continue
        try:
            shown = str(path.resolve().relative_to(Path(root).resolve()))
        except ValueError:
            shown = str(path)
        c, p = page_claims(_strip_front_matter(text), shown)
        claims += c
        problems += p
    return claims, problems


def _strip_front_matter(text: str) -> str:
    # Keep line numbers: blank the front matter instead of removing it.
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return "\n" * text[:end + 4].count("\n") + text[end + 5:]
    return text


# -- evaluation --------------------------------------------------------------------------------
@dataclass
class FactResult:
    ok: bool | None  # None: not measured in this (partial) run
    measured: str
    expected: str
    reproduce: str


def evaluate_fact(fact: Fact, record: dict, *, partial: bool = False) -> FactResult:
    if fact.subject == "build":
        return _eval_build(fact, record, partial)
    if fact.subject == "image":
        return _eval_image(fact, record, partial)
    return _eval_probe(fact, record, partial)


def _absent(what: str, table: dict, partial: bool, expected: str, reproduce: str) -> FactResult:
    if partial:
        return FactResult(None, "not measured in this run", expected, reproduce)
    known = ", ".join(sorted(table)) or "none"
    return FactResult(False, f"no {what} in the record (known: {known})", expected, reproduce)


def _eval_build(f: Fact, record: dict, partial: bool) -> FactResult:
    builds = record.get("builds", {})
    b = builds.get(f.name)
    rerun = f"livebench run --only {f.name}"
    expected = _expected_text(f)
    if b is None:
        return _absent(f"build '{f.name}'", builds, partial, expected, rerun)
    if not b.get("ok"):
        return FactResult(False, "the build failed", expected, rerun)
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


def _image_repro(name: str, im: dict) -> str:
    ref = im.get("ref")
    if im.get("backend") == "docker" and ref:
        return f"docker image inspect --format '{{{{.Size}}}}' {ref}"
    return f"livebench run && livebench show --json  # images.{name}.size"


def _eval_image(f: Fact, record: dict, partial: bool) -> FactResult:
    images = record.get("images", {})
    im = images.get(f.name)
    expected = _expected_text(f)
    if im is None:
        return _absent(f"image '{f.name}'", images, partial, expected, "livebench run")
    size = im.get("size") or {}
    if f.field in ("size", "compressed"):
        have = size.get("uncompressed" if f.field == "size" else "compressed")
        return FactResult(have is not None and have <= f.expected, _bytes(have), expected, _image_repro(f.name, im))
    other, factor = f.expected
    key = "uncompressed" if f.field == "smaller_than" else "compressed"
    oim = images.get(other)
    if oim is None:
        return _absent(f"image '{other}'", images, partial, expected, "livebench run")
    a, b = size.get(key), (oim.get("size") or {}).get(key)
    if not a or not b:
        return FactResult(False, "a size is missing from the record", expected, "livebench run")
    ratio = b / a
    measured = f"{_bytes(a)} vs {_bytes(b)}: {ratio:.1f}x smaller"
    reproduce = _image_repro(f.name, im) + " ; " + _image_repro(other, oim)
    return FactResult(a * factor <= b, measured, expected, reproduce)


def _eval_probe(f: Fact, record: dict, partial: bool) -> FactResult:
    expected = _expected_text(f)
    row = record.get("probes", {}).get(f.name) or {}
    p = row.get(f.base or "")
    if p is None:
        cells = [f"{b}/{base}" for b, r in record.get("probes", {}).items() for base in r]
        if partial:
            return FactResult(None, "not measured in this run", expected, "livebench run")
        return FactResult(False, f"no probe of '{f.name}' in '{f.base}' in the record "
                                 f"(probed: {', '.join(cells) or 'none'})", expected, "livebench run")
    verdict = "runs" if p.get("exit_code") == 0 else "fails"
    out = (p.get("output") or "").strip().splitlines()
    measured = f"{verdict} (exit {p.get('exit_code')}{': ' + out[-1][:120] if out else ''})"
    return FactResult(verdict == f.expected, measured, expected, p.get("command") or "livebench run")


def _expected_text(f: Fact) -> str:
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


def evaluate(claim: Claim, record: dict, *, partial: bool = False) -> dict[str, Any]:
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


def claim_message(entry: dict) -> str:
    """One line of the failure report: page or spec line, the claim, measured value, how to reproduce."""
    facts = " and ".join(f["check"] for f in entry.get("facts", [])) or entry.get("id")
    what = entry["text"] if entry.get("text") and entry["text"] != facts else ""
    said = f' ("{what}")' if what else ""
    if entry.get("error"):
        return f"{entry['where']}: claim {entry['id']}: {entry['error']}"
    return (f"{entry['where']}: claim {{lb-claim:{facts}}}{said} is false: measured {entry['measured']}, "
            f"expected {entry['expected']}. Reproduce: {entry['reproduce']}")


# -- drift -------------------------------------------------------------------------------------
DEFAULT_TOLERANCE = {"size": 0.0, "image_size": 0.0, "seconds": 3.0, "min_seconds": 10.0}
DRIFT_KEYS = set(DEFAULT_TOLERANCE)
BASELINE_SCHEMA = 1


@dataclass(frozen=True)
class Tolerance:
    size: float = 0.0  # build artifact sizes, as a fraction (0.01 = 1%)
    image_size: float = 0.0  # image sizes (uncompressed and compressed)
    seconds: float = 3.0  # build seconds: a wide band, machines differ
    min_seconds: float = 10.0  # time changes smaller than this many seconds never count

    def to_dict(self) -> dict[str, str]:
        return {"size": f"{self.size * 100:g}%", "image_size": f"{self.image_size * 100:g}%",
                "seconds": f"{self.seconds * 100:g}%", "min_seconds": f"{self.min_seconds:g}"}


def parse_percent(value: Any) -> float:
    """``"1%"``, ``"0.5 %"``, ``1`` (percent) → a fraction."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        s = str(value).strip()
        if not s.endswith("%"):
            raise ValueError(value)
        number = float(s[:-1].strip())
    if number < 0:
        raise ValueError(value)
    return number / 100


def tolerance_from_spec(value: Any, key_path: str, add: Callable[[str, str], None]) -> Tolerance:
    if value is None:
        return Tolerance()
    if not isinstance(value, dict):
        add(key_path, "expected a mapping such as {size: 0%, image_size: 1%, seconds: 300%}.")
        return Tolerance()
    out: dict[str, float] = {}
    for key, v in value.items():
        if key not in DRIFT_KEYS:
            add(f"{key_path}.{key}", f"unknown key. Allowed here: {', '.join(sorted(DRIFT_KEYS))}.")
            continue
        try:
            if key == "min_seconds":
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                    raise ValueError(v)
                out[key] = float(v)
            else:
                out[key] = parse_percent(v)
        except ValueError:
            what = "a number of seconds" if key == "min_seconds" else "a percentage such as '1%'"
            add(f"{key_path}.{key}", f"expected {what}, got {v!r}.")
    return Tolerance(**out)


def baseline_from_record(record: dict) -> dict[str, Any]:
    """What ``--update-baseline`` writes: the stable facts of a record, nothing machine-noisy but time."""
    prov = record.get("provenance", {})
    out: dict[str, Any] = {
        "schema": BASELINE_SCHEMA,
        "written": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "measured": {k: prov.get(k) for k in ("date", "git_commit", "arch", "kernel", "backend")},
        "tools": dict(prov.get("tools") or {}),
        "builds": {}, "images": {}, "probes": {},
    }
    for name, b in sorted(record.get("builds", {}).items()):
        if not b.get("ok"):
            continue
        lk = b.get("linkage") or {}
        out["builds"][name] = {"size": (b.get("artifact") or {}).get("size"), "kind": lk.get("kind"),
                               "libc": lk.get("libc"), "seconds": b.get("seconds")}
    for name, im in sorted(record.get("images", {}).items()):
        size = im.get("size") or {}
        out["images"][name] = {"size": {"uncompressed": size.get("uncompressed"), "compressed": size.get("compressed")}}
    for build, row in sorted(record.get("probes", {}).items()):
        out["probes"][build] = {base: ("runs" if p.get("exit_code") == 0 else "fails")
                                for base, p in sorted(row.items())}
    return out


def load_baseline(path: Path) -> dict[str, Any] | None:
    path = Path(path)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LivebenchError(f"{path}: not a readable baseline ({exc}). Write it again with "
                             f"`livebench run --update-baseline`.") from None
    if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA:
        raise LivebenchError(f"{path}: baseline of an unknown schema; write it again with "
                             f"`livebench run --update-baseline`.")
    return data


def _flat(base: dict) -> dict[str, tuple[str, Any]]:
    """metric path → (tolerance class, value)."""
    out: dict[str, tuple[str, Any]] = {}
    for name, b in (base.get("builds") or {}).items():
        out[f"builds.{name}.size"] = ("size", b.get("size"))
        out[f"builds.{name}.kind"] = ("exact", b.get("kind"))
        out[f"builds.{name}.libc"] = ("exact", b.get("libc"))
        out[f"builds.{name}.seconds"] = ("seconds", b.get("seconds"))
    for name, im in (base.get("images") or {}).items():
        for k, v in (im.get("size") or {}).items():
            out[f"images.{name}.size.{k}"] = ("image_size", v)
    for build, row in (base.get("probes") or {}).items():
        for base_name, verdict in row.items():
            out[f"probes.{build}.{base_name}"] = ("exact", verdict)
    return out


def compare(baseline: dict, record: dict, tol: Tolerance, *, partial: bool = False) -> list[dict[str, Any]]:
    """Every metric that differs from the baseline: ``{metric, baseline, now, change, tolerance, ok}``."""
    then, now = _flat(baseline), _flat(baseline_from_record(record))
    failed_builds = {n for n, b in record.get("builds", {}).items() if not b.get("ok")}
    out: list[dict[str, Any]] = []
    for metric, (cls, old) in then.items():
        if metric not in now:
            parts = metric.split(".")
            if partial or (parts[0] == "builds" and parts[1] in failed_builds):
                continue  # not run, or failed (reported as a failure already)
            out.append({"metric": metric, "baseline": old, "now": None, "change": "gone", "tolerance": None,
                        "ok": False})
            continue
        new = now[metric][1]
        if new == old:
            continue
        entry: dict[str, Any] = {"metric": metric, "baseline": old, "now": new}
        if cls == "exact" or not isinstance(old, (int, float)) or not isinstance(new, (int, float)):
            entry.update(change="changed", tolerance=None, ok=False)
        else:
            limit = {"size": tol.size, "image_size": tol.image_size, "seconds": tol.seconds}[cls]
            rel = (new - old) / old if old else float("inf")
            ok = abs(rel) <= limit + 1e-12
            if cls == "seconds" and abs(new - old) < tol.min_seconds:
                ok = True
            entry.update(change=f"{rel * 100:+.2f}%" if old else "new", tolerance=f"{limit * 100:g}%", ok=ok)
        out.append(entry)
    # Tool versions never fail a check, but they explain a size that moved: show them with the drift.
    now_tools = (record.get("provenance") or {}).get("tools") or {}
    for tool, old in (baseline.get("tools") or {}).items():
        if tool in now_tools and now_tools[tool] != old:
            out.append({"metric": f"tools.{tool}", "baseline": old, "now": now_tools[tool], "change": "tool",
                        "tolerance": None, "ok": True})
    for metric, (_cls, new) in now.items():
        if metric not in then:
            out.append({"metric": metric, "baseline": None, "now": new, "change": "new", "tolerance": None,
                        "ok": True})
    return out


def drift_line(d: dict) -> str:
    """``images.x.size.uncompressed: baseline 3,757,000 → now 3,760,000 (+0.08%, tolerance 0%)``."""
    def fmt(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, float):
            return f"{v:,.1f} s"  # only build seconds are floats
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    if d["change"] == "gone":
        return f"{d['metric']}: baseline {fmt(d['baseline'])} → now missing (not in this record)"
    if d["change"] == "tool":
        return f"{d['metric']}: {d['baseline']} → {d['now']} (tool version, informational)"
    if d["change"] == "new":
        return f"{d['metric']}: new, not in the baseline: {fmt(d['now'])} (run `livebench run --update-baseline`)"
    detail = d["change"] if d.get("tolerance") is None else f"{d['change']}, tolerance {d['tolerance']}"
    if d["change"] == "changed":
        detail = "must match exactly"
    return f"{d['metric']}: baseline {fmt(d['baseline'])} → now {fmt(d['now'])} ({detail})"


# -- the one entry point the runner and the plugin call -------------------------------------------
@dataclass
class CheckOptions:
    docs_dir: Path | None = None
    baseline: Path | None = None  # None: the spec's `baseline:` (default benchmarks/baseline.json)
    partial: bool = False  # a run restricted with --only: absent entries are not failures
    page_claims: list[Claim] = field(default_factory=list)


def default_baseline(plan: Any) -> Path:
    path = Path(getattr(plan, "baseline", None) or Path(plan.path).parent / "baseline.json")
    return path if path.is_absolute() else Path(plan.root) / path


def apply(plan: Any, record: dict, options: CheckOptions) -> None:
    """Evaluate every claim and compare with the baseline; store both in ``record`` (idempotent)."""
    record["failures"] = [f for f in record.get("failures", []) if f.get("kind") != "claim"]
    claims: list[Claim] = list(getattr(plan, "claims", []) or [])
    entries: list[dict[str, Any]] = []
    if options.docs_dir is not None:
        found, problems = scan_pages(options.docs_dir, plan.root)
        claims += found
        for p in problems:
            where, _, message = p.partition(": ")
            entries.append({"id": where, "text": "", "where": where, "source": "page", "ok": False,
                            "measured": None, "expected": None, "reproduce": None, "facts": [],
                            "error": message, "syntax": True})
    claims += options.page_claims
    for claim in claims:
        entries.append(evaluate(claim, record, partial=options.partial))
    record["claims"] = entries
    for e in entries:
        if e["ok"] is False:
            # "syntax": the page renderer reports an unreadable claim itself (with page and line)
            record["failures"].append({"what": f"claims.{e['id']}", "kind": "claim", "syntax": bool(e.get("syntax")),
                                       "message": claim_message(e)})

    path = options.baseline or default_baseline(plan)
    baseline = load_baseline(path)
    try:
        shown = str(Path(path).resolve().relative_to(Path(plan.root).resolve()))
    except ValueError:
        shown = str(path)
    tol = getattr(plan, "drift", None) or Tolerance()
    record["baseline"] = ({"path": shown, "measured": baseline.get("measured"), "tolerance": tol.to_dict()}
                          if baseline else None)
    record["drift"] = compare(baseline, record, tol, partial=options.partial) if baseline else []


def write_baseline(record: dict, path: Path) -> None:
    from .results import write_json_atomic

    write_json_atomic(Path(path), baseline_from_record(record))
