"""The probe stage: every listed build in every listed base, with no network, cached by content.

A binary that fails to start is a result, recorded as measured; whether that was expected is for
``verify.expect`` to say.
"""
from __future__ import annotations

import shlex
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ...errors import LivebenchError
from ..cache import make_key
from ..context import StageContext
from ..images.model import BaseResult
from . import run_probe


def run_probes(ctx: StageContext, bases: dict[str, BaseResult], backend: str) -> None:
    matrix = ctx.plan.probes
    if not matrix:
        return
    how = "docker" if backend == "docker" else "sandbox"
    args = list(matrix.args)
    cells = [(b, base) for b in matrix.builds for base in matrix.bases]
    used: set[str] = set()

    def one(cell: tuple[str, str]) -> tuple[str, str, dict[str, Any] | str]:
        build, base_name = cell
        src = ctx.artifact(build)
        if src is None:
            return build, base_name, f"skipped because build '{build}' failed (reported above)"
        if base_name not in bases:
            return build, base_name, f"skipped because base '{base_name}' failed (reported above)"
        key = make_key({"probe": [build, base_name], "binary": ctx.result.builds[build]["artifact"]["sha256"],
                        "base": bases[base_name].diff_id, "how": how, "args": args})
        hit = None if ctx.options.refresh else ctx.cache.get("probes", key)
        if hit:
            hit.pop("_dir", None)
            hit.setdefault("shown", shlex.join(["/" + src.name, *args]))  # entries cached before `shown`
            return build, base_name, {**hit, "cached": True}
        try:
            r = run_probe(src, bases[base_name], how, args, timeout=matrix.timeout,
                          cache_dir=ctx.options.cache_dir / "probes")
        except LivebenchError as exc:
            return build, base_name, str(exc)
        data = {"exit_code": r.exit_code, "output": r.output, "command": r.command, "seconds": r.seconds,
                "how": r.how, "via": r.via, "timed_out": r.timed_out,
                "shown": shlex.join(["/" + src.name, *args])}  # what a reader types in that base
        if r.image:
            used.add(r.image)
        if not r.timed_out:  # a timeout says more about the machine than the binary: don't keep it
            ctx.cache.commit("probes", key, ctx.cache.staging(), data)
        return build, base_name, {**data, "cached": False}

    ctx.event("start", "probes", f"{len(cells)} cells, {how}")
    with ThreadPoolExecutor(max_workers=max(1, ctx.options.jobs or 2)) as pool:
        results = list(pool.map(one, cells))
    if used:  # the results are cached: the throwaway images would only pile up in the user's engine
        from ..images import engine  # deferred on purpose: sandbox runs never load docker-py

        engine.remove(engine.client(), sorted(used))
    for build, base_name, result in results:
        if isinstance(result, str):
            ctx.fail(f"probes.expect.{build}.{base_name}", result, event_name="probes")
            continue
        ctx.result.probes.setdefault(build, {})[base_name] = result
    ctx.event("done", "probes")
