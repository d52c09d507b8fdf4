#!/bin/sh
# similarity --report, focus --report and compare --similarity/--focus end to end: the report's
# tables equal what --json prints, its charts are the --figures SVG files, its sentences carry
# exactly the attention of `run --dump`; bad uses fail with one line before any work, no file left.
#   test_words_report.sh ATTNSCOPE PYTHON DATA_DIR EXAMPLES_CORPUS_DIR
set -u
bin=$1 py=$2 data=$3 corpora=$4
here=$(dirname "$0")
check="$py $here/report_check.py" words="$py $here/words_report_check.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_ok() { desc=$1; shift; if "$@" >"$tmp/log" 2>&1; then ok; else fail "$desc: $(cat "$tmp/log")"; fi; }
expect_error() {
    desc=$1 needle=$2; shift 2
    if "$@" >"$tmp/out" 2>"$tmp/err"; then fail "$desc: exit 0"; return; fi
    if [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q -- "$needle" "$tmp/err"; then fail "$desc: stderr was: $(cat "$tmp/err")"; return; fi
    ok
}
B=$data/models/bert-tiny D=$data/models/distilbert-tiny R=$data/models/roberta-tiny
s1='The bank of the river was calm.' s2='She went to the bank to deposit money.'
printf '{"text": "%s"}\n{"text": "%s"}\n' "$s1" "$s2" >"$tmp/two.jsonl"
for m in B D R; do eval "\"\$bin\" run \"\$$m\" --input \"\$tmp/two.jsonl\" --dump \"\$tmp/$m.safetensors\" --quiet"; done

# 1. similarity --report: three models, both sentences
expect_ok "similarity --report" "$bin" similarity B="$B" D="$D" R="$R" --word bank "$s1" "$s2" --json \
    --report "$tmp/sim.html" --figures svg --figures-dir "$tmp/simfig"
"$bin" similarity B="$B" D="$D" R="$R" --word bank "$s1" "$s2" --json --quiet >"$tmp/sim.json"
expect_ok "similarity tables = --json, chart = --figures" $words similarity "$tmp/sim.html" "$tmp/sim.json" "$tmp/simfig/similarity.svg"
expect_ok "similarity report attention = run --dump" $check compare "$tmp/sim.html" 0="$tmp/B.safetensors" 1="$tmp/D.safetensors" 2="$tmp/R.safetensors"
expect_ok "similarity report CSP" $check csp "$tmp/sim.html"
expect_ok "similarity report safe" $check safe "$tmp/sim.html"

# 2. focus --report: one model, per-head rows of layer 1
expect_ok "focus --report" "$bin" focus R="$R" --word bank "$s1" --layer 1 --report "$tmp/focus.html" --figures svg \
    --figures-dir "$tmp/focusfig" --quiet
"$bin" focus R="$R" --word bank "$s1" --layer 1 --json --quiet >"$tmp/focus.json"
expect_ok "focus table = --json, charts = --figures" $words focus "$tmp/focus.html" "$tmp/focus.json" \
    "$tmp/focusfig/focus_bars.svg" "$tmp/focusfig/focus_heatmap.svg"
head -1 "$tmp/two.jsonl" >"$tmp/one.jsonl"
"$bin" run "$R" --input "$tmp/one.jsonl" --dump "$tmp/R1.safetensors" --quiet
expect_ok "focus report attention = run --dump" $check compare "$tmp/focus.html" "$tmp/R1.safetensors"
n=$($check field "$tmp/focus.html" '[len(m["sentences"]), len(m["charts"]), m["tables"][0]["rows"][2][:3]]')
[ "$n" = '[1, 2, [0, 1, 2]]' ] && ok || fail "focus report: one sentence, two charts, per-head rows: $n"

# 3. compare --similarity/--focus: the study report also holds them (sentences from bank.txt)
expect_ok "compare --similarity --focus" "$bin" compare B="$B" D="$D" R="$R" --corpus "$corpora/news.tsv" --out "$tmp/c" \
    --similarity bank --focus bank --words-corpus "$corpora/bank.txt" --figures svg --quiet
expect_ok "compare similarity = similarity --json" $words similarity "$tmp/c/report.html" "$tmp/sim.json" "$tmp/c/figures/similarity.svg"
for m in B D R; do
    "$bin" focus $m="$(eval echo \$$m)" --word bank "$s1" --json --quiet >"$tmp/focus_$m.json"
    expect_ok "compare focus $m = focus --json" $words focus "$tmp/c/report.html" "$tmp/focus_$m.json" \
        "$tmp/c/figures/focus_bars_$m.svg" "$tmp/c/figures/focus_heatmap_$m.svg" --model $m
done
n=$($check field "$tmp/c/report.html" '[len(m["sentences"]), len(m["charts"]), [s["domain"] for s in m["sentences"][100:]]]')
[ "$n" = '[102, 18, ["similarity: bank", "similarity: bank"]]' ] && ok || fail "compare report: 100 + 2 sentences, 11 + 1 + 6 charts: $n"
expect_ok "compare report safe" $check safe "$tmp/c/report.html"
# the word sentences come from --corpus without --words-corpus (news.tsv has one "bank" only)
expect_error "one sentence with the word" 'only one sentence with the word "bank"' \
    "$bin" compare B="$B" --corpus "$corpora/news.tsv" --out "$tmp/c2" --similarity bank --quiet
[ -e "$tmp/c2/report.html" ] && fail "a failed compare left report.html" || ok
expect_ok "compare --focus from --corpus" "$bin" compare B="$B" --corpus "$corpora/news.tsv" --out "$tmp/c3" --focus bank --quiet
n=$($check field "$tmp/c3/report.html" '[s["domain"] for s in m["sentences"][100:]]')
[ "$n" = '["focus: bank"]' ] && ok || fail "compare --focus adds its sentence: $n"

# 4. markup in the sentence and the word: escaped in every table, chart title and label
x='The <b>bank</b> "><img src=x onerror=alert(1)> of the river.'
expect_ok "focus --report with markup" "$bin" focus "$B" --word '<b>bank</b>' "$x" --report "$tmp/x.html" --quiet
expect_ok "markup report safe" $check safe "$tmp/x.html"
grep -q '<img src=x' "$tmp/x.html" && fail "raw markup of the sentence in the file" || ok
# byte-level pieces of an emoji and CJK characters (roberta-tiny): the character on the first piece,
# the continuation mark on the others, in the views' labels and in the table's columns; escaped
e='<i>bank</i> 🤗 東京 "><img src=x onerror=alert(1)>'
expect_ok "focus --report, emoji and CJK" "$bin" focus "$R" --word bank "$e" --report "$tmp/e.html" --quiet
expect_ok "emoji report safe" $check safe "$tmp/e.html"
n=$($check field "$tmp/e.html" '[m["sentences"][0]["entries"][0]["display"][8:16], m["tables"][0]["columns"][11:19]]')
want='[[" \ud83e\udd17", "\u22ef", "\u22ef", " \u6771", "\u22ef", "\u22ef", "\u4eac", "\u22ef"], ["8 \ud83e\udd17", "9 \u22ef", "10 \u22ef", "11 \u6771", "12 \u22ef", "13 \u22ef", "14 \u4eac", "15 \u22ef"]]'
[ "$n" = "$want" ] && ok || fail "emoji/CJK labels: $n"

# 5. bad uses
expect_error "report folder missing (checked first)" "nofolder/r.html" "$bin" similarity "$tmp/no-model" --word bank "$s1" "$s2" --report "$tmp/nofolder/r.html"
expect_error "focus report is a folder" "is a folder" "$bin" focus "$B" --word bank "$s1" --report "$tmp"
expect_error "word not in the sentence: no report" 'does not occur' "$bin" focus "$B" --word zebra "$s1" --report "$tmp/bad.html" --quiet
expect_error "--words-corpus alone" "--words-corpus goes with" "$bin" compare "$B" --corpus "$corpora/bank.txt" --out "$tmp/c4" --words-corpus "$corpora/bank.txt"
expect_error "--focus without report or figures" "go into report.html" "$bin" compare "$B" --corpus "$corpora/bank.txt" --out "$tmp/c4" --focus bank --no-report
expect_error "missing --words-corpus" "nothere.txt" "$bin" compare "$B" --corpus "$corpora/bank.txt" --out "$tmp/c4" --focus bank --words-corpus "$tmp/nothere.txt" --quiet
[ -e "$tmp/bad.html" ] && fail "a failed focus left bad.html" || ok
ls "$tmp" | grep -q 'tmp-' && fail "temporary files left: $(ls "$tmp")" || ok

echo "test_words_report: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
