"""Deterministic layer tars and the sizes an engine reports for them.

Invariant 5: the same inputs give the same bytes. Entries are sorted by path, every mtime is
SOURCE_DATE_EPOCH (or 0), owners are 0:0 with empty user/group names, and there are no pax
timestamps. The first path (in sorted order) of a hard-link group carries the data; later ones are
tar hard links to it.

Size rule (measured on Docker 20.10 with fuse-overlayfs and documented for overlay2: the engine walks
each layer's diff folder with ``directory.Size``): regular files count their apparent size, hard
links once, symlinks the length of their target string (lstat's st_size), directories 0.
"""
from __future__ import annotations

import hashlib
import os
import stat
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ...errors import ImageError

LAYER_FORMAT = 1  # bump when the writer's output changes: it is part of every cache key
CHUNK = 1 << 20


def source_date_epoch() -> int:
    try:
        return int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        return 0


@dataclass(frozen=True)
class Entry:
    """One member of a layer: ``path`` is relative to the image root, without a leading '/'."""

    path: str
    kind: str  # "dir" | "file" | "symlink" | "hardlink"
    mode: int = 0o755
    source: Path | None = None  # where a file's bytes come from
    linkname: str = ""  # symlink target, or the path a hard link points to
    size: int = 0


@dataclass
class LayerStats:
    diff_id: str  # "sha256:<hex>" of the uncompressed tar
    size: int  # engine-comparable bytes (see the module docstring)
    files: int  # non-directory entries: files, symlinks, hard links
    tar_bytes: int
    skipped: list[str] = field(default_factory=list)  # special files left out (device nodes, fifos)


class HashingWriter:
    """File-like sink that hashes and counts what passes through to ``fh``."""

    def __init__(self, fh: BinaryIO | None) -> None:
        self.fh, self.sha, self.count = fh, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.count += len(data)
        if self.fh is not None:
            self.fh.write(data)
        return len(data)

    def flush(self) -> None:
        if self.fh is not None:
            self.fh.flush()


def norm(path: str) -> str:
    """'/usr/./bin/' -> 'usr/bin'; refuses '..' so a spec cannot point outside the image root."""
    parts = [p for p in PurePosixPath("/" + path).parts[1:] if p not in ("", ".")]
    if ".." in parts:
        raise ImageError(f"image path {path!r} contains '..'; give an absolute path inside the image.")
    return "/".join(parts)


def entries_from_dir(root: Path) -> tuple[list[Entry], list[str]]:
    """Walk ``root`` (never following symlinks) into entries; special files are returned separately."""
    found: list[tuple[str, os.stat_result]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        for name in dirnames + filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            found.append((rel, os.lstat(os.path.join(dirpath, name))))
    found.sort(key=lambda item: item[0])
    entries: list[Entry] = []
    skipped: list[str] = []
    first_of_inode: dict[tuple[int, int], str] = {}
    for rel, st in found:
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            entries.append(Entry(rel, "dir", mode))
        elif stat.S_ISLNK(st.st_mode):
            entries.append(Entry(rel, "symlink", 0o777, linkname=os.readlink(root / rel)))
        elif stat.S_ISREG(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1 and key in first_of_inode:
                entries.append(Entry(rel, "hardlink", mode, linkname=first_of_inode[key]))
            else:
                first_of_inode.setdefault(key, rel)
                entries.append(Entry(rel, "file", mode, source=root / rel, size=st.st_size))
        else:
            skipped.append("/" + rel)  # /dev nodes from debootstrap: the engine provides /dev anyway
    return entries, skipped


def write_layer(entries: Iterable[Entry], out: Path | None, *, mtime: int | None = None) -> LayerStats:
    """Write ``entries`` as a deterministic tar to ``out`` (or only measure when ``out`` is None)."""
    mtime = source_date_epoch() if mtime is None else mtime
    ordered = sorted(entries, key=lambda e: e.path)
    seen: set[str] = set()
    size = files = 0
    fh = open(out, "wb") if out is not None else None  # noqa: SIM115 - closed in the finally below, with the sink
    sink = HashingWriter(fh)
    try:
        with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tf:  # type: ignore[arg-type]
            for e in ordered:
                if e.path in seen:
                    raise ImageError(f"layer has {e.path!r} twice; give each destination once.")
                seen.add(e.path)
                ti = tarfile.TarInfo(e.path)
                ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = mtime, 0, 0, "", ""
                ti.mode = e.mode & 0o7777
                if e.kind == "dir":
                    ti.type = tarfile.DIRTYPE
                    tf.addfile(ti)
                elif e.kind == "symlink":
                    ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, e.linkname, 0o777
                    size += len(os.fsencode(e.linkname))
                    files += 1
                    tf.addfile(ti)
                elif e.kind == "hardlink":
                    ti.type, ti.linkname = tarfile.LNKTYPE, e.linkname
                    files += 1
                    tf.addfile(ti)
                elif e.kind == "file":
                    assert e.source is not None
                    with open(e.source, "rb") as src:
                        ti.size = os.fstat(src.fileno()).st_size
                        tf.addfile(ti, src)
                    size += ti.size
                    files += 1
                else:
                    raise ValueError(f"unknown entry kind {e.kind!r}")
    finally:
        if fh is not None:
            fh.close()
    return LayerStats(diff_id="sha256:" + sink.sha.hexdigest(), size=size, files=files, tar_bytes=sink.count)


def layer_from_dir(root: Path, out: Path, *, mtime: int | None = None) -> LayerStats:
    entries, skipped = entries_from_dir(root)
    stats = write_layer(entries, out, mtime=mtime)
    stats.skipped = skipped
    return stats


def measure_tar(fh: BinaryIO) -> tuple[int, int]:
    """(engine-comparable size, non-directory entries) of any layer tar stream, e.g. from ``docker save``."""
    size = files = 0
    with tarfile.open(fileobj=fh, mode="r|") as tf:
        for m in tf:
            if m.isreg():
                size += m.size
                files += 1
            elif m.issym():
                size += len(os.fsencode(m.linkname))
                files += 1
            elif m.islnk():
                files += 1
    return size, files


def index_tar(path: Path) -> dict[str, list]:
    """{path: [kind, mode, linkname]} for the directories and symlinks of a layer tar."""
    index: dict[str, list] = {}
    with tarfile.open(path, mode="r:") as tf:
        for m in tf:
            p = norm(m.name)
            if m.isdir():
                index[p] = ["dir", m.mode, ""]
            elif m.issym():
                index[p] = ["symlink", 0o777, m.linkname]
            else:
                index[p] = ["file", m.mode, ""]
    return index


def resolve_in_root(index: dict[str, list], path: str, *, limit: int = 40) -> str:
    """Resolve symlinks of ``path``'s parent folders inside the image root (chroot semantics).

    Docker's COPY writes /bin/hello to /usr/bin/hello when the base has /bin -> usr/bin; a layer that
    held 'bin/hello' would instead shadow the symlink with a folder and hide the base's /bin.
    """
    parts = norm(path).split("/")
    done: list[str] = []
    todo = parts[:-1]
    hops = 0
    while todo:
        part = todo.pop(0)
        candidate = "/".join(done + [part])
        info = index.get(candidate)
        if info and info[0] == "symlink":
            hops += 1
            if hops > limit:
                raise ImageError(f"too many symlinks resolving {path!r} in the base image.")
            target = info[2]
            if target.startswith("/"):
                done = []
            todo = [p for p in target.split("/") if p not in ("", ".")] + todo
            continue
        if part == "..":
            if done:
                done.pop()
            continue
        done.append(part)
    return "/".join(done + [parts[-1]])
