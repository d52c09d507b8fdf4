"""Compares `attnscope tokenize --input/--output` results with the reference cases, field by field."""
import json
import sys

cases_path, out_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
cases = [json.loads(line) for line in open(cases_path, encoding="utf-8") if line.strip()]
outs = [json.loads(line) for line in open(out_path, encoding="utf-8") if line.strip()]
if len(cases) != len(outs):
    sys.exit(f"{out_path}: {len(outs)} lines for {len(cases)} inputs")
fields = ["ids", "tokens", "offsets", "type_ids", "special_tokens_mask", "attention_mask", "word_ids", "sequence_ids"]
if mode == "no_special":
    fields = ["ids", "tokens", "offsets"]
bad = 0
for i, (c, o) in enumerate(zip(cases, outs)):
    ref = c["no_special"] if mode == "no_special" else c
    for f in fields:
        if o.get(f) != ref[f]:
            bad += 1
            if bad <= 3:
                print(f"line {i + 1} ({c.get('id')}): {f} differs: {str(o.get(f))[:200]} vs {str(ref[f])[:200]}")
            break
print(f"{out_path} [{mode}]: {len(cases) - bad}/{len(cases)} lines match")
sys.exit(1 if bad else 0)
