"""The run's dependency graph (run/graph.py): order, slots, groups, skips, the critical path; and a real
run's timeline, where builds and bases overlap and benchmarks never overlap anything."""
from __future__ import annotations

import threading
import time

import pytest

from livebench.run.graph import FAILED, OK, SKIPPED, Graph, Node, critical_path


def _recorder():
    log: list[tuple[str, str, float]] = []
    lock = threading.Lock()

    def node(name: str, seconds: float = 0.05, result: str = OK):
        def run() -> str:
            with lock:
                log.append(("start", name, time.monotonic()))
            time.sleep(seconds)
            with lock:
                log.append(("end", name, time.monotonic()))
            return result
        return run
    return log, node


def test_a_node_never_starts_before_what_it_needs_has_ended():
    log, node = _recorder()
    g = Graph(jobs=4)
    g.add(Node("a", node("a", 0.1)))
    g.add(Node("b", node("b", 0.02)))
    g.add(Node("c", node("c"), needs=("a", "b")))
    g.add(Node("d", node("d"), needs=("c",), kind="io"))
    spans = {s.id: s for s in g.run()}
    for nid, needs in (("c", ("a", "b")), ("d", ("c",))):
        assert all(spans[n].end <= spans[nid].start for n in needs)
    assert spans["a"].start < spans["b"].end  # a and b needed nothing: they ran together
    when = {(e, n): t for e, n, t in log}
    assert when[("end", "a")] <= when[("start", "c")] and when[("end", "c")] <= when[("start", "d")]


def test_a_failure_skips_only_its_dependents():
    log, node = _recorder()
    told: dict[str, list[str]] = {}
    g = Graph(jobs=2)
    g.add(Node("setup", node("setup", result=FAILED)))
    g.add(Node("other", node("other", 0.1)))
    g.add(Node("build", node("build"), needs=("setup",), skip=lambda bad: told.setdefault("build", bad)))
    g.add(Node("image", node("image"), needs=("build",), kind="io", skip=lambda bad: told.setdefault("image", bad)))
    g.add(Node("image2", node("image2"), needs=("other",), kind="io"))
    status = {s.id: s.status for s in g.run()}
    assert status == {"setup": FAILED, "other": OK, "build": SKIPPED, "image": SKIPPED, "image2": OK}
    assert told == {"build": ["setup"], "image": ["build"]}  # each told what it waited for in vain
    assert {n for e, n, _ in log if e == "start"} == {"setup", "other", "image2"}


def test_cpu_slots_bound_builds_while_io_nodes_overlap_them():
    running = {"cpu": 0, "io": 0}
    peak = {"cpu": 0, "io": 0}
    lock = threading.Lock()

    def work(kind: str):
        def run() -> str:
            with lock:
                running[kind] += 1
                peak[kind] = max(peak[kind], running[kind])
            time.sleep(0.05)
            with lock:
                running[kind] -= 1
            return OK
        return run

    g = Graph(jobs=2, io_slots=3)
    for i in range(6):
        g.add(Node(f"build{i}", work("cpu")))
        g.add(Node(f"probe{i}", work("io"), kind="io"))
    g.run()
    assert peak == {"cpu": 2, "io": 3}


