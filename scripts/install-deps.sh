#!/bin/sh
# Installs the Debian packages attnscope builds and tests with (skips what is already there).
set -eu
pkgs="build-essential cmake pkg-config clang libomp-dev python3
libjansson-dev libutf8proc-dev libcurl4-openssl-dev libssl-dev libzip-dev"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
