#!/bin/sh
# `attnscope tokenize` end to end: JSONL in/out against the reference cases (both layouts), the
# table, options and errors.   test_cli.sh ATTNSCOPE PYTHON DATA_DIR WORK_DIR
set -u
cli=$1 python=$2 data=$3 work=$4
here=$(dirname "$0")
fail=0
rm -rf "$work" && mkdir -p "$work"
check() { if "$@"; then :; else echo "FAILED: $*"; fail=1; fi; }

for name in bert-base-uncased roberta-style; do
    cases=$data/tokenizers/$name/cases.jsonl
    check "$cli" tokenize "$data/tokenizers/$name/tokenizer.json" --input "$cases" --output "$work/$name.jsonl"
    check "$python" "$here/cli_compare.py" "$cases" "$work/$name.jsonl" full
    check "$cli" tokenize "$data/tokenizers/$name/tokenizer.json" --no-special-tokens --input "$cases" --output "$work/$name.ns.jsonl"
    check "$python" "$here/cli_compare.py" "$cases" "$work/$name.ns.jsonl" no_special
done
# the legacy layout, through a model folder holding only the vocabulary files
mkdir -p "$work/legacy"
ln -s "$data/tokenizers/roberta-style/vocab.json" "$data/tokenizers/roberta-style/merges.txt" "$work/legacy/"
check "$cli" tokenize "$work/legacy" --input "$data/tokenizers/roberta-style/cases.jsonl" --output "$work/legacy.jsonl"
check "$python" "$here/cli_compare.py" "$data/tokenizers/roberta-style/cases.jsonl" "$work/legacy.jsonl" full

# the table
out=$("$cli" tokenize "$data/models/bert-tiny" "Hello, world" --pair "again")
echo "$out" | grep -q '7592  hello' || { echo "FAILED: table: $out"; fail=1; }
echo "$out" | grep -q '^7 tokens' || { echo "FAILED: table count: $out"; fail=1; }
out=$("$cli" tokenize "$data/models/bert-tiny" "one two three four" --max-length 4 --no-special-tokens)
echo "$out" | grep -q '^4 tokens' || { echo "FAILED: --max-length: $out"; fail=1; }

# errors: exit code and a message naming the problem; no partial output file
if "$cli" tokenize "$data/models/bert-tiny" "$(printf 'ab\377')" 2>"$work/err"; then echo "FAILED: invalid UTF-8 accepted"; fail=1; fi
grep -q "byte offset 2" "$work/err" || { echo "FAILED: invalid UTF-8 message: $(cat "$work/err")"; fail=1; }
printf '{"text": "fine"}\n{"nope": 1}\n' > "$work/bad.jsonl"
if "$cli" tokenize "$data/models/bert-tiny" --input "$work/bad.jsonl" --output "$work/bad.out" 2>"$work/err"; then echo "FAILED: bad line accepted"; fail=1; fi
grep -q "bad.jsonl:2" "$work/err" || { echo "FAILED: bad line message: $(cat "$work/err")"; fail=1; }
[ ! -e "$work/bad.out" ] || { echo "FAILED: partial output left behind"; fail=1; }
"$cli" tokenize "$data/models/bert-tiny" --max-length x "a" 2>/dev/null; [ $? -eq 2 ] || { echo "FAILED: usage error code"; fail=1; }

if [ $fail -eq 0 ]; then echo "tokenize CLI: all checks passed"; fi
exit $fail
