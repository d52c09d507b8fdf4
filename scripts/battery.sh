#!/bin/sh
# The whole broken-input battery (tests/battery/battery.py, every case against every command)
# against the ASan + UBSan build: scripts/battery.sh [--jobs N] [--only SUBSTRING]
# (ctest runs its deterministic --quick subset against the build it tests.)
set -eu
cd "$(dirname "$0")/.."
CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTN_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc 2>/dev/null || echo 2)" --target attnscope_cli >/dev/null
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 LSAN_OPTIONS=suppressions=$PWD/tests/figures/lsan.supp
exec python3 tests/battery/battery.py build-asan/attnscope tests/data build-asan/battery_work --log build-asan/battery.jsonl "$@"
