#!/usr/bin/env bash
# The plain-shell twin of cold.yml: the same four builds, same commands, same env, two at a time.
# Usage: cold_plain.sh PROJECT_ROOT SCRATCH_DIR   (SCRATCH_DIR fresh each run: cold CARGO_TARGET_DIRs)
set -euo pipefail
export LIVEBENCH_ROOT="$1" SCRATCH="$2"
export PATH=/usr/bin:/bin:/usr/sbin:/sbin

one() {  # NAME WORKDIR RUST? COMMAND
  export LIVEBENCH_WORK="$SCRATCH/work/$1" LIVEBENCH_OUT="$SCRATCH/out/$1"
  mkdir -p "$LIVEBENCH_WORK" "$LIVEBENCH_OUT"
  if [ "$3" = rust ]; then export CARGO_TARGET_DIR="$LIVEBENCH_WORK/target"; fi
  cd "$LIVEBENCH_ROOT/$2"
  bash -c "$4" >"$SCRATCH/$1.log" 2>&1
}
export -f one

printf '%s\0' \
  'hello-c-gnu|benchmarks/hello-c|c|gcc -O2 -o "$LIVEBENCH_WORK/hello" hello.c' \
  'hello-c-musl|benchmarks/hello-c|c|musl-gcc -static -O2 -o "$LIVEBENCH_WORK/hello" hello.c' \
  'hello-rust-gnu|benchmarks/hello-rust|rust|cargo build --release' \
  'hello-rust-musl|benchmarks/hello-rust|rust|cargo build --release --target x86_64-unknown-linux-musl' |
  xargs -0 -P 2 -I{} bash -c 'IFS="|" read -r n w k c <<<"$1"; one "$n" "$w" "$k" "$c"' _ {}
