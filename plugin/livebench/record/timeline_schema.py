"""The record's ``timeline`` and ``timeline_cold`` sections, as types (``run.timeline`` writes them); the
same rules as ``record.schema``: JSON keys as spelled, closed entries, no string annotations."""
from typing import Any, Literal

try:
    # pydantic accepts only typing_extensions' TypedDict before 3.12 (see record.schema)
    from typing_extensions import TypedDict
except ImportError:  # pragma: no cover - Python 3.11+ without typing_extensions (no pydantic either)
    from typing import TypedDict

__all__ = ["Timeline", "TimelineNode"]

_CLOSED: dict[str, Any] = {"extra": "forbid"}


class TimelineNode(TypedDict):
    """One node of the run's dependency graph and when it ran."""

    id: str  # "setup:NAME", "build:NAME", "base:NAME", "image:NAME", "probe:BUILD@BASE" or "benchmarks"
    kind: Literal["cpu", "io"]  # cpu: shares the run's `jobs` slots; io: runs in slots of its own beside them
    needs: list[str]  # the ids it waited for
    start: float  # seconds since the graph started
    end: float
    status: Literal["ok", "failed", "skipped"]  # skipped: a need did not succeed, so it never ran
    cached: bool  # its result was reused from the cache

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class Timeline(TypedDict):
    """When each node of a run ran (run/timeline.py), and how close to the best possible the run came."""

    started: str  # ISO date (UTC) of the run
    jobs: int  # the run's CPU slots
    wall: float  # seconds from the graph's start to the last node's end
    cpu_seconds: float  # user + system time of livebench and every command it ran
    critical_path: list[str]  # node ids of the longest chain of needs, by duration
    critical_seconds: float  # that chain's duration
    lower_bound: float  # max(critical_seconds, cpu_seconds / jobs): no schedule ends sooner
    cold: bool  # every node ran: nothing was reused, nothing failed
    nodes: list[TimelineNode]

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
