#!/bin/sh
# Differential test: random texts through Hugging Face's tokenizers (node + @anush008/tokenizers)
# and through attnscope. Skips (exit 77) when node or the package is missing — except under
# CI=true, where a missing dependency fails the test (CI installs what its tests need).
#   diff_test.sh CHECKER PYTHON DATA_DIR WORK_DIR [N] [SEED]
set -eu
checker=$1 python=$2 data=$3 work=$4 n=${5:-400} seed=${6:-1}
skip() {
    if [ "${CI:-}" = true ]; then echo "FAILED (CI=true, so no skipping): $1"; exit 1; fi
    echo "SKIP: $1"; exit 77
}
command -v node >/dev/null 2>&1 || skip "node not found"
node -e "require('@anush008/tokenizers')" >/dev/null 2>&1 || skip "@anush008/tokenizers not installed (set NODE_PATH)"
mkdir -p "$work"
"$python" "$(dirname "$0")/gen_texts.py" "$n" "$seed" "$work/in.jsonl"
rc=0
for name in bert-base-uncased roberta-style; do
    node "$data/tools/hf_tokenize.js" "$data/tokenizers/$name/tokenizer.json" "$work/in.jsonl" "$work/$name.jsonl"
    "$checker" "$data/tokenizers/$name/tokenizer.json" "$work/$name.jsonl" || rc=1
done
exit $rc
