"""make_bins.py OUT_DIR MODEL_SAFETENSORS — writes torch.save-style .bin files without torch:
  good_variants.bin  the tensors of MODEL_SAFETENSORS stored unusually: all in one shared storage
                     with offsets, 2-D weights saved transposed (non-contiguous strides),
                     _rebuild_parameter wrappers, a _metadata BUILD, protocol 4 opcodes
  evil_*.bin         files the loader must refuse (each with the word it must print in evil.txt)
The pickle opcodes are written by hand, as torch's pickler would emit them."""
import json
import os
import struct
import sys
import zipfile


class P:
    """A tiny pickle writer."""

    def __init__(self, proto=2):
        self.b = bytearray(b"\x80" + bytes([proto]))

    def op(self, code, payload=b""):
        self.b += code + payload
        return self

    def mark(self): return self.op(b"(")
    def glob(self, mod, name): return self.op(b"c", mod.encode() + b"\n" + name.encode() + b"\n")
    def stack_glob(self, mod, name): return self.str(mod).str(name).op(b"\x93")
    def str(self, s): s = s.encode(); return self.op(b"X", struct.pack("<I", len(s)) + s)
    def int(self, v): return self.op(b"J", struct.pack("<i", v))
    def tuple(self): return self.op(b"t")
    def reduce(self): return self.op(b"R")
    def stop(self): return bytes(self.op(b".").b)

    def int_tuple(self, vals):
        self.mark()
        for v in vals:
            self.int(v)
        return self.tuple()


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = (info["dtype"], info["shape"], body[a:b])
    return out


def write_bin(path, pickle_bytes, storages, prefix="archive"):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(prefix + "/data.pkl", pickle_bytes)
        z.writestr(prefix + "/byteorder", "little")
        for key, data in storages.items():
            z.writestr(prefix + "/data/" + key, data)
        z.writestr(prefix + "/version", "3\n")


def tensor(p, storage_key, numel, offset, size, stride, param=False):
    if param:
        p.glob("torch._utils", "_rebuild_parameter").mark()
    p.glob("torch._utils", "_rebuild_tensor_v2").mark()
    p.mark().str("storage").glob("torch", "FloatStorage").str(storage_key).str("cpu").int(numel).tuple().op(b"Q")
    p.int(offset).int_tuple(size).int_tuple(stride).op(b"\x89")
    p.glob("collections", "OrderedDict").op(b")").reduce()
    p.tuple().reduce()
    if param:
        p.op(b"\x88").glob("collections", "OrderedDict").op(b")").reduce().tuple().reduce()


def good_variants(model):
    """One shared storage; 2-D tensors stored transposed; a memo of the first global."""
    shared = bytearray()
    p = P(4)
    p.glob("collections", "OrderedDict").op(b")").reduce()
    p.mark()
    entries = []
    for i, (name, (dtype, shape, data)) in enumerate(sorted(model.items())):
        assert dtype == "F32"
        floats = struct.unpack("<%df" % (len(data) // 4), data)
        offset = len(shared) // 4
        if len(shape) == 2:  # store the transpose, describe it with swapped strides
            r, c = shape
            t = [floats[i * c + j] for j in range(c) for i in range(r)]
            shared += struct.pack("<%df" % len(t), *t)
            entries.append((name, offset, shape, [1, r], i % 2 == 0))
        else:
            shared += data
            strides = [1] * len(shape)
            for d in range(len(shape) - 2, -1, -1):
                strides[d] = strides[d + 1] * shape[d + 1]
            entries.append((name, offset, shape, strides, i % 2 == 0))
    numel = len(shared) // 4
    for name, offset, shape, strides, param in entries:
        p.str(name)
        tensor(p, "0", numel, offset, shape, strides, param)
    p.op(b"u")
    # state_dict()._metadata, set through BUILD
    p.op(b"}").str("_metadata").glob("collections", "OrderedDict").op(b")").reduce()
    p.op(b"s").op(b"b")
    return p.stop(), {"0": bytes(shared)}


def evil_files():
    """(name, pickle, storages, word the error must contain)"""
    out = []
    p = P().glob("os", "system").str("echo pwned").op(b"\x85").reduce()
    out.append(("evil_os_system", p.stop(), {}, "os.system"))
    p = P().glob("builtins", "eval").str("1+1").op(b"\x85").reduce()
    out.append(("evil_eval", p.stop(), {}, "builtins.eval"))
    p = P(4).stack_glob("subprocess", "Popen").str("id").op(b"\x85").reduce()
    out.append(("evil_stack_global", p.stop(), {}, "subprocess.Popen"))
    # REDUCE of an allowed name that is not a callable here (a storage class)
    p = P().glob("torch", "FloatStorage").op(b")").reduce()
    out.append(("evil_reduce_storage", p.stop(), {}, "REDUCE"))
    # INST / OBJ / NEWOBJ: not in the allow-list of opcodes
    p = P().op(b"(").op(b"i", b"os\nsystem\n")
    out.append(("evil_inst", p.stop(), {}, "INST"))
    p = P().glob("collections", "OrderedDict").op(b")").op(b"\x81")
    out.append(("evil_newobj", p.stop(), {}, "NEWOBJ"))
    # a storage key escaping the archive folder
    p = P().glob("collections", "OrderedDict").op(b")").reduce().str("w")
    tensor(p, "../x", 1, 0, [1], [1])
    p.op(b"s")
    out.append(("evil_key", p.stop(), {}, "storage key"))
    # a tensor reaching past its storage
    p = P().glob("collections", "OrderedDict").op(b")").reduce().str("w")
    tensor(p, "0", 4, 2, [4], [1])
    p.op(b"s")
    out.append(("evil_bounds", p.stop(), {"0": b"\0" * 16}, "past the end"))
    # truncated pickle
    good, st = good_variants({"w": ("F32", [2], b"\0" * 8)})
    out.append(("evil_truncated_pickle", good[: len(good) // 2], st, "truncated"))
    return out


def main():
    out_dir, model_path = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    model = read_safetensors(model_path)
    pkl, storages = good_variants(model)
    write_bin(os.path.join(out_dir, "good_variants.bin"), pkl, storages)
    words = {}
    for name, pkl, st, word in evil_files():
        write_bin(os.path.join(out_dir, name + ".bin"), pkl, st)
        words[name + ".bin"] = word
    # a zip cut in the middle, and a legacy (torch < 1.6) file
    with open(os.path.join(out_dir, "good_variants.bin"), "rb") as f:
        raw = f.read()
    with open(os.path.join(out_dir, "evil_truncated_zip.bin"), "wb") as f:
        f.write(raw[: len(raw) // 2])
    words["evil_truncated_zip.bin"] = "zip"
    with open(os.path.join(out_dir, "evil_legacy.bin"), "wb") as f:
        f.write(b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.")
    words["evil_legacy.bin"] = "legacy"
    with open(os.path.join(out_dir, "evil.txt"), "w") as f:
        for k, v in sorted(words.items()):
            f.write("%s\t%s\n" % (k, v))


if __name__ == "__main__":
    main()
