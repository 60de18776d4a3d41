"""The record's ``benchmarks`` section, as types (``run.bench.stage`` writes it); the same rules as
``record.schema``: JSON keys as spelled, closed entries, no string annotations."""
from typing import Any, Literal

try:
    # pydantic accepts only typing_extensions' TypedDict before 3.12 (see record.schema)
    from typing_extensions import TypedDict
except ImportError:  # pragma: no cover - Python 3.11+ without typing_extensions (no pydantic either)
    from typing import TypedDict

__all__ = ["BenchSample", "BenchVariant", "BenchComparison", "BenchData", "BenchMeasured", "BenchmarkEntry"]

_CLOSED: dict[str, Any] = {"extra": "forbid"}


class BenchSample(TypedDict):
    """One timed run of one variant."""

    seconds: float  # wall time: a monotonic clock around spawn … wait4
    user: float  # CPU seconds in user mode (wait4's rusage of this child)
    system: float  # CPU seconds in the kernel

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class BenchVariant(TypedDict):
    """One variant of a benchmark: its samples and their statistics (seconds)."""

    artifact: str  # the build's file that was timed
    sha256: str
    command: str  # the command with the variant's paths put in, as it ran (inside the sandbox: its paths there)
    runs: int
    samples: list[BenchSample]  # in the order they were taken (interleaved with the other variants)
    median: float
    mean: float
    stddev: float
    mad: float  # median absolute deviation (unscaled)
    min: float
    max: float
    iqr: float
    ci95: list[float]  # [low, high]: 95 % bootstrap interval of the median
    outliers: list[int]  # indexes into samples whose modified z-score exceeds 3.5
    max_rss: int | None  # peak resident set over 3 runs through the launcher, bytes; null without a C compiler

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class BenchComparison(TypedDict):
    """Variant ``a`` against ``b`` (the reference variant)."""

    a: str
    b: str
    ratio: float  # median(a) / median(b): below 1, a is faster
    ci95: list[float]  # 95 % bootstrap interval of that ratio
    p_value: float  # Mann–Whitney U, two-sided
    verdict: Literal["faster", "slower", "no significant difference"]

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class BenchData(TypedDict):
    """What `prepare:` wrote (cached; part of the result's cache key by content)."""

    files: int
    bytes: int

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class BenchMeasured(TypedDict):
    """Where and when the samples were taken, and how busy the machine was."""

    date: str  # ISO date (UTC) the measurement started
    seconds: float  # how long it took, warm-up included
    machine: dict[str, Any]  # cpu_model, cpu_count, arch, kernel, governor, frequency_mhz
    load_before: list[float]  # load averages (1, 5, 15 min) before the first run
    load_after: list[float]
    harness: int  # the harness version: results of different versions are not compared

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class BenchmarkEntry(TypedDict):
    """One benchmark of the spec's ``benchmarks:`` (``run.bench.stage``)."""

    command: str  # the template as written
    where: str  # "host" or "sandbox:BASE"
    shell: bool  # true when the command needed bash (its start-up is then part of every sample)
    settings: dict[str, Any]  # warmup, min_runs, max_runs, min_time, timeout, exit_code, alpha, min_effect, compare_to
    data: BenchData | None
    variants: dict[str, BenchVariant]
    comparisons: list[BenchComparison]
    rss_floor: int | None  # the launcher's own peak: every max_rss is at least this
    measured: BenchMeasured
    cached: bool  # true: reused from the cache (same artifacts, command, inputs and machine)

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
