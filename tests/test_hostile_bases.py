"""Hostile archives beyond tests/test_safe_extract.py: escapes hidden in PAX/GNU long names, hard links
through links, links to links, compression bombs and broken .deb containers. Spec bases of kind `debs`
come from `apt-get download` (no local-file source), so these go through the extraction API that every
base and probe uses. Each must fail with an ImageError naming the archive, and write nothing outside.
"""
from __future__ import annotations

import io
import lzma
import tarfile
from pathlib import Path

import pytest

from livebench.errors import ImageError
from livebench.run.images.extract import extract_deb, extract_tar
from test_safe_extract import _ar, _tar, _tar_bytes, _ti


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    d = tmp_path / "out" / "root"
    d.mkdir(parents=True)
    return d


def _refused(archive: Path, dest: Path, *words: str, **kw) -> str:
    with pytest.raises(ImageError) as err:
        extract_tar(archive, dest, **kw)
    msg = str(err.value)
    assert str(archive) in msg, msg
    for w in words:
        assert w in msg, (w, msg)
    return msg


@pytest.mark.parametrize("rootfs", [False, True])
def test_dotdot_in_a_pax_long_name(rootfs: bool, tmp_path: Path, dest: Path) -> None:
    name = "a/" * 60 + "../" * 62 + "evil"  # > 100 bytes: stored in a PAX 'path' record, not the ustar name
    archive = _tar(tmp_path / "pax.tar", [(_ti(name), b"x")])
    _refused(archive, dest, "'..'", rootfs=rootfs)
    assert not (tmp_path / "evil").exists() and not (tmp_path / "out" / "evil").exists()


def test_dotdot_in_a_gnu_long_link(tmp_path: Path, dest: Path) -> None:
    target = "d/" * 60 + "../" * 63 + "etc"
    buf = _tar_bytes([(_ti("link", tarfile.SYMTYPE, target), None)])  # GNU ././@LongLink header
    archive = tmp_path / "gnu.tar"
    archive.write_bytes(buf)
    _refused(archive, dest, "outside the destination")


def test_hard_link_through_a_symlink_to_the_host(tmp_path: Path, dest: Path) -> None:
    """rootfs mode keeps absolute symlinks; a hard link *through* one would reach the host file, and a
    later member of that name would overwrite it. Refused before anything is linked."""
    victim = tmp_path / "victim"
    victim.write_text("original")
    archive = _tar(tmp_path / "hl.tar", [
        (_ti("l", tarfile.SYMTYPE, str(victim)), None),
        (_ti("h", tarfile.LNKTYPE, "l"), None),
        (_ti("h"), b"pwned"),
    ])
    _refused(archive, dest, "'h'", rootfs=True)
    assert victim.read_text() == "original"
    assert not (dest / "h").exists()


def test_symlink_chain_out_of_the_root(tmp_path: Path, dest: Path) -> None:
    """Each link alone stays inside; followed together they leave: the second hop is refused."""
    outside = tmp_path / "outside"
    outside.mkdir()
    archive = _tar(tmp_path / "chain.tar", [
        (_ti("a", tarfile.DIRTYPE, mode=0o755), None),
        (_ti("a/up", tarfile.SYMTYPE, ".."), None),          # root/a/up -> root: inside
        (_ti("a/up2", tarfile.SYMTYPE, "up/.."), None),      # root/a/up/.. -> out/: outside
        (_ti("a/up2/planted"), b"pwned"),
    ])
    _refused(archive, dest, "outside the destination")
    assert not (tmp_path / "out" / "planted").exists() and not (outside / "planted").exists()


