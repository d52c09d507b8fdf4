#!/usr/bin/env python3
"""Independent check of `attnscope compare`, standard library only.

    check_compare.py seed OUT_DIR FIXTURE.csv
        metrics_by_sentence.csv of a --metrics seed run against the seed notebook's own numbers (1e-4).
    check_compare.py study ATTNSCOPE OUT_DIR CORPUS.tsv WORK_DIR [all] [fw=WORDS.txt] LABEL=MODEL_DIR...
        recomputes the corrected metrics (last layer, or every layer with 'all'), metrics_by_domain,
        head_stats, head_distances and (several models) model_agreement from `attnscope run --dump` attentions and `attnscope tokenize`
        encodings, and compares them with OUT_DIR (1e-6). Also checks every .json against its .csv.
"""
import csv
import json
import math
import os
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "words"))
from safetensors_check import load  # noqa: E402
import words_check  # noqa: E402  (word spans, word-level matrices, row-wise JS distance)

FUNCTION_WORDS = {"the", "a", "an", "is", "are", "was", "were", "of", "in", "on", "at"}
METRICS = ["CLS_Attention_Max", "CLS_Attention_Mean", "Self_Attention_Mean", "Content_Function_Ratio",
           "Attention_Entropy", "CLS_Attention_From_Max", "Attention_Entropy_Norm"]
STATS = ["to_first", "to_sep", "to_punct", "to_self", "to_next", "to_prev", "entropy", "entropy_norm"]
failures = 0


def fail(msg):
    global failures
    failures += 1
    if failures <= 20:
        print("FAIL", msg)


def close(what, got, want, tol):
    if want is None or got in ("", None):
        if not (want is None and got in ("", None)):
            fail(f"{what}: got {got!r}, want {want!r}")
        return
    if abs(float(got) - want) > tol * max(1.0, abs(want)):
        fail(f"{what}: got {got}, want {want}")


def entropy(row):
    return -sum(p * math.log(p) for p in row if p > 0)


def js_distance(p, q):
    d = 0.0
    for a, b in zip(p, q):
        m = (a + b) / 2
        if a > 0:
            d += 0.5 * a * math.log(a / m)
        if b > 0:
            d += 0.5 * b * math.log(b / m)
    return math.sqrt(max(d, 0.0))


def is_punct(ch):
    c = ord(ch)
    return 33 <= c <= 47 or 58 <= c <= 64 or 91 <= c <= 96 or 123 <= c <= 126 or unicodedata.category(ch).startswith("P")


def word_of(enc, text, t):
    """The whole word of token t: the span of the tokens sharing its word id, lower-cased."""
    b, e = enc["offsets"][t]
    w = enc["word_ids"][t]
    if w is not None:
        for u, wu in enumerate(enc["word_ids"]):
            if wu == w and not enc["special_tokens_mask"][u] and enc["sequence_ids"][u] == enc["sequence_ids"][t]:
                b, e = min(b, enc["offsets"][u][0]), max(e, enc["offsets"][u][1])
    return text[b:e].lower()


def corrected(A, enc, text):
    T = len(A)
    cls = []
    for t in range(T):
        if enc["special_tokens_mask"][t]:
            cls.append(0)
        else:
            cls.append(2 if word_of(enc, text, t) in FUNCTION_WORDS else 1)

    def class_mean(k):
        cols = [j for j in range(T) if cls[j] == k]
        return (sum(A[i][j] for i in range(T) for j in cols) / (len(cols) * T)) if cols else None

    c, f = class_mean(1) or 0.0, class_mean(2)
    ent = sum(entropy(A[i]) for i in range(T)) / T
    return [max(A[i][0] for i in range(T)), sum(A[i][0] for i in range(T)) / T, sum(A[i][i] for i in range(T)) / T,
            c / f if f else None, ent, max(A[0]), ent / math.log(T) if T > 1 else None]


def head_stats(P, enc, text):
    T = len(P)
    sep = [bool(enc["special_tokens_mask"][j]) and j > 0 for j in range(T)]
    punct = []
    for j in range(T):
        b, e = enc["offsets"][j]
        span = text[b:e]
        punct.append(not enc["special_tokens_mask"][j] and len(span) > 0 and all(is_punct(ch) for ch in span))
    ent = sum(entropy(P[i]) for i in range(T)) / T
    return [sum(P[i][0] for i in range(T)) / T,
            sum(P[i][j] for i in range(T) for j in range(T) if sep[j]) / T,
            sum(P[i][j] for i in range(T) for j in range(T) if punct[j]) / T,
            sum(P[i][i] for i in range(T)) / T,
            sum(P[i][i + 1] for i in range(T - 1)) / (T - 1),
            sum(P[i][i - 1] for i in range(1, T)) / (T - 1),
            ent, ent / math.log(T)]


def pattern(s):
    vertical, diagonal = s[0] + s[1], s[3] + s[4] + s[5]
    if vertical >= 0.5 or diagonal >= 0.5:
        return "vertical" if vertical >= diagonal else "diagonal"
    return "block" if s[7] >= 0.75 else "heterogeneous"


