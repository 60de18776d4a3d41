"""Hardened extraction of tar archives and .deb packages into a folder.

Python's ``tarfile`` ``data`` filter (3.12's, from the ``backports.tarfile`` package on 3.11) does the path work: it resolves every member's
destination with ``realpath`` against what is already on disk (so a symlink planted by an earlier
member cannot redirect a later one), refuses links that leave the destination and refuses device
nodes and fifos. On top of it we refuse ``..`` components and absolute names outright (the filter
would silently strip a leading ``/``), and cap the number of members and the bytes written.

``rootfs=True`` is for base images: there a symlink such as ``lib64/ld-linux-x86-64.so.2 ->
/lib/x86_64-linux-gnu/...`` is correct, because it is resolved inside the chroot, never on the host.
Such links are allowed *as links*, but the realpath check still stops any member from being written
through them, and file modes (``/tmp`` 1777, setuid bits) are kept as the archive says.
"""
from __future__ import annotations

import io
import lzma
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ...errors import ImageError

if sys.version_info >= (3, 12):
    import tarfile
else:  # Debian bookworm's own python3 is 3.11.2, older than tarfile's filters (3.11.4): the backport has them
    from backports import tarfile

DEFAULT_MAX_BYTES = 4 << 30  # 4 GiB: far above any base we build, far below filling a disk
DEFAULT_MAX_MEMBERS = 200_000


def _refuse(archive: str, member: str, why: str) -> ImageError:
    return ImageError(
        f"refusing to extract {archive}: member {member!r} {why}. The archive is malformed or "
        f"hostile; rebuild it from a trusted source (nothing after this member was extracted)."
    )


