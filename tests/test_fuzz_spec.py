"""Fuzzing the spec loader: any document gives a Plan or a SpecError naming the file and a key.

Three sources of bad input: random YAML-ish text (syntax noise around spec words), random data
structures with the spec's own keys, and mutations of the real demo spec (delete, retype, rename,
duplicate). Never another exception, never a traceback from `livebench run`.
"""
from __future__ import annotations

import copy
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livebench.errors import SpecError
from livebench.run.cache import make_key
from livebench.spec import Plan, build_plan, load_plan
from livebench.spec.containers import BASE_KEYS, FILE_KEYS, IMAGE_KEYS, PROBE_KEYS
from livebench.spec.validate import BUILD_KEYS, EXPECT_KEYS, STEP_KEYS, TOP_KEYS

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "benchmarks" / "livebench.yml"
DEMO_DATA = yaml.safe_load(DEMO.read_text())
FUZZ = settings(max_examples=1000, deadline=None, database=None, suppress_health_check=list(HealthCheck))

WORDS = sorted(TOP_KEYS | STEP_KEYS | BUILD_KEYS | EXPECT_KEYS | BASE_KEYS | IMAGE_KEYS | FILE_KEYS | PROBE_KEYS
               | {"hello", "gcc", "scratch", "debs", "runs", "fails", "static", "musl", "version", "package"})
# One problem line: "FILE[:LINE]: KEY.PATH: message" (the key path may be "(top)").
PROBLEM = re.compile(r"^(?P<file>[^:\n]+)(?::\d+)?: (?P<key>.+?): \S")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(WORDS),
    st.text(max_size=12), st.sampled_from(["", " ", "\0", "${LIVEBENCH_WORK}/x", "0755", "0999", "/abs", "../..",
                                           "a\0b", "-1", "1e999", ".nan", "*", "~"]),
)
keys = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=8), st.integers(-3, 3), st.booleans())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=25)
documents = st.dictionaries(st.sampled_from(sorted(TOP_KEYS)) | keys, values, max_size=7)


def _check(load: Any, shown: str) -> Plan | None:
    """Run ``load``; a SpecError must name ``shown`` on every problem line and give a key path."""
    try:
        plan = load()
    except SpecError as exc:
        msg = str(exc)
        assert shown in msg, msg
        body = msg.splitlines()
        if "not valid YAML" in msg or "cannot read" in msg:
            assert body[0].startswith(shown), msg
            return None
        problems = body[1:] if re.match(r"^\d+ problem\(s\)", body[0]) else body
        assert problems, msg
        for line in problems:
            if not line.startswith("  " + shown) and not line.startswith(shown):
                continue  # a continuation line of a multi-line message
            m = PROBLEM.match(line.strip())
            assert m and m.group("key"), f"no key path in: {line!r}"
        return None
    assert isinstance(plan, Plan)
    for step in [*plan.setup.values(), *plan.builds.values()]:
        make_key({"entry": step.key_entry})  # the runner keys the cache on the entry as written
        assert math.isfinite(step.timeout) and step.timeout > 0
    return plan


def _data_plan(data: Any, tmp_path: Path) -> Plan | None:
    return _check(lambda: build_plan(data, path=tmp_path / "livebench.yml", root=ROOT), "livebench.yml")


def _text_plan(text: str, tmp_path: Path) -> Plan | None:
    p = tmp_path / "fuzz.yml"
    p.write_bytes(text.encode("utf-8", errors="replace"))  # lone surrogates from st.text()
    return _check(lambda: load_plan(p, root=tmp_path), "fuzz.yml")


@FUZZ
@given(doc=documents)
def test_random_documents(doc: dict, tmp_path_factory) -> None:
    tmp = tmp_path_factory.mktemp("doc")
    _data_plan(doc, tmp)
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except yaml.YAMLError:
        return
    _text_plan(text, tmp)


SYNTAX = ":-[]{}&*!|>'\"#%@,?\t\n  \\\0\ufeff"


@FUZZ
@given(pos=st.integers(0, 10_000), cut=st.integers(0, 40), noise=st.text(alphabet=SYNTAX + "abc01", max_size=10),
       base=st.sampled_from(["demo", "dumped"]), doc=documents)
def test_text_noise(pos: int, cut: int, noise: str, base: str, doc: dict, tmp_path_factory) -> None:
    """Splice syntax noise into real spec text: broken YAML is a message with file and line."""
    tmp = tmp_path_factory.mktemp("txt")
    text = DEMO.read_text() if base == "demo" else yaml.safe_dump(doc, allow_unicode=True)
    pos = pos % (len(text) + 1)
    _text_plan(text[:pos] + noise + text[pos + cut:], tmp)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


DEMO_PATHS = _paths(DEMO_DATA)[1:]


