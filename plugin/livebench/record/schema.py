"""The shape of the results record, as types: one ``TypedDict`` per entry.

The record (``results.json``) is the one JSON document every number on the site is read from. These
types describe it exactly as it is written: the keys, which of them can be absent, and what each
holds. ``livebench.record.jsonschema`` turns them into the committed JSON Schema
(``assets/results.schema.json``), and the tests check real records against it.

Rules kept here:

* Keys are the JSON keys, spelled as in the file. ``NotRequired`` marks a key that some entries have
  and others lack (a failed build has no ``artifact``); a key that is always written but may be
  ``null`` is ``X | None`` instead.
* An entry livebench writes itself is closed (``extra: forbid``): a key it does not know is an error.
  Measurements are open: their content is whatever the benchmark script wrote.
* No ``from __future__ import annotations``: pydantic reads these annotations at run time, so each
  must evaluate on every Python the project supports (3.10 and later). Every class is defined
  after the classes it names, so no annotation is a string.

Nothing here imports pydantic (a test and development dependency); ``__pydantic_config__`` is a
plain dict that pydantic reads and everything else ignores.
"""
from typing import Any, Literal

try:
    # NotRequired is in the stdlib from 3.11 only, and pydantic accepts only typing_extensions'
    # TypedDict before 3.12; pydantic depends on typing_extensions, so whenever it is present so is this.
    from typing import NotRequired

    from typing_extensions import TypedDict
except ImportError:  # pragma: no cover - Python 3.11+ without typing_extensions (no pydantic either)
    from typing import NotRequired, TypedDict

from .bench_schema import BenchmarkEntry
from .timeline_schema import Timeline

__all__ = [
    "SCHEMA", "SCHEMA_ID", "Record", "Provenance", "EngineInfo", "Transcript", "SetupEntry", "BuildEntry",
    "Artifact", "LinkageEntry", "BaseEntry", "ImageEntry", "ImageSize", "LayerEntry", "ProbeEntry", "Failure",
    "ClaimEntry", "ClaimFact", "BaselineInfo", "Tolerance", "DriftEntry", "Measurement", "Reference",
    "BenchmarkEntry", "MergedInfo",
]

SCHEMA = 1
"""The record's format version (its ``schema`` key). Raise it when a key changes meaning or goes away."""

SCHEMA_ID = "livebench/results.schema.json"
"""The JSON Schema's ``$id``: relative, naming the file as the plugin ships it (``assets/``)."""

# pydantic reads these; a key the entry does not declare fails validation (forbid) or is kept (allow).
_CLOSED: dict[str, Any] = {"extra": "forbid"}
_OPEN: dict[str, Any] = {"extra": "allow"}


# -- commands ------------------------------------------------------------------------------------

class Transcript(TypedDict):
    """One command as it ran: what a reader would have seen in a terminal (``_util.proc.run_command``)."""

    command: str  # the bash command line as written in the spec (bash itself expands its variables)
    shown: NotRequired[str]  # the command as pages show it: livebench's variables by value, neutral folders (run/display.py)
    output: str  # stdout and stderr interleaved as printed, this machine's folders shown neutrally; a kill or a leftover process adds a [livebench: ...] line
    exit_code: int  # negative (-9) when the command was killed on its timeout
    seconds: float  # wall time, rounded to the millisecond
    timed_out: NotRequired[bool]  # only written (true) when the command was killed on its timeout

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


# -- provenance ----------------------------------------------------------------------------------

class EngineInfo(TypedDict):
    """The container engine that measured the images and ran the probes (``run.images.engine.engine_info``)."""

    version: str | None  # Docker Engine version ("27.3.1")
    api_version: str | None
    storage_driver: str | None  # "overlay2", "vfs", ...: engine sizes depend on it
    image_store: Literal["classic", "containerd"]  # containerd's store counts sizes differently
    kernel: str | None  # the engine host's kernel
    os: str | None  # the engine host's OS name
    cgroup: str  # "DRIVER vVERSION", e.g. "systemd v2"
    host: NotRequired[str]  # the endpoint talked to: "unix:///var/run/docker.sock", "tcp://…", "ssh://…"
    host_from: NotRequired[Literal["DOCKER_HOST", "default"] | str]  # or "docker context NAME"

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class Provenance(TypedDict):
    """Where, when and with what the record was measured (``record.provenance`` plus the image stage)."""

    machine: NotRequired[str]  # the machine's id in a merged record: `run --machine NAME`, else "ARCH-" + 6 hex digits of the host name's hash
    spec_digest: NotRequired[str]  # "sha256:..." of the spec file: only records of one spec merge
    tools: dict[str, str]  # tool name -> its version command's output; "docker" added with the docker backend
    kernel: str  # "SYSTEM RELEASE VERSION" of the measuring machine (uname)
    arch: str  # uname machine, e.g. "x86_64"
    os: str | None  # PRETTY_NAME of /etc/os-release, null when unreadable
    date: str  # ISO 8601, UTC, seconds precision
    git_commit: str | None  # HEAD of the project, null outside a git work tree
    git_dirty: bool  # tracked files had changes (untracked ones do not count)
    livebench: str  # the plugin's version
    python: str
    backend: NotRequired[Literal["docker", "embedded"]]  # only when images or probes ran (the image stage)
    engine: EngineInfo | None  # null without an engine (embedded backend, or no image stage)

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


