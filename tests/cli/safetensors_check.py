#!/usr/bin/env python3
"""Reads a .safetensors file the way Python's `safetensors` does (header length, JSON header,
contiguous data offsets covering the whole buffer) using only the standard library, and compares
`attnscope run --dump` output with a reference dump.

    safetensors_check.py DUMP EXPECTED [--only i,j,...]

Attentions must agree within 1e-5 absolute, hidden states within 1e-4 relative to the largest
magnitude of each hidden vector, input ids exactly."""
import json
import struct
import sys
from array import array

FMT = {"F32": ("f", 4), "I64": ("q", 8)}


def load(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    data = blob[8 + n :]
    header.pop("__metadata__", None)
    # safetensors itself insists the offsets tile the buffer exactly, in order
    spans = sorted((v["data_offsets"][0], v["data_offsets"][1]) for v in header.values())
    end = 0
    for b, e in spans:
        assert b == end, f"{path}: data offsets leave a gap or overlap at {b}"
        end = e
    assert end == len(data), f"{path}: data buffer is {len(data)} bytes, offsets cover {end}"
    tensors = {}
    for name, v in header.items():
        code, size = FMT[v["dtype"]]
        b, e = v["data_offsets"]
        numel = 1
        for d in v["shape"]:
            numel *= d
        assert e - b == numel * size, f"{path}: {name} has the wrong byte size"
        arr = array(code)
        arr.frombytes(data[b:e])
        tensors[name] = (v["shape"], arr)
    return tensors


def main():
    got, want = load(sys.argv[1]), load(sys.argv[2])
    only = None
    if len(sys.argv) > 4 and sys.argv[3] == "--only":
        only = [int(x) for x in sys.argv[4].split(",")]
    indices = sorted({int(k.split(".")[1]) for k in got})
    failures = 0
    for out_i, i in enumerate(indices):
        ref_i = only[out_i] if only else i
        for kind in ("attentions", "hidden_states", "input_ids"):
            gs, g = got[f"{kind}.{i}"]
            ws, w = want[f"{kind}.{ref_i}"]
            if gs != ws:
                print(f"{kind}.{i}: shape {gs} != reference {ws}")
                failures += 1
                continue
            if kind == "input_ids":
                ok = list(g) == list(w)
            elif kind == "attentions":
                ok = all(abs(a - b) <= 1e-5 for a, b in zip(g, w))
            else:
                hidden = gs[-1]
                ok = True
                for v in range(0, len(w), hidden):
                    scale = max(abs(x) for x in w[v : v + hidden])
                    if any(abs(a - b) > 1e-4 * scale for a, b in zip(g[v : v + hidden], w[v : v + hidden])):
                        ok = False
                        break
            if not ok:
                print(f"{kind}.{i}: differs from reference {kind}.{ref_i}")
                failures += 1
    print(f"{len(indices)} inputs compared, {failures} mismatches")
    return 1 if failures or not indices else 0


if __name__ == "__main__":
    sys.exit(main())
