#!/usr/bin/python3
"""torch_forward.py — the PyTorch eager baseline for bench_forward: the same checkpoint, the same ids.

    /usr/bin/python3 bench/torch_forward.py MODEL_DIR [--tokens T] [--batch B] [--corpus IDS] [--runs N] [--warmup W]
                                            [--threads n] [--check DUMP.safetensors] [--export-onnx OUT.onnx]

The encoder's forward written with torch.nn.functional, float32, eager, attentions returned, exactly
the operations of Hugging Face's BertModel / RobertaModel / DistilBertModel (separate q/k/v linears,
softmax, erf GELU, post-LayerNorm; RoBERTa's positions from pad + 1; DistilBERT's q scaled before
the product and no token types), with Hugging Face's attention mask: BERT and RoBERTa add
(1 - mask) * finfo.min to the scores, DistilBERT masked_fill's them with finfo.min. --batch B runs B
sequences of T tokens as one batch. --corpus IDS (corpus mode) reads the ids file of `bench_corpus
--ids-out` (one sentence a line, in batch order) and runs it in batches of --batch consecutive
sentences, each padded with pad_token_id to its longest sentence, with the attention mask.
--export-onnx writes the same module as an ONNX graph (torch.onnx.export; inputs input_ids and
attention_mask, dynamic batch and length; outputs last_hidden_state and attentions [L, B, NH, T, T])
for bench/ort_forward.js, and exits.
Needs only the standard library and torch (Debian's python3-torch): the safetensors file is read
with json + torch.frombuffer. --check compares the attentions and the last hidden state with a dump
written by `bench_forward --dump` (or, with --corpus, every sentence's real tokens with the dump of
`bench_corpus --dump`: the padded batch against attnscope's unpadded one), so we know both programs
compute the same thing. --runs 0 only checks.
The last line of output is one JSON object, for scripts."""
import argparse
import json
import math
import os
import statistics
import struct
import sys
import time

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I32": torch.int32, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    buf = bytearray(data[8 + n:])  # writable, so frombuffer does not warn
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        count = (end - begin) // torch.tensor([], dtype=dtype).element_size()
        t = torch.frombuffer(buf, dtype=dtype, count=count, offset=begin) if count else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def bench_ids(T, vocab, arch="bert", row=0):
    """Same list as bench_forward.c's bench_ids: [CLS] ... [SEP] (<s> ... </s> for RoBERTa)."""
    ids = [1000 + ((t + 31 * row) * 7919) % (vocab - 2000) for t in range(T)]
    cls, sep = (0, 2) if arch == "roberta" else (101, 102)
    ids[0] = cls
    if T > 1:
        ids[T - 1] = sep
    return ids


class Encoder(torch.nn.Module):
    def __init__(self, cfg, st):
        super().__init__()
        self.arch = cfg["model_type"]
        distil = self.arch == "distilbert"
        p = {"bert": "bert.", "roberta": "roberta.", "distilbert": "distilbert."}[self.arch]
        if p + "embeddings.word_embeddings.weight" not in st:
            p = ""
        self.cfg = cfg
        self.eps = cfg.get("layer_norm_eps", 1e-12)
        self.heads = cfg["n_heads" if distil else "num_attention_heads"]
        self.pad = cfg.get("pad_token_id", 0)
        legacy = {".weight": ".gamma", ".bias": ".beta"}  # old BERT files name LayerNorm parameters gamma/beta

        def g(name):
            if p + name not in st and "LayerNorm" in name:
                stem, dot, suffix = name.rpartition(".")
                name = stem + legacy.get(dot + suffix, dot + suffix)
            return st[p + name].float().contiguous()
        self.word, self.pos = g("embeddings.word_embeddings.weight"), g("embeddings.position_embeddings.weight")
        self.type = None if distil else g("embeddings.token_type_embeddings.weight")
        self.emb_ln = (g("embeddings.LayerNorm.weight"), g("embeddings.LayerNorm.bias"))
        names = (["attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin", "sa_layer_norm",
                  "ffn.lin1", "ffn.lin2", "output_layer_norm"] if distil else
                 ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                  "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"])
        fmt = "transformer.layer.{}.{}" if distil else "encoder.layer.{}.{}"
        self.layers = []
        for l in range(cfg["n_layers" if distil else "num_hidden_layers"]):
            w = lambda i: (g(fmt.format(l, names[i]) + ".weight"), g(fmt.format(l, names[i]) + ".bias"))
            self.layers.append({"q": w(0), "k": w(1), "v": w(2), "o": w(3), "ln1": w(4), "i": w(5), "out": w(6), "ln2": w(7)})

    def forward(self, ids, mask):
        """ids, mask (B, T) → last hidden state (B, T, C), attentions [L × (B, NH, T, T)]."""
        B, T = ids.shape
        fmin = torch.finfo(torch.float32).min
        if self.arch == "distilbert":  # MultiHeadSelfAttention: masked_fill(mask == 0, finfo.min)
            masked = (mask == 0).view(B, 1, 1, T)
        else:  # get_extended_attention_mask: (1 - mask) * finfo.min, added
            additive = (1.0 - mask[:, None, None, :].to(torch.float32)) * fmin
        C = self.word.shape[1]
        NH, hd = self.heads, C // self.heads
        if self.arch == "roberta":  # create_position_ids_from_input_ids
            mask = (ids != self.pad).long()
            pos = torch.cumsum(mask, dim=1) * mask + self.pad
            x = self.word[ids] + self.pos[pos]
        else:
            x = self.word[ids] + self.pos[:T].unsqueeze(0)
        if self.type is not None:
            x = x + self.type[torch.zeros_like(ids)]
        x = F.layer_norm(x, (C,), *self.emb_ln, self.eps)
        atts = []
        for w in self.layers:
            def split(t):  # (B, T, C) → (B, NH, T, hd)
                return t.view(B, T, NH, hd).permute(0, 2, 1, 3)
            q, k, v = split(F.linear(x, *w["q"])), split(F.linear(x, *w["k"])), split(F.linear(x, *w["v"]))
            if self.arch == "distilbert":
                scores = torch.matmul(q / math.sqrt(hd), k.transpose(-1, -2))
                scores = scores.masked_fill(masked.expand_as(scores), fmin)
            else:
                scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + additive
            probs = F.softmax(scores, dim=-1)
            atts.append(probs)
            ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(B, T, C)
            x = F.layer_norm(F.linear(ctx, *w["o"]) + x, (C,), *w["ln1"], self.eps)
            h = F.gelu(F.linear(x, *w["i"]))
            x = F.layer_norm(F.linear(h, *w["out"]) + x, (C,), *w["ln2"], self.eps)
        return x, atts


