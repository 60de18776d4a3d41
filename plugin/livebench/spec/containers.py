"""The container sections of the spec: bases, images (base + files, or a Dockerfile) and the probe matrix."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .checker import Checker, did_you_mean, kind_of, reference, unknown
from .model import BASE_KINDS, MMDEBSTRAP_MODES, BaseSpec, FileSpec, ImageSpec, ProbeMatrix, Step

BASE_KEYS = {"description", "kind", "packages", "suite", "variant", "mirror", "remove", "image", "busybox_links",
             "mode"}
IMAGE_KEYS = {"description", "base", "files", "entrypoint", "cmd", "dockerfile", "context", "reference"}
FILE_KEYS = {"build", "dest", "mode"}
PROBE_KEYS = {"builds", "bases", "args", "timeout", "expect"}


def bases(c: Checker, value: Any) -> dict[str, BaseSpec]:
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
        mode = entry.get("mode", "auto")
        if kind != "mmdebstrap" and "mode" in entry:
            c.add(f"{kp}.mode", f"only `kind: mmdebstrap` takes a mode; remove it from this {kind} base.")
        elif mode not in MMDEBSTRAP_MODES:
            c.add(f"{kp}.mode", f"expected one of {', '.join(MMDEBSTRAP_MODES)}, got {kind_of(mode)}."
                                f"{did_you_mean(str(mode), MMDEBSTRAP_MODES)}")
            mode = "auto"
        packages = c.strings(f"{kp}.packages", entry.get("packages"), "Debian package names")
        remove = c.strings(f"{kp}.remove", entry.get("remove"), "globs inside the root")
        out[str(name)] = BaseSpec(
            name=str(name), kind=kind, packages=packages,
            suite=c.string(f"{kp}.suite", entry.get("suite"), "a Debian suite") or "bookworm",
            variant=c.string(f"{kp}.variant", entry.get("variant"), "a debootstrap/mmdebstrap variant") or "minbase",
            mirror=c.string(f"{kp}.mirror", entry.get("mirror"), "a Debian mirror URL"), remove=remove,
            image=c.string(f"{kp}.image", entry.get("image"), "an image reference"),
            symlink_busybox=bool(entry.get("busybox_links")), mode=str(mode),
            description=str(entry.get("description") or ""))
    return out


def _words(c: Checker, kp: str, value: Any, what: str) -> tuple[str, ...] | None:
    return None if value is None else c.strings(kp, value, what)


def images(c: Checker, value: Any, bases: Mapping[str, BaseSpec], builds: Mapping[str, Step]) -> dict[str, ImageSpec]:
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
            reference=reference(c, f"{kp}.reference", entry.get("reference")),
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


def probes(c: Checker, value: Any, bases: Mapping[str, BaseSpec], builds: Mapping[str, Step]) -> ProbeMatrix:
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
