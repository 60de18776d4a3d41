#!/usr/bin/env bash
# rust-target.sh TARGET DEST: what `rustup target add TARGET` does online, offline and in user space,
# for Debian's rustc: the target's standard library built from the std sources Debian ships
# (rust-web-src, with their vendored dependencies) into DEST/sysroot, which the user owns.
#
# Nothing global is written: not the system's rustlib, not ~/.cargo/config.toml. Builds that need
# the target get two variables (DEST/env, read by livebench for the steps that need this one):
#   CARGO_TARGET_<TRIPLE>_LINKER     a gcc that links against musl (Debian's musl-gcc, or for
#                                    aarch64 the cross gcc with musl's specs, DEST/bin/…-musl-gcc)
#   CARGO_TARGET_<TRIPLE>_RUSTFLAGS  --sysroot=DEST/sysroot and the flags of a truly static link
# Cargo applies them to the target only (build scripts and proc macros keep the host's std), so the
# plain `cargo build --release --target TARGET` works. Removing DEST removes it.
set -euo pipefail

TARGET=${1:?usage: rust-target.sh TARGET DEST}
DEST=${2:?usage: rust-target.sh TARGET DEST}
RUSTC=/usr/bin/rustc   # Debian's compiler: std built by one rustc cannot be used by another
CARGO=/usr/bin/cargo
case "$TARGET" in
    x86_64-unknown-linux-musl)
        MUSL_GCC=/usr/bin/musl-gcc; MUSL_GCC_PACKAGE=musl-tools
        MUSL_LIBC=/usr/lib/x86_64-linux-musl/libc.a; MUSL_PACKAGE=musl-dev
        LLVM_UNWIND=/usr/lib/llvm-14/lib/libunwind.a
        AR=ar; RUN_CHECK=() ;;
    aarch64-unknown-linux-musl)
        # Debian has no aarch64 musl-gcc, but musl-dev:arm64 (multiarch) ships the specs that put the
        # cross gcc on musl; DEST/bin gets the two-line wrapper musl-gcc itself is.
        MUSL_GCC="$DEST/bin/aarch64-linux-musl-gcc"; MUSL_GCC_PACKAGE=gcc-aarch64-linux-gnu
        MUSL_LIBC=/usr/lib/aarch64-linux-musl/libc.a; MUSL_PACKAGE=musl-dev:arm64
        LLVM_UNWIND=""   # libunwind-14-dev:arm64 cannot be installed beside the amd64 one (same path)
        AR=aarch64-linux-gnu-ar; RUN_CHECK=(qemu-aarch64-static) ;;
    *) echo "rust-target.sh: supported targets: x86_64-unknown-linux-musl, aarch64-unknown-linux-musl (got $TARGET)" >&2
       exit 2 ;;
esac

say() { printf '==> %s\n' "$*"; }
run() { printf '+ %s\n' "$*"; "$@"; }
die() { printf 'rust-target.sh: error: %s\n' "$*" >&2; exit 1; }
need_file() { [ -e "$1" ] || die "$1 not found: apt-get install $2"; }

need_file "$RUSTC" rustc-web
need_file "$CARGO" cargo-web
need_file "$MUSL_LIBC" "$MUSL_PACKAGE"
case "$TARGET" in
    x86_64-*)
        need_file "$MUSL_GCC" "$MUSL_GCC_PACKAGE"
        need_file "$LLVM_UNWIND" libunwind-14-dev
        musl_version=$(dpkg-query -W -f '${Version}' musl-dev 2>/dev/null || echo unknown)
        unwind_version="$(sha256sum "$LLVM_UNWIND" | cut -d' ' -f1)" ;;
    aarch64-*)
        need_file /usr/bin/aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
        need_file /usr/lib/aarch64-linux-musl/musl-gcc.specs musl-dev:arm64
        need_file /usr/bin/qemu-aarch64-static qemu-user-static
        musl_version=$(dpkg-query -W -f '${Version}' musl-dev:arm64 2>/dev/null || echo unknown)
        unwind_version="$(apt-cache policy libunwind-14-dev:arm64 2>/dev/null | sed -n 's/^ *Candidate: //p')"
        [ -n "$unwind_version" ] && [ "$unwind_version" != "(none)" ] \
            || die "apt knows no libunwind-14-dev:arm64: dpkg --add-architecture arm64 && apt-get update (as root)" ;;
