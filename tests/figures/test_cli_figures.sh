#!/bin/sh
# attnscope run --figures as a user runs it: every view in every format, readable files, the
# default folder, and bad figure options refused (exit 2, one line) before any work or output.
#   test_cli_figures.sh ATTNSCOPE PYTHON DATA_DIR
set -u
bin=$1 py=$2 data=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
model=$data/models/bert-tiny

# expect_usage DESCRIPTION NEEDLE ARGS...: exit 2, one line on stderr naming NEEDLE, no figures folder
expect_usage() {
    desc=$1 needle=$2; shift 2
    rm -rf "$tmp/bad"
    "$bin" run "$model" --text "The bank." --figures-dir "$tmp/bad" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 2 ]; then fail "$desc: exit $rc"; return; fi
    if [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q -- "$needle" "$tmp/err"; then fail "$desc: stderr: $(cat "$tmp/err")"; return; fi
    if [ -e "$tmp/bad" ]; then fail "$desc: made $tmp/bad"; return; fi
    ok
}
expect_usage "--figures gif" "unknown figure format 'gif'" --figures gif
expect_usage "--figures svg,gif" "unknown figure format 'gif'" --figures svg,gif
expect_usage "--dpi 0" "--dpi must be 1..2400" --figures png --dpi 0
expect_usage "--dpi x" "--dpi must be 1..2400" --figures png --dpi 12x
expect_usage "--colors" "colour 'red' is not #RRGGBB" --figures svg --colors "#FF0000,red"
expect_usage "--fig-heads" "--fig-heads wants head numbers" --figures svg --fig-heads 0,a
expect_usage "--fig-layer too big" "the model has 2 layers" --figures svg --fig-layer 2
expect_usage "--fig-heads too big" "the model has 4 heads" --figures svg --fig-heads 0,4
expect_usage "--dpi without --figures" "go with --figures" --dpi 300

# every view, every format, in --figures-dir
out=$tmp/figs
if "$bin" run "$model" --text "The bank of the river was calm." --figures svg,png,pdf --figures-dir "$out" \
        --fig-layer 0 --fig-heads 1 --dpi 100 --colors "#000000" >"$tmp/out" 2>"$tmp/err"; then
    for stem in attention_head_L0_H1 attention_layer_L0 model_view head_view_L0; do
        for ext in svg png pdf; do
            [ -s "$out/$stem.$ext" ] && ok || fail "missing $stem.$ext"
        done
    done
    got=$("$py" - "$out" <<'PY'
import struct, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
root = ET.parse(f"{d}/head_view_L0.svg").getroot()
w_pt = int(root.get("width")[:-2])
png = open(f"{d}/head_view_L0.png", "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n"
w_px = struct.unpack(">I", png[16:20])[0]
print(w_px == (w_pt * 100 + 71) // 72, open(f"{d}/model_view.pdf", "rb").read(5) == b"%PDF-")
PY
)
    [ "$got" = "True True" ] && ok || fail "PNG at --dpi 100 / PDF header: $got"
    [ "$(ls "$out" | grep -c tmp)" -eq 0 ] && ok || fail "temp files left: $(ls "$out")"
else
    fail "run --figures: $(cat "$tmp/err")"
fi
pdftotext -raw "$out/head_view_L0.pdf" - 2>/dev/null | grep -q "river" && ok || fail "head view text lacks the token 'river'"

# default folder: beside --dump; tokens from --ids through the tokenizer
mkdir -p "$tmp/dump"
if "$bin" run "$model" --ids 101,1996,2924,102 --dump "$tmp/dump/out.safetensors" --figures svg --quiet 2>"$tmp/err"; then
    [ -s "$tmp/dump/figures/model_view.svg" ] && [ -s "$tmp/dump/out.safetensors" ] && ok || fail "default folder: $(ls -R "$tmp/dump")"
else
    fail "run --dump --figures: $(cat "$tmp/err")"
fi
# a figures "folder" that is a file: a clear error before the model is run
: >"$tmp/file"
if "$bin" run "$model" --text "x" --figures svg --figures-dir "$tmp/file" >"$tmp/out" 2>"$tmp/err"; then
    fail "--figures-dir FILE: exit 0"
else
    grep -q "is not a folder" "$tmp/err" && [ ! -s "$tmp/out" ] && ok || fail "--figures-dir FILE: $(cat "$tmp/err")"
fi

echo "cli_figures: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
