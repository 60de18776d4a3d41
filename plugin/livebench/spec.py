"""The spec file: load, validate up front, and turn into a Plan the runner executes.

Every problem is reported with the file, the line where YAML knows it, the key path
(``builds.hello-rust-musl.artifact``) and what to do; all problems are collected and raised once.
"""
from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .checks import Claim, Tolerance, spec_claim, tolerance_from_spec
from .errors import SpecError

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DEFAULT_TIMEOUT = 600.0

TOP_KEYS = {"version", "tools", "env", "setup", "builds", "bases", "images", "probes", "claims", "drift", "baseline",
            "measurements"}
STEP_KEYS = {
    "description", "workdir", "commands", "env", "timeout", "inputs", "tools", "needs", "creates",
}
BUILD_KEYS = STEP_KEYS - {"creates"} | {"artifact", "expect"}
EXPECT_KEYS = {"kind", "libc", "interpreter", "needed", "max_size"}
BASE_KEYS = {"description", "kind", "packages", "suite", "variant", "mirror", "remove", "image", "busybox_links"}
BASE_KINDS = ("scratch", "debs", "debootstrap", "registry")
IMAGE_KEYS = {"description", "base", "files", "entrypoint", "cmd", "dockerfile", "context"}
FILE_KEYS = {"build", "dest", "mode"}
PROBE_KEYS = {"builds", "bases", "args", "timeout", "expect"}


@dataclass(frozen=True)
class Tool:
    """A tool whose version output is recorded in provenance and keys the cache."""

    name: str
    version_command: str
    package: str | None = None  # the Debian package to install when the command fails


@dataclass(frozen=True)
class Step:
    """A setup step or a build: commands run with bash in ``workdir``."""

    name: str
    section: str  # "setup" or "builds"
    workdir: Path
    commands: tuple[str, ...]
    env: dict[str, str]
    timeout: float
    inputs: tuple[str, ...]
    tools: tuple[str, ...]
    needs: tuple[str, ...]
    artifact: str | None = None
    creates: str | None = None
    expect: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)  # the entry as written: part of the cache key

    @property
    def key_path(self) -> str:
        return f"{self.section}.{self.name}"


@dataclass
class Plan:
    """A validated spec: everything the runner needs, nothing MkDocs-specific."""

    path: Path
    root: Path
    tools: dict[str, Tool]
    env: dict[str, str]
    setup: dict[str, Step]
    builds: dict[str, Step]
    bases: dict[str, dict[str, Any]]
    images: dict[str, dict[str, Any]]
    probes: dict[str, Any]
    claims: list[Claim]
    lines: dict[str, int] = field(default_factory=dict)
    drift: Tolerance = field(default_factory=Tolerance)  # tolerances for `livebench check`
    baseline: str | None = None  # the baseline file, relative to the root (default: next to the spec)
    measurements: dict[str, str] = field(default_factory=dict)  # name -> glob of JSON results (measurements.py)

    def where(self, key_path: str) -> str:
        """``file:line`` for a key path, as precise as the YAML allows."""
        line = self.lines.get(key_path)
        rel = _display_path(self.path, self.root)
        return f"{rel}:{line}" if line else rel


def _display_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


MAX_NODES = 100_000  # far above any real spec; stops alias bombs and recursive aliases early


def _check_size(node: yaml.Node, shown: str) -> None:
    """Refuse a document whose aliases expand past MAX_NODES values, or refer to themselves."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node, kp: str) -> int:
        if id(n) in sizes:
            return sizes[id(n)]
        if id(n) in active:
            raise SpecError(f"{shown}:{n.start_mark.line + 1}: {kp}: a YAML alias refers to a value that contains "
                            f"it (a recursive structure). Write the value out instead.")
        active.add(id(n))
        if isinstance(n, yaml.MappingNode):
            children = [(c, f"{kp}.{k.value}" if kp else str(k.value)) for k, v in n.value for c in (k, v)]
        elif isinstance(n, yaml.SequenceNode):
            children = [(c, f"{kp}[{i}]") for i, c in enumerate(n.value)]
        else:
            children = []
        total = 1 + sum(size(c, ckp) for c, ckp in children)
        active.discard(id(n))
        if total > MAX_NODES:
            raise SpecError(f"{shown}:{n.start_mark.line + 1}: {kp or '(top)'}: expands to more than {MAX_NODES:,} "
                            f"values (YAML aliases inside aliases?). Write the values out instead.")
        sizes[id(n)] = total
        return total

    try:
        size(node, "")
    except RecursionError:
        raise SpecError(f"{shown}: the spec nests values too deeply to read. Flatten it.") from None


def _line_map(node: yaml.Node, prefix: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """Map each key path to the 1-based line YAML found it on."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            out[path] = key_node.start_mark.line + 1
            _line_map(value_node, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}[{i}]"
            out[path] = item.start_mark.line + 1
            _line_map(item, path, out)
    return out


