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
mkdir -p "$out"

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
echo "Dumps in $out/: attentions.i [layers, heads, T, T], hidden_states.i [layers+1, T, hidden], input_ids.i."
echo "On a machine that reaches the Hub, use ids instead of folders: bert-base-uncased, distilbert-base-uncased, roberta-base."
