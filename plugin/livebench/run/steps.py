"""Tool versions, setup steps and builds: run cached and in parallel, then their artifacts inspected.

Each step runs its commands with bash in its workdir, in a fresh work folder (``$LIVEBENCH_WORK``)
that exists only for that run: what the page shows is a clean build, whatever ran before.
"""
from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from .._util.files import expand_vars, sha256_file
from .._util.proc import run_command
from ..errors import BuildError, ElfError, LivebenchError
from ..spec.model import Step
from . import elf
from .cache import make_key
from .context import StageContext
from .display import Display
from .graph import FAILED, OK, Graph, Node

TOOL_TIMEOUT = 60.0  # seconds for one tool's version command
# The built-in `rust-target:` step runs this (through `livebench rust-target add`); its text keys the step.
RUST_TARGET_SCRIPT = Path(__file__).resolve().parent.parent / "assets" / "toolchains" / "rust-target.sh"
EXPORTS_FILE = "exports.env"  # what a setup step hands to the builds that need it (KEY=VALUE lines)


class Steps:
    def __init__(self, ctx: StageContext) -> None:
        self.ctx = ctx
        self.plan = ctx.plan
        self.tool_versions: dict[str, str] = {}
        self.tool_errors: dict[str, str] = {}
        self.setup_keys: dict[str, str] = {}
        self.inputs: dict[str, dict[str, str]] = {}  # step -> its declared inputs' sha256 (hashed once, for the key)

    # -- tools -------------------------------------------------------------------------------
    def tools(self) -> dict[str, str]:
        """Every declared tool's version output (provenance and cache keys); failures kept for its users."""
        env = self.base_env()
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
        return dict(self.tool_versions)

    def base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["LIVEBENCH_ROOT"] = str(self.plan.root)
        env["LIVEBENCH_CACHE"] = str(self.ctx.cache.root.resolve())
        for k, v in self.plan.env.items():
            env[k] = expand_vars(v, env)
        return env

    def _step_env(self, step: Step, work: Path, out_dir: Path) -> dict[str, str]:
        env = self.base_env()
        env["LIVEBENCH_WORK"] = str(work.resolve())
        env["LIVEBENCH_OUT"] = str(out_dir.resolve())
        for need in step.needs:  # what the setup steps it needs exported (a toolchain's variables)
            env.update(self.ctx.result.setup.get(need, {}).get("exports") or {})
        if step.section == "setup":
            env["LIVEBENCH_EXPORTS"] = str((out_dir / EXPORTS_FILE).resolve())
        for k, v in step.env.items():
            env[k] = expand_vars(v, env)
        if step.rust_target:  # the `livebench` of this very installation, whatever the spec's PATH says
            env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', os.defpath)}"
        return env

    def display(self, step: Step, work: Path, out_dir: Path) -> Display:
        """How this step's transcript shows this machine's folders (run/display.py)."""
        shown_work, shown_out = f"~/work/{step.name}", f"~/out/{step.name}"
        cache = self.ctx.cache.root.resolve()
        return Display.of(self.plan.root, cache, shown_root=self.plan.display_root,
                          folders={work: shown_work, out_dir: shown_out},
                          values={"LIVEBENCH_WORK": shown_work, "LIVEBENCH_OUT": shown_out,
                                  "LIVEBENCH_ROOT": self.plan.display_root,
                                  "LIVEBENCH_CACHE": Display.of(self.plan.root, cache,
                                                                shown_root=self.plan.display_root).text(str(cache)),
                                  "LIVEBENCH_EXPORTS": f"{shown_out}/{EXPORTS_FILE}"})

    def reproduce(self, step: Step, command: str) -> str:
        """A shell line that runs ``command`` as the step did: its folder, fresh work and output folders,
        and the spec's and the step's variables (as written, so the shell expands them in order)."""
        exports = ['LIVEBENCH_WORK="$(mktemp -d)"', 'LIVEBENCH_OUT="$(mktemp -d)"',
                   f"LIVEBENCH_ROOT={shlex.quote(str(self.plan.root))}",
                   f"LIVEBENCH_CACHE={shlex.quote(str(self.ctx.cache.root.resolve()))}"]
        for need in step.needs:
            exports += [f"{k}={shlex.quote(v)}" for k, v in (self.ctx.result.setup.get(need, {}).get("exports") or {}).items()]
        exports += [f"{k}={_shell_value(v)}" for k, v in {**self.plan.env, **step.env}.items()]
        workdir = shlex.quote(self.ctx.rel(step.workdir))
        return f"(cd {workdir} && " + " && ".join(f"export {e}" for e in exports) + f" && bash -c {shlex.quote(command)})"

    # -- keys --------------------------------------------------------------------------------
    def _input_hashes(self, step: Step) -> dict[str, str]:
        hashes: dict[str, str] = {}
        for pattern in step.inputs:
            matches = sorted(glob.glob(str(self.plan.root / pattern), recursive=True))
            files = [m for m in matches if os.path.isfile(m)]
            if not files:
                raise BuildError(f"inputs: '{pattern}' matches no file under {self.plan.root}. Fix the glob.")
            for f in files:
                hashes[os.path.relpath(f, self.plan.root)] = sha256_file(f)
        return hashes

    def key(self, step: Step) -> str:
        """Everything that can change the step's output: its entry less free text, inputs, tools, needs."""
        return make_key({
            "section": step.section,
            "name": step.name,
            "entry": step.key_entry,
            "env": dict(self.plan.env),
            "inputs": self.inputs.setdefault(step.name, self._input_hashes(step)),
            "tools": {t: self.tool_versions.get(t) for t in step.tools},
            "needs": {n: self.setup_keys.get(n) for n in step.needs},
            "display": self.plan.display_root,  # the transcript shows it (run/display.py)
            **({"builtin": sha256_file(RUST_TARGET_SCRIPT)} if step.rust_target else {}),
        })

    # -- selection ---------------------------------------------------------------------------
    def selected_builds(self) -> list[Step]:
        builds = list(self.plan.builds.values())
        only = self.ctx.options.only
        if only:
            unknown = only - set(self.plan.builds)
            if unknown:
                raise LivebenchError(f"unknown build(s): {', '.join(sorted(unknown))}. "
                                     f"Declared: {', '.join(self.plan.builds)}.")
            builds = [b for b in builds if b.name in only]
        return builds

    # -- setup and builds, as nodes of the run's graph ------------------------------------------
    def add_nodes(self, graph: Graph, builds: list[Step]) -> None:
        """The setup steps the selected builds need, then the builds: each starts when its needs are done."""
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
            graph.add(Node(f"setup:{name}", partial(self._setup_one, step), needs=_setup_ids(step),
                           skip=partial(self._skip, step, self.ctx.result.setup),
                           cached=partial(self._was_cached, self.ctx.result.setup, name)))
        for b in builds:
            graph.add(Node(f"build:{b.name}", partial(self._build_one, b), needs=_setup_ids(b),
                           skip=partial(self._skip, b, self.ctx.result.builds),
                           cached=partial(self._was_cached, self.ctx.result.builds, b.name)))

    def _setup_one(self, step: Step) -> str:
        result = self.ctx.result.setup[step.name] = self._run_safely(step)
        if result["ok"]:
            self.setup_keys[step.name] = result["key"]
        return OK if result["ok"] else FAILED

    def _build_one(self, step: Step) -> str:
        result = self._run_safely(step)
        if result["ok"]:
            self._inspect(result)
        self.ctx.result.builds[step.name] = result
        return OK if result["ok"] else FAILED

    def _skip(self, step: Step, results: dict[str, dict[str, Any]], needs: list[str]) -> None:
        failed = ", ".join(n.split(":", 1)[1] for n in needs)
        cause = "setup." + needs[0].split(":", 1)[1]
        results[step.name] = self._skipped(step, f"skipped because setup step(s) {failed} failed", cause)

    @staticmethod
    def _was_cached(results: dict[str, dict[str, Any]], name: str) -> bool:
        return bool(results.get(name, {}).get("cached"))

    def _run_safely(self, step: Step) -> dict[str, Any]:
        # A full disk or an unreadable input is the user's to fix: a message, not a traceback.
        try:
            return self._run_step(step)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            return self._failure(step, f"{exc.strerror or exc}{where}. Free the space or fix the permission, "
                                       f"then run again.")

    def _inspect(self, result: dict[str, Any]) -> None:
        path = self.ctx.abs(result["artifact"]["path"])
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

    # -- one step ----------------------------------------------------------------------------
    def _failure(self, step: Step, error: str, transcript: list[dict[str, Any]] | None = None,
                 key: str | None = None) -> dict[str, Any]:
        message = self.ctx.fail(step.key_path, error, event_name=step.name)
        return {"ok": False, "cached": False, "key": key, "error": message,
                "transcript": transcript or [], "seconds": sum(t["seconds"] for t in transcript or [])}

    def _skipped(self, step: Step, why: str, cause: str) -> dict[str, Any]:
        """Not run because something it needs failed: named under that failure (record/failures.py)."""
        message = self.ctx.fail(step.key_path, why, event_name=step.name, cause=cause)
        return {"ok": False, "cached": False, "key": None, "error": message,
                "skipped": True, "transcript": [], "seconds": 0}

    def _run_step(self, step: Step) -> dict[str, Any]:
        missing = [self.tool_errors[t] for t in step.tools if t in self.tool_errors]
        if missing:
            return self._failure(step, " ".join(missing))
        try:
            key = self.key(step)
        except BuildError as exc:
            return self._failure(step, str(exc))
        cache = self.ctx.cache
        cached = None if self.ctx.options.refresh else cache.get(step.section, key)
        if cached and step.creates and not (step.workdir / expand_vars(step.creates, self.base_env())).exists():
            cached = None  # the setup's effect is gone (a fresh machine): run it again
        if cached:
            result = {k: v for k, v in cached.items() if k != "_dir"}
            result["cached"] = True
            result["inputs"] = self.inputs[step.name]  # entries cached before `inputs` was recorded
            if "artifact" in result:
                result["artifact"]["path"] = self.ctx.rel(Path(cached["_dir"]) / "artifact" / result["artifact"]["name"])
            self.ctx.event("cached", step.name)
            return result

        self.ctx.event("start", step.name)
        stage: Path | None = cache.staging()
        assert stage is not None
        out_dir = stage / "out"
        out_dir.mkdir()
        # A fresh, empty work folder (a clean build) unless the author opted into incremental builds.
        work = cache.work_dir(step.name) if step.incremental else stage / "work"
        work.mkdir(exist_ok=True)
        try:
            env = self._step_env(step, work, out_dir)
            display = self.display(step, work, out_dir)
            transcript: list[dict[str, Any]] = []
            deadline = time.monotonic() + step.timeout
            for command in step.commands:
                left = deadline - time.monotonic()
                entry = run_command(command, cwd=step.workdir, env=env, timeout=max(left, 1))
                transcript.append(display.entry(entry))
                if entry.get("timed_out"):
                    return self._failure(step, f"timed out after {step.timeout:g} s in `{command}` "
                                         f"(raise '{step.key_path}.timeout' if it needs longer).", transcript, key)
                if entry["exit_code"] != 0:
                    tail = "\n".join(entry["output"].rstrip().splitlines()[-15:])
                    return self._failure(step, f"`{command}` exited {entry['exit_code']}:\n{tail}\n"
                                         f"To reproduce, from the project root: {self.reproduce(step, command)}",
                                         transcript, key)
            seconds = round(sum(t["seconds"] for t in transcript), 3)
            result: dict[str, Any] = {"ok": True, "cached": False, "key": key, "error": None,
                                      "seconds": seconds, "transcript": transcript,
                                      "inputs": self.inputs[step.name]}  # what a `source` block may show
            exports = read_exports(out_dir / EXPORTS_FILE)
            if exports:
                result["exports"] = exports
            if step.incremental:
                result["incremental"] = True
            if step.artifact:
                src = Path(expand_vars(step.artifact, env))
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
            if not step.incremental:
                shutil.rmtree(work, ignore_errors=True)  # a clean build next time, and no cache of build trees
            final = cache.commit(step.section, key, stage, result)
            stage = None
            if "artifact" in result:
                result["artifact"]["path"] = self.ctx.rel(final / "artifact" / result["artifact"]["name"])
            self.ctx.event("done", step.name, f"{seconds:.1f} s")
            return result
        finally:
            if stage is not None:
                cache.discard(stage)


def _setup_ids(step: Step) -> tuple[str, ...]:
    return tuple(f"setup:{n}" for n in step.needs)


def read_exports(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines a setup step wrote to ``$LIVEBENCH_EXPORTS`` (blank lines and # comments skipped)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    out = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.lstrip().startswith("#"):
            out[key.strip()] = value
    return out


def _shell_value(value: str) -> str:
    """``value`` in double quotes: ``$VAR``/``${VAR}`` expand in the shell as livebench expanded them;
    command substitution, backquotes and other quotes stay literal."""
    escaped = "".join("\\" + ch if ch in '"\\`' else ch for ch in value)
    return '"' + re.sub(r"\$(?![A-Za-z_{])", r"\\$", escaped) + '"'
