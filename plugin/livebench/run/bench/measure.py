"""One benchmark's samples: every variant's command line, then warm-up and interleaved timed runs."""
from __future__ import annotations

import shlex
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ...spec.model import Benchmark
from .harness import BenchError, Sample, needs_shell, peak_rss, resolve, run_once

SANDBOX = ["unshare", "-rn", "--pid", "--fork", "--kill-child", "chroot"]
MEMORY_RUNS = 3


@dataclass
class Variant:
    name: str
    argv: list[str]  # absolute program first; for the sandbox the unshare … chroot ROOT prefix included
    shown: str  # the command as the page shows it: the template with the variant's paths
    samples: list[Sample] = field(default_factory=list)
    max_rss: int | None = None  # the largest peak of the memory runs (launcher included), bytes


def uses_shell(bench: Benchmark) -> bool:
    return needs_shell(bench.command.replace("{artifact}", "").replace("{data}", ""))


def command_line(bench: Benchmark, artifact: str, data: str) -> tuple[list[str], str]:
    """(argv, shown): the template's words with the paths put in (after splitting: spaces stay in one word)."""
    if uses_shell(bench):
        line = bench.command.format(artifact=shlex.quote(artifact), data=shlex.quote(data))
        return ["bash", "-c", line], line
    words = [w.format(artifact=artifact, data=data) for w in shlex.split(bench.command)]
    return words, shlex.join(words)


def variants(bench: Benchmark, artifacts: Mapping[str, str], data: str, env: Mapping[str, str], cwd: Path,
             sandbox_root: Path | None = None, shown_as: tuple[Mapping[str, str], str] | None = None) -> list[Variant]:
    """``shown_as``: the artifact and data paths to show instead (relative to the project, not this machine's)."""
    out = []
    for name in bench.variants:
        argv, shown = command_line(bench, artifacts[name], data)
        if shown_as is not None:
            shown = command_line(bench, shown_as[0][name], shown_as[1])[1]
        if sandbox_root is not None:
            argv = resolve([SANDBOX[0]], {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"}, cwd) + SANDBOX[1:] + \
                [str(sandbox_root), *argv]
        else:
            argv = resolve(argv, env, cwd)
        out.append(Variant(name, argv, shown))
    return out


def sample(bench: Benchmark, runs: list[Variant], env: Mapping[str, str], cwd: Path) -> None:
    """Warm every variant up, then run them in alternating order (A B, B A, …) until each has
    ``min_runs`` samples and the slowest has ``min_time`` seconds of them, or ``max_runs`` rounds ran.

    Every variant gets the same number of runs: asking each for ``min_time`` (as hyperfine does per
    command) would give a fast variant 15 times the runs of a slow one, and the slow one as many."""

    def once(v: Variant) -> Sample:
        s = run_once(v.argv, env=env, cwd=cwd, timeout=bench.timeout)
        if s.exit_code != bench.exit_code:
            raise BenchError(f"variant {v.name}: `{v.shown}` exited with {s.exit_code}, expected {bench.exit_code} "
                             f"(set `exit_code:` if that is what it returns)")
        return s

    for _ in range(bench.warmup):
        for v in runs:
            once(v)
    deadline = time.monotonic() + max(bench.timeout * bench.max_runs * len(runs), 1.0)
    rounds = 0
    while True:
        for v in runs if rounds % 2 == 0 else reversed(runs):
            v.samples.append(once(v))
        rounds += 1
        enough = rounds >= bench.min_runs and max(sum(s.seconds for s in v.samples) for v in runs) >= bench.min_time
        if enough or rounds >= bench.max_runs or time.monotonic() > deadline:
            return


def memory(bench: Benchmark, runs: list[Variant], env: Mapping[str, str], cwd: Path, launcher: Path,
           floor_argv: list[str], scratch: Path) -> int:
    """Peak RSS of each variant, the largest of MEMORY_RUNS runs through ``launcher``; returns the peak of
    ``floor_argv`` (a path that does not exist: the forked launcher alone, and the sandbox's wrappers,
    which every figure includes)."""
    for v in runs:
        v.max_rss = max(peak_rss(launcher, v.argv, env=env, cwd=cwd, timeout=bench.timeout, scratch=scratch)
                        for _ in range(MEMORY_RUNS))
    return min(peak_rss(launcher, floor_argv, env=env, cwd=cwd, timeout=bench.timeout, scratch=scratch)
               for _ in range(MEMORY_RUNS))
