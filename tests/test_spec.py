"""Spec loading and validation: every problem names the file, line and key path."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from livebench.errors import SpecError
from livebench.spec import load_plan

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    p = tmp_path / "spec.yml"
    p.write_text(text)
    return p


GOOD = """\
version: 1
tools:
  gcc: gcc --version
  musl-gcc: {version: musl-gcc --version, package: musl-tools}
env: {PATH: "/usr/bin:/bin"}
setup:
  prep:
    commands: [echo prep]
    creates: /tmp
builds:
  hello:
    workdir: src
    needs: [prep]
    tools: [gcc]
    commands: ["gcc -o $LIVEBENCH_OUT/hello hello.c"]
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/*.c]
    expect: {kind: dynamic}
"""


def test_demo_spec_is_valid():
    plan = load_plan(ROOT / "benchmarks" / "livebench.yml", root=ROOT)
    assert set(plan.builds) >= {"hello-c-gnu", "hello-c-musl", "hello-rust-gnu", "hello-rust-musl",
                                "slice-gnu", "slice-musl"}
    assert "musl-rust" in plan.setup
    assert plan.builds["hello-rust-musl"].needs == ("musl-rust",)


def test_good_spec(tmp_path):
    plan = load_plan(write(tmp_path, GOOD), root=tmp_path)
    b = plan.builds["hello"]
    assert b.workdir == (tmp_path / "src").resolve()
    assert b.commands == ("gcc -o $LIVEBENCH_OUT/hello hello.c",)
    assert plan.tools["musl-gcc"].package == "musl-tools"
    assert plan.where("builds.hello.artifact") == "spec.yml:16"


def test_a_kept_plan_is_the_parsed_one_until_the_spec_or_a_workdir_changes(tmp_path):
    """A site build keeps the plan of an unchanged spec in its cache; what could make it wrong is checked."""
    spec, memo = write(tmp_path, GOOD), tmp_path / "cache"
    parsed = load_plan(spec, root=tmp_path)
    assert load_plan(spec, root=tmp_path, memo_dir=memo) == parsed and (memo / "plan.pickle").is_file()
    kept = load_plan(spec, root=tmp_path, memo_dir=memo)
    assert kept == parsed and kept.where("builds.hello.artifact") == "spec.yml:16"
    spec.write_text(GOOD.replace("commands: [echo prep]", "commands: [echo ready]"))
    assert load_plan(spec, root=tmp_path, memo_dir=memo).setup["prep"].commands == ("echo ready",)
    (tmp_path / "src").rmdir()  # the plan read the disk here: the kept one must say so too
    with pytest.raises(SpecError, match="folder 'src' does not exist"):
        load_plan(spec, root=tmp_path, memo_dir=memo)
    (tmp_path / "src").mkdir()
    spec.write_text(GOOD.replace("tools: [gcc]", "tools: [clang]"))
    for _ in range(2):  # a spec with an error is never kept: the message comes every time
        with pytest.raises(SpecError, match="unknown tool 'clang'"):
            load_plan(spec, root=tmp_path, memo_dir=memo)
    (memo / "plan.pickle").write_bytes(b"not a pickle")
    spec.write_text(GOOD)
    assert load_plan(spec, root=tmp_path, memo_dir=memo) == parsed  # a damaged memo is only slower


@pytest.mark.parametrize(
    "old,new,expect",
    [
        ("    artifact: ${LIVEBENCH_OUT}/hello\n", "    artifact: [a, b]\n",
         "spec.yml:16: builds.hello.artifact: expected the path of the built file"),
        ("    artifact: ${LIVEBENCH_OUT}/hello\n", "", "builds.hello.artifact: missing"),
        ("    needs: [prep]\n", "    needs: [perp]\n", "Did you mean 'prep'?"),
        ("    tools: [gcc]\n", "    tools: [clang]\n", "unknown tool 'clang'"),
        ("    workdir: src\n", "    workdir: nowhere\n", "folder 'nowhere' does not exist"),
        ("    commands: [\"gcc -o $LIVEBENCH_OUT/hello hello.c\"]\n", "    comands: [x]\n",
         "builds.hello.comands: unknown key. Did you mean 'commands'?"),
        ("version: 1\n", "version: 7\n", "unsupported spec version 7"),
        ("  prep:\n", "  hello:\n", "builds.hello: a setup step is also named 'hello'"),
        ("    expect: {kind: dynamic}\n", "    expect: {kinds: dynamic}\n", "builds.hello.expect.kinds: unknown key"),
    ],
)
def test_bad_specs_name_file_line_and_key(tmp_path, old, new, expect):
    assert old in GOOD
    with pytest.raises(SpecError) as info:
        load_plan(write(tmp_path, GOOD.replace(old, new)), root=tmp_path)
    message = str(info.value)
    assert expect in message
    assert "spec.yml" in message
    assert "Traceback" not in message


def test_all_problems_reported_at_once(tmp_path):
    text = GOOD.replace("tools: [gcc]", "tools: [clang]").replace("needs: [prep]", "needs: [nope]")
    with pytest.raises(SpecError) as info:
        load_plan(write(tmp_path, text), root=tmp_path)
    assert "2 problem(s)" in str(info.value)


def test_yaml_syntax_error_names_line(tmp_path):
    with pytest.raises(SpecError, match=r"spec.yml:4: not valid YAML"):
        load_plan(write(tmp_path, "builds:\n  a:\n  - b: [\n"), root=tmp_path)


def test_missing_spec(tmp_path):
    with pytest.raises(SpecError, match="spec file not found"):
        load_plan(tmp_path / "nope.yml", root=tmp_path)


def test_not_a_mapping(tmp_path):
    with pytest.raises(SpecError, match="expected a mapping"):
        load_plan(write(tmp_path, "- just\n- a list\n"), root=tmp_path)


def test_cli_broken_spec_exits_2_naming_file(tmp_path):
    spec = write(tmp_path, GOOD.replace("tools: [gcc]", "tools: 5: 6"))
    proc = subprocess.run([sys.executable, "-m", "livebench.cli", "run", "--root", str(tmp_path),
                           "--spec", str(spec)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "spec.yml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_misspelt_expectation_is_refused_before_anything_builds(tmp_path):
    p = write(tmp_path, GOOD.replace("expect: {kind: dynamic}", "expect: {kind: statc, libc: muls}"))
    with pytest.raises(SpecError) as e:
        load_plan(p, root=tmp_path)
    msg = str(e.value)
    assert "spec.yml:18: builds.hello.expect.kind: expected a kind: one of static, static-pie" in msg
    assert "Did you mean 'static'?" in msg and "Did you mean 'musl'?" in msg


def test_free_text_is_not_part_of_the_cache_key(tmp_path):
    from livebench.run.cache import make_key

    plain = load_plan(write(tmp_path, GOOD), root=tmp_path).builds["hello"]
    described = load_plan(write(tmp_path, GOOD.replace("    workdir: src\n", "    workdir: src\n    description: x\n")),
                          root=tmp_path).builds["hello"]
    assert described.raw != plain.raw and make_key(described.key_entry) == make_key(plain.key_entry)
    changed = load_plan(write(tmp_path, GOOD.replace("-o $LIVEBENCH_OUT", "-O2 -o $LIVEBENCH_OUT")),
                        root=tmp_path).builds["hello"]
    assert make_key(changed.key_entry) != make_key(plain.key_entry)


def test_validation_leaves_the_yaml_as_written(tmp_path):
    import yaml

    text = GOOD + 'bases:\n  s: {kind: scratch}\nimages:\n  i:\n    base: s\n    files: [{build: hello, dest: /h, mode: "0644"}]\n'
    plan = load_plan(write(tmp_path, text), root=tmp_path)
    assert plan.images["i"].files[0].mode == 0o644
    assert yaml.safe_load(text)["images"]["i"]["files"][0]["mode"] == "0644"
    assert plan.images["i"].recipe()["files"][0]["mode"] == 0o644