def test_directory_member_through_a_symlink(tmp_path: Path, dest: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    archive = _tar(tmp_path / "dir.tar", [
        (_ti("d", tarfile.SYMTYPE, str(outside)), None),
        (_ti("d/sub", tarfile.DIRTYPE, mode=0o777), None),
    ])
    _refused(archive, dest, "'d/sub'", rootfs=True)
    assert not (outside / "sub").exists()


def test_hard_link_to_a_device_and_setuid_in_data_mode(tmp_path: Path, dest: Path) -> None:
    archive = _tar(tmp_path / "dev.tar", [(_ti("null", tarfile.CHRTYPE), None), (_ti("n2", tarfile.LNKTYPE, "null"), None)])
    _refused(archive, dest, "'null'", "device node")
    # data mode (a .deb's files, not a base root) drops setuid/setgid and world-writable bits
    suid = _tar(tmp_path / "suid.tar", [(_ti("su", mode=0o6777), b"#!")])
    extract_tar(suid, tmp_path / "data")
    assert (tmp_path / "data" / "su").stat().st_mode & 0o7777 & 0o6002 == 0


def test_compression_bomb_stops_at_the_cap(tmp_path: Path, dest: Path) -> None:
    """64 MiB of zeros in ~10 KiB of xz: the cap refuses the member from its header, before writing."""
    ti = _ti("zeros")
    ti.size = 64 << 20
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(ti, io.BytesIO(bytes(ti.size)))
    bomb = tmp_path / "bomb.tar.xz"
    bomb.write_bytes(lzma.compress(raw.getvalue(), preset=1))
    assert bomb.stat().st_size < 100_000
    _refused(bomb, dest, "'zeros'", "size cap", max_bytes=16 << 20)
    assert not (dest / "zeros").exists()
    deb = _ar(tmp_path / "bomb_1_amd64.deb", [("debian-binary", b"2.0\n"), ("control.tar.xz", lzma.compress(b"")),
                                             ("data.tar.xz", bomb.read_bytes())])
    with pytest.raises(ImageError, match="size cap"):
        extract_deb(deb, tmp_path / "deb-out", max_bytes=16 << 20)


def test_member_count_and_declared_size_lies(tmp_path: Path, dest: Path) -> None:
    """A header that declares more bytes than the archive holds: a clear error, not a hang or a short file."""
    ti = _ti("short")
    ti.size = 10_000
    liar = tmp_path / "liar.tar"
    liar.write_bytes(ti.tobuf(tarfile.PAX_FORMAT) + b"x" * 512)
    _refused(liar, dest, "intact tar archive")


BROKEN_DEBS = {
    "ar-size-absurd": lambda: b"!<arch>\n" + f"{'data.tar.xz/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{'9999999999':<10}`\n".encode() + b"x" * 10,
    "ar-size-not-a-number": lambda: b"!<arch>\n" + f"{'data.tar.xz/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{'12ab':<10}`\n".encode(),
    "ar-header-cut": lambda: b"!<arch>\n" + b"debian-binary   0   ",
    "no-data-member": lambda: b"!<arch>\n" + f"{'debian-binary/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{4:<10}`\n".encode() + b"2.0\n",
    "data-not-xz": lambda: b"!<arch>\n" + f"{'data.tar.xz/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{8:<10}`\n".encode() + b"notxz!!!",
    "unknown-compression": lambda: b"!<arch>\n" + f"{'data.tar.lz4/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{2:<10}`\n".encode() + b"xx",
}


@pytest.mark.parametrize("case", sorted(BROKEN_DEBS))
def test_broken_deb_containers(case: str, tmp_path: Path, dest: Path) -> None:
    deb = tmp_path / f"{case}_1.0_amd64.deb"
    deb.write_bytes(BROKEN_DEBS[case]())
    with pytest.raises(ImageError) as err:
        extract_deb(deb, dest)
    assert case in str(err.value), str(err.value)
    assert list(dest.iterdir()) == []


def test_deb_with_a_device_node_and_absolute_hardlink(tmp_path: Path, dest: Path) -> None:
    for i, member in enumerate([(_ti("./dev/kmem", tarfile.CHRTYPE), None),
                                (_ti("./etc/shadow", tarfile.LNKTYPE, "/etc/shadow"), None)]):
        data = lzma.compress(_tar_bytes([(_ti("./", tarfile.DIRTYPE, mode=0o755), None), member]))
        deb = _ar(tmp_path / f"evil{i}_1.0_amd64.deb",
                  [("debian-binary", b"2.0\n"), ("control.tar.xz", lzma.compress(_tar_bytes([]))), ("data.tar.xz", data)])
        with pytest.raises(ImageError) as err:
            extract_deb(deb, dest / str(i))
        assert f"evil{i}_1.0_amd64.deb" in str(err.value) and member[0].name in str(err.value)


# -- the steps of a base build that write or delete after extraction --------------------------------

def _root_with_link_out(tmp_path: Path, link: str) -> tuple[Path, Path]:
    """An unpacked root whose ``link`` is an absolute symlink to a host folder (fine inside a chroot)."""
    root, host = tmp_path / "stage" / "root", tmp_path / "host"
    (host / "keep").parent.mkdir(parents=True)
    (host / "keep").write_text("host file")
    (root / link).parent.mkdir(parents=True)
    (root / link).symlink_to(host)
    return root, host


def test_remove_globs_never_delete_through_a_link_out_of_the_root(tmp_path: Path) -> None:
    from livebench.run.images.bases import remove_globs

    root, host = _root_with_link_out(tmp_path, "var/run")
    with pytest.raises(ImageError, match=r"base 'evil'.*'var/run/\*'.*leaves the root"):
        remove_globs(root, ("var/run/*",), "evil")
    assert (host / "keep").read_text() == "host file"
    with pytest.raises(ImageError, match=r"contains '\.\.'"):
        remove_globs(root, ("../host/*",), "evil")
    assert (host / "keep").exists()


def test_busybox_links_never_written_through_a_link_out_of_the_root(tmp_path: Path, monkeypatch) -> None:
    from livebench.run.images import bases

    root, host = _root_with_link_out(tmp_path, "usr")
    (root / "bin").mkdir()
    (root / "bin" / "busybox").write_bytes(b"\x7fELF")
    monkeypatch.setattr(bases, "_run", lambda *a, **k: {"output": "/usr/keep2\n", "exit_code": 0})
    with pytest.raises(ImageError, match=r"base hostile: applet /usr/keep2 .*leaves the root"):
        bases.busybox_links(root, [], "hostile")
    assert sorted(p.name for p in host.iterdir()) == ["keep"]


def test_busybox_applets_are_never_listed_on_the_host(tmp_path: Path, monkeypatch) -> None:
    from livebench.run.images import bases

    root = tmp_path / "stage" / "root"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "busybox").write_bytes(b"\x7fELF")
    ran: list = []
    monkeypatch.setattr(bases, "_run", lambda *a, **k: ran.append(a) or {"output": "", "exit_code": 0})
    monkeypatch.setattr(bases, "system_tool", lambda tool: None if tool == "unshare" else tool)
    with pytest.raises(ImageError, match=r"base bb:.*unshare.*apt-get install util-linux"):
        bases.busybox_links(root, [], "bb")
    assert ran == []  # invariant 2: no fallback that runs the base's busybox on the host
