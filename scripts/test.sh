#!/bin/sh
# The whole test suite: installs dependencies, builds, runs ctest.
#   scripts/test.sh              gcc, Release (asserts on) in build/
#   scripts/test.sh --sanitize   clang, AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -d .deps/node_modules ] && export NODE_PATH="$PWD/.deps/node_modules"
jobs=$(nproc 2>/dev/null || echo 2)
if [ "${1:-}" = "--sanitize" ]; then
    CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTN_SANITIZE=ON >/dev/null
    cmake --build build-asan -j"$jobs"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
else
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j"$jobs"
    ctest --test-dir build --output-on-failure -j"$jobs"
fi
