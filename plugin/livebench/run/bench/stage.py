"""The benchmark stage: prepared inputs, then each benchmark alone, cached by what can change its timings.

It runs last, after every build, image and probe, so nothing of the run competes with the timed
programs. A result is reused when the variants' artifacts (by hash), the benchmark as written, the
prepared inputs and the machine are all the same; ``LIVEBENCH_REFRESH=1`` measures again.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from ..._util.clock import utc_now
from ..._util.files import sha256_file
from ..._util.proc import run_command
from ...errors import LivebenchError
from ...spec.model import Benchmark
from ..cache import make_key
from ..context import StageContext
from ..images.model import BaseResult
from ..probes.model import PROBE_ENV
from ..probes.sandbox import base_root
from . import machine
from .harness import LAUNCHER_ID, build_launcher, launcher_possible
from .measure import Variant, memory, sample, uses_shell, variants

HARNESS = 3  # bump when the way samples are taken changes: old results are not comparable
STATS = 1  # bump when the statistics or the verdict rule change: cached summaries would be stale
IN_ROOT = "/livebench"  # where the sandbox puts the variants and the data inside the base's root


def run_benchmarks(ctx: StageContext, bases: dict[str, BaseResult]) -> None:
    for name, bench in ctx.plan.benchmarks.items():
        what = f"benchmarks.{name}"
        if ctx.options.only is not None and not set(bench.variants) <= set(ctx.result.builds):
            continue  # `--only` left a variant out: not measured, and not a failure either
        if bench.base and not ctx.options.images:
            ctx.event("skipped", what, "--no-images: its base is not built")
            continue
        missing = [v for v in bench.variants if ctx.artifact(v) is None]
        if missing:
            ctx.fail(what, f"not measured: build {', '.join(missing)} failed or did not run", cause=f"builds.{missing[0]}")
            continue
        if bench.base and bench.base not in bases:
            ctx.fail(what, f"not measured: base '{bench.base}' is not available in this run", cause=f"bases.{bench.base}")
            continue
        ctx.event("start", what)
        try:
            entry, cached = _measure(ctx, bench, bases.get(bench.base or ""))
        except LivebenchError as exc:
            ctx.fail(what, str(exc))
            continue
        ctx.result.benchmarks[name] = entry
        ctx.event("cached" if cached else "done", what)


def _measure(ctx: StageContext, bench: Benchmark, base: BaseResult | None) -> tuple[dict[str, Any], bool]:
    data, manifest = _prepare(ctx, bench)
    key = make_key({"benchmark": bench.key_entry, "harness": HARNESS, "stats": STATS, "launcher": LAUNCHER_ID,
                    "memory": launcher_possible(), "machine": machine.identity(),
                    "artifacts": {v: ctx.result.builds[v]["artifact"]["sha256"] for v in bench.variants},
                    "data": manifest, "base": base.diff_id if base else None, "env": dict(ctx.plan.env)})
    if not ctx.options.refresh:
        hit = ctx.cache.get("benchmarks", key)
        if hit is not None:
            hit.pop("_dir", None)
            hit["cached"] = True
            # the entry file has sorted keys: give the variants back in the spec's order (the tables' order)
            hit["variants"] = {v: hit["variants"][v] for v in bench.variants}
            return hit, True
    before = _stamp(data)
    entry = _run(ctx, bench, data, base)
    if data is not None and _stamp(data) != before:  # the cached inputs changed under it: the numbers mean nothing
        shutil.rmtree(data.parent, ignore_errors=True)  # the whole cache entry: prepared again next time
        raise LivebenchError("the command changed its prepared data in {data}; benchmarks must only read it "
                             "(the data was removed and will be prepared again)")
    entry["data"] = {"files": len(manifest), "bytes": sum(size for size, _ in manifest.values())} if data else None
    stage = ctx.cache.staging()
    ctx.cache.commit("benchmarks", key, stage, entry)
    return entry, False


def _stamp(data: Path | None) -> list[tuple[str, int, int]]:
    """What `prepare:` wrote, by size and modification time (cheap; the content is hashed once, when made)."""
    if data is None:
        return []
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in data.rglob("*") if p.is_file())


def _prepare(ctx: StageContext, bench: Benchmark) -> tuple[Path | None, dict[str, Any]]:
    """Run ``prepare:`` once into a cached folder; returns it and its manifest (path → size, sha256)."""
    if not bench.prepare:
        return None, {}
    env = {**os.environ, **ctx.plan.env, **bench.env}
    key = make_key({"prepare": list(bench.prepare), "env": {**ctx.plan.env, **bench.env}})
    hit = ctx.cache.get("bench-data", key)
    if hit is not None and not ctx.options.refresh:
        return Path(hit["_dir"]) / "data", hit["manifest"]
    stage = ctx.cache.staging()
    data = stage / "data"
    data.mkdir()
    for command in bench.prepare:
        entry = run_command(command, cwd=data, env={**env, "LIVEBENCH_DATA": str(data)}, timeout=bench.timeout * 20)
        if entry["exit_code"] != 0:
            ctx.cache.discard(stage)
            tail = "\n".join(entry["output"].strip().splitlines()[-5:])
            raise LivebenchError(f"prepare: `{command}` exited with {entry['exit_code']}:\n{tail}")
    manifest = {str(p.relative_to(data)): [p.stat().st_size, sha256_file(p)]
                for p in sorted(data.rglob("*")) if p.is_file()}
    dest = ctx.cache.commit("bench-data", key, stage, {"manifest": manifest, "commands": list(bench.prepare)})
    return dest / "data", manifest


def _run(ctx: StageContext, bench: Benchmark, data: Path | None, base: BaseResult | None) -> dict[str, Any]:
    from ..._util import stats  # numpy + scipy: only a run that measures pays for them

    artifacts = {v: str(ctx.artifact(v)) for v in bench.variants}
    started, load_before = utc_now(), machine.load()
    t0 = time.monotonic()
    if base is None:
        env = {"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8", **ctx.plan.env, **bench.env}
        shown = ({v: ctx.rel(Path(a)) for v, a in artifacts.items()}, ctx.rel(data) if data else "")
        runs = variants(bench, artifacts, str(data or ""), env, ctx.plan.root, shown_as=shown)
        sample(bench, runs, env, ctx.plan.root)
        floor = _memory(ctx, bench, runs, env, ctx.plan.root, [f"{IN_ROOT}/.none"])
    else:
        tmp = ctx.cache.staging()  # removed below (and by the run's end in any case)
        try:
            root = _sandbox_root(tmp, base, artifacts, data)
            inside = {v: f"{IN_ROOT}/{v}" for v in bench.variants}
            env = {**PROBE_ENV, **bench.env}
            runs = variants(bench, inside, f"{IN_ROOT}/data", env, tmp, sandbox_root=root)
            sample(bench, runs, env, tmp)
            prefix = runs[0].argv[:runs[0].argv.index(str(root)) + 1]
            floor = _memory(ctx, bench, runs, env, tmp, [*prefix, f"{IN_ROOT}/.none"])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    seconds = round(time.monotonic() - t0, 3)
    # to 0.1 µs (the clock's real resolution is coarser): statistics are computed from what is stored
    wall_of = {v.name: [round(s.seconds, 7) for s in v.samples] for v in runs}
    out_variants: dict[str, Any] = {}
    for v in runs:
        out_variants[v.name] = {
            "artifact": ctx.result.builds[v.name]["artifact"]["path"],
            "sha256": ctx.result.builds[v.name]["artifact"]["sha256"], "command": v.shown,
            "runs": len(v.samples),
            "samples": [{"seconds": wall_of[v.name][i], "user": round(s.user, 6), "system": round(s.system, 6)}
                        for i, s in enumerate(v.samples)],
            **_rounded(stats.summary(wall_of[v.name])),
            "max_rss": v.max_rss,
        }
    ref = bench.reference_variant
    others = [v for v in bench.variants if v != ref]
    pairs = [(v, ref) for v in others] + [(b, a) for i, a in enumerate(others) for b in others[i + 1:]]
    comparisons = [{"a": a, "b": b, **_rounded(stats.compare(wall_of[a], wall_of[b], alpha=bench.alpha,
                                                             min_effect=bench.min_effect))} for a, b in pairs]
    return {
        "command": bench.command, "where": f"sandbox:{base.name}" if base else "host", "shell": uses_shell(bench),
        "settings": {"warmup": bench.warmup, "min_runs": bench.min_runs, "max_runs": bench.max_runs,
                     "min_time": bench.min_time, "timeout": bench.timeout, "exit_code": bench.exit_code,
                     "alpha": bench.alpha, "min_effect": bench.min_effect, "compare_to": ref},
        "variants": out_variants, "comparisons": comparisons, "rss_floor": floor,
        "measured": {"date": started, "seconds": seconds, "machine": machine.facts(), "load_before": load_before,
                     "load_after": machine.load(), "harness": HARNESS},
        "cached": False,
    }


def _memory(ctx: StageContext, bench: Benchmark, runs: list[Variant], env: dict[str, str], cwd: Path,
            floor_argv: list[str]) -> int | None:
    launcher = build_launcher(ctx.options.cache_dir / "bench-launcher" / f"launcher-{LAUNCHER_ID}")
    if launcher is None:
        return None  # no C compiler: timings only, and the page says memory was not measured
    return memory(bench, runs, env, cwd, launcher, floor_argv, launcher.parent)


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    """Floats to 7 significant places: the record stays readable and byte-stable across re-renders."""
    def r(x: Any) -> Any:
        if isinstance(x, float):
            return float(f"{x:.7g}")
        if isinstance(x, list):
            return [r(i) for i in x]
        return x
    return {k: r(v) for k, v in d.items()}


def _sandbox_root(tmp: Path, base: BaseResult, artifacts: dict[str, str], data: Path | None) -> Path:
    root = base_root(base, tmp)
    dest = root / IN_ROOT.lstrip("/")
    if dest.exists() or dest.is_symlink():
        raise LivebenchError(f"sandbox: {IN_ROOT} already exists in base {base.name!r}")
    dest.mkdir(parents=True)
    for name, path in artifacts.items():
        shutil.copyfile(path, dest / name)
        (dest / name).chmod(0o755)
    if data is not None:  # a copy: a hard link would let the benchmark change the cached data
        shutil.copytree(data, dest / "data")
    return root