@st.composite
def mutated_demo(draw) -> Any:
    data = copy.deepcopy(DEMO_DATA)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(DEMO_PATHS))
        parent = data
        try:
            for k in path[:-1]:
                parent = parent[k]
            last = path[-1]
            parent[last]
        except (KeyError, IndexError, TypeError):
            continue
        op = draw(st.sampled_from(["delete", "retype", "rename", "wrap", "duplicate"]))
        if op == "delete":
            del parent[last]
        elif op == "retype":
            parent[last] = draw(values)
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(keys)] = parent.pop(last)
        elif op == "wrap":
            parent[last] = [parent[last]] if draw(st.booleans()) else {"x": parent[last]}
        elif op == "duplicate" and isinstance(parent, dict):
            parent[draw(keys)] = copy.deepcopy(parent[last])
    return data


@FUZZ
@given(data=mutated_demo())
def test_mutated_demo_spec(data: Any, tmp_path_factory) -> None:
    tmp = tmp_path_factory.mktemp("mut")
    _data_plan(data, tmp)


def test_demo_spec_round_trips() -> None:
    assert _data_plan(copy.deepcopy(DEMO_DATA), Path("/nonexistent")) is not None


# -- hand-picked hostile documents -----------------------------------------------------------------

HOSTILE = {
    "recursive-list": "version: 1\nbuilds: &a\n  x: *a\n",
    "recursive-entry": "version: 1\nbuilds:\n  hello: &h\n    commands: [echo]\n    artifact: x\n    env: *h\n",
    "alias-bomb": "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                  "builds: {hello: {commands: [echo], artifact: x, env: {A: *g}}}\n",
    "python-tag": "!!python/object/apply:os.system [echo pwned]\n",
    "two-docs": "version: 1\n---\nversion: 1\n",
    "not-utf8": None,
    "nan-timeout": "builds: {hello: {commands: [echo], artifact: x, timeout: .nan}}\n",
    "inf-timeout": "builds: {hello: {commands: [echo], artifact: x, timeout: .inf}}\n",
    "nul-workdir": 'builds: {hello: {commands: [echo], artifact: x, workdir: "a\\0b"}}\n',
    "list-as-image-base": "bases: {s: {kind: scratch}}\nbuilds: {b: {commands: [echo], artifact: x}}\n"
                          "images: {i: {base: [s], files: [{build: [b], dest: /x, mode: [1]}]}}\n",
    "bad-probe-settings": "bases: {s: {kind: scratch}}\nbuilds: {b: {commands: [echo], artifact: x}}\n"
                          "probes: {builds: [b], bases: [s], timeout: soon, args: {a: 1}}\n",
    "bad-expect": "builds: {b: {commands: [echo], artifact: x, expect: {max_size: big, needed: 3, kind: [x]}}}\n",
    "unhashable-key": "? [a, b]\n: 1\n",
    "key-ending-in-dot": "version: 1\nv1.: 1\nx[: 2\nbuilds: {b: {commands: [echo], artifact: x, env: {a.: [1]}}}\n",
    "control-chars-in-keys": "\"a\\rb\\x1b[31m\": 1\nbuilds: {\"x\\ny\": {commands: [echo], artifact: x}}\n",
    "empty": "",
    "only-comment": "# nothing\n",
    "scalar": "42\n",
    "huge-int-version": "version: 1" + "0" * 5000 + "\n",
    "binary-values": "builds: {b: {commands: !!binary aGVsbG8=, artifact: !!binary aGVsbG8=}}\n",
    "set-and-date": "builds: {b: {commands: !!set {a, b}, artifact: 2024-01-01}}\n",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_document(case: str, tmp_path: Path) -> None:
    p = tmp_path / "spec.yml"
    if HOSTILE[case] is None:
        p.write_bytes(b"version: 1\nbuilds: \xff\xfe\x00\n")
    else:
        p.write_text(HOSTILE[case])
    plan = _check(lambda: load_plan(p, root=tmp_path), "spec.yml")
    if case in ("nan-timeout", "inf-timeout", "nul-workdir", "list-as-image-base", "bad-probe-settings",
                "bad-expect", "recursive-list", "recursive-entry", "python-tag", "two-docs"):
        assert plan is None, f"{case} must be refused"
    if case == "control-chars-in-keys":
        with pytest.raises(SpecError) as err:
            load_plan(p, root=tmp_path)
        assert "\\r" in str(err.value) and "\x1b" not in str(err.value) and "x\\ny" in str(err.value)


def test_cli_names_the_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "BROKEN.yml"
    broken.write_text("version: 1\nbuilds:\n  hello:\n    commands: [true\n")
    cmd = [sys.executable, "-m", "livebench.cli", "run", "--root", str(tmp_path), "--spec", str(broken),
           "--cache-dir", str(tmp_path / "c")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc
    assert "BROKEN.yml" in proc.stderr and "not valid YAML" in proc.stderr
    assert "Traceback" not in proc.stderr
    broken.write_text("version: 1\nbuilds:\n  hello:\n    commands: [echo]\n    artefact: x\n")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "BROKEN.yml:5: builds.hello.artefact: unknown key" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    missing = subprocess.run(cmd[:-4] + ["--spec", str(tmp_path / "nope.yml"), "--cache-dir", str(tmp_path / "c")],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "nope.yml" in missing.stderr and "Traceback" not in missing.stderr
