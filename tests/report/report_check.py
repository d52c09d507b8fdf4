#!/usr/bin/env python3
"""Reads an attnscope HTML report with the standard library only (html.parser, json, zlib,
base64, hashlib) and checks it independently of the C writer and the page's JavaScript.

    report_check.py csp REPORT                   CSP present, forbids the network, hashes match
    report_check.py safe REPORT                  no markup from data: one inline script, JSON escapes
    report_check.py compare REPORT DUMP [--compact]
        every (sentence i, model m) attention equals attentions.i of DUMP (one dump per model:
        DUMP may be given as m=PATH several times) within half a quantization step
    report_check.py tokens REPORT MODEL TOKENS.jsonl   entry tokens equal `tokenize --output`
"""
import base64
import hashlib
import html.parser
import json
import math
import os
import re
import sys
import zlib
from array import array

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
import safetensors_check  # noqa: E402  (the plain safetensors reader of the CLI tests)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.styles, self.metas, self.tags, self._in = [], [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "meta":
            self.metas.append(dict(attrs))
        if tag in ("script", "style"):
            self._in = (tag, dict(attrs), [])

    def handle_endtag(self, tag):
        if self._in and tag == self._in[0]:
            kind, attrs, parts = self._in
            (self.scripts if kind == "script" else self.styles).append((attrs, "".join(parts)))
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._in[2].append(data)


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    p = Page()
    p.feed(text)
    p.text = text
    p.meta = json.loads(next(t for a, t in p.scripts if a.get("id") == "attn-meta"))
    p.blobs = {a["id"]: json.loads(t) for a, t in p.scripts if a.get("id", "").startswith("attn-blob-")}
    return p


def decode(p, desc):
    raw = zlib.decompress(base64.b64decode(p.blobs["attn-blob-%d" % desc["blob"]]))
    planes = desc["shuffle"]
    n = len(raw) // planes
    inter = bytearray(len(raw))
    for b in range(planes):
        inter[b::planes] = raw[b * n:(b + 1) * n]
    if desc["dtype"] == "u16":
        v = array("H")
        v.frombytes(bytes(inter))
        return [x / desc["scale"] for x in v], desc["scale"]
    v = array("f")
    v.frombytes(bytes(inter))
    return list(v), None


def sha256_b64(s):
    return base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode()


def check_csp(p):
    csp = [m["content"] for m in p.metas if m.get("http-equiv", "").lower() == "content-security-policy"]
    assert len(csp) == 1, "no CSP meta tag"
    csp = csp[0]
    assert "default-src 'none'" in csp, csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, csp
    code = [t for a, t in p.scripts if "type" not in a]
    assert len(code) == 1, "want exactly one executable script, found %d" % len(code)
    assert "'sha256-%s'" % sha256_b64(code[0]) in csp, "script hash not in CSP"
    assert len(p.styles) == 1 and "'sha256-%s'" % sha256_b64(p.styles[0][1]) in csp, "style hash not in CSP"


def check_safe(p):
    for tag, attrs in p.tags:
        assert tag not in ("img", "iframe", "object", "embed", "link", "base", "form"), "markup from data: <%s>" % tag
        for k in attrs:
            assert not k.startswith("on"), "event handler attribute %s on <%s>" % (k, tag)
    for a, t in p.scripts:
        if a.get("type") == "application/json":
            assert not re.search(r"[<>&\u2028\u2029]", t), "unescaped <, >, & or U+2028/9 in %s" % a.get("id")


def compare(p, dumps, compact):
    checked = 0
    for si, s in enumerate(p.meta["sentences"]):
        for e in s["entries"]:
            shape, ref = dumps[e["model"]]["attentions.%d" % si]
            got, scale = decode(p, e["attention"])
            assert e["attention"]["shape"] == list(shape), (e["attention"]["shape"], shape)
            assert scale == (1000 if compact else 65535), scale
            worst = max(abs(a - b) for a, b in zip(got, ref))
            # half a step, or one where the writer moved a value to show its own 3 decimals
            assert worst <= (0.5 if compact else 1.0) / scale + 1e-7, "sentence %d model %d: off by %g" % (si, e["model"], worst)
            # the page shows toFixed(3) of the value read into a Float32Array: exactly ref's 3 decimals
            shown = array("f", got)
            bad = [(a, b) for a, b in zip(shown, ref) if math.floor(a * 1000 + 0.5) != math.floor(b * 1000 + 0.5)]
            assert not bad, "sentence %d model %d: %d values show other 3 decimals, e.g. %s" % (si, e["model"], len(bad), bad[:3])
            checked += 1
    assert checked, "no entries"
    return checked


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    p = load(path)
    if cmd == "csp":
        check_csp(p)
    elif cmd == "safe":
        check_safe(p)
    elif cmd == "compare":
        compact = "--compact" in sys.argv
        args = [a for a in sys.argv[3:] if a != "--compact"]
        dumps = {}
        for k, a in enumerate(args):
            m, _, f = a.partition("=") if "=" in a else (str(k), "", a)
            dumps[int(m)] = safetensors_check.load(f)
        print("compared", compare(p, dumps, compact), "entries")
    elif cmd == "tokens":
        model, lines = int(sys.argv[3]), [json.loads(l) for l in open(sys.argv[4], encoding="utf-8") if l.strip()]
        for si, s in enumerate(p.meta["sentences"]):
            e = next(e for e in s["entries"] if e["model"] == model)
            assert e["tokens"] == lines[si]["tokens"], (e["tokens"], lines[si]["tokens"])
            wids = [-1 if w is None else w for w in lines[si]["word_ids"]]
            assert e.get("word_ids") == wids, (e.get("word_ids"), wids)
    elif cmd == "field":  # prints a JSON value of the meta: field REPORT EXPR (python over `m`)
        print(json.dumps(eval(sys.argv[3], {"m": p.meta})))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
