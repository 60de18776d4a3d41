"""② One run of a Plan: tools → setup → builds → bases → images → probes → benchmarks → measurements.

Returns a RunResult, never a record: ``record.assemble`` turns it into the one JSON document and
``verify`` judges it. A run holds the cache lock from start to end, so two runs sharing a cache
wait for each other instead of corrupting it.
"""
from __future__ import annotations

from .._util.clock import utc_now
from ..errors import LivebenchError
from ..spec.model import Plan
from . import measurements
from .context import RunOptions, RunResult, StageContext
from .images.model import BaseResult
from .steps import Steps


def run(plan: Plan, options: RunOptions) -> RunResult:
    ctx = StageContext(plan, options)
    lock = ctx.cache.acquire()
    try:
        with ctx.heartbeat():
            ctx.result.started = utc_now()
            steps = Steps(ctx)
            ctx.result.tools = steps.tools()
            builds = steps.selected_builds()
            steps.setup(builds)
            steps.builds(builds)
            bases = _image_stages(ctx) if options.images and (plan.images or plan.probes or plan.used_bases()) else {}
            if plan.benchmarks:  # last and alone: nothing else of the run competes with the timed programs
                from .bench.stage import run_benchmarks

                run_benchmarks(ctx, bases)
            if plan.measurements:  # results of slow benchmarks, read from their files
                try:
                    ctx.result.measurements = measurements.load(plan)
                except LivebenchError as exc:
                    ctx.result.failures.append({"what": "measurements", "message": str(exc)})
            ctx.cache.clear_staging()
    finally:
        lock.release()
    return ctx.result


def _image_stages(ctx: StageContext) -> dict[str, BaseResult]:
    # Deferred on purpose: the docker SDK and its requests stack cost ~0.2 s, and a run without
    # images (or a warm build, which never gets here) needs none of it.
    from .images.assemble import select_backend
    from .images.engine import engine_info
    from .images.stage import capture_listing, run_bases, run_images
    from .probes.stage import run_probes

    try:
        backend = select_backend(ctx.options.backend)
    except LivebenchError as exc:
        ctx.fail("images", str(exc))
        return {}
    ctx.result.backend = backend
    ctx.result.engine = engine_info() if backend == "docker" else None
    bases = run_bases(ctx)
    run_images(ctx, bases, backend)
    if backend == "docker":
        capture_listing(ctx)
    run_probes(ctx, bases, backend)
    if backend == "docker":
        from .images import engine

        engine.prune_dangling(engine.client())  # images a rebuild of the same tag left behind
    return bases
