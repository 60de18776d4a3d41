"""Base images built offline from Debian packages, cached by their recipe.

Kinds:
- ``scratch``: an empty layer.
- ``debs``: ``apt-get download`` + hardened unpacking, no maintainer scripts (distroless's recipe).
- ``mmdebstrap``: ``mmdebstrap --variant=minbase SUITE rootfs.tar MIRROR``, without root (user
  namespaces, or fakechroot), reproducible through SOURCE_DATE_EPOCH (the role of ubuntu:22.04 /
  debian:bookworm in the article).
- ``debootstrap``: the same root through ``debootstrap``, which needs root.
- ``registry``: an image the engine already holds (nothing can be pulled on offline machines).

Every kind ends as one deterministic layer tar (see ``layers``). A cache entry lives in
``<cache>/bases/<name>-<key16>/`` and appears only by atomic rename; failures are never cached.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import tempfile
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from ..._util.log import info
from ..._util.proc import run_command, system_tool
from ...errors import ImageError
from ...spec.model import BaseSpec
from . import engine, layers
from .extract import extract_deb, extract_tar
from .model import BaseResult

BASE_SCHEMA = 1
META = "base.json"



# -- recipe keys ---------------------------------------------------------------------------------

def apt_mirror(suite: str, sources: Path = Path("/etc/apt")) -> str:
    """The first Debian mirror in this machine's apt sources that serves ``suite`` (main)."""
    candidates: list[tuple[str, list[str]]] = []
    for f in [sources / "sources.list", *sorted((sources / "sources.list.d").glob("*.list"))]:
        if f.is_file():
            for line in f.read_text(errors="replace").splitlines():
                words = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()  # drop [signed-by=...]
                if len(words) >= 3 and words[0] == "deb":
                    candidates.append((words[1], [words[2]]))
    for f in sorted((sources / "sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", f.read_text(errors="replace")):
            fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, flags=re.M))
            if "deb" in fields.get("Types", "").split():
                for uri in fields.get("URIs", "").split():
                    candidates.append((uri, fields.get("Suites", "").split()))
    for uri, suites in candidates:
        if suite in suites and "security" not in uri:
            return uri.rstrip("/")
    raise ImageError(
        f"no Debian mirror for suite {suite!r} in /etc/apt/sources.list(.d); set `mirror:` on the base "
        f"(e.g. http://deb.debian.org/debian).")


# `apt-cache policy` takes ~0.7 s (apt rebuilds its cache when pkgcache.bin is absent); its answer only
# changes with the package state, so it is asked once per package set and state: memo in the process
# (`mkdocs serve` re-runs) and in the cache folder (warm `livebench run`s).
_APT_STATE = ("/var/lib/dpkg/status", "/var/lib/apt/lists", "/etc/apt/sources.list", "/etc/apt/sources.list.d",
              "/etc/apt/preferences.d")
_POLICY_MEMO: dict[tuple, dict[str, str]] = {}


def _apt_state() -> tuple:
    out = []
    for p in _APT_STATE:
        try:
            st = os.stat(p)
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def _candidate_versions(packages: tuple[str, ...], memo_file: Path | None = None) -> dict[str, str]:
    memo_key = (tuple(packages), _apt_state())
    if memo_key in _POLICY_MEMO:
        return dict(_POLICY_MEMO[memo_key])
    disk_key = json.dumps(memo_key)
    disk: dict[str, Any] = {}
    if memo_file is not None:
        try:
            disk = json.loads(memo_file.read_text())
        except (OSError, ValueError):
            disk = {}
        if isinstance(disk, dict) and isinstance(disk.get(disk_key), dict):
            _POLICY_MEMO[memo_key] = dict(disk[disk_key])
            return dict(disk[disk_key])
    versions = _apt_policy(packages)
    _POLICY_MEMO[memo_key] = dict(versions)
    if memo_file is not None:
        state = json.dumps(list(memo_key[1]))
        # keep only entries of the current package state (older ones can never match again)
        kept = {k: v for k, v in disk.items() if isinstance(k, str) and json.dumps(json.loads(k)[1]) == state} \
            if isinstance(disk, dict) else {}
        kept[disk_key] = versions
        tmp = memo_file.with_name(f".{memo_file.name}.{os.getpid()}")
        try:
            memo_file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(kept, sort_keys=True))
            os.replace(tmp, memo_file)
        except OSError:
            pass  # only a memo
    return versions


