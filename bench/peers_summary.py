#!/usr/bin/env python3
"""peers_summary.py — the summary of compare_peers.sh: medians of the per-round medians per engine,
model and mode, and every ratio of issue 10's goals with its target beside it.

    peers_summary.py ALL.jsonl MACHINE.json TORCH_MACHINE.json [OPENBLAS_CORETYPE [GOAL_CORPUS_MODE]]

Corpus modes are named corpus-bN (batches of N sentences); the goals use GOAL_CORPUS_MODE (the
first batch size of the run). Per-sentence time = a pass over the corpus / its sentences; GFLOP/s
count the real tokens only (bench_corpus's gflop), for every engine: padding earns nothing."""
import json
import statistics
import sys

rows = [json.loads(l) for l in open(sys.argv[1])]
machine = json.load(open(sys.argv[2]))
torch_machine = json.load(open(sys.argv[3]))
coretype = sys.argv[4] if len(sys.argv) > 4 else ""
goal_mode = sys.argv[5] if len(sys.argv) > 5 else None
corpus_modes = sorted({r["mode"] for r in rows if r["mode"].startswith("corpus")}, key=lambda m: int(m[8:]) if m[8:].isdigit() else 0)
corpus_models = [m for m in ["bert", "distilbert", "roberta"] if any(r["model"] == m and r["mode"] in corpus_modes for r in rows)]


def med(engine, model, mode):
    xs = [r["median_ms"] for r in rows if r["engine"] == engine and r["model"] == model and r["mode"] == mode]
    return (statistics.median(xs), len(xs)) if xs else (float("nan"), 0)


def one(engine, model, mode, key):
    for r in rows:
        if r["engine"] == engine and r["model"] == model and r["mode"] == mode and key in r:
            return r[key]
    return None


models = [m for m in ["bert", "distilbert", "roberta"] if any(r["model"] == m for r in rows)]
engines = ["attnscope", "ort", "torch"]
names = {"attnscope": "attnscope", "ort": "ONNX Runtime", "torch": "PyTorch eager", "attnscope-bf16": "attnscope bf16"}
has_bf16 = any(r["engine"] == "attnscope-bf16" for r in rows)
table = engines + (["attnscope-bf16"] if has_bf16 else [])
a0 = next(r for r in rows if r["engine"] == "attnscope")
print()
print(f"== summary: {a0['tokens']} tokens, batch 1, attentions returned, {a0['threads']} threads, OMP_WAIT_POLICY=PASSIVE; "
      f"attnscope kernels {a0['variant']}; onnxruntime-node {one('ort', models[0], 'batch1', 'ort')}; "
      f"torch {one('torch', models[0], 'batch1', 'torch')}" + (f" with OPENBLAS_CORETYPE={coretype}" if coretype else ""))
print(f"median of the per-round medians (ms), {med('attnscope', models[0], 'batch1')[1]} alternating rounds")
print(f"{'engine':16}" + "".join(f"{m + '-base':>18}" for m in models))
for e in table:
    print(f"{names[e]:16}" + "".join(f"{med(e, m, 'batch1')[0]:18.2f}" for m in models))
print(f"{'ORT / attnscope':16}" + "".join(f"{med('ort', m, 'batch1')[0] / med('attnscope', m, 'batch1')[0]:17.2f}x" for m in models))
print(f"{'torch / attnscope':16}" + "".join(f"{med('torch', m, 'batch1')[0] / med('attnscope', m, 'batch1')[0]:17.2f}x" for m in models))

peak = machine["matmul_peak_gflops"]
blas = torch_machine["torch_matmul_peak_gflops"]
bw = machine["read_bw_gbs"]
fma = machine.get("fma_peak_gflops", -1.0)  # bare FMA loop at the kernels' width, 2 threads (-1: portable)
best = max(peak, blas)
goals = []


def goal(name, value, target, higher_is_better, ref):
    ok = value >= target if higher_is_better else value <= target
    goals.append({"goal": name, "value": round(value, 4), "target": target, "met": ok, "reference": ref})
    print(f"  {'MET ' if ok else 'MISS'} {name}: {value:.2f} (target {'>=' if higher_is_better else '<='} {target}; {ref})")


print(f"\nmachine: attnscope matmul peak {peak:.1f} GFLOP/s, OpenBLAS SGEMM {blas:.1f} GFLOP/s (best {best:.1f}), "
      f"read bandwidth {bw:.1f} GB/s" + (f"; FMA peak {fma:.1f} GFLOP/s (bare fused multiply-adds, no memory: "
                                          f"the matmul peak is {peak / fma:.0%} of it)" if fma > 0 else ""))
