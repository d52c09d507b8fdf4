#!/bin/sh
# Source coverage of each fuzz target over its corpus (fuzz/corpus/<name>/, plus what
# scripts/fuzz.sh grew in build-fuzz/corpus-<name>/), with clang's -fprofile-instr-generate and
# llvm-cov: the line coverage of the files that target reads with.
#   scripts/fuzz-coverage.sh
set -eu
cd "$(dirname "$0")/.."
CC=clang cmake -S . -B build-cov -DCMAKE_BUILD_TYPE=Debug -DBUILD_TESTING=OFF \
    -DCMAKE_C_FLAGS="-fprofile-instr-generate -fcoverage-mapping" -DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate" >/dev/null
files_of() {
    case $1 in
    fuzz_safetensors) echo src/format/safetensors.c ;;
    fuzz_config) echo src/model/config.c ;;
    fuzz_torch_bin) echo src/format/torch_bin.c ;;
    fuzz_tokenizer) echo src/tokenizer/tokenizer.c ;;
    fuzz_encode) echo src/tokenizer/encode.c src/tokenizer/normalizer.c src/tokenizer/pretokenizer.c src/tokenizer/wordpiece.c src/tokenizer/bpe.c src/tokenizer/postprocess.c src/tokenizer/decoder.c ;;
    fuzz_legacy) echo src/tokenizer/legacy.c ;;
    fuzz_corpus) echo src/analysis/corpus.c src/analysis/corpus_csv.c src/analysis/corpus_jsonl.c src/analysis/corpus_agnews.c ;;
    fuzz_view) echo src/report/dump.c src/report/entry.c ;;
    esac
}
for src in fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    cmake --build build-cov -j2 --target "${name}_replay" >/dev/null
    rm -f build-cov/"$name".profraw
    dirs="fuzz/corpus/$name"
    [ -d build-fuzz/corpus-"$name" ] && dirs="$dirs build-fuzz/corpus-$name"
    # shellcheck disable=SC2086
    LLVM_PROFILE_FILE=build-cov/"$name".profraw build-cov/fuzz/"${name}_replay" $dirs >/dev/null
    llvm-profdata merge -sparse build-cov/"$name".profraw -o build-cov/"$name".profdata
    # shellcheck disable=SC2046
    llvm-cov report build-cov/fuzz/"${name}_replay" -instr-profile=build-cov/"$name".profdata $(files_of "$name") |
        awk -v n="$name" '$1 ~ /\.c$/ || $1 == "TOTAL" { f = $1; sub(/.*\//, "", f); printf "%-18s %-16s lines %5d, %5.1f%% covered; branches %5.1f%%\n", n, f, $8, $10, $13 }'
done
