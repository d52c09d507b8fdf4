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

echo "== Architecture of the real models (from their config.json)"
for m in bert-base-uncased distilbert-base-uncased roberta-base; do
    printf '%-26s ' "$m"; $bin inspect --json "$data/configs/$m.json" | tr -d '\n' ; echo
done

echo
echo "== The tiny test checkpoints"
for m in bert-tiny distilbert-tiny roberta-tiny; do
    echo "-- $m"; $bin inspect "$data/models/$m"
done

echo
echo "== Attention and hidden states for a sentence"
sentence="The bank raised interest rates while we sat on the river bank."
for m in bert-tiny distilbert-tiny roberta-tiny; do
    $bin run "$data/models/$m" --text "$sentence" --dump "$out/$m.safetensors"
done
echo
echo "Dumps in $out/ (attentions.i [layers, heads, T, T], hidden_states.i [layers+1, T, hidden], input_ids.i)."
