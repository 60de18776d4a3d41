#!/usr/bin/env bash
# Install what the site and the tests need on a fresh Debian bookworm machine: the Debian packages
# (compilers, musl, Debian's Rust, mmdebstrap, Chromium) when run as root (as anyone else it names
# the missing ones and stops), then a .venv with mkdocs-livebench installed editable. Fast when
# everything is already there.
set -euo pipefail
cd "$(dirname "$0")"

packages=$(grep -hv '^\s*#' benchmarks/toolchain/apt-packages.txt tests/apt-packages.txt | tr -s ' \n' ' ')
foreign=$(printf '%s\n' $packages | sed -n 's/^[^:]*:\([a-z0-9]*\)$/\1/p' | sort -u)
# One query per name: dpkg-query prints nothing for a package it has never heard of, and an unqualified
# name (musl) may be installed for two architectures, so counting lines over all of them would mislead.
absent=$(for p in $packages; do [[ "$(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null)" == ii* ]] || echo "$p"; done | tr '\n' ' ')
if [ -n "${absent// /}" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "bootstrap: these Debian packages are missing; ask an administrator to run, once:" >&2
        for arch in $foreign; do
            dpkg --print-foreign-architectures | grep -qx "$arch" || echo "  dpkg --add-architecture $arch && apt-get update" >&2
        done
        echo "  apt-get install --no-install-recommends $absent" >&2
        exit 1
    fi
    echo "bootstrap: installing Debian packages: $packages"
    export DEBIAN_FRONTEND=noninteractive
    for arch in $foreign; do  # multiarch: a package of another CPU (musl-dev:arm64) beside the native ones
        dpkg --print-foreign-architectures | grep -qx "$arch" || dpkg --add-architecture "$arch"
    done
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv"
    python3 -m venv .venv
fi
stamp=.venv/.livebench-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: installing mkdocs-livebench and its dependencies into .venv"
    .venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
    echo "$want" > "$stamp"
fi
# Python caches compiled modules itself unless PYTHONDONTWRITEBYTECODE is set (as on some CI machines);
# pip compiles what it installs, but not an editable install's source: done here, or every build compiles it.
.venv/bin/python -m compileall -q plugin/livebench >/dev/null \
    || echo "bootstrap: could not write the package's bytecode (plugin/livebench/__pycache__); builds will be slower" >&2
# Material 9.8 prints an end-of-life notice on every build; the demo site knows.
echo "bootstrap: ready (.venv/bin/mkdocs, .venv/bin/livebench)"
