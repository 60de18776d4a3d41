"""What the author declared, as frozen dataclasses: the Plan every later stage reads.

Nothing here runs anything. Validation (``spec.validate``) builds these from the YAML without
changing the YAML, so the cache keys that hash a declaration (``Step.key_entry``,
``BaseSpec.recipe``, ``ImageSpec.recipe``) see exactly what was written, minus free text.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from .._util.units import human_size

StepSection = Literal["setup", "builds"]
BaseKind = Literal["scratch", "debs", "mmdebstrap", "debootstrap", "registry"]
BASE_KINDS: tuple[BaseKind, ...] = ("scratch", "debs", "mmdebstrap", "debootstrap", "registry")
# mmdebstrap's modes: `auto` is root as root, else unshare (user namespaces), else fakechroot.
MMDEBSTRAP_MODES = ("auto", "root", "unshare", "fakechroot")
Verdict = Literal["runs", "fails"]
# Targets `rust-target:` can build offline (their std from Debian's packages, into the cache).
RUST_TARGETS = ("x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl")
# Keys that describe an entry for people and change nothing it produces: never part of a cache key.
FREE_TEXT_KEYS = frozenset({"description"})


@dataclass(frozen=True)
class Tool:
    """A tool whose version output is recorded in provenance and keys the cache."""

    name: str
    version_command: str
    package: str | None = None  # the Debian package to install when the command fails


@dataclass(frozen=True)
class Reference:
    """A figure published elsewhere, shown on pages only labelled as such (never as measured)."""

    value: str  # as the source printed it, e.g. "78.8 MB"
    source: str  # who measured it, e.g. "the reference article (2023), ubuntu22.04-glibc"


@dataclass(frozen=True)
class Expect:
    """What a build's artifact must look like; checked by ``verify.expect`` after inspection."""

    kind: str | None = None
    libc: str | None = None
    interpreter: str | None = None
    interpreter_set: bool = False  # `interpreter: none` (no PT_INTERP) differs from not saying
    needed: tuple[str, ...] | None = None
    max_size: int | None = None

    def items(self) -> list[tuple[str, Any]]:
        """The declared expectations, in the order they were documented."""
        out: list[tuple[str, Any]] = []
        for key in ("kind", "libc"):
            if getattr(self, key) is not None:
                out.append((key, getattr(self, key)))
        if self.interpreter_set:
            out.append(("interpreter", self.interpreter))
        if self.needed is not None:
            out.append(("needed", list(self.needed)))
        if self.max_size is not None:
            out.append(("max_size", self.max_size))
        return out


