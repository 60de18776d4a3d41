#!/usr/bin/env bash
# Run every perf benchmark in turn; each writes benchmarks/perf/results/<name>.json (read by the
# Performance page through the spec's `measurements:` section). Run from the project root.
set -euo pipefail
cd "$(dirname "$0")/../.."
# build_warm last: it builds the site, whose Performance page reads the others' results
for b in runs_cold images_backends inspect_throughput vs_hyperfine build_warm; do
  echo "== $b"
  .venv/bin/python "benchmarks/perf/$b.py" "$@"
done
# first_chart opens the built article in Chromium: build it first
.venv/bin/mkdocs build --strict -q
echo "== first_chart"
.venv/bin/python benchmarks/perf/first_chart.py "$@"
