#!/bin/sh
# The main job on the small models the tests ship (real models come from the Hub on machines that
# reach it: replace the folders below with bert-base-uncased, distilbert-base-uncased, roberta-base).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
bin=build/attnscope
data=tests/data
out=${1:-demo-out}
results=${2:-results}
mkdir -p "$out" "$results"

echo "== Architecture of the real models (their config.json) and of the tiny test checkpoints"
$bin inspect "$data/configs/bert-base-uncased.json" "$data/configs/distilbert-base-uncased.json" \
    "$data/configs/roberta-base.json" "$data/models/bert-tiny" "$data/models/distilbert-tiny" "$data/models/roberta-tiny"

sentence="The bank raised interest rates while we sat on the river bank."
echo
echo "== Tokens, exactly as Hugging Face's fast tokenizers (WordPiece, byte-level BPE)"
$bin tokenize "$data/models/bert-tiny" "$sentence"
$bin tokenize "$data/models/roberta-tiny" "$sentence"

echo
echo "== Attention and hidden states of every layer"
for m in bert-tiny distilbert-tiny roberta-tiny; do
    $bin run --quiet "$data/models/$m" --text "$sentence" --dump "$out/$m.safetensors"
    build/examples/attention_from_cls "$data/models/$m" "$sentence"
done
echo
echo "== The seed study: three models over 100 news sentences (CSV + JSON tables, figures, report.html)"
$bin compare BERT="$data/models/bert-tiny" DistilBERT="$data/models/distilbert-tiny" RoBERTa="$data/models/roberta-tiny" \
    --corpus examples/corpus/news.tsv --out "$results" --figures svg,png,pdf

bank1="The bank of the river was calm." bank2="She went to the bank to deposit money."
echo
echo "== The \"bank\" study: one word's vector across the two sentences, layer by layer"
$bin similarity BERT="$data/models/bert-tiny" DistilBERT="$data/models/distilbert-tiny" RoBERTa="$data/models/roberta-tiny" \
    --word bank "$bank1" "$bank2" --figures svg,png,pdf --figures-dir "$results/figures"
echo
echo "== Where \"bank\" attends"
$bin focus DistilBERT="$data/models/distilbert-tiny" --word bank "$bank1" --figures svg,png,pdf --figures-dir "$results/figures"
echo
echo "== One sentence through the three models: an offline HTML page and the attention views as figures"
$bin view BERT="$data/models/bert-tiny" DistilBERT="$data/models/distilbert-tiny" RoBERTa="$data/models/roberta-tiny" \
    "$bank1" -o "$results/bank.html" --figures svg,png,pdf --figures-dir "$results/figures"

echo
echo "Dumps in $out/: attentions.i [layers, heads, T, T], hidden_states.i [layers+1, T, hidden], input_ids.i."
echo "The study in $results/: *.csv and *.json tables, report.html (open it in any browser, offline),"
echo "bank.html, and every figure in $results/figures/ (SVG, PNG, PDF)."
echo "On a machine that reaches the Hub, use ids instead of folders: bert-base-uncased, distilbert-base-uncased, roberta-base."
