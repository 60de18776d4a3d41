#!/usr/bin/env bash
# musl-rust.sh: an offline `rustup target add x86_64-unknown-linux-musl` for Debian's rustc.
#
# Debian ships the Rust standard library for the gnu target only. This script builds std for the
# musl target once, from the std sources Debian ships (rust-web-src) and their vendored
# dependencies, and installs the rlibs into Debian rustc's own sysroot, as rustup would. It then
# tells cargo how to link for that target, so the article's plain command works:
#
#     cargo build --release --target x86_64-unknown-linux-musl
#
# Idempotent: a stamp records rustc's version, musl's, libunwind's and this script's hash; when
# they match, the script only checks that everything is in place. Needs root (it writes under
# /usr/lib/rustlib and /usr/local/lib). No network: std's dependencies come from the vendor folder.
set -euo pipefail

TARGET=x86_64-unknown-linux-musl
RUSTC=/usr/bin/rustc   # Debian's compiler: std built by one rustc can't be used by another
CARGO=/usr/bin/cargo
MUSL_GCC=/usr/bin/musl-gcc
LLVM_UNWIND=/usr/lib/llvm-14/lib/libunwind.a
OWN_LIB=/usr/local/lib/livebench-musl       # folder this script owns (patched libunwind.a)
CARGO_CONFIG="${CARGO_HOME:-$HOME/.cargo}/config.toml"
BEGIN_MARK="# >>> livebench musl-rust (managed by benchmarks/toolchain/musl-rust.sh) >>>"
END_MARK="# <<< livebench musl-rust <<<"

say() { printf '==> %s\n' "$*"; }
run() { printf '+ %s\n' "$*"; "$@"; }
die() { printf 'musl-rust.sh: error: %s\n' "$*" >&2; exit 1; }

# --- prerequisites: name the Debian package that provides each missing piece -------------------
need_file() { [ -e "$1" ] || die "$1 not found: apt-get install $2"; }
need_file "$RUSTC" rustc-web
need_file "$CARGO" cargo-web
need_file "$MUSL_GCC" musl-tools
need_file /usr/lib/x86_64-linux-musl/libc.a musl-dev
need_file "$LLVM_UNWIND" libunwind-14-dev
command -v ar >/dev/null && command -v readelf >/dev/null || die "ar/readelf not found: apt-get install binutils"
SYSROOT=$("$RUSTC" --print sysroot)
STD_SRC="$SYSROOT/lib/rustlib/src/rust/library"
need_file "$STD_SRC/std/Cargo.toml" rust-web-src
VENDOR="$STD_SRC/vendor"
need_file "$VENDOR" rust-web-src
compgen -G "$SYSROOT/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-*.rlib" >/dev/null \
    || die "the host (gnu) std is missing: apt-get install libstd-rust-web-dev"
LIBDIR=$("$RUSTC" --print target-libdir --target "$TARGET")

STAMP="$LIBDIR/.livebench-musl-stamp"
MANIFEST="$LIBDIR/.livebench-musl-manifest"
want_stamp=$(
    "$RUSTC" -vV
    echo "musl $(dpkg-query -W -f '${Version}' musl-dev 2>/dev/null || echo unknown)"
    echo "libunwind $(sha256sum "$LLVM_UNWIND" | cut -d' ' -f1)"
    echo "script $(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
)
config_block=$(cat <<EOF
$BEGIN_MARK
# Link x86_64-unknown-linux-musl binaries with Debian's musl-gcc, truly static:
#  link-self-contained=no: use musl-gcc's crt objects and libc.a, not rustup's self-contained ones
#  relocation-model=static: a static (non-PIE) executable; the target's default static-pie gets a
#    PT_INTERP from musl-gcc's specs and then needs /lib/ld-musl-x86_64.so.1 at run time
#  -L native=$OWN_LIB: LLVM's libunwind.a, patched for musl (std's unwind crate links it)
[target.$TARGET]
linker = "$MUSL_GCC"
rustflags = ["-C", "link-self-contained=no", "-C", "relocation-model=static", "-L", "native=$OWN_LIB"]
$END_MARK
EOF
)

# print the managed block of a config file (block=1), or everything but it (block=0)
config_part() { awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v want="$2" \
    '$0 == b { inb = 1 } { if ((inb ? 1 : 0) == want) print } $0 == e { inb = 0 }' "$1"; }
