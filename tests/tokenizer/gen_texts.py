"""Random texts for the differential tokenizer test: mixed scripts, emoji, controls, whitespace,
combining marks, literal special tokens, long words; a fixed seed so a failure can be replayed."""
import json
import random
import sys

POOLS = [
    (0x20, 0x7E), (0x00, 0x1F), (0x80, 0xFF), (0x100, 0x24F), (0x300, 0x36F), (0x370, 0x3FF),
    (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F),
    (0x2070, 0x22FF), (0x3000, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3),
    (0xE000, 0xE0FF), (0xF900, 0xFAFF), (0xFE00, 0xFE0F), (0xFF00, 0xFFEF), (0xFFF0, 0xFFFF),
    (0x1F300, 0x1FAFF), (0x1D400, 0x1D7FF), (0x20000, 0x2A6DF), (0xE0000, 0xE007F), (0x10FF00, 0x10FFFF),
]
WORDS = ["hello", "world", "don't", "I'm", "we'll", "café", "naïve", "ΟΔΟΣ", "İstanbul", "straße", "[CLS]", "[SEP]",
         "[MASK]", "<s>", "</s>", "<mask>", "<pad>", "&amp;", "&lt;b&gt;", "1,234.56", "e-mail", "x" * 120, "ﬁ", "Ⅻ",
         "👍🏽", "👨‍👩‍👧", "\u00a0", "\u3000", "\t", "\n", "\r\n", "  ", "\u200b", "\ufeff", "\u00ad", "ǅ", "ﬀ", "x\u0301"]


def rand_text(r):
    parts = []
    for _ in range(r.randint(0, 25)):
        k = r.random()
        if k < 0.35:
            parts.append(r.choice(WORDS))
        elif k < 0.55:
            parts.append(" ")
        else:
            lo, hi = r.choice(POOLS)
            cs = []
            for _ in range(r.randint(1, 8)):
                c = r.randint(lo, hi)
                if 0xD800 <= c <= 0xDFFF:
                    c = 0x41
                cs.append(chr(c))
            parts.append("".join(cs))
    return "".join(parts)


def main():
    n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    r = random.Random(seed)
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            rec = {"text": rand_text(r)}
            if i % 5 == 4:
                rec["text_pair"] = rand_text(r)
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


main()
