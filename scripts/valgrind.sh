#!/bin/sh
# Valgrind memcheck over the model, tokenizer, analysis and fault tests and the CLI (also on bad input): any
# invalid read or write, use of uninitialised memory, or definite/indirect leak fails
# (--error-exitcode=99; each program must also exit with its own expected status).
#   scripts/valgrind.sh [BUILD_DIR]       (default build/, made by scripts/test.sh)
# Inputs are picked to keep it under ~10 minutes on 2 cores (valgrind runs code ~50x slower).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
data=$PWD/tests/data
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE ATTN_TEST_DATA=$data
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
check() { # check NAME EXPECTED_STATUS COMMAND...
    name=$1 want=$2
    shift 2
    start=$(date +%s)
    rc=0
    $vg "$@" >"$work/log" 2>&1 || rc=$?
    if [ "$rc" -eq "$want" ]; then
        echo "valgrind ok   $name ($(($(date +%s) - start)) s)"
    else
        echo "valgrind FAIL $name (exit $rc, expected $want)"
        tail -40 "$work/log"
        status=1
    fi
}
for m in bert-tiny bert-tiny-bin distilbert-tiny-sharded roberta-tiny-bf16; do
    check "forward $m" 0 "$build/tests/test_forward" "$data/models/$m"
done
check "config" 0 "$build/tests/test_config"
check "tokenizer api" 0 "$build/tests/tokenizer_api"
check "tokenizer cases (WordPiece, legacy vocab.txt)" 0 "$build/tests/tokenizer_cases_bert" bert-base-uncased vocab.txt
check "tokenizer cases (BPE, legacy vocab.json + merges.txt)" 0 "$build/tests/tokenizer_cases_roberta" roberta-style vocab.json merges.txt
check "fault injection (small scenarios)" 0 "$build/tests/fault_injection" 0
for t in test_corpus test_study test_head_distance; do # the analysis: corpus readers, study sums, head distances
    check "analysis $t" 0 "$build/tests/$t"
done
check "cli run --text --dump" 0 "$build/attnscope" run -q "$data/models/roberta-tiny" --text "The bank raised rates." \
    --text-pair "We sat on the river bank." --dump "$work/out.safetensors"
printf '{"text": "Hello world"}\n{"text": "caf\\u00e9 \\u4e00", "text_pair": "x"}\n' >"$work/in.jsonl"
check "cli tokenize --input" 0 "$build/attnscope" tokenize -q "$data/models/bert-tiny" --input "$work/in.jsonl" --output "$work/out.jsonl"
python3 tests/bad_input/make_cases.py "$data" "$work/bad" >/dev/null
for m in st_overlap st_misshaped_tensor cfg_not_json bin_evil_pickle; do
    check "cli run on $m" 1 "$build/attnscope" run -q "$work/bad/m/$m" --ids 101,102
done
for t in tok_unknown_model tok_merge_unknown legacy_merges_unknown; do
    check "cli tokenize on $t" 1 "$build/attnscope" tokenize -q "$work/bad/t/$t" hello
done
check "cli run --dump /dev/full" 1 "$build/attnscope" run -q "$data/models/bert-tiny" --ids 101,102 --dump /dev/full
exit $status
