#!/bin/sh
# attnscope view end to end: reports from models and from dumps hold exactly the attention that
# `run --dump` writes (checked by a stdlib-only reader of the HTML), a CSP whose hashes match, no
# markup from data; bad inputs fail with one line naming the file, before any work, leaving no file.
#   test_view.sh ATTNSCOPE PYTHON DATA_DIR
set -u
bin=$1 py=$2 data=$3
here=$(dirname "$0")
check="$py $here/report_check.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_ok() { desc=$1; shift; if "$@" >"$tmp/log" 2>&1; then ok; else fail "$desc: $(cat "$tmp/log")"; fi; }
# expect_error DESCRIPTION NEEDLE COMMAND...: non-zero exit, one line on stderr naming NEEDLE
expect_error() {
    desc=$1 needle=$2; shift 2
    if "$@" >"$tmp/out" 2>"$tmp/err"; then fail "$desc: exit 0"; return; fi
    if [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q -- "$needle" "$tmp/err"; then fail "$desc: stderr was: $(cat "$tmp/err")"; return; fi
    ok
}
bert=$data/models/bert-tiny rob=$data/models/roberta-tiny
text='The bank <script>alert(1)</script> "><img src=x onerror=alert(1)> & 東京 '"$(printf '\342\200\250')"' end'
pair='It raised rates.'

# 1. two models, a pair: the same numbers as run --dump, the same tokens as tokenize
expect_ok "view two models" "$bin" view --quiet "$bert" R="$rob" "$text" --pair "$pair" -o "$tmp/v.html"
"$bin" run "$bert" --text "$text" --text-pair "$pair" --dump "$tmp/b.safetensors" --quiet
"$bin" run "$rob" --text "$text" --text-pair "$pair" --dump "$tmp/r.safetensors" --quiet
expect_ok "attention equals run --dump" $check compare "$tmp/v.html" 0="$tmp/b.safetensors" 1="$tmp/r.safetensors"
expect_ok "CSP and hashes" $check csp "$tmp/v.html"
expect_ok "no markup from data" $check safe "$tmp/v.html"
grep -q '<script>alert(1)' "$tmp/v.html" && fail "raw <script> of the sentence in the file" || ok
printf '{"text": %s, "text_pair": "%s"}\n' "$($py -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$text")" "$pair" >"$tmp/in.jsonl"
"$bin" tokenize "$bert" --input "$tmp/in.jsonl" --output "$tmp/bt.jsonl" >/dev/null
expect_ok "tokens equal tokenize" $check tokens "$tmp/v.html" 0 "$tmp/bt.jsonl"
labels=$($check field "$tmp/v.html" '[x["label"] for x in m["models"]]')
[ "$labels" = '["bert-tiny", "R"]' ] && ok || fail "model labels: $labels"
# labels may hold '=', '/' and markup (LABEL ends at the '=' before an existing MODEL path)
mark='"><img src=x onerror=alert(1)>'
expect_ok "markup labels" "$bin" view --quiet '<script>alert(1)</script>'="$bert" "$mark"="$rob" "one" -o "$tmp/labels $mark.html"
labels=$($check field "$tmp/labels $mark.html" '[x["label"] for x in m["models"]]')
[ "$labels" = '["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>"]' ] && ok || fail "markup labels: $labels"
expect_ok "markup labels: no markup from data" $check safe "$tmp/labels $mark.html"
segs=$($check field "$tmp/v.html" 'm["sentences"][0]["entries"][0]["segments"][-6:]')
[ "$segs" = '[0, 1, 1, 1, 1, 1]' ] && ok || fail "segments of the pair: $segs"

# 2. from a dump and its tokens (tokenize --output lines as JSON Lines), default output name
(cd "$tmp" && "$bin" view --quiet --attentions B="$tmp/b.safetensors" --tokens "$tmp/bt.jsonl") >"$tmp/log" 2>&1 || fail "view --attentions: $(cat "$tmp/log")"
expect_ok "dump report equals the dump" $check compare "$tmp/attnscope-view.html" "$tmp/b.safetensors"
expect_ok "dump report tokens" $check tokens "$tmp/attnscope-view.html" 0 "$tmp/bt.jsonl"

