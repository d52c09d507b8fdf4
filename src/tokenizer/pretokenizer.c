/* pretokenizer.c — pre-tokenizers: cut each normalized split into words with the crate's
 * split-delimiter behaviours; ByteLevel also rewrites every byte as a printable char. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* GPT-2's bytes_to_unicode(): printable bytes stand for themselves, the rest map to U+0100.. */
const uint32_t tk_byte_to_char[256] = {
    0x100, 0x101, 0x102, 0x103, 0x104, 0x105, 0x106, 0x107, 0x108, 0x109, 0x10A, 0x10B,
    0x10C, 0x10D, 0x10E, 0x10F, 0x110, 0x111, 0x112, 0x113, 0x114, 0x115, 0x116, 0x117,
    0x118, 0x119, 0x11A, 0x11B, 0x11C, 0x11D, 0x11E, 0x11F, 0x120, 0x021, 0x022, 0x023,
    0x024, 0x025, 0x026, 0x027, 0x028, 0x029, 0x02A, 0x02B, 0x02C, 0x02D, 0x02E, 0x02F,
    0x030, 0x031, 0x032, 0x033, 0x034, 0x035, 0x036, 0x037, 0x038, 0x039, 0x03A, 0x03B,
    0x03C, 0x03D, 0x03E, 0x03F, 0x040, 0x041, 0x042, 0x043, 0x044, 0x045, 0x046, 0x047,
    0x048, 0x049, 0x04A, 0x04B, 0x04C, 0x04D, 0x04E, 0x04F, 0x050, 0x051, 0x052, 0x053,
    0x054, 0x055, 0x056, 0x057, 0x058, 0x059, 0x05A, 0x05B, 0x05C, 0x05D, 0x05E, 0x05F,
    0x060, 0x061, 0x062, 0x063, 0x064, 0x065, 0x066, 0x067, 0x068, 0x069, 0x06A, 0x06B,
    0x06C, 0x06D, 0x06E, 0x06F, 0x070, 0x071, 0x072, 0x073, 0x074, 0x075, 0x076, 0x077,
    0x078, 0x079, 0x07A, 0x07B, 0x07C, 0x07D, 0x07E, 0x121, 0x122, 0x123, 0x124, 0x125,
    0x126, 0x127, 0x128, 0x129, 0x12A, 0x12B, 0x12C, 0x12D, 0x12E, 0x12F, 0x130, 0x131,
    0x132, 0x133, 0x134, 0x135, 0x136, 0x137, 0x138, 0x139, 0x13A, 0x13B, 0x13C, 0x13D,
    0x13E, 0x13F, 0x140, 0x141, 0x142, 0x0A1, 0x0A2, 0x0A3, 0x0A4, 0x0A5, 0x0A6, 0x0A7,
    0x0A8, 0x0A9, 0x0AA, 0x0AB, 0x0AC, 0x143, 0x0AE, 0x0AF, 0x0B0, 0x0B1, 0x0B2, 0x0B3,
    0x0B4, 0x0B5, 0x0B6, 0x0B7, 0x0B8, 0x0B9, 0x0BA, 0x0BB, 0x0BC, 0x0BD, 0x0BE, 0x0BF,
    0x0C0, 0x0C1, 0x0C2, 0x0C3, 0x0C4, 0x0C5, 0x0C6, 0x0C7, 0x0C8, 0x0C9, 0x0CA, 0x0CB,
    0x0CC, 0x0CD, 0x0CE, 0x0CF, 0x0D0, 0x0D1, 0x0D2, 0x0D3, 0x0D4, 0x0D5, 0x0D6, 0x0D7,
    0x0D8, 0x0D9, 0x0DA, 0x0DB, 0x0DC, 0x0DD, 0x0DE, 0x0DF, 0x0E0, 0x0E1, 0x0E2, 0x0E3,
    0x0E4, 0x0E5, 0x0E6, 0x0E7, 0x0E8, 0x0E9, 0x0EA, 0x0EB, 0x0EC, 0x0ED, 0x0EE, 0x0EF,
    0x0F0, 0x0F1, 0x0F2, 0x0F3, 0x0F4, 0x0F5, 0x0F6, 0x0F7, 0x0F8, 0x0F9, 0x0FA, 0x0FB,
    0x0FC, 0x0FD, 0x0FE, 0x0FF
};

int tk_char_to_byte(uint32_t c) {
    if (c < 256) return tk_byte_to_char[c] == c ? (int)c : -1;
    if (c >= 0x100 && c < 0x100 + 68) {
        for (int b = 0; b < 256; b++)
            if (tk_byte_to_char[b] == c) return b;
    }
    return -1;
}

/* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
int32_t tk_gpt2_match(const uint32_t *cp, int32_t i, int32_t n) {
    uint32_t c = cp[i];
    if (c == '\'' && i + 1 < n) {
        uint32_t a = cp[i + 1];
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
        if (i + 2 < n) {
            uint32_t b = cp[i + 2];
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
        }
    }
    int32_t j = (c == ' ' && i + 1 < n) ? i + 1 : i;
    uint32_t d = cp[j];
    if (!(j > i && tk_is_whitespace(d))) {
        int32_t k = j;
        if (tk_is_letter(d)) {
            while (k < n && tk_is_letter(cp[k])) k++;
            return k - i;
        }
        if (tk_is_number(d)) {
            while (k < n && tk_is_number(cp[k])) k++;
            return k - i;
        }
        if (!tk_is_whitespace(d)) {
            while (k < n && !tk_is_whitespace(cp[k]) && !tk_is_letter(cp[k]) && !tk_is_number(cp[k])) k++;
            return k - i;
        }
    }
    int32_t k = i;
    while (k < n && tk_is_whitespace(cp[k])) k++;
    if (k == n || k - i == 1) return k - i;
    return k - i - 1;
}

/* ---- matches: (start, end, is_match) triples covering a split ------------------------------- */
typedef struct matches {
    int32_t *v; /* 3 per match */
    int32_t n;
} matches;

static attn_status add_match(tk_work *w, matches *m, int32_t a, int32_t b, int32_t is_match) {
    if (!attn_grow((void **)&w->bounds, &w->bounds_cap, ((size_t)m->n + 1) * 3, sizeof *w->bounds)) return ATTN_E_NOMEM;
    m->v = w->bounds;
    m->v[3 * m->n] = a, m->v[3 * m->n + 1] = b, m->v[3 * m->n + 2] = is_match;
    m->n++;
    return ATTN_OK;
}

typedef int (*char_pred)(uint32_t c);

static attn_status find_pred(tk_work *w, const uint32_t *cp, int32_t s, int32_t e, char_pred pred, matches *m) {
    int32_t last = s;
    for (int32_t i = s; i < e; i++) {
        if (!pred(cp[i])) continue;
        if (last < i && add_match(w, m, last, i, 0)) return ATTN_E_NOMEM;
        if (add_match(w, m, i, i + 1, 1)) return ATTN_E_NOMEM;
        last = i + 1;
    }
    if (last < e && add_match(w, m, last, e, 0)) return ATTN_E_NOMEM;
    return ATTN_OK;
}

/* A literal pattern, for find_runs' matcher context. */
typedef struct literal {
    const uint32_t *cp;
    int32_t n;
} literal;

/* A list of regex-like matches of length fn(cp, i, e, ctx) (0 = no match at i), with the text
 * between them as unmatched pieces. */
typedef int32_t (*run_fn)(const uint32_t *cp, int32_t i, int32_t n, const void *ctx);

static attn_status find_runs(tk_work *w, const uint32_t *cp, int32_t s, int32_t e, run_fn fn, const void *ctx, matches *m) {
    int32_t prev = s;
    for (int32_t i = s; i < e;) {
        int32_t len = fn(cp, i, e, ctx);
        if (len <= 0) {
            i++;
            continue;
        }
        if (prev < i && add_match(w, m, prev, i, 0)) return ATTN_E_NOMEM;
        if (add_match(w, m, i, i + len, 1)) return ATTN_E_NOMEM;
        i += len, prev = i;
    }
    if (prev < e && add_match(w, m, prev, e, 0)) return ATTN_E_NOMEM;
    return ATTN_OK;
}

static int32_t word_or_symbols(const uint32_t *cp, int32_t i, int32_t n, const void *ctx) { /* \w+|[^\w\s]+ */
    (void)ctx;
    int32_t k = i;
    if (tk_is_word_char(cp[i])) {
        while (k < n && tk_is_word_char(cp[k])) k++;
    } else if (!tk_is_whitespace(cp[i])) {
        while (k < n && !tk_is_word_char(cp[k]) && !tk_is_whitespace(cp[k])) k++;
    }
    return k - i;
}

static int32_t gpt2_run(const uint32_t *cp, int32_t i, int32_t n, const void *ctx) {
    (void)ctx;
    return tk_gpt2_match(cp, i, n);
}

static int32_t literal_run(const uint32_t *cp, int32_t i, int32_t n, const void *ctx) {
    const literal *lit = ctx;
    if (lit->n <= 0 || i + lit->n > n || memcmp(&cp[i], lit->cp, (size_t)lit->n * sizeof *cp) != 0) return 0;
    return lit->n;
}

