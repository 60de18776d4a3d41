"""Benchmarks with real gcc/musl-gcc builds timed for real: samples, statistics, verdicts, claims, drift."""
from __future__ import annotations

import copy
import json
import os
import signal
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from livebench import workflow
from livebench.errors import SpecError
from livebench.record.schema import Record
from livebench.render import expand_markdown
from livebench.run import RunOptions
from livebench.run.bench.harness import BenchError, run_once
from livebench.spec import load_plan
from livebench.verify import CheckOptions
from livebench.verify.drift import write_baseline

HELLO = '#include <stdio.h>\nint main(void) { puts("Hello, world!"); return 0; }\n'
# Work a test can time in a few milliseconds, always the same.
SPIN = ('#include <stdio.h>\nint main(void) { volatile unsigned long x = 0; '
        'for (unsigned long i = 0; i < 3000000UL; i++) x += i; printf("%lu\\n", x); return 0; }\n')

SPEC = """\
version: 1
env: {PATH: "/usr/bin:/bin"}
builds:
  gnu-a:
    workdir: src
    commands: ["gcc -O2 -o \\"$LIVEBENCH_WORK/hello\\" hello.c"]
    artifact: ${LIVEBENCH_WORK}/hello
    inputs: [src/hello.c]
  gnu-b:           # the same program built a second time: timing it against gnu-a must find no difference
    workdir: src
    commands: ["gcc -O2 -o \\"$LIVEBENCH_WORK/hello\\" hello.c"]
    artifact: ${LIVEBENCH_WORK}/hello
    inputs: [src/hello.c]
  musl:
    workdir: src
    commands: ["musl-gcc -static -O2 -o \\"$LIVEBENCH_WORK/hello\\" hello.c"]
    artifact: ${LIVEBENCH_WORK}/hello
    inputs: [src/hello.c]
  spin:
    workdir: src
    commands: ["gcc -O1 -o \\"$LIVEBENCH_WORK/spin\\" spin.c"]
    artifact: ${LIVEBENCH_WORK}/spin
    inputs: [src/spin.c]
bases:
  scratch: {kind: scratch}
benchmarks:
  same:
    variants: [gnu-a, gnu-b]
    command: "{artifact}"
    warmup: 10
    min_runs: 600      # ~1 ms a run: enough samples that the ratio's interval is a few percent wide
    min_time: 0.5
  startup:
    variants: [gnu-a, musl, spin]
    command: "{artifact} {data}/lines.txt"
    prepare: ["seq 1 1000 > lines.txt"]
    min_runs: 30
    min_time: 0.2
  in-scratch:
    variants: [musl]
    where: {base: scratch}
    command: "{artifact}"
    min_runs: 5
    min_time: 0.1
claims:
  - {id: same-within, benchmark: same, variant: gnu-b, within: 20%, of: gnu-a}  # CI machines are noisy: a band its whole interval fits
  - {id: musl-faster, benchmark: startup, variant: musl, faster_than: gnu-a}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bench")
    (root / "src").mkdir()
    (root / "src" / "hello.c").write_text(HELLO)
    (root / "src" / "spin.c").write_text(SPIN)
    (root / "livebench.yml").write_text(SPEC)
    return root


def run(project: Path, **kw) -> dict:
    plan = load_plan(project / "livebench.yml", root=project)
    measured = workflow.measure(plan, RunOptions(cache_dir=project / ".cache", **kw), warm=False)
    return workflow.judge(plan, measured.record, CheckOptions(memo_dir=project / ".cache"))


@pytest.fixture(scope="module")
def record(project) -> dict:
    rec = run(project)
    # a claim's failure is what its own test reports (with the interval it saw); nothing else may fail
    assert not [f for f in rec["failures"] if f.get("kind") != "claim"], rec["failures"]
    return rec


def test_samples_statistics_and_schema(record):
    TypeAdapter(Record).validate_python(record)  # the typed record, closed entries: no unknown key
    b = record["benchmarks"]["startup"]
    assert b["where"] == "host" and b["shell"] is False and b["data"] == {"files": 1, "bytes": 3893}
    for name, v in b["variants"].items():
        secs = sorted(s["seconds"] for s in v["samples"])
        assert v["runs"] == len(v["samples"]) >= 30
        assert v["min"] == secs[0] and v["max"] == secs[-1]
        assert v["ci95"][0] <= v["median"] <= v["ci95"][1]
        assert all(0 <= i < v["runs"] for i in v["outliers"])
        assert all(s["user"] >= 0 and s["system"] >= 0 for s in v["samples"]), name
    # the spin loop is real work: its CPU time shows in wait4's rusage, and it is the slowest
    spin = b["variants"]["spin"]
    assert sum(s["user"] for s in spin["samples"]) / spin["runs"] > 0.5 * spin["median"]
    assert spin["median"] > 3 * b["variants"]["musl"]["median"]
    m = b["measured"]
    assert m["machine"]["cpu_count"] == os.cpu_count() and len(m["load_before"]) == 3 and m["harness"] >= 1


def test_same_binary_twice_is_no_significant_difference(record):
    (c,) = record["benchmarks"]["same"]["comparisons"]
    assert (c["a"], c["b"]) == ("gnu-b", "gnu-a")
    assert c["verdict"] == "no significant difference", c
    assert c["ci95"][0] <= c["ratio"] <= c["ci95"][1]
    claim = next(x for x in record["claims"] if x["id"] == "same-within")
    assert claim["ok"] is True, claim


def test_static_musl_starts_faster_and_the_claim_says_why(record):
    c = next(c for c in record["benchmarks"]["startup"]["comparisons"] if c["a"] == "musl")
    assert c["verdict"] == "faster" and c["ci95"][1] < 1 and c["p_value"] < 0.05, c
    claim = next(x for x in record["claims"] if x["id"] == "musl-faster")
    assert claim["ok"] is True and "Mann–Whitney p" in claim["measured"] and "faster" in claim["measured"]
    # every pair is compared, not only with the reference: spin against musl is there too
    assert {(c["a"], c["b"]) for c in record["benchmarks"]["startup"]["comparisons"]} == \
        {("musl", "gnu-a"), ("spin", "gnu-a"), ("spin", "musl")}


def test_peak_memory_is_the_programs_not_pythons(record):
    # Through posix_spawn, ru_maxrss would be this Python's 50+ MB; a static hello needs well under 1 MB.
    b = record["benchmarks"]["startup"]
    musl = b["variants"]["musl"]["max_rss"]
    assert b["rss_floor"] is not None and b["rss_floor"] <= musl < 1_000_000, (b["rss_floor"], musl)
    assert b["variants"]["gnu-a"]["max_rss"] > musl  # the loader and glibc's pages


def test_sandbox_runs_the_static_build_in_the_base(record):
    b = record["benchmarks"]["in-scratch"]
    assert b["where"] == "sandbox:scratch"
    v = b["variants"]["musl"]
    assert v["command"] == "/livebench/musl" and v["runs"] >= 5 and b["comparisons"] == []


def test_results_are_cached_by_artifact_and_refresh_measures_again(project, record):
    again = run(project)
    assert all(b["cached"] for b in again["benchmarks"].values())
    assert again["benchmarks"]["same"]["variants"] == record["benchmarks"]["same"]["variants"]
    fresh = run(project, refresh=True)
    assert not any(b["cached"] for b in fresh["benchmarks"].values())
    assert fresh["benchmarks"]["same"]["variants"]["gnu-a"]["samples"] != \
        record["benchmarks"]["same"]["variants"]["gnu-a"]["samples"]


def test_page_table_chart_and_inline_values_in_both_languages(record):
    page = ("```livebench\nbenchmark: startup\n```\n\n```livebench\nchart: benchmark\nbenchmark: startup\n```\n\n"
            "musl is {lb:bench.startup.musl.speedup} faster ({lb:bench.startup.musl.verdict}); "
            "median {lb:bench.startup.musl.median}, raw {lb:bench.startup.musl.median|raw}.\n")
    for lang, word in (("en", "faster"), ("ko", "더 빠름")):
        html, problems = expand_markdown(page, record, lang=lang, page="p.md")
        assert not problems, problems
        assert 'class="lb-bench"' in html and 'data-lb-kind="benchmark"' in html
        assert word in html and str(record["benchmarks"]["startup"]["variants"]["musl"]["median"]) in html
    _, problems = expand_markdown("{lb:bench.startup.muls.median}\n", record, lang="en", page="p.md")
    assert "no variant 'muls'" in str(problems[0])


def test_drift_is_judged_by_the_test_not_a_percentage(project, record, tmp_path):
    plan = load_plan(project / "livebench.yml", root=project)
    path = tmp_path / "baseline.json"
    write_baseline(record, path)
    same = workflow.judge(plan, copy.deepcopy(record), CheckOptions(baseline=path, memo_dir=tmp_path))
    assert not [d for d in same["drift"] if d["metric"].startswith("benchmarks.")]
    # A baseline whose spin runs took half as long: now is significantly slower, so it drifted.
    base = json.loads(path.read_text())
    spin = base["benchmarks"]["startup"]["variants"]["spin"]
    spin["samples"] = [s / 2 for s in spin["samples"]]
    spin["median"] /= 2
    path.write_text(json.dumps(base))
    slower = workflow.judge(plan, copy.deepcopy(record), CheckOptions(baseline=path, memo_dir=tmp_path))
    (d,) = [d for d in slower["drift"] if d["metric"] == "benchmarks.startup.spin.median"]
    assert d["ok"] is False and "slower" in d["change"] and "Mann–Whitney" in d["tolerance"]
    # From another machine the timings are not compared at all.
    base["benchmarks"]["startup"]["machine"]["cpu_model"] = "another CPU"
    path.write_text(json.dumps(base))
    other = workflow.judge(plan, copy.deepcopy(record), CheckOptions(baseline=path, memo_dir=tmp_path))
    assert [d["ok"] for d in other["drift"] if d["metric"].startswith("benchmarks.startup")] == [True]


def test_harness_kills_on_timeout_and_reports_exit_codes(tmp_path):
    with pytest.raises(BenchError, match="timed out after 0.3 s"):
        run_once(["/bin/sleep", "5"], env={}, cwd=tmp_path, timeout=0.3)
    s = run_once(["/bin/false"], env={}, cwd=tmp_path, timeout=5)
    assert s.exit_code == 1 and s.seconds > 0
    s = run_once(["/bin/sh", "-c", "kill -TERM $$"], env={}, cwd=tmp_path, timeout=5)
    assert s.exit_code == -signal.SIGTERM


@pytest.mark.parametrize("entry, says", [
    ({"variants": ["muls"], "command": "{artifact}"}, "unknown build 'muls'. Did you mean 'musl'"),
    ({"variants": ["gnu-a"], "command": "{artefact}"}, "unknown placeholder {artefact}. Did you mean 'artifact'"),
    ({"variants": ["gnu-a"], "command": "/bin/true"}, "never names {artifact}"),
    ({"variants": ["gnu-a"], "command": "{artifact}", "where": {"base": "scrach"}}, "Did you mean 'scratch'"),
    ({"variants": ["gnu-a"], "command": "{artifact}", "min_runs": 1}, "at least 2"),
    ({"variants": ["gnu-a"], "command": "{artifact}", "warmpu": 3}, "Did you mean 'warmup'"),
    ({"variants": ["gnu-a", "gnu-b"], "command": "{artifact}", "compare_to": "gnu-c"}, "not one of the variants"),
    ({"variants": ["gnu-a"], "command": "{artifact!r}"}, "no conversion"),
    ({"variants": ["gnu-a"], "command": "{artifact} {data}/x"}, "has no `prepare:`"),
])
def test_bad_benchmarks_are_refused_before_anything_runs(project, tmp_path, entry, says):
    import yaml

    spec = yaml.safe_load(SPEC)
    spec["benchmarks"] = {"b": entry}
    spec["claims"] = []
    path = tmp_path / "livebench.yml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError) as err:
        load_plan(path, root=project)
    assert says in str(err.value) and "livebench.yml:" in str(err.value) and "benchmarks.b" in str(err.value)


def test_bad_benchmark_claims_name_the_variant(project, tmp_path):
    import yaml

    spec = yaml.safe_load(SPEC)
    spec["claims"] = [{"benchmark": "same", "variant": "gnu-b", "faster_than": "gnu-aa"}]
    path = tmp_path / "livebench.yml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError, match=r"claims\[0\]\.faster_than.*'gnu-aa' is not a variant.*Did you mean 'gnu-a'"):
        load_plan(path, root=project)


def test_the_verdict_does_not_depend_on_which_variant_is_the_reference():
    from livebench._util.stats import compare

    a = [1.0 + i * 0.001 for i in range(40)]
    b = [x * 1.06 for x in a]  # 6 % slower one way is 5.7 % faster the other: both beyond min_effect 5 %
    assert compare(b, a)["verdict"] == "slower" and compare(a, b)["verdict"] == "faster"
    same = compare(a, list(a))
    assert same["verdict"] == "no significant difference" and same["ratio"] == 1.0


def test_commands_that_need_a_shell_get_one():
    from livebench.run.bench.harness import needs_shell

    assert needs_shell("LC_ALL=C ./x") and needs_shell("./x\n./y") and needs_shell("./x | wc -l")
    assert not needs_shell("./x ::2 words.txt") and not needs_shell("./x --flag=value")


def test_the_caption_shows_a_command_a_reader_can_type(record):
    from livebench.render.bench import readable_command

    # two program names (hello, spin): one command line each, never the cache folder they sit in
    assert readable_command(record["benchmarks"]["startup"]) == "./hello data/lines.txt · ./spin data/lines.txt"
    assert readable_command(record["benchmarks"]["same"]) == "./hello"


def test_a_partial_run_skips_the_benchmarks_it_did_not_build(project, record):
    partial = run(project, only={"gnu-a"})
    assert partial["benchmarks"] == {} and not [f for f in partial["failures"] if "benchmarks." in f["what"]]
    no_images = run(project, images=False)
    assert "in-scratch" not in no_images["benchmarks"] and "same" in no_images["benchmarks"]
    assert not [f for f in no_images["failures"] if f["what"].startswith("benchmarks.")]
