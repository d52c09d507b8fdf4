#!/usr/bin/env python3
"""Checks the similarity/focus content of an attnscope report against what the commands print
(stdlib only; reads the page with report_check.load):

    words_report_check.py similarity REPORT SIMILARITY.json [CHART.svg]
        the cosine table equals `similarity --json` (every model, every state, exactly), the word's
        tokens table names the JSON's tokens, the chart is the --figures SVG (ids prefixed)
    words_report_check.py focus REPORT FOCUS.json [BARS.svg HEATMAP.svg] [--model LABEL]
        the focus table of LABEL (or the only one) equals `focus --json` rows exactly; the two
        charts are the --figures SVGs
"""
import json
import re
import sys
import os

sys.path.insert(0, os.path.dirname(__file__))
import report_check  # noqa: E402


def unprefix(svg):
    # attn_figure_svg prefixes every id and reference with "wN-" inside a report, and adds the
    # values on hover (<g class="attn-values">) before the closing tag
    svg = re.sub(r'<g class="attn-values">\n.*?</g>\n(?=</svg>)', "", svg, flags=re.S)
    return re.sub(r'(id="|#)w\d+-', r"\1", svg)


def chart(p, start, path):
    found = [c for c in p.meta["charts"] if c["title"].startswith(start)]
    assert len(found) == 1, "want one chart '%s...', found %s" % (start, [c["title"] for c in p.meta["charts"]])
    if path:
        with open(path, encoding="utf-8") as f:
            assert unprefix(found[0]["svg"]) == f.read(), "chart '%s' is not %s" % (start, path)


def sentence_of(p, text):
    hits = [i for i, s in enumerate(p.meta["sentences"]) if s["text"] == text]
    assert len(hits) == 1, "sentence %r in the report %d times" % (text, len(hits))
    return hits[0]


def similarity(p, results, svg):
    results = results if isinstance(results, list) else [results]
    word = results[0]["word"]
    t = next(t for t in p.meta["tables"] if t["title"].startswith("Cosine similarity of '%s'" % word))
    for r in results:
        col = t["columns"].index(r["model"])
        got = [row[col] for row in t["rows"][: len(r["cosine"])]]
        assert got == r["cosine"], (r["model"], got, r["cosine"])
    toks = next(t for t in p.meta["tables"] if t["title"].startswith("Tokens of '%s'" % word))
    assert toks["link"] == "sentence"
    for r in results:
        for k in range(2):
            s = sentence_of(p, r["sentences"][k])
            want = " ".join("%d:%s" % (i, tk) for i, tk in zip(r["token_index"][k], r["tokens"][k]))
            row = [x for x in toks["rows"] if x[0] == s and x[2] == r["model"]]
            assert row and row[0][3] == want, (row, want)
            assert len(p.meta["sentences"][s]["entries"]) == len(p.meta["models"]), "every model's attention"
    chart(p, "Cosine similarity of '%s'" % word, svg)


def focus(p, r, bars, heat, model):
    word = r["word"]
    tables = [t for t in p.meta["tables"] if t["title"].startswith("Where '%s' attends" % word)]
    if model:
        tables = [t for t in tables if (", %s)" % model) in t["title"]]
    assert len(tables) == 1, [t["title"] for t in tables]
    t = tables[0]
    s = sentence_of(p, r["sentence"])
    assert t["link"] == "sentence" and len(t["columns"]) == 3 + len(r["tokens"]), t["columns"]
    assert len(t["rows"]) == len(r["rows"])
    for row, want in zip(t["rows"], r["rows"]):
        assert row[0] == s and row[1] == want["layer"] and row[2] == want["head"], (row[:3], want)
        assert row[3:] == want["weights"], (row[3:], want["weights"])
    suffix = ", %s)" % model if model else ")"
    found = [c for c in p.meta["charts"] if c["title"].startswith("Where '%s' attends (" % word) and c["title"].endswith(suffix)]
    assert len(found) == 1, [c["title"] for c in p.meta["charts"]]
    if bars:
        chart(p, found[0]["title"], bars)
        heat_title = [c["title"] for c in p.meta["charts"] if c["title"].startswith("Where '%s' attends, " % word)
                      and (not model or c["title"].endswith(", " + model))]
        assert len(heat_title) == 1, heat_title
        chart(p, heat_title[0], heat)


def main():
    cmd, path, res = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3], encoding="utf-8"))
    rest = sys.argv[4:]
    model = None
    if "--model" in rest:
        k = rest.index("--model")
        model = rest[k + 1]
        rest = rest[:k] + rest[k + 2:]
    p = report_check.load(path)
    if cmd == "similarity":
        similarity(p, res, rest[0] if rest else None)
    elif cmd == "focus":
        focus(p, res, rest[0] if rest else None, rest[1] if len(rest) > 1 else None, model)
    else:
        sys.exit("unknown command " + cmd)
    print("ok", cmd)


if __name__ == "__main__":
    main()