def _apt_policy(packages: tuple[str, ...]) -> dict[str, str]:
    out = run_command("apt-cache policy " + " ".join(shlex.quote(p) for p in packages), cwd="/", timeout=60)
    versions: dict[str, str] = {}
    current = None
    for line in out["output"].splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            current = line[:-1]
        elif current and line.strip().startswith("Candidate:"):
            versions[current] = line.split(":", 1)[1].strip()
    missing = [p for p in packages if versions.get(p) in (None, "(none)")]
    if missing:
        raise ImageError(f"apt has no candidate for {', '.join(missing)}: run `apt-get update` or fix the "
                         f"package names of this base.")
    return versions


def _lists_date(mirror: str, suite: str) -> str | None:
    """Date of the local apt lists' InRelease for mirror/suite: a free proxy for 'what debootstrap gets'."""
    stem = re.sub(r"^\w+://", "", mirror).replace("/", "_")
    f = Path("/var/lib/apt/lists") / f"{stem}_dists_{suite}_InRelease"
    if f.is_file():
        m = re.search(r"^Date: (.*)$", f.read_text(errors="replace"), flags=re.M)
        return m.group(1) if m else None
    return None


def recipe_key(spec: BaseSpec, policy_memo: Path | None = None) -> tuple[str, dict[str, Any]]:
    parts: dict[str, Any] = {"schema": BASE_SCHEMA, "layer_format": layers.LAYER_FORMAT,
                             "epoch": layers.source_date_epoch(), "spec": spec.recipe()}
    if spec.kind == "debs":
        parts["versions"] = _candidate_versions(spec.packages, policy_memo)
    elif spec.kind in ("mmdebstrap", "debootstrap"):
        mirror = spec.mirror or apt_mirror(spec.suite)
        parts["mirror"] = mirror
        parts["lists_date"] = _lists_date(mirror, spec.suite)
        out = run_command(f"dpkg-query -W {spec.kind}", cwd="/", timeout=30)
        parts[spec.kind] = out["output"].strip()
        parts["host_files"] = "removed"  # since the host's resolv.conf and hostname are left out
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest(), parts


# -- building -----------------------------------------------------------------------------------

def _run(transcript: list[dict], command: str, cwd: Path, timeout: float, what: str) -> dict:
    info(f"base {what}: $ {command}")
    entry = run_command(command, cwd=cwd, timeout=timeout)
    transcript.append(entry)
    if entry["exit_code"] != 0:
        tail = "\n".join(entry["output"].strip().splitlines()[-15:])
        raise ImageError(f"base {what}: `{command}` failed (exit {entry['exit_code']}):\n{tail}\n"
                         f"Fix the recipe (package names, mirror, network to the Debian mirror) and rebuild.")
    return entry


def _inside(root: Path, path: Path) -> bool:
    """Whether ``path`` resolves (symlinks followed on the host, as a write would) inside ``root``."""
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root


def remove_globs(root: Path, globs: tuple[str, ...], name: str = "") -> None:
    for pattern in globs:
        if ".." in Path(pattern).parts:
            raise ImageError(f"base {name!r}: `remove:` pattern {pattern!r} contains '..'; give a glob inside the root.")
        for hit in glob.glob(str(root / pattern.lstrip("/")), include_hidden=True):
            p = Path(hit)
            # glob follows the root's own symlinks on the host (e.g. var/run -> /run): never delete there
            if not _inside(root, p.parent):
                raise ImageError(f"base {name!r}: `remove:` pattern {pattern!r} reaches {hit} through a symlink "
                                 f"that leaves the root; name the path without the link.")
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()


