"""``livebench doctor``: for the spec at hand, what each declared step needs, what is present, and the
one command that installs the rest. It runs the tools' version commands and pings the engine; it
builds nothing."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TextIO

from .._util.proc import system_tool
from ..run import RunOptions
from ..run.context import StageContext
from ..run.steps import Steps
from ..spec.load import load_plan
from .project import resolve

SANDBOX_TOOLS = {"unshare": "util-linux", "prlimit": "util-linux", "chroot": "coreutils"}


def cmd_doctor(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    project = resolve(args)
    plan = load_plan(project.spec, root=project.root)
    missing: dict[str, str] = {}  # Debian package → why
    todo: list[str] = []  # other commands an administrator runs once
    ok = "  ok       "
    no = "  MISSING  "

    print(f"spec {plan.where('version').split(':')[0]}, project {project.root}", file=out)
    print(f"python {sys.version.split()[0]} ({sys.executable})", file=out)
    steps = Steps(StageContext(plan, RunOptions(cache_dir=project.cache_dir)))
    versions = steps.tools()
    users = {name: [s.key_path for s in [*plan.setup.values(), *plan.builds.values()] if name in s.tools]
             for name in plan.tools}
    print("tools:", file=out)
    for name, tool in plan.tools.items():
        needed_by = ", ".join(users[name]) or "no step"
        if name in versions:
            print(f"{ok}{name}: {versions[name].splitlines()[0][:90]}  (for {needed_by})", file=out)
        else:
            print(f"{no}{name}: `{tool.version_command}` failed  (for {needed_by})", file=out)
            if tool.package:
                missing[tool.package] = f"tool {name}"

    kinds = {plan.bases[n].kind for n in plan.used_bases()}
    if kinds:
        print("bases:", file=out)
    if "debs" in kinds:
        _have(out, "apt-get", "apt", "debs bases are unpacked from `apt-get download`", missing)
    if "mmdebstrap" in kinds and _have(out, "mmdebstrap", "mmdebstrap", "mmdebstrap bases", missing):
        modes = {plan.bases[n].mode for n in plan.used_bases() if plan.bases[n].kind == "mmdebstrap"}
        _mmdebstrap_mode(out, modes, missing, todo)
    debootstrap = "debootstrap" in kinds and _have(out, "debootstrap", "debootstrap", "debootstrap bases", missing)
    if debootstrap and os.geteuid() != 0:
        print(f"{no}debootstrap runs as root only: use `kind: mmdebstrap` (same root, no root needed)", file=out)
    images = bool(plan.images or plan.probes)
    if images:
        print("engine:", file=out)
        from ..run.images import engine  # deferred on purpose: docker-py costs ~0.2 s, builds-only specs skip it

        if engine.ping():
            info = engine.engine_info() or {}
            print(f"{ok}Docker Engine {info.get('version')} ({info.get('image_store')} store, "
                  f"{info.get('storage_driver')}): backend auto uses it", file=out)
        else:
            print(f"  --       no Docker engine answers ({engine.why_down()}): backend auto builds images itself "
                  f"(embedded) and runs probes in the sandbox", file=out)
            if "registry" in kinds:
                print(f"{no}registry bases need an engine", file=out)
                missing.setdefault("docker.io", "registry bases")
        print("sandbox (probes without an engine):", file=out)
        for tool, package in SANDBOX_TOOLS.items():
            _have(out, tool, package, "sandbox probes", missing)
        if system_tool("unshare"):
            userns = subprocess.run([system_tool("unshare") or "unshare", "-rn", "true"], capture_output=True, text=True).returncode == 0
            print(f"{ok if userns else no}user namespaces (`unshare -rn true`)"
                  + ("" if userns else ": not allowed here; sandbox probes cannot run"), file=out)
    if missing or todo:
        print("install what is missing (as root, once):", file=out)
        if missing:
            print(f"  apt-get install {' '.join(sorted(missing))}", file=out)
        for command in todo:
            print(f"  {command}", file=out)
        return 1
    print("everything the spec needs is here", file=out)
    return 0


def _have(out: TextIO, command: str, package: str, why: str, missing: dict[str, str]) -> bool:
    found = shutil.which(command) or system_tool(command)
    print(f"  {'ok     ' if found else 'MISSING'}  {command}{': ' + found if found else ''}  ({why})", file=out)
    if not found:
        missing[package] = why
    return bool(found)


def subordinate_ids(user: str, files: tuple[str, str] = ("/etc/subuid", "/etc/subgid")) -> bool:
    """Whether ``user`` has a subordinate uid and gid range (what newuidmap maps in unshare mode)."""
    for f in files:
        try:
            lines = Path(f).read_text().splitlines()
        except OSError:
            return False
        if not any(line.split(":")[0] in (user, str(os.getuid())) for line in lines):
            return False
    return True


def free_range(files: tuple[str, ...] = ("/etc/subuid", "/etc/subgid"), count: int = 65536) -> str:
    """A subordinate id range no user has yet (overlapping ranges would share ids between users)."""
    end = 100000
    for f in files:
        try:
            lines = Path(f).read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            parts = line.split(":")
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                end = max(end, int(parts[1]) + int(parts[2]))
    return f"{end}-{end + count - 1}"


def _mmdebstrap_mode(out: TextIO, modes: set[str], missing: dict[str, str], todo: list[str]) -> None:
    """As root every mode works; otherwise `auto` and `unshare` need newuidmap and a subuid range."""
    if os.geteuid() == 0 or modes <= {"root"}:
        return
    if modes & {"auto", "unshare"} and _have(out, "newuidmap", "uidmap", "mmdebstrap's unshare mode", missing):
        import getpass

        user = getpass.getuser()
        if subordinate_ids(user):
            print(f"  ok       subordinate ids for {user} in /etc/subuid and /etc/subgid", file=out)
        else:
            print(f"  MISSING  subordinate ids for {user} in /etc/subuid and /etc/subgid "
                  f"(mmdebstrap's unshare mode maps them)", file=out)
            ids = free_range()
            todo.append(f"usermod --add-subuids {ids} --add-subgids {ids} {user}")
    if "fakechroot" in modes:
        _have(out, "fakechroot", "fakechroot", "mmdebstrap's fakechroot mode", missing)