config_ok() { [ -f "$CARGO_CONFIG" ] && [ "$(config_part "$CARGO_CONFIG" 1)" = "$config_block" ]; }

# write the managed block into $CARGO_CONFIG, keeping the rest of the file (replaced atomically)
write_config() {
    mkdir -p "$(dirname "$CARGO_CONFIG")"
    touch "$CARGO_CONFIG"
    local tmp dest
    dest=$(readlink -f "$CARGO_CONFIG")  # a symlinked config (dotfiles) stays a symlink
    tmp=$(mktemp "$dest.XXXXXX")
    config_part "$dest" 0 > "$tmp"
    if grep -qE "^\[target\.(\"|')?$TARGET(\"|')?\]" "$tmp"; then
        rm -f "$tmp"
        die "$CARGO_CONFIG already has a [target.$TARGET] section; remove it and re-run"
    fi
    [ -s "$tmp" ] && [ -n "$(tail -c1 "$tmp")" ] && echo >> "$tmp"
    echo "$config_block" >> "$tmp"
    chmod --reference="$dest" "$tmp"
    mv -f "$tmp" "$dest"
}

# --- one run at a time: a second run waits, then takes the fast path ------------------------------
command -v flock >/dev/null || die "flock not found: apt-get install util-linux"
exec 9<"$SYSROOT/lib/rustlib"
flock 9 || die "cannot lock $SYSROOT/lib/rustlib"

# --- fast path: already installed for this exact rustc ------------------------------------------
installed() { [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ] && [ -f "$OWN_LIB/libunwind.a" ] \
    && compgen -G "$LIBDIR/libstd-*.rlib" >/dev/null; }
if installed && ! config_ok; then  # std is in place; only this cargo home lacks the linker settings
    say "linker settings for $TARGET in $CARGO_CONFIG"
    write_config
fi
if installed && config_ok; then
    say "std for $TARGET is already installed for $("$RUSTC" -V)"
    say "  rlibs:  $LIBDIR ($(ls "$LIBDIR"/*.rlib | wc -l) crates)"
    say "  linker: $MUSL_GCC, configured in $CARGO_CONFIG"
    exit 0
fi

say "setting up $TARGET for $("$RUSTC" -V) (sysroot $SYSROOT)"
[ -w "$(dirname "$SYSROOT/lib/rustlib")" ] || [ "$(id -u)" = 0 ] || die "needs root to write $LIBDIR"
if [ -d "$LIBDIR" ] && [ ! -f "$MANIFEST" ] && compgen -G "$LIBDIR/*.rlib" >/dev/null; then
    die "$LIBDIR holds rlibs this script did not install; remove them or use that std instead"
fi