def busybox_links(root: Path, transcript: list[dict], name: str = "busybox-musl") -> None:
    """Create the applet links ``busybox --install`` would, as relative links (chroot-safe)."""
    busybox = root / "bin" / "busybox"
    if busybox.is_symlink() or not busybox.is_file():
        raise ImageError(f"base {name}: bin/busybox missing (or a link) after unpacking the packages; "
                         f"add busybox-static to its packages.")
    # The applet list comes from busybox itself, run inside the unpacked root with no network
    # (invariant 2: never on the host).
    unshare, chroot = system_tool("unshare"), system_tool("chroot")
    if unshare is None or chroot is None:
        raise ImageError(f"base {name}: listing busybox's applets runs it in an `unshare -rn chroot` sandbox, "
                         f"and unshare/chroot is missing: apt-get install util-linux coreutils.")
    cmd = f"{shlex.quote(unshare)} -rn {shlex.quote(chroot)} {shlex.quote(root.name)} /bin/busybox --list-full"
    entry = _run(transcript, cmd, root.parent, 60, name)
    for rel in sorted(set(entry["output"].split())):
        rel = layers.norm(rel)
        if not rel or rel == "bin/busybox":
            continue
        link = root / rel
        if not _inside(root, link.parent):
            raise ImageError(f"base {name}: applet /{rel} would be created through a symlink that leaves the "
                             f"root; the packages are malformed or hostile.")
        if link.exists() or link.is_symlink():
            continue  # never replace a file a package ships
        for parent in reversed(link.relative_to(root).parents[:-1]):
            if not (root / parent).is_dir():
                (root / parent).mkdir()
                (root / parent).chmod(0o755)  # not the umask: the layer's digest must not depend on it
        link.symlink_to(os.path.relpath(busybox, link.parent))


# Both bootstrappers copy these from the machine that builds the root; an engine mounts its own.
HOST_FILES = ("etc/hostname", "etc/resolv.conf")


def _include(spec: BaseSpec) -> str:
    return f" --include={shlex.quote(','.join(spec.packages))}" if spec.packages else ""