class _Guard:
    """A tarfile extraction filter with a running byte/member budget."""

    def __init__(self, archive: str, *, rootfs: bool, max_bytes: int, max_members: int,
                 dropped: list[str] | None = None) -> None:
        self.archive, self.rootfs = archive, rootfs
        self.max_bytes, self.max_members = max_bytes, max_members
        self.bytes = 0
        self.members = 0
        self.dropped = dropped  # None: special files are refused; a list: they are left out and named here

    def __call__(self, member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
        name = member.name
        if name.startswith("/") or PurePosixPath(name).is_absolute():
            raise _refuse(self.archive, name, "has an absolute path")
        if ".." in PurePosixPath(name).parts:
            raise _refuse(self.archive, name, "contains a '..' component")
        if member.islnk() and (member.linkname.startswith("/") or ".." in PurePosixPath(member.linkname).parts):
            raise _refuse(self.archive, name, f"is a hard link to {member.linkname!r} outside the archive root")
        self.members += 1
        if self.members > self.max_members:
            raise _refuse(self.archive, name, f"exceeds the member limit ({self.max_members})")
        if member.size < 0 or member.size > self.max_bytes - self.bytes:
            raise _refuse(self.archive, name, f"would exceed the size cap ({self.max_bytes:,} bytes; member "
                          f"declares {member.size:,})")
        self.bytes += member.size
        try:
            if self.rootfs and member.issym():
                # Check the link's own location with the stock filter; its target is chroot-relative.
                probe = member.replace(linkname="", deep=False)
                probe.type = tarfile.REGTYPE
                tarfile.data_filter(probe, dest)
                return member.replace(uid=None, gid=None, uname=None, gname=None, deep=False)
            checked = tarfile.data_filter(member, dest)
        except tarfile.SpecialFileError:
            if self.dropped is not None:
                self.dropped.append("/" + PurePosixPath(name).as_posix().removeprefix("./"))
                return None
            raise _refuse(self.archive, name, "is a device node, fifo or other special file") from None
        except tarfile.AbsoluteLinkError:
            raise _refuse(self.archive, name, f"is a link to the absolute path {member.linkname!r}") from None
        except tarfile.LinkOutsideDestinationError:
            raise _refuse(self.archive, name, f"is a link to {member.linkname!r}, outside the destination") from None
        except tarfile.OutsideDestinationError:
            raise _refuse(self.archive, name, "would be written outside the destination (through a symlink?)") from None
        except tarfile.FilterError as e:  # any future refusal reason
            raise _refuse(self.archive, name, str(e)) from None
        if self.rootfs and member.mode is not None:
            checked = checked.replace(mode=member.mode & 0o7777, deep=False)
        return checked


def extract_tar(
    archive: str | Path | BinaryIO,
    dest: str | Path,
    *,
    name: str | None = None,
    rootfs: bool = False,
    compression: str = "*",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_members: int = DEFAULT_MAX_MEMBERS,
    dropped: list[str] | None = None,
) -> int:
    """Extract ``archive`` (a path or a binary stream) into ``dest``; return the number of members.

    ``compression`` is a tarfile stream suffix: ``*`` (detect), ``gz``, ``bz2``, ``xz`` or ``""``.
    Device nodes and fifos are refused, unless ``dropped`` is a list: then they are left out and
    named in it (a root made by mmdebstrap has /dev nodes; engines mount their own /dev).
    Raises ImageError naming the archive and the offending member.
    """
    label = name or str(archive if not hasattr(archive, "read") else getattr(archive, "name", "<stream>"))
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    guard = _Guard(label, rootfs=rootfs, max_bytes=max_bytes, max_members=max_members, dropped=dropped)
    mode = f"r|{compression}"
    try:
        if hasattr(archive, "read"):
            tf = tarfile.open(fileobj=archive, mode=mode)  # type: ignore[arg-type]
        else:
            tf = tarfile.open(str(archive), mode=mode)
        with tf:
            tf.extractall(dest, filter=guard)
    except ImageError:
        raise
    except (tarfile.TarError, EOFError, OSError, lzma.LZMAError) as e:
        raise ImageError(f"cannot extract {label} into {dest}: {e}. Check that it is an intact tar archive.") from None
    return guard.members


# -- .deb: an ar archive holding debian-binary, control.tar.* and data.tar.* --------------------

def _ar_members(fh: BinaryIO, label: str):
    """Yield (name, size) and leave ``fh`` at the member's data. Plain System V / GNU ar as dpkg writes it."""
    if fh.read(8) != b"!<arch>\n":
        raise ImageError(f"{label} is not a .deb (no ar archive signature); re-download the package.")
    while True:
        header = fh.read(60)
        if not header:
            return
        if len(header) < 60 or header[58:60] != b"`\n":
            raise ImageError(f"{label}: corrupt ar member header; re-download the package.")
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise ImageError(f"{label}: ar member {name!r} has a bad size field; re-download the package.") from None
        start = fh.tell()
        yield name, size
        fh.seek(start + size + (size & 1))  # members are 2-byte aligned


def deb_data_tar(deb: str | Path) -> tuple[BinaryIO, str]:
    """Return (an uncompressed-or-streamable data.tar stream, tarfile compression suffix)."""
    deb = Path(deb)
    with open(deb, "rb") as fh:
        for name, size in _ar_members(fh, str(deb)):
            if not name.startswith("data.tar"):
                continue
            payload = fh.read(size)
            if len(payload) != size:
                raise ImageError(f"{deb}: truncated {name}; re-download the package.")
            suffix = name[len("data.tar"):].lstrip(".")
            if suffix in ("", "gz", "bz2", "xz"):
                return io.BytesIO(payload), suffix
            if suffix == "zst":
                return _unzstd(payload, deb), ""
            raise ImageError(f"{deb}: unsupported data member {name!r} (expected data.tar.{{xz,gz,bz2,zst}}).")
    raise ImageError(f"{deb} has no data.tar member; it is not a binary package.")


def _unzstd(payload: bytes, deb: Path) -> BinaryIO:
    # Python 3.11 has no zstd; use the `zstandard` wheel if present, else the zstd CLI (Ubuntu debs).
    try:
        import zstandard  # type: ignore[import-not-found]

        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(payload))
    except ImportError:
        pass
    if shutil.which("zstd") is None:
        raise ImageError(f"{deb} is zstd-compressed: install `zstd` (apt-get install zstd) or `pip install zstandard`.")
    proc = subprocess.run(["zstd", "-dc"], input=payload, capture_output=True)
    if proc.returncode != 0:
        raise ImageError(f"{deb}: zstd -dc failed: {proc.stderr.decode(errors='replace').strip()}")
    return io.BytesIO(proc.stdout)


def extract_deb(deb: str | Path, dest: str | Path, *, rootfs: bool = True,
                max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Unpack a .deb's files into ``dest`` like ``dpkg -x`` (no maintainer scripts run)."""
    stream, suffix = deb_data_tar(deb)
    return extract_tar(stream, dest, name=str(deb), rootfs=rootfs, compression=suffix, max_bytes=max_bytes)