# -- setup steps and builds ----------------------------------------------------------------------

class SetupEntry(TypedDict):
    """One setup step's run (``run.steps``): also the fields every build entry has."""

    ok: bool
    cached: bool  # reused from the cache: transcript and seconds are those of the run that made it
    key: str | None  # cache key "sha256:..."; null when the step failed before it could be computed
    error: str | None  # the failure message ("FILE:LINE: KEY: ..."), null when ok
    seconds: float  # sum of the transcript's seconds
    transcript: list[Transcript]  # empty when the step failed before running a command
    skipped: NotRequired[bool]  # true: not run, because a setup step it needs failed (reported there)
    exports: NotRequired[dict[str, str]]  # setup steps: the variables handed to the builds that need them
    incremental: NotRequired[bool]  # true: run in the work folder of earlier runs (the spec's opt-in)
    inputs: NotRequired[dict[str, str]]  # declared input file (relative to the root) -> sha256 the key used

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class Reference(TypedDict):
    """A figure published elsewhere (the spec's ``reference:``), shown only labelled with its source."""

    value: str  # as the source printed it ("78.8 MB")
    source: str  # who measured it and where it was published

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class Artifact(TypedDict):
    """The file a build produced, as copied into the cache."""

    name: str  # file name
    declared: str  # the spec's `artifact:` as written (before ${VAR} expansion)
    size: int  # bytes
    sha256: str  # hex digest, no "sha256:" prefix
    path: str  # the cached copy: relative to the project root when inside it, else absolute

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


# Functional form: "class" is a Python keyword, so it cannot be written as a class attribute.
LinkageEntry = TypedDict("LinkageEntry", {
    "path": str,  # the artifact's path (as in Artifact.path), not where it was built
    "size": int,  # bytes
    "class": Literal["ELF32", "ELF64"],
    "endian": Literal["little", "big"],
    "machine": str,  # "x86_64", "aarch64", ... or pyelftools' raw e_machine name
    "kind": Literal["static", "static-pie", "dynamic", "shared-library", "unknown"],
    "kind_evidence": list[str],  # why that kind (ELF type, PT_INTERP, DF_1_PIE, ...)
    "libc": Literal["glibc", "musl", "none", "unknown"],  # "none": links no C library (Go, bare Rust)
    "libc_evidence": list[str],
    "interpreter": str | None,  # PT_INTERP, null for static files
    "soname": str | None,  # DT_SONAME
    "needed": list[str],  # DT_NEEDED, in file order
    "rpath": list[str],
    "runpath": list[str],
    "stripped": bool,  # no .symtab
    "reason": str | None,  # why kind or libc is "unknown"; null otherwise
    # each library ldd would list (DT_NEEDED, transitively) -> the host path it resolves to, null if not found
    "resolved": dict[str, str | None],
    "ldd": str,  # the listing as `ldd` prints it, without load addresses
})
LinkageEntry.__doc__ = """How a build's artifact is linked (``run.elf.Linkage.to_dict``), read from the ELF file, never run.

The build step adds ``resolved`` (needed libraries only, on this host), ``ldd`` and ``path``."""
LinkageEntry.__pydantic_config__ = _CLOSED  # type: ignore[attr-defined]


class BuildEntry(SetupEntry):
    """One build's run: a setup entry, plus its artifact and how that is linked when the commands succeeded."""

    artifact: NotRequired[Artifact]  # absent when the build failed
    linkage: NotRequired[LinkageEntry | None]  # absent when the build failed; null when not inspectable
    linkage_error: NotRequired[str]  # only with "linkage": null, the inspection's message
    expect_failures: NotRequired[list[str]]  # with the artifact: the spec's `expect:` lines that did not hold
    reference: NotRequired[Reference]  # the spec's `reference:` for this build, if any

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


