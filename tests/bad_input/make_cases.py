#!/usr/bin/env python3
"""Builds the broken checkpoints, configs, tokenizers and inputs of the bad-input table from the
test fixtures (stdlib only). Usage: make_cases.py DATA_DIR WORK_DIR

WORK/m/<case>/  model folders (config.json, model.safetensors or pytorch_model.bin, tokenizer)
WORK/t/<case>/  tokenizer folders or files
WORK/in/        inputs;  WORK/out/ outputs (the runner checks nothing partial appears there)
"""
import io
import json
import os
import shutil
import struct
import sys
import zipfile

data, work = sys.argv[1], sys.argv[2]
bert = os.path.join(data, "models", "bert-tiny")
roberta_legacy = os.path.join(data, "models", "roberta-tiny-bf16")
bert_legacy = os.path.join(data, "models", "bert-tiny-plain-f16")
for sub in ("m", "t", "in", "out"):
    os.makedirs(os.path.join(work, sub), exist_ok=True)


def read_st(path):
    """(header dict, data bytes) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def st_bytes(header, payload=b"", hlen=None):
    js = header if isinstance(header, bytes) else json.dumps(header).encode()
    js += b" " * (-len(js) % 8)
    return struct.pack("<Q", len(js) if hlen is None else hlen) + js + payload


def model(name, st=None, config=None, files=None, tokenizer=True):
    """A model folder: bert-tiny's config (or the one given) and the weights given."""
    d = os.path.join(work, "m", name)
    os.makedirs(d, exist_ok=True)
    if isinstance(config, (dict, list)):
        config = json.dumps(config).encode()
    with open(os.path.join(d, "config.json"), "wb") as f:
        f.write(config if config is not None else open(os.path.join(bert, "config.json"), "rb").read())
    if st is not None:
        with open(os.path.join(d, "model.safetensors"), "wb") as f:
            f.write(st)
    for fname, content in (files or {}).items():
        with open(os.path.join(d, fname), "wb") as f:
            f.write(content)
    if tokenizer:
        for fname in ("tokenizer.json", "tokenizer_config.json"):
            dst = os.path.join(d, fname)
            if not os.path.exists(dst):
                os.symlink(os.path.abspath(os.path.join(bert, fname)), dst)


