#!/usr/bin/env python3
"""`attnscope run --dump --qk`: queries.i / keys.i [layers, heads, T, head_dim] must equal the
projection of the dumped hidden state of the layer's input by the checkpoint's own q / k weights
and biases (h · Wᵀ + b, computed here in double precision with the standard library, read straight
from model.safetensors; F32, F16 and BF16 weights), split per head, before any scaling (also for
DistilBERT, whose modelling code scales q before the product). Also: --qk without --dump fails.

    test_qk.py ATTNSCOPE DATA_DIR"""
import json, os, struct, subprocess, sys, tempfile
from array import array

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_check import load  # noqa: E402

bin_, data = sys.argv[1], sys.argv[2]
fails = 0


def read_weights(path):
    """{name: (shape, list of floats)} for F32, F16, BF16 tensors."""
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, v in header.items():
        b, e = v["data_offsets"]
        raw = blob[8 + n + b:8 + n + e]
        if v["dtype"] == "F32":
            vals = array("f", raw).tolist()
        elif v["dtype"] == "F16":
            vals = [x[0] for x in struct.iter_unpack("<e", raw)]
        elif v["dtype"] == "BF16":
            vals = [struct.unpack("<f", struct.pack("<I", h[0] << 16))[0] for h in struct.iter_unpack("<H", raw)]
        else:
            continue
        out[name] = (v["shape"], vals)
    return out


def find(w, names):
    for n in names:
        if n in w:
            return w[n]
    raise KeyError(names[0])


for fixture in ["bert-tiny", "distilbert-tiny", "roberta-tiny-bf16", "bert-tiny-plain-f16"]:
    d = os.path.join(data, "models", fixture)
    cfg = json.load(open(os.path.join(d, "config.json")))
    distil = cfg["model_type"] == "distilbert"
    L = cfg["n_layers" if distil else "num_hidden_layers"]
    NH = cfg["n_heads" if distil else "num_attention_heads"]
    C = cfg["dim" if distil else "hidden_size"]
    hd = C // NH
    w = read_weights(os.path.join(d, "model.safetensors"))
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "d.safetensors")
        r = subprocess.run([bin_, "run", d, "--text", "The quick brown fox jumps over the lazy dog.", "--dump", dump, "--qk", "--quiet"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {fixture}: run --qk exit {r.returncode}: {r.stderr}")
            fails += 1
            continue
        t = load(dump)
    hs_shape, hs = t["hidden_states.0"]
    T = hs_shape[1]
    worst = 0.0
    for kind, part in (("queries", ("q_lin", "query")), ("keys", ("k_lin", "key"))):
        shape, got = t[f"{kind}.0"]
        if shape != [L, NH, T, hd]:
            print(f"FAIL {fixture}: {kind}.0 has shape {shape}, want {[L, NH, T, hd]}")
            fails += 1
            continue
        for l in range(L):
            base = f"transformer.layer.{l}.attention.{part[0]}" if distil else f"encoder.layer.{l}.attention.self.{part[1]}"
            pre = cfg["model_type"] + "."
            _, W = find(w, [pre + base + ".weight", base + ".weight"])
            _, bias = find(w, [pre + base + ".bias", base + ".bias"])
            for tok in range(T):
                h = hs[(l * T + tok) * C:(l * T + tok + 1) * C]  # the layer's input
                for o in range(C):
                    want = bias[o] + sum(h[i] * W[o * C + i] for i in range(C))
                    head, dd = divmod(o, hd)
                    g = got[((l * NH + head) * T + tok) * hd + dd]
                    err = abs(g - want) / (1.0 + abs(want))
                    worst = max(worst, err)
    ok = worst <= 1e-5
    print(f"{'ok  ' if ok else 'FAIL'} {fixture}: queries/keys vs hidden_states · Wᵀ + b: worst relative error {worst:.2e}")
    fails += not ok

r = subprocess.run([bin_, "run", os.path.join(data, "models", "bert-tiny"), "--ids", "101,102", "--qk"], capture_output=True, text=True)
if r.returncode == 0 or "--qk" not in r.stderr:
    print(f"FAIL: --qk without --dump: exit {r.returncode}, {r.stderr!r}")
    fails += 1
sys.exit(1 if fails else 0)
