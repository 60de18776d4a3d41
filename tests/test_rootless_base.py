"""Debian bases without root: mmdebstrap in user namespaces gives the layer root's build gives.

The demo's `debian` base is built by the session's ``bases`` fixture with mode ``auto`` (root's mode
when the suite runs as root); here it is built again in ``unshare`` mode, the mode an ordinary user
gets, into a fresh cache. CI also builds the whole demo as an unprivileged user (.ci/ordinary-user)
and compares that build's Debian layer digest with the suite's.
"""
from __future__ import annotations

import dataclasses
import io
import tarfile
from pathlib import Path

import pytest

from conftest import DEMO_BASES
from livebench.cli.doctor import subordinate_ids
from livebench.errors import SpecError
from livebench.run.images.bases import build_base
from livebench.run.images.model import BaseResult
from livebench.spec import load_plan


def _members(tar: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(tar) as tf:
        return {m.name: m for m in tf}


def test_unshare_mode_gives_the_layer_root_mode_gives(bases: dict[str, BaseResult], tmp_path: Path) -> None:
    """Two builds from the same inputs, the second in the mode an ordinary user gets: one digest."""
    spec = dataclasses.replace(DEMO_BASES["debian"], mode="unshare")
    again = build_base(spec, tmp_path)
    assert not again.cached and again.transcript[0]["command"].split(" mmdebstrap ")[1].startswith("--mode=unshare")
    assert again.diff_id == bases["debian"].diff_id
    assert again.size == bases["debian"].size and again.files == bases["debian"].files


def test_debian_base_is_a_merged_usr_minbase_without_host_files(bases: dict[str, BaseResult]) -> None:
    members = _members(bases["debian"].tar)
    assert members["bin"].issym() and members["bin"].linkname == "usr/bin"  # merged /usr, as debootstrap lays it out
    assert "usr/bin/dpkg" in members and "usr/bin/apt-get" in members
    # the hook installs usr-is-merged; without it apt pulls in usrmerge and perl (40 MB)
    assert not any(m.startswith(("usr/lib/usrmerge", "usr/share/perl/")) for m in members)  # perl-base only
    for host_file in ("etc/hostname", "etc/resolv.conf"):
        assert host_file not in members
    assert not any(m.ischr() or m.isblk() or m.isfifo() for m in members.values())
    su = members["usr/bin/su"]
    assert su.mode == 0o4755 and su.uid == su.gid == 0  # setuid kept from the unprivileged unpacking
    with tarfile.open(bases["debian"].tar) as tf:
        shadow = io.TextIOWrapper(tf.extractfile("etc/shadow")).read()  # type: ignore[arg-type]
    last_changed = int(shadow.splitlines()[0].split(":")[2])
    assert last_changed > 19000  # the apt lists' date, not 0 ("change the password now")


def _spec(tmp_path: Path, base: str) -> Path:
    spec = tmp_path / "livebench.yml"
    spec.write_text(f"version: 1\nbuilds:\n  b: {{commands: ['true'], artifact: /bin/true}}\nbases:\n  deb:\n{base}")
    return spec


def test_mode_is_checked_up_front(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"bases\.deb\.mode.*Did you mean 'unshare'"):
        load_plan(_spec(tmp_path, "    kind: mmdebstrap\n    mode: unshar\n"), root=tmp_path)
    with pytest.raises(SpecError, match=r"bases\.deb\.mode: only `kind: mmdebstrap` takes a mode"):
        load_plan(_spec(tmp_path, "    kind: debs\n    packages: [musl]\n    mode: unshare\n"), root=tmp_path)
    plan = load_plan(_spec(tmp_path, "    kind: mmdebstrap\n    mode: fakechroot\n"), root=tmp_path)
    assert plan.bases["deb"].mode == "fakechroot"
    # every mode writes the same bytes, so the mode is not part of the cache key
    assert plan.bases["deb"].recipe() == dataclasses.replace(plan.bases["deb"], mode="auto").recipe()


def test_subordinate_ids_are_read_per_user(tmp_path: Path) -> None:
    subuid, subgid = tmp_path / "subuid", tmp_path / "subgid"
    subuid.write_text("alice:100000:65536\n")
    subgid.write_text("alice:100000:65536\nbob:165536:65536\n")
    assert subordinate_ids("alice", (str(subuid), str(subgid)))
    assert not subordinate_ids("bob", (str(subuid), str(subgid)))
    assert not subordinate_ids("alice", (str(tmp_path / "absent"), str(subgid)))


def test_debootstrap_kind_still_builds_as_root(tmp_path: Path) -> None:
    """The root-era kind stays for specs that name it: with its extra packages, without host files."""
    spec = dataclasses.replace(DEMO_BASES["debian"], kind="debootstrap", packages=("netbase",))
    base = build_base(spec, tmp_path)
    assert "--include=netbase" in base.transcript[0]["command"]
    members = _members(base.tar)
    assert "etc/protocols" in members  # netbase's, not part of minbase
    assert "usr/bin/dpkg" in members and "etc/hostname" not in members and "etc/resolv.conf" not in members


def test_the_suggested_subordinate_range_overlaps_no_one(tmp_path: Path) -> None:
    from livebench.cli.doctor import free_range

    subuid, subgid = tmp_path / "subuid", tmp_path / "subgid"
    subuid.write_text("alice:100000:65536\nbob:165536:65536\n")
    subgid.write_text("alice:100000:65536\n")
    assert free_range((str(subuid), str(subgid))) == "231072-296607"
    assert free_range((str(tmp_path / "none"),)) == "100000-165535"
