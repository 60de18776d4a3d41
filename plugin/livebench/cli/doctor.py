"""``livebench doctor``: for the spec at hand, what each declared step needs, what is present, and the
one command that installs the rest. It runs the tools' version commands and pings the engine; it
builds nothing."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from typing import TextIO

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
    debootstrap = "debootstrap" in kinds and _have(out, "debootstrap", "debootstrap", "debootstrap bases", missing)
    if debootstrap and os.geteuid() != 0:
        print(f"{no}debootstrap runs as root only: build this site as root once, or use debs bases", file=out)
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
        if shutil.which("unshare"):
            userns = subprocess.run(["unshare", "-rn", "true"], capture_output=True, text=True).returncode == 0
            print(f"{ok if userns else no}user namespaces (`unshare -rn true`)"
                  + ("" if userns else ": not allowed here; sandbox probes cannot run"), file=out)
    if missing:
        print(f"install what is missing (as root, once):\n  apt-get install {' '.join(sorted(missing))}", file=out)
        return 1
    print("everything the spec needs is here", file=out)
    return 0


def _have(out: TextIO, command: str, package: str, why: str, missing: dict[str, str]) -> bool:
    found = shutil.which(command)
    print(f"  {'ok     ' if found else 'MISSING'}  {command}{': ' + found if found else ''}  ({why})", file=out)
    if not found:
        missing[package] = why
    return bool(found)
