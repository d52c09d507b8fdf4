#!/bin/sh
# The report in a real browser (Debian chromium, headless, via npm playwright-core): builds the
# fixture reports, then runs browser_test.js on them. Exit 77 (skipped) when chromium or
# playwright-core is missing — except under CI=true, where that is a failure.
#   test_browser.sh ATTNSCOPE GEN_CORPUS PYTHON DATA_DIR
set -u
bin=$1 gen=$2 py=$3 data=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ -d "$root/.deps/node_modules" ] && export NODE_PATH="${NODE_PATH:+$NODE_PATH:}$root/.deps/node_modules"
missing=""
command -v node >/dev/null 2>&1 || missing="node"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
node -e 'require("playwright-core")' >/dev/null 2>&1 || missing="$missing playwright-core"
if [ -n "$missing" ]; then
    if [ "${CI:-}" = "true" ]; then echo "FAIL: CI=true but missing:$missing (scripts/install-deps.sh installs them)"; exit 1; fi
    echo "skipped: missing$missing (scripts/install-deps.sh installs them)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set -e
bert=$data/models/bert-tiny rob=$data/models/roberta-tiny
"$bin" view --quiet "$bert" R="$rob" 'The bank <script>alert(1)</script> "><img src=x onerror=alert(1)>' \
    --pair 'It raised rates.' -o "$tmp/xss.html"
long=$($py -c 'print(" ".join((["the", "bank", "river", "money", "rates", "city"] * 85)[:510]))')
"$bin" view --quiet "$bert" "$long" -o "$tmp/long.html"
$py "$here/make_qk.py" "$tmp/qk.safetensors" "$tmp/qk.json"
"$bin" view --quiet --attentions QK="$tmp/qk.safetensors" --tokens "$tmp/qk.json" -o "$tmp/neuron.html"
"$gen" "$tmp/corpus.html" 100
"$bin" compare BERT="$bert" DistilBERT="$data/models/distilbert-tiny" RoBERTa="$rob" --corpus "$root/examples/corpus/news.tsv" \
    --out "$tmp/compare" --similarity bank --focus bank --words-corpus "$root/examples/corpus/bank.txt" --quiet >/dev/null
cp "$tmp/compare/report.html" "$tmp/compare.html"
first=$($py -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter="\t"))["text"])' "$root/examples/corpus/news.tsv")
"$bin" align BERT="$bert" DistilBERT="$data/models/distilbert-tiny" RoBERTa="$rob" "$first" --layer 1 --json --quiet >"$tmp/align.json"
"$bin" similarity --quiet BERT="$bert" RoBERTa="$rob" --word bank "The bank of the river was calm." \
    "She went to the bank to deposit money." --report "$tmp/similarity.html" >/dev/null
"$bin" focus --quiet RoBERTa="$rob" --word bank "The bank of the river was calm." --layer 1 --report "$tmp/focus.html" >/dev/null
"$bin" view --quiet R="$rob" '<i>bank</i> 🤗 東京 "><img src=x onerror=alert(1)>' -o "$tmp/emoji.html"
# markup in model labels (LABEL= may hold '=', '/' and quotes), in the -o file name and the corpus file name
mark='"><img src=x onerror=alert(1)>'
"$bin" view --quiet '<script>alert(1)</script>'="$bert" "$mark"="$rob" "$mark <script>alert(1)</script>" -o "$tmp/names $mark.html"
head -5 "$root/examples/corpus/news.tsv" >"$tmp/$mark.tsv"
"$bin" compare "$mark"="$bert" '<script>alert(1)</script>'="$rob" --corpus "$tmp/$mark.tsv" --out "$tmp/names-compare" --quiet >/dev/null
set +e
node "$here/browser_test.js" "$tmp"