WORK=$(mktemp -d /tmp/livebench-musl-rust.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# --- 1. libunwind.a for musl (pitfalls 1 and 3) -------------------------------------------------
# Debian's LLVM libunwind.a was built against glibc with _FORTIFY_SOURCE, so it calls glibc's
# __fprintf_chk. musl has no such function: add a tiny one that forwards to vfprintf.
say "1/4 libunwind.a for musl: $LLVM_UNWIND + __fprintf_chk shim"
cat > "$WORK/fprintf_chk.c" <<'EOF'
/* glibc's fortified fprintf, which Debian's libunwind.a calls; musl lacks it. */
#include <stdarg.h>
#include <stdio.h>
int __fprintf_chk(FILE *stream, int flag, const char *format, ...) {
    (void)flag;
    va_list ap;
    va_start(ap, format);
    int n = vfprintf(stream, format, ap);
    va_end(ap);
    return n;
}
EOF
run "$MUSL_GCC" -O2 -fPIC -c "$WORK/fprintf_chk.c" -o "$WORK/fprintf_chk.o"
run cp "$LLVM_UNWIND" "$WORK/libunwind.a"
run ar rs "$WORK/libunwind.a" "$WORK/fprintf_chk.o"
run install -D -m 0644 "$WORK/libunwind.a" "$OWN_LIB/libunwind.a"

# --- 2. build std for the musl target ------------------------------------------------------------
# A throwaway library crate built with -Zbuild-std (RUSTC_BOOTSTRAP=1 lets the stable compiler
# accept it). Flags follow the library's own "dist" profile, which is what rustup downloads:
# one codegen unit, limited debuginfo, embedded bitcode (so user crates can use LTO), frame
# pointers. std's crates.io dependencies come from Debian's vendor folder: no network.
say "2/4 building std for $TARGET from $STD_SRC (offline, vendored deps)"
mkdir -p "$WORK/stdbuild/src" "$WORK/stdbuild/.cargo"
cat > "$WORK/stdbuild/Cargo.toml" <<'EOF'
[package]
name = "livebench-std-builder"
version = "0.0.0"
edition = "2021"
[lib]
path = "src/lib.rs"
[profile.release]
opt-level = 3
codegen-units = 1
debug = 1
EOF
echo '#![no_std]' > "$WORK/stdbuild/src/lib.rs"
cat > "$WORK/stdbuild/.cargo/config.toml" <<EOF
[source.crates-io]
replace-with = "debian-rust-src-vendor"
[source.debian-rust-src-vendor]
directory = "$VENDOR"
EOF
# The flags apply to every crate of std. CARGO_ENCODED_RUSTFLAGS overrides any rustflags from
# cargo configs (including this script's own musl section: std itself must stay PIC).
rustflags=(-Cembed-bitcode=yes -Zunstable-options -Cforce-frame-pointers=non-leaf)
encoded=$(IFS=$'\x1f'; echo "${rustflags[*]}")
printf '+ (cd %s && RUSTC_BOOTSTRAP=1 CARGO_ENCODED_RUSTFLAGS="%s" \\\n    %s build --release --offline --target %s -Zbuild-std=std,panic_abort,test)\n' \
    "$WORK/stdbuild" "${rustflags[*]}" "$CARGO" "$TARGET"
start=$SECONDS
(cd "$WORK/stdbuild" && env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u CARGO_BUILD_TARGET \
    RUSTC="$RUSTC" RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$WORK/target" \
    CARGO_ENCODED_RUSTFLAGS="$encoded" \
    "$CARGO" build --release --offline --target "$TARGET" -Zbuild-std=std,panic_abort,test 2>&1)
say "std built in $((SECONDS - start)) s"

# --- 3. install the rlibs into the sysroot --------------------------------------------------------
say "3/4 installing the rlibs into $LIBDIR"
if [ -f "$MANIFEST" ]; then
    # a previous install (older rustc or script): remove exactly what it installed
    while read -r f; do rm -f "$LIBDIR/$f"; done < "$MANIFEST"
    rm -f "$MANIFEST" "$STAMP"
fi
mkdir -p "$LIBDIR"
: > "$WORK/manifest"
for rlib in "$WORK/target/$TARGET/release/deps"/*.rlib; do
    case "$(basename "$rlib")" in liblivebench_std_builder-*) continue ;; esac
    install -m 0644 "$rlib" "$LIBDIR/"
    basename "$rlib" >> "$WORK/manifest"
done
install -m 0644 "$WORK/manifest" "$MANIFEST"
sed 's/-[0-9a-f]*\.rlib$//; s/^lib//' "$MANIFEST" | sort | tr '\n' ' ' | fold -s -w 96 | sed 's/^/    /'
echo

# --- 4. tell cargo how to link for the target -------------------------------------------------------
# Target-specific keys only: gnu builds of every project are unaffected.
say "4/4 linker settings for $TARGET in $CARGO_CONFIG"
write_config
echo "$config_block" | grep -v '^#'

# --- check: the plain command now gives a truly static hello world -------------------------------
say "check: cargo build --release --target $TARGET of a hello world"
mkdir -p "$WORK/hello/src"
printf '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n' > "$WORK/hello/Cargo.toml"
printf 'fn main() {\n    println!("Hello, world!");\n}\n' > "$WORK/hello/src/main.rs"
(cd "$WORK/hello" && env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS \
    CARGO_TARGET_DIR="$WORK/hello/target" "$CARGO" build --release --target "$TARGET" 2>&1)
bin="$WORK/hello/target/$TARGET/release/hello"
headers=$(readelf -lhd "$bin")
grep -E '^ *Type:' <<<"$headers"
if grep -q 'INTERP' <<<"$headers" || ! grep -q 'There is no dynamic section' <<<"$headers"; then
    die "the check binary is not truly static (it has PT_INTERP or a dynamic section)"
fi
echo "no PT_INTERP, no dynamic section"
out=$("$bin")
[ "$out" = "Hello, world!" ] || die "the check binary printed '$out'"
echo "$bin: $out"

echo "$want_stamp" > "$STAMP"
say "done: $TARGET is ready for $("$RUSTC" -V)"
