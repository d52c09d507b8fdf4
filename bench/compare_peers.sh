#!/bin/sh
# compare_peers.sh — attnscope against ONNX Runtime and PyTorch eager, side by side, alternating.
#
#   bench/compare_peers.sh BUILD_DIR      (or: cmake --build BUILD_DIR --target compare_peers)
#
# Builds nothing in C: BUILD_DIR must hold bench/bench_forward, bench/bench_corpus and
# bench/make_checkpoint. Into $ATTN_PEERS_DIR (default BUILD_DIR/peers) it writes, once: bert-base,
# distilbert-base and roberta-base shaped random checkpoints (make_checkpoint), their ONNX graphs
# with an attention_mask input (MODEL.mask.onnx: torch.onnx.export of bench/torch_forward.py's
# torch.nn.functional encoder), and npm onnxruntime-node (installed with --ignore-scripts: its CPU
# binaries ship inside the package). Then, ROUNDS times, it runs attnscope (bench_forward), ONNX
# Runtime (bench/ort_forward.js, 2 intra-op threads) and PyTorch (bench/torch_forward.py) one after
# the other on each model, batch 1 of TOKENS tokens, attentions returned (and attnscope in bf16 where
# the CPU has AVX512-BF16); then corpus mode on CORPUS_MODELS: the example corpus (CORPUS,
# examples/corpus/news.tsv) tokenized by attnscope, sorted by length and cut into batches of
# CORPUS_BATCH consecutive sentences (bench_corpus --ids-out writes the ids; every engine reads that
# file; the peers pad each batch to its longest sentence and pass the attention mask, attnscope packs
# the batch without padding). Corpus GFLOP/s count real tokens only, for every engine.
# Before timing it checks that the three engines compute the same attentions and hidden states:
# batch 1, and every sentence of the corpus in padded batches of CORPUS_BATCH in file order (mixed
# lengths, so the mask matters) — real tokens only.
# Prints the median of the per-round medians and every ratio of issue 10's goals; the last line is
# one JSON object (also written to $ATTN_PEERS_DIR/summary.json).
#
# Environment: ROUNDS (5; 0 = the correctness checks only), RUNS per invocation (20), TOKENS (25), THREADS (2), MODELS ("bert
# distilbert roberta"), CORPUS (examples/corpus/news.tsv), CORPUS_MODELS ("bert"; "" skips corpus
# mode), CORPUS_BATCH (32; a list such as "8 16 32" times each; the goals use the first),
# CORPUS_RUNS (5 passes over the corpus per invocation), PYTHON (/usr/bin/python3, Debian's, with
# python3-torch). PyTorch gets OpenBLAS (libopenblas0-openmp) first on LD_LIBRARY_PATH and
# OPENBLAS_CORETYPE=SKYLAKEX (HASWELL without AVX-512) when OpenBLAS does not know this CPU, so that
# the peer is at its best. OMP_WAIT_POLICY=PASSIVE for every engine.
set -eu

BUILD=${1:?usage: compare_peers.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(dirname "$HERE")
WORK=${ATTN_PEERS_DIR:-$BUILD/peers}
ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-20}
CORPUS=${CORPUS:-$SRC/examples/corpus/news.tsv}
CORPUS_MODELS=${CORPUS_MODELS-bert}
CORPUS_BATCH=${CORPUS_BATCH:-32}
CORPUS_RUNS=${CORPUS_RUNS:-5}
TOKENS=${TOKENS:-25}
THREADS=${THREADS:-2}
MODELS=${MODELS:-bert distilbert roberta}
PY=${PYTHON:-/usr/bin/python3}
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$THREADS"

for exe in bench_forward bench_corpus make_checkpoint; do
    [ -x "$BUILD/bench/$exe" ] || { echo "compare_peers.sh: $BUILD/bench/$exe is missing: build first" >&2; exit 2; }
done
"$PY" -c 'import torch' 2>/dev/null || { echo "compare_peers.sh: $PY has no torch (apt-get install python3-torch)" >&2; exit 2; }
command -v node >/dev/null || { echo "compare_peers.sh: node is missing (apt-get install nodejs npm)" >&2; exit 2; }
mkdir -p "$WORK"

# ---- ONNX Runtime (npm, no install script) ----
ORT_MODULE=$WORK/node_modules/onnxruntime-node
if [ ! -d "$ORT_MODULE" ]; then
    echo "== installing onnxruntime-node@1.30.0 into $WORK (npm --ignore-scripts)"
    npm install --prefix "$WORK" --ignore-scripts --no-audit --no-fund --silent onnxruntime-node@1.30.0 >/dev/null