class Exported(torch.nn.Module):
    """The encoder with attentions stacked into one output, for torch.onnx.export."""

    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, ids, mask):
        x, atts = self.enc.forward(ids, mask)
        return x, torch.stack(atts)


def export_onnx(model, path):
    # traced on a padded batch of two; batch and length stay symbolic
    ids = torch.tensor([bench_ids(7, model.cfg["vocab_size"], model.arch), bench_ids(5, model.cfg["vocab_size"], model.arch, 1) + [model.pad] * 2])
    mask = (torch.arange(7)[None, :] < torch.tensor([[7], [5]])).long()
    tmp = path + ".tmp"
    torch.onnx.export(Exported(model), (ids, mask), tmp, input_names=["input_ids", "attention_mask"],
                      output_names=["last_hidden_state", "attentions"], opset_version=14,
                      dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                    "last_hidden_state": {0: "batch", 1: "tokens"},
                                    "attentions": {1: "batch", 3: "tokens", 4: "tokens"}})
    os.replace(tmp, path)


def read_ids(path):
    """The ids file of bench_corpus --ids-out: one sentence a line, space-separated."""
    with open(path) as f:
        return [[int(t) for t in line.split()] for line in f if line.strip()]


def padded_batches(sentences, batch, pad):
    """Consecutive runs of `batch` sentences, each padded to its longest: [(ids, mask, lens)]."""
    out = []
    for i in range(0, len(sentences), batch):
        rows = sentences[i:i + batch]
        T = max(len(r) for r in rows)
        ids = torch.tensor([r + [pad] * (T - len(r)) for r in rows], dtype=torch.long)
        mask = torch.tensor([[1] * len(r) + [0] * (T - len(r)) for r in rows], dtype=torch.long)
        out.append((ids, mask, [len(r) for r in rows]))
    return out


def check_dump(model, batches, path, corpus):
    """Largest differences, over every real token, to a dump of bench_forward / bench_corpus."""
    ref = read_safetensors(path)
    att_diff = h_diff = 0.0
    k = 0
    for ids, mask, lens in batches:
        hidden, atts = model.forward(ids, mask)
        att = torch.stack(atts)  # (L, B, NH, T, T)
        for j, T in enumerate(lens):
            sfx = f".{k}" if corpus else ""
            if "input_ids" + sfx not in ref or ref["input_ids" + sfx].tolist() != ids[j, :T].tolist():
                sys.exit(f"torch_forward: the dump was made with other token ids (sentence {k})")
            a = att[:, j, :, :T, :T]
            if tuple(a.shape) != tuple(ref["attentions" + sfx].shape):
                sys.exit(f"torch_forward: attention shape {tuple(a.shape)} != dump {tuple(ref['attentions' + sfx].shape)}")
            att_diff = max(att_diff, (a - ref["attentions" + sfx]).abs().max().item())
            h_ref = ref["last_hidden_state" + sfx]
            h_diff = max(h_diff, ((hidden[j, :T] - h_ref).abs().amax(dim=1) / h_ref.abs().amax(dim=1)).max().item())
            k += 1
            if not corpus:
                return att_diff, h_diff, k
    return att_diff, h_diff, k


