"""Execute a Plan: tool versions, setup steps, builds (parallel, cached), linkage inspection.

Images and probes are delegated to ``images`` and ``probes``; this module owns ordering, caching,
transcripts and the results record.
"""
from __future__ import annotations

import glob
import logging
import os
import shutil
import string
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import elf
from .cache import Cache, make_key, sha256_file
from .errors import BuildError, ElfError, LivebenchError
from .proc import run_command
from .results import new_record, provenance, write_json_atomic
from .spec import Plan, Step

log_default = logging.getLogger("mkdocs.plugins.livebench")

HEARTBEAT_SECONDS = 20.0
TOOL_TIMEOUT = 60.0  # seconds for one tool's version command


@dataclass
class RunOptions:
    cache_dir: Path
    jobs: int = 0  # 0: one per CPU
    refresh: bool = False
    backend: str = "auto"
    only: set[str] | None = None  # restrict to these builds (and what they need)
    images: bool = True  # build bases/images/probes declared in the spec
    log: logging.Logger = field(default_factory=lambda: log_default)
    progress: Callable[[str, str, str], None] | None = None  # (event, name, detail)
    docs_dir: Path | None = None  # pages whose inline claims are checked after the run
    baseline: Path | None = None  # compare with this baseline (default: the spec's, next to the spec)


def expand(value: str, env: dict[str, str]) -> str:
    """``${VAR}`` / ``$VAR`` from ``env``; unknown names are left as written."""
    return string.Template(value).safe_substitute(env)


