"""What every stage of a run is handed: the plan, the options, the cache, the result being filled.

Stages take a StageContext instead of the runner itself (which made ``runner`` and the image stage
import each other); they report through ``event`` and ``fail`` and read each other's output only
through ``result`` and ``artifact``.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._util.files import rel_to
from .._util.log import logger
from ..spec.model import Plan
from .cache import Cache

HEARTBEAT_SECONDS = 20.0
Progress = Callable[[str, str, str], None]  # (event, name, detail)


@dataclass
class RunOptions:
    cache_dir: Path
    jobs: int = 0  # 0: one per CPU
    refresh: bool = False
    backend: str = "auto"
    only: set[str] | None = None  # restrict to these builds (and what they need)
    images: bool = True  # build bases/images/probes declared in the spec
    progress: Progress | None = None
    schedule: str = "graph"  # "phased": the runner's schedule before the graph (the cold benchmark's baseline)


@dataclass
class RunResult:
    """Everything one run measured, section by section (``record.assemble`` makes the record of it)."""

    started: str = ""  # ISO date (UTC) the run started
    tools: dict[str, str] = field(default_factory=dict)  # tool → version output
    backend: str | None = None  # the image backend used ("docker" | "embedded"); None: no image stage
    engine: dict[str, Any] | None = None  # the engine's version and store, when it measured
    setup: dict[str, dict[str, Any]] = field(default_factory=dict)
    builds: dict[str, dict[str, Any]] = field(default_factory=dict)
    bases: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    probes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    measurements: dict[str, dict[str, Any]] | None = None
    benchmarks: dict[str, dict[str, Any]] = field(default_factory=dict)
    docker_images: dict[str, Any] | None = None  # the engine's `docker images` of the declared images (a transcript entry)
    failures: list[dict[str, Any]] = field(default_factory=list)
    timeline: dict[str, Any] | None = None  # when each node of the run's graph ran (run/timeline.py)
    timeline_cold: dict[str, Any] | None = None  # the last run's timeline in which every node ran


class StageContext:
    def __init__(self, plan: Plan, options: RunOptions) -> None:
        self.plan = plan
        self.options = options
        self.cache = Cache(options.cache_dir)
        self.result = RunResult()
        self._running: dict[str, float] = {}
        self._lock = threading.Lock()
        self.graph: Any = None  # the run's Graph while it runs: the heartbeat shows its state

    # -- reporting ---------------------------------------------------------------------------
    def fail(self, what: str, message: str, *, event_name: str | None = None, cause: str | None = None) -> str:
        """Record one failure, named by its spec key path and line; returns the full message.

        ``cause``: the key path of the failure this one follows from (reported under it, see
        record/failures.py)."""
        full = f"{self.plan.where(what)}: {what}: {message}"
        with self._lock:
            self.result.failures.append({"what": what, "message": full, **({"cause": cause} if cause else {})})
        self.event("failed", event_name or what, message.splitlines()[0][:200] if message else "")
        return full

    def event(self, event: str, name: str, detail: str = "") -> None:
        with self._lock:
            if event == "start":
                self._running[name] = time.monotonic()
            elif event in ("done", "failed", "cached"):
                self._running.pop(name, None)
        if self.options.progress:
            self.options.progress(event, name, detail)
        msg = {"start": "running %s%s", "done": "finished %s%s", "failed": "FAILED %s%s",
               "cached": "cached %s%s"}.get(event, event + " %s%s")
        level = logging.WARNING if event == "failed" else logging.INFO
        if event != "cached" or self.options.progress is None:
            logger().log(level, msg, name, f" ({detail})" if detail else "")

    @contextlib.contextmanager
    def heartbeat(self) -> Iterator[None]:
        """Long cargo builds print nothing to MkDocs' log for minutes: say what is still running."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(HEARTBEAT_SECONDS):
                with self._lock:
                    now = time.monotonic()
                    items = [f"{n} ({now - t:.0f} s)" for n, t in sorted(self._running.items())]
                if items:
                    state = self.graph.progress() if self.graph is not None else ""
                    logger().info("still running: %s%s", ", ".join(items), f" — {state}" if state else "")

        thread = threading.Thread(target=beat, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()

    # -- paths -------------------------------------------------------------------------------
    def abs(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.plan.root / p

    def rel(self, path: Path) -> str:
        shown = rel_to(path, self.plan.root)
        return shown if not Path(shown).is_absolute() else str(Path(path).resolve())

    def artifact(self, build: str) -> Path | None:
        """The artifact of a build that succeeded in this run, or None."""
        b = self.result.builds.get(build)
        if not b or not b.get("ok"):
            return None
        return self.abs(b["artifact"]["path"])

    @property
    def jobs(self) -> int:
        return self.options.jobs or os.cpu_count() or 1