class _Checker:
    """Collects problems so one run reports them all."""

    def __init__(self, path: Path, root: Path, lines: dict[str, int]):
        self.path, self.root, self.lines = path, root, lines
        self.problems: list[str] = []

    def add(self, key_path: str, message: str) -> None:
        line = self.lines.get(key_path)
        # fall back to the nearest parent key that has a line
        probe = key_path
        while line is None and ("." in probe or "[" in probe):
            parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            if parent == probe:  # a key that itself ends in '.' or holds '[': no parent to strip
                break
            probe = parent
            line = self.lines.get(probe)
        where = _display_path(self.path, self.root) + (f":{line}" if line else "")
        self.problems.append(f"{where}: {_printable(key_path)}: {_printable(message)}")

    def keys(self, key_path: str, value: dict, allowed: set[str]) -> None:
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                tip = f" Did you mean '{hint[0]}'?" if hint else ""
                self.add(
                    f"{key_path}.{key}" if key_path else str(key),
                    f"unknown key.{tip} Allowed here: {', '.join(sorted(allowed))}.",
                )

    def mapping(self, key_path: str, value: Any, what: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(key_path, f"expected a mapping of {what}, got {_kind(value)}.")
            return {}
        return value

    def string(self, key_path: str, value: Any, what: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.add(key_path, f"expected {what} (a non-empty string), got {_kind(value)}.")
            return None
        if "\0" in value:  # no path, argv or environment can hold one: refuse it here, not mid-run
            self.add(key_path, f"expected {what}, got a string with a NUL character.")
            return None
        return value

    def strings(self, key_path: str, value: Any, what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.add(key_path, f"expected a list of {what}, got {_kind(value)}.")
            return ()
        out = []
        for i, item in enumerate(value):
            s = self.string(f"{key_path}[{i}]", item, what)
            if s is not None:
                out.append(s)
        return tuple(out)

    def number(self, key_path: str, value: Any, default: float) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
            self.add(key_path, f"expected a positive number of seconds, got {_kind(value)}.")
            return default
        return float(value)

    def env(self, key_path: str, value: Any) -> dict[str, str]:
        env = self.mapping(key_path, value, "variable names to strings")
        out = {}
        for k, v in env.items():
            if not isinstance(v, (str, int, float)) or isinstance(v, bool):
                self.add(f"{key_path}.{k}", f"expected a string value, got {_kind(v)}.")
                continue
            out[str(k)] = str(v)
        return out


def _printable(text: str) -> str:
    """One readable line: control characters from keys or values (a stray CR, ESC) shown escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})" if value.strip() else "an empty string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def load_plan(path: str | os.PathLike, root: str | os.PathLike | None = None) -> Plan:
    """Load and validate the spec at ``path``; ``root`` is the project root (default: the cwd)."""
    path = Path(path)
    root = Path(root) if root is not None else Path.cwd()
    if not path.is_absolute():
        path = root / path
    shown = _display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            f"{shown}: spec file not found. Create it (see the reference page) or point the "
            f"'spec' option / --spec at an existing file."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{shown}: cannot read the spec file: {exc}") from None
    try:
        # One parse, by libyaml when present (10x faster than the pure-Python loader; every site build
        # loads the spec): the node keeps line marks for messages, the data is constructed from it.
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if node is not None:
            _check_size(node, shown)
        data = yaml.SafeLoader("").construct_document(node) if node is not None else None
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an integer of more than 4300 digits
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"{where}: not valid YAML: {problem}. Fix the syntax and run again.") from None
    lines = _line_map(node) if node is not None else {}
    return build_plan(data, path=path, root=root, lines=lines)


def build_plan(data: Any, *, path: Path, root: Path, lines: dict[str, int] | None = None) -> Plan:
    """Validate parsed YAML ``data`` and build the Plan; raises one SpecError listing every problem."""
    c = _Checker(path, root, lines or {})
    if not isinstance(data, dict):
        c.add("(top)", f"expected a mapping with 'version' and 'builds', got {_kind(data)}.")
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
                c.add(f"builds.{step.name}.needs[{i}]", _unknown("setup step", need, setup))
    for step in setup.values():
        for i, need in enumerate(step.needs):
            if need not in setup or need == step.name:
                c.add(f"setup.{step.name}.needs[{i}]", _unknown("setup step", need, setup))

    bases = _bases(c, data.get("bases"))
    images = _images(c, data.get("images"), bases, builds)
    probes = _probes(c, data.get("probes"), bases, builds)
    claims = _claims(c, data.get("claims"), builds, images, probes)
    drift = tolerance_from_spec(data.get("drift"), "drift", c.add)
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
        images=images, probes=probes, claims=claims, lines=lines or {}, drift=drift, baseline=baseline,
        measurements=measurements,
    )


def _claims(c: _Checker, value: Any, builds: dict, images: dict, probes: dict) -> list[Claim]:
    """`claims:` — facts the article relies on, checked after every run (see checks.py)."""
    if value is None:
        return []
    if not isinstance(value, list):
        c.add("claims", f"expected a list of claims, got {_kind(value)}.")
        return []
    out, ids = [], set()
    for i, entry in enumerate(value):
        kp = f"claims[{i}]"
        line = c.lines.get(kp)
        where = _display_path(c.path, c.root) + (f":{line}" if line else "")
        claim = spec_claim(entry, kp, where, c.add, builds, images, probes)
        if claim is None:
            continue
        if claim.id in ids:
            c.add(f"{kp}.id", f"duplicate claim id '{claim.id}'; ids name claims in reports, keep them unique.")
        ids.add(claim.id)
        out.append(claim)
    return out


def _unknown(what: str, name: str, known: dict) -> str:
    hint = difflib.get_close_matches(name, list(known), n=1)
    tip = f" Did you mean '{hint[0]}'?" if hint else ""
    names = ", ".join(sorted(known)) or "none declared"
    return f"unknown {what} '{name}'.{tip} Declared: {names}."


def _steps(c: _Checker, section: str, value: Any, root: Path, tools: dict) -> dict[str, Step]:
    entries = c.mapping(section, value, "names to entries")
    out: dict[str, Step] = {}
    allowed = BUILD_KEYS if section == "builds" else STEP_KEYS
    for name, entry in entries.items():
        kp = f"{section}.{name}"
        if not NAME_RE.match(str(name)):
            c.add(kp, "names use lowercase letters, digits, '-' and '_' only.")
            continue
        if not isinstance(entry, dict):
            c.add(kp, f"expected a mapping (commands, workdir, ...), got {_kind(entry)}.")
            continue
        c.keys(kp, entry, allowed)
        commands = c.strings(f"{kp}.commands", entry.get("commands"), "shell commands")
        if not commands:
            c.add(f"{kp}.commands", "missing: give at least one shell command.")
        workdir_s = c.string(f"{kp}.workdir", entry.get("workdir", "."), "a folder") or "."
        workdir = (root / workdir_s).resolve()
        if not workdir.is_dir():
            c.add(f"{kp}.workdir", f"folder '{workdir_s}' does not exist (relative to the project root {root}).")
        step_tools = c.strings(f"{kp}.tools", entry.get("tools"), "tool names")
        for i, t in enumerate(step_tools):
            if t not in tools:
                c.add(f"{kp}.tools[{i}]", _unknown("tool", t, tools) + " Declare it under 'tools'.")
        artifact = None
        expect: dict[str, Any] = {}
        if section == "builds":
            artifact = c.string(f"{kp}.artifact", entry.get("artifact"), "the path of the built file")
            if artifact is None and "artifact" not in entry:
                c.add(f"{kp}.artifact", "missing: name the file the build produces (relative to workdir).")
            expect = c.mapping(f"{kp}.expect", entry.get("expect"), "linkage facts")
            c.keys(f"{kp}.expect", expect, EXPECT_KEYS)
            _expect_types(c, f"{kp}.expect", expect)
        out[str(name)] = Step(
            name=str(name),
            section=section,
            workdir=workdir,
            commands=commands,
            env=c.env(f"{kp}.env", entry.get("env")),
            timeout=c.number(f"{kp}.timeout", entry.get("timeout"), DEFAULT_TIMEOUT),
            inputs=c.strings(f"{kp}.inputs", entry.get("inputs"), "globs relative to the project root"),
            tools=step_tools,
            needs=c.strings(f"{kp}.needs", entry.get("needs"), "setup step names"),
            artifact=artifact,
            creates=c.string(f"{kp}.creates", entry.get("creates"), "a path") if section == "setup" else None,
            expect=dict(expect),
            raw=entry,
        )
    return out


def _expect_types(c: _Checker, kp: str, expect: dict) -> None:
    """The runner compares these with measured values: wrong types must fail here, not mid-run."""
    for key in ("kind", "libc", "interpreter"):
        if key in expect and not (expect[key] is None and key == "interpreter"):
            c.string(f"{kp}.{key}", expect[key] if isinstance(expect[key], str) else [], f"the expected {key}")
    if "needed" in expect and (not isinstance(expect["needed"], list) or not all(isinstance(n, str) for n in expect["needed"])):
        c.add(f"{kp}.needed", f"expected a list of library names, got {_kind(expect['needed'])}.")
    size = expect.get("max_size")
    if "max_size" in expect and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
        c.add(f"{kp}.max_size", f"expected a positive number of bytes, got {_kind(size)}.")


def _bases(c: _Checker, value: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for name, entry in c.mapping("bases", value, "base names to recipes").items():
        kp = f"bases.{name}"
        if not isinstance(entry, dict):
            c.add(kp, f"expected a mapping with 'kind', got {_kind(entry)}.")
            continue
        c.keys(kp, entry, BASE_KEYS)
        kind = entry.get("kind")
        if kind not in BASE_KINDS:
            c.add(f"{kp}.kind", f"expected one of {', '.join(BASE_KINDS)}, got {_kind(kind)}.")
        if kind == "debs" and not entry.get("packages"):
            c.add(f"{kp}.packages", "missing: a 'debs' base needs the Debian packages to unpack.")
        if kind == "registry" and not entry.get("image"):
            c.add(f"{kp}.image", "missing: a 'registry' base needs an image reference such as ubuntu:22.04.")
        c.strings(f"{kp}.packages", entry.get("packages"), "Debian package names")
        c.strings(f"{kp}.remove", entry.get("remove"), "globs inside the root")
        out[str(name)] = dict(entry)
    return out


def _images(c: _Checker, value: Any, bases: dict, builds: dict) -> dict[str, dict[str, Any]]:
    out = {}
    for name, entry in c.mapping("images", value, "image names to recipes").items():
        kp = f"images.{name}"
        if not isinstance(entry, dict):
            c.add(kp, f"expected a mapping with 'base' and 'files', got {_kind(entry)}.")
            continue
        c.keys(kp, entry, IMAGE_KEYS)
        if entry.get("dockerfile"):
            c.string(f"{kp}.dockerfile", entry.get("dockerfile"), "a Dockerfile path")
        else:
            base = entry.get("base")
            if not isinstance(base, str) or base not in bases:
                c.add(f"{kp}.base", _unknown("base", str(base), bases))
        files = entry.get("files") or []
        if not isinstance(files, list):
            c.add(f"{kp}.files", f"expected a list of {{build, dest, mode}}, got {_kind(files)}.")
            files = []
        for i, f in enumerate(files):
            fkp = f"{kp}.files[{i}]"
            if not isinstance(f, dict):
                c.add(fkp, f"expected a mapping {{build, dest, mode}}, got {_kind(f)}.")
                continue
            c.keys(fkp, f, FILE_KEYS)
            if not isinstance(f.get("build"), str) or f.get("build") not in builds:
                c.add(f"{fkp}.build", _unknown("build", str(f.get("build")), builds))
            dest = c.string(f"{fkp}.dest", f.get("dest"), "an absolute path in the image")
            if dest and not dest.startswith("/"):
                c.add(f"{fkp}.dest", f"'{dest}' must be absolute (start with '/').")
            mode = f.get("mode", 0o755)
            if isinstance(mode, bool) or not isinstance(mode, (int, str)) or isinstance(mode, int) and not 0 <= mode <= 0o7777:
                c.add(f"{fkp}.mode", f"expected an octal mode such as '0755', got {_kind(mode)}.")
            elif isinstance(mode, str):
                try:
                    f["mode"] = int(mode, 8)
                except ValueError:
                    c.add(f"{fkp}.mode", f"expected an octal mode such as '0755', got {mode!r}.")
        out[str(name)] = dict(entry)
    return out


def _probes(c: _Checker, value: Any, bases: dict, builds: dict) -> dict[str, Any]:
    probes = c.mapping("probes", value, "probe settings")
    if not probes:
        return {}
    c.keys("probes", probes, PROBE_KEYS)
    c.number("probes.timeout", probes.get("timeout"), 30.0)
    c.strings("probes.args", probes.get("args"), "arguments")
    for key, known, what in (("builds", builds, "build"), ("bases", bases, "base")):
        for i, n in enumerate(c.strings(f"probes.{key}", probes.get(key), f"{what} names")):
            if n not in known:
                c.add(f"probes.{key}[{i}]", _unknown(what, n, known))
    expect = c.mapping("probes.expect", probes.get("expect"), "build → base → runs|fails")
    for b, row in expect.items():
        if b not in builds:
            c.add(f"probes.expect.{b}", _unknown("build", str(b), builds))
        for base, verdict in c.mapping(f"probes.expect.{b}", row, "base → runs|fails").items():
            if base not in bases:
                c.add(f"probes.expect.{b}.{base}", _unknown("base", str(base), bases))
            if verdict not in ("runs", "fails"):
                c.add(f"probes.expect.{b}.{base}", f"expected 'runs' or 'fails', got {_kind(verdict)}.")
    return dict(probes)
