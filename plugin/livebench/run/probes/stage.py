"""The probe stage: every listed build in every listed base, with no network, cached by content; each
cell a node of the run's graph, started as soon as its build and its base are there.

A binary that fails to start is a result, recorded as measured; whether that was expected is for
``verify.expect`` to say.
"""
from __future__ import annotations

import shlex
import threading
from typing import Any

from ...errors import LivebenchError
from ..cache import make_key
from ..context import StageContext
from ..images.model import BaseResult
from . import run_probe
from .emulate import emulator_for


class ProbeBatch:
    """The probe matrix as cells of the run's graph (one per build and base), and what follows them."""

    def __init__(self, ctx: StageContext, bases: dict[str, BaseResult], backend: str) -> None:
        self.ctx = ctx
        self.bases = bases
        self.how = "docker" if backend == "docker" else "sandbox"
        self.args = list(ctx.plan.probes.args) if ctx.plan.probes else []
        self.used: set[str] = set()  # throwaway probe images, removed when all cells are done
        self.results: dict[tuple[str, str], dict[str, Any]] = {}
        self.started = False
        self.lock = threading.Lock()

    def cells(self) -> list[tuple[str, str]]:
        matrix = self.ctx.plan.probes
        return [(b, base) for b in matrix.builds for base in matrix.bases] if matrix else []

    def run_cell(self, build: str, base_name: str) -> str:
        with self.lock:
            if not self.started:
                self.started = True
                self.ctx.event("start", "probes", f"{len(self.cells())} cells, {self.how}")
        outcome = self._one(build, base_name)
        if isinstance(outcome, str):
            cause = self._cause(build, base_name)
            self.ctx.fail(f"probes.expect.{build}.{base_name}", outcome, event_name="probes", cause=cause)
            return "skipped" if cause else "failed"
        self.results[(build, base_name)] = outcome
        return "ok"

    def _cause(self, build: str, base_name: str) -> str | None:
        """The failure a cell that did not run follows from."""
        if self.ctx.artifact(build) is None:
            return f"builds.{build}"
        return None if base_name in self.bases else f"bases.{base_name}"

    def _one(self, build: str, base_name: str) -> dict[str, Any] | str:
        ctx, matrix = self.ctx, self.ctx.plan.probes
        assert matrix is not None
        src = ctx.artifact(build)
        if src is None:
            return f"skipped because build '{build}' failed (reported above)"
        if base_name not in self.bases:
            return f"skipped because base '{base_name}' failed (reported above)"
        try:
            emulator = emulator_for((ctx.result.builds[build].get("linkage") or {}).get("machine"), build)
        except LivebenchError as exc:
            return str(exc)
        key = make_key({"probe": [build, base_name], "binary": ctx.result.builds[build]["artifact"]["sha256"],
                        "base": self.bases[base_name].diff_id, "how": self.how, "args": self.args,
                        **({"emulator": emulator.label()} if emulator else {})})
        hit = None if ctx.options.refresh else ctx.cache.get("probes", key)
        if hit:
            hit.pop("_dir", None)
            hit.setdefault("shown", shlex.join(["/" + src.name, *self.args]))  # entries cached before `shown`
            return {**hit, "cached": True}
        try:
            r = run_probe(src, self.bases[base_name], self.how, self.args, timeout=matrix.timeout,
                          cache_dir=ctx.options.cache_dir / "probes", emulator=emulator)
        except LivebenchError as exc:
            return str(exc)
        data = {"exit_code": r.exit_code, "output": r.output, "command": r.command, "seconds": r.seconds,
                "how": r.how, "via": r.via, "timed_out": r.timed_out,
                "shown": shlex.join(["/" + src.name, *self.args]),  # what a reader types in that base
                **({"emulated": r.emulated} if r.emulated else {})}
        if r.image:
            with self.lock:
                self.used.add(r.image)
        if not r.timed_out:  # a timeout says more about the machine than the binary: don't keep it
            ctx.cache.commit("probes", key, ctx.cache.staging(), data)
        return {**data, "cached": False}

    def finish(self) -> None:
        """Results in the matrix's order; the throwaway images out of the user's engine."""
        if self.used:  # the results are cached: the images would only pile up
            from ..images import engine  # deferred on purpose: sandbox runs never load docker-py

            engine.remove(engine.client(), sorted(self.used))
        for build, base_name in self.cells():
            if (build, base_name) in self.results:
                self.ctx.result.probes.setdefault(build, {})[base_name] = self.results[(build, base_name)]
        if self.started:
            self.ctx.event("done", "probes")