def bootstrap_epoch(mirror: str, suite: str) -> int:
    """SOURCE_DATE_EPOCH for a bootstrapped root: the caller's, else the date of the apt lists it follows.

    It stamps file times and /etc/shadow's "last changed" day; 0 would mean "change the password now".
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    date = _lists_date(mirror, suite)
    if date:
        try:
            return int(parsedate_to_datetime(date).timestamp())
        except (TypeError, ValueError):
            pass
    return 0


def _mmdebstrap_root(spec: BaseSpec, stage: Path, root: Path, transcript: list[dict]) -> list[str]:
    """Make the root as a tarball (no root needed in mode auto/unshare/fakechroot), then unpack it here.

    The tarball's device nodes are left out (and returned): they cannot be made without root, and
    the engine provides /dev. Owners collapse to 0:0 in the layer, as for every kind.
    """
    mirror = spec.mirror or apt_mirror(spec.suite)
    epoch = bootstrap_epoch(mirror, spec.suite)
    # The hook lays out merged /usr as debootstrap does (usr-is-merged); without it apt pulls in the
    # usrmerge package and with it perl, 40 MB that debian:bookworm-slim does not have.
    _run(transcript, f"SOURCE_DATE_EPOCH={epoch} mmdebstrap --mode={shlex.quote(spec.mode)} "
                     f"--variant={shlex.quote(spec.variant)}{_include(spec)} --format=tar "
                     f"--hook-dir=/usr/share/mmdebstrap/hooks/maybe-merged-usr "
                     f"{shlex.quote(spec.suite)} rootfs.tar {shlex.quote(mirror)}", stage, 1800, spec.name)
    dropped: list[str] = []
    extract_tar(stage / "rootfs.tar", root, name=f"base {spec.name}'s mmdebstrap tarball", rootfs=True,
                compression="", dropped=dropped)
    (stage / "rootfs.tar").unlink()
    return dropped


def _registry_rootfs(spec: BaseSpec, root: Path, transcript: list[dict]) -> None:
    engine.export_registry_image(spec.name, spec.image or "", root, transcript)


def build_base(spec: BaseSpec, cache_dir: str | Path) -> BaseResult:
    """Build (or reuse) the base described by ``spec``; raises ImageError with what to do."""
    cache_dir = Path(cache_dir)
    if spec.kind == "registry":
            engine.require_registry_engine(spec.name, spec.image or "")
    key, _parts = recipe_key(spec, cache_dir / "bases" / "apt-policy.json")
    entry_dir = cache_dir / "bases" / f"{spec.name}-{key[:16]}"
    entry_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(entry_dir) + ".lock"):
        meta = entry_dir / META
        if meta.is_file():
            result = BaseResult.from_dict(json.loads(meta.read_text()))
            result.tar, result.cached = entry_dir / "layer.tar", True
            info(f"base {spec.name}: cached ({result.diff_id[:19]}, {result.size:,} bytes)")
            return result
        stage = Path(tempfile.mkdtemp(prefix=f".{spec.name}-", dir=entry_dir.parent))
        try:
            result = _build(spec, key, stage)
            result.tar = entry_dir / "layer.tar"
            (stage / META).write_text(json.dumps(result.to_dict(), indent=1, sort_keys=True))
            shutil.rmtree(stage / "root", ignore_errors=True)
            shutil.rmtree(stage / "debs", ignore_errors=True)
            stage.chmod(0o755)  # mkdtemp made it private; the entry itself is not secret
            os.rename(stage, entry_dir)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
    return result


def _build(spec: BaseSpec, key: str, stage: Path) -> BaseResult:
    started = time.monotonic()
    root = stage / "root"
    root.mkdir(mode=0o755)
    transcript: list[dict] = []
    skipped: list[str] = []
    if spec.kind == "debs":
        debs = stage / "debs"
        debs.mkdir()
        _run(transcript, "apt-get download " + " ".join(shlex.quote(p) for p in spec.packages), debs, 600,
             spec.name)
        for deb in sorted(debs.glob("*.deb")):
            extract_deb(deb, root, rootfs=True)
        if spec.symlink_busybox:
            busybox_links(root, transcript, spec.name)
    elif spec.kind == "mmdebstrap":
        skipped = _mmdebstrap_root(spec, stage, root, transcript)
    elif spec.kind == "debootstrap":
        mirror = spec.mirror or apt_mirror(spec.suite)
        _run(transcript, f"debootstrap --variant={shlex.quote(spec.variant)}{_include(spec)} "
                         f"{shlex.quote(spec.suite)} {shlex.quote(root.name)} {shlex.quote(mirror)}",
             stage, 1800, spec.name)
    elif spec.kind == "registry":
        _registry_rootfs(spec, root, transcript)
    if spec.kind in ("mmdebstrap", "debootstrap"):
        for rel in HOST_FILES:
            (root / rel).unlink(missing_ok=True)
    remove_globs(root, spec.remove, spec.name)
    stats = layers.layer_from_dir(root, stage / "layer.tar")
    stats.skipped = skipped + stats.skipped
    (stage / "index.json").write_text(json.dumps(layers.index_tar(stage / "layer.tar"), sort_keys=True))
    if stats.skipped:
        info(f"base {spec.name}: left out {len(stats.skipped)} special files ({', '.join(stats.skipped[:5])}...)")
    info(f"base {spec.name}: {stats.diff_id[:19]} {stats.size:,} bytes, {stats.files:,} files, "
        f"{time.monotonic() - started:.1f} s")
    return BaseResult(name=spec.name, kind=spec.kind, key=key, tar=stage / "layer.tar", diff_id=stats.diff_id,
                      size=stats.size, files=stats.files, tar_bytes=stats.tar_bytes, transcript=transcript,
                      cached=False, skipped=stats.skipped)


def cached_bases(cache_dir: Path) -> list[BaseResult]:
    """The bases built into this cache (each entry's base.json)."""
    out = []
    for meta in sorted((Path(cache_dir) / "bases").glob(f"*/{META}")):
        try:
            out.append(BaseResult.from_dict(json.loads(meta.read_text())))
        except (OSError, ValueError, TypeError):
            continue  # a damaged entry names nothing to clean
    return out
