"""One run as a dependency graph: every node starts as soon as what it needs is done.

Setup steps and builds are CPU-bound and share the run's ``jobs`` slots; bases, images and probes
mostly wait on downloads, unpacking and the engine, so they run in slots of their own beside them.
Nodes of one ``group`` run one at a time (bases share apt's download cache). A node whose need did not
succeed is not run: its ``skip`` says so, and only its own dependents are skipped with it; everything
else goes on. Each node's start and end are kept, for the record's timeline.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
IO_SLOTS = 4


@dataclass
class Node:
    id: str
    run: Callable[[], str]  # returns OK, FAILED or SKIPPED (it found a reason of its own not to run)
    needs: tuple[str, ...] = ()
    kind: str = "cpu"  # "cpu" (a build) or "io" (a base, an image, a probe)
    group: str | None = None  # nodes of a group never overlap
    skip: Callable[[list[str]], None] | None = None  # told which needs did not succeed
    cached: Callable[[], bool] | None = None  # asked after it ran: was its result reused from the cache?


@dataclass
class Span:
    id: str
    kind: str
    needs: tuple[str, ...]
    start: float  # seconds since the graph started
    end: float
    status: str
    cached: bool = False


class Graph:
    def __init__(self, jobs: int, io_slots: int = IO_SLOTS, *, phased: bool = False) -> None:
        self.slots = {"cpu": max(1, jobs), "io": max(1, io_slots if not phased else jobs)}
        self.nodes: dict[str, Node] = {}
        # phased: the schedule of the runner before this graph (setup steps one by one, then the builds,
        # then bases and images one by one, then the probes), kept as the benchmark's baseline.
        self.phased = phased
        self.t0 = time.monotonic()
        # what `progress()` reads from another thread (the heartbeat) while `run` goes on
        self.status: dict[str, str] = {}
        self.pending: list[str] = []

    def elapsed(self) -> float:
        """Seconds since the graph started running (the timeline's clock)."""
        return time.monotonic() - self.t0

    def add(self, node: Node) -> None:
        if node.id in self.nodes:
            raise ValueError(f"graph: node {node.id!r} added twice")
        unknown = [n for n in node.needs if n not in self.nodes]
        if unknown:  # needs are added first, so the graph can never have a cycle
            raise ValueError(f"graph: {node.id!r} needs {unknown}, which are not in the graph yet")
        self.nodes[node.id] = node

    def progress(self) -> str:
        """The graph's state in one line: done, waiting for a free slot, waiting on what they need."""
        try:
            status, pending = dict(self.status), list(self.pending)
        except RuntimeError:  # changed while copied: the next heartbeat says it
            return ""
        bad = sum(s != OK for s in status.values())
        blocked = {nid: [n for n in self.nodes[nid].needs if n not in status] for nid in pending}
        waiting = [f"{nid} (needs {', '.join(needs)})" for nid, needs in blocked.items() if needs]
        ready = len(pending) - len(waiting)
        line = f"{len(status)} of {len(self.nodes)} done" + (f" ({bad} failed or skipped)" if bad else "")
        if ready:
            line += f"; {ready} ready, waiting for a free slot"
        if waiting:
            line += f"; waiting: {', '.join(waiting[:3])}" + (f" and {len(waiting) - 3} more" if len(waiting) > 3 else "")
        return line

    def run(self) -> list[Span]:
        t0 = self.t0 = time.monotonic()
        status: dict[str, str] = {}
        spans: dict[str, Span] = {}
        pending = list(self.nodes)  # insertion order: the spec's order among nodes ready together
        self.status, self.pending = status, pending
        phase = {nid: nid.split(":", 1)[0] for nid in self.nodes}
        order = list(dict.fromkeys(phase.values()))
        running: dict[Future[str], tuple[Node, float, str | None]] = {}
        busy = {"cpu": 0, "io": 0}
        groups: set[str] = set()
        with ThreadPoolExecutor(max_workers=sum(self.slots.values()), thread_name_prefix="livebench") as pool:
            while pending or running:
                for nid in list(pending):
                    node = self.nodes[nid]
                    if any(n not in status for n in node.needs):
                        continue
                    bad = [n for n in node.needs if status[n] != OK]
                    if bad:
                        pending.remove(nid)
                        now = time.monotonic() - t0
                        if node.skip is not None:
                            node.skip(bad)
                        status[nid] = SKIPPED
                        spans[nid] = Span(nid, node.kind, node.needs, now, now, SKIPPED)
                        continue
                    group = phase[nid] if self.phased and phase[nid] in ("setup", "base", "image") else node.group
                    if self.phased:
                        earlier = set(order[:order.index(phase[nid])])
                        unfinished = [p for p in pending if p != nid] + [n.id for n, _, _ in running.values()]
                        if any(phase[p] in earlier for p in unfinished):
                            continue  # an earlier phase is not done
                    if busy[node.kind] >= self.slots[node.kind] or (group and group in groups):
                        continue
                    pending.remove(nid)
                    busy[node.kind] += 1
                    if group:
                        groups.add(group)
                    running[pool.submit(node.run)] = (node, time.monotonic() - t0, group)
                if not running:
                    continue  # what was pending got skipped: look again
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    node, start, group = running.pop(fut)
                    busy[node.kind] -= 1
                    groups.discard(group or "")
                    result = fut.result()  # a bug in a stage is raised, after the running nodes end
                    status[node.id] = result if result in (OK, FAILED, SKIPPED) else FAILED
                    cached = bool(node.cached and status[node.id] == OK and node.cached())
                    spans[node.id] = Span(node.id, node.kind, node.needs, start, time.monotonic() - t0,
                                          status[node.id], cached)
        return [spans[n] for n in self.nodes]


def critical_path(spans: list[Span]) -> tuple[list[str], float]:
    """The chain of needs whose durations add up the most: no schedule ends sooner than its sum."""
    by_id = {s.id: s for s in spans}
    best: dict[str, tuple[float, list[str]]] = {}
    for s in spans:  # in insertion order: every need comes before what needs it
        before = max((best[n] for n in s.needs if n in best), key=lambda b: b[0], default=(0.0, []))
        best[s.id] = (before[0] + (s.end - s.start), [*before[1], s.id])
    if not best:
        return [], 0.0
    total, path = max(best.values(), key=lambda b: b[0])
    return [p for p in path if p in by_id], round(total, 3)