/* NormalizedString::split: turns matches into pieces according to the behaviour. */
static attn_status apply_behavior(matches *m, tk_split_behavior b, const tk_text *x, tk_splits *out) {
    int32_t *v = m->v;
    int32_t k = 0; /* pieces are compacted in place: (start, end, keep) */
    int prev = 0;
    if (b == TK_MERGED_WITH_NEXT) {
        /* fold from the right */
        int32_t n = 0;
        for (int32_t i = m->n - 1; i >= 0; i--) {
            int32_t a = v[3 * i], z = v[3 * i + 1], is = v[3 * i + 2];
            if (is && !prev && n > 0) v[3 * (m->n - n)] = a;
            else {
                n++;
                int32_t d = m->n - n;
                v[3 * d] = a, v[3 * d + 1] = z, v[3 * d + 2] = 0;
            }
            prev = is;
        }
        for (int32_t i = m->n - n; i < m->n; i++)
            if (v[3 * i + 1] > v[3 * i] && tk_splits_push(out, v[3 * i], v[3 * i + 1], -1, x->os[v[3 * i]]))
                return ATTN_E_NOMEM;
        return ATTN_OK;
    }
    for (int32_t i = 0; i < m->n; i++) {
        int32_t a = v[3 * i], z = v[3 * i + 1], is = v[3 * i + 2];
        switch (b) {
        case TK_REMOVED:
            v[3 * k] = a, v[3 * k + 1] = z, v[3 * k + 2] = !is, k++;
            break;
        case TK_ISOLATED:
            v[3 * k] = a, v[3 * k + 1] = z, v[3 * k + 2] = 1, k++;
            break;
        case TK_CONTIGUOUS:
            if (is == prev && k > 0) v[3 * (k - 1) + 1] = z;
            else v[3 * k] = a, v[3 * k + 1] = z, v[3 * k + 2] = 1, k++;
            break;
        case TK_MERGED_WITH_PREVIOUS:
            if (is && !prev && k > 0) v[3 * (k - 1) + 1] = z;
            else v[3 * k] = a, v[3 * k + 1] = z, v[3 * k + 2] = 1, k++;
            break;
        case TK_MERGED_WITH_NEXT: break;
        }
        prev = is;
    }
    for (int32_t i = 0; i < k; i++)
        if (v[3 * i + 2] && v[3 * i + 1] > v[3 * i] && tk_splits_push(out, v[3 * i], v[3 * i + 1], -1, x->os[v[3 * i]]))
            return ATTN_E_NOMEM;
    return ATTN_OK;
}

static int is_numeric(uint32_t c) { return tk_is_number(c); }

/* Splits every non-token split with one pattern (w->text unchanged). */
static attn_status split_all(const tk_pretok *p, tk_work *w) {
    w->splits2.n = 0;
    const uint32_t *cp = w->text.cp;
    for (int32_t i = 0; i < w->splits.n; i++) {
        tk_split sp = w->splits.v[i];
        if (sp.id >= 0) {
            if (tk_splits_push(&w->splits2, sp.s, sp.e, sp.id, sp.base)) return ATTN_E_NOMEM;
            continue;
        }
        if (p->kind == TK_PRE_BERT) { /* whitespace removed, then punctuation isolated: one pass */
            int32_t start = sp.s;
            for (int32_t k = sp.s; k <= sp.e; k++) {
                int ws = 0, pu = 0;
                if (k < sp.e) {
                    uint32_t c = cp[k];
                    if (c < 0x80) {
                        ws = c == ' ' || (c >= 9 && c <= 13);
                        pu = !ws && tk_is_bert_punct(c);
                    } else {
                        ws = tk_is_whitespace(c);
                        pu = !ws && tk_is_bert_punct(c);
                    }
                }
                if (k == sp.e || ws || pu) {
                    if (k > start && tk_splits_push(&w->splits2, start, k, -1, w->text.os[start])) return ATTN_E_NOMEM;
                    if (pu && tk_splits_push(&w->splits2, k, k + 1, -1, w->text.os[k])) return ATTN_E_NOMEM;
                    start = k + 1;
                }
            }
            continue;
        }
        matches m = {w->bounds, 0};
        int rc = 0;
        tk_split_behavior b = p->behavior;
        switch (p->kind) {
        case TK_PRE_WHITESPACE:
            rc = find_runs(w, cp, sp.s, sp.e, word_or_symbols, NULL, &m);
            b = TK_REMOVED;
            for (int32_t k = 0; k < m.n; k++) m.v[3 * k + 2] = !m.v[3 * k + 2];
            break;
        case TK_PRE_WHITESPACE_SPLIT:
            rc = find_pred(w, cp, sp.s, sp.e, tk_is_whitespace, &m);
            b = TK_REMOVED;
            break;
        case TK_PRE_PUNCTUATION: rc = find_pred(w, cp, sp.s, sp.e, tk_is_bert_punct, &m); break;
        case TK_PRE_DIGITS:
            rc = find_pred(w, cp, sp.s, sp.e, is_numeric, &m);
            b = p->individual_digits ? TK_ISOLATED : TK_CONTIGUOUS;
            break;
        case TK_PRE_SPLIT: {
            literal lit = {p->pattern, p->pattern_n};
            rc = p->gpt2_regex ? find_runs(w, cp, sp.s, sp.e, gpt2_run, NULL, &m)
                               : find_runs(w, cp, sp.s, sp.e, literal_run, &lit, &m);
            if (p->invert)
                for (int32_t k = 0; k < m.n; k++) m.v[3 * k + 2] = !m.v[3 * k + 2];
            break;
        }
        default: break;
        }
        if (rc || apply_behavior(&m, b, &w->text, &w->splits2)) return ATTN_E_NOMEM;
    }
    tk_splits tmp = w->splits;
    w->splits = w->splits2, w->splits2 = tmp;
    return ATTN_OK;
}