# ---- safetensors: the container -----------------------------------------------------------------
f32 = lambda shape, a, b: {"dtype": "F32", "shape": shape, "data_offsets": [a, b]}
real = open(os.path.join(bert, "model.safetensors"), "rb").read()
model("st_empty", b"")
model("st_short", b"\x10\x00\x00")
model("st_truncated", real[: len(real) // 2])
model("st_header_past_end", st_bytes({"x": f32([1], 0, 4)}, b"\0" * 4, hlen=10 ** 6))
model("st_header_2p63", st_bytes({"x": f32([1], 0, 4)}, b"\0" * 4, hlen=2 ** 63))
model("st_header_not_json", st_bytes(b"this is not JSON", b""))
model("st_header_array", st_bytes(b"[1, 2, 3]", b""))
model("st_header_bad_utf8", st_bytes(b'{"x\xff\xfe": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', b"\0" * 4))
model("st_duplicate_key", st_bytes(b'{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
                                   b'"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', b"\0" * 4))
model("st_offsets_past_end", st_bytes({"x": f32([4], 0, 16)}, b"\0" * 8))
model("st_offsets_reversed", st_bytes({"x": f32([1], 8, 4)}, b"\0" * 8))
model("st_offsets_negative", st_bytes({"x": f32([1], -4, 0)}, b"\0" * 8))
model("st_offsets_not_ints", st_bytes({"x": {"dtype": "F32", "shape": [1], "data_offsets": ["0", "4"]}}, b"\0" * 4))
model("st_overlap", st_bytes({"a": f32([2], 0, 8), "b": f32([2], 4, 12)}, b"\0" * 12))
model("st_alias", st_bytes({"a": f32([2], 0, 8), "b": f32([2], 0, 8)}, b"\0" * 8))
model("st_gap", st_bytes({"a": f32([1], 0, 4), "b": f32([1], 8, 12)}, b"\0" * 12))
model("st_trailing_bytes", st_bytes({"a": f32([1], 0, 4)}, b"\0" * 12))
model("st_dtype_unknown", st_bytes({"x": {"dtype": "Q4_K", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4))
model("st_dtype_missing", st_bytes({"x": {"shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4))
model("st_shape_bytes", st_bytes({"x": f32([3], 0, 8)}, b"\0" * 8))
model("st_shape_negative", st_bytes({"x": f32([-2, -2], 0, 16)}, b"\0" * 16))
model("st_shape_absurd", st_bytes({"x": f32([2 ** 40, 2 ** 40], 0, 4)}, b"\0" * 4))
model("st_shape_float", st_bytes({"x": f32([1.5], 0, 4)}, b"\0" * 4))
model("st_too_many_dims", st_bytes({"x": f32([1] * 9, 0, 4)}, b"\0" * 4))
model("st_metadata_not_strings", st_bytes({"__metadata__": {"format": 1}, "x": f32([1], 0, 4)}, b"\0" * 4))

# ---- safetensors: the tensors a BERT config needs -------------------------------------------------
hdr, payload = read_st(os.path.join(bert, "model.safetensors"))
meta = hdr.pop("__metadata__", None)
word = next(k for k in hdr if k.endswith("embeddings.word_embeddings.weight"))
query0 = next(k for k in hdr if k.endswith("layer.0.attention.self.query.weight"))


def variant(name, edit, data=payload):
    h = json.loads(json.dumps(hdr))
    edit(h)
    if meta is not None:
        h["__metadata__"] = meta
    model(name, st_bytes(h, data))


variant("st_missing_tensor", lambda h: h.__setitem__("unused." + word, h.pop(word)))
variant("st_misshaped_tensor", lambda h: h[query0].__setitem__("shape", h[query0]["shape"][::-1] + [1]))


def as_int(h):
    h[query0]["dtype"] = "I32"


variant("st_int_weight", as_int)
nan = bytearray(payload)
a = hdr[query0]["data_offsets"][0]
nan[a:a + 4] = struct.pack("<f", float("nan"))
variant("st_nan_weight", lambda h: None, bytes(nan))
model("no_weights")

# ---- pytorch_model.bin -----------------------------------------------------------------------------
def torch_zip(pickle_bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pickle_bytes)
        z.writestr("archive/version", "3\n")
    return buf.getvalue()


# GLOBAL 'posix system' + a string + REDUCE: what a malicious pickle does to run a command
evil = b"\x80\x02cposix\nsystem\nq\x00X\x0b\x00\x00\x00touch /tmp/xq\x01\x85q\x02Rq\x03."
model("bin_evil_pickle", files={"pytorch_model.bin": torch_zip(evil)})
model("bin_not_zip", files={"pytorch_model.bin": b"PK\x03\x04 this is not a zip archive at all"})
bin_real = open(os.path.join(data, "models", "bert-tiny-bin", "pytorch_model.bin"), "rb").read()
model("bin_truncated", files={"pytorch_model.bin": bin_real[: len(bin_real) // 3]})

# ---- config.json -------------------------------------------------------------------------------------
cfg = json.load(open(os.path.join(bert, "config.json")))


def config(name, **changes):
    c = dict(cfg)
    for k, v in changes.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    model(name, real, c)


config("cfg_zero_heads", num_attention_heads=0)
config("cfg_heads_not_dividing", num_attention_heads=5)
config("cfg_absurd_sizes", hidden_size=65536, num_hidden_layers=1024, intermediate_size=262144, num_attention_heads=64)
config("cfg_absurd_vocab", vocab_size=2 ** 31 - 1)
config("cfg_negative_size", hidden_size=-32)
config("cfg_string_size", hidden_size="32")
config("cfg_unknown_model_type", model_type="gpt2")
config("cfg_no_model_type", model_type=None)
config("cfg_bad_activation", hidden_act="swishy")
config("cfg_relative_positions", position_embedding_type="relative_key")
model("cfg_not_json", real, b"{\"model_type\": \"bert\", \"hidden_size\": 32,")
model("cfg_array", real, b"[\"bert\"]")
model("cfg_missing", real)
os.unlink(os.path.join(work, "m", "cfg_missing", "config.json"))

# ---- tokenizers --------------------------------------------------------------------------------------
tok = json.load(open(os.path.join(bert, "tokenizer.json")))


def tokenizer(name, edit=None, raw=None):
    d = os.path.join(work, "t", name)
    os.makedirs(d, exist_ok=True)
    t = json.loads(json.dumps(tok))
    if edit:
        edit(t)
    with open(os.path.join(d, "tokenizer.json"), "wb") as f:
        f.write(raw if raw is not None else json.dumps(t).encode())


tokenizer("tok_not_json", raw=b"{\"version\": \"1.0\", \"model\": ")
tokenizer("tok_unknown_normalizer", lambda t: t.__setitem__("normalizer", {"type": "Precompiled", "precompiled_charsmap": "AA=="}))
tokenizer("tok_unknown_model", lambda t: t.__setitem__("model", {"type": "Unigram", "vocab": [["a", 0.0]]}))
tokenizer("tok_unknown_pretokenizer", lambda t: t.__setitem__("pre_tokenizer", {"type": "Metaspace", "replacement": "_"}))
tokenizer("tok_no_unk_in_vocab", lambda t: t["model"]["vocab"].pop("[UNK]"))
tokenizer("tok_vocab_not_object", lambda t: t["model"].__setitem__("vocab", [1, 2, 3]))
tokenizer("tok_unknown_post_processor", lambda t: t.__setitem__("post_processor", {"type": "ByteLevelPlus"}))
tokenizer("tok_unknown_decoder", lambda t: t.__setitem__("decoder", {"type": "CTC"}))
tokenizer("tok_negative_id", lambda t: t["model"]["vocab"].__setitem__("hello", -5))
bpe = json.load(open(os.path.join(data, "tokenizers", "roberta-style", "tokenizer.json")))
bpe["model"]["merges"] = bpe["model"]["merges"][:50] + ["zzqx\u0120 qqzy"]
d = os.path.join(work, "t", "tok_merge_unknown")
os.makedirs(d, exist_ok=True)
json.dump(bpe, open(os.path.join(d, "tokenizer.json"), "w"))

# legacy files: vocab.txt without [UNK]; merges.txt naming unknown tokens; vocab.json not JSON
d = os.path.join(work, "t", "legacy_vocab_no_unk")
os.makedirs(d, exist_ok=True)
shutil.copy(os.path.join(bert_legacy, "config.json"), d)
shutil.copy(os.path.join(bert_legacy, "tokenizer_config.json"), d)
with open(os.path.join(bert_legacy, "vocab.txt")) as f, open(os.path.join(d, "vocab.txt"), "w") as g:
    g.write("".join(line for line in f if line.strip() != "[UNK]"))
for name, vocab, merges in (("legacy_merges_unknown", None, "#version: 0.2\nzzqx qqzy\n"),
                            ("legacy_merges_not_pairs", None, "#version: 0.2\na b c\n"),
                            ("legacy_vocab_json_broken", "{\"a\": 0, ", None)):
    d = os.path.join(work, "t", name)
    os.makedirs(d, exist_ok=True)
    for fname in ("config.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(roberta_legacy, fname), d)
    if vocab is None:
        shutil.copy(os.path.join(roberta_legacy, "vocab.json"), d)
    else:
        open(os.path.join(d, "vocab.json"), "w").write(vocab)
    if merges is None:
        shutil.copy(os.path.join(roberta_legacy, "merges.txt"), d)
    else:
        open(os.path.join(d, "merges.txt"), "w").write(merges)

# ---- inputs --------------------------------------------------------------------------------------
inp = os.path.join(work, "in")
open(os.path.join(inp, "empty.jsonl"), "w").close()
open(os.path.join(inp, "empty_text.jsonl"), "w").write('{"text": "hi"}\n')
open(os.path.join(inp, "blank.jsonl"), "w").write("\n  \n\n")
open(os.path.join(inp, "not_json.jsonl"), "w").write('{"text": "fine"}\n{"text": "broken\n')
open(os.path.join(inp, "no_text.jsonl"), "w").write('{"txt": "a typo in the key"}\n')
open(os.path.join(inp, "ids_not_ints.jsonl"), "w").write('{"ids": [101, "x", 102]}\n')
open(os.path.join(inp, "ids_out_of_vocab.jsonl"), "w").write('{"ids": [101, 99999999, 102]}\n')
open(os.path.join(inp, "too_many_ids.jsonl"), "w").write(json.dumps({"ids": [101] + [1000] * 600 + [102]}) + "\n")
open(os.path.join(inp, "long.jsonl"), "w").write(json.dumps({"text": "attention " * 700}) + "\n")
open(os.path.join(inp, "a_file"), "w").write("a regular file, not a folder\n")
# a sentence past bert-tiny's 512 positions with "bank" after the cut, for view/focus/similarity/align
open(os.path.join(inp, "long.txt"), "w").write("attention " * 700 + "bank")
open(os.path.join(inp, "short.txt"), "w").write("The attention of the bank.\nA second attention sentence.\n")
with open(os.path.join(work, "out", "old.safetensors"), "wb") as f:
    f.write(b"OLD OUTPUT\n")

# ---- a tokenizer whose ids go past the model's vocab_size (30522): refused once, before any sentence
tj = json.load(open(os.path.join(bert, "tokenizer.json")))
tj["added_tokens"].append({"id": 30524, "content": "[EXTRA]", "single_word": False, "lstrip": False, "rstrip": False,
                           "normalized": False, "special": True})
model("tok_ids_past_vocab", real, files={"tokenizer.json": json.dumps(tj).encode()})
legacy_vocab = open(os.path.join(bert_legacy, "vocab.txt"), "rb").read()
model("legacy_vocab_past_vocab", open(os.path.join(bert_legacy, "model.safetensors"), "rb").read(),
      open(os.path.join(bert_legacy, "config.json"), "rb").read(),
      files={"vocab.txt": legacy_vocab + b"extra1\nextra2\n",
             "tokenizer_config.json": open(os.path.join(bert_legacy, "tokenizer_config.json"), "rb").read()},
      tokenizer=False)

# ---- sharded checkpoints and more .bin ---------------------------------------------------------------
sharded = os.path.join(data, "models", "distilbert-tiny-sharded")
index = json.load(open(os.path.join(sharded, "model.safetensors.index.json")))


def shards(name, index_bytes):
    d = os.path.join(work, "m", name)
    os.makedirs(d, exist_ok=True)
    for fname in os.listdir(sharded):
        if fname.endswith(".safetensors") and fname != "expected.safetensors" or fname == "config.json":
            os.symlink(os.path.abspath(os.path.join(sharded, fname)), os.path.join(d, fname))
    with open(os.path.join(d, "model.safetensors.index.json"), "wb") as f:
        f.write(index_bytes)


def index_with(edit):
    j = json.loads(json.dumps(index))
    edit(j["weight_map"])
    return json.dumps(j).encode()


first = next(iter(index["weight_map"]))
shards("shard_index_not_json", b'{"weight_map": ')
shards("shard_index_empty", b'{"weight_map": {}}')
shards("shard_missing_file", index_with(lambda m: m.__setitem__(first, "model-00009-of-00009.safetensors")))
shards("shard_path_traversal", index_with(lambda m: m.__setitem__(first, "../../../etc/passwd")))
shards("shard_tensor_absent", index_with(lambda m: m.__setitem__("not.there.weight", "model-00001-of-00002.safetensors")))
zin = zipfile.ZipFile(os.path.join(data, "models", "bert-tiny-bin", "pytorch_model.bin"))
for name, drop in (("bin_no_data_pkl", lambda n: n.endswith("data.pkl")), ("bin_storage_missing", lambda n: n.endswith("/data/0"))):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in zin.namelist():
            if not drop(n):
                z.writestr(n, zin.read(n))
    model(name, files={"pytorch_model.bin": buf.getvalue()})

# a 40 000-character text for the tokenize table (once quadratic: minutes; must take well under 60 s)
import random
rng = random.Random(1)
open(os.path.join(inp, "long40k.txt"), "w").write("".join(rng.choice("ab c.,\u00e9") for _ in range(40000)))

# 100 000 one-byte tensors: valid, but no BERT weights (the duplicate checks were once quadratic: 25 s)
many = {"t%d" % i: {"dtype": "U8", "shape": [1], "data_offsets": [i, i + 1]} for i in range(100000)}
model("st_many_tensors", st_bytes(many, b"\0" * 100000))

# ---- corpus files of compare and bench --------------------------------------------------------------
corpora = {
    "corpus_nocol.csv": b"sentence,label\nthe bank raised rates,a\n",
    "corpus_ragged.csv": b"text,label\nthe bank raised rates,a\nthe river bank,b,extra\n",
    "corpus_not_json.jsonl": b'{"text": "the bank raised rates", "label": "a"}\nnot json at all\n',
    "corpus_empty.txt": b"",
    "corpus_header_only.csv": b"text,label\n",
    "corpus_bad_utf8.txt": b"the bank\nthe caf\xe9 by the river\n",
    "corpus_nul.txt": b"the bank\nthe \x00 river\n",
    "corpus_text_not_string.jsonl": b'{"text": 12, "label": "a"}\n',
    "corpus_quote_open.csv": b'text,label\n"the bank,a\n',
    "corpus_ragged.tsv": b"label\ttext\na\tthe bank raised rates\nb\n",
}
for fname, content in corpora.items():
    with open(os.path.join(inp, fname), "wb") as f:
        f.write(content)
os.makedirs(os.path.join(inp, "corpus_dir.txt"), exist_ok=True)
os.mkfifo(os.path.join(inp, "corpus_fifo.txt"))
# unreadable, for root too (mode 000 does not stop root): reading /proc/self/mem at offset 0 fails (EIO)
os.symlink("/proc/self/mem", os.path.join(inp, "corpus_unreadable.txt"))

# ---- found by the issue-11 acceptance audit (each one hung, misread or misreported before) ------------
config("cfg_one_position", max_position_embeddings=1)
tokenizer("tok_added_id_huge", lambda t: t["added_tokens"].append(dict(t["added_tokens"][0], id=10 ** 12, content="zzq")))
tokenizer("tok_added_id_negative", lambda t: t["added_tokens"].append(dict(t["added_tokens"][0], id=-3, content="zzq")))
tokenizer("tok_max_chars_negative", lambda t: t["model"].__setitem__("max_input_chars_per_word", -1))
tokenizer("tok_prefix_not_string", lambda t: t["model"].__setitem__("continuing_subword_prefix", 5))
tokenizer("tok_unk_null", lambda t: t["model"].__setitem__("unk_token", None))
tokenizer("tok_template_sequence_c", lambda t: t["post_processor"].__setitem__("single", [{"Sequence": {"id": "C", "type_id": 0}}]))
tokenizer("tok_truncation_negative", lambda t: t.__setitem__("truncation", {"max_length": -5, "strategy": "LongestFirst",
                                                                           "stride": 0, "direction": "Right"}))
os.symlink("/dev/zero", os.path.join(inp, "zero.jsonl"))  # an endless line of NUL bytes
os.mkfifo(os.path.join(inp, "input_fifo.jsonl"))           # nobody writes to it
os.mkfifo(os.path.join(work, "out_fifo"))                  # nobody reads it (outside out/: it stays)
with open(os.path.join(inp, "long_line.txt"), "w") as f:   # 40 000 words: past the report's word level
    f.write("the bank " * 20000 + "\n")
os.symlink("loop_model", os.path.join(work, "m", "loop_model"))  # a model folder that is a link to itself
with open(os.path.join(inp, "corpus300.txt"), "w") as f:        # more than one window per shard
    f.writelines(f"sentence number {i} is about the bank\n" for i in range(300))
open(os.path.join(inp, "function_words_nul.txt"), "wb").write(b"the\x00\nof\n")
