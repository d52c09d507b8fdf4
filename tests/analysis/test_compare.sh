#!/bin/sh
# attnscope compare end to end: seed metrics against the seed notebook's numbers, corrected metrics,
# head statistics and distances against an independent Python computation, the JSON summary, bad
# corpora (message, exit code, nothing written) and the AG News preparation.
#     test_compare.sh ATTNSCOPE PYTHON DATA WORK
set -u
exe=$1 py=$2 data=$3 work=$4
here=$(dirname "$0")
m=$data/models
rm -rf "$work" && mkdir -p "$work"
fail=0
check() { if [ "$1" -ne 0 ]; then echo "FAIL: $2"; fail=1; fi; }

"$exe" compare BERT=$m/bert-tiny DistilBERT=$m/distilbert-tiny RoBERTa=$m/roberta-tiny \
    --corpus "$data/metrics/corpus.tsv" --out "$work/seed" --metrics seed --batch-size 5 >"$work/seed.txt" 2>"$work/seed.err"
check $? "compare --metrics seed"
"$py" "$here/check_compare.py" seed "$work/seed" "$data/metrics/metrics_by_sentence.seed.csv"
check $? "seed metrics match the notebook's"
grep -q "Average metrics by domain and model" "$work/seed.txt" && grep -q "wall time" "$work/seed.txt"
check $? "the tables and the wall time are printed"

"$exe" compare BERT=$m/bert-tiny DistilBERT=$m/distilbert-tiny RoBERTa=$m/roberta-tiny \
    --corpus "$data/metrics/corpus.tsv" --out "$work/corrected" --quiet --batch-size 3 >/dev/null
check $? "compare (corrected)"
"$py" "$here/check_compare.py" study "$exe" "$work/corrected" "$data/metrics/corpus.tsv" "$work/py" \
    BERT=$m/bert-tiny DistilBERT=$m/distilbert-tiny RoBERTa=$m/roberta-tiny
check $? "corrected metrics, head statistics and distances match the Python computation"

# the example corpus: 100 sentences, more than one window of 64
"$exe" compare D=$m/distilbert-tiny --corpus "$data/../../examples/corpus/news.tsv" --out "$work/news" --quiet --batch-size 3 >/dev/null
check $? "compare over examples/corpus/news.tsv"
"$py" "$here/check_compare.py" study "$exe" "$work/news" "$data/../../examples/corpus/news.tsv" "$work/py" D=$m/distilbert-tiny
check $? "several windows match the Python computation"

"$exe" compare $m/roberta-tiny --corpus "$data/metrics/corpus.tsv" --out "$work/all" --layer all --json --quiet >"$work/all.json"
check $? "compare --layer all --json"
"$py" "$here/check_compare.py" study "$exe" "$work/all" "$data/metrics/corpus.tsv" "$work/py" all roberta-tiny=$m/roberta-tiny
check $? "--layer all matches the Python computation"
"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['sentences']==24 and d['models'][0]['label']=='roberta-tiny' and len(d['overall'])==2 and d['overall'][0]['Layer']==0, d" "$work/all.json"
check $? "--json summary"

printf '# my list\nThe\nriver\n\nto\n' >"$work/words.txt"
"$exe" compare $m/bert-tiny --corpus "$data/metrics/corpus.tsv" --out "$work/fw" --function-words "$work/words.txt" --quiet >/dev/null
check $? "compare --function-words"
"$py" "$here/check_compare.py" study "$exe" "$work/fw" "$data/metrics/corpus.tsv" "$work/py" fw="$work/words.txt" bert-tiny=$m/bert-tiny
check $? "--function-words matches the Python computation"
"$exe" compare $m/roberta-tiny --corpus "$data/metrics/corpus.tsv" --out "$work/layer0" --layer 0 --quiet >/dev/null
check $? "compare --layer 0"
"$py" - "$work/layer0/metrics_by_sentence.csv" "$work/all/metrics_by_sentence.csv" <<'PY'
import csv, sys
one = list(csv.DictReader(open(sys.argv[1])))
layer0 = [{k: v for k, v in r.items() if k != "Layer"} for r in csv.DictReader(open(sys.argv[2])) if r["Layer"] == "0"]
sys.exit(0 if one == layer0 and len(one) == 24 else 1)
PY
check $? "--layer 0 gives the Layer 0 rows of --layer all"
"$exe" compare --corpus x --out y >/dev/null 2>&1
[ $? -eq 2 ]
check $? "no MODEL is a usage error"

# bad corpora: one line naming the file (and line), exit 1, nothing in --out
bad() { # NAME CONTENT EXPECTED [options]
    name=$1 content=$2 want=$3
    shift 3
    printf "%b" "$content" >"$work/$name"
    rm -rf "$work/out_bad"
    "$exe" compare $m/bert-tiny --corpus "$work/$name" --out "$work/out_bad" --quiet "$@" >/dev/null 2>"$work/err"
    rc=$?
    [ $rc -eq 1 ] && grep -q -- "$name.*$want" "$work/err" && [ "$(wc -l <"$work/err")" -eq 1 ] \
        && [ -z "$(ls -A "$work/out_bad")" ]
    check $? "bad corpus $name: rc $rc, stderr: $(cat "$work/err"), out: $(ls -A "$work/out_bad" | tr '\n' ' ')"
}
bad missing.csv 'label,body\nW,x\n' ":1: no column 'text'"
bad ragged.tsv 'text\tlabel\na\tb\nc\td\te\n' ":3: 3 fields"
bad utf8.txt 'fine\nbroken \303\050\n' ":2: invalid UTF-8"
bad empty.txt '' "empty file"
bad notjson.jsonl '{"text": "a"}\n{"text": oops}\n' ":2: not a JSON object"
bad late.txt "$(i=0; while [ $i -lt 100 ]; do printf 'sentence %d here\\n' $i; i=$((i+1)); done)bad \377\n" ":101: invalid UTF-8"
bad labels.csv 'text,label\na,b\n' ":1: no column 'topic'" --label-column topic
printf 'the\n' >"$work/fw.txt"
rm -rf "$work/out_fw"
"$exe" compare $m/bert-tiny --corpus "$data/metrics/corpus.tsv" --out "$work/out_fw" --function-words "$work/nofile" --quiet >/dev/null 2>&1
[ $? -eq 1 ] && [ -z "$(ls -A "$work/out_fw")" ]
check $? "a missing --function-words file is an error before any output"
printf 'x' >"$work/not_a_dir"
"$exe" compare $m/bert-tiny --corpus "$data/metrics/corpus.tsv" --out "$work/not_a_dir" --quiet >/dev/null 2>&1
[ $? -eq 1 ]
check $? "--out naming a file is refused"

# AG News: the seed's cleaning, word window and a seeded per-class draw
"$exe" compare $m/bert-tiny --corpus "$data/analysis/agnews_small.csv" --format agnews --per-label 3 --seed 7 \
    --out "$work/agnews" --quiet >/dev/null
check $? "compare --format agnews"
"$py" "$here/check_agnews.py" "$data/analysis/agnews_small.csv" "$work/agnews" 3 7
check $? "AG News preparation matches the notebook's cleaning"

[ $fail -eq 0 ] && echo "all compare checks passed"
exit $fail