class Runner:
    def __init__(self, plan: Plan, options: RunOptions):
        self.plan = plan
        self.opt = options
        self.cache = Cache(options.cache_dir)
        self.log = options.log
        self.record = new_record()
        self._running: dict[str, float] = {}
        self._lock = threading.Lock()
        self.tool_versions: dict[str, str] = {}
        self.tool_errors: dict[str, str] = {}
        self.setup_keys: dict[str, str] = {}

    # -- public ------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        lock = self.cache.acquire(self.log)
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(stop,), daemon=True)
        beat.start()
        try:
            self._tools()
            self.record["provenance"] = provenance(self.plan.root, dict(self.tool_versions))
            builds = self._selected_builds()
            self._setup(builds)
            self._builds(builds)
            if self.opt.images and (self.plan.images or self.plan.probes):
                from .stage_images import run_images  # lazy: docker SDK import is slow

                run_images(self)
            self._engine_tool()
            if self.plan.measurements:  # results of slow benchmarks, read from their files (measurements.py)
                from . import measurements

                try:
                    self.record["measurements"] = measurements.load(self.plan)
                except LivebenchError as exc:
                    self.record["failures"].append({"what": "measurements", "message": str(exc)})
            from .checks import CheckOptions, apply as apply_checks

            apply_checks(self.plan, self.record, CheckOptions(docs_dir=self.opt.docs_dir, baseline=self.opt.baseline,
                                                              partial=bool(self.opt.only)))
            self.cache.clear_staging()
            write_json_atomic(self.opt.cache_dir / "results.json", self.record)
        finally:
            stop.set()
            lock.release()
        return self.record

    def _engine_tool(self) -> None:
        # The engine measured the images and ran the probes: name its version with the compilers.
        engine = self.record["provenance"].get("engine") or {}
        if engine.get("version"):
            api = f", API {engine['api_version']}" if engine.get("api_version") else ""
            driver = f", storage driver {engine['storage_driver']}" if engine.get("storage_driver") else ""
            self.record["provenance"]["tools"]["docker"] = f"Docker Engine {engine['version']}{api}{driver}"

    # -- progress ----------------------------------------------------------------------------
    def event(self, event: str, name: str, detail: str = "") -> None:
        if event == "start":
            with self._lock:
                self._running[name] = time.monotonic()
        elif event in ("done", "failed", "cached"):
            with self._lock:
                self._running.pop(name, None)
        if self.opt.progress:
            self.opt.progress(event, name, detail)
        msg = {"start": "running %s%s", "done": "finished %s%s", "failed": "FAILED %s%s",
               "cached": "cached %s%s"}.get(event, event + " %s%s")
        level = logging.WARNING if event == "failed" else logging.INFO
        if event != "cached" or self.opt.progress is None:
            self.log.log(level, "livebench: " + msg, name, f" ({detail})" if detail else "")

    def _heartbeat(self, stop: threading.Event) -> None:
        # Long cargo builds print nothing to MkDocs' log for minutes; say what is still running.
        while not stop.wait(HEARTBEAT_SECONDS):
            with self._lock:
                now = time.monotonic()
                items = [f"{n} ({now - t:.0f} s)" for n, t in sorted(self._running.items())]
            if items:
                self.log.info("livebench: still running: %s", ", ".join(items))

    # -- tools -------------------------------------------------------------------------------
    def _tools(self) -> None:
        env = self._base_env()
        tools = list(self.plan.tools.items())
        # All at once: each is a fork+exec of bash and a compiler that mostly waits on exec and I/O.
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(tools)))) as pool:
            entries = list(pool.map(
                lambda t: run_command(t[1].version_command, cwd=self.plan.root, env=env, timeout=TOOL_TIMEOUT), tools))
        for (name, tool), entry in zip(tools, entries):
            out = entry["output"].strip()
            if entry.get("timed_out"):  # a hung version command: its output is no version (it would key the cache)
                self.tool_errors[name] = (f"tool '{name}': `{tool.version_command}` did not finish within "
                                          f"{TOOL_TIMEOUT:g} s. Run it by hand to see why it hangs.")
            elif entry["exit_code"] == 0 or (out and "not found" not in out):
                self.tool_versions[name] = out
            else:
                pkg = f" Install it: apt-get install {tool.package}." if tool.package else ""
                self.tool_errors[name] = (
                    f"tool '{name}' is missing or broken: `{tool.version_command}` exited "
                    f"{entry['exit_code']}: {out[-300:] or 'no output'}.{pkg}"
                )

    def _base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["LIVEBENCH_ROOT"] = str(self.plan.root)
        for k, v in self.plan.env.items():
            env[k] = expand(v, env)
        return env

    def _step_env(self, step: Step, out_dir: Path) -> dict[str, str]:
        env = self._base_env()
        env["LIVEBENCH_WORK"] = str(self.cache.work_dir(step.name).resolve())
        env["LIVEBENCH_OUT"] = str(out_dir.resolve())
        for k, v in step.env.items():
            env[k] = expand(v, env)
        return env

    # -- keys --------------------------------------------------------------------------------
    def _input_hashes(self, step: Step) -> dict[str, str]:
        hashes: dict[str, str] = {}
        for pattern in step.inputs:
            matches = sorted(glob.glob(str(self.plan.root / pattern), recursive=True))
            files = [m for m in matches if os.path.isfile(m)]
            if not files:
                raise BuildError(f"inputs: '{pattern}' matches no file under {self.plan.root}. Fix the glob.")
            for f in files:
                rel = os.path.relpath(f, self.plan.root)
                hashes[rel] = sha256_file(Path(f))
        return hashes

    def key(self, step: Step) -> str:
        return make_key({
            "section": step.section,
            "name": step.name,
            "entry": step.raw,
            "env": self.plan.env,
            "inputs": self._input_hashes(step),
            "tools": {t: self.tool_versions.get(t) for t in step.tools},
            "needs": {n: self.setup_keys.get(n) for n in step.needs},
        })

    # -- setup -------------------------------------------------------------------------------
    def _selected_builds(self) -> list[Step]:
        builds = list(self.plan.builds.values())
        if self.opt.only:
            unknown = self.opt.only - set(self.plan.builds)
            if unknown:
                raise LivebenchError(f"unknown build(s): {', '.join(sorted(unknown))}. "
                                     f"Declared: {', '.join(self.plan.builds)}.")
            builds = [b for b in builds if b.name in self.opt.only]
        return builds

    def _setup(self, builds: list[Step]) -> None:
        wanted: list[str] = []

        def visit(name: str) -> None:
            if name in wanted:
                return
            for dep in self.plan.setup[name].needs:
                visit(dep)
            wanted.append(name)

        for b in builds:
            for n in b.needs:
                visit(n)
        for name in wanted:
            step = self.plan.setup[name]
            failed_dep = [n for n in step.needs if not self.record["setup"].get(n, {}).get("ok")]
            if failed_dep:
                self.record["setup"][name] = self._failure(step, f"needs failed setup step(s): {', '.join(failed_dep)}")
                continue
            self.record["setup"][name] = self._run_step_safely(step)
            if self.record["setup"][name]["ok"]:
                self.setup_keys[name] = self.record["setup"][name]["key"]

    # -- builds ------------------------------------------------------------------------------
    def _builds(self, builds: list[Step]) -> None:
        jobs = self.opt.jobs or os.cpu_count() or 1
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="livebench") as pool:
            futures = {b.name: pool.submit(self._build_one, b) for b in builds}
            for name, fut in futures.items():
                self.record["builds"][name] = fut.result()

    def _build_one(self, step: Step) -> dict[str, Any]:
        failed_dep = [n for n in step.needs if not self.record["setup"].get(n, {}).get("ok")]
        if failed_dep:
            return self._failure(step, f"needs failed setup step(s): {', '.join(failed_dep)}")
        result = self._run_step_safely(step)
        if result["ok"]:
            self._inspect(step, result)
        return result

    def _run_step_safely(self, step: Step) -> dict[str, Any]:
        # A full disk or an unreadable input is the user's to fix: a message, not a traceback.
        try:
            return self._run_step(step)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            return self._failure(step, f"{exc.strerror or exc}{where}. Free the space or fix the permission, "
                                       f"then run again.")

    def _inspect(self, step: Step, result: dict[str, Any]) -> None:
        path = self._abs(result["artifact"]["path"])
        try:
            linkage = elf.inspect(path)
            linkage_d = linkage.to_dict()
            entries = elf.resolve(linkage, "/")
            linkage_d["resolved"] = {e.name: e.path for e in entries if e.kind == "needed"}
            linkage_d["ldd"] = elf.ldd_text(linkage, "/")
            linkage_d["path"] = result["artifact"]["path"]
            result["linkage"] = linkage_d
        except ElfError as exc:
            result["linkage"] = None
            result["linkage_error"] = str(exc)
        result["expect_failures"] = expect_failures(step, result.get("linkage"))
        for failure in result["expect_failures"]:
            self.record["failures"].append({"what": step.key_path,
                                            "message": f"{self.plan.where(step.key_path + '.expect')}: {failure}"})

    def _abs(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.plan.root / p

    def _rel(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.plan.root.resolve()))
        except ValueError:
            return str(path.resolve())

    # -- one step ----------------------------------------------------------------------------
    def _failure(self, step: Step, error: str, transcript: list | None = None, key: str | None = None) -> dict:
        where = self.plan.where(step.key_path)
        message = f"{where}: {step.key_path}: {error}"
        self.record["failures"].append({"what": step.key_path, "message": message})
        self.event("failed", step.name, error.splitlines()[0][:200])
        return {"ok": False, "cached": False, "key": key, "error": message,
                "transcript": transcript or [], "seconds": sum(t["seconds"] for t in transcript or [])}

    def _run_step(self, step: Step) -> dict[str, Any]:
        missing = [self.tool_errors[t] for t in step.tools if t in self.tool_errors]
        if missing:
            return self._failure(step, " ".join(missing))
        try:
            key = self.key(step)
        except BuildError as exc:
            return self._failure(step, str(exc))
        section = step.section
        cached = None if self.opt.refresh else self.cache.get(section, key)
        if cached and step.creates and not (step.workdir / expand(step.creates, self._base_env())).exists():
            cached = None  # the setup's effect is gone (a fresh machine): run it again
        if cached:
            result = {k: v for k, v in cached.items() if k != "_dir"}
            result["cached"] = True
            if "artifact" in result:
                result["artifact"]["path"] = self._rel(Path(cached["_dir"]) / "artifact" / result["artifact"]["name"])
            self.event("cached", step.name)
            return result

        self.event("start", step.name)
        stage = self.cache.staging()
        out_dir = stage / "out"
        out_dir.mkdir()
        try:
            env = self._step_env(step, out_dir)
            transcript: list[dict] = []
            deadline = time.monotonic() + step.timeout
            for command in step.commands:
                left = deadline - time.monotonic()
                entry = run_command(command, cwd=step.workdir, env=env, timeout=max(left, 1))
                transcript.append(entry)
                if entry.get("timed_out"):
                    return self._failure(step, f"timed out after {step.timeout:g} s in `{command}` "
                                         f"(raise '{step.key_path}.timeout' if it needs longer).", transcript, key)
                if entry["exit_code"] != 0:
                    tail = "\n".join(entry["output"].rstrip().splitlines()[-15:])
                    return self._failure(step, f"`{command}` exited {entry['exit_code']} "
                                         f"(run it in {self._rel(step.workdir)} to reproduce):\n{tail}", transcript, key)
            seconds = round(sum(t["seconds"] for t in transcript), 3)
            result: dict[str, Any] = {"ok": True, "cached": False, "key": key, "error": None,
                                      "seconds": seconds, "transcript": transcript}
            if step.artifact:
                src = Path(expand(step.artifact, env))
                if not src.is_absolute():
                    src = step.workdir / src
                if not src.is_file():
                    return self._failure(step, f"the commands succeeded but the artifact '{step.artifact}' "
                                         f"({src}) does not exist. Fix '{step.key_path}.artifact'.", transcript, key)
                (stage / "artifact").mkdir()
                dest = stage / "artifact" / src.name
                shutil.copy2(src, dest)
                result["artifact"] = {"name": src.name, "declared": step.artifact,
                                      "size": dest.stat().st_size, "sha256": sha256_file(dest)}
            shutil.rmtree(out_dir, ignore_errors=True)
            final = self.cache.commit(section, key, stage, result)
            stage = None
            if "artifact" in result:
                result["artifact"]["path"] = self._rel(final / "artifact" / result["artifact"]["name"])
            self.event("done", step.name, f"{seconds:.1f} s")
            return result
        finally:
            if stage is not None:
                self.cache.discard(stage)


def expect_failures(step: Step, linkage: dict | None) -> list[str]:
    """Compare a build's declared expectations with its measured linkage."""
    if not step.expect:
        return []
    if linkage is None:
        return [f"{step.key_path}.expect: the artifact could not be inspected"]
    out = []
    for key, want in step.expect.items():
        if key == "max_size":
            if linkage.get("size", 0) > int(want):
                out.append(f"{step.key_path}.expect.max_size: {linkage.get('size')} bytes > {want}")
            continue
        have = linkage.get(key)
        if key == "needed":
            extra = set(have or []) - set(want or [])
            if extra:
                out.append(f"{step.key_path}.expect.needed: also needs {', '.join(sorted(extra))}")
        elif have != want:
            out.append(f"{step.key_path}.expect.{key}: expected {want!r}, measured {have!r}")
    return out