esac
command -v ar >/dev/null && command -v readelf >/dev/null || die "ar/readelf not found: apt-get install binutils"
command -v flock >/dev/null || die "flock not found: apt-get install util-linux"
HOST_SYSROOT=$("$RUSTC" --print sysroot)
STD_SRC="$HOST_SYSROOT/lib/rustlib/src/rust/library"
need_file "$STD_SRC/std/Cargo.toml" rust-web-src
VENDOR="$STD_SRC/vendor"
if [ ! -d "$VENDOR" ]; then
    # bookworm's own rustc-web (1.85) ships std's sources without the vendor folder (the security
    # suite's 1.96 has it): std's dependencies then come from Cargo's crate registry, if reachable.
    VENDOR=""
fi
compgen -G "$HOST_SYSROOT/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-*.rlib" >/dev/null \
    || die "the host (gnu) std is missing: apt-get install libstd-rust-web-dev"

mkdir -p "$DEST"
SYSROOT="$DEST/sysroot"
LIBDIR="$SYSROOT/lib/rustlib/$TARGET/lib"
NATIVE="$DEST/native"
STAMP="$DEST/.stamp"
ENVFILE="$DEST/env"
triple=$(echo "$TARGET" | tr 'a-z-' 'A-Z_')
flags="--sysroot=$SYSROOT -C link-self-contained=no -C relocation-model=static -L native=$NATIVE"
# link-self-contained=no: musl-gcc's crt objects and libc.a, not rustup's self-contained ones;
# relocation-model=static: a static executable, not the target's default static-pie, which gets a
# PT_INTERP from musl-gcc's specs and would need /lib/ld-musl-x86_64.so.1 at run time.
want_stamp=$(
    "$RUSTC" -vV
    echo "musl $musl_version"
    echo "libunwind $unwind_version"
    echo "script $(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
)

write_env() {  # the paths of this DEST: a folder copied or moved elsewhere is rewritten, not rebuilt
    printf 'CARGO_TARGET_%s_LINKER=%s\nCARGO_TARGET_%s_RUSTFLAGS=%s\n' "$triple" "$MUSL_GCC" "$triple" "$flags" \
        > "$ENVFILE.tmp"
    mv "$ENVFILE.tmp" "$ENVFILE"
}

exec 9>"$DEST/.lock"
flock 9 || die "cannot lock $DEST/.lock"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ] && [ -f "$NATIVE/libunwind.a" ] && [ -x "$MUSL_GCC" ] \
        && compgen -G "$LIBDIR/libstd-*.rlib" >/dev/null; then
    write_env
    say "std for $TARGET is already built for $("$RUSTC" -V) in $SYSROOT"
    exit 0
fi
say "building std for $TARGET with $("$RUSTC" -V) into $SYSROOT"
rm -rf "$SYSROOT" "$NATIVE" "$STAMP" "$ENVFILE" "$DEST/bin"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/livebench-rust-target.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export CARGO_HOME="$WORK/cargo-home"   # never the user's: nothing of this lands in ~/.cargo

if [ "$TARGET" = aarch64-unknown-linux-musl ]; then
    mkdir -p "$DEST/bin"
    printf '#!/bin/sh\nexec aarch64-linux-gnu-gcc "$@" -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs\n' \
        > "$MUSL_GCC.tmp"
    chmod 0755 "$MUSL_GCC.tmp" && mv "$MUSL_GCC.tmp" "$MUSL_GCC"
    # LLVM's libunwind for arm64, from its .deb unpacked here (not installed: it would replace the
    # amd64 one, which shares its path). The cross gcc's libgcc_eh.a cannot stand in: it calls
    # glibc's _dl_find_object, which musl lacks.
    say "0/4 libunwind-14-dev:arm64 $unwind_version, unpacked into $WORK"
    (cd "$WORK" && run apt-get download -q "libunwind-14-dev:arm64=$unwind_version" 2>&1) \
        || die "apt-get download libunwind-14-dev:arm64 failed: is Debian's archive reachable?"
    run dpkg-deb -x "$WORK"/libunwind-14-dev_*_arm64.deb "$WORK/libunwind-arm64"
    LLVM_UNWIND="$WORK/libunwind-arm64/usr/lib/llvm-14/lib/libunwind.a"
    need_file "$LLVM_UNWIND" "libunwind-14-dev:arm64 (its .deb has no libunwind.a)"
