#!/usr/bin/env python3
"""The seed notebook's AG News preparation, re-done in Python, against `attnscope compare`'s
dataset_sentences.csv.  check_agnews.py AGNEWS.csv OUT_DIR PER_LABEL SEED

Cleaning and filtering are the notebook's own lines (html.unescape, the two re.sub, the word window,
len > 20). The notebook's HF-datasets shuffle is replaced by attnscope's documented draw: per class,
reservoir sampling (Algorithm R) over the kept sentences in file order with splitmix64 seeded by
SEED, the sample listed in file order, classes in order World, Sports, Business, Sci/Tech."""
import csv
import html
import re
import sys

MASK = (1 << 64) - 1
LABELS = ["World", "Sports", "Business", "Sci/Tech"]


def splitmix64(state):
    state[0] = (state[0] + 0x9E3779B97F4A7C15) & MASK
    z = state[0]
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def main():
    path, out_dir, k, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = [seed]
    reservoirs = [[] for _ in LABELS]
    seen = [0] * 4
    with open(path, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.reader(f), start=1):
            text = html.unescape(row[1] + " " + row[2])
            text = re.sub(r"<[^>]+>", "", text)
            text = re.sub(r"\s+", " ", text).strip()
            wc = len(text.split())
            if not (10 <= wc <= 20 and len(text) > 20):
                continue
            c = int(row[0]) - 1
            n = seen[c]
            seen[c] += 1
            slot = n if n < k else splitmix64(rng) % (n + 1)
            if slot < k:
                if slot < len(reservoirs[c]):
                    reservoirs[c][slot] = (line, text)
                else:
                    reservoirs[c].append((line, text))
    want = [(LABELS[c], t) for c in range(4) for _, t in sorted(reservoirs[c])]
    with open(out_dir + "/dataset_sentences.csv", newline="", encoding="utf-8") as f:
        got = [(r["Domain"], r["Sentence"]) for r in csv.DictReader(f)]
    if got != want:
        print("got:", *got, "want:", *want, sep="\n  ")
        sys.exit(1)
    replaced = sum(1 for c in range(4) if seen[c] > k)
    print(f"ok: {len(want)} sentences, {replaced} classes sampled from more than {k}")


main()
