#!/usr/bin/env bash
# Does `livebench rust-target add x86_64-unknown-linux-musl` work with plain bookworm's rustc-web (1.85,
# the main suite without bookworm-security, whose rust-web-src has no vendor/ folder)? Builds such a
# root with mmdebstrap, installs a wheel of this package into a venv inside it, and runs the command
# there. Run as root from the project root; takes about 4 minutes; leaves nothing behind.
# Last run 2026-12-02: rustc 1.85.0; std's dependencies came from the crate registry (no vendor/),
# std built in 107 s, and the check's hello was static with no PT_INTERP.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(mktemp -d /tmp/plain-bookworm-XXXXXX)
wheel=$(mktemp -d /tmp/plain-bookworm-wheel-XXXXXX)
cleanup() { umount "$root/proc" "$root/dev" 2>/dev/null || true; rm -rf "$root" "$wheel"; }
trap cleanup EXIT
rmdir "$root"
mmdebstrap --variant=apt --include=rustc-web,cargo-web,libstd-rust-web-dev,rust-web-src,musl-tools,musl-dev,libunwind-14-dev,gcc,libc6-dev,python3-venv,ca-certificates \
    bookworm "$root" http://deb.debian.org/debian
python3 -m pip wheel -q --no-deps -w "$wheel" .
cp "$wheel"/*.whl "$root/root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"  # a proxy's CA, if the host has one
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$root/etc/pip.conf"
mount --bind /proc "$root/proc"
mount --bind /dev "$root/dev"
chroot "$root" env -i PATH=/usr/bin:/bin HOME=/root SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt bash -euc '
    rustc -V
    python3 -m venv /v && /v/bin/pip install -q /root/*.whl
    cd /root && /v/bin/livebench rust-target add x86_64-unknown-linux-musl --dest /root/sysroot'
