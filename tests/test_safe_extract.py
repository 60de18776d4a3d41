"""Hostile archives are refused, naming the archive and the member; benign ones extract faithfully."""
from __future__ import annotations

import io
import lzma
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from livebench.errors import ImageError
from livebench.run.images.extract import extract_deb, extract_tar


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for ti, data in members:
            if data is not None:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            else:
                tf.addfile(ti)
    return path


def _ti(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "", mode: int = 0o644) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname, ti.mode = kind, linkname, mode
    return ti


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    d = tmp_path / "out" / "root"
    d.mkdir(parents=True)
    return d


HOSTILE = {
    "dotdot": ([(_ti("../evil"), b"x")], "'..'"),
    "dotdot-inner": ([(_ti("a/../../evil"), b"x")], "'..'"),
    "absolute": ([(_ti("/tmp/livebench-evil-abs"), b"x")], "absolute path"),
    "symlink-abs-data": ([(_ti("etc", tarfile.SYMTYPE, "/etc"), None)], "absolute path '/etc'"),
    "symlink-out": ([(_ti("up", tarfile.SYMTYPE, "../../.."), None)], "outside the destination"),
    "hardlink-abs": ([(_ti("pw", tarfile.LNKTYPE, "/etc/passwd"), None)], "outside the archive root"),
    "hardlink-dotdot": ([(_ti("pw", tarfile.LNKTYPE, "../x"), None)], "outside the archive root"),
    "chardev": ([(_ti("null", tarfile.CHRTYPE), None)], "device node"),
    "blockdev": ([(_ti("sda", tarfile.BLKTYPE), None)], "device node"),
    "fifo": ([(_ti("pipe", tarfile.FIFOTYPE), None)], "fifo"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_tar_refused(case: str, tmp_path: Path, dest: Path) -> None:
    members, why = HOSTILE[case]
    archive = _tar(tmp_path / f"{case}.tar", members)
    with pytest.raises(ImageError) as err:
        extract_tar(archive, dest)
    msg = str(err.value)
    assert str(archive) in msg and repr(members[0][0].name) in msg and why in msg, msg
    assert not (tmp_path / "out" / "evil").exists() and not Path("/tmp/livebench-evil-abs").exists()


@pytest.mark.parametrize("rootfs", [False, True])
def test_write_through_symlink_refused(rootfs: bool, tmp_path: Path, dest: Path) -> None:
    """The classic: a link to a folder outside, then a file 'through' it. Refused in both modes."""
    outside = tmp_path / "outside"
    outside.mkdir()
    archive = _tar(tmp_path / "through.tar", [
        (_ti("link", tarfile.SYMTYPE, str(outside)), None),
        (_ti("link/planted"), b"pwned"),
    ])
    with pytest.raises(ImageError) as err:
        extract_tar(archive, dest, rootfs=rootfs)
    assert "link" in str(err.value)
    assert not (outside / "planted").exists()


def test_overwrite_through_existing_symlink_refused(tmp_path: Path, dest: Path) -> None:
    """rootfs mode keeps absolute links, but a later member with the link's name must not follow it."""
    victim = tmp_path / "victim"
    victim.write_text("original")
    archive = _tar(tmp_path / "overwrite.tar", [
        (_ti("f", tarfile.SYMTYPE, str(victim)), None),
        (_ti("f"), b"pwned"),
    ])
    with pytest.raises(ImageError, match="outside the destination"):
        extract_tar(archive, dest, rootfs=True)
    assert victim.read_text() == "original"


def test_size_caps(tmp_path: Path, dest: Path) -> None:
    archive = _tar(tmp_path / "big.tar", [(_ti("a"), b"x" * 600), (_ti("b"), b"y" * 600)])
    with pytest.raises(ImageError, match=r"member 'b' would exceed the size cap \(1,000 bytes"):
        extract_tar(archive, dest, max_bytes=1000)
    # A header that declares 64 GiB is refused before any byte is read or written.
    ti = _ti("huge")
    ti.size = 64 << 30
    bomb = tmp_path / "bomb.tar"
    bomb.write_bytes(ti.tobuf(tarfile.PAX_FORMAT) + b"\0" * 1024)
    with pytest.raises(ImageError, match="'huge' would exceed the size cap"):
        extract_tar(bomb, tmp_path / "out2")
    assert not (tmp_path / "out2" / "huge").exists()
    many = _tar(tmp_path / "many.tar", [(_ti(f"f{i}"), b"") for i in range(20)])
    with pytest.raises(ImageError, match="member limit"):
        extract_tar(many, tmp_path / "out3", max_members=10)


def test_not_a_tar(tmp_path: Path, dest: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tar archive at all" * 40)
    with pytest.raises(ImageError, match="junk.tar"):
        extract_tar(junk, dest)


def test_rootfs_mode_is_faithful(tmp_path: Path, dest: Path) -> None:
    """Base images need /tmp 1777, setuid bits and chroot-relative absolute symlinks."""
    archive = _tar(tmp_path / "root.tar", [
        (_ti("tmp", tarfile.DIRTYPE, mode=0o1777), None),
        (_ti("usr", tarfile.DIRTYPE, mode=0o755), None),
        (_ti("usr/bin", tarfile.DIRTYPE, mode=0o755), None),
        (_ti("usr/bin/su", mode=0o4755), b"#!su"),
        (_ti("usr/bin/sh", mode=0o755), b"#!sh"),
        (_ti("usr/bin/dash", tarfile.LNKTYPE, "usr/bin/sh"), None),
        (_ti("bin", tarfile.SYMTYPE, "usr/bin"), None),
        (_ti("lib64", tarfile.SYMTYPE, "/usr/lib64"), None),
    ])
    extract_tar(archive, dest, rootfs=True)
    assert oct((dest / "tmp").stat().st_mode & 0o7777) == oct(0o1777)
    assert oct((dest / "usr/bin/su").stat().st_mode & 0o7777) == oct(0o4755)
    assert os.readlink(dest / "lib64") == "/usr/lib64"
    assert (dest / "usr/bin/dash").stat().st_ino == (dest / "usr/bin/sh").stat().st_ino
    assert (dest / "bin/sh").read_bytes() == b"#!sh"
    # The same archive in the default (data) mode refuses the absolute link.
    with pytest.raises(ImageError, match="'lib64' is a link to the absolute path"):
        extract_tar(archive, tmp_path / "data-mode")


# -- .deb ------------------------------------------------------------------------------------------

def _ar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    out = bytearray(b"!<arch>\n")
    for name, data in members:
        out += f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode()
        out += data + (b"\n" if len(data) % 2 else b"")
    path.write_bytes(bytes(out))
    return path


def _tar_bytes(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for ti, data in members:
            if data is not None:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            else:
                tf.addfile(ti)
    return buf.getvalue()


def test_hostile_deb_refused(tmp_path: Path, dest: Path) -> None:
    data = lzma.compress(_tar_bytes([(_ti("./usr", tarfile.DIRTYPE, mode=0o755), None), (_ti("./../../evil"), b"x")]))
    deb = _ar(tmp_path / "evil_1.0_amd64.deb",
              [("debian-binary", b"2.0\n"), ("control.tar.xz", lzma.compress(_tar_bytes([]))), ("data.tar.xz", data)])
    with pytest.raises(ImageError) as err:
        extract_deb(deb, dest)
    assert "evil_1.0_amd64.deb" in str(err.value) and "'./../../evil'" in str(err.value)
    assert not (tmp_path / "evil").exists()


def test_not_a_deb(tmp_path: Path, dest: Path) -> None:
    bad = tmp_path / "bad.deb"
    bad.write_bytes(b"PK\x03\x04 not an ar archive")
    with pytest.raises(ImageError, match="bad.deb is not a .deb"):
        extract_deb(bad, dest)


@pytest.mark.parametrize("compression", ["xz", "gzip", "zstd", "none"])
def test_real_deb_matches_dpkg(compression: str, tmp_path: Path) -> None:
    """Build a package with dpkg-deb in each compression; our unpacking equals `dpkg-deb -x`."""
    if shutil.which("dpkg-deb") is None:
        pytest.fail("dpkg-deb is required for this test (apt-get install dpkg)")
    pkg = tmp_path / "pkg"
    (pkg / "DEBIAN").mkdir(parents=True)
    (pkg / "DEBIAN/control").write_text("Package: lbtest\nVersion: 1.0\nArchitecture: all\n"
                                        "Maintainer: t <t@example.org>\nDescription: test\n")
    (pkg / "usr/bin").mkdir(parents=True)
    (pkg / "usr/bin/tool").write_bytes(b"\x7fELF fake")
    (pkg / "usr/bin/tool").chmod(0o755)
    (pkg / "usr/bin/alias").symlink_to("tool")
    (pkg / "etc").mkdir()
    (pkg / "etc/lbtest.conf").write_text("x=1\n")
    deb = tmp_path / f"lbtest_{compression}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(pkg), str(deb)],
                   check=True, capture_output=True)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    extract_deb(deb, ours)
    subprocess.run(["dpkg-deb", "-x", str(deb), str(theirs)], check=True)

    def listing(root: Path) -> list[tuple[str, int, str]]:
        rows = []
        for p in sorted(root.rglob("*")):
            st = p.lstat()
            rows.append((str(p.relative_to(root)), st.st_mode, os.readlink(p) if p.is_symlink() else
                         (p.read_text(errors="replace") if p.is_file() else "")))
        return rows

    assert listing(ours) == listing(theirs)