def test_nodes_of_one_group_never_overlap():
    g = Graph(jobs=1, io_slots=4)
    for name in ("debian", "busybox", "distroless"):
        g.add(Node(f"base:{name}", lambda: (time.sleep(0.03), OK)[1], kind="io", group="bases"))
    spans = sorted(g.run(), key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_the_graph_refuses_a_need_it_does_not_know_so_it_can_never_hold_a_cycle():
    g = Graph(jobs=1)
    with pytest.raises(ValueError, match="needs \\['later'\\]"):
        g.add(Node("first", lambda: OK, needs=("later",)))


def test_a_bug_in_a_node_is_raised_not_recorded_as_a_failure():
    g = Graph(jobs=1)
    g.add(Node("boom", lambda: 1 / 0))
    with pytest.raises(ZeroDivisionError):
        g.run()


def test_the_critical_path_is_the_longest_chain_of_needs():
    g = Graph(jobs=4)
    g.add(Node("musl-rust", lambda: (time.sleep(0.12), OK)[1]))
    g.add(Node("slice-gnu", lambda: (time.sleep(0.05), OK)[1]))
    g.add(Node("slice-musl", lambda: (time.sleep(0.05), OK)[1], needs=("musl-rust",)))
    g.add(Node("image", lambda: (time.sleep(0.01), OK)[1], needs=("slice-musl",), kind="io"))
    path, seconds = critical_path(g.run())
    assert path == ["musl-rust", "slice-musl", "image"]
    assert 0.17 <= seconds < 0.5


GRAPH_SPEC = """\
version: 1
tools:
  gcc: {version: gcc --version, package: gcc}
env: {PATH: "/usr/bin:/bin"}
setup:
  slow-toolchain:
    commands: ["sleep 3"]
builds:
  needs-toolchain:
    needs: [slow-toolchain]
    workdir: src
    tools: [gcc]
    commands: ['gcc -O2 -static -o "$LIVEBENCH_OUT/hello" hello.c']
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
  independent:
    workdir: src
    tools: [gcc]
    commands: ["sleep 1", 'gcc -O2 -o "$LIVEBENCH_OUT/hello" hello.c']
    artifact: ${LIVEBENCH_OUT}/hello
    inputs: [src/hello.c]
bases:
  busybox: {kind: debs, packages: [busybox-static]}
images:
  hello-busybox:
    base: busybox
    files: [{build: needs-toolchain, dest: /hello, mode: "0755"}]
probes:
  builds: [needs-toolchain]
  bases: [busybox]
  expect: {needs-toolchain: {busybox: runs}}
benchmarks:
  start:
    variants: [independent]
    command: "{artifact}"
    min_runs: 5
    min_time: 0.1
"""


def test_a_real_run_overlaps_what_is_independent_and_times_benchmarks_alone(tmp_path):
    from livebench import workflow
    from livebench.run import RunOptions
    from livebench.spec import load_plan

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.c").write_text('#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n')
    (tmp_path / "livebench.yml").write_text(GRAPH_SPEC)
    plan = load_plan(tmp_path / "livebench.yml", root=tmp_path)
    options = RunOptions(cache_dir=tmp_path / ".cache", jobs=2, backend="embedded")
    first = workflow.measure(plan, options, warm=False).record
    assert not first["failures"], first["failures"]
    tl = first["timeline"]
    span = {n["id"]: n for n in tl["nodes"]}
    setup, base = span["setup:slow-toolchain"], span["base:busybox"]
    assert span["build:independent"]["start"] < setup["end"]  # a build that needs no setup does not wait for it
    assert base["start"] < setup["end"]  # nor does the base
    assert span["build:needs-toolchain"]["start"] >= setup["end"]
    probe = span["probe:needs-toolchain@busybox"]
    assert probe["start"] >= max(span["build:needs-toolchain"]["end"], base["end"])
    bench = span["benchmarks"]
    assert bench["start"] >= max(n["end"] for n in tl["nodes"] if n["id"] != "benchmarks")  # alone, last
    assert tl["cold"] and first["timeline_cold"] == tl
    path = tl["critical_path"]  # a chain of needs, ending with the benchmarks, as long as any chain
    assert path[-1] == "benchmarks" and all(a in span[b]["needs"] for a, b in zip(path, path[1:]))
    dur = lambda *ids: sum(span[i]["end"] - span[i]["start"] for i in ids)
    assert tl["critical_seconds"] >= dur("setup:slow-toolchain", "build:needs-toolchain", "benchmarks") - 0.01
    assert tl["lower_bound"] <= tl["wall"] + 0.5

    again = workflow.measure(plan, options, warm=False).record  # everything reused from the cache
    assert not again["timeline"]["cold"] and all(n["cached"] for n in again["timeline"]["nodes"])
    assert again["timeline_cold"] == tl  # the page can still show how the cold run went

    # chart: timeline draws the cold run, and says whose it is: this build's, or one kept from before
    from livebench.render.charts import render_chart
    from test_charts import parse

    for record, lang, says in ((first, "en", "measured by this build's run"), (again, "en", "the last cold run, of"),
                               (again, "ko", "마지막 콜드 실행")):
        fig = parse(render_chart({"chart": "timeline"}, record, lang, "")).figures[0]
        assert says in fig["layout"]["title"]["text"]
        bars = {y: (b, x) for t in fig["data"] for y, b, x in zip(t["y"], t["base"], t["x"])}
        node = span["build:independent"]
        assert bars["build independent"] == (node["start"], round(node["end"] - node["start"], 3))
        assert any(y.startswith(("probes (", "프로브 (")) for y in bars)  # the cells, folded into one row


def test_the_phased_schedule_runs_phase_after_phase_as_the_runner_before_the_graph():
    g = Graph(jobs=2, phased=True)
    sleep = lambda: (time.sleep(0.02), OK)[1]
    g.add(Node("setup:toolchain", sleep))
    g.add(Node("setup:other", sleep))
    g.add(Node("build:gnu", sleep))  # needs nothing, yet waits for every setup step
    g.add(Node("build:musl", sleep, needs=("setup:toolchain",)))
    g.add(Node("base:debian", sleep, kind="io"))
    g.add(Node("image:x", sleep, kind="io", needs=("build:gnu", "base:debian")))
    spans = {s.id: s for s in g.run()}
    assert spans["setup:toolchain"].end <= spans["setup:other"].start  # setup steps one at a time
    assert max(spans[s].end for s in ("setup:toolchain", "setup:other")) <= spans["build:gnu"].start
    assert max(spans[b].end for b in ("build:gnu", "build:musl")) <= spans["base:debian"].start
    assert spans["build:gnu"].needs == ()  # the barrier orders; it is no need, so the timeline keeps the real ones


def test_progress_names_what_is_done_ready_and_waiting_on_what() -> None:
    gate = threading.Event()
    g = Graph(jobs=1)
    g.add(Node("setup:toolchain", lambda: (gate.wait(5), OK)[1]))
    g.add(Node("build:c", lambda: OK))
    g.add(Node("build:musl", lambda: OK, needs=("setup:toolchain",)))
    g.add(Node("image:x", lambda: OK, needs=("build:musl",), kind="io"))
    runner = threading.Thread(target=g.run)
    runner.start()
    try:
        for _ in range(200):
            if g.pending and "build:c" in g.pending and len(g.pending) == 3:
                break
            time.sleep(0.01)
        line = g.progress()
    finally:
        gate.set()
        runner.join(5)
    # one cpu slot, held by the toolchain: build:c is ready but has no slot; the rest wait on needs
    assert line == ("0 of 4 done; 1 ready, waiting for a free slot; waiting: build:musl (needs setup:toolchain), "
                    "image:x (needs build:musl)"), line
    assert g.progress() == "4 of 4 done"
