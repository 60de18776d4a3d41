"""(a) A warm `mkdocs build --strict` of the demo site: livebench on vs LIVEBENCH_ENABLED=false.

Warm: the cache holds every build, base, image and probe (a private copy of the project's cache),
so "on" measures what leaving the plugin enabled costs when nothing changed. With the plugin off the
pages keep their raw directives, which is fine for timing. Each build writes into its own temp dir.

Each ratio is the median of the rounds' own ratios (the two builds of a round run back to back), and
the builds' CPU time (user + system, from getrusage) gives a second ratio that waits on nothing.

The same pair is also timed with Material's search plugin removed from the config: the pages with
numbers are five times larger than their raw directives, and indexing them for search is part of
what "on" costs that livebench does not run itself.

Last, one build of each runs under valgrind's callgrind, which counts the instructions the build
executes: the same count whatever else the machine is doing, so that ratio carries none of the noise
the wall times have (about four minutes; Debian's valgrind package; --no-instructions skips it).

    .venv/bin/python benchmarks/perf/build_warm.py [--rounds 7] [--no-instructions]
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, VENV_BIN, alternate, bench_project, median, report, run, temp_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-save", action="store_true", help="print only; don't write results/build_warm.json")
    ap.add_argument("--no-instructions", action="store_true", help="skip the instruction count under callgrind")
    args = ap.parse_args()
    if not args.no_instructions and not shutil.which("valgrind"):
        raise SystemExit("build_warm: the instruction count needs valgrind (apt-get install valgrind), "
                         "or run with --no-instructions")
    tmp = temp_dir("build-warm")
    try:
        proj = bench_project(tmp)
        # Up-to-date bytecode for the package, as a user's Python keeps it: with PYTHONDONTWRITEBYTECODE
        # set, an edited module would be compiled again by every "on" build that imports it.
        run([str(VENV_BIN / "python"), "-m", "compileall", "-q", str(ROOT / "plugin" / "livebench")], cwd=ROOT)
        base_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        base_env.pop("LIVEBENCH_REFRESH", None)
        n = {"i": 0}

        config = (proj / "mkdocs.yml").read_text(encoding="utf-8")
        assert "\n  - search\n" in config, "mkdocs.yml lists the search plugin as '  - search'"
        (proj / "mkdocs-nosearch.yml").write_text(config.replace("\n  - search\n", "\n", 1), encoding="utf-8")

        cpu: dict[str, list[float]] = {}

        def build(name: str, enabled: bool, config_file: str = "mkdocs.yml"):
            def go() -> None:
                n["i"] += 1
                env = {**base_env, "LIVEBENCH_ENABLED": "true" if enabled else "false"}
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                run([str(VENV_BIN / "mkdocs"), "build", "--strict", "-q", "-f", config_file,
                     "-d", str(tmp / f"site-{n['i']}")], cwd=proj, env=env)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.setdefault(name, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            return go

        # The first "on" build fills anything the copied cache lacks; it is the warm-up round.
        variants = {"livebench on": (True, "mkdocs.yml"), "livebench off": (False, "mkdocs.yml"),
                    "on, no search": (True, "mkdocs-nosearch.yml"), "off, no search": (False, "mkdocs-nosearch.yml")}
        times = alternate({name: build(name, *v) for name, v in variants.items()}, args.rounds, warmup=1)
        cpu = {name: samples[1:] for name, samples in cpu.items()}  # the warm-up round's dropped, as alternate does

        instructions = {} if args.no_instructions else {
            name: _instructions(proj, base_env, enabled, tmp / f"site-callgrind-{name}")
            for name, enabled in (("livebench on", True), ("livebench off", False))}

        def paired(a: str, b: str, samples: dict[str, list[float]]) -> float:
            # The two builds of a round ran back to back: their ratio cancels what drifts between rounds
            # (this machine's wall times spread by a third); the median of those ratios is the figure.
            return median([x / y for x, y in zip(samples[a], samples[b])])

        on, off = median(times["livebench on"]), median(times["livebench off"])
        on_ns, off_ns = median(times["on, no search"]), median(times["off, no search"])
        report("build_warm", "warm mkdocs build --strict of the demo site (seconds)", times,
               {"on/off": paired("livebench on", "livebench off", times),
                "no-search": paired("on, no search", "off, no search", times),
                "cpu": paired("livebench on", "livebench off", cpu),
                **({"instructions": instructions["livebench on"] / instructions["livebench off"]} if instructions else {})},
               targets={"on/off": "<= 1.05"},
               save=not args.no_save,
               extra={"rounds": args.rounds, "overhead_seconds": round(on - off, 3),
                      "overhead_without_search": round(on_ns - off_ns, 3),
                      "ratio_of_medians": round(on / off, 3),
                      "cpu_medians": {name: round(median(v), 3) for name, v in cpu.items()},
                      "instructions": instructions})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _instructions(proj, base_env: dict[str, str], enabled: bool, site) -> int:
    """The instructions one warm build executes, counted by callgrind (a fixed hash seed: the same count
    on every run of the same code)."""
    env = {**base_env, "LIVEBENCH_ENABLED": "true" if enabled else "false", "PYTHONHASHSEED": "0"}
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          str(VENV_BIN / "python"), "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
                         cwd=proj, env=env, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or not found:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"build_warm: the build under callgrind failed (exit {out.returncode})")
    return int(found.group(1))


if __name__ == "__main__":
    main()
