"""(f) How soon the article's first chart is visible after navigation, on localhost, headless Chromium.

Two moments of the same page load, measured side by side in each of ``--rounds`` fresh browser
contexts (no cache): the first chart drawn at build time (an SVG in the page, render/static_svg.py)
and the first chart Plotly draws once plotly.min.js (4.8 MB) is parsed. An init script timestamps
both with ``performance.now()`` (milliseconds since navigation start) on every animation frame.

    .venv/bin/python benchmarks/perf/first_chart.py [--rounds 5] [--site site]
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, median, report

WATCH = """(() => {
  window.__lb = {};
  const tick = () => {
    const t = performance.now();
    if (!window.__lb.static && document.querySelector('.lb-chart svg.lb-chart__static')) window.__lb.static = t;
    if (!window.__lb.plotly && document.querySelector('.lb-chart .main-svg')) window.__lb.plotly = t;
    if (!window.__lb.plotly) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--site", default=str(ROOT / "site"), help="a built demo site (mkdocs build)")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    site = Path(args.site)
    if not (site / "container-diet" / "index.html").is_file():
        sys.exit(f"{site} holds no built demo site: run `.venv/bin/mkdocs build --strict` first")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/container-diet/"
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"drawn at build time": [], "drawn by plotly.js": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("LIVEBENCH_CHROMIUM", "/usr/bin/chromium"))
        for r in range(args.rounds + 1):  # the first round warms the server's file cache: discarded
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.add_init_script(WATCH)
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("window.__lb && window.__lb.plotly", timeout=60_000)
            seen = page.evaluate("window.__lb")
            context.close()
            print(f"  round {r if r else 'warm-up'}: static {seen['static'] / 1000:.3f} s, "
                  f"plotly {seen['plotly'] / 1000:.3f} s", file=sys.stderr, flush=True)
            if r:
                times["drawn at build time"].append(seen["static"] / 1000)
                times["drawn by plotly.js"].append(seen["plotly"] / 1000)
        browser.close()
    server.shutdown()
    static, plotly = median(times["drawn at build time"]), median(times["drawn by plotly.js"])
    report("first_chart", "first chart of the article visible after navigation (seconds)", times,
           {"static/plotly": static / plotly},
           extra={"first_chart_seconds": round(static, 3), "rounds": args.rounds}, save=not args.no_save)


if __name__ == "__main__":
    main()
