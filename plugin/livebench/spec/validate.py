"""Validate the parsed spec and build the Plan; every problem is collected and raised once.

Every problem is reported with the file, the line where YAML knows it, the key path
(``builds.hello-rust-musl.artifact``) and what to do. The YAML itself is never changed: the model
objects carry the parsed values, the raw entries stay as written.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._util.units import parse_percent
from ..errors import SpecError
from .checker import Checker, did_you_mean, kind_of, unknown
from .claims import spec_claim
from .model import (
    BASE_KINDS,
    RUST_TARGETS,
    BaseSpec,
    Claim,
    Expect,
    FileSpec,
    ImageSpec,
    Plan,
    ProbeMatrix,
    Reference,
    Step,
    Tolerance,
    Tool,
    display_path,
)

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DEFAULT_TIMEOUT = 600.0

TOP_KEYS = {"version", "tools", "env", "setup", "builds", "bases", "images", "probes", "claims", "drift", "baseline",
            "measurements"}
STEP_KEYS = {
    "description", "workdir", "commands", "env", "timeout", "inputs", "tools", "needs", "creates", "rust-target",
    "incremental",
}
BUILD_KEYS = STEP_KEYS - {"creates", "rust-target"} | {"artifact", "expect", "reference"}
EXPECT_KEYS = {"kind", "libc", "interpreter", "needed", "max_size"}
BASE_KEYS = {"description", "kind", "packages", "suite", "variant", "mirror", "remove", "image", "busybox_links"}
IMAGE_KEYS = {"description", "base", "files", "entrypoint", "cmd", "dockerfile", "context", "reference"}
FILE_KEYS = {"build", "dest", "mode"}
PROBE_KEYS = {"builds", "bases", "args", "timeout", "expect"}
REFERENCE_KEYS = {"value", "source"}
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

    bases = _bases(c, data.get("bases"))
    images = _images(c, data.get("images"), bases, builds)
    probes = _probes(c, data.get("probes"), bases, builds)
    claims = _claims(c, data.get("claims"), builds, images, probes)
    drift = _tolerance(c, data.get("drift"))
    baseline = c.string("baseline", data.get("baseline"), "the baseline file (relative to the project root)")
    measurements = {str(k): g for k, v in c.mapping("measurements", data.get("measurements"),
                                                    "names to globs of JSON result files").items()
                    if (g := c.string(f"measurements.{k}", v, "a glob of JSON files, relative to the project root"))}

    if c.problems:
        raise SpecError(
            f"{len(c.problems)} problem(s) in the spec:\n  " + "\n  ".join(c.problems)
        )
    return Plan(
        path=path, root=root, tools=tools, env=env, setup=setup, builds=builds, bases=bases,
        images=images, probes=probes, claims=tuple(claims), lines=dict(lines or {}), drift=drift,
        baseline=baseline, measurements=measurements,
    )


def _claims(c: Checker, value: Any, builds: Mapping[str, Step], images: Mapping[str, ImageSpec],
            probes: ProbeMatrix) -> list[Claim]:
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
        claim = spec_claim(entry, kp, where, c.add, builds, images, probes)
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
            incremental=_flag(c, f"{kp}.incremental", entry.get("incremental")),
            expect=expect,
            reference=_reference(c, f"{kp}.reference", entry.get("reference")) if section == "builds" else None,
            raw=entry,
        )
    return out


def _flag(c: Checker, kp: str, value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        c.add(kp, f"expected true or false, got {kind_of(value)}.")
        return False
    return value


def _rust_target(c: Checker, kp: str, entry: dict[Any, Any]) -> str | None:
    """`rust-target: TRIPLE`: a setup step livebench provides (no commands of the author's)."""
    if "rust-target" not in entry:
        return None
    for key in ("commands", "creates"):
        if key in entry:
            c.add(f"{kp}.{key}", f"'rust-target' steps have no '{key}': livebench runs "
                                 f"`livebench rust-target add TARGET` and knows what it creates.")
    return _choice(c, f"{kp}.rust-target", entry["rust-target"], RUST_TARGETS, "a Rust target livebench builds offline")


def _choice(c: Checker, kp: str, value: Any, choices: tuple[str, ...], what: str) -> str | None:
    """One of a fixed set of words, with "did you mean" (checked now, not after a build)."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        c.add(kp, f"expected {what}: one of {', '.join(choices)}, got {kind_of(value)}."
                  f"{did_you_mean(str(value), choices)}")
        return None
    return value


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
    return Expect(kind=_choice(c, f"{kp}.kind", expect.get("kind"), KINDS, "a kind"),
                  libc=_choice(c, f"{kp}.libc", expect.get("libc"), LIBCS, "a C library"),
                  interpreter=interpreter, interpreter_set="interpreter" in expect, needed=needed, max_size=size)


def _reference(c: Checker, kp: str, value: Any) -> Reference | None:
    """`reference: {value: "78.8 MB", source: "…"}`: a figure published elsewhere, shown labelled."""
    if value is None:
        return None
    entry = c.mapping(kp, value, "value and source")
    c.keys(kp, entry, REFERENCE_KEYS)
    shown = c.string(f"{kp}.value", entry.get("value"), "the figure as the source printed it")
    source = c.string(f"{kp}.source", entry.get("source"), "who measured it, and where it was published")
    if "value" not in entry or "source" not in entry:
        c.add(kp, "a reference needs both 'value' (e.g. '78.8 MB') and 'source' (who published it).")
    return Reference(shown, source) if shown and source else None


def _bases(c: Checker, value: Any) -> dict[str, BaseSpec]:
    out = {}
    for name, entry in c.mapping("bases", value, "base names to recipes").items():
        kp = f"bases.{name}"
        if not isinstance(entry, dict):
            c.add(kp, f"expected a mapping with 'kind', got {kind_of(entry)}.")
            continue
        c.keys(kp, entry, BASE_KEYS)
        kind = entry.get("kind")
        if kind not in BASE_KINDS:
            c.add(f"{kp}.kind", f"expected one of {', '.join(BASE_KINDS)}, got {kind_of(kind)}."
                                f"{did_you_mean(str(kind), BASE_KINDS)}")
            continue
        if kind == "debs" and not entry.get("packages"):
            c.add(f"{kp}.packages", "missing: a 'debs' base needs the Debian packages to unpack.")
        if kind == "registry" and not entry.get("image"):
            c.add(f"{kp}.image", "missing: a 'registry' base needs an image reference such as ubuntu:22.04.")
        packages = c.strings(f"{kp}.packages", entry.get("packages"), "Debian package names")
        remove = c.strings(f"{kp}.remove", entry.get("remove"), "globs inside the root")
        out[str(name)] = BaseSpec(
            name=str(name), kind=kind, packages=packages,
            suite=c.string(f"{kp}.suite", entry.get("suite"), "a Debian suite") or "bookworm",
            variant=c.string(f"{kp}.variant", entry.get("variant"), "a debootstrap variant") or "minbase",
            mirror=c.string(f"{kp}.mirror", entry.get("mirror"), "a Debian mirror URL"), remove=remove,
            image=c.string(f"{kp}.image", entry.get("image"), "an image reference"),
            symlink_busybox=bool(entry.get("busybox_links")),
            description=str(entry.get("description") or ""))
    return out


def _words(c: Checker, kp: str, value: Any, what: str) -> tuple[str, ...] | None:
    return None if value is None else c.strings(kp, value, what)


def _images(c: Checker, value: Any, bases: Mapping[str, BaseSpec], builds: Mapping[str, Step]) -> dict[str, ImageSpec]:
    out = {}
    for name, entry in c.mapping("images", value, "image names to recipes").items():
        kp = f"images.{name}"
        if not isinstance(entry, dict):
            c.add(kp, f"expected a mapping with 'base' and 'files', got {kind_of(entry)}.")
            continue
        c.keys(kp, entry, IMAGE_KEYS)
        dockerfile = c.string(f"{kp}.dockerfile", entry.get("dockerfile"), "a Dockerfile path")
        base = entry.get("base")
        if not dockerfile and (not isinstance(base, str) or base not in bases):
            c.add(f"{kp}.base", unknown("base", str(base), bases))
        files_v = entry.get("files") or []
        if not isinstance(files_v, list):
            c.add(f"{kp}.files", f"expected a list of {{build, dest, mode}}, got {kind_of(files_v)}.")
            files_v = []
        files: list[FileSpec] = []
        for i, f in enumerate(files_v):
            fkp = f"{kp}.files[{i}]"
            if not isinstance(f, dict):
                c.add(fkp, f"expected a mapping {{build, dest, mode}}, got {kind_of(f)}.")
                continue
            c.keys(fkp, f, FILE_KEYS)
            build = f.get("build")
            if not isinstance(build, str) or build not in builds:
                c.add(f"{fkp}.build", unknown("build", str(build), builds))
            dest = c.string(f"{fkp}.dest", f.get("dest"), "an absolute path in the image")
            if dest and not dest.startswith("/"):
                c.add(f"{fkp}.dest", f"'{dest}' must be absolute (start with '/').")
            mode = _mode(c, f"{fkp}.mode", f.get("mode", 0o755))
            if isinstance(build, str) and dest and mode is not None:
                files.append(FileSpec(build, dest, mode))
        out[str(name)] = ImageSpec(
            name=str(name), base=base if isinstance(base, str) else None, files=tuple(files),
            entrypoint=_words(c, f"{kp}.entrypoint", entry.get("entrypoint"), "arguments"),
            cmd=_words(c, f"{kp}.cmd", entry.get("cmd"), "arguments"), dockerfile=dockerfile,
            context=c.string(f"{kp}.context", entry.get("context"), "a folder"),
            reference=_reference(c, f"{kp}.reference", entry.get("reference")),
            description=str(entry.get("description") or ""))
    return out


def _mode(c: Checker, kp: str, mode: Any) -> int | None:
    if isinstance(mode, bool) or not isinstance(mode, (int, str)) or isinstance(mode, int) and not 0 <= mode <= 0o7777:
        c.add(kp, f"expected an octal mode such as '0755', got {kind_of(mode)}.")
        return None
    if isinstance(mode, str):
        try:
            return int(mode, 8)
        except ValueError:
            c.add(kp, f"expected an octal mode such as '0755', got {mode!r}.")
            return None
    return mode


def _probes(c: Checker, value: Any, bases: Mapping[str, BaseSpec], builds: Mapping[str, Step]) -> ProbeMatrix:
    probes = c.mapping("probes", value, "probe settings")
    if not probes:
        return ProbeMatrix()
    c.keys("probes", probes, PROBE_KEYS)
    timeout = c.number("probes.timeout", probes.get("timeout"), 30.0)
    args = c.strings("probes.args", probes.get("args"), "arguments")
    names: dict[str, tuple[str, ...]] = {}
    for key, known, what in (("builds", builds, "build"), ("bases", bases, "base")):
        names[key] = c.strings(f"probes.{key}", probes.get(key), f"{what} names")
        for i, n in enumerate(names[key]):
            if n not in known:
                c.add(f"probes.{key}[{i}]", unknown(what, n, known))
    expect: dict[str, dict[str, Any]] = {}
    for b, row in c.mapping("probes.expect", probes.get("expect"), "build → base → runs|fails").items():
        if b not in builds:
            c.add(f"probes.expect.{b}", unknown("build", str(b), builds))
        for base, verdict in c.mapping(f"probes.expect.{b}", row, "base → runs|fails").items():
            if base not in bases:
                c.add(f"probes.expect.{b}.{base}", unknown("base", str(base), bases))
            if verdict not in ("runs", "fails"):
                c.add(f"probes.expect.{b}.{base}", f"expected 'runs' or 'fails', got {kind_of(verdict)}."
                                                   f"{did_you_mean(str(verdict), ('runs', 'fails'))}")
                continue
            expect.setdefault(str(b), {})[str(base)] = verdict
    return ProbeMatrix(builds=names["builds"], bases=names["bases"], args=args, timeout=timeout, expect=expect)


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
