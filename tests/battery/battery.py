#!/usr/bin/env python3
"""The broken-input battery: many generated broken checkpoints, configs, tokenizers and inputs run
against every command of the binary (stdlib only).

    battery.py ATTNSCOPE DATA_DIR WORK_DIR [--quick] [--jobs N] [--timeout S] [--only SUBSTRING]

Each case is a folder (or file) made by mutating the fixtures in DATA_DIR/models: safetensors
truncated at many offsets, header bytes flipped, dtypes swapped, tensors deleted or reshaped,
config fields broken one by one (wrong type, negative, huge, null, missing), tokenizer.json
components broken, vocab.txt / vocab.json / merges.txt oddities, empty files, folders and FIFOs
where files are expected, symlink loops, unreadable files, and inputs (invalid UTF-8, NUL bytes,
--pair edge cases, huge sentences, broken corpora, broken --attentions/--tokens files).

Every command run on a case must:
  - end within the time limit (no hang) with an exit status in 0..123 (no crash, no signal);
  - print no sanitizer report (AddressSanitizer, LeakSanitizer, UBSan "runtime error");
  - when it fails: print exactly one error line (warnings aside) that starts with "attnscope"
    and names the broken file (its folder or its name), and leave its output folder empty
    (no partial, no temp file);
  - when the case must fail (the input is broken for that command), fail.
A mutation that leaves the input valid (a flipped byte inside a weight) may succeed.

--quick: a deterministic subset (every generator, fewer offsets, one or two commands a case)
for the test suite; the default runs everything against every command.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import re
import shutil
import socket
import stat
import struct
import subprocess
import sys
import time

SENT = "The bank raised its rates."
SENT2 = "They sat on the river bank."
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "merges.txt")
CMDS = ("inspect", "run", "tokenize", "view", "compare", "similarity", "focus", "align", "bench")
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|MemorySanitizer|ThreadSanitizer")
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# ---- safetensors helpers ------------------------------------------------------------------------
def read_st(raw):
    n = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def st_pack(header, tensors):
    """header: {name: {dtype, shape}} in order; tensors: {name: bytes}: a tiled file."""
    h, data = {}, b""
    for name, info in header.items():
        if name == "__metadata__":
            h[name] = info
            continue
        raw = tensors[name]
        h[name] = dict(info, data_offsets=[len(data), len(data) + len(raw)])
        data += raw
    js = json.dumps(h).encode()
    js += b" " * (-len(js) % 8)
    return struct.pack("<Q", len(js)) + js + data


def st_split(raw):
    """(ordered header without offsets, {name: bytes}) of a safetensors file."""
    h, data = read_st(raw)
    order = sorted((k for k in h if k != "__metadata__"), key=lambda k: h[k]["data_offsets"][0])
    header = {k: {"dtype": h[k]["dtype"], "shape": h[k]["shape"]} for k in order}
    if "__metadata__" in h:
        header["__metadata__"] = h["__metadata__"]
    return header, {k: data[h[k]["data_offsets"][0]:h[k]["data_offsets"][1]] for k in order}


def make_socket(path):
    """A Unix socket at path (bound from its folder: socket paths are limited to 108 bytes)."""
    cwd = os.getcwd()
    os.chdir(os.path.dirname(path))
    try:
        s = socket.socket(socket.AF_UNIX)
        s.bind(os.path.basename(path))
        s.close()
    finally:
        os.chdir(cwd)


# ---- the cases ------------------------------------------------------------------------------------
class Battery:
    def __init__(self, data, work, quick):
        self.data, self.work, self.quick = data, work, quick
        self.models = os.path.join(data, "models")
        self.cases = []  # dicts: name, path, cmds [(cmd, argv)], must_fail, names
        self.rng = random.Random(11)
        os.makedirs(os.path.join(work, "c"), exist_ok=True)
        self.common_inputs()

    def fixture(self, model, name):
        return os.path.join(self.models, model, name)

    def common_inputs(self):
        d = os.path.join(self.work, "inputs")
        os.makedirs(d, exist_ok=True)
        self.corpus = os.path.join(d, "corpus.txt")
        with open(self.corpus, "w") as f:
            f.write(SENT + "\n" + SENT2 + "\n")
        self.inputs = os.path.join(d, "in.jsonl")
        with open(self.inputs, "w") as f:
            f.write(json.dumps({"text": SENT}) + "\n")

    # A model folder: every file of the fixture linked, the ones given replaced (None: removed).
    # must_fail True: every command that reads the replaced files must fail (tokenize reads no
    # weights or config, inspect no tokenizer); False: a mutation that may leave the file valid.
    def model_case(self, name, base, replace, must_fail=True, cmds=None, names=None):
        if must_fail is True:
            must_fail = set()
            for f in replace:
                if f in TOKENIZER_FILES:
                    must_fail |= set(CMDS) - {"inspect"}
                elif f != "tokenizer_config.json":
                    must_fail |= set(CMDS) - {"tokenize"}
        d = os.path.join(self.work, "c", name)
        os.makedirs(d)
        src = os.path.join(self.models, base)
        for f in sorted(os.listdir(src)):
            if f in ("expected.safetensors", "inputs.jsonl") or f in replace:
                continue
            os.symlink(os.path.join(src, f), os.path.join(d, f))
        for f, content in replace.items():
            p = os.path.join(d, f)
            if content is None:
                continue
            if callable(content):
                content(p)
            else:
                with open(p, "wb") as fh:
                    fh.write(content)
        self.add(name, d, self.model_commands(d, cmds), must_fail, names or [name])

    def model_commands(self, d, which=None):
        corpus = self.corpus
        all_cmds = {
            "inspect": ["inspect", "--quiet", d],
            "run": ["run", "-q", d, "--text", SENT, "--dump", "OUT/r.safetensors"],
            "tokenize": ["tokenize", "-q", d, SENT],
            "view": ["view", "-q", d, SENT, "-o", "OUT/v.html"],
            "compare": ["compare", "--quiet", d, "--corpus", corpus, "--out", "OUT/cmp"],
            "similarity": ["similarity", "--quiet", d, "--word", "bank", SENT, SENT2],
            "focus": ["focus", "--quiet", d, "--word", "bank", SENT],
            "align": ["align", "--quiet", d, SENT],
            "bench": ["bench", "--quiet", d, "--corpus", corpus, "--runs", "1", "--warmup", "0", "--out", "OUT/b"],
        }
        return [(c, all_cmds[c]) for c in (which or CMDS)]

    def add(self, name, path, cmds, must_fail, names):
        if self.quick:  # one or two commands a case, chosen by its name (deterministic)
            h = int(hashlib.sha1(name.encode()).hexdigest(), 16)
            keep = {cmds[h % len(cmds)][0], cmds[(h // 7) % len(cmds)][0]}
            cmds = [c for c in cmds if c[0] in keep]
        self.cases.append({"name": name, "path": path, "cmds": cmds, "must_fail": must_fail, "names": names})

    # ---- generators --------------------------------------------------------------------------
    def safetensors_cases(self):
        for base in ("bert-tiny", "distilbert-tiny", "roberta-tiny-bf16", "bert-tiny-plain-f16"):
            raw = open(self.fixture(base, "model.safetensors"), "rb").read()
            hlen = struct.unpack("<Q", raw[:8])[0]
            cuts = sorted({0, 1, 4, 7, 8, 9, 16, hlen // 2, 8 + hlen - 1, 8 + hlen, 8 + hlen + 1, 8 + hlen + 4096,
                           len(raw) // 2, len(raw) - 4, len(raw) - 1})
            if self.quick:
                cuts = cuts[::3] if base == "bert-tiny" else cuts[4:5]
            for cut in cuts:
                self.model_case("%s-trunc-%d" % (base, cut), base, {"model.safetensors": raw[:cut]})
            flips = 4 if self.quick and base == "bert-tiny" else 0 if self.quick else 24
            for i in range(flips):  # header bytes replaced: may stay valid
                pos = 8 + self.rng.randrange(hlen)
                b = bytearray(raw)
                b[pos] = self.rng.choice(b'"{}[],:0123456789-e.\xff\x00 aZ\\')
                self.model_case("%s-flip-%d" % (base, pos), base, {"model.safetensors": bytes(b)}, must_fail=False)
            for value in (0, 2 ** 64 - 1, hlen + 1, hlen - 1, len(raw)):
                if self.quick and base != "bert-tiny":
                    break
                b = struct.pack("<Q", value) + raw[8:]
                self.model_case("%s-hlen-%d" % (base, value), base, {"model.safetensors": b})
            header, tensors = st_split(raw)
            names = [k for k in header if k != "__metadata__"]
            used = [k for k in names if not re.search(r"lm_head|^cls\.|vocab_|pooler", k)]  # what the encoder reads
            picks = used[:1] + used[len(used) // 2:len(used) // 2 + 1] + used[-1:]
            dtypes = ("F16", "BF16", "F64", "I32", "I64", "U8", "BOOL", "F8_E4M3", "Q4_0", "", None, 7)
            for k, dt in enumerate(dtypes if not self.quick else dtypes[3:5]):
                t = picks[k % len(picks)]
                if dt == header[t]["dtype"]:
                    continue  # the fixture's own dtype: not a change
                h = json.loads(json.dumps(header))
                if dt is None:
                    del h[t]["dtype"]
                else:
                    h[t]["dtype"] = dt
                # F16 read as BF16 (or back) is a well-formed file of other numbers: it may load
                same_size = {dt, header[t]["dtype"]} == {"F16", "BF16"}
                self.model_case("%s-dtype-%s-%d" % (base, dt, k), base, {"model.safetensors": st_pack(h, tensors)},
                                must_fail=not same_size)
            for k, t in enumerate(picks if not self.quick else picks[:1]):
                h = json.loads(json.dumps(header))
                del h[t]
                self.model_case("%s-delete-%d" % (base, k), base, {"model.safetensors": st_pack(h, tensors)})
                for j, shape in enumerate(([], [0], [-1], [2 ** 62, 4], h.get(picks[0], header[picks[0]])["shape"][::-1] + [1],
                                           "x", [1.5], [1] * 9, None)):
                    if self.quick and j % 4:
                        continue
                    h = json.loads(json.dumps(header))
                    if shape is None:
                        del h[t]["shape"]
                    else:
                        h[t]["shape"] = shape
                    self.model_case("%s-shape-%d-%d" % (base, k, j), base, {"model.safetensors": st_pack(h, tensors)})
            # the same bytes under a transposed shape: the config's shape check must refuse it
            t = next(n for n in used if len(header[n]["shape"]) == 2 and header[n]["shape"][0] != header[n]["shape"][1])
            h = json.loads(json.dumps(header))
            h[t]["shape"] = h[t]["shape"][::-1]
            self.model_case("%s-transposed" % base, base, {"model.safetensors": st_pack(h, tensors)})
            # offsets broken in place (not re-tiled)
            hh, data = read_st(raw)
            for j, edit in enumerate(("swap", "shift", "huge", "neg", "str", "short")):
                if self.quick and j % 3:
                    continue
                h2 = json.loads(json.dumps(hh))
                a = used[0]
                b2 = next(k for k in used if len(tensors[k]) != len(tensors[a]))  # a swap of equal sizes stays valid
                if edit == "swap":
                    h2[a]["data_offsets"], h2[b2]["data_offsets"] = h2[b2]["data_offsets"], h2[a]["data_offsets"]
                elif edit == "shift":
                    h2[a]["data_offsets"] = [x + 4 for x in h2[a]["data_offsets"]]
                elif edit == "huge":
                    h2[a]["data_offsets"] = [0, 2 ** 63]
                elif edit == "neg":
                    h2[a]["data_offsets"] = [-8, 0]
                elif edit == "str":
                    h2[a]["data_offsets"] = "0-4"
                else:
                    h2[a]["data_offsets"] = [0]
                js = json.dumps(h2).encode()
                js += b" " * (-len(js) % 8)
                self.model_case("%s-offsets-%s" % (base, edit), base,
                                {"model.safetensors": struct.pack("<Q", len(js)) + js + data})
            # a non-finite weight
            h = json.loads(json.dumps(header))
            t2 = dict(tensors)
            if header[used[0]]["dtype"] == "F32":
                t2[used[0]] = struct.pack("<f", float("inf")) + tensors[used[0]][4:]
                self.model_case("%s-inf-weight" % base, base, {"model.safetensors": st_pack(h, t2)})

    def config_cases(self):
        values = ("str", -1, 0, 2 ** 31, 2 ** 63, 1e300, None, [], {}, True, 1.5, "DELETE")
        for base in ("bert-tiny", "distilbert-tiny", "roberta-tiny-bf16"):
            cfg = json.load(open(self.fixture(base, "config.json")))
            keys = [k for k in cfg if k not in ("architectures", "transformers_version", "torch_dtype", "use_cache",
                                                 "gradient_checkpointing", "initializer_range")]
            keys += ["position_embedding_type", "layer_norm_eps", "hidden_act"] if base != "distilbert-tiny" else []
            for i, key in enumerate(dict.fromkeys(keys)):
                for j, v in enumerate(values):
                    if self.quick and (i + j) % 9:
                        continue
                    c = dict(cfg)
                    if v == "DELETE":
                        c.pop(key, None)
                    else:
                        c[key] = v
                    # dropout, eps, pad ids, ... may accept some values: the case may succeed
                    self.model_case("%s-cfg-%s-%d" % (base, key, j), base,
                                    {"config.json": json.dumps(c).encode()}, must_fail=False,
                                    names=["%s-cfg-%s-%d" % (base, key, j)])
            raw = open(self.fixture(base, "config.json"), "rb").read()
            for j, content in enumerate((b"", b"{", b"[]", b"null", b"\"bert\"", b"{}", raw[: len(raw) // 2],
                                         raw.replace(b"{", b"{\"x\": \"\xff\xfe\", ", 1), b"\x00" * 16,
                                         raw.replace(b"{", b"{" * 5000, 1), b"{\"model_type\": \"bert\"}")):
                if self.quick and j % 3:
                    continue
                self.model_case("%s-cfgfile-%d" % (base, j), base, {"config.json": content})

    def tokenizer_cases(self):
        tok_raw = open(self.fixture("bert-tiny", "tokenizer.json"), "rb").read()
        tok = json.loads(tok_raw)
        big_id = 10 ** 6

        def edit(fn):
            t = json.loads(tok_raw)
            fn(t)
            return json.dumps(t).encode()

        edits = {
            "model-null": lambda t: t.__setitem__("model", None),
            "model-missing": lambda t: t.pop("model"),
            "model-type-int": lambda t: t["model"].__setitem__("type", 3),
            "vocab-array": lambda t: t["model"].__setitem__("vocab", ["[UNK]", "a"]),
            "vocab-empty": lambda t: t["model"].__setitem__("vocab", {}),
            "vocab-id-string": lambda t: t["model"]["vocab"].__setitem__("the", "1996"),
            "vocab-id-huge": lambda t: t["model"]["vocab"].__setitem__("the", big_id),
            "vocab-id-dup": lambda t: t["model"]["vocab"].__setitem__("the", 100),
            "vocab-id-float": lambda t: t["model"]["vocab"].__setitem__("the", 1.5),
            "unk-missing": lambda t: t["model"].pop("unk_token"),
            "unk-int": lambda t: t["model"].__setitem__("unk_token", 5),
            "prefix-int": lambda t: t["model"].__setitem__("continuing_subword_prefix", 5),
            "prefix-empty": lambda t: t["model"].__setitem__("continuing_subword_prefix", ""),
            "max-chars-neg": lambda t: t["model"].__setitem__("max_input_chars_per_word", -1),
            "max-chars-str": lambda t: t["model"].__setitem__("max_input_chars_per_word", "x"),
            "normalizer-type-null": lambda t: t["normalizer"].__setitem__("type", None),
            "normalizer-list": lambda t: t.__setitem__("normalizer", [1]),
            "normalizer-seq-bad": lambda t: t.__setitem__("normalizer", {"type": "Sequence", "normalizers": 3}),
            "normalizer-replace-bad": lambda t: t.__setitem__("normalizer", {"type": "Replace", "pattern": {"Regex": "("}, "content": "x"}),
            "pretok-unknown": lambda t: t.__setitem__("pre_tokenizer", {"type": "Whatever"}),
            "pretok-split-bad": lambda t: t.__setitem__("pre_tokenizer", {"type": "Split", "pattern": {"Regex": "[a-"}, "behavior": "Isolated", "invert": False}),
            "pretok-seq-empty": lambda t: t.__setitem__("pre_tokenizer", {"type": "Sequence", "pretokenizers": [None]}),
            "post-cls-unknown": lambda t: t["post_processor"]["special_tokens"]["[CLS]"].__setitem__("ids", [big_id]),
            "post-single-bad": lambda t: t["post_processor"].__setitem__("single", [{"Sequence": {"id": "C", "type_id": 0}}]),
            "post-type-id-huge": lambda t: t["post_processor"]["pair"][3]["Sequence"].__setitem__("type_id", 99),
            "post-special-missing": lambda t: t["post_processor"].__setitem__("special_tokens", {}),
            "post-bert-bad": lambda t: t.__setitem__("post_processor", {"type": "BertProcessing", "sep": ["[SEP]"], "cls": 5}),
            "decoder-unknown": lambda t: t.__setitem__("decoder", {"type": "Nope"}),
            "decoder-prefix-int": lambda t: t["decoder"].__setitem__("prefix", 1),
            "added-content-int": lambda t: t["added_tokens"][0].__setitem__("content", 1),
            "added-id-huge": lambda t: t["added_tokens"][0].__setitem__("id", big_id),
            "added-id-neg": lambda t: t["added_tokens"][0].__setitem__("id", -1),
            "added-empty-content": lambda t: t["added_tokens"][0].__setitem__("content", ""),
            "added-not-list": lambda t: t.__setitem__("added_tokens", {"a": 1}),
            "truncation-weird": lambda t: t.__setitem__("truncation", {"max_length": -5, "strategy": "x"}),
            "padding-weird": lambda t: t.__setitem__("padding", {"length": "x"}),
            "top-array": None,
        }
        for i, (name, fn) in enumerate(edits.items()):
            if self.quick and i % 3:
                continue
            content = b"[1, 2]" if fn is None else edit(fn)
            self.model_case("tok-%s" % name, "bert-tiny", {"tokenizer.json": content}, must_fail=False)
        for j, cut in enumerate((0, 1, 100, len(tok_raw) // 2, len(tok_raw) - 2)):
            if self.quick and j % 2:
                continue
            self.model_case("tok-trunc-%d" % cut, "bert-tiny", {"tokenizer.json": tok_raw[:cut]}, must_fail=True)
        self.model_case("tok-nul", "bert-tiny", {"tokenizer.json": tok_raw.replace(b"\"[UNK]\"", b"\"[UNK\x00]\"", 1)})
        self.model_case("tok-bad-utf8", "bert-tiny", {"tokenizer.json": tok_raw.replace(b"\"the\"", b"\"th\xff\"", 1)})
        # BPE (RoBERTa): merges and byte-level pieces
        rt_raw = open(self.fixture("roberta-tiny", "tokenizer.json"), "rb").read()
        rt = json.loads(rt_raw)

        def redit(fn):
            t = json.loads(rt_raw)
            fn(t)
            return json.dumps(t).encode()

        bpe_edits = {
            "merges-int": lambda t: t["model"].__setitem__("merges", [1, 2]),
            "merges-one-field": lambda t: t["model"]["merges"].insert(0, "abc"),
            "merges-three": lambda t: t["model"]["merges"].insert(0, "a b c"),
            "merges-unknown": lambda t: t["model"]["merges"].insert(0, "zzq qqz"),
            "merges-pair-list": lambda t: t["model"].__setitem__("merges", [["a", "b", "c"]]),
            "merges-missing": lambda t: t["model"].pop("merges"),
            "bpe-unk-absent": lambda t: t["model"].__setitem__("unk_token", "<nope>"),
            "bpe-dropout": lambda t: t["model"].__setitem__("dropout", 2.0),
            "bpe-no-bytes": lambda t: [t["model"]["vocab"].pop(k) for k in list(t["model"]["vocab"])[5:300]],
            "roberta-sep-unknown": lambda t: t["post_processor"].__setitem__("sep", ["</nope>", big_id]),
        }
        for i, (name, fn) in enumerate(bpe_edits.items()):
            if self.quick and i % 3:
                continue
            self.model_case("bpe-%s" % name, "roberta-tiny", {"tokenizer.json": redit(fn)}, must_fail=False)

    def legacy_cases(self):
        vocab = open(self.fixture("bert-tiny-plain-f16", "vocab.txt"), "rb").read()
        lines = vocab.split(b"\n")
        variants = {
            "empty": b"",
            "only-unk": b"[UNK]\n",
            "no-newline": vocab.rstrip(b"\n"),
            "crlf": vocab.replace(b"\n", b"\r\n"),
            "dups": b"\n".join(lines[:200] * 3),
            "nul": vocab.replace(b"the\n", b"t\x00he\n", 1),
            "bad-utf8": vocab.replace(b"the\n", b"th\xff\n", 1),
            "blank-lines": vocab.replace(b"\n", b"\n\n"),
            "long-line": b"x" * 200000 + b"\n" + vocab,
            "truncated": vocab[:1000],
            "spaces": vocab.replace(b"the\n", b"the dog\n", 1),
        }
        for i, (name, content) in enumerate(variants.items()):
            if self.quick and i % 3:
                continue
            self.model_case("vocabtxt-%s" % name, "bert-tiny-plain-f16", {"vocab.txt": content}, must_fail=False)
        vj = open(self.fixture("roberta-tiny-bf16", "vocab.json"), "rb").read()
        mg = open(self.fixture("roberta-tiny-bf16", "merges.txt"), "rb").read()
        mlines = mg.split(b"\n")
        variants = {
            "vocab.json": {"empty": b"", "array": b"[1]", "ids-str": vj.replace(b": 1,", b": \"1\",", 1),
                           "neg": vj.replace(b": 1,", b": -1,", 1), "huge": vj.replace(b": 1,", b": 99999999,", 1),
                           "truncated": vj[: len(vj) // 2], "bad-utf8": vj.replace(b"\"the\"", b"\"th\xff\"", 1)},
            "merges.txt": {"empty": b"", "header-only": mlines[0] + b"\n", "no-header": b"\n".join(mlines[1:]),
                           "one-field": mlines[0] + b"\nabc\n" + b"\n".join(mlines[1:]),
                           "three": mlines[0] + b"\na b c\n" + b"\n".join(mlines[1:]),
                           "unknown": mlines[0] + b"\nzzq qqz\n" + b"\n".join(mlines[1:]),
                           "nul": mg.replace(b"\n", b"\x00\n", 3), "bad-utf8": mlines[0] + b"\n\xff \xfe\n",
                           "crlf": mg.replace(b"\n", b"\r\n"), "truncated": mg[: len(mg) // 2]},
        }
        for fname, vs in variants.items():
            for i, (name, content) in enumerate(vs.items()):
                if self.quick and i % 3:
                    continue
                self.model_case("%s-%s" % (fname.replace(".", ""), name), "roberta-tiny-bf16", {fname: content},
                                must_fail=False)

    def file_kind_cases(self):
        """Each file of a checkpoint empty, a folder, a FIFO, a socket, a symlink loop, dangling, unreadable."""
        def folder(p):
            os.mkdir(p)

        def fifo(p):
            os.mkfifo(p)

        def sock(p):
            make_socket(p)

        def loop(p):
            os.symlink(os.path.basename(p) + ".loop", p)
            os.symlink(os.path.basename(p), p + ".loop")

        def dangling(p):
            os.symlink("/nonexistent-attnscope/" + os.path.basename(p), p)

        kinds = {"empty": b"", "folder": folder, "fifo": fifo, "socket": sock, "loop": loop, "dangling": dangling}
        for base, files in (("bert-tiny", ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")),
                            ("bert-tiny-bin", ("pytorch_model.bin",)),
                            ("distilbert-tiny-sharded", ("model.safetensors.index.json", "model-00002-of-00002.safetensors")),
                            ("roberta-tiny-bf16", ("vocab.json", "merges.txt")),
                            ("bert-tiny-plain-f16", ("vocab.txt",))):
            for f in files:
                for i, (kind, how) in enumerate(kinds.items()):
                    if self.quick and (i + len(f)) % 3:
                        continue
                    must = f != "tokenizer_config.json" and not (f == "merges.txt" and kind == "empty")  # BPE without merges
                    if must and f not in TOKENIZER_FILES and f != "config.json":
                        # weights that are not a regular file are no weights: inspect shows the config alone
                        must = set(CMDS) - {"tokenize", "inspect"}
                    self.model_case("%s-%s-%s" % (base, f.replace(".", "_"), kind), base, {f: how}, must_fail=must)
                if not AS_ROOT and not self.quick:  # root reads mode 000 files: see the socket case instead
                    src = self.fixture(base, f)

                    def noread(p, src=src):
                        shutil.copy(src, p)
                        os.chmod(p, 0)
                    self.model_case("%s-%s-mode000" % (base, f.replace(".", "_")), base, {f: noread})
        # sharded index oddities
        idx = json.load(open(self.fixture("distilbert-tiny-sharded", "model.safetensors.index.json")))
        wm = idx["weight_map"]
        first = next(iter(wm))
        for j, (name, value) in enumerate((("int", 5), ("abs", "/etc/passwd"), ("dotdot", "../x.safetensors"),
                                          ("self", "model.safetensors.index.json"), ("empty", ""),
                                          ("dir", "."), ("nul", "a\u0000b"))):
            if self.quick and j % 3:
                continue
            w = dict(wm)
            w[first] = value
            self.model_case("shard-%s" % name, "distilbert-tiny-sharded",
                            {"model.safetensors.index.json": json.dumps(dict(idx, weight_map=w)).encode()})
        # pytorch_model.bin cut and flipped
        raw = open(self.fixture("bert-tiny-bin", "pytorch_model.bin"), "rb").read()
        cuts = (0, 4, 30, 200, len(raw) // 2, len(raw) - 22, len(raw) - 1)
        for j, cut in enumerate(cuts):
            if self.quick and j % 3:
                continue
            self.model_case("bin-trunc-%d" % cut, "bert-tiny-bin", {"pytorch_model.bin": raw[:cut]})
        for i in range(2 if self.quick else 10):
            b = bytearray(raw)
            # the zip's central directory and the pickle sit at the ends
            pos = self.rng.choice((self.rng.randrange(0, 2000), len(raw) - 1 - self.rng.randrange(0, 3000)))
            b[pos] ^= 1 << self.rng.randrange(8)
            self.model_case("bin-flip-%d" % pos, "bert-tiny-bin", {"pytorch_model.bin": bytes(b)}, must_fail=False)

    def input_cases(self):
        """Good model, bad inputs: text arguments, --pair, input files, corpora, dumps."""
        m = os.path.join(self.models, "bert-tiny")
        d = os.path.join(self.work, "c", "inputs")
        os.makedirs(d, exist_ok=True)
        bad = "ab\udcffcd"  # invalid UTF-8 byte 0xff through surrogateescape
        huge = " ".join(["bank"] * 30000)  # 150 kB: over the 128 kB argument limit? no: 150000 > 131072
        huge = huge[:120000]

        def case(name, argv, must_fail, names, files=None):
            for fname, content in (files or {}).items():
                with open(os.path.join(d, fname), "wb") as f:
                    f.write(content)
            self.add("in-" + name, d, [(argv[0], argv)], must_fail, names)

        # invalid UTF-8 in every command's sentence
        case("utf8-run", ["run", "-q", m, "--text", bad, "--dump", "OUT/r.safetensors"], True, ["--text"])
        case("utf8-run-pair", ["run", "-q", m, "--text", SENT, "--text-pair", bad, "--dump", "OUT/r.safetensors"], True, ["pair"])
        case("utf8-tokenize", ["tokenize", "-q", m, bad], True, ["TEXT"])
        case("utf8-tokenize-pair", ["tokenize", "-q", m, SENT, "--pair", bad], True, ["pair"])
        case("utf8-view", ["view", "-q", m, bad, "-o", "OUT/v.html"], True, ["SENTENCE", "sentence"])
        case("utf8-view-title", ["view", "-q", m, SENT, "--title", bad, "-o", "OUT/v.html"], True, ["title"])
        case("utf8-view-pair", ["view", "-q", m, SENT, "--pair", bad, "-o", "OUT/v.html"], True, ["pair"])
        case("utf8-similarity", ["similarity", "--quiet", m, "--word", "bank", bad, SENT2], True, ["SENTENCE", "sentence"])
        case("utf8-similarity-word", ["similarity", "--quiet", m, "--word", "b\udcffnk", SENT, SENT2], True, ["WORD", "word"])
        case("utf8-focus", ["focus", "--quiet", m, "--word", "bank", bad], True, ["SENTENCE", "sentence"])
        case("utf8-align", ["align", "--quiet", m, bad], True, ["SENTENCE", "sentence"])
        # empty and blank texts, --pair edge cases
        for cmd, argv in (("run", ["run", "-q", m, "--text", "", "--dump", "OUT/r.safetensors"]),
                          ("tokenize", ["tokenize", "-q", m, ""]), ("view", ["view", "-q", m, "", "-o", "OUT/v.html"]),
                          ("focus", ["focus", "--quiet", m, "--word", "bank", ""]), ("align", ["align", "--quiet", m, ""]),
                          ("similarity", ["similarity", "--quiet", m, "--word", "bank", "", ""])):
            case("empty-" + cmd, argv, False, ["attnscope"])
        case("pair-empty-run", ["run", "-q", m, "--text", SENT, "--text-pair", "", "--dump", "OUT/r.safetensors"], False, ["pair"])
        case("pair-empty-tokenize", ["tokenize", "-q", m, SENT, "--pair", ""], False, ["pair"])
        case("pair-empty-view", ["view", "-q", m, SENT, "--pair", "", "-o", "OUT/v.html"], False, ["pair"])
        case("pair-without-text", ["run", "-q", m, "--text-pair", SENT, "--dump", "OUT/r.safetensors"], True, ["--text"])
        case("pair-with-ids", ["run", "-q", m, "--ids", "101,102", "--text-pair", SENT, "--dump", "OUT/r.safetensors"], True, ["pair"])
        case("pair-huge-run", ["run", "-q", m, "--text", SENT, "--text-pair", huge, "--dump", "OUT/r.safetensors"], False, ["pair"])
        case("pair-huge-view", ["view", "-q", m, huge, "--pair", huge, "-o", "OUT/v.html"], False, ["positions"])
        case("pair-huge-tokenize", ["tokenize", "-q", m, huge, "--pair", huge], False, ["pair"])
        # options without their value, unknown options: one usage line naming the option
        case("pair-no-value-tokenize", ["tokenize", "-q", m, SENT, "--pair"], True, ["--pair"])
        case("pair-no-value-view", ["view", "-q", m, SENT, "-o", "OUT/v.html", "--pair"], True, ["--pair"])
        case("pair-no-value-run", ["run", "-q", m, "--text", SENT, "--text-pair"], True, ["--text-pair"])
        for cmd in CMDS:
            case("unknown-option-" + cmd, [cmd, "--no-such-option", m, SENT], True, ["--no-such-option"])
        # huge sentences (truncated with a warning)
        for cmd, argv in (("run", ["run", "-q", m, "--text", huge, "--dump", "OUT/r.safetensors"]),
                          ("view", ["view", "-q", m, huge, "-o", "OUT/v.html"]),
                          ("focus", ["focus", "--quiet", m, "--word", "bank", huge]),
                          ("similarity", ["similarity", "--quiet", m, "--word", "bank", huge, huge]),
                          ("align", ["align", "--quiet", m, huge])):
            case("huge-" + cmd, argv, False, ["attnscope"])
        # words, occurrences, layers and heads out of range
        for name, argv in (("word-absent", ["focus", "--quiet", m, "--word", "zebra", SENT]),
                           ("word-empty", ["focus", "--quiet", m, "--word", "", SENT]),
                           ("occurrence-0", ["focus", "--quiet", m, "--word", "bank", SENT, "--occurrence", "0"]),
                           ("occurrence-big", ["focus", "--quiet", m, "--word", "bank", SENT, "--occurrence", "99"]),
                           ("layer-big", ["focus", "--quiet", m, "--word", "bank", SENT, "--layer", "99"]),
                           ("layer-neg", ["focus", "--quiet", m, "--word", "bank", SENT, "--layer", "-1"]),
                           ("head-big", ["focus", "--quiet", m, "--word", "bank", SENT, "--head", "99"]),
                           ("sim-word-absent", ["similarity", "--quiet", m, "--word", "zebra", SENT, SENT2]),
                           ("sim-occurrence", ["similarity", "--quiet", m, "--word", "bank", SENT, SENT2, "--occurrence", "3,1"]),
                           ("align-layer", ["align", "--quiet", m, SENT, "--layer", "99"]),
                           ("align-layer-str", ["align", "--quiet", m, SENT, "--layer", "x"])):
            case(name, argv, True, ["attnscope"])
        # input files: NUL bytes, invalid UTF-8, non-JSON lines, empty
        inputs = {"nul.jsonl": b'{"text": "a\x00b"}\n', "nul-escape.jsonl": b'{"text": "a\\u0000b"}\n',
                  "badutf8.jsonl": b'{"text": "a\xffb"}\n', "notjson.jsonl": b'{"text": "a"}\nnope\n',
                  "empty.jsonl": b"", "array.jsonl": b"[1, 2]\n", "textint.jsonl": b'{"text": 5}\n',
                  "deep.jsonl": b"[" * 100000 + b"\n", "pairint.jsonl": b'{"text": "a", "text_pair": 3}\n'}
        for fname, content in inputs.items():
            broken = fname != "nul-escape.jsonl"  # "\u0000" is a character of the text, as in HF
            case("run-" + fname, ["run", "-q", m, "--input", os.path.join(d, fname), "--dump", "OUT/r.safetensors"],
                 broken, [fname], {fname: content})
            case("tok-" + fname, ["tokenize", "-q", m, "--input", os.path.join(d, fname), "--output", "OUT/t.jsonl"],
                 broken, [fname])
        # corpora: compare and bench
        corpora = {"nocol.csv": b"sentence,label\nhello world,a\n", "ragged.csv": b"text,label\na b,x\nc d,y,z\n",
                   "notjson.jsonl": b'{"text": "a b", "label": "x"}\nnot json\n', "empty.txt": b"",
                   "blank.txt": b"\n  \n\n", "header.csv": b"text,label\n", "badutf8.txt": b"the bank \xff\n",
                   "nul.txt": b"the \x00 bank\n", "quote.csv": b'text,label\n"open,a\n',
                   "nolabel.jsonl": b'{"text": "a b"}\n', "textint.jsonl": b'{"text": 1, "label": "x"}\n',
                   "badutf8.tsv": b"text\tlabel\nth\xff\tx\n", "ragged.tsv": b"label\ttext\nx\n"}
        # bench reads a corpus with compare's reader: the same files are broken for both
        for fname, content in corpora.items():
            p = os.path.join(d, "corpus-" + fname)
            case("compare-" + fname, ["compare", "--quiet", m, "--corpus", p, "--out", "OUT/cmp"], fname != "nolabel.jsonl",
                 [fname], {"corpus-" + fname: content})
            case("bench-" + fname, ["bench", "--quiet", m, "--corpus", p, "--runs", "1", "--warmup", "0", "--out", "OUT/b"],
                 fname != "nolabel.jsonl", [fname])
        os.makedirs(os.path.join(d, "corpus-dir.txt"), exist_ok=True)
        for cmd in ("compare", "bench"):
            extra = ["--out", "OUT/cmp"] if cmd == "compare" else ["--runs", "1", "--warmup", "0", "--out", "OUT/b"]
            case(cmd + "-corpus-dir", [cmd, "--quiet", m, "--corpus", os.path.join(d, "corpus-dir.txt")] + extra, True, ["corpus-dir.txt"])
            case(cmd + "-corpus-missing", [cmd, "--quiet", m, "--corpus", os.path.join(d, "nope.txt")] + extra, True, ["nope.txt"])
            sp = os.path.join(d, "corpus-socket-%s.txt" % cmd)
            if not os.path.exists(sp):
                make_socket(sp)
            case(cmd + "-corpus-socket", [cmd, "--quiet", m, "--corpus", sp] + extra, True, [os.path.basename(sp)])
            fp = os.path.join(d, "corpus-fifo-%s.txt" % cmd)
            if not os.path.exists(fp):
                os.mkfifo(fp)
            case(cmd + "-corpus-fifo", [cmd, "--quiet", m, "--corpus", fp] + extra, True, [os.path.basename(fp)])
        self.dump_cases(d)

    def dump_cases(self, d):
        """view --attentions/--tokens: a real dump and tokens file, broken."""
        m = os.path.join(self.models, "bert-tiny")
        st = os.path.join(self.work, "inputs", "dump.safetensors")
        tk = os.path.join(self.work, "inputs", "dump.jsonl")
        subprocess.run([self.bin, "run", "-q", m, "--input", self.inputs, "--dump", st], check=True)
        subprocess.run([self.bin, "tokenize", "-q", m, "--input", self.inputs, "--output", tk], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        raw, toks = open(st, "rb").read(), open(tk, "rb").read()
        hlen = struct.unpack("<Q", raw[:8])[0]
        sts = {"trunc-%d" % c: raw[:c] for c in (0, 8, 8 + hlen // 2, 8 + hlen, len(raw) // 2, len(raw) - 1)}
        header, tensors = st_split(raw)
        att = next(k for k in header if k.startswith("attentions."))
        for j, change in enumerate(({"shape": [2, 4, 3, 3]}, {"dtype": "I32"}, {"dtype": "F16"}, "delete", "nan", "big")):
            h = json.loads(json.dumps(header))
            t = dict(tensors)
            if change == "delete":
                del h[att]
            elif change == "nan":
                t[att] = struct.pack("<f", float("nan")) + t[att][4:]
            elif change == "big":
                t[att] = struct.pack("<f", 7.0) + t[att][4:]
            else:
                h[att].update(change)
            sts["tensor-%d" % j] = st_pack(h, t)
        line = json.loads(toks.splitlines()[0])
        tks = {"empty": b"", "notjson": b"{nope", "array-int": b"[1, 2]", "tokens-int": b'{"tokens": [1, 2]}',
               "tokens-empty": b'{"tokens": []}', "fewer": json.dumps(dict(line, tokens=line["tokens"][:-1])).encode(),
               "segments-bad": json.dumps(dict(line, segments="x")).encode(),
               "word-ids-short": json.dumps(dict(line, word_ids=[0])).encode(),
               "word-ids-huge": json.dumps(dict(line, word_ids=[2 ** 40] * len(line["tokens"]))).encode(),
               "text-int": json.dumps(dict(line, text=5)).encode(), "badutf8": toks.replace(b"bank", b"b\xffnk", 1),
               "sentences-obj": b'{"sentences": {"a": 1}}', "nul": toks.replace(b"bank", b"b\\u0000nk", 1),
               "deep": b"[" * 50000}
        for name, content in sts.items():
            p = os.path.join(d, "dump-%s.safetensors" % name)
            open(p, "wb").write(content)
            self.add("in-view-st-" + name, d, [("view", ["view", "-q", "--attentions", p, "--tokens", tk, "-o", "OUT/v.html"])],
                     True, [os.path.basename(p)])
        for name, content in tks.items():
            p = os.path.join(d, "tokens-%s.json" % name)
            open(p, "wb").write(content)
            self.add("in-view-tok-" + name, d, [("view", ["view", "-q", "--attentions", st, "--tokens", p, "-o", "OUT/v.html"])],
                     name not in ("text-int",), [os.path.basename(p), "dump.safetensors"])
        self.add("in-view-tok-dir", d, [("view", ["view", "-q", "--attentions", st, "--tokens", d, "-o", "OUT/v.html"])],
                 True, [os.path.basename(d)])


# ---- running --------------------------------------------------------------------------------------
def files_under(d):
    out = []
    for root, dirs, files in os.walk(d):
        out += [os.path.relpath(os.path.join(root, f), d) for f in files + dirs]
    return out


def run_one(binary, case, cmd, argv, timeout, work, env):
    run_dir = os.path.join(work, "runs", "%s.%s" % (case["name"], cmd))
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    out = os.path.join(run_dir, "out")
    os.makedirs(out)
    args = [binary] + [a.replace("OUT/", out + "/") if a.startswith("OUT/") else a for a in argv]
    args = [os.fsencode(a) for a in args]
    t0 = time.time()
    try:
        p = subprocess.run(args, cwd=run_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout,
                           env=env, stdin=subprocess.DEVNULL)
        rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        rc, err = "timeout", (e.stderr or b"").decode("utf-8", "replace")
    secs = time.time() - t0
    problems = []
    lines = [l for l in err.splitlines() if l.strip() and not l.startswith("attnscope: warning: ")]
    if rc == "timeout":
        problems.append("hang: killed after %d s" % timeout)
    elif rc < 0 or rc > 123:
        problems.append("exit status %d (%s)" % (rc, "signal %d" % -rc if rc < 0 else "crash or timeout code"))
    if SANITIZER.search(err):
        problems.append("sanitizer report")
    if rc != 0 and rc != "timeout":
        if len(lines) != 1:
            problems.append("%d error lines, expected one" % len(lines))
        elif not lines[0].startswith("attnscope"):
            problems.append("the error line is not attnscope's")
        elif not any(n in lines[0] for n in case["names"]):
            problems.append("the error does not name %s" % " or ".join(case["names"]))
        left = files_under(out)
        if left:
            problems.append("left in the output folder: %s" % ", ".join(sorted(left)[:5]))
        left = [f for f in os.listdir(run_dir) if f != "out"]
        if left:
            problems.append("left in the working folder: %s" % ", ".join(sorted(left)[:5]))
    elif rc == 0:
        tmp = [f for f in files_under(out) if ".tmp-" in f]
        if tmp:
            problems.append("temp files left: %s" % ", ".join(tmp[:5]))
        if case["must_fail"] is True or (case["must_fail"] and cmd in case["must_fail"]):
            problems.append("succeeded on a broken input")
    core = [f for f in os.listdir(run_dir) if f.startswith("core")]
    if core:
        problems.append("core file")
    shutil.rmtree(run_dir, ignore_errors=True)
    return {"case": case["name"], "cmd": cmd, "rc": rc, "secs": secs, "problems": problems,
            "stderr": err.strip().splitlines()[:3]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("data")
    ap.add_argument("work")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--only", default="")
    ap.add_argument("--log", default="")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    b = Battery(os.path.abspath(a.data), os.path.abspath(a.work), a.quick)
    b.bin = binary
    for gen in (b.safetensors_cases, b.config_cases, b.tokenizer_cases, b.legacy_cases, b.file_kind_cases, b.input_cases):
        gen()
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=os.path.join(a.work, "hf"), OMP_WAIT_POLICY="PASSIVE",
               OMP_NUM_THREADS="1", LC_ALL="C.UTF-8")
    supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "figures", "lsan.supp")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    env.setdefault("LSAN_OPTIONS", "suppressions=" + os.path.abspath(supp))
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    jobs = [(c, cmd, argv) for c in b.cases if a.only in c["name"] for cmd, argv in c["cmds"]]
    t0 = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = [ex.submit(run_one, binary, c, cmd, argv, a.timeout, a.work, env) for c, cmd, argv in jobs]
        for f in concurrent.futures.as_completed(futs):
            r = f.result()
            results.append(r)
            if r["problems"]:
                print("FAIL %s [%s] exit %s: %s" % (r["case"], r["cmd"], r["rc"], "; ".join(r["problems"])))
                for l in r["stderr"]:
                    print("    stderr: " + l)
                sys.stdout.flush()
    results.sort(key=lambda r: (r["case"], r["cmd"]))
    if a.log:
        with open(a.log, "w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")
    bad = [r for r in results if r["problems"]]
    ok0 = sum(1 for r in results if r["rc"] == 0)
    print("battery: %d cases, %d runs (%d succeeded, %d failed cleanly), %d problems, %.0f s" %
          (len({r["case"] for r in results}), len(results), ok0, len(results) - ok0 - len(bad), len(bad),
           time.time() - t0))
    slow = sorted(results, key=lambda r: -r["secs"])[:3]
    print("slowest: " + ", ".join("%s [%s] %.1f s" % (r["case"], r["cmd"], r["secs"]) for r in slow))
    if not a.only:
        shutil.rmtree(a.work, ignore_errors=True)
    return 1 if bad or not results else 0


if __name__ == "__main__":
    sys.exit(main())