/* Rewrites the text as byte-level chars: every char becomes one char per UTF-8 byte, each with
 * the alignment of the char it came from. Optionally adds a prefix space and splits with the GPT-2
 * regex first. */
static attn_status byte_level(const tk_pretok *p, tk_work *w) {
    const tk_text *x = &w->text;
    tk_text *y = &w->tmp;
    y->n = 0;
    w->splits2.n = 0;
    for (int32_t i = 0; i < w->splits.n; i++) {
        tk_split sp = w->splits.v[i];
        if (sp.id >= 0) {
            int32_t s = y->n;
            if (tk_text_reserve(y, sp.e - sp.s)) return ATTN_E_NOMEM;
            for (int32_t k = sp.s; k < sp.e; k++) tk_text_push(y, x->cp[k], x->os[k], x->oe[k]);
            if (tk_splits_push(&w->splits2, s, y->n, sp.id, sp.base)) return ATTN_E_NOMEM;
            continue;
        }
        /* the (possibly prefixed) chars, in tmp2 */
        tk_text *z = &w->tmp2;
        z->n = 0;
        if (tk_text_reserve(z, sp.e - sp.s + 1)) return ATTN_E_NOMEM;
        if (p->add_prefix_space && x->cp[sp.s] != ' ') tk_text_push(z, ' ', x->os[sp.s], x->oe[sp.s]);
        for (int32_t k = sp.s; k < sp.e; k++) tk_text_push(z, x->cp[k], x->os[k], x->oe[k]);
        for (int32_t k = 0; k < z->n;) {
            int32_t len = p->use_regex ? tk_gpt2_match(z->cp, k, z->n) : z->n;
            if (len <= 0) len = 1;
            int32_t s = y->n;
            if (tk_text_reserve(y, len * 4)) return ATTN_E_NOMEM;
            for (int32_t q = k; q < k + len; q++) {
                char buf[4];
                int nb = tk_utf8_put(z->cp[q], buf);
                for (int b = 0; b < nb; b++) tk_text_push(y, tk_byte_to_char[(uint8_t)buf[b]], z->os[q], z->oe[q]);
            }
            if (tk_splits_push(&w->splits2, s, y->n, -1, z->os[k])) return ATTN_E_NOMEM;
            k += len;
        }
    }
    tk_text t = w->text;
    w->text = w->tmp, w->tmp = t;
    tk_splits sl = w->splits;
    w->splits = w->splits2, w->splits2 = sl;
    return ATTN_OK;
}

attn_status tk_pretokenize(const tk_pretok *p, tk_work *w) {
    switch (p->kind) {
    case TK_PRE_BYTELEVEL: return byte_level(p, w);
    case TK_PRE_SEQUENCE:
        for (int i = 0; i < p->n_items; i++)
            if (tk_pretokenize(&p->items[i], w)) return ATTN_E_NOMEM;
        return ATTN_OK;
    default: return split_all(p, w);
    }
}

void tk_pretok_free(tk_pretok *p) {
    if (!p) return;
    free(p->pattern);
    for (int i = 0; i < p->n_items; i++) tk_pretok_free(&p->items[i]);
    free(p->items);
    memset(p, 0, sizeof *p);
}
