#!/bin/sh
# Installs the Debian packages attnscope builds and tests with (skips what is already there).
set -eu
pkgs="build-essential cmake pkg-config clang libomp-dev python3
libjansson-dev libutf8proc-dev libcurl4-openssl-dev libssl-dev libzip-dev"
# --peers: also what bench/compare_peers.sh compares with (PyTorch eager on OpenBLAS; node + npm
# for onnxruntime-node, which the script installs itself with --ignore-scripts)
[ "${1:-}" = "--peers" ] && pkgs="$pkgs python3-torch libopenblas0-openmp nodejs npm"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
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
