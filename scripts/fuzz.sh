#!/bin/sh
# Short libFuzzer runs of every fuzz target (clang), seeded with fuzz/corpus/<target>/.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 30)
# A crash leaves its input in build-fuzz/crashes/: add it to fuzz/corpus/<target>/ once fixed.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-30}
scripts/install-deps.sh
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTN_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
mkdir -p build-fuzz/crashes
: >build-fuzz/summary.txt
status=0
for bin in build-fuzz/fuzz/*_libfuzzer; do
    name=$(basename "$bin" _libfuzzer)
    work=build-fuzz/corpus-$name
    mkdir -p "$work"
    echo "fuzzing $name for ${secs}s"
    if ! ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix=build-fuzz/crashes/"$name"- "$work" "fuzz/corpus/$name" \
            >build-fuzz/"$name".log 2>&1; then
        echo "fuzz target $name failed; see build-fuzz/$name.log"; tail -30 build-fuzz/"$name".log
        status=1
    fi
    # executions and coverage (libFuzzer's edge counter "cov:" and feature counter "ft:")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' build-fuzz/"$name".log)
    last=$(grep -E '#[0-9]+.*cov: ' build-fuzz/"$name".log | tail -1)
    cov=$(printf '%s' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corpus=$(ls "$work" | wc -l)
    printf '%-20s %10s execs  cov %6s  ft %6s  corpus %5s\n' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" | tee -a build-fuzz/summary.txt
done
exit $status