def matrices(flat, shape):
    L, H, T, _ = shape
    return [[[list(flat[((l * H + h) * T + i) * T:((l * H + h) * T + i + 1) * T]) for i in range(T)]
             for h in range(H)] for l in range(L)]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def check_json_matches_csv(out_dir):
    for name in ("architecture", "dataset_sentences", "metrics_by_sentence", "metrics_by_domain", "head_stats",
                 "head_distances", "model_agreement"):
        if name == "model_agreement" and not os.path.exists(os.path.join(out_dir, name + ".csv")):
            continue
        rows = read_csv(os.path.join(out_dir, name + ".csv"))
        with open(os.path.join(out_dir, name + ".json"), encoding="utf-8") as f:
            objs = json.load(f)
        if len(rows) != len(objs):
            fail(f"{name}: {len(rows)} CSV rows, {len(objs)} JSON objects")
            continue
        for r, o in zip(rows, objs):
            if list(r.keys()) != list(o.keys()):
                fail(f"{name}: JSON keys {list(o.keys())} != CSV columns {list(r.keys())}")
                break
            for k, v in r.items():
                ov = o[k]
                if isinstance(ov, (int, float)) and not isinstance(ov, bool):
                    close(f"{name}.json {k}", v, float(ov), 1e-12)
                elif (ov is None and v != "") or (ov is not None and str(ov) != v):
                    fail(f"{name}.json {k}: {ov!r} vs CSV {v!r}")


