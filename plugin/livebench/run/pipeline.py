"""② One run of a Plan: tools, then one dependency graph of setup steps, builds, bases, images and
probes (each starts when what it needs is done), then benchmarks alone, then measurements.

Returns a RunResult, never a record: ``record.assemble`` turns it into the one JSON document and
``verify`` judges it. A run holds the cache lock from start to end, so two runs sharing a cache
wait for each other instead of corrupting it.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

from .._util.clock import utc_now
from ..errors import LivebenchError
from ..spec.model import Plan
from . import measurements
from .context import RunOptions, RunResult, StageContext
from .graph import FAILED, OK, Graph, Node, Span
from .images.model import BaseResult
from .steps import Steps
from .timeline import cold_timeline, timeline


def run(plan: Plan, options: RunOptions) -> RunResult:
    ctx = StageContext(plan, options)
    lock = ctx.cache.acquire()
    try:
        with ctx.heartbeat():
            ctx.result.started = utc_now()
            cpu_before = os.times()
            steps = Steps(ctx)
            ctx.result.tools = steps.tools()
            graph = ctx.graph = Graph(ctx.jobs, phased=options.schedule == "phased")
            steps.add_nodes(graph, steps.selected_builds())
            bases: dict[str, BaseResult] = {}
            wants_images = options.images and (plan.images or plan.probes or plan.used_bases())
            finish = _add_image_nodes(ctx, graph, bases) if wants_images else None
            spans = graph.run()
            ctx.graph = None  # the benchmarks after it are not nodes: the heartbeat names them alone
            if finish is not None:
                finish()
            _in_spec_order(ctx)
            if plan.benchmarks:  # last and alone: nothing else of the run competes with the timed programs
                from .bench.stage import run_benchmarks

                start = graph.elapsed()
                run_benchmarks(ctx, bases)
                spans.append(Span("benchmarks", "cpu", tuple(s.id for s in spans), start, graph.elapsed(),
                                  OK, all(e.get("cached") for e in ctx.result.benchmarks.values())))
            if plan.measurements:  # results of slow benchmarks, read from their files
                try:
                    ctx.result.measurements = measurements.load(plan)
                except LivebenchError as exc:
                    ctx.result.failures.append({"what": "measurements", "message": str(exc)})
            ctx.result.timeline = timeline(spans, jobs=ctx.jobs, started=ctx.result.started,
                                           cpu_before=cpu_before, cpu_after=os.times())
            ctx.result.timeline_cold = cold_timeline(ctx.cache.root, ctx.result.timeline)
            ctx.cache.clear_staging()
    finally:
        lock.release()
    return ctx.result


def _add_image_nodes(ctx: StageContext, graph: Graph, bases: dict[str, BaseResult]) -> Callable[[], None] | None:
    """Bases, images and probe cells as nodes; returns what runs once they are all done."""
    # Deferred on purpose: the docker SDK and its requests stack cost ~0.2 s, and a run without
    # images (or a warm build, which never gets here) needs none of it.
    from .images.assemble import select_backend
    from .images.engine import engine_info
    from .images.stage import build_one_base, build_one_image, capture_listing
    from .probes.stage import ProbeBatch

    try:
        backend = select_backend(ctx.options.backend)
    except LivebenchError as exc:
        ctx.fail("images", str(exc))
        return None
    ctx.result.backend = backend
    ctx.result.engine = engine_info() if backend == "docker" else None
    plan = ctx.plan

    def base(name: str) -> str:
        return OK if build_one_base(ctx, name, bases) else FAILED

    for name in plan.used_bases():  # one at a time: debootstrap and apt downloads share a cache
        graph.add(Node(f"base:{name}", partial(base, name), kind="io", group="bases",
                       cached=lambda name=name: bool(ctx.result.bases.get(name, {}).get("cached"))))

    def needs(build_names: list[str], base_name: str | None) -> tuple[str, ...]:
        ids = [f"build:{b}" for b in build_names] + ([f"base:{base_name}"] if base_name else [])
        return tuple(i for i in dict.fromkeys(ids) if i in graph.nodes)  # --only leaves some builds out

    for name, image in plan.images.items():
        one = partial(build_one_image, ctx, name, bases, backend)
        graph.add(Node(f"image:{name}", one, kind="io",
                       needs=needs([f.build for f in image.files], None if image.dockerfile else image.base),
                       skip=lambda _bad, one=one: one(),  # it says which need failed, as when run
                       cached=lambda name=name: bool(ctx.result.images.get(name, {}).get("cached"))))
    batch = ProbeBatch(ctx, bases, backend)
    for build, base_name in batch.cells():
        cell = partial(batch.run_cell, build, base_name)
        graph.add(Node(f"probe:{build}@{base_name}", cell, kind="io", needs=needs([build], base_name),
                       skip=lambda _bad, cell=cell: cell(),
                       cached=lambda b=build, n=base_name: bool(batch.results.get((b, n), {}).get("cached"))))

    def finish() -> None:
        batch.finish()
        if backend == "docker":
            from .images import engine

            capture_listing(ctx)
            engine.prune_dangling(engine.client())  # images a rebuild of the same tag left behind

    return finish


def _in_spec_order(ctx: StageContext) -> None:
    """Sections in the spec's order, whatever order the graph finished them in (pages list them so)."""
    r, plan = ctx.result, ctx.plan
    r.setup = {n: r.setup[n] for n in plan.setup if n in r.setup}
    r.builds = {n: r.builds[n] for n in plan.builds if n in r.builds}
    r.bases = {n: r.bases[n] for n in plan.bases if n in r.bases}
    r.images = {n: r.images[n] for n in plan.images if n in r.images}
