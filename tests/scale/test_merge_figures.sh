#!/bin/sh
# merge --figures draws, from the merged sums of compare --shard K/N runs, the same figure files
# byte for byte (SVG and PDF are deterministic) as one compare --figures over the whole corpus.
# usage: test_merge_figures.sh ATTNSCOPE PYTHON DATA_DIR SOURCE_DIR
set -u
BIN=$1 PY=$2 DATA=$3 SRC=$4
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
M1=$DATA/models/distilbert-tiny M2=$DATA/models/bert-tiny
"$PY" "$SRC/scripts/gen_corpus.py" 60 "$T/c.tsv" --source "$SRC/examples/corpus/news.tsv" || fail "corpus"
run() { "$BIN" compare "$M1" "$M2" --corpus "$T/c.tsv" --quiet --no-report "$@" >/dev/null; }
run --figures svg,pdf --out "$T/ref" || fail "reference run"
n=$(ls "$T/ref/figures" | wc -l)
[ "$n" -ge 10 ] || fail "the reference run drew only $n figure files"
ls "$T/ref/figures" | grep -q '^agreement_.*\.svg$' || fail "no agreement figure in the reference run"
for k in 0 1 2; do run --shard $k/3 --out "$T/s$k" || fail "shard $k/3"; done
[ ! -e "$T/s0/figures" ] || fail "a shard drew figures"
"$BIN" merge "$T/s2" "$T/s0" "$T/s1" --figures svg,pdf --out "$T/m" >"$T/merge.out" || fail "merge --figures"
grep -q "wrote $((n / 2)) figures to $T/m/figures/" "$T/merge.out" || fail "merge said: $(cat "$T/merge.out")"
[ "$(ls "$T/ref/figures")" = "$(ls "$T/m/figures")" ] || fail "merge drew $(ls "$T/m/figures" | tr '\n' ' ')"
for f in "$T/ref/figures"/*; do
    cmp -s "$f" "$T/m/figures/$(basename "$f")" || fail "figures/$(basename "$f") differs from one run"
done
for f in "$T/ref"/*.csv "$T/ref"/*.json; do
    cmp -s "$f" "$T/m/$(basename "$f")" || fail "$(basename "$f") differs from one run"
done
# --figures-dir, and the option checks of compare
"$BIN" merge "$T/s0" "$T/s1" "$T/s2" --figures svg --figures-dir "$T/figs" --out "$T/m2" >/dev/null || fail "--figures-dir"
[ "$(ls "$T/figs" | wc -l)" -eq $((n / 2)) ] || fail "--figures svg --figures-dir: $(ls "$T/figs" | wc -l) files"
msg=$("$BIN" merge "$T/s0" --dpi 300 --out "$T/m3" 2>&1 >/dev/null) && fail "--dpi without --figures accepted"
echo "$msg" | grep -q "go with --figures" || fail "--dpi without --figures: $msg"
[ ! -e "$T/m3" ] || fail "a refused merge made its output folder"
msg=$("$BIN" merge "$T/s0" "$T/s1" --figures svg --out "$T/m4" 2>&1 >/dev/null) && fail "merge of 2 of 3 shards accepted"
[ ! -e "$T/m4/figures" ] || fail "a refused merge drew figures"
echo "ok: merge --figures of 3 shards equals one compare --figures ($n files)"
