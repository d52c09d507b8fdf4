#!/bin/sh
# similarity / focus / align as a user runs them: the seed notebook's "bank" cosines on the Hugging
# Face reference (tests/data/metrics/similarity.bank.json, to 1e-4), the text tables, and errors
# that fail cleanly with one line naming the problem.
#   test_cli.sh ATTNSCOPE PYTHON DATA_DIR
set -u
bin=$1 py=$2 data=$3
models=$data/models
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_error DESCRIPTION EXIT NEEDLE COMMAND...: that exit code, one stderr line holding NEEDLE, no stdout
expect_error() {
    desc=$1 code=$2 needle=$3; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$code" ]; then fail "$desc: exit $rc, expected $code ($(cat "$tmp/err"))"; return; fi
    if [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qF -- "$needle" "$tmp/err"; then fail "$desc: stderr was: $(cat "$tmp/err")"; return; fi
    if [ -s "$tmp/out" ]; then fail "$desc: printed to stdout: $(cat "$tmp/out")"; return; fi
    ok
}

s1="The bank of the river was calm."
s2="She went to the bank to deposit money."

# the fixture: every model, one at a time and all together (--json array keyed by "model")
fixture=$data/metrics/similarity.bank.json
"$bin" similarity --quiet --json "$models/bert-tiny" "$models/distilbert-tiny" "$models/roberta-tiny" --word bank "$s1" "$s2" >"$tmp/all.json" \
    || fail "similarity three models: exit $?"
"$py" - "$fixture" "$tmp/all.json" <<'PY' && ok || fail "similarity vs $fixture"
import json, sys
want, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert isinstance(got, list) and len(got) == len(want), got
by_model = {g["model"]: g for g in got}
for label, w in want.items():
    g = by_model[w["model"]]
    assert g["word"] == w["word"] and g["sentences"] == w["sentences"], g
    assert g["token_index"] == [[i] for i in w["token_index"]], (g["token_index"], w["token_index"])
    assert len(g["cosine"]) == len(w["cosine_per_hidden_state"]), g["cosine"]
    worst = max(abs(a - b) for a, b in zip(g["cosine"], w["cosine_per_hidden_state"]))
    assert worst <= 1e-4, (label, worst)
PY
for m in bert-tiny distilbert-tiny roberta-tiny; do
    "$bin" similarity --quiet --json "$models/$m" --word bank "$s1" "$s2" >"$tmp/one.json" || fail "similarity $m: exit $?"
    "$py" - "$fixture" "$tmp/one.json" "$m" <<'PY' && ok || fail "similarity $m vs fixture"
import json, sys
want = {w["model"]: w for w in json.load(open(sys.argv[1])).values()}[sys.argv[3]]
g = json.load(open(sys.argv[2]))
assert isinstance(g, dict) and g["model"] == sys.argv[3], g
assert max(abs(a - b) for a, b in zip(g["cosine"], want["cosine_per_hidden_state"])) <= 1e-4
assert g["tokens"][0] == g["tokens"][1] and g["tokens"][0][0].endswith("bank"), g["tokens"]
PY
done

# text tables: one row per hidden state, a column per model; focus: a row per layer
"$bin" similarity --quiet "$models/bert-tiny" DB="$models/distilbert-tiny" --word bank "$s1" "$s2" >"$tmp/out" \
    && grep -q "^0 *embeddings *0.822102 *0.673600$" "$tmp/out" && grep -q "^2 *layer 1 *0.984848 *0.226387$" "$tmp/out" \
    && grep -q "state.*bert-tiny *DB" "$tmp/out" && ok || fail "similarity table: $(cat "$tmp/out")"
"$bin" focus --quiet "$models/roberta-tiny" --word Bank "$s1" >"$tmp/out" && grep -q "2:Ġbank" "$tmp/out" \
    && [ "$(grep -c '^layer [01] ' "$tmp/out")" -eq 2 ] && ok || fail "focus table: $(cat "$tmp/out")"
"$bin" align --quiet "$models/bert-tiny" "$models/roberta-tiny" "$s1" >"$tmp/out" \
    && grep -q "^bert-tiny L1 vs roberta-tiny L1: Jensen-Shannon distance 0\.[0-9]* over 7 words$" "$tmp/out" \
    && grep -q "^calm\. " "$tmp/out" && ok || fail "align table: $(cat "$tmp/out")"

# errors: the library's message, exit 1 (usage errors exit 2)
b=$models/bert-tiny
expect_error "word not in sentence 2" 1 'bert-tiny: word "river" does not occur in "She went to the bank to deposit money."' \
    "$bin" similarity --quiet "$b" --word river "$s1" "$s2"
expect_error "occurrence beyond the count" 1 'word "bank" occurs 1 time in "The bank of the river was calm."; there is no occurrence 2' \
    "$bin" similarity --quiet "$b" --word bank "$s1" "$s2" --occurrence 2
expect_error "focus word not found" 1 'word "banking" does not occur' "$bin" focus --quiet "$b" --word banking "$s1"
expect_error "focus occurrence" 1 'there is no occurrence 3' "$bin" focus --quiet "$b" --word the "$s1" --occurrence 3
expect_error "word only inside another word" 1 'word "river" does not occur' \
    "$bin" focus --quiet "$b" --word river "The riverbank was calm."
expect_error "layer out of range" 1 '--layer 2: the model has layers 0..1' "$bin" focus --quiet "$b" --word bank "$s1" --layer 2
expect_error "head out of range" 1 '--head 4: the model has heads 0..3' "$bin" focus --quiet "$b" --word bank "$s1" --head 4
expect_error "align layer out of range" 1 '--layer 5: the model has layers 0..1' "$bin" align --quiet "$b" "$s1" --layer 5
expect_error "align no words" 1 'the sentence has no words' "$bin" align --quiet "$b" "   "
expect_error "occurrence 0" 2 '--occurrence wants N or N,M' "$bin" similarity --quiet "$b" --word bank "$s1" "$s2" --occurrence 0
expect_error "focus occurrence 0" 2 '--occurrence wants a number from 1' "$bin" focus --quiet "$b" --word bank "$s1" --occurrence 0
expect_error "no --word" 2 '--word WORD is required' "$bin" similarity --quiet "$b" "$s1" "$s2"
expect_error "rollout with head" 2 '--rollout mixes all heads' "$bin" focus --quiet "$b" --word bank "$s1" --rollout --head 1
expect_error "one sentence only" 2 'expects MODEL... and two sentences' "$bin" similarity --quiet --word bank "$s1" "$s2"
expect_error "missing model" 1 'no-such-model' "$bin" similarity --quiet "$tmp/no-such-model" --word bank "$s1" "$s2"
# a sentence past the positions is cut (tests/words/test_truncation.py); a word past the cut is an error
long=$("$py" -c 'print("river " * 600 + "bank")')
expect_error "word past the cut" 1 "bert-tiny: sentence 1: word \"bank\" (occurrence 1) lies past the model's 512 positions" \
    "$bin" similarity --quiet "$b" --word bank "$long" "$s2"
expect_error "label not UTF-8" 1 'the label is not valid UTF-8' "$bin" align --quiet "$(printf 'L\377')=$b" "$s1"
expect_error "empty label" 1 'no model after the label' "$bin" align --quiet "X=" "$s1"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
