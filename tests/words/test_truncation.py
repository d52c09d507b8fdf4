#!/usr/bin/env python3
"""A sentence longer than the model's positions, in every command that takes one (view, focus,
similarity, align, compare --similarity/--focus, as run already did): exit 0, one warning line
naming it (run's format), "truncated": {"tokens", "kept"} in --json (null when it fit), a note in
the report's data, and numbers equal to those of the same sentence truncated by hand (its first
510 words: each word is one token for bert-tiny and roberta-tiny, so the ids are the same) and to
`run --dump` of the long text. A word past the cut is one error line naming the word.

    test_truncation.py ATTNSCOPE DATA_DIR"""
import json
import os
import re
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "cli"))
sys.path.insert(0, os.path.join(here, "..", "report"))
import report_check  # noqa: E402
import safetensors_check  # noqa: E402

cli, data = sys.argv[1:3]
bert, roberta = os.path.join(data, "models", "bert-tiny"), os.path.join(data, "models", "roberta-tiny")
words = ("the bank of the river " * 150).split()  # 750 one-token words: 752 tokens with [CLS], [SEP]
LONG, SHORT = " ".join(words), " ".join(words[:510])  # SHORT: what the cut to 512 positions keeps
# run's format: NAME ("the first 40 bytes..."): N tokens exceed the model's P positions; truncated to K
WARN = re.compile(r"^attnscope: warning: (.+) \(\"" + re.escape(LONG[:40]) + r"\.\.\.\"\): "
                  r"(\d+) tokens exceed the model's 512 positions; truncated to 512$")
fails = 0


def check(cond, what):
    global fails
    if not cond:
        print("FAIL:", what)
        fails += 1


def run(*args):
    return subprocess.run([cli, *args], capture_output=True, text=True)


def warned(r, names, what):
    """Exit 0 and exactly one warning line per name (its NAME part), nothing else on stderr."""
    lines = r.stderr.strip().splitlines()
    got = [WARN.match(l) for l in lines]
    check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr}")
    check(all(got) and [m.group(1) for m in got] == names, f"{what}: warnings {lines}, expected for {names}")
    return [int(m.group(2)) for m in got if m]


