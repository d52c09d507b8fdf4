#!/bin/sh
# Runs the bad-input table (cases.tsv) against the CLI.
#   run.sh ATTNSCOPE PYTHON DATA_DIR WORK_DIR
# Each case must exit with its status (non-zero and < 124 for errors) within 60 s, print exactly
# one error line containing its fragment (warnings aside), and leave $W/out unchanged.
set -u
BIN=$1 PY=$2 DATA=$3 W=$4
D=$DATA/models
here=$(cd "$(dirname "$0")" && pwd)
export BIN W D
rm -rf "$W" && mkdir -p "$W" || exit 1
"$PY" "$here/make_cases.py" "$DATA" "$W" || { echo "FAILED: make_cases.py"; exit 1; }
snapshot() { (cd "$W/out" && ls -A | sort && cat old.safetensors); }
snapshot >"$W/out.before"

tab=$(printf '\t')
pass=0 fail=0
while IFS="$tab" read -r name want frag cmd; do
    case "$name" in '#'* | '') continue ;; esac
    timeout 60 sh -c "$cmd" >"$W/stdout" 2>"$W/stderr"
    got=$?
    problem=""
    errors=$(grep -v '^attnscope: warning: ' "$W/stderr" | grep -c .)
    if [ "$got" -ne "$want" ]; then
        problem="exit status $got, expected $want"
        [ "$got" -eq 124 ] && problem="$problem (hang: killed after 60 s)"
        [ "$got" -gt 128 ] && problem="$problem (crash: signal $((got - 128)))"
    elif ! grep -qF -- "$frag" "$W/stderr"; then
        problem="message lacks: $frag"
    elif [ "$want" -ne 0 ] && [ "$errors" -ne 1 ]; then
        problem="$errors error lines, expected exactly one"
    elif [ "$want" -ne 0 ] && ! grep -v '^attnscope: warning: ' "$W/stderr" | grep -q '^attnscope'; then
        problem="the error line is not attnscope's"
    fi
    snapshot >"$W/out.after"
    if [ -z "$problem" ] && ! cmp -s "$W/out.before" "$W/out.after"; then
        problem="the output folder changed (partial, temp or damaged file): $(diff "$W/out.before" "$W/out.after" | tr '\n' ' ')"
        rm -f "$W"/out/new.* "$W"/out/*.tmp-*
        printf 'OLD OUTPUT\n' >"$W/out/old.safetensors"
    fi
    if [ -n "$problem" ]; then
        echo "FAIL $name: $problem"
        sed 's/^/    stderr: /' "$W/stderr" | head -5
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done <"$here/cases.tsv"
echo "bad-input table: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge 40 ]
