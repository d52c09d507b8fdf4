#!/bin/sh
# Installs the Debian packages attnscope builds and tests with (skips what is already there).
set -eu
pkgs="build-essential cmake pkg-config clang libomp-dev python3
libjansson-dev libutf8proc-dev libcurl4-openssl-dev libssl-dev libzip-dev libxml2-dev
libcairo2-dev libpango1.0-dev liblapacke-dev fonts-dejavu-core fonts-noto-color-emoji fonts-droid-fallback poppler-utils"
missing=""
# The HTML report: zlib (deflate); chromium and nodejs for its browser tests.
pkgs="$pkgs zlib1g-dev chromium nodejs"
# Scale (docs/scale.md): the one-node Slurm cluster test of examples/slurm needs slurm-wlm + munge under CI.
[ "${CI:-}" = true ] && pkgs="$pkgs slurm-wlm munge"
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# npm comes with some nodejs builds (NodeSource); Debian packages it apart
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
    echo "installing:$missing" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Optional: Hugging Face's own tokenizers (Rust, via its Node build) for the differential tokenizer
# test. Tests skip it when this is unavailable.
if command -v npm >/dev/null 2>&1 && [ ! -d .deps/node_modules/@anush008/tokenizers ]; then
    mkdir -p .deps
    npm install --prefix .deps --no-audit --no-fund --silent @anush008/tokenizers@0.6.0 >/dev/null 2>&1 \
        || echo "note: npm could not install @anush008/tokenizers; the differential tokenizer test will be skipped" >&2
fi

# The HTML report's browser tests drive Debian's chromium with playwright-core (no browser download).
if command -v npm >/dev/null 2>&1 && [ ! -d .deps/node_modules/playwright-core ]; then
    mkdir -p .deps
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix .deps --no-audit --no-fund --silent playwright-core@1.47.2 >/dev/null 2>&1 \
        || echo "note: npm could not install playwright-core; the report's browser test will be skipped (fails under CI=true)" >&2
fi
