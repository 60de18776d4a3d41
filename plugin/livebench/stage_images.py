"""The image stage of a run: bases, images around the builds' artifacts, and the probe matrix.

Bases are cached by their recipe inside ``images``; images and probes are cached here by what
makes them (artifact hash, base digest, Dockerfile and context contents, backend), so a warm run neither rebuilds nor re-runs them.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import make_key, sha256_file
from .errors import LivebenchError
from .images import BaseResult, BaseSpec, FileSpec, ImageSpec, build_base, build_image, engine_info, select_backend
from .probes import run_probe
from .warm import dockerfile_inputs

if TYPE_CHECKING:
    from .runner import Runner

PROBE_TIMEOUT = 30.0


def run_images(runner: "Runner") -> None:
    plan, rec, log = runner.plan, runner.record, runner.log

    def say(msg: str) -> None:
        log.info("livebench: %s", msg)

    def fail(what: str, message: str) -> None:
        rec["failures"].append({"what": what, "message": f"{plan.where(what)}: {what}: {message}"})
        runner.event("failed", what, message.splitlines()[0][:200])

    try:
        backend = select_backend(runner.opt.backend, say)
    except LivebenchError as exc:
        fail("images", str(exc))
        return
    rec["provenance"]["backend"] = backend
    rec["provenance"]["engine"] = engine_info() if backend == "docker" else None
    cache_root = runner.opt.cache_dir

    # -- bases: only those something uses -----------------------------------------------------
    probe_bases = list(plan.probes.get("bases") or [])
    wanted = [n for n in plan.bases if n in probe_bases or any(i.get("base") == n for i in plan.images.values())]
    bases: dict[str, BaseResult] = {}
    for name in wanted:
        entry = plan.bases[name]
        runner.event("start", f"base {name}")
        started = time.monotonic()
        try:
            spec = BaseSpec(
                name=name, kind=entry["kind"], packages=tuple(entry.get("packages") or ()),
                suite=entry.get("suite", "bookworm"), variant=entry.get("variant", "minbase"),
                mirror=entry.get("mirror"), remove=tuple(entry.get("remove") or ()), image=entry.get("image"),
                symlink_busybox=bool(entry.get("busybox_links")),
            )
            base = build_base(spec, cache_root, say)
        except LivebenchError as exc:
            fail(f"bases.{name}", str(exc))
            continue
        bases[name] = base
        rec["bases"][name] = {"kind": base.kind, "diff_id": base.diff_id, "size": base.size, "files": base.files,
                              "cached": base.cached, "seconds": round(time.monotonic() - started, 3),
                              "transcript": base.transcript}
        runner.event("cached" if base.cached else "done", f"base {name}")

    def artifact(build: str) -> Path | None:
        b = rec["builds"].get(build)
        if not b or not b.get("ok"):
            return None
        return runner._abs(b["artifact"]["path"])

    # -- images ------------------------------------------------------------------------------
    for name, entry in plan.images.items():
        what = f"images.{name}"
        base_name = entry.get("base")
        if not entry.get("dockerfile") and base_name not in bases:
            fail(what, f"base '{base_name}' is not available (see its own failure)")
            continue
        files, missing = [], []
        for f in entry.get("files") or []:
            src = artifact(f["build"])
            if src is None:
                missing.append(f["build"])
            else:
                files.append(FileSpec(src=src, dest=f["dest"], mode=int(f.get("mode", 0o755))))
        if missing:
            fail(what, f"build(s) {', '.join(missing)} failed, so the image cannot be assembled")
            continue
        spec = ImageSpec(name=name, base=base_name, files=tuple(files), entrypoint=entry.get("entrypoint"),
                         cmd=entry.get("cmd"),
                         dockerfile=(plan.root / entry["dockerfile"]) if entry.get("dockerfile") else None,
                         context=(plan.root / entry["context"]) if entry.get("context") else None)
        key = make_key({"image": entry, "files": [rec["builds"][f["build"]]["artifact"]["sha256"]
                                                 for f in entry.get("files") or []],
                        "base": bases[base_name].diff_id if base_name in bases else None, "backend": backend,
                        "dockerfile": {os.path.relpath(f, plan.root): sha256_file(f)
                                       for f in dockerfile_inputs(plan.root, entry) if f.is_file()}})
        cached = None if runner.opt.refresh else runner.cache.get("images", key)
        if cached and backend == "docker" and not _engine_has(cached.get("ref")):
            cached = None  # the engine lost it (a fresh engine): assemble it again
        if cached:
            cached.pop("_dir", None)
            rec["images"][name] = {**cached, "cached": True}
            runner.event("cached", f"image {name}")
            continue
        runner.event("start", f"image {name}")
        try:
            result = build_image(spec, bases.get(base_name), backend, cache_root / "images", say)
        except LivebenchError as exc:
            fail(what, str(exc))
            continue
        data = result.to_dict()
        stage = runner.cache.staging()
        runner.cache.commit("images", key, stage, data)
        rec["images"][name] = {**data, "cached": False}
        runner.event("done", f"image {name}", f"{data['size']['uncompressed']:,} bytes")

    # -- probes ------------------------------------------------------------------------------
    probes = plan.probes
    if not probes:
        return
    how = "docker" if backend == "docker" else "sandbox"
    expect = probes.get("expect") or {}
    args = [str(a) for a in probes.get("args") or []]
    timeout = float(probes.get("timeout") or PROBE_TIMEOUT)
    cells = [(b, base) for b in probes.get("builds") or [] for base in probes.get("bases") or []]

    def one(cell: tuple[str, str]) -> tuple[str, str, dict[str, Any] | str]:
        build, base_name = cell
        src = artifact(build)
        if src is None:
            return build, base_name, f"build '{build}' failed, so it cannot be probed"
        if base_name not in bases:
            return build, base_name, f"base '{base_name}' is not available"
        key = make_key({"probe": [build, base_name], "binary": rec["builds"][build]["artifact"]["sha256"],
                        "base": bases[base_name].diff_id, "how": how, "args": args})
        hit = None if runner.opt.refresh else runner.cache.get("probes", key)
        if hit:
            hit.pop("_dir", None)
            return build, base_name, {**hit, "cached": True}
        try:
            r = run_probe(src, bases[base_name], how, args, timeout=timeout, cache_dir=cache_root / "probes", log=say)
        except LivebenchError as exc:
            return build, base_name, str(exc)
        data = {"exit_code": r.exit_code, "output": r.output, "command": r.command, "seconds": r.seconds,
                "how": r.how, "via": r.via, "timed_out": r.timed_out}
        if not r.timed_out:  # a timeout says more about the machine than the binary: don't keep it
            runner.cache.commit("probes", key, runner.cache.staging(), data)
        return build, base_name, {**data, "cached": False}

    runner.event("start", "probes", f"{len(cells)} cells, {how}")
    with ThreadPoolExecutor(max_workers=max(1, runner.opt.jobs or 2)) as pool:
        results = list(pool.map(one, cells))
    for build, base_name, result in results:
        what = f"probes.expect.{build}.{base_name}"
        if isinstance(result, str):
            fail(what, result)
            continue
        verdict = (expect.get(build) or {}).get(base_name)
        ran = result["exit_code"] == 0
        result["expected"] = verdict
        result["ok"] = verdict is None or (verdict == "runs") == ran
        if not result["ok"]:
            fail(what, f"expected it to {verdict[:-1]}, but it {'ran' if ran else 'failed'} "
                       f"(exit {result['exit_code']}): {result['output'].strip()[-200:]}")
        rec["probes"].setdefault(build, {})[base_name] = result
    runner.event("done", "probes")


def _engine_has(ref: str | None) -> bool:
    if not ref:
        return False
    try:
        from .images import docker_backend

        c = docker_backend.client()
        c.images.get(ref)
        return True
    except Exception:  # any engine or lookup failure means: rebuild it
        return False