fi
ORT_MODULE=$ORT_MODULE node -e 'require(process.env.ORT_MODULE)' || { echo "compare_peers.sh: onnxruntime-node does not load" >&2; exit 2; }
export ORT_MODULE

# ---- PyTorch's BLAS: OpenBLAS, at a core type it has kernels for ----
TORCH_LIBS=
for d in /usr/lib/x86_64-linux-gnu/openblas-openmp /usr/lib/x86_64-linux-gnu/openblas-pthread; do
    if [ -e "$d/libblas.so.3" ]; then TORCH_LIBS=$d; break; fi
done
[ -n "$TORCH_LIBS" ] || echo "compare_peers.sh: WARNING: no OpenBLAS (apt-get install libopenblas0-openmp): PyTorch uses the reference BLAS" >&2
if [ -n "$TORCH_LIBS" ] && [ -z "${OPENBLAS_CORETYPE:-}" ]; then
    core=$("$PY" -c 'import ctypes,sys; l=ctypes.CDLL(sys.argv[1]); l.openblas_get_corename.restype=ctypes.c_char_p; print(l.openblas_get_corename().decode())' \
           "$(ls "$TORCH_LIBS"/libopenblas*.so* 2>/dev/null | head -n 1)" 2>/dev/null || echo unknown)
    case $(echo "$core" | tr 'A-Z' 'a-z') in
    skylakex|cooperlake|sapphirerapids|haswell|zen|zen*) ;;
    *)
        if grep -q avx512f /proc/cpuinfo; then OPENBLAS_CORETYPE=SKYLAKEX; else OPENBLAS_CORETYPE=HASWELL; fi
        export OPENBLAS_CORETYPE
        echo "== OpenBLAS runs this CPU as '$core': OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE for the PyTorch peer" ;;
    esac
fi
torch() { LD_LIBRARY_PATH="$TORCH_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$PY" -W ignore "$HERE/torch_forward.py" "$@"; }

# ---- checkpoints and graphs, once ----
for m in $MODELS; do
    case $m in
    bert) cfg=bert-base-uncased ;; distilbert) cfg=distilbert-base-uncased ;; roberta) cfg=roberta-base ;;
    *) echo "compare_peers.sh: unknown model '$m' (bert, distilbert, roberta)" >&2; exit 2 ;;
    esac
    if [ ! -f "$WORK/$m-base/model.safetensors" ] || [ ! -f "$WORK/$m-base/tokenizer.json" ]; then
        "$BUILD/bench/make_checkpoint" "$WORK/$m-base" "$SRC/tests/data/configs/$cfg.json"
    fi
    [ -f "$WORK/$m-base.mask.onnx" ] || { echo "== exporting $m-base to ONNX"; torch "$WORK/$m-base" --export-onnx "$WORK/$m-base.mask.onnx"; }
done

# bf16 (goal 4) where the machine has AVX512-BF16 (AMX tiles when present; ATTN_BF16=avx512 forces vdpbf16ps)
BF16=
if "$BUILD/bench/bench_forward" "$WORK/bert-base" --threads "$THREADS" --runs 1 --warmup 0 --quick --tokens 2 --bf16 >/dev/null 2>&1; then
    BF16=attnscope-bf16
else
    echo "== no bf16 on this machine (AVX512-BF16 missing): goal 4 is not measured"
fi

RES=$(mktemp -d "${TMPDIR:-/tmp}/attnscope-peers.XXXXXX")
trap 'rm -rf "$RES"' EXIT INT TERM
# run ENGINE MODEL MODE ARGS...: one invocation; its last line (JSON) tagged and kept
run() {
    engine=$1 m=$2 mode=$3; shift 3
    case $engine in
    attnscope|attnscope-bf16)
        exe=bench_forward bf=
        case $mode in corpus*) exe=bench_corpus ;; esac
        [ "$engine" = attnscope-bf16 ] && bf=--bf16
        case $exe in bench_forward) set -- --quick "$@" ;; esac
        "$BUILD/bench/$exe" "$WORK/$m-base" --threads "$THREADS" $bf "$@" >"$RES/out" ;;
    ort) node "$HERE/ort_forward.js" "$WORK/$m-base.mask.onnx" "$WORK/$m-base/config.json" --threads "$THREADS" "$@" >"$RES/out" ;;
    torch) torch "$WORK/$m-base" --threads "$THREADS" "$@" >"$RES/out" ;;
    esac
    grep -E '^check' "$RES/out" || true
    tail -n 1 "$RES/out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); d.update(engine=sys.argv[1], model=sys.argv[2], mode=sys.argv[3]); print(json.dumps(d))' \
        "$engine" "$m" "$mode" >>"$RES/all.jsonl"
    tail -n 1 "$RES/all.jsonl" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print("   %-10s %-11s %-7s median %9.2f ms  min %9.2f ms" % (d["engine"], d["model"], d["mode"], d["median_ms"], d["min_ms"]))'
}