@dataclass(frozen=True)
class Step:
    """A setup step or a build: commands run with bash in ``workdir``."""

    name: str
    section: StepSection
    workdir: Path
    commands: tuple[str, ...]
    env: Mapping[str, str]
    timeout: float
    inputs: tuple[str, ...]
    tools: tuple[str, ...]
    needs: tuple[str, ...]
    artifact: str | None = None
    creates: str | None = None
    expect: Expect = field(default_factory=Expect)
    reference: Reference | None = None
    rust_target: str | None = None  # a built-in setup step: `livebench rust-target add TARGET`
    incremental: bool = False  # keep $LIVEBENCH_WORK between runs (opt-in: pages then say so)
    raw: Mapping[str, Any] = field(default_factory=dict)  # the entry as written

    @property
    def key_path(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def key_entry(self) -> dict[str, Any]:
        """The entry as written, less free text: the part of a cache key that comes from the spec."""
        return {k: v for k, v in self.raw.items() if k not in FREE_TEXT_KEYS and k != "reference"}


@dataclass(frozen=True)
class BaseSpec:
    """A base image recipe: every kind ends as one deterministic layer tar."""

    name: str
    kind: BaseKind
    packages: tuple[str, ...] = ()
    suite: str = "bookworm"
    variant: str = "minbase"
    mirror: str | None = None  # None: the mirror this machine's apt already uses for ``suite``
    remove: tuple[str, ...] = ()  # globs relative to the root, deleted before the layer is written
    image: str | None = None  # registry kind: e.g. "ubuntu:22.04"
    symlink_busybox: bool = False  # create busybox's applet links (/bin/sh -> busybox ...)
    mode: str = "auto"  # mmdebstrap: how it gets root's powers (every mode writes the same bytes)
    description: str = ""

    def recipe(self) -> dict[str, Any]:
        """What the layer is made from (the cache key's part); the description and mode are not."""
        d = asdict(self)
        d.pop("description")
        d.pop("mode")  # root, unshare and fakechroot give a byte-identical tarball (tested)
        return d


@dataclass(frozen=True)
class FileSpec:
    """One file an image adds: a build's artifact at ``dest`` with ``mode``."""

    build: str
    dest: str
    mode: int = 0o755


@dataclass(frozen=True)
class ImageSpec:
    """An image: a base plus files from builds, or a Dockerfile (docker backend only)."""

    name: str
    base: str | None
    files: tuple[FileSpec, ...] = ()
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    dockerfile: str | None = None  # relative to the project root
    context: str | None = None  # build context of the Dockerfile (default: its folder)
    reference: Reference | None = None
    description: str = ""

    def recipe(self) -> dict[str, Any]:
        """What the image is made from, as plain data (the cache key's part)."""
        d = asdict(self)
        for k in ("description", "reference", "name"):
            d.pop(k)
        return d


@dataclass(frozen=True)
class ProbeMatrix:
    """Every listed build in every listed base, with no network; the expected verdict per cell."""

    builds: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    timeout: float = 30.0
    expect: Mapping[str, Mapping[str, Verdict]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.builds and self.bases)

    def expected(self, build: str, base: str) -> Verdict | None:
        return (self.expect.get(build) or {}).get(base)


@dataclass(frozen=True)
class Benchmark:
    """How fast builds run: one command template, run for every variant, interleaved."""

    name: str
    variants: tuple[str, ...]  # build names; their artifact replaces {artifact} in the command
    command: str  # e.g. "{artifact} ::2 {data}/words.txt"; a shell runs it only if it needs one
    base: str | None = None  # None: on the host; else in the sandbox, in this base's root (no network)
    prepare: tuple[str, ...] = ()  # bash commands writing the inputs into {data}, run once and cached
    warmup: int = 3
    min_runs: int = 10
    max_runs: int = 500
    min_time: float = 3.0  # seconds of samples of the slowest variant (hyperfine's default, per command)
    timeout: float = 60.0  # seconds per run
    exit_code: int = 0
    env: Mapping[str, str] = field(default_factory=dict)
    compare_to: str = ""  # the variant the others are compared with (default: the first)
    alpha: float = 0.05  # Mann–Whitney U's significance level
    min_effect: float = 0.05  # a smaller ratio change is never called faster or slower
    description: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reference_variant(self) -> str:
        return self.compare_to or self.variants[0]

    @property
    def key_entry(self) -> dict[str, Any]:
        """The entry as written, less free text: the spec's part of the measurement's cache key."""
        return {k: v for k, v in self.raw.items() if k not in FREE_TEXT_KEYS}


@dataclass(frozen=True)
class Tolerance:
    """How far a run may move from the baseline before ``livebench check`` fails."""

    size: float = 0.0  # build artifact sizes, as a fraction (0.01 = 1%)
    image_size: float = 0.0  # image sizes (uncompressed and compressed)
    seconds: float = 3.0  # build seconds: a wide band, machines differ
    min_seconds: float = 10.0  # time changes smaller than this many seconds never count

    def to_dict(self) -> dict[str, str]:
        return {"size": f"{self.size * 100:g}%", "image_size": f"{self.image_size * 100:g}%",
                "seconds": f"{self.seconds * 100:g}%", "min_seconds": f"{self.min_seconds:g}"}



@dataclass(frozen=True)
class Fact:
    """One checkable statement about one build, image or probe."""

    subject: Literal["build", "image", "probe", "bench"]
    name: str  # build or image name; for probes the build
    field: str  # build: kind/libc/interpreter/needed/size; image: size/compressed/smaller_than[_compressed]; probe: result
    expected: Any  # a word, None (no interpreter), a list of libraries, bytes, or (other image, factor)
    base: str | None = None  # probes only; for benchmarks the variant compared with
    machine: str | None = None  # in a merged record: true on this machine, or on "all" (None: the primary)

    def describe(self) -> str:
        """The fact in the inline claim syntax (what a reader of a report can paste into a page)."""
        if self.machine:
            return f"{replace(self, machine=None).describe()} on {self.machine}"
        if self.subject == "bench":  # name "BENCH.VARIANT", field faster_than | slower_than | within
            if self.field == "within":
                return f"bench.{self.name} within {self.expected * 100:g}% of {self.base}"
            factor = f" by {self.expected:g}x" if self.expected != 1 else ""
            return f"bench.{self.name} {self.field} {self.base}{factor}"
        if self.subject == "probe":
            return f"probe.{self.name}.{self.base} == {self.expected}"
        if self.field == "smaller_than":
            other, factor = self.expected
            return f"image.{self.name}.size <= image.{other}.size / {factor:g}"
        if self.field == "needed":
            return f"build.{self.name}.needed in [{', '.join(self.expected)}]"
        if self.field in ("size", "compressed"):
            return f"{self.subject}.{self.name}.{self.field} <= {human_size(self.expected)}"
        value = "none" if self.expected is None else self.expected
        return f"{self.subject}.{self.name}.{self.field} == {value}"


@dataclass(frozen=True)
class Claim:
    """A fact the prose relies on, with where it is written (spec line or page line)."""

    id: str
    text: str
    where: str  # "benchmarks/livebench.yml:210" or "docs/container-diet.md:139"
    facts: tuple[Fact, ...]
    source: Literal["spec", "page"] = "spec"

    @property
    def expression(self) -> str:
        return " and ".join(f.describe() for f in self.facts)


@dataclass(frozen=True)
class Plan:
    """A validated spec: everything the run needs, nothing MkDocs-specific."""

    path: Path
    root: Path
    tools: Mapping[str, Tool]
    env: Mapping[str, str]
    setup: Mapping[str, Step]
    builds: Mapping[str, Step]
    bases: Mapping[str, BaseSpec]
    images: Mapping[str, ImageSpec]
    probes: ProbeMatrix
    claims: tuple[Claim, ...]
    lines: Mapping[str, int] = field(default_factory=dict)
    drift: Tolerance = field(default_factory=Tolerance)  # tolerances for `livebench check`
    baseline: str | None = None  # the baseline file, relative to the root (default: next to the spec)
    measurements: Mapping[str, str] = field(default_factory=dict)  # name -> glob of JSON result files
    benchmarks: Mapping[str, Benchmark] = field(default_factory=dict)
    display_root: str = "~/project"  # how transcripts show the project's folder (never this machine's path)

    def where(self, key_path: str) -> str:
        """``file:line`` for a key path, as precise as the YAML allows."""
        line = self.lines.get(key_path)
        rel = display_path(self.path, self.root)
        return f"{rel}:{line}" if line else rel

    def used_bases(self) -> list[str]:
        """The bases something uses (an image or the probe matrix), in declaration order."""
        used = set(self.probes.bases) | {i.base for i in self.images.values() if i.base} | \
            {b.base for b in self.benchmarks.values() if b.base}
        return [n for n in self.bases if n in used]

    def baseline_path(self) -> Path:
        """The baseline file: the spec's ``baseline:``, else ``baseline.json`` next to the spec."""
        path = Path(self.baseline) if self.baseline else self.path.parent / "baseline.json"
        return path if path.is_absolute() else self.root / path


def display_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
