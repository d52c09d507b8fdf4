#!/usr/bin/env python3
"""Checks attnscope's word-level analyses against an independent computation, standard library only.

    words_check.py ATTNSCOPE WORDS_PROBE DATA_DIR CORPUS.jsonl

For each fixture model it tokenizes the corpus (`attnscope tokenize --output`) and dumps the
attentions and hidden states (`attnscope run --dump`); from those alone it recomputes the words
(str.split()), their tokens (offsets), word-level attention per layer and head, attention rollout,
the cross-model agreement, and the outputs of `align`, `focus` and `similarity`, and compares
with what the library (through words_probe) and the commands print."""
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from safetensors_check import load  # noqa: E402

MODELS = ["bert-tiny", "distilbert-tiny", "roberta-tiny"]
TOL = 1e-5
failures = 0
checks = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def close(what, got, want, tol=TOL):
    """Nested lists of numbers equal within tol (absolute)."""
    global checks
    checks += 1
    flat_g, flat_w = [], []

    def flatten(x, out):
        if isinstance(x, (list, tuple)):
            for y in x:
                flatten(y, out)
        else:
            out.append(x)

    flatten(got, flat_g)
    flatten(want, flat_w)
    if len(flat_g) != len(flat_w):
        fail(f"{what}: {len(flat_g)} values, expected {len(flat_w)}")
        return
    worst = max((abs(a - b) for a, b in zip(flat_g, flat_w)), default=0.0)
    if worst > tol:
        fail(f"{what}: differs by {worst:g}")


def run(*args):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"{' '.join(args[:3])}...: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


# ---- the independent computation -----------------------------------------------------------

def word_spans(text):
    """Python's str.split(), with the code point span of each word."""
    spans, i, n = [], 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i == n:
            break
        s = i
        while i < n and not text[i].isspace():
            i += 1
        spans.append((s, i))
    assert [text[a:b] for a, b in spans] == text.split()
    return spans


def token_words(enc, spans):
    tw = []
    for (a, b), special, seq in zip(enc["offsets"], enc["special_tokens_mask"], enc["sequence_ids"]):
        w = -1
        if not special and b > a and seq == 0:
            for k, (s, e) in enumerate(spans):
                if s <= a < e:
                    w = k
        tw.append(w)
    return tw


def attention(att, L, H, T):
    """Flat [L][H][T][T] → nested A[l][h][i][j]."""
    return [[[att[((l * H + h) * T + i) * T:((l * H + h) * T + i + 1) * T] for i in range(T)] for h in range(H)] for l in range(L)]


def head_mean(A_l):
    H, T = len(A_l), len(A_l[0])
    return [[sum(A_l[h][i][j] for h in range(H)) / H for j in range(T)] for i in range(T)]


def rownorm(row):
    s = sum(row)
    return [x / s for x in row] if s > 0 else [0.0] * len(row)


def word_matrix(M, tw, W):
    """from word u = mean over its token rows, to word v = sum over its token columns; rows renormalised."""
    out = []
    for u in range(W):
        rows = [i for i, w in enumerate(tw) if w == u]
        row = [0.0] * W
        for i in rows:
            for j, v in enumerate(tw):
                if v >= 0:
                    row[v] += M[i][j] / len(rows)
        out.append(rownorm(row))
    return out


def rollout(A):
    T = len(A[0][0])
    rolled, out = None, []
    for A_l in A:
        m = head_mean(A_l)
        a = [rownorm([0.5 * m[i][j] + (0.5 if i == j else 0.0) for j in range(T)]) for i in range(T)]
        rolled = a if rolled is None else [[sum(a[i][k] * rolled[k][j] for k in range(T)) for j in range(T)] for i in range(T)]
        out.append(rolled)
    return out


def js_distance(p, q):
    d = 0.0
    for a, b in zip(p, q):
        m = 0.5 * (a + b)
        if a > 0:
            d += 0.5 * a * math.log(a / m)
        if b > 0:
            d += 0.5 * b * math.log(b / m)
    return math.sqrt(max(d, 0.0))


