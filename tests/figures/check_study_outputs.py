#!/usr/bin/env python3
"""Checks what `compare --figures` and `compare` (report.html) wrote, with the standard library
and poppler's pdftotext only.

    check_study_outputs.py figures DIR LABEL...       every study chart in svg/png/pdf: SVG is XML,
                                                      PNG decodes and is not blank, PDF text has
                                                      the titles and model labels
    check_study_outputs.py report REPORT.html CORPUS.tsv MAX LABEL...
                                                      the report's sentences, domains, tables and
                                                      charts; word-level matrices on the words
"""
import csv
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "report"))
import report_check  # noqa: E402  (the report reader of the report tests)
sys.path.insert(0, os.path.dirname(__file__))
import check_figures  # noqa: E402  (one page, fixed date, no word off the page, no two words overlapping)

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def png_pixels_vary(path):
    """Decodes the PNG (8-bit RGB/RGBA, any filter) and says whether its pixels differ."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4}[color]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set()
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.add(bytes(line))
        prev = line
    return len(rows) > 10


def check_study_figures(d, labels):
    pairs = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]]
    want = {"metrics_by_model": ["Attention Patterns per Model", "CLS Attention Max", "Entropy"] + labels,
            "metrics_by_domain": ["Attention Patterns by Domain", "Content/Function Ratio", "Sci/Tech", "World"] + labels}
    for m in labels:
        want["head_stats_" + m] = [m + ": head statistics", "to_first", "entropy_norm", "Layer", "Head"]
        want["head_map_" + m] = [m + ": head map", "MDS dimension 1", "Layer"]
    for a, b in pairs:
        want[f"agreement_{a}_{b}"] = [f"Model agreement: {a} vs {b}", f"{a} layer", f"{b} layer", "JS distance"]
    have = sorted(os.listdir(d))
    expect = sorted(f"{s}.{e}" for s in want for e in ("svg", "png", "pdf"))
    if have != expect:
        fail(f"{d}: files {have}, want {expect}")
    for stem, words in want.items():
        try:
            root = ET.parse(os.path.join(d, stem + ".svg")).getroot()
            if root.tag != "{http://www.w3.org/2000/svg}svg" or len(list(root.iter())) < 20:
                fail(f"{stem}.svg: not a drawing")
        except (ET.ParseError, OSError) as e:
            fail(f"{stem}.svg: {e}")
        if not png_pixels_vary(os.path.join(d, stem + ".png")):
            fail(f"{stem}.png: not a PNG or blank")
        text = subprocess.run(["pdftotext", "-raw", os.path.join(d, stem + ".pdf"), "-"], capture_output=True,
                              text=True).stdout
        flat = " ".join(text.split())
        check_figures.check_pdf(stem, os.path.join(d, stem + ".pdf"))
        for w in words:
            if w not in flat:
                fail(f"{stem}.pdf: {w!r} not in its text: {flat[:200]}")


def check_report(path, corpus, max_sentences, labels):
    p = report_check.load(path)
    report_check.check_csp(p)
    report_check.check_safe(p)
    meta = p.meta
    with open(corpus, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    n = min(max_sentences, len(rows))
    if [m["label"] for m in meta["models"]] != labels:
        fail(f"models {meta['models']}")
    sents = meta["sentences"]
    if len(sents) != n:
        fail(f"{len(sents)} sentences, want {n}")
    for i, s in enumerate(sents[:n]):
        r = rows[i]
        if s["text"] != r["text"] or s["domain"] != r.get("label", r.get("domain")) or s["id"] != f"S{i + 1}":
            fail(f"sentence {i}: {s['id']} {s['domain']} {s['text']!r} vs {r['label']} {r['text']!r}")
        if sorted(e["model"] for e in s["entries"]) != list(range(len(labels))):
            fail(f"sentence {i}: entries of models {[e['model'] for e in s['entries']]}")
        for e in s["entries"]:
            words = s["text"].split()
            if e.get("words") != words or "word_attention" in e or e["attention"]["scale"] != 1000:
                fail(f"sentence {i} model {e['model']}: words {e.get('words')}, a word blob or not 3 decimals")
            # each token's word, found here from its offsets and the whitespace words' spans
            spans, at = [], 0
            for w in words:
                at = s["text"].index(w, at)
                spans.append((at, at + len(w)))
                at += len(w)
            off = e["offsets"]
            want = [next((k for k, (a, b) in enumerate(spans) if a <= off[2 * t] < b), -1) if off[2 * t + 1] > off[2 * t]
                    and e["segments"][t] == 0 else -1 for t in range(len(e["tokens"]))]
            if e.get("token_words") != want:
                fail(f"sentence {i} model {e['model']}: token_words {e.get('token_words')}, want {want}")
    tables = {t["title"].split(" (")[0]: t for t in meta["tables"]}
    for name in ("Architecture", "Overall averages per model", "Metrics by domain", "Metrics by sentence",
                 "Head statistics", "Model agreement"):
        if name not in tables:
            fail(f"no table {name!r}: {list(tables)}")
    if failures:
        return
    per = tables["Metrics by sentence"]
    if per["link"] != "sentence" or len(per["rows"]) != n * len(labels):
        fail(f"per-sentence table: link {per['link']}, {len(per['rows'])} rows")
    if len(rows) > n and f"the first {n} of {len(rows)}" not in per["title"]:
        fail(f"per-sentence title {per['title']!r}")
    col = per["columns"].index
    for r in per["rows"]:
        s = rows[r[col("sentence")]]
        if r[col("Sentence")] != s["text"] or r[col("Domain")] != s.get("label", s.get("domain")):
            fail(f"per-sentence row {r[:5]}")
            break
    dom = tables["Metrics by domain"]
    if sorted({r[0] for r in dom["rows"]}) != sorted({r.get("label", r.get("domain")) for r in rows}):
        fail(f"domain pivot domains {dom['rows']}")
    hs = tables["Head statistics"]
    if "layer" not in hs["columns"] or "head" not in hs["columns"]:
        fail(f"head statistics columns {hs['columns']}")
    titles = [c["title"] for c in meta["charts"]]
    for t in ("Attention Patterns per Model", "Attention Patterns by Domain") + tuple(f"{m}: head map" for m in labels):
        if not any(x.startswith(t) for x in titles):
            fail(f"no chart {t!r}: {titles}")
    ids = [re.findall(r'\bid="([^"]+)"', c["svg"]) for c in meta["charts"]]
    flat = [i for x in ids for i in x]
    if len(flat) != len(set(flat)):
        fail("chart ids clash between the inline SVGs")
    for c in meta["charts"]:
        ET.fromstring(c["svg"])


def main():
    if sys.argv[1] == "figures":
        check_study_figures(sys.argv[2], sys.argv[3:])
        failures.extend(check_figures.failures)
    else:
        check_report(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:])
    print(f"check_study_outputs {sys.argv[1]}: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
