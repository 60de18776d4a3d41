"""Validate the parsed spec and build the Plan; every problem is collected and raised once.

Every problem is reported with the file, the line where YAML knows it, the key path
(``builds.hello-rust-musl.artifact``) and what to do. The YAML itself is never changed: the model
objects carry the parsed values, the raw entries stay as written.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._util.units import parse_percent
from ..errors import SpecError
from . import containers
from .benchmarks import benchmarks as benchmark_section
from .checker import NAME_RE, Checker, choice, did_you_mean, flag, kind_of, reference, unknown
from .claims import spec_claim
from .model import (
    RUST_TARGETS,
    Benchmark,
    Claim,
    Expect,
    ImageSpec,
    Plan,
    ProbeMatrix,
    Step,
    Tolerance,
    Tool,
    display_path,
)

DEFAULT_TIMEOUT = 600.0

TOP_KEYS = {"version", "tools", "env", "setup", "builds", "bases", "images", "probes", "claims", "drift", "baseline",
            "measurements", "benchmarks", "display_root"}
STEP_KEYS = {
    "description", "workdir", "commands", "env", "timeout", "inputs", "tools", "needs", "creates", "rust-target",
    "incremental",
}
BUILD_KEYS = STEP_KEYS - {"creates", "rust-target"} | {"artifact", "expect", "reference"}
EXPECT_KEYS = {"kind", "libc", "interpreter", "needed", "max_size"}
KINDS = ("static", "static-pie", "dynamic", "shared-library", "unknown")
LIBCS = ("glibc", "musl", "none", "unknown")
DRIFT_KEYS = {"size", "image_size", "seconds", "min_seconds"}


def build_plan(data: Any, *, path: Path, root: Path, lines: dict[str, int] | None = None) -> Plan:
    """Validate parsed YAML ``data`` and build the Plan; raises one SpecError listing every problem."""
    c = Checker(path, root, lines or {})
    if not isinstance(data, dict):
        c.add("(top)", f"expected a mapping with 'version' and 'builds', got {kind_of(data)}.")
        raise SpecError("\n".join(c.problems))
    c.keys("", data, TOP_KEYS)
    if data.get("version", 1) != 1:
        c.add("version", f"unsupported spec version {data.get('version')!r}; this livebench reads version 1.")

    tools: dict[str, Tool] = {}
    for name, entry in c.mapping("tools", data.get("tools"), "tool names to version commands").items():
        kp = f"tools.{name}"
        if isinstance(entry, dict):
            c.keys(kp, entry, {"version", "package"})
            cmd = c.string(f"{kp}.version", entry.get("version"), "a command that prints the tool's version")
            package = c.string(f"{kp}.package", entry.get("package"), "a Debian package name")
        else:
            cmd = c.string(kp, entry, "a command that prints the tool's version")
            package = None
        if cmd:
            tools[str(name)] = Tool(name=str(name), version_command=cmd, package=package)
    env = c.env("env", data.get("env"))

    setup = _steps(c, "setup", data.get("setup"), root, tools)
    builds = _steps(c, "builds", data.get("builds"), root, tools)
    for name in sorted(set(setup) & set(builds)):
        c.add(f"builds.{name}", f"a setup step is also named '{name}'; the transcript directive takes "
                                f"both kinds of name, so rename one of them.")
    if not builds and "builds" not in data:
        c.add("builds", "missing: declare at least one build.")
    for step in builds.values():
        for i, need in enumerate(step.needs):
            if need not in setup:
                c.add(f"builds.{step.name}.needs[{i}]", unknown("setup step", need, setup))
    for step in setup.values():
        for i, need in enumerate(step.needs):
            if need not in setup or need == step.name:
                c.add(f"setup.{step.name}.needs[{i}]", unknown("setup step", need, setup))

    bases = containers.bases(c, data.get("bases"))
    images = containers.images(c, data.get("images"), bases, builds)
    probes = containers.probes(c, data.get("probes"), bases, builds)
    benchmarks = benchmark_section(c, data.get("benchmarks"), builds, bases)
    claims = _claims(c, data.get("claims"), builds, images, probes, benchmarks)
    drift = _tolerance(c, data.get("drift"))
    baseline = c.string("baseline", data.get("baseline"), "the baseline file (relative to the project root)")
    measurements = {str(k): g for k, v in c.mapping("measurements", data.get("measurements"),
                                                    "names to globs of JSON result files").items()
                    if (g := c.string(f"measurements.{k}", v, "a glob of JSON files, relative to the project root"))}

    display_root = c.string("display_root", data.get("display_root"), "the folder transcripts show for the project")
    if display_root is not None and (not display_root.strip() or "\n" in display_root):
        c.add("display_root", "expected a folder such as '~/blog' (one line, not empty).")

    if c.problems:
        raise SpecError(
            f"{len(c.problems)} problem(s) in the spec:\n  " + "\n  ".join(c.problems)
        )
    return Plan(
        path=path, root=root, tools=tools, env=env, setup=setup, builds=builds, bases=bases,
        images=images, probes=probes, claims=tuple(claims), lines=dict(lines or {}), drift=drift,
        baseline=baseline, measurements=measurements, benchmarks=benchmarks,
        display_root=(display_root or "~/project").rstrip("/") or "~/project",
    )


def _claims(c: Checker, value: Any, builds: Mapping[str, Step], images: Mapping[str, ImageSpec],
            probes: ProbeMatrix, benchmarks: Mapping[str, Benchmark]) -> list[Claim]:
    """`claims:` — facts the article relies on, checked after every run (see verify.claims)."""
    if value is None:
        return []
    if not isinstance(value, list):
        c.add("claims", f"expected a list of claims, got {kind_of(value)}.")
        return []
    out, ids = [], set()
    for i, entry in enumerate(value):
        kp = f"claims[{i}]"
        line = c.lines.get(kp)
        where = display_path(c.path, c.root) + (f":{line}" if line else "")
        claim = spec_claim(entry, kp, where, c.add, builds, images, probes, benchmarks)
        if claim is None:
            continue
        if claim.id in ids:
            c.add(f"{kp}.id", f"duplicate claim id '{claim.id}'; ids name claims in reports, keep them unique.")
        ids.add(claim.id)
        out.append(claim)
    return out


def _steps(c: Checker, section: str, value: Any, root: Path, tools: Mapping[str, Tool]) -> dict[str, Step]:
    entries = c.mapping(section, value, "names to entries")
    out: dict[str, Step] = {}
    allowed = BUILD_KEYS if section == "builds" else STEP_KEYS
    for name, entry in entries.items():
        kp = f"{section}.{name}"
        if not NAME_RE.match(str(name)):
            c.add(kp, "names use lowercase letters, digits, '-' and '_' only.")
            continue
        if not isinstance(entry, dict):
            c.add(kp, f"expected a mapping (commands, workdir, ...), got {kind_of(entry)}.")
            continue
        c.keys(kp, entry, allowed)
        commands = c.strings(f"{kp}.commands", entry.get("commands"), "shell commands")
        rust_target = _rust_target(c, kp, entry) if section == "setup" else None
        if rust_target:
            commands = (f"livebench rust-target add {rust_target}",)
        elif not commands:
            c.add(f"{kp}.commands", "missing: give at least one shell command.")
        workdir_s = c.string(f"{kp}.workdir", entry.get("workdir", "."), "a folder") or "."
        workdir = (root / workdir_s).resolve()
        if not workdir.is_dir():
            c.add(f"{kp}.workdir", f"folder '{workdir_s}' does not exist (relative to the project root {root}).")
        step_tools = c.strings(f"{kp}.tools", entry.get("tools"), "tool names")
        for i, t in enumerate(step_tools):
            if t not in tools:
                c.add(f"{kp}.tools[{i}]", unknown("tool", t, tools) + " Declare it under 'tools'.")
        artifact = None
        expect = Expect()
        if section == "builds":
            artifact = c.string(f"{kp}.artifact", entry.get("artifact"), "the path of the built file")
            if artifact is None and "artifact" not in entry:
                c.add(f"{kp}.artifact", "missing: name the file the build produces (relative to workdir).")
            expect = _expect(c, f"{kp}.expect", entry.get("expect"))
        out[str(name)] = Step(
            name=str(name),
            section="builds" if section == "builds" else "setup",
            workdir=workdir,
            commands=commands,
            env=c.env(f"{kp}.env", entry.get("env")),
            timeout=c.number(f"{kp}.timeout", entry.get("timeout"), DEFAULT_TIMEOUT),
            inputs=c.strings(f"{kp}.inputs", entry.get("inputs"), "globs relative to the project root"),
            tools=step_tools,
            needs=c.strings(f"{kp}.needs", entry.get("needs"), "setup step names"),
            artifact=artifact,
            creates=(f"${{LIVEBENCH_CACHE}}/toolchains/{rust_target}/.stamp" if rust_target else
                     c.string(f"{kp}.creates", entry.get("creates"), "a path") if section == "setup" else None),
            rust_target=rust_target,
            incremental=flag(c, f"{kp}.incremental", entry.get("incremental")),
            expect=expect,
            reference=reference(c, f"{kp}.reference", entry.get("reference")) if section == "builds" else None,
            raw=entry,
        )
    return out


def _rust_target(c: Checker, kp: str, entry: dict[Any, Any]) -> str | None:
    """`rust-target: TRIPLE`: a setup step livebench provides (no commands of the author's)."""
    if "rust-target" not in entry:
        return None
    for key in ("commands", "creates"):
        if key in entry:
            c.add(f"{kp}.{key}", f"'rust-target' steps have no '{key}': livebench runs "
                                 f"`livebench rust-target add TARGET` and knows what it creates.")
    return choice(c, f"{kp}.rust-target", entry["rust-target"], RUST_TARGETS, "a Rust target livebench builds offline")


def _expect(c: Checker, kp: str, value: Any) -> Expect:
    """A build's `expect:`, typed now: a misspelt kind fails here, not after a 40 s build."""
    expect = c.mapping(kp, value, "linkage facts")
    c.keys(kp, expect, EXPECT_KEYS)
    needed = None
    if "needed" in expect:
        if not isinstance(expect["needed"], list) or not all(isinstance(n, str) for n in expect["needed"]):
            c.add(f"{kp}.needed", f"expected a list of library names, got {kind_of(expect['needed'])}.")
        else:
            needed = tuple(expect["needed"])
    size = expect.get("max_size")
    if "max_size" in expect and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
        c.add(f"{kp}.max_size", f"expected a positive number of bytes, got {kind_of(size)}.")
        size = None
    interpreter = expect.get("interpreter")
    if interpreter is not None:
        interpreter = c.string(f"{kp}.interpreter", interpreter if isinstance(interpreter, str) else [],
                               "the expected interpreter (or null for none)")
    return Expect(kind=choice(c, f"{kp}.kind", expect.get("kind"), KINDS, "a kind"),
                  libc=choice(c, f"{kp}.libc", expect.get("libc"), LIBCS, "a C library"),
                  interpreter=interpreter, interpreter_set="interpreter" in expect, needed=needed, max_size=size)


def _tolerance(c: Checker, value: Any) -> Tolerance:
    """`drift:` — how far `livebench check` lets each metric move from the baseline."""
    if value is None:
        return Tolerance()
    if not isinstance(value, dict):
        c.add("drift", "expected a mapping such as {size: 0%, image_size: 1%, seconds: 300%}.")
        return Tolerance()
    out: dict[str, float] = {}
    for key, v in value.items():
        if key not in DRIFT_KEYS:
            c.add(f"drift.{key}", f"unknown key.{did_you_mean(str(key), DRIFT_KEYS)} "
                                  f"Allowed here: {', '.join(sorted(DRIFT_KEYS))}.")
            continue
        try:
            if key == "min_seconds":
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                    raise ValueError(v)
                out[key] = float(v)
            else:
                out[key] = parse_percent(v)
        except ValueError:
            what = "a number of seconds" if key == "min_seconds" else "a percentage such as '1%'"
            c.add(f"drift.{key}", f"expected {what}, got {v!r}.")
    return Tolerance(**out)