def rows_js(A, B):
    ds = [js_distance(p, q) for p, q in zip(A, B) if any(x > 0 for x in p) and any(x > 0 for x in q)]
    return (sum(ds) / len(ds) if ds else 0.0), len(ds)


def find_word(text, enc, word, occurrence):
    """Token indices of the occurrence-th case-insensitive match not inside a longer word."""
    t, q, found = text.lower(), word.lower(), 0
    for i in range(len(t) - len(q) + 1):
        if t[i:i + len(q)] != q:
            continue
        if i > 0 and text[i - 1].isalnum() and q[0].isalnum():
            continue
        if i + len(q) < len(t) and text[i + len(q)].isalnum() and q[-1].isalnum():
            continue
        found += 1
        if found == occurrence:
            z = i + len(q)
            return [k for k, ((a, b), s, seq) in enumerate(zip(enc["offsets"], enc["special_tokens_mask"], enc["sequence_ids"]))
                    if not s and b > a and seq == 0 and a < z and b > i]
    return None


def cosine(x, y):
    xy = sum(a * b for a, b in zip(x, y))
    n = math.sqrt(sum(a * a for a in x)) * math.sqrt(sum(b * b for b in y))
    return xy / max(n, 1e-8)


# ---- the comparisons ------------------------------------------------------------------------

