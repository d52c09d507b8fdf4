#!/usr/bin/env python3
"""compare --focus WORD with --focus-layer/--focus-head/--focus-rollout: the focus table of
report.html equals `attnscope focus --json` with the same --layer/--head/--rollout, row for row and
value for value, for each model; the bad combinations are usage errors, a layer past a model's is
one error line before any work.

    test_compare_focus.py ATTNSCOPE DATA_DIR"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "report"))
import report_check  # noqa: E402

cli, data = sys.argv[1:3]
models = {"bert-tiny": os.path.join(data, "models", "bert-tiny"), "roberta-tiny": os.path.join(data, "models", "roberta-tiny")}
SENT = "The bank of the river was calm, and the river ran past the bank."
fails = 0


def check(cond, what):
    global fails
    if not cond:
        print("FAIL:", what)
        fails += 1


def run(*args):
    return subprocess.run([cli, *args], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    corpus, wc = os.path.join(tmp, "c.txt"), os.path.join(tmp, "w.txt")
    open(corpus, "w").write("The cat sat on the mat.\nA dog ran in the park.\n")
    open(wc, "w").write("No such word here at all.\n" + SENT + "\n")
    choices = [[], ["--layer", "1"], ["--head", "2"], ["--layer", "0", "--head", "3"], ["--rollout"], ["--rollout", "--layer", "1"]]
    for k, choice in enumerate(choices):
        out = os.path.join(tmp, "cmp%d" % k)
        opts = [("--focus-" + o[2:]) if o.startswith("--") else o for o in choice]
        r = run("compare", "--quiet", *models.values(), "--corpus", corpus, "--out", out, "--focus", "river",
                "--words-corpus", wc, *opts)
        check(r.returncode == 0, f"compare {opts}: exit {r.returncode}: {r.stderr}")
        if r.returncode:
            continue
        tables = [t for t in report_check.load(os.path.join(out, "report.html")).meta["tables"] if "attends" in t["title"]]
        check(len(tables) == 2, f"compare {opts}: one focus table per model: {[t['title'] for t in tables]}")
        for label, path in models.items():
            f = run("focus", "--quiet", path, "--word", "river", SENT, "--json", *choice)
            want = json.loads(f.stdout) if f.returncode == 0 else None
            got = [t for t in tables if ", %s)" % label in t["title"]]
            if not want or len(got) != 1:
                check(False, f"{label} {choice}: focus exit {f.returncode} {f.stderr}, tables {len(got)}")
                continue
            t = got[0]
            check(want["mode"] in t["title"], f"{label} {choice}: mode {want['mode']!r} in {t['title']!r}")
            check(len(t["columns"]) == 3 + len(want["tokens"]), f"{label} {choice}: a column per token")
            rows = [(row[1], row[2], row[3:]) for row in t["rows"]]
            wanted = [(w["layer"], w["head"], w["weights"]) for w in want["rows"]]
            check(rows == wanted, f"{label} {choice}: compare's rows = focus --json's ({len(rows)} vs {len(wanted)} rows)")

    def usage(needle, *opts):
        r = run("compare", "--quiet", models["bert-tiny"], "--corpus", corpus, "--out", os.path.join(tmp, "bad"), *opts)
        err = r.stderr.strip().splitlines()
        check(r.returncode == 2 and len(err) == 1 and needle in err[0], f"{opts}: {r.returncode} {err}")

    usage("go with --focus WORD", "--focus-layer", "1")
    usage("takes no --focus-head", "--focus", "river", "--words-corpus", wc, "--focus-rollout", "--focus-head", "1")
    usage("--focus-head wants a number from 0", "--focus", "river", "--words-corpus", wc, "--focus-head", "x")
    r = run("compare", "--quiet", models["bert-tiny"], "--corpus", corpus, "--out", os.path.join(tmp, "bad"), "--focus", "river",
            "--words-corpus", wc, "--focus-layer", "2")
    check(r.returncode == 1 and r.stderr.strip() == "attnscope: bert-tiny: --focus-layer 2: the model has layers 0..1" and
          not os.path.exists(os.path.join(tmp, "bad")), f"--focus-layer past the model: {r.returncode} {r.stderr!r}")

print("test_compare_focus:", "FAILED (%d failures)" % fails if fails else "ok")
sys.exit(1 if fails else 0)
