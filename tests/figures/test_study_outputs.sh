#!/bin/sh
# compare --figures and compare's report.html as a user gets them, plus --figures on similarity,
# focus and view; bad figure options refused (exit 2, one line) before any work or output.
#   test_study_outputs.sh ATTNSCOPE PYTHON DATA_DIR
set -u
bin=$1 py=$2 data=$3
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/../../examples/corpus/news.tsv
m=$data/models
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
models="BERT=$m/bert-tiny DistilBERT=$m/distilbert-tiny RoBERTa=$m/roberta-tiny"

# every study chart in every format, and the report
if "$bin" compare $models --corpus "$corpus" --out "$tmp/c" --figures svg,png,pdf --dpi 60 --quiet >"$tmp/out" 2>"$tmp/err"; then
    "$py" "$here/check_study_outputs.py" figures "$tmp/c/figures" BERT DistilBERT RoBERTa && ok || fail "compare figures"
    "$py" "$here/check_study_outputs.py" report "$tmp/c/report.html" "$corpus" 500 BERT DistilBERT RoBERTa && ok || fail "compare report"
    grep -q "wrote 11 figures to $tmp/c/figures/" "$tmp/out" && grep -q "wrote $tmp/c/report.html (100 sentences" "$tmp/out" &&
        ok || fail "compare does not say where the figures and the report are: $(tail -4 "$tmp/out")"
else
    fail "compare --figures: $(cat "$tmp/err")"
fi

# the report's attention is the model's (run --dump), 3 decimals; --report-max-sentences bounds it
"$py" - "$corpus" >"$tmp/first3.jsonl" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter="\t"))[:3]
for r in rows: print(json.dumps({"text": r["text"]}))
PY
"$bin" run "$m/bert-tiny" --input "$tmp/first3.jsonl" --dump "$tmp/b.safetensors" --quiet >/dev/null &&
    "$bin" run "$m/roberta-tiny" --input "$tmp/first3.jsonl" --dump "$tmp/r.safetensors" --quiet >/dev/null || fail "run --dump"
if "$bin" compare B=$m/bert-tiny R=$m/roberta-tiny --corpus "$corpus" --out "$tmp/c3" --report-max-sentences 3 --quiet \
        >/dev/null 2>"$tmp/err"; then
    "$py" "$here/../report/report_check.py" compare "$tmp/c3/report.html" 0="$tmp/b.safetensors" 1="$tmp/r.safetensors" \
        --compact >/dev/null && ok || fail "report attention differs from run --dump"
    "$py" "$here/check_study_outputs.py" report "$tmp/c3/report.html" "$corpus" 3 B R && ok || fail "--report-max-sentences 3"
    [ ! -e "$tmp/c3/figures" ] && ok || fail "figures without --figures"
else
    fail "compare --report-max-sentences: $(cat "$tmp/err")"
fi
"$bin" compare B=$m/bert-tiny --corpus "$corpus" --out "$tmp/nr" --no-report --quiet >/dev/null 2>&1 &&
    [ -s "$tmp/nr/metrics_by_sentence.csv" ] && [ ! -e "$tmp/nr/report.html" ] && ok || fail "--no-report"

# bad options: exit 2, one line naming the problem, nothing made
expect_usage() { # DESCRIPTION NEEDLE ARGS...
    desc=$1 needle=$2; shift 2
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 2 ]; then fail "$desc: exit $rc"; return; fi
    if [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q -- "$needle" "$tmp/err"; then fail "$desc: stderr: $(cat "$tmp/err")"; return; fi
    if [ -e "$tmp/bad" ] || [ -e figures.bad ]; then fail "$desc: made $tmp/bad"; return; fi
    ok
}
gif="unknown figure format 'gif'"
expect_usage "compare --figures gif" "$gif" compare $models --corpus "$corpus" --out "$tmp/bad" --figures gif
expect_usage "compare --figures svg,gif" "$gif" compare $models --corpus "$corpus" --out "$tmp/bad" --figures svg,gif
expect_usage "compare --dpi 0" "--dpi must be" compare $models --corpus "$corpus" --out "$tmp/bad" --figures png --dpi 0
expect_usage "compare --dpi alone" "go with --figures" compare $models --corpus "$corpus" --out "$tmp/bad" --dpi 300
expect_usage "compare --report-max-sentences x" "bad number" compare $models --corpus "$corpus" --out "$tmp/bad" --report-max-sentences x
expect_usage "similarity --figures gif" "$gif" similarity $m/bert-tiny --word bank "The bank." "A bank." --figures gif \
    --figures-dir "$tmp/bad"
expect_usage "focus --figures gif" "$gif" focus $m/bert-tiny --word bank "The bank." --figures gif --figures-dir "$tmp/bad"
expect_usage "view --figures gif" "$gif" view $m/bert-tiny "The bank." -o "$tmp/v.html" --figures gif --figures-dir "$tmp/bad"
[ ! -e "$tmp/v.html" ] && ok || fail "view --figures gif wrote the page"

# similarity, focus and view figures
s1="The bank of the river was calm." s2="She went to the bank to deposit money."
"$bin" similarity $models --word bank "$s1" "$s2" --figures svg,png,pdf --figures-dir "$tmp/sim" --json >"$tmp/sim.json" 2>/dev/null &&
    "$py" -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/sim.json" && ok || fail "similarity --figures --json"
"$bin" focus BERT=$m/bert-tiny --word bank "$s1" --figures svg,png,pdf --figures-dir "$tmp/foc" >/dev/null 2>&1 || fail "focus --figures"
"$bin" view BERT=$m/bert-tiny R=$m/roberta-tiny "$s1" -o "$tmp/view.html" --figures svg,png --fig-layer 0 --quiet || fail "view --figures"
for f in sim/similarity.svg sim/similarity.png sim/similarity.pdf foc/focus_bars.pdf foc/focus_heatmap.pdf foc/focus_bars.png \
         figures/BERT_head_view_L0.svg figures/R_model_view.png figures/R_attention_layer_L0.svg figures/BERT_attention_head_L0_H0.png \
         view.html; do
    [ -s "$tmp/$f" ] && ok || fail "missing $f"
done
pdftotext -raw "$tmp/sim/similarity.pdf" - | tr '\n' ' ' | grep -q "Cosine similarity of 'bank'.*BERT.*DistilBERT.*RoBERTa" && ok ||
    fail "similarity.pdf text: $(pdftotext -raw "$tmp/sim/similarity.pdf" - | tr '\n' ' ')"
pdftotext -raw "$tmp/foc/focus_bars.pdf" - | tr '\n' ' ' | grep -q "Where 'bank' attends (layer 1, mean over heads).*river" && ok ||
    fail "focus_bars.pdf text: $(pdftotext -raw "$tmp/foc/focus_bars.pdf" - | tr '\n' ' ')"
pdftotext -raw "$tmp/foc/focus_heatmap.pdf" - | tr '\n' ' ' | grep -q "layer by layer.*L0.*L1" && ok || fail "focus_heatmap.pdf text"

echo "study_outputs: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
