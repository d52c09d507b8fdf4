#!/bin/sh
# run_bench.sh — attnscope's forward pass against PyTorch eager, side by side in one run.
#
#   bench/run_bench.sh BUILD_DIR        (or: cmake --build BUILD_DIR --target bench)
#
# Builds nothing: BUILD_DIR must hold bench/bench_forward and bench/make_checkpoint. Generates the
# random bert-base checkpoint into $ATTN_BENCH_CHECKPOINT (default $TMPDIR/attnscope-bench-bert-base)
# when it is absent, then runs bench_forward and torch_forward.py alternately, ROUNDS times, so that
# the machine's noise hits both alike; the first round also checks that both compute the same
# attentions. Prints a side-by-side summary with the ratio attnscope / PyTorch.
#
# Environment: TOKENS (25), RUNS per round (20), ROUNDS (3), THREADS (2), PYTHON (/usr/bin/python3,
# Debian's, which has python3-torch). PyTorch uses the system BLAS; Debian's default libblas3 is the
# unoptimised reference BLAS (PyTorch then takes seconds, not milliseconds), so when OpenBLAS is
# installed (apt-get install libopenblas0-openmp) it is put first for the PyTorch run.
set -eu

BUILD=${1:?usage: run_bench.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
CKPT=${ATTN_BENCH_CHECKPOINT:-${TMPDIR:-/tmp}/attnscope-bench-bert-base}
TOKENS=${TOKENS:-25}
RUNS=${RUNS:-20}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
PY=${PYTHON:-/usr/bin/python3}
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$THREADS"

for exe in bench_forward make_checkpoint; do
    [ -x "$BUILD/bench/$exe" ] || { echo "run_bench.sh: $BUILD/bench/$exe is missing: build first" >&2; exit 2; }
done
"$PY" -c 'import torch' 2>/dev/null || { echo "run_bench.sh: $PY has no torch (apt-get install python3-torch)" >&2; exit 2; }

if [ ! -f "$CKPT/model.safetensors" ] || [ ! -f "$CKPT/config.json" ]; then
    "$BUILD/bench/make_checkpoint" "$CKPT"
fi

TORCH_LIBS=
for d in /usr/lib/x86_64-linux-gnu/openblas-openmp /usr/lib/x86_64-linux-gnu/openblas-pthread /usr/lib/x86_64-linux-gnu/blis-openmp; do
    if [ -e "$d/libblas.so.3" ]; then TORCH_LIBS=$d; break; fi
done
if [ -z "$TORCH_LIBS" ]; then
    echo "run_bench.sh: WARNING: no OpenBLAS found; PyTorch will use the system libblas.so.3 (the reference BLAS" >&2
    echo "             on a stock Debian), which makes it ~30x slower than a real PyTorch install. apt-get install libopenblas0-openmp" >&2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/attnscope-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

r=1
while [ "$r" -le "$ROUNDS" ]; do
    echo "== round $r of $ROUNDS"
    dump=
    [ "$r" -eq 1 ] && dump="--dump $WORK/attnscope.safetensors"
    # shellcheck disable=SC2086
    "$BUILD/bench/bench_forward" "$CKPT" --tokens "$TOKENS" --runs "$RUNS" --threads "$THREADS" $dump | tee "$WORK/a.out"
    tail -n 1 "$WORK/a.out" >> "$WORK/attnscope.jsonl"
    check=
    [ "$r" -eq 1 ] && check="--check $WORK/attnscope.safetensors"
    # shellcheck disable=SC2086
    LD_LIBRARY_PATH="$TORCH_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$PY" "$HERE/torch_forward.py" "$CKPT" --tokens "$TOKENS" --runs "$RUNS" --threads "$THREADS" $check | tee "$WORK/t.out"
    tail -n 1 "$WORK/t.out" >> "$WORK/torch.jsonl"
    r=$((r + 1))
done

"$PY" - "$WORK/attnscope.jsonl" "$WORK/torch.jsonl" "$TORCH_LIBS" <<'EOF'
import json, statistics, sys
a = [json.loads(l) for l in open(sys.argv[1])]
t = [json.loads(l) for l in open(sys.argv[2])]
blas = sys.argv[3] or "system libblas.so.3"
am, tm = statistics.median(x["median_ms"] for x in a), statistics.median(x["median_ms"] for x in t)
amin, tmin = min(x["min_ms"] for x in a), min(x["min_ms"] for x in t)
peak = max(x["matmul_peak_gflops"] for x in a)
tpeak = max(x["torch_matmul_peak_gflops"] for x in t)
bw = max(x["read_bw_gbs"] for x in a)
gflop = a[0]["gflop"]
roof = max(gflop / peak, 0.34 / bw) * 1e3  # bert-base linear weights: 340 MB per forward
print()
print(f"== summary: bert-base, {a[0]['tokens']} tokens, batch 1, attentions returned, {a[0]['threads']} threads, "
      f"OMP_WAIT_POLICY=PASSIVE, {len(a)} alternating rounds of {a[0]['runs']} runs")
print(f"{'':24}{'attnscope':>12}{'PyTorch':>12}{'ratio':>8}")
print(f"{'median of medians (ms)':24}{am:12.2f}{tm:12.2f}{am / tm:8.2f}")
print(f"{'best run (ms)':24}{amin:12.2f}{tmin:12.2f}{amin / tmin:8.2f}")
print(f"{'GFLOP/s (median)':24}{gflop / am * 1e3:12.1f}{gflop / tm * 1e3:12.1f}")
print(f"attnscope kernels: {a[0]['variant']}; PyTorch {t[0]['torch']} with BLAS from {blas}")
print(f"matmul peak 512x768x3072: attnscope {peak:.1f} GFLOP/s, PyTorch {tpeak:.1f} GFLOP/s; read bandwidth {bw:.1f} GB/s")
print(f"attnscope forward = {gflop / am * 1e3 / peak:.0%} of attnscope's matmul peak, "
      f"{gflop / am * 1e3 / max(peak, tpeak):.0%} of the best measured; roofline {roof:.1f} ms, the median is {am / roof:.2f}x that")
chk = t[0].get("agree")
print(f"same result: {'yes' if chk else 'NO'} (attentions max |diff| {t[0].get('att_max_abs_diff', float('nan')):.1e}, "
      f"last hidden max rel diff {t[0].get('hidden_max_rel_diff', float('nan')):.1e})")
print(json.dumps({"bench": "summary", "attnscope_ms": am, "torch_ms": tm, "ratio": round(am / tm, 4),
                  "attnscope_min_ms": amin, "torch_min_ms": tmin, "matmul_peak_gflops": peak,
                  "torch_matmul_peak_gflops": tpeak, "read_bw_gbs": bw, "agree": chk}))
EOF
