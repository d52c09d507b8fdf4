#!/bin/sh
# attnscope inspect / run as a user runs them: outputs, dumps readable by a plain safetensors
# reader and equal to the reference, and bad inputs that fail cleanly without leaving files.
#   test_run.sh ATTNSCOPE PYTHON DATA_DIR
set -u
bin=$1 py=$2 data=$3
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_error DESCRIPTION NEEDLE COMMAND...: non-zero exit, one line on stderr naming NEEDLE
expect_error() {
    desc=$1 needle=$2; shift 2
    if "$@" >"$tmp/out" 2>"$tmp/err"; then fail "$desc: exit 0"; return; fi
    lines=$(wc -l <"$tmp/err")
    if [ "$lines" -ne 1 ] || ! grep -q -- "$needle" "$tmp/err"; then
        fail "$desc: stderr was: $(cat "$tmp/err")"; return
    fi
    ok
}

# inspect: the three real configs
for spec in bert-base-uncased:109482240 distilbert-base-uncased:66362880 roberta-base:124645632; do
    name=${spec%%:*} want=${spec#*:}
    got=$("$bin" inspect --json "$data/configs/$name.json" | "$py" -c 'import json,sys; d=json.load(sys.stdin); print(d["parameters"], sorted(d)[:0], all(k in d for k in ["model_type","layers","hidden","heads","intermediate","vocab","max_positions","parameters"]))')
    [ "$got" = "$want [] True" ] && ok || fail "inspect $name: $got"
done
"$bin" inspect "$data/models/roberta-tiny-bf16" >"$tmp/out" && grep -q "BF16" "$tmp/out" && ok || fail "inspect bf16 dtype"
# several models: one comparison row each; --json: an array
"$bin" inspect "$data/configs/roberta-base.json" "$data/models/distilbert-tiny" >"$tmp/out" \
    && grep -q "124,645,632" "$tmp/out" && grep -q "distilbert-tiny .*F32" "$tmp/out" && [ "$(wc -l <"$tmp/out")" -eq 3 ] \
    && ok || fail "inspect table: $(cat "$tmp/out")"
got=$("$bin" inspect --json "$data/configs/bert-base-uncased.json" "$data/models/bert-tiny-plain-f16" | "$py" -c 'import json,sys; d=json.load(sys.stdin); print([x["parameters"] for x in d], d[1]["dtype"])')
[ "$got" = "[109482240, 1011360] F16" ] && ok || fail "inspect --json array: $got"

# run --ids: the first bert-tiny input, compared with the reference
ids=$("$py" -c 'import json,sys; print(",".join(map(str, json.loads(open(sys.argv[1]).readline())["ids"])))' "$data/models/bert-tiny/inputs.jsonl")
"$bin" run "$data/models/bert-tiny" --ids "$ids" --dump "$tmp/one.safetensors" >"$tmp/out" 2>&1 || fail "run --ids: $(cat "$tmp/out")"
"$py" "$here/safetensors_check.py" "$tmp/one.safetensors" "$data/models/bert-tiny/expected.safetensors" --only 0 && ok || fail "run --ids dump"

# run --input: every line of each fixture, batched 4 at a time (padding across lengths)
for m in bert-tiny distilbert-tiny roberta-tiny roberta-tiny-bf16 bert-tiny-plain-f16; do
    "$py" -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    out = {"ids": d["ids"]}
    if "type_ids" in d: out["type_ids"] = d["type_ids"]
    print(json.dumps(out))' "$data/models/$m/inputs.jsonl" >"$tmp/in.jsonl"
    "$bin" run "$data/models/$m" --input "$tmp/in.jsonl" --batch-size 4 --dump "$tmp/$m.safetensors" >"$tmp/out" 2>&1 \
        || fail "run --input $m: $(cat "$tmp/out")"
    "$py" "$here/safetensors_check.py" "$tmp/$m.safetensors" "$data/models/$m/expected.safetensors" >"$tmp/check" \
        && ok || fail "run --input $m dump: $(cat "$tmp/check")"
done

# bad inputs: clear one-line errors, non-zero exit, no output file left behind
expect_error "missing folder" "no-such-dir" "$bin" run "$tmp/no-such-dir" --ids 1,2 --dump "$tmp/x.safetensors"
expect_error "id out of range" "outside the vocabulary" "$bin" run "$data/models/bert-tiny" --ids 101,999999,102 --dump "$tmp/x.safetensors"
expect_error "bad id list" "--ids" "$bin" run "$data/models/bert-tiny" --ids 101,abc
expect_error "bad thread count" "--threads" "$bin" run "$data/models/bert-tiny" --ids 101,102 --threads abc
expect_error "dump into a missing folder" "cannot create" "$bin" run "$data/models/bert-tiny" --ids 101,102 --dump "$tmp/no/x.safetensors"
printf '{"ids": [101, 102]}\n{"ids": [1, 2\n' >"$tmp/bad.jsonl"
expect_error "bad jsonl" "bad.jsonl:2" "$bin" run "$data/models/bert-tiny" --input "$tmp/bad.jsonl" --dump "$tmp/x.safetensors"
printf '{"ids": [101, 102], "type_ids": [0]}\n' >"$tmp/bad2.jsonl"
expect_error "type_ids length" "type_ids" "$bin" run "$data/models/bert-tiny" --input "$tmp/bad2.jsonl"
long=$("$py" -c 'print(",".join(["1000"] * 600))')
expect_error "too long" "positions" "$bin" run "$data/models/bert-tiny" --ids "$long" --dump "$tmp/x.safetensors"
mkdir "$tmp/broken" && cp "$data/models/bert-tiny/config.json" "$tmp/broken/" && head -c 1000 "$data/models/bert-tiny/model.safetensors" >"$tmp/broken/model.safetensors"
expect_error "truncated weights" "model.safetensors" "$bin" run "$tmp/broken" --ids 101,102 --dump "$tmp/x.safetensors"
printf '{"model_type": "gpt2"}' >"$tmp/broken/config.json"
expect_error "unknown model_type" "gpt2" "$bin" inspect "$tmp/broken"
[ ! -e "$tmp/x.safetensors" ] && ok || fail "a failed run left $tmp/x.safetensors"
ls "$tmp" | grep -q 'tmp-' && fail "temporary files left: $(ls "$tmp")" || ok

echo "test_run.sh: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