with tempfile.TemporaryDirectory() as tmp:
    # run: the reference — the untruncated run cuts too; its dump holds the truncated attentions
    dump = os.path.join(tmp, "long.safetensors")
    r = run("run", "--quiet", bert, "--text", LONG, "--dump", dump)
    check(warned(r, ["--text"], "run") == [752], "run counts 752 tokens")
    ref = safetensors_check.load(dump) if r.returncode == 0 else {}
    check(ref and ref["attentions.0"][0][2] == 512, "run --dump holds 512 tokens")

    # focus: rows equal those of the hand-truncated sentence; "truncated" in --json
    r = run("focus", "--quiet", bert, "--word", "river", LONG, "--json")
    warned(r, ["bert-tiny: SENTENCE"], "focus")
    s = run("focus", "--quiet", bert, "--word", "river", SHORT, "--json")
    if r.returncode == 0 and s.returncode == 0:
        a, b = json.loads(r.stdout), json.loads(s.stdout)
        check(a["truncated"] == {"tokens": 752, "kept": 512} and b["truncated"] is None, f"focus truncated: {a['truncated']}, {b['truncated']}")
        check(a["tokens"] == b["tokens"] and a["token_index"] == b["token_index"] and a["rows"] == b["rows"],
              "focus rows of the long sentence = rows of its first 510 words")
        # and = the mean-over-heads attention row of run --dump (renormalised), layer by layer
        L, H, T, _ = ref["attentions.0"][0]
        att, q = ref["attentions.0"][1], a["token_index"][0]
        for l in range(L):
            row = [sum(att[((l * H + h) * T + q) * T + j] for h in range(H)) / H for j in range(T)]
            tot = sum(row)
            check(max(abs(x / tot - y) for x, y in zip(row, a["rows"][l]["weights"])) < 1e-5, f"focus layer {l} = run --dump")
    r = run("focus", "--quiet", bert, "--word", "bank", LONG + " deposit", "--json")
    err = r.stderr.strip().splitlines()
    check(r.returncode == 0, f"focus on a word before the cut: {r.stderr}")
    r = run("focus", "--quiet", bert, "--word", "deposit", LONG + " deposit")
    err = r.stderr.strip().splitlines()
    check(r.returncode == 1 and not r.stdout and len(err) == 2 and WARN.match(err[0]) and
          err[1] == "attnscope: bert-tiny: SENTENCE: word \"deposit\" (occurrence 1) lies past the model's 512 positions: "
                    "the sentence's 753 tokens were truncated to 512", f"focus word past the cut: {r.returncode} {err}")

    # similarity: the cosines equal those with the hand-truncated sentence
    other = "She went to the bank by the river."
    r = run("similarity", "--quiet", bert, "--word", "bank", other, LONG, "--json")
    warned(r, ["bert-tiny: SENTENCE 2"], "similarity")
    s = run("similarity", "--quiet", bert, "--word", "bank", other, SHORT, "--json")
    if r.returncode == 0 and s.returncode == 0:
        a, b = json.loads(r.stdout), json.loads(s.stdout)
        check(a["truncated"] == [None, {"tokens": 752, "kept": 512}] and b["truncated"] == [None, None], f"similarity truncated: {a['truncated']}")
        check(a["cosine"] == b["cosine"] and a["token_index"] == b["token_index"], "similarity cosines = the hand-truncated sentence's")
    r = run("similarity", "--quiet", bert, "--word", "deposit", LONG + " deposit", "a deposit")
    err = r.stderr.strip().splitlines()
    check(r.returncode == 1 and len(err) == 1 and "bert-tiny: sentence 1: word \"deposit\" (occurrence 1) lies past the model's 512 positions" in err[0],
          f"similarity word past the cut: {r.returncode} {err}")

    # align: two tokenizers, each cut; the words are those the cuts kept (not all 750: a W x W
    # matrix of a huge sentence would not fit), the matrices and distance those of the hand-truncated sentence
    r = run("align", "--quiet", bert, roberta, LONG, "--json")
    counts = warned(r, ["bert-tiny: SENTENCE", "roberta-tiny: SENTENCE"], "align")
    s = run("align", "--quiet", bert, roberta, SHORT, "--json")
    if r.returncode == 0 and s.returncode == 0:
        a, b = json.loads(r.stdout), json.loads(s.stdout)
        for ma, mb, n in zip(a["models"], b["models"], counts):
            check(ma["truncated"] == {"tokens": n, "kept": 512} and mb["truncated"] is None, f"align {ma['model']} truncated: {ma['truncated']}")
            check(len(ma["attention"]) == 510 and ma["attention"] == mb["attention"] and ma["token_word"] == mb["token_word"],
                  f"align {ma['model']}: the matrix of the hand-truncated sentence")
        check(a["words"] == b["words"] == words[:510], "align words: the 510 the cuts kept")
        check(a["distances"] == b["distances"], f"align distances: {a['distances']} vs {b['distances']}")

    # view: the note in the page's data; attention = run --dump of the long text, and = the page of
    # the hand-truncated sentence
    html, short_html = os.path.join(tmp, "long.html"), os.path.join(tmp, "short.html")
    r = run("view", "--quiet", bert, LONG, "-o", html)
    warned(r, ["bert-tiny: SENTENCE"], "view")
    s = run("view", "--quiet", bert, SHORT, "-o", short_html)
    if r.returncode == 0 and s.returncode == 0 and ref:
        p, q = report_check.load(html), report_check.load(short_html)
        e, f = p.meta["sentences"][0]["entries"][0], q.meta["sentences"][0]["entries"][0]
        check(e.get("truncated") == {"tokens": 752, "kept": 512} and "truncated" not in f, f"view note: {e.get('truncated')}")
        got, scale = report_check.decode(p, e["attention"])
        check(len(got) == len(ref["attentions.0"][1]) and
              max(abs(x - y) for x, y in zip(got, ref["attentions.0"][1])) <= 1.0 / scale + 1e-7,  # a step: report_check.compare
              "view attention = run --dump")
        check(got == report_check.decode(q, f["attention"])[0] and e["tokens"] == f["tokens"], "view attention = the hand-truncated page's")
        check("Truncated: the sentence has" in p.text, "the page's script shows the note")

    # compare --similarity/--focus: the long sentence is found, cut with a warning, noted in report.html
    corpus, wc = os.path.join(tmp, "c.txt"), os.path.join(tmp, "w.txt")
    open(corpus, "w").write("The cat sat on the mat.\nA second sentence about the weather.\n")
    open(wc, "w").write(LONG + "\nShe went to the bank by the river.\n")
    out = os.path.join(tmp, "cmp")
    r = run("compare", "--quiet", bert, "--corpus", corpus, "--out", out, "--similarity", "bank", "--focus", "river",
            "--words-corpus", wc)
    warned(r, ["bert-tiny: --similarity sentence 1", "bert-tiny: --focus sentence"], "compare --similarity --focus")
    if r.returncode == 0:
        p = report_check.load(os.path.join(out, "report.html"))
        notes = [e.get("truncated") for s in p.meta["sentences"] for e in s["entries"] if s["text"] == LONG]
        check(notes == [{"tokens": 752, "kept": 512}], f"compare report notes the cut once: {notes}")

    # compare's corpus: the long sentence is cut with one warning per model (and per sentence, also
    # with --layer all), and its rows say so: Tokens 512, Truncated_From 752; the others 0; seed mode
    # keeps the notebook's columns only
    corpus = os.path.join(tmp, "long.txt")
    open(corpus, "w").write("The cat sat on the mat.\n" + LONG + "\n")
    for extra in ([], ["--layer", "all"]):
        out = os.path.join(tmp, "cmp-long" + "".join(extra))
        r = run("compare", "--quiet", "B=" + bert, "R=" + roberta, "--corpus", corpus, "--out", out, "--no-report", *extra)
        warned(r, [f"B: {corpus}: sentence S2", f"R: {corpus}: sentence S2"], f"compare corpus {extra}")
        if r.returncode == 0:
            import csv
            rows = list(csv.DictReader(open(os.path.join(out, "metrics_by_sentence.csv"))))
            cut = {(w["Sentence_ID"], w["Model"], w["Tokens"], w["Truncated_From"]) for w in rows}
            check(cut == {("S1", "B", "9", "0"), ("S1", "R", "9", "0"), ("S2", "B", "512", "752"), ("S2", "R", "512", "752")},
                  f"metrics_by_sentence marks the cut {extra}: {sorted(cut)}")
    out = os.path.join(tmp, "cmp-seed")
    r = run("compare", "--quiet", bert, "--corpus", corpus, "--out", out, "--no-report", "--metrics", "seed")
    if r.returncode == 0:
        head = open(os.path.join(out, "metrics_by_sentence.csv")).readline()
        check("Tokens" not in head and "Truncated_From" not in head, f"seed mode: the notebook's columns: {head}")

print("test_truncation:", "FAILED (%d failures)" % fails if fails else "ok")
sys.exit(1 if fails else 0)