# check LABEL COMMAND...: its check line, or the whole output and a stop when it fails (engines disagree)
check() {
    label=$1; shift
    if "$@" >"$RES/check.out" 2>&1; then
        grep '^check' "$RES/check.out" | sed "s/^/   $label /"
    else
        cat "$RES/check.out" >&2; echo "compare_peers.sh: $label: the check failed" >&2; exit 1
    fi
}

echo "== correctness: attnscope's dump against PyTorch and ONNX Runtime"
for m in $MODELS; do
    "$BUILD/bench/bench_forward" "$WORK/$m-base" --threads "$THREADS" --runs 1 --warmup 0 --quick --tokens "$TOKENS" --dump "$RES/$m.dump" >/dev/null
    check "$m torch" torch "$WORK/$m-base" --threads "$THREADS" --runs 0 --tokens "$TOKENS" --check "$RES/$m.dump"
    check "$m ort" node "$HERE/ort_forward.js" "$WORK/$m-base.mask.onnx" "$WORK/$m-base/config.json" --runs 0 --tokens "$TOKENS" --check "$RES/$m.dump"
done
CB0=${CORPUS_BATCH%% *}
for m in $CORPUS_MODELS; do
    case " $MODELS " in *" $m "*) ;; *) echo "compare_peers.sh: CORPUS_MODELS has '$m', which is not in MODELS" >&2; exit 2 ;; esac
    # the ids every engine times (length order), and a check in file order: mixed lengths in a batch
    "$BUILD/bench/bench_corpus" "$WORK/$m-base" --corpus "$CORPUS" --threads "$THREADS" --runs 0 --ids-out "$RES/$m.corpus.ids" | sed 's/^/   /'
    "$BUILD/bench/bench_corpus" "$WORK/$m-base" --corpus "$CORPUS" --threads "$THREADS" --runs 0 --order file --batch "$CB0" \
        --ids-out "$RES/$m.check.ids" --dump "$RES/$m.corpus.dump" >/dev/null
    check "$m corpus torch" torch "$WORK/$m-base" --threads "$THREADS" --runs 0 --corpus "$RES/$m.check.ids" --batch "$CB0" --check "$RES/$m.corpus.dump"
    check "$m corpus ort" node "$HERE/ort_forward.js" "$WORK/$m-base.mask.onnx" "$WORK/$m-base/config.json" --threads "$THREADS" --runs 0 \
        --corpus "$RES/$m.check.ids" --batch "$CB0" --check "$RES/$m.corpus.dump"
    rm -f "$RES/$m.corpus.dump"
done

[ "$ROUNDS" -gt 0 ] || { echo "== ROUNDS=0: the checks only"; exit 0; }

echo "== the machine: attnscope's matmul peak, read bandwidth and FMA peak, OpenBLAS's SGEMM (512x768x3072)"
"$BUILD/bench/bench_forward" "$WORK/bert-base" --threads "$THREADS" --runs 3 --warmup 1 | grep -E '^(machine|matmuls)'
"$BUILD/bench/bench_forward" "$WORK/bert-base" --threads "$THREADS" --runs 3 --warmup 1 | tail -n 1 >"$RES/machine.json"
torch "$WORK/bert-base" --threads "$THREADS" --runs 1 --warmup 0 | tail -n 1 >"$RES/torch_machine.json"

r=1
while [ "$r" -le "$ROUNDS" ]; do
    echo "== round $r of $ROUNDS"
    for m in $MODELS; do
        for e in attnscope ort torch $BF16; do run "$e" "$m" batch1 --tokens "$TOKENS" --runs "$RUNS" --warmup 5; done
    done
    for m in $CORPUS_MODELS; do
        for cb in $CORPUS_BATCH; do
            for e in attnscope ort torch $BF16; do
                case $e in
                attnscope*) run "$e" "$m" "corpus-b$cb" --corpus "$CORPUS" --batch "$cb" --runs "$CORPUS_RUNS" --warmup 1 ;;
                *) run "$e" "$m" "corpus-b$cb" --corpus "$RES/$m.corpus.ids" --batch "$cb" --runs "$CORPUS_RUNS" --warmup 1 ;;
                esac
            done
        done
    done
    r=$((r + 1))
done

"$PY" "$HERE/peers_summary.py" "$RES/all.jsonl" "$RES/machine.json" "$RES/torch_machine.json" "${OPENBLAS_CORETYPE:-}" "corpus-b$CB0" | tee "$RES/summary.txt"
tail -n 1 "$RES/summary.txt" >"$WORK/summary.json"
