#!/usr/bin/env python3
"""Synthetic news-like corpus for scale tests: N lines "domain<TAB>sentence" (TSV with a header),
10-25 words each, drawn from the vocabulary of examples/corpus/news.tsv (per domain), seeded.

usage: gen_corpus.py N OUT.tsv [--seed S] [--source examples/corpus/news.tsv]"""
import argparse
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--source", default="examples/corpus/news.tsv")
    a = ap.parse_args()
    vocab = {}
    with open(a.source, encoding="utf-8") as f:
        next(f)
        for line in f:
            domain, text = line.rstrip("\n").split("\t", 1)
            vocab.setdefault(domain, []).extend(w.strip(".,;:!?\"'") for w in text.split())
    domains = sorted(vocab)
    rng = random.Random(a.seed)
    with open(a.out, "w", encoding="utf-8") as out:
        out.write("domain\ttext\n")
        for i in range(a.n):
            d = domains[i % len(domains)]
            words = [w for w in rng.choices(vocab[d], k=rng.randint(10, 25)) if w] or ["news"]
            words[0] = words[0][:1].upper() + words[0][1:]
            out.write("%s\t%s.\n" % (d, " ".join(words)))


if __name__ == "__main__":
    main()