# 3. several sentences, tokens as a list of token lists, --compact (round(p*1000))
printf '{"text": "one two"}\n{"text": "a longer second sentence"}\n' >"$tmp/two.jsonl"
"$bin" run "$bert" --input "$tmp/two.jsonl" --dump "$tmp/two.safetensors" --quiet
"$bin" tokenize "$bert" --input "$tmp/two.jsonl" --output "$tmp/two.tok.jsonl" >/dev/null
$py -c 'import json,sys; print(json.dumps([json.loads(l)["tokens"] for l in open(sys.argv[1])]))' "$tmp/two.tok.jsonl" >"$tmp/two.json"
expect_ok "view two sentences --compact" "$bin" view --quiet --compact --attentions "$tmp/two.safetensors" --tokens "$tmp/two.json" -o "$tmp/two.html"
expect_ok "compact values are the 3-decimal rounding" $check compare "$tmp/two.html" "$tmp/two.safetensors" --compact
n=$($check field "$tmp/two.html" 'len(m["sentences"])')
[ "$n" = 2 ] && ok || fail "two sentences: $n"

# 4. bad inputs: one line naming the file, no output left behind
echo '[["[CLS]", "one", "[SEP]"]]' >"$tmp/short.json"
echo '[["[CLS]", "one", "[SEP]"], ["x"]]' >"$tmp/wrong.json"
expect_error "shape mismatch" "attentions.0 has shape \[2, 4, 4, 4\], expected \[-1, -1, 3, 3\]" "$bin" view --attentions "$tmp/two.safetensors" --tokens "$tmp/wrong.json" -o "$tmp/bad.html"
$py -c 'import json,sys; t=json.load(open(sys.argv[1])); print(json.dumps(t + [["a"]]))' "$tmp/two.json" >"$tmp/three.json"
expect_error "missing tensor" "no tensor attentions.2" "$bin" view --attentions "$tmp/two.safetensors" --tokens "$tmp/three.json" -o "$tmp/bad.html"
echo '[["a"]' >"$tmp/badjson.json"
expect_error "bad JSON" "badjson.json:.*bad JSON" "$bin" view --attentions "$tmp/two.safetensors" --tokens "$tmp/badjson.json" -o "$tmp/bad.html"
echo '{"tokens": [1, 2]}' >"$tmp/notstr.json"
expect_error "tokens not strings" "notstr.json: sentence 0" "$bin" view --attentions "$tmp/two.safetensors" --tokens "$tmp/notstr.json" -o "$tmp/bad.html"
expect_error "extra tensors" "has attentions.1 but" "$bin" view --attentions "$tmp/two.safetensors" --tokens "$tmp/short.json" -o "$tmp/bad.html"
expect_error "missing safetensors" "nothere.safetensors" "$bin" view --attentions "$tmp/nothere.safetensors" --tokens "$tmp/two.json" -o "$tmp/bad.html"
expect_error "output folder missing (checked first)" "nofolder/x.html" "$bin" view "$tmp/no-such-model" "text" -o "$tmp/nofolder/x.html"
expect_error "output is a folder" "is a folder" "$bin" view "$bert" "text" -o "$tmp"
expect_error "bad model" "no-such-model" "$bin" view "$tmp/no-such-model" "text" -o "$tmp/bad.html"
expect_error "one --tokens per --attentions" "one --tokens per --attentions" "$bin" view --attentions "$tmp/two.safetensors" -o "$tmp/bad.html"
expect_error "MODEL needs SENTENCE" "expects one or more MODEL" "$bin" view "$bert"
printf 'bad \377 utf8' >"$tmp/badutf8"
expect_error "invalid UTF-8 sentence" "UTF-8" "$bin" view "$bert" "$(cat "$tmp/badutf8")" -o "$tmp/bad.html"
[ -e "$tmp/bad.html" ] && fail "a failed view left bad.html" || ok
ls "$tmp" | grep -q 'tmp-' && fail "temporary files left: $(ls "$tmp")" || ok

echo "test_view: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
