#!/bin/sh
# Submits an attnscope compare study as a Slurm job array of N shards and a merge job that runs
# when all of them succeeded. The merged files land in OUT/merged (byte-identical to one run).
#   submit.sh [--wait] N OUT CORPUS MODEL... [-- COMPARE_OPTIONS...]
# e.g. submit.sh 16 study news.tsv BERT=bert-base-uncased RoBERTa=roberta-base -- --layer all
# --wait blocks until the merge job ended (its exit status is submit.sh's). ATTNSCOPE (default:
# attnscope on PATH) must be reachable from the compute nodes, as must OUT and CORPUS.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
wait=""
[ "${1:-}" = --wait ] && { wait=--wait; shift; }
[ $# -ge 4 ] || { echo "usage: $0 [--wait] N OUT CORPUS MODEL... [-- COMPARE_OPTIONS...]" >&2; exit 2; }
n=$1 out=$2 corpus=$3
shift 3
models="" args=""
while [ $# -gt 0 ] && [ "$1" != -- ]; do models="$models $1"; shift; done
[ "${1:-}" = -- ] && { shift; args="$*"; }
mkdir -p "$out/shards" "$out/logs"
out=$(cd "$out" && pwd)
case "$corpus" in /*) ;; *) corpus=$(pwd)/$corpus ;; esac
ATTNSCOPE=${ATTNSCOPE:-$(command -v attnscope)} CORPUS=$corpus OUT=$out MODELS=$models COMPARE_ARGS=$args SHARDS=$n
export ATTNSCOPE CORPUS OUT MODELS COMPARE_ARGS SHARDS
array=$(sbatch --parsable --array=0-$((n - 1)) --export=ALL -o "$out/logs/shard-%a.log" "$here/compare_shard.sbatch")
array=${array%%;*}
echo "shards: job array $array (tasks 0-$((n - 1)))"
merge=$(sbatch --parsable $wait --dependency=afterok:"$array" --kill-on-invalid-dep=yes --export=ALL -o "$out/logs/merge.log" "$here/merge.sbatch")
echo "merge: job ${merge%%;*} (after $array) -> $out/merged"
