#!/usr/bin/env python3
"""Writes a safetensors file in `run --dump`'s layout with queries.i / keys.i as well, where
attentions.i = softmax(q·kᵀ/√d) computed here, plus its tokens JSON: the neuron view's input.
    make_qk.py OUT.safetensors OUT.tokens.json"""
import json
import math
import random
import struct
import sys

random.seed(7)
L, H, d = 2, 3, 8
sentences = [["[CLS]", "the", "bank", "of", "the", "river", "[SEP]"], ["[CLS]", "東京", "は", "首都", "[SEP]"]]
tensors = {}
for i, toks in enumerate(sentences):
    T = len(toks)
    q = [random.gauss(0, 1.5) for _ in range(L * H * T * d)]
    k = [random.gauss(0, 1.5) for _ in range(L * H * T * d)]
    att = []
    for lh in range(L * H):
        for a in range(T):
            s = [sum(q[(lh * T + a) * d + e] * k[(lh * T + b) * d + e] for e in range(d)) / math.sqrt(d) for b in range(T)]
            m = max(s)
            ex = [math.exp(x - m) for x in s]
            att += [x / sum(ex) for x in ex]
    tensors["attentions.%d" % i] = ([L, H, T, T], att)
    W = T - 2  # one word per non-special token: rows renormalised over the words
    watt = []
    for lh in range(L * H):
        for a in range(1, T - 1):
            row = att[(lh * T + a) * T + 1:(lh * T + a) * T + T - 1]
            watt += [x / sum(row) for x in row]
    tensors["word_attentions.%d" % i] = ([L, H, W, W], watt)
    tensors["queries.%d" % i] = ([L, H, T, d], q)
    tensors["keys.%d" % i] = ([L, H, T, d], k)
header, data, off = {}, b"", 0
for name, (shape, vals) in tensors.items():
    b = struct.pack("<%df" % len(vals), *vals)
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [off, off + len(b)]}
    data += b
    off += len(b)
h = json.dumps(header).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + data)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump({"sentences": [{"tokens": t, "words": t[1:-1], "text": " ".join(t[1:-1]), "domain": "demo"} for t in sentences]}, f, ensure_ascii=False)