def main():
    attnscope, probe, data, corpus = sys.argv[1:5]
    tmp = tempfile.mkdtemp(prefix="words_check.")
    try:
        return compare_all(attnscope, probe, data, corpus, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def compare_all(attnscope, probe, data, corpus, tmp):
    texts = [json.loads(line)["text"] for line in open(corpus, encoding="utf-8")]
    dirs = [os.path.join(data, "models", m) for m in MODELS]
    ref = {}  # model -> per sentence {enc, A, hidden, spans, tw}
    for m, d in zip(MODELS, dirs):
        tok_path, dump_path = os.path.join(tmp, m + ".tok.jsonl"), os.path.join(tmp, m + ".safetensors")
        run(attnscope, "tokenize", d, "--input", corpus, "--output", tok_path, "--quiet")
        run(attnscope, "run", d, "--input", corpus, "--dump", dump_path, "--quiet")
        encs = [json.loads(line) for line in open(tok_path, encoding="utf-8")]
        dump = load(dump_path)
        per = []
        for i, (text, enc) in enumerate(zip(texts, encs)):
            (L, H, T, _), att = dump[f"attentions.{i}"]
            hshape, hid = dump[f"hidden_states.{i}"]
            spans = word_spans(text)
            per.append({"enc": enc, "A": attention(att, L, H, T), "hidden": (hshape, hid), "spans": spans,
                        "tw": token_words(enc, spans)})
        ref[m] = per

    probe_json, agr_csv, agr_json = (os.path.join(tmp, x) for x in ("probe.json", "agreement.csv", "agreement.json"))
    run(probe, probe_json, agr_csv, agr_json, corpus, *dirs)
    got = json.load(open(probe_json, encoding="utf-8"))

    # words, token mapping, word-level attention (every head and the mean), rollout
    wmean = {m: [] for m in MODELS}  # [sentence][layer] head-mean word matrices
    for s, text in enumerate(texts):
        for k, m in enumerate(MODELS):
            r, g = ref[m][s], got[s][k]
            W = len(r["spans"])
            if g["words"] != text.split() or [tuple(x) for x in g["spans"]] != r["spans"]:
                fail(f"{m} sentence {s}: words {g['words']} spans {g['spans']}")
            if g["token_word"] != r["tw"]:
                fail(f"{m} sentence {s}: token_word {g['token_word']} != {r['tw']}")
            if g["pieces"] != [r["tw"].count(u) for u in range(W)]:
                fail(f"{m} sentence {s}: pieces {g['pieces']}")
            layers = []
            for l, A_l in enumerate(r["A"]):
                for h in range(len(A_l) + 1):
                    M = head_mean(A_l) if h == len(A_l) else A_l[h]
                    want = word_matrix(M, r["tw"], W)
                    close(f"{m} sentence {s} layer {l} head {h if h < len(A_l) else 'mean'} word attention",
                          g["word_attention"][l][h], want)
                    if h == len(A_l):
                        layers.append(want)
            wmean[m].append(layers)
            close(f"{m} sentence {s} rollout", g["rollout"], rollout(r["A"]))

    # agreement over the corpus: mean over sentences of the mean JS distance over words
    want_rows = []
    for a in range(len(MODELS)):
        for b in range(a + 1, len(MODELS)):
            for la in range(len(wmean[MODELS[a]][0])):
                for lb in range(len(wmean[MODELS[b]][0])):
                    vals = []
                    for s in range(len(texts)):
                        d, n = rows_js(wmean[MODELS[a]][s][la], wmean[MODELS[b]][s][lb])
                        if n:
                            vals.append(d)
                    want_rows.append((MODELS[a], la, MODELS[b], lb, sum(vals) / len(vals), len(vals)))
    with open(agr_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if rows[0] != ["Model_A", "Layer_A", "Model_B", "Layer_B", "JS_Distance", "Sentences"]:
        fail(f"agreement.csv header {rows[0]}")
    jrows = json.load(open(agr_json, encoding="utf-8"))
    if len(rows) - 1 != len(want_rows) or len(jrows) != len(want_rows):
        fail(f"agreement: {len(rows) - 1} CSV rows, {len(jrows)} JSON rows, expected {len(want_rows)}")
    for c, j, w in zip(rows[1:], jrows, want_rows):
        key = (c[0], int(c[1]), c[2], int(c[3]))
        jkey = (j["Model_A"], j["Layer_A"], j["Model_B"], j["Layer_B"])
        if key != w[:4] or jkey != w[:4] or int(c[5]) != w[5] or j["Sentences"] != w[5]:
            fail(f"agreement row {c} / {j}, expected {w}")
        close(f"agreement {key} csv", float(c[4]), w[4])
        close(f"agreement {key} json", j["JS_Distance"], w[4])

    check_align(attnscope, dirs, texts, ref, wmean)
    check_focus(attnscope, dirs, texts, ref)
    check_similarity(attnscope, dirs, texts, ref)
    print(f"{checks} comparisons, {failures} failures")
    return 1 if failures else 0


def check_align(attnscope, dirs, texts, ref, wmean):
    for s in (0, 2, 3, 5):
        for layer in (None, 0, 1):
            args = [attnscope, "align", "BERT=" + dirs[0], dirs[1], dirs[2], texts[s], "--json", "--quiet"]
            if layer is not None:
                args += ["--layer", str(layer)]
            out = run(*args)
            if not out:
                continue
            j = json.loads(out)
            if j["words"] != texts[s].split() or [x["model"] for x in j["models"]] != ["BERT"] + MODELS[1:]:
                fail(f"align sentence {s}: words {j['words']} models {[x['model'] for x in j['models']]}")
            mats = []
            for k, m in enumerate(MODELS):
                L = len(ref[m][s]["A"])
                l = L - 1 if layer is None else layer
                mats.append(wmean[m][s][l])
                if j["models"][k]["layer"] != l or j["models"][k]["tokens"] != ref[m][s]["enc"]["tokens"]:
                    fail(f"align {m} sentence {s}: layer {j['models'][k]['layer']} tokens {j['models'][k]['tokens']}")
                tw = [-1 if x is None else x for x in j["models"][k]["token_word"]]
                if tw != ref[m][s]["tw"]:
                    fail(f"align {m} sentence {s}: token_word {tw}")
                close(f"align {m} sentence {s} layer {l}", j["models"][k]["attention"], wmean[m][s][l])
            pairs = [(0, 1), (0, 2), (1, 2)]
            for (a, b), d in zip(pairs, j["distances"]):
                want, n = rows_js(mats[a], mats[b])
                close(f"align distance {a}-{b} sentence {s}", d["js_distance"], want)
                if d["words"] != n:
                    fail(f"align distance {a}-{b} sentence {s}: {d['words']} words, expected {n}")


def focus_want(A, pieces, mode, layer=None, head=None):
    T = len(A[0][0])

    def rows_of(M):
        return rownorm([sum(M[i][j] for i in pieces) / len(pieces) for j in range(T)])

    if mode == "rollout":
        R = rollout(A)
        return [rows_of(R[l]) for l in range(len(A)) if layer is None or l == layer]
    if mode == "mean":
        return [rows_of(head_mean(A_l)) for A_l in A]
    return [rows_of(A[l][h]) for l in range(len(A)) if layer is None or l == layer
            for h in range(len(A[l])) if head is None or h == head]


def check_focus(attnscope, dirs, texts, ref):
    cases = [  # sentence, word, occurrence, extra args, mode, layer, head
        (0, "bank", 1, [], "mean", None, None),
        (0, "bank", 1, ["--layer", "1"], "heads", 1, None),
        (0, "bank", 1, ["--head", "2"], "heads", None, 2),
        (0, "bank", 1, ["--layer", "0", "--head", "1"], "heads", 0, 1),
        (0, "bank", 1, ["--rollout"], "rollout", None, None),
        (1, "bank", 1, ["--rollout", "--layer", "1"], "rollout", 1, None),
        (2, "antidisestablishmentarianism", 1, [], "mean", None, None),
        (6, "bank", 3, ["--occurrence", "3"], "mean", None, None),
    ]
    for k, m in enumerate(MODELS):
        for s, word, occ, extra, mode, layer, head in cases:
            out = run(attnscope, "focus", dirs[k], "--word", word, texts[s], "--json", "--quiet", *extra)
            if not out:
                continue
            j = json.loads(out)
            pieces = find_word(texts[s], ref[m][s]["enc"], word, occ)
            if j["token_index"] != pieces:
                fail(f"focus {m} {word}@{occ} sentence {s}: tokens {j['token_index']}, expected {pieces}")
                continue
            want = focus_want(ref[m][s]["A"], pieces, mode, layer, head)
            close(f"focus {m} {word} {extra}", [r["weights"] for r in j["rows"]], want)
            if (mode == "heads") != all(r["head"] is not None for r in j["rows"]):
                fail(f"focus {m} {extra}: head fields {[r['head'] for r in j['rows']]}")


def check_similarity(attnscope, dirs, texts, ref):
    cases = [(0, 1, "bank", "1"), (2, 6, "bank", "1,2"), (2, 7, "antidisestablishmentarianism", "1"),
             (2, 7, "unbelievably", "1"), (6, 6, "bank", "1,3")]
    for k, m in enumerate(MODELS):
        for s1, s2, word, occ in cases:
            out = run(attnscope, "similarity", dirs[k], "--word", word, texts[s1], texts[s2], "--occurrence", occ, "--json", "--quiet")
            if not out:
                continue
            j = json.loads(out)
            o = [int(x) for x in occ.split(",")]
            o = o if len(o) == 2 else o * 2
            p = [find_word(texts[s], ref[m][s]["enc"], word, n) for s, n in ((s1, o[0]), (s2, o[1]))]
            if j["token_index"] != p or j["tokens"] != [[ref[m][s]["enc"]["tokens"][i] for i in pp] for s, pp in zip((s1, s2), p)]:
                fail(f"similarity {m} {word}: tokens {j['tokens']} {j['token_index']}, expected {p}")
                continue
            want = []
            (S, Tk, Hd), hid = ref[m][s1]["hidden"]
            (_, T2, _), hid2 = ref[m][s2]["hidden"]
            for st in range(S):
                x = [sum(hid[(st * Tk + i) * Hd + d] for i in p[0]) / len(p[0]) for d in range(Hd)]
                y = [sum(hid2[(st * T2 + i) * Hd + d] for i in p[1]) / len(p[1]) for d in range(Hd)]
                want.append(cosine(x, y))
            close(f"similarity {m} {word} {occ}", j["cosine"], want, 1e-4)


if __name__ == "__main__":
    sys.exit(main())