print("issue 10 goals")
if "bert" in models:
    a, o, t = (med(e, "bert", "batch1")[0] for e in engines)
    gflop = one("attnscope", "bert", "batch1", "gflop")
    wbytes = one("attnscope", "bert", "batch1", "weight_bytes")
    roof = max(gflop / best, wbytes / bw * 1e-9) * 1e3
    goal("1. bert-base batch 1: ONNX Runtime / attnscope", o / a, 1.3, True, f"{o:.2f} vs {a:.2f} ms")
    goal("1. bert-base batch 1: PyTorch / attnscope", t / a, 2.5, True, f"{t:.2f} vs {a:.2f} ms")
    goal("1. bert-base batch 1: attnscope / roofline", a / roof, 1.25, False,
         f"roofline max({gflop:.2f} GFLOP / {best:.0f} GFLOP/s, {wbytes / 1e6:.0f} MB / {bw:.1f} GB/s) = {roof:.2f} ms")
for cm in corpus_models:
    r0 = next(r for r in rows if r["engine"] == "attnscope" and r["model"] == cm and r["mode"] in corpus_modes)
    print(f"corpus mode ({cm}-base, {r0['sentences']} sentences, {r0['tokens']} tokens, sorted by length; peers pad each batch "
          f"to its longest sentence, attnscope packs it): per sentence ms (GFLOP/s of real tokens)")
    print(f"{'engine':16}" + "".join(f"{'batch ' + m[8:]:>24}" for m in corpus_modes))
    for e in table:
        cells = []
        for mode in corpus_modes:
            ms = med(e, cm, mode)[0]
            gflop = one("attnscope", cm, mode, "gflop")
            cells.append(f"{ms / r0['sentences']:10.2f} ({gflop / ms * 1e3:6.1f} GF/s)" if ms == ms else f"{'-':>24}")
        print(f"{names[e]:16}" + "".join(f"{c:>24}" for c in cells))
    print(f"{'padded tokens':16}" + "".join(f"{str(one('ort', cm, m, 'padded_tokens')):>24}" for m in corpus_modes))
gm = goal_mode if goal_mode in corpus_modes else (corpus_modes[0] if corpus_modes else None)
if gm and "bert" in corpus_models:
    ac, oc = med("attnscope", "bert", gm)[0], med("ort", "bert", gm)[0]
    S, cg = one("attnscope", "bert", gm, "sentences"), one("attnscope", "bert", gm, "gflop")
    rate = cg / ac * 1e3
    goal(f"2. corpus (bert-base, batches of {gm[8:]}): attnscope GFLOP/s / best SGEMM rate", rate / best, 0.85, True,
         f"{rate:.1f} of {best:.1f} GFLOP/s, real tokens")
    goal(f"2. corpus (bert-base, batches of {gm[8:]}): ONNX Runtime / attnscope per sentence", oc / ac, 1.5, True,
         f"{oc / S:.2f} vs {ac / S:.2f} ms")
    if fma > 0:
        # what 1.5x ONNX Runtime asks of this machine: the same real-token FLOPs in 1/1.5 of its time
        ort_rate = cg / oc * 1e3
        print(f"       bound: ONNX Runtime runs the corpus at {ort_rate:.1f} GFLOP/s = {ort_rate / fma:.0%} of the FMA peak, attnscope "
              f"at {rate / fma:.0%}; 1.5x ONNX Runtime needs {1.5 * ort_rate:.1f} GFLOP/s = {1.5 * ort_rate / fma:.0%} of the FMA peak")
if has_bf16 and "bert" in models:
    a, b = med("attnscope", "bert", "batch1")[0], med("attnscope-bf16", "bert", "batch1")[0]
    path = one("attnscope-bf16", "bert", "batch1", "variant")
    amx = path == "amx-bf16"
    goal(f"4. bert-base batch 1: fp32 / bf16 ({path})", a / b, 2.0 if amx else 1.8, True, f"{a:.2f} vs {b:.2f} ms")
    if gm and "bert" in corpus_models:
        ac, bc = med("attnscope", "bert", gm)[0], med("attnscope-bf16", "bert", gm)[0]
        if ac == ac and bc == bc:
            goal(f"4. corpus (batches of {gm[8:]}): fp32 / bf16 ({path})", ac / bc, 3.0 if amx else 1.8, True, f"{ac:.1f} vs {bc:.1f} ms per pass")
print("  (goal 3, loading: `attnscope bench MODEL --json` reports load_ms and peak_rss_mb; see docs/performance.md)")
agree = [r.get("agree") for r in rows if "agree" in r]
nan_none = lambda v: None if v != v else v
summary = {"bench": "compare_peers", "medians_ms": {e: {m: nan_none(med(e, m, "batch1")[0]) for m in models} for e in table},
           "corpus_pass_ms": {m: {mode: {e: nan_none(med(e, m, mode)[0]) for e in table} for mode in corpus_modes} for m in corpus_models},
           "matmul_peak_gflops": peak, "fma_peak_gflops": fma,
           "openblas_gflops": blas, "read_bw_gbs": bw, "goals": goals}
print(json.dumps(summary))