# -- bases and images ----------------------------------------------------------------------------

class BaseEntry(TypedDict):
    """A base image that an image or probe uses: how it was made and what it measures."""

    kind: Literal["scratch", "debs", "mmdebstrap", "debootstrap", "registry"]
    diff_id: str  # "sha256:..." of its one deterministic layer tar
    size: int  # engine-comparable bytes: files' apparent sizes, hard links once, symlink target lengths
    files: int  # entries in the layer
    cached: bool
    seconds: float  # of this run (near 0 when cached), not of the build that made it
    transcript: list[Transcript]  # of the build that made it (kept with the cache entry)

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class ImageSize(TypedDict):
    """An image's sizes in bytes, three ways."""

    uncompressed: int  # what `docker images` shows on a classic store: per layer, summed over layers
    compressed: int  # sum of the gzip blobs (what a registry stores)
    engine: int | None  # the engine's own Size (checked to equal ours); null without an engine

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class LayerEntry(TypedDict):
    """One layer of an image (``run.images.model.LayerResult``)."""

    digest: str  # diff_id: "sha256:..." of the uncompressed tar
    size: int  # bytes, measured as ImageSize.uncompressed
    compressed_size: int  # bytes of its gzip blob
    role: Literal["base", "app"]
    blob: str  # "sha256:..." of the gzip blob (the manifest's descriptor)

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class ImageEntry(TypedDict):
    """An image built around build artifacts (``run.images.model.ImageResult.to_dict``, plus ``cached``)."""

    base: str  # name of the base (a key of Record.bases)
    backend: Literal["docker", "embedded"]
    ref: str  # "livebench/NAME:latest"
    id: str  # config digest "sha256:...", the engine's image ID
    manifest: str | None  # OCI manifest digest; null for Dockerfile images (they live in the engine)
    size: ImageSize
    layers: list[LayerEntry]  # bottom first
    engine: EngineInfo | None  # the engine that holds it; null with the embedded backend
    oci_layout: str | None  # absolute path of the shared OCI layout folder; null for Dockerfile images
    seconds: float  # of the run that built it
    cached: bool
    reference: NotRequired[Reference]  # the spec's `reference:` for this image, if any

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class ProbeEntry(TypedDict):
    """One cell of the probe matrix: a build's binary run inside a base, without network."""

    exit_code: int  # 125/126/127 are Docker's own (cannot start); -9 after a timeout
    output: str  # stdout and stderr interleaved
    command: str  # exactly as run (docker CLI, unshare+chroot) or its CLI equivalent (SDK), one click away on pages
    shown: NotRequired[str]  # what a reader would type in that base (`/hello`): the terminal shows this
    seconds: float
    how: Literal["docker", "sandbox"]
    via: Literal["docker-cli", "docker-sdk", "unshare+chroot"]
    timed_out: bool  # always written here (unlike Transcript.timed_out)
    cached: bool
    expected: Literal["runs", "fails"] | None  # the spec's probes.expect; null when not declared
    ok: bool  # the outcome matches `expected` (true when nothing is expected)
    emulated: NotRequired[str]  # a binary of another CPU run under QEMU's user-mode emulator: which one

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


# -- failures, claims, drift ---------------------------------------------------------------------

class Failure(TypedDict):
    """Something that failed: a step, base, image, probe, expectation, measurement or a false claim."""

    what: str  # spec key path ("builds.NAME", "images.NAME", "probes.expect.BUILD.BASE", "claims.ID", ...)
    message: str  # what failed, where it is declared (FILE:LINE) and what to do
    kind: NotRequired[Literal["claim", "expect"]]  # added by verify (a false claim, an unmet expect:), replaced on every check
    syntax: NotRequired[bool]  # only on claim failures: an unreadable claim, which its page reports itself
    cause: NotRequired[str]  # the key path of the failure this one follows from (a skipped image: "bases.NAME")

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class ClaimFact(TypedDict):
    """One checked fact of a claim."""

    check: str  # the fact as an inline claim expression ("build.hello.kind == static")
    ok: bool | None  # null: not measured in this run (a partial run)
    measured: str
    expected: str

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class ClaimEntry(TypedDict):
    """A claim of the spec or of a page, checked against this record (``verify.claims.evaluate``)."""

    id: str  # the spec's id, else its key path; for an unreadable page claim, where it is written
    text: str  # the sentence it backs; its expression when none was given; "" for an unreadable one
    where: str  # "FILE:LINE" of the spec or the page
    source: Literal["spec", "page"]
    ok: bool | None  # null: some fact not measured in this run (a partial run), none false
    measured: str | None  # of the deciding facts (the false ones if any); null for an unreadable claim
    expected: str | None  # likewise
    reproduce: str | None  # a command that measures it again; likewise
    facts: list[ClaimFact]  # empty for an unreadable claim
    error: NotRequired[str]  # only on an unreadable page claim: why it cannot be read
    syntax: NotRequired[bool]  # only on an unreadable page claim (true)

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class Tolerance(TypedDict):
    """The drift tolerances in force (``spec.model.Tolerance.to_dict``)."""

    size: str  # build artifact sizes, a percentage such as "0%"
    image_size: str  # image sizes, a percentage
    seconds: str  # build seconds, a percentage such as "300%"
    min_seconds: str  # a number of seconds: smaller time changes never count

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class BaselineInfo(TypedDict):
    """The baseline the record was compared with (``Record.baseline``, null without one)."""

    path: str  # relative to the project root when inside it
    measured: dict[str, str | None] | None  # the baseline's own provenance: date, git_commit, arch, kernel, backend
    tolerance: Tolerance

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