fi

# 1. libunwind.a for musl: Debian's LLVM one calls glibc's fortified __fprintf_chk, which musl lacks
say "1/4 libunwind.a for musl: $LLVM_UNWIND + a __fprintf_chk that forwards to vfprintf"
cat > "$WORK/fprintf_chk.c" <<'EOF'
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
run "$AR" rs "$WORK/libunwind.a" "$WORK/fprintf_chk.o"
run install -D -m 0644 "$WORK/libunwind.a" "$NATIVE/libunwind.a"

# 2. std for the target, with -Zbuild-std (RUSTC_BOOTSTRAP=1 lets the stable compiler accept it),
# using the library's "dist" profile flags, which is what rustup downloads.
say "2/4 building std from $STD_SRC"
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
offline=()
if [ -n "$VENDOR" ]; then
    printf '[source.crates-io]\nreplace-with = "debian-rust-src-vendor"\n[source.debian-rust-src-vendor]\ndirectory = "%s"\n' \
        "$VENDOR" > "$WORK/stdbuild/.cargo/config.toml"
    offline=(--offline)
fi
encoded=$(printf '%s\x1f' -Cembed-bitcode=yes -Zunstable-options -Cforce-frame-pointers=non-leaf)
encoded=${encoded%$'\x1f'}
start=$SECONDS
(cd "$WORK/stdbuild" && env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u CARGO_BUILD_TARGET \
    -u "CARGO_TARGET_${triple}_RUSTFLAGS" -u "CARGO_TARGET_${triple}_LINKER" \
    RUSTC="$RUSTC" RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$WORK/target" CARGO_ENCODED_RUSTFLAGS="$encoded" \
    "$CARGO" build --release "${offline[@]}" --target "$TARGET" -Zbuild-std=std,panic_abort,test 2>&1)
say "std built in $((SECONDS - start)) s"

# 3. the rlibs into the user's sysroot
say "3/4 installing $(ls "$WORK/target/$TARGET/release/deps"/*.rlib | wc -l) rlibs into $LIBDIR"
mkdir -p "$LIBDIR"
for rlib in "$WORK/target/$TARGET/release/deps"/*.rlib; do
    case "$(basename "$rlib")" in liblivebench_std_builder-*) continue ;; esac
    install -m 0644 "$rlib" "$LIBDIR/"
done

# 4. what the builds that need this target get in their environment
say "4/4 $ENVFILE"
write_env
cat "$ENVFILE"

# check: the plain command gives a truly static hello world
say "check: cargo build --release --target $TARGET of a hello world"
mkdir -p "$WORK/hello/src"
printf '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n' > "$WORK/hello/Cargo.toml"
printf 'fn main() {\n    println!("Hello, world!");\n}\n' > "$WORK/hello/src/main.rs"
(cd "$WORK/hello" && env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS \
    "CARGO_TARGET_${triple}_LINKER=$MUSL_GCC" "CARGO_TARGET_${triple}_RUSTFLAGS=$flags" \
    RUSTC="$RUSTC" CARGO_TARGET_DIR="$WORK/hello/target" "$CARGO" build --release --offline --target "$TARGET" 2>&1)
bin="$WORK/hello/target/$TARGET/release/hello"
headers=$(readelf -lhd "$bin")
if grep -q 'INTERP' <<<"$headers" || ! grep -q 'There is no dynamic section' <<<"$headers"; then
    die "the check binary is not truly static (it has PT_INTERP or a dynamic section)"
fi
out=$("${RUN_CHECK[@]}" "$bin")
[ "$out" = "Hello, world!" ] || die "the check binary printed '$out'"
echo "$bin: no PT_INTERP, no dynamic section; prints $out"
echo "$want_stamp" > "$STAMP"
say "done: $TARGET is ready in $DEST"