def matmul_peak(M, K, N, runs=5):
    x, w = torch.randn(M, K), torch.randn(N, K)
    F.linear(x, w)
    best = math.inf
    for _ in range(runs):
        t0 = time.perf_counter()
        F.linear(x, w)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * M * K * N / best * 1e-9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--tokens", type=int, default=25)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1, help="sequences per forward")
    ap.add_argument("--corpus", help="ids file of bench_corpus --ids-out: corpus mode, batches of --batch sentences")
    ap.add_argument("--export-onnx", help="write the module as ONNX to this path and exit")
    ap.add_argument("--check", help="safetensors dump of bench_forward --dump to compare against")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    with open(os.path.join(a.model_dir, "config.json")) as f:
        cfg = json.load(f)
    t0 = time.perf_counter()
    model = Encoder(cfg, read_safetensors(os.path.join(a.model_dir, "model.safetensors")))
    load_ms = (time.perf_counter() - t0) * 1e3
    if a.export_onnx:
        export_onnx(model, a.export_onnx)
        print(f"torch_forward: wrote {a.export_onnx}")
        return
    if a.corpus:
        sentences = read_ids(a.corpus)
    else:
        sentences = [bench_ids(a.tokens, cfg["vocab_size"], model.arch, b) for b in range(a.batch)]
    batches = padded_batches(sentences, a.batch, model.pad)
    print(f"torch_forward: {a.model_dir} (torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}, loaded in {load_ms:.0f} ms)")

    check = {}
    with torch.inference_mode():
        if a.check:
            att_diff, h_diff, nchecked = check_dump(model, batches if a.corpus else batches[:1], a.check, bool(a.corpus))
            ok = att_diff <= 1e-5 and h_diff <= 1e-4
            check = {"att_max_abs_diff": att_diff, "hidden_max_rel_diff": h_diff, "agree": ok, "checked_sentences": nchecked}
            print(f"check     vs {a.check} ({nchecked} sentences{', padded batches of %d' % a.batch if a.corpus else ''}): "
                  f"attentions max |diff| {att_diff:.2e} (tol 1e-5), last hidden max rel diff {h_diff:.2e} (tol 1e-4): "
                  f"{'AGREE' if ok else 'DIFFER'}")
        if a.runs == 0:
            print(json.dumps({"bench": "torch_forward", "torch": torch.__version__, **check}))
            sys.exit(0 if not check or check["agree"] else 1)

        times = []
        for r in range(a.warmup + a.runs):
            t0 = time.perf_counter()
            for ids, mask, _ in batches:
                _, atts = model.forward(ids, mask)
            dt = (time.perf_counter() - t0) * 1e3
            if r >= a.warmup:
                times.append(dt)
        del atts
        peak = matmul_peak(512, 768, 3072)

    mean, std = statistics.mean(times), statistics.stdev(times) if len(times) > 1 else 0.0
    tmin, median = min(times), statistics.median(times)
    C, L, T = model.word.shape[1], len(model.layers), a.tokens
    I = model.layers[0]["i"][0].shape[0]
    # real tokens only: padding is not credited
    gflop = sum(L * (2.0 * n * (4 * C * C + 2 * C * I) + 4.0 * n * n * C) for s in sentences for n in [len(s)]) * 1e-9
    tokens, padded = sum(len(s) for s in sentences), sum(ids.numel() for ids, _, _ in batches)
    what = (f"corpus {a.corpus}: {len(sentences)} sentences, {tokens} tokens ({padded} padded), batches of {a.batch}"
            if a.corpus else f"T={T} batch {a.batch}")
    print(f"forward   {what} attentions: mean {mean:.2f} ms  std {std:.2f}  min {tmin:.2f}  median {median:.2f}  "
          f"({a.runs} runs, {a.warmup} warm-up)")
    print(f"          {gflop:.2f} GFLOP (real tokens) per pass: {gflop / median * 1e3:.1f} GFLOP/s at the median")
    print(f"machine   torch F.linear 512x768x3072: {peak:.1f} GFLOP/s")
    print(json.dumps({"bench": "torch_forward", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "model_type": model.arch, "tokens": T if not a.corpus else tokens, "padded_tokens": padded,
                      "sentences": len(sentences), "batch": a.batch, "runs": a.runs, "mean_ms": round(mean, 3), "std_ms": round(std, 3),
                      "min_ms": round(tmin, 3), "median_ms": round(median, 3), "gflops": round(gflop / median * 1e3, 2),
                      "torch_matmul_peak_gflops": round(peak, 2), **check}))
    if check and not check["agree"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
