#!/bin/sh
# compare --shard K/N + merge and compare --resume after SIGKILL give the bytes of one run.
# usage: test_scale.sh ATTNSCOPE PYTHON DATA_DIR SOURCE_DIR
set -u
BIN=$1 PY=$2 DATA=$3 SRC=$4
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
M1=$DATA/models/distilbert-tiny M2=$DATA/models/bert-tiny
"$PY" "$SRC/scripts/gen_corpus.py" 200 "$T/c.tsv" --source "$SRC/examples/corpus/news.tsv" || fail "corpus"
run() { "$BIN" compare "$M1" "$M2" --corpus "$T/c.tsv" --quiet --no-report "$@"; }  # merge writes the tables, not the report
same() { # same DIR_A DIR_B: every output file byte-identical, nothing else
    [ "$(ls -A "$1")" = "$(ls -A "$2")" ] || fail "$2 holds $(ls -A "$2" | tr '\n' ' ') not $(ls -A "$1" | tr '\n' ' ')"
    for f in "$1"/*; do cmp -s "$f" "$2/$(basename "$f")" || fail "$2/$(basename "$f") differs from one run"; done
}
run --out "$T/ref" >/dev/null || fail "reference run"
[ "$(wc -l < "$T/ref/dataset_sentences.csv")" -eq 201 ] || fail "reference has not 200 sentences"
[ -f "$T/ref/model_agreement.csv" ] || fail "no model_agreement.csv"

# shards: N=3, given to merge out of order; N=5 (more shards than the 4 windows: one is empty)
for N in 3 5; do
    k=0 dirs=""
    while [ $k -lt $N ]; do
        run --shard $k/$N --out "$T/s$N.$k" >/dev/null || fail "shard $k/$N"
        dirs="$T/s$N.$k $dirs"
        k=$((k + 1))
    done
    "$BIN" merge $dirs --out "$T/m$N" >/dev/null || fail "merge of $N shards"
    same "$T/ref" "$T/m$N"
done
echo "ok: merged shards (N=3, N=5) equal one run"

# resume after SIGKILL right after the k-th checkpoint (1 = the empty one at the start, 5 = the last)
for k in 1 3 5; do
    rm -rf "$T/r"
    ATTN_TEST_KILL_AFTER_CHECKPOINT=$k run --out "$T/r" >/dev/null 2>&1
    [ $? -eq 137 ] || fail "not killed after checkpoint $k"
    [ ! -e "$T/r/metrics_by_sentence.csv" ] || fail "final file present after a kill"
    run --out "$T/r" --resume >/dev/null || fail "resume after checkpoint $k"
    same "$T/ref" "$T/r"
done
echo "ok: resume after SIGKILL at checkpoints 1 3 5 equals one run"

# killed at an arbitrary moment (mid-window, mid-write), resumed, killed again, ...
rm -rf "$T/r"
i=0
while [ $i -lt 4 ]; do
    "$BIN" compare "$M1" "$M2" --corpus "$T/c.tsv" --quiet --out "$T/r" --resume >/dev/null 2>&1 &
    pid=$! # attnscope itself, not a subshell (a killed subshell would leave it running)
    sleep 0.$((3 + i * 2))
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    i=$((i + 1))
done
msg=$(run --out "$T/r" --resume 2>&1 >/dev/null) || fail "final resume: $msg"
same "$T/ref" "$T/r"
echo "ok: repeated kill -9 at arbitrary moments, then resume, equals one run"

# two runs on one folder at once: whichever takes the folder's lock first finishes, the other is
# refused with one clear line (under a sanitizer on a loaded machine the second may win the race)
"$BIN" compare "$M1" "$M2" --corpus "$T/c.tsv" --quiet --no-report --out "$T/r" >/dev/null 2>"$T/first.err" &
pid=$!
sleep 0.3
msg=$(run --out "$T/r" --resume 2>&1 >/dev/null)
rc=$?
wait $pid
rc1=$?
[ $rc -eq 0 ] || [ $rc1 -eq 0 ] || fail "both of two concurrent runs failed: $msg / $(cat "$T/first.err")"
if [ $rc -ne 0 ]; then echo "$msg" | grep -q "another attnscope run is using this folder" || fail "concurrent: $msg"; fi
if [ $rc1 -ne 0 ]; then grep -q "another attnscope run is using this folder" "$T/first.err" || fail "concurrent (first): $(cat "$T/first.err")"; fi
echo "ok: two runs on one folder at once: one finishes, the other is refused ($rc1/$rc)"

# a different run is refused on resume
rm -rf "$T/r"
ATTN_TEST_KILL_AFTER_CHECKPOINT=3 run --out "$T/r" >/dev/null 2>&1
msg=$(run --out "$T/r" --resume --metrics seed 2>&1 >/dev/null) && fail "resumed a different run"
echo "$msg" | grep -q "checkpoint is of a different run" || fail "resume message: $msg"

# a part altered in place (same size) since the checkpoint is refused on resume, and resumes once restored
rm -rf "$T/r2"
ATTN_TEST_KILL_AFTER_CHECKPOINT=3 run --out "$T/r2" >/dev/null 2>&1
P="$T/r2/.attnscope-state/metrics_by_sentence.csv.part"
cp "$P" "$T/part.orig"
printf 9 | dd of="$P" bs=1 seek=200 conv=notrunc 2>/dev/null
cmp -s "$P" "$T/part.orig" && printf 8 | dd of="$P" bs=1 seek=200 conv=notrunc 2>/dev/null
msg=$(run --out "$T/r2" --resume 2>&1 >/dev/null) && fail "resumed over an altered part"
echo "$msg" | grep -q "differ from what its checkpoint recorded (SHA-256): a damaged state folder" || fail "altered part: $msg"
[ "$(echo "$msg" | wc -l)" -eq 1 ] || fail "altered part: not one line: $msg"
cp "$T/part.orig" "$P"
run --out "$T/r2" --resume >/dev/null || fail "resume after restoring the part"
same "$T/ref" "$T/r2"
echo "ok: a part altered since its checkpoint is refused on resume (restored, it resumes to one run's bytes)"

# merge errors: one clear line, non-zero exit, nothing written
merge_fails() { # EXPECTED_FRAGMENT DIR...
    want=$1
    shift
    out=$("$BIN" merge "$@" --out "$T/bad" 2>&1 >/dev/null) && fail "merge accepted: $*"
    echo "$out" | grep -q "$want" || fail "merge said '$out', expected '$want'"
    [ "$(echo "$out" | wc -l)" -eq 1 ] || fail "merge error is not one line: $out"
    [ ! -e "$T/bad" ] || fail "merge wrote $T/bad"
}
run --shard 1/3 --metrics seed --out "$T/seed1" >/dev/null || fail "seed shard"
merge_fails "a shard of a different run" "$T/s3.0" "$T/seed1" "$T/s3.2"
merge_fails "shard 2/3 is missing" "$T/s3.0" "$T/s3.1"
merge_fails "both shard 0/3 (overlapping shards)" "$T/s3.0" "$T/s3.0" "$T/s3.1" "$T/s3.2"
merge_fails "not a shard's output" "$T/s3.0" "$T/ref" "$T/s3.2"
merge_fails "is not finished" "$T/s3.0" "$T/s3.1" "$T/r"
cp -r "$T/s3.1" "$T/cut1"
head -c 300 "$T/s3.1/.attnscope-state/checkpoint" >"$T/cut1/.attnscope-state/checkpoint"
merge_fails "not a valid attnscope state" "$T/s3.0" "$T/cut1" "$T/s3.2"
echo "ok: merge refuses other runs, missing, repeated, unfinished and corrupt shards"
