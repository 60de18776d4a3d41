"""(a) A warm `mkdocs build --strict` of the demo site: livebench on vs LIVEBENCH_ENABLED=false.

Warm: the cache holds every build, base, image and probe (a private copy of the project's cache),
so "on" measures what leaving the plugin enabled costs when nothing changed. With the plugin off the
pages keep their raw directives, which is fine for timing. Each build writes into its own temp dir.

The same pair is also timed with Material's search plugin removed from the config: the pages with
numbers are five times larger than their raw directives, and indexing them for search is part of
what "on" costs that livebench does not run itself.

    .venv/bin/python benchmarks/perf/build_warm.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import VENV_BIN, alternate, bench_project, median, report, run, temp_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-save", action="store_true", help="print only; don't write results/build_warm.json")
    args = ap.parse_args()
    tmp = temp_dir("build-warm")
    try:
        proj = bench_project(tmp)
        base_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        base_env.pop("LIVEBENCH_REFRESH", None)
        n = {"i": 0}

        config = (proj / "mkdocs.yml").read_text(encoding="utf-8")
        assert "\n  - search\n" in config, "mkdocs.yml lists the search plugin as '  - search'"
        (proj / "mkdocs-nosearch.yml").write_text(config.replace("\n  - search\n", "\n", 1), encoding="utf-8")

        def build(enabled: bool, config_file: str = "mkdocs.yml"):
            def go() -> None:
                n["i"] += 1
                env = {**base_env, "LIVEBENCH_ENABLED": "true" if enabled else "false"}
                run([str(VENV_BIN / "mkdocs"), "build", "--strict", "-q", "-f", config_file,
                     "-d", str(tmp / f"site-{n['i']}")], cwd=proj, env=env)
            return go

        # The first "on" build fills anything the copied cache lacks; it is the warm-up round.
        times = alternate({"livebench on": build(True), "livebench off": build(False),
                           "on, no search": build(True, "mkdocs-nosearch.yml"),
                           "off, no search": build(False, "mkdocs-nosearch.yml")}, args.rounds, warmup=1)
        on, off = median(times["livebench on"]), median(times["livebench off"])
        on_ns, off_ns = median(times["on, no search"]), median(times["off, no search"])
        report("build_warm", "warm mkdocs build --strict of the demo site (seconds)", times,
               {"on/off": on / off, "no-search": on_ns / off_ns}, targets={"on/off": "<= 1.05"},
               save=not args.no_save,
               extra={"rounds": args.rounds, "overhead_seconds": round(on - off, 3),
                      "overhead_without_search": round(on_ns - off_ns, 3)})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