def compute_model(exe, model_dir, texts, work, layer_all):
    """Per sentence metric rows {layer: values}, head stat sums and head distance sums of one model."""
    inputs = os.path.join(work, "inputs.jsonl")
    with open(inputs, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}) + "\n")
    dump, toks = os.path.join(work, "dump.safetensors"), os.path.join(work, "tokens.jsonl")
    subprocess.run([exe, "run", model_dir, "--input", inputs, "--dump", dump, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([exe, "tokenize", model_dir, "--input", inputs, "--output", toks, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    tensors = load(dump)
    with open(toks, encoding="utf-8") as f:
        encs = [json.loads(line) for line in f]
    rows, hsum, dsum, words = [], None, None, []
    for i, text in enumerate(texts):
        shape, flat = tensors[f"attentions.{i}"]
        L, H, T, _ = shape
        att = matrices(flat, shape)
        enc = encs[i]
        per_layer = {}
        for l in (range(L) if layer_all else [L - 1]):
            A = [[sum(att[l][h][r][c] for h in range(H)) / H for c in range(T)] for r in range(T)]
            per_layer[l] = corrected(A, enc, text)
        rows.append(per_layer)
        spans = words_check.word_spans(text)
        tw = words_check.token_words(enc, spans)
        words.append([words_check.word_matrix(words_check.head_mean(att[l]), tw, len(spans)) for l in range(L)])
        heads = [att[l][h] for l in range(L) for h in range(H)]
        hs = [head_stats(P, enc, text) for P in heads]
        hsum = hs if hsum is None else [[a + b for a, b in zip(x, y)] for x, y in zip(hsum, hs)]
        n = len(heads)
        d = [[0.0] * n for _ in range(n)]
        for a in range(n):
            for b in range(a + 1, n):
                d[a][b] = sum(js_distance(heads[a][r], heads[b][r]) for r in range(T)) / T
        dsum = d if dsum is None else [[x + y for x, y in zip(r1, r2)] for r1, r2 in zip(dsum, d)]
    return rows, [[v / len(texts) for v in s] for s in hsum], [[v / len(texts) for v in r] for r in dsum], H, words


def check_agreement(out_dir, labels, words):
    """model_agreement.csv: mean over sentences of the row-wise JS distance of word-level matrices."""
    want = []
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            for la in range(len(words[a][0])):
                for lb in range(len(words[b][0])):
                    vals = [d for d, n in (words_check.rows_js(wa[la], wb[lb]) for wa, wb in zip(words[a], words[b])) if n]
                    if vals:
                        want.append((labels[a], la, labels[b], lb, sum(vals) / len(vals), len(vals)))
    got = read_csv(os.path.join(out_dir, "model_agreement.csv"))
    if len(got) != len(want):
        fail(f"model_agreement: {len(got)} rows, want {len(want)}")
    for g, w in zip(got, want):
        if (g["Model_A"], int(g["Layer_A"]), g["Model_B"], int(g["Layer_B"]), int(g["Sentences"])) != w[:4] + w[5:]:
            fail(f"model_agreement row {g}, want {w}")
        close(f"agreement {w[:4]}", g["JS_Distance"], w[4], 1e-6)


def check_model(out_dir, label, rows, domains, stats, dists, heads, layer_all):
    got = [r for r in read_csv(os.path.join(out_dir, "metrics_by_sentence.csv")) if r["Model"] == label]
    want = [(i, l, v) for i, per in enumerate(rows) for l, v in sorted(per.items())]
    if len(got) != len(want):
        fail(f"{label}: {len(got)} sentence rows, want {len(want)}")
    for g, (i, l, v) in zip(got, want):
        if g["Sentence_ID"] != f"S{i + 1}" or g["Domain"] != domains[i] or (layer_all and int(g["Layer"]) != l):
            fail(f"{label}: row {g['Sentence_ID']} {g['Domain']} out of order")
        for k, name in enumerate(METRICS):
            close(f"{label} S{i + 1} layer {l} {name}", g[name], v[k], 1e-6)
    for g in (r for r in read_csv(os.path.join(out_dir, "metrics_by_domain.csv")) if r["Model"] == label):
        l = int(g["Layer"]) if layer_all else max(rows[0])
        for k, name in enumerate(METRICS):
            vals = [per[l][k] for i, per in enumerate(rows) if domains[i] == g["Domain"] and per[l][k] is not None]
            close(f"{label} {g['Domain']} layer {l} mean {name}", g[name], sum(vals) / len(vals) if vals else None, 1e-6)
    hrows = [r for r in read_csv(os.path.join(out_dir, "head_stats.csv")) if r["Model"] == label]
    if len(hrows) != len(stats):
        fail(f"{label}: {len(hrows)} head_stats rows, want {len(stats)}")
    for g, s in zip(hrows, stats):
        for k, name in enumerate(STATS):
            close(f"{label} head {g['Layer']}.{g['Head']} {name}", g[name], s[k], 1e-6)
        if g["pattern"] != pattern(s):
            fail(f"{label} head {g['Layer']}.{g['Head']}: pattern {g['pattern']}, want {pattern(s)}")
    drows = [r for r in read_csv(os.path.join(out_dir, "head_distances.csv")) if r["Model"] == label]
    n = len(dists)
    if len(drows) != n * (n - 1) // 2:
        fail(f"{label}: {len(drows)} head_distances rows, want {n * (n - 1) // 2}")
    for g in drows:
        a = int(g["Layer_A"]) * heads + int(g["Head_A"])
        b = int(g["Layer_B"]) * heads + int(g["Head_B"])
        close(f"{label} distance {a}-{b}", g["JS_Distance"], dists[a][b], 1e-6)


def main_study(argv):
    exe, out_dir, corpus, work = argv[:4]
    layer_all = len(argv) > 4 and argv[4] == "all"
    rest = argv[5 if layer_all else 4:]
    for a in rest:
        if a.startswith("fw="):  # the --function-words file the run was given
            with open(a[3:], encoding="utf-8") as f:
                words = {w.strip().lower() for w in f if w.strip() and not w.strip().startswith("#")}
            FUNCTION_WORDS.clear()
            FUNCTION_WORDS.update(words)
    models = [a.split("=", 1) for a in rest if not a.startswith("fw=")]
    with open(corpus, newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f, delimiter="\t"))
    texts, domains = [r["text"] for r in records], [r["domain"] for r in records]
    sentences = read_csv(os.path.join(out_dir, "dataset_sentences.csv"))
    for i, r in enumerate(sentences):
        if r["Sentence"] != texts[i] or int(r["Word_Count"]) != len(texts[i].split()) or r["Domain"] != domains[i]:
            fail(f"dataset_sentences row {i + 1}: {r}")
    if len(sentences) != len(texts):
        fail(f"dataset_sentences: {len(sentences)} rows for {len(texts)} sentences")
    os.makedirs(work, exist_ok=True)
    all_words = []
    for label, model_dir in models:
        rows, stats, dists, heads, words = compute_model(exe, model_dir, texts, work, layer_all)
        check_model(out_dir, label, rows, domains, stats, dists, heads, layer_all)
        all_words.append(words)
    if len(models) > 1:
        check_agreement(out_dir, [label for label, _ in models], all_words)
    elif os.path.exists(os.path.join(out_dir, "model_agreement.csv")):
        fail("model_agreement.csv written for one model")
    check_json_matches_csv(out_dir)


def main_seed(out_dir, fixture):
    got = {(r["Sentence_ID"], r["Model"]): r for r in read_csv(os.path.join(out_dir, "metrics_by_sentence.csv"))}
    want = read_csv(fixture)
    if len(got) != len(want):
        fail(f"{len(got)} rows, the fixture has {len(want)}")
    for w in want:
        g = got.get((w["Sentence_ID"], w["Model"]))
        if g is None:
            fail(f"no row {w['Sentence_ID']} {w['Model']}")
            continue
        if list(g.keys()) != list(w.keys()) or g["Domain"] != w["Domain"]:
            fail(f"{w['Sentence_ID']} {w['Model']}: columns {list(g.keys())} / domain {g['Domain']}")
        for k in METRICS[:5]:
            if abs(float(g[k]) - float(w[k])) > 1e-4:
                fail(f"{w['Sentence_ID']} {w['Model']} {k}: {g[k]} vs seed {w[k]}")


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        main_seed(sys.argv[2], sys.argv[3])
    else:
        main_study(sys.argv[2:])
    print("ok" if failures == 0 else f"{failures} failures")
    sys.exit(1 if failures else 0)
