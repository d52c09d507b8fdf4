#!/bin/sh
# examples/slurm on a real one-node Slurm cluster (slurm_cluster.sh): a job array of 3 compare
# shards and the dependent merge job give exactly the files of one local run; the daemons are
# stopped afterwards. Skips (77) without root, or without slurm-wlm/munge (fails then under CI=true).
#   test_slurm_compare.sh WORK_DIR ATTNSCOPE PYTHON DATA_DIR SOURCE_DIR
set -u
work=$1 BIN=$2 PY=$3 DATA=$4 SRC=$5
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cluster_up.sh"
fail() { echo "FAILED: $*"; tail -3 "$work"/study/logs/*.log 2>/dev/null; exit 1; }

M1=$DATA/models/distilbert-tiny M2=$DATA/models/bert-tiny
"$PY" "$SRC/scripts/gen_corpus.py" 330 "$work/c.tsv" --source "$SRC/examples/corpus/news.tsv" || fail "corpus"
"$BIN" compare "$M1" "$M2" --corpus "$work/c.tsv" --out "$work/ref" --quiet --no-report --layer all >/dev/null || fail "local run"
ATTNSCOPE=$BIN timeout 240 sh "$SRC/examples/slurm/submit.sh" --wait 3 "$work/study" "$work/c.tsv" "$M1" "$M2" \
    -- --layer all || fail "submit.sh --wait (array + dependent merge)"
for k in 0 1 2; do [ -f "$work/study/shards/$k/.attnscope-state/checkpoint" ] || fail "shard $k did not run"; done
[ "$(ls -A "$work/ref")" = "$(ls -A "$work/study/merged")" ] || fail "merged files: $(ls -A "$work/study/merged" | tr '\n' ' ')"
for f in "$work"/ref/*; do
    cmp -s "$f" "$work/study/merged/$(basename "$f")" || fail "merged $(basename "$f") differs from one run"
done
echo "slurm: 3 shard tasks + the dependent merge on a one-node cluster equal one local run byte-for-byte"
