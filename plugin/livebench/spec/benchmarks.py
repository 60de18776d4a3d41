"""The spec's ``benchmarks:`` section: how fast the builds run, validated before anything runs."""
from __future__ import annotations

import shlex
import string
from collections.abc import Mapping
from typing import Any

from .._util.units import parse_percent
from .checker import NAME_RE, Checker, did_you_mean, kind_of, unknown
from .model import BaseSpec, Benchmark, Step

BENCH_KEYS = {"description", "variants", "command", "where", "prepare", "warmup", "min_runs", "max_runs",
              "min_time", "timeout", "exit_code", "env", "compare_to", "alpha", "min_effect"}
PLACEHOLDERS = ("artifact", "data")


def benchmarks(c: Checker, value: Any, builds: Mapping[str, Step], bases: Mapping[str, BaseSpec]) -> dict[str, Benchmark]:
    out: dict[str, Benchmark] = {}
    for name, entry in c.mapping("benchmarks", value, "benchmark names to entries").items():
        kp = f"benchmarks.{name}"
        if not NAME_RE.match(str(name)):
            c.add(kp, "names use lowercase letters, digits, '-' and '_' only.")
            continue
        if not isinstance(entry, dict):
            c.add(kp, f"expected a mapping with 'variants' and 'command', got {kind_of(entry)}.")
            continue
        c.keys(kp, entry, BENCH_KEYS)
        variants = c.strings(f"{kp}.variants", entry.get("variants"), "build names")
        if not variants:
            c.add(f"{kp}.variants", "missing: list the builds to time, e.g. [slice-gnu, slice-musl].")
        for i, v in enumerate(variants):
            if v not in builds:
                c.add(f"{kp}.variants[{i}]", unknown("build", v, builds))
        if len(set(variants)) != len(variants):
            c.add(f"{kp}.variants", "a build is listed twice; declare a second build to time the same program twice.")
        command = c.string(f"{kp}.command", entry.get("command"), "a command template such as '{artifact} --help'")
        if command is None and "command" not in entry:
            c.add(f"{kp}.command", "missing: the command to time, with {artifact} where the build's file goes.")
        if command:
            _placeholders(c, f"{kp}.command", command)
            if "{data}" in command and not entry.get("prepare"):
                c.add(f"{kp}.command", "{data} is the folder `prepare:` writes, and this benchmark has no `prepare:`.")
        base = _where(c, f"{kp}.where", entry.get("where"), bases)
        compare_to = entry.get("compare_to")
        if compare_to is not None and compare_to not in variants:
            c.add(f"{kp}.compare_to", f"'{compare_to}' is not one of the variants ({', '.join(variants)})."
                                      f"{did_you_mean(str(compare_to), variants)}")
            compare_to = None
        warmup = _count(c, f"{kp}.warmup", entry.get("warmup"), 3, minimum=0)
        min_runs = _count(c, f"{kp}.min_runs", entry.get("min_runs"), 10, minimum=2)
        max_runs = _count(c, f"{kp}.max_runs", entry.get("max_runs"), max(500, min_runs), minimum=2)
        if max_runs < min_runs:
            c.add(f"{kp}.max_runs", f"max_runs ({max_runs}) is below min_runs ({min_runs}).")
        exit_code = entry.get("exit_code", 0)
        if isinstance(exit_code, bool) or not isinstance(exit_code, int) or not 0 <= exit_code <= 255:
            c.add(f"{kp}.exit_code", f"expected the exit code the command ends with (0..255), got {kind_of(exit_code)}.")
            exit_code = 0
        out[str(name)] = Benchmark(
            name=str(name), variants=variants, command=command or "", base=base,
            prepare=c.strings(f"{kp}.prepare", entry.get("prepare"), "bash commands that write into {data}"),
            warmup=warmup, min_runs=min_runs, max_runs=max_runs,
            min_time=_seconds(c, f"{kp}.min_time", entry.get("min_time"), 3.0),
            timeout=c.number(f"{kp}.timeout", entry.get("timeout"), 60.0),
            exit_code=exit_code, env=c.env(f"{kp}.env", entry.get("env")), compare_to=compare_to or "",
            alpha=_fraction(c, f"{kp}.alpha", entry.get("alpha"), 0.05, "a significance level such as 0.05"),
            min_effect=_fraction(c, f"{kp}.min_effect", entry.get("min_effect"), 0.05, "a percentage such as '5%'"),
            description=str(entry.get("description") or ""), raw=entry,
        )
    return out


def _placeholders(c: Checker, kp: str, command: str) -> None:
    try:
        parsed = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(command) if f is not None]
        fields = [f for f, _, _ in parsed]
    except ValueError as exc:
        c.add(kp, f"cannot read the template: {exc}. Write {{artifact}} and {{data}}; double a literal brace ({{{{).")
        return
    for f in fields:
        if f not in PLACEHOLDERS:
            c.add(kp, f"unknown placeholder {{{f}}}.{did_you_mean(f, PLACEHOLDERS)} "
                      f"Known: {{artifact}} (the variant's file), {{data}} (the folder `prepare:` wrote).")
    if any(spec or conv for _, spec, conv in parsed):
        c.add(kp, "write {artifact} and {data} plainly: no conversion (!r) or format (:…) in the braces.")
    if "artifact" not in fields:
        c.add(kp, "the command never names {artifact}, so every variant would time the same program.")
    try:
        shlex.split(command)
    except ValueError as exc:
        c.add(kp, f"cannot split the command into words: {exc}.")


def _where(c: Checker, kp: str, value: Any, bases: Mapping[str, BaseSpec]) -> str | None:
    """`where: host` (the default) or `where: {base: NAME}` (the sandbox, in that base's root)."""
    if value is None or value == "host":
        return None
    if isinstance(value, dict) and set(value) == {"base"}:
        base = value["base"]
        if not isinstance(base, str) or base not in bases:
            c.add(f"{kp}.base", unknown("base", str(base), bases))
            return None
        return base
    c.add(kp, f"expected 'host' or {{base: NAME}} (run in the sandbox, in a declared base), got {value!r}.")
    return None


def _count(c: Checker, kp: str, value: Any, default: int, *, minimum: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        c.add(kp, f"expected a whole number of at least {minimum}, got {kind_of(value)}.")
        return default
    return value


def _seconds(c: Checker, kp: str, value: Any, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        c.add(kp, f"expected a number of seconds (0 or more), got {kind_of(value)}.")
        return default
    return float(value)


def _fraction(c: Checker, kp: str, value: Any, default: float, what: str) -> float:
    if value is None:
        return default
    try:
        f = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else parse_percent(value)
    except ValueError:
        f = -1.0
    if not 0 <= f < 1:
        c.add(kp, f"expected {what} (between 0 and 1, or a percentage), got {value!r}.")
        return default
    return f