# a metric's value: bytes (int), build seconds (float), a kind, C library or probe verdict (str)
_Metric = int | float | str | None


class DriftEntry(TypedDict):
    """One metric that differs from the baseline (``verify.drift.compare``)."""

    metric: str  # "builds.NAME.size", "images.NAME.size.compressed", "probes.BUILD.BASE", "tools.NAME", ...
    baseline: _Metric  # null for a new metric
    now: _Metric  # null for a metric gone from the record
    change: str  # "+1.25%", or "changed" (must match exactly), "gone", "new", "tool" (a version, informational)
    tolerance: str | None  # the percentage that applied; null when none does
    ok: bool

    __pydantic_config__ = _CLOSED  # type: ignore[misc]


class Measurement(TypedDict):
    """One measurement file read into the record (``measurements.load``): its JSON object plus two keys.

    Open: every other key is the file's own (the perf scripts write ``benchmark``, ``title``,
    ``unit``, ``variants``, ``samples``, ``ratios``, ``targets`` and ``measured``), not checked here.
    """

    file: str  # the file, relative to the project root
    sha256: str  # hex digest of its bytes

    __pydantic_config__ = _OPEN  # type: ignore[misc]


# -- the record ----------------------------------------------------------------------------------

MergedInfo = TypedDict("MergedInfo", {
    "primary": str,  # the machine whose sections are the record's own
    "from": dict[str, str],  # machine id -> the file it was read from
})
MergedInfo.__doc__ = """How a merged record was made (``livebench merge``)."""
MergedInfo.__pydantic_config__ = _CLOSED  # type: ignore[attr-defined]


class Record(TypedDict):
    """The results record: every number, table, chart and transcript on a page is read from it."""

    schema: Literal[1]  # SCHEMA: the record's format version
    provenance: Provenance
    setup: dict[str, SetupEntry]  # step name -> its run; only the steps the selected builds need
    builds: dict[str, BuildEntry]  # build name -> its run
    bases: dict[str, BaseEntry]  # base name -> how it was made; only those an image or probe uses
    images: dict[str, ImageEntry]  # image name -> its sizes and layers
    probes: dict[str, dict[str, ProbeEntry]]  # build name -> base name -> the run
    failures: list[Failure]  # everything that failed; empty when all is well
    benchmarks: NotRequired[dict[str, BenchmarkEntry]]  # only when the spec has `benchmarks:`
    timeline: NotRequired[Timeline]  # this run's graph; absent in records written before it
    timeline_cold: NotRequired[Timeline]  # the last run in which every node ran (this one, or kept in the cache)
    docker_images: NotRequired[Transcript]  # `docker images 'livebench/*'` as the engine's CLI printed it, declared images only
    measurements: NotRequired[dict[str, dict[str, Measurement]]]  # only when the spec has `measurements:`; name -> file stem -> it
    claims: list[ClaimEntry]  # every claim of the spec and the pages
    baseline: BaselineInfo | None  # null when there is no baseline file
    drift: list[DriftEntry]  # empty without a baseline, or when nothing moved
    # only in a record from `livebench merge`: machine id -> that machine's whole record (this record's
    # own sections are the primary machine's), and where each came from
    machines: NotRequired[dict[str, dict[str, Any]]]
    merged: NotRequired[MergedInfo]

    __pydantic_config__ = _CLOSED  # type: ignore[misc]
