#!/usr/bin/env python3
"""bench_corpus (corpus mode of bench/compare_peers.sh) on the tiny fixtures, not a speed test:

1. its ids file is `attnscope tokenize` of the corpus, in file order or sorted by token count with
   ties in corpus order (computed here independently from the tokenize JSONL);
2. its dump of the batched (packed, unpadded) forward holds every sentence, with the right shapes;
3. where torch is installed (Debian's python3-torch), bench/torch_forward.py runs the same ids in
   padded batches with the attention mask and agrees with that dump on every real token
   (attentions within 1e-5, hidden states within 1e-4 relative) for BERT, DistilBERT (masked_fill)
   and RoBERTa (positions skip the padding); and the same padded batches without the mask differ,
   so the check can fail. Without torch part 3 is skipped (exit 77 only if nothing else ran).

    test_bench_corpus.py BENCH_CORPUS ATTNSCOPE SOURCE_DIR DATA_DIR"""
import json, os, struct, subprocess, sys, tempfile
from array import array

bench, cli, src, data = sys.argv[1:5]
corpus = os.path.join(data, "metrics", "corpus.tsv")
fails = 0


def check(cond, what):
    global fails
    if not cond:
        print("FAIL:", what)
        fails += 1


def corpus_texts(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    col = lines[0].split("\t").index("text")
    return [l.split("\t")[col].rstrip(" \t\r") for l in lines[1:] if l.strip()]


def read_ids(path):
    return [[int(t) for t in l.split()] for l in open(path) if l.strip()]


def read_st(path):
    """{name: (shape, values)} of a safetensors file (F32 and I32 only), standard library only."""
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, v in header.items():
        a = array({"F32": "f", "I32": "i"}[v["dtype"]])
        b, e = v["data_offsets"]
        a.frombytes(blob[8 + n + b:8 + n + e])
        out[name] = (v["shape"], a.tolist())
    return out


def torch_python():
    for py in [sys.executable, "/usr/bin/python3"]:
        if os.path.exists(py) and subprocess.run([py, "-c", "import torch"], capture_output=True).returncode == 0:
            return py
    return None


py = torch_python()
texts = corpus_texts(corpus)
with tempfile.TemporaryDirectory() as tmp:
    jl = os.path.join(tmp, "texts.jsonl")
    with open(jl, "w") as f:
        for t in texts:
            f.write(json.dumps({"text": t}) + "\n")
    for name in ["bert-tiny", "distilbert-tiny", "roberta-tiny"]:
        model = os.path.join(data, "models", name)
        enc = os.path.join(tmp, name + ".enc.jsonl")
        r = subprocess.run([cli, "tokenize", model, "--input", jl, "--output", enc, "--quiet"], capture_output=True, text=True)
        check(r.returncode == 0, f"{name}: attnscope tokenize: {r.stderr}")
        want = [json.loads(l)["ids"] for l in open(enc)]
        by_len = [want[i] for i in sorted(range(len(want)), key=lambda i: (len(want[i]), i))]
        sorted_ids, file_ids, dump = (os.path.join(tmp, f"{name}.{x}") for x in ["sorted.ids", "file.ids", "dump.safetensors"])
        r = subprocess.run([bench, model, "--corpus", corpus, "--runs", "0", "--threads", "1", "--ids-out", sorted_ids],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"{name}: bench_corpus --ids-out: {r.stderr}")
        check(read_ids(sorted_ids) == by_len, f"{name}: length-sorted ids differ from attnscope tokenize sorted by length")
        r = subprocess.run([bench, model, "--corpus", corpus, "--runs", "0", "--threads", "1", "--order", "file", "--batch", "5",
                            "--ids-out", file_ids, "--dump", dump], capture_output=True, text=True)
        check(r.returncode == 0, f"{name}: bench_corpus --dump: {r.stderr}")
        check(read_ids(file_ids) == want, f"{name}: file-order ids differ from attnscope tokenize")
        st = read_st(dump)
        cfg = json.load(open(os.path.join(model, "config.json")))
        L = cfg.get("num_hidden_layers", cfg.get("n_layers"))
        NH = cfg.get("num_attention_heads", cfg.get("n_heads"))
        C = cfg.get("hidden_size", cfg.get("dim"))
        for k, ids in enumerate(want):
            T = len(ids)
            check(st.get(f"input_ids.{k}", (None, None))[1] == ids, f"{name}: dump input_ids.{k}")
            check(st.get(f"attentions.{k}", (None, None))[0] == [L, NH, T, T], f"{name}: dump attentions.{k} shape")
            check(st.get(f"last_hidden_state.{k}", (None, None))[0] == [T, C], f"{name}: dump last_hidden_state.{k} shape")
        check(len(st) == 3 * len(want), f"{name}: dump has {len(st)} tensors, want {3 * len(want)}")
        if py and not fails:
            r = subprocess.run([py, "-W", "ignore", os.path.join(src, "bench", "torch_forward.py"), model, "--threads", "1",
                                "--runs", "0", "--corpus", file_ids, "--batch", "5", "--check", dump], capture_output=True, text=True)
            out = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
            check(r.returncode == 0 and out.get("agree") is True and out.get("checked_sentences") == len(want),
                  f"{name}: torch_forward padded batches vs bench_corpus dump: {r.stdout[-400:]} {r.stderr[-400:]}")
            # without the mask the padded batches must differ (else the check above proves nothing)
            probe = ("import sys, json, torch; sys.path.insert(0, sys.argv[1]); import torch_forward as tf\n"
                     "cfg = json.load(open(sys.argv[2] + '/config.json'))\n"
                     "m = tf.Encoder(cfg, tf.read_safetensors(sys.argv[2] + '/model.safetensors'))\n"
                     "b = [(i, torch.ones_like(k), l) for i, k, l in tf.padded_batches(tf.read_ids(sys.argv[3]), 5, m.pad)]\n"
                     "with torch.inference_mode(): a, h, n = tf.check_dump(m, b, sys.argv[4], True)\n"
                     "print(json.dumps([a, h]))")
            r = subprocess.run([py, "-W", "ignore", "-c", probe, os.path.join(src, "bench"), model, file_ids, dump],
                               capture_output=True, text=True)
            a, h = json.loads(r.stdout) if r.returncode == 0 else (0, 0)
            check(a > 1e-5 or h > 1e-4, f"{name}: padded batches without the mask agree too ({a:.2e}, {h:.2e}): {r.stderr[-300:]}")
    # bad arguments fail cleanly
    r = subprocess.run([bench, os.path.join(data, "models", "bert-tiny"), "--order", "random"], capture_output=True, text=True)
    check(r.returncode == 2 and "usage" in r.stderr, "bench_corpus --order random is refused")
    r = subprocess.run([bench, os.path.join(tmp, "missing"), "--runs", "0"], capture_output=True, text=True)
    check(r.returncode == 1 and r.stderr.count("\n") == 1 and "missing" in r.stderr, f"missing model: one line: {r.stderr}")

if not py:
    print("torch is not installed: torch_forward.py's padded batches were not checked")
print("FAILED" if fails else "ok")
sys.exit(1 if fails else 0)
