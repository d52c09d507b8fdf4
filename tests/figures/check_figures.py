#!/usr/bin/env python3
"""Checks the files test_figures wrote: every kind in every format exists; each SVG parses as XML
and declares the figure's size; each PDF has one page (pdfinfo); the labels are present as text
(cairo writes SVG text as glyph outlines, so text is read from the PDF with pdftotext, which
also gives every word's box: none may leave the page); the SVGs equal the committed goldens
byte for byte (ATTN_UPDATE_GOLDEN=1 rewrites them); given the test_figures program, a second
process renders everything again and every SVG and PDF must be byte-identical.
    check_figures.py OUTDIR GOLDEN_DIR [TEST_FIGURES]"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

KINDS = ["metric_bars", "domain_bars", "head_grids", "head_map", "agreement", "bench", "similarity",
         "focus_bars", "focus_heatmap", "attention_head", "attention_layer", "model_view", "head_view"]
EXTRA = ["unicode_head_view", "large_attention_head", "large_head_view", "large_focus_bars"]
GOLDEN = ["domain_bars", "agreement", "similarity", "head_view"]

# words that must appear in each figure's text (titles, axis titles, ticks, legends, tokens)
LABELS = {
    "metric_bars": ["Attention Patterns per Model", "CLS Attention Max", "Entropy", "DistilBERT", "Model"],
    "domain_bars": ["Attention Patterns by Domain", "Content/Function Ratio", "Sci/Tech", "World", "RoBERTa",
                    "Domain", "40"],
    "head_grids": ["BERT: head statistics", "Attention to [CLS]", "Mean distance", "Layer", "Head", "0.50"],
    "head_map": ["Head map", "MDS dimension 1", "MDS dimension 2", "Layer", "BERT", "DistilBERT"],
    "agreement": ["Model agreement", "BERT L0", "Distil L2", "DistilBERT layer", "Agreement", "1.0"],
    "bench": ["Transformer Models Performance", "Inference Time", "Memory Usage", "Parameter Count",
              "Speed vs Parameters", "Time (ms)", "Memory (MB)", "120M", "RoBERTa"],
    "similarity": ["Cosine similarity of 'bank'", "Hidden state (0 = embeddings)", "Cosine similarity", "BERT",
                   "DistilBERT", "RoBERTa", "0.90"],
    "focus_bars": ["Where 'bank' attends in sentence 1", "Attention", "Token", "[CLS]", "river", "[SEP]"],
    "focus_heatmap": ["across layers", "L2", "calm", "Layer", "Attention"],
    "attention_head": ["bert-tiny: layer 1, head 0", "Attended to (key)", "Attending", "river", "0.8"],
    "attention_layer": ["bert-tiny: layer 1, all heads", "Head 0", "Head 1", "bank", "Attention"],
    "model_view": ["bert-tiny: model view", "Head", "Layer", "Attention"],
    "head_view": ["bert-tiny: head view, layer 1", "Head 0", "Head 1", "attending", "attended to", "calm"],
    "unicode_head_view": ["東京", "Москва", "naïve", "\u21b5"],
    "large_attention_head": ["128 tokens", "token117", "w127"],
}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def check_svg(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return fail(f"{path}: not XML ({e})")
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        fail(f"{path}: root is {root.tag}")
    if not re.fullmatch(r"\d+pt", root.get("width", "")) or not re.fullmatch(r"\d+pt", root.get("height", "")):
        fail(f"{path}: width/height {root.get('width')} {root.get('height')}")
    if len(list(root.iter())) < 20:
        fail(f"{path}: almost empty")


def check_pdf(name, path):
    info = run(["pdfinfo", path])
    pages = re.search(r"^Pages:\s+(\d+)", info, re.M)
    if not pages or pages.group(1) != "1":
        fail(f"{path}: pages {pages.group(1) if pages else '?'}")
    if "CreationDate:    Sat Jan  1 00:00:00 2000" not in info:
        fail(f"{path}: the creation date is not the fixed one:\n{info}")
    text = run(["pdftotext", "-raw", path, "-"])
    flat = " ".join(text.split())
    for label in LABELS.get(name, []):
        if label not in text and label not in flat:
            fail(f"{path}: label {label!r} not found in its text: {flat[:300]}")
    bbox = run(["pdftotext", "-bbox", path, "-"])
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', bbox)
    W, H = float(page.group(1)), float(page.group(2))
    words = []
    for m in re.finditer(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>', bbox):
        x0, y0, x1, y1 = map(float, m.groups()[:4])
        words.append((x0, y0, x1, y1, m.group(5)))
        if x0 < -0.5 or y0 < -0.5 or x1 > W + 0.5 or y1 > H + 0.5:
            fail(f"{path}: word {m.group(5)!r} at ({x0:.1f},{y0:.1f})-({x1:.1f},{y1:.1f}) leaves the {W}x{H} page")
    # no two words overlap (labels, ticks, tokens, legends; rotated ones too)
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5:
                fail(f"{path}: words {a[4]!r} and {b[4]!r} overlap")


def main():
    out, golden = sys.argv[1], sys.argv[2]
    for tool in ("pdfinfo", "pdftotext"):
        if not shutil.which(tool):
            fail(f"{tool} not found (Debian poppler-utils; scripts/install-deps.sh installs it)")
            return 1
    for name in KINDS + EXTRA:
        for ext in ("svg", "png", "pdf"):
            p = os.path.join(out, f"{name}.{ext}")
            if not os.path.isfile(p) or os.path.getsize(p) == 0:
                fail(f"{p}: missing")
        if failures:
            continue
        check_svg(os.path.join(out, f"{name}.svg"))
        check_pdf(name, os.path.join(out, f"{name}.pdf"))
        with open(os.path.join(out, f"{name}.png"), "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                fail(f"{name}.png: not a PNG")
    update = os.environ.get("ATTN_UPDATE_GOLDEN") == "1"
    for name in GOLDEN:
        got, want = os.path.join(out, f"{name}.svg"), os.path.join(golden, f"{name}.svg")
        if update:
            os.makedirs(golden, exist_ok=True)
            shutil.copyfile(got, want)
            continue
        if not os.path.isfile(want):
            fail(f"{want}: no golden (ATTN_UPDATE_GOLDEN=1 writes it)")
        elif open(got, "rb").read() != open(want, "rb").read():
            fail(f"{got} differs from the golden {want}")
    if len(sys.argv) > 3:
        with tempfile.TemporaryDirectory() as again:
            subprocess.run([sys.argv[3], again], check=True, capture_output=True)
            for name in KINDS + EXTRA:
                for ext in ("svg", "pdf"):
                    a, b = os.path.join(out, f"{name}.{ext}"), os.path.join(again, f"{name}.{ext}")
                    if open(a, "rb").read() != open(b, "rb").read():
                        fail(f"{name}.{ext}: another process drew different bytes")
    print(f"check_figures: {len(KINDS + EXTRA)} figures, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
