/* normalizer.c — the normalizers of tokenizer.json, with the alignment rules of the Rust crate's
 * NormalizedString::transform: a char that replaces an input char takes its alignment, a char
 * inserted after it takes the alignment of the last input char consumed so far. */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "tok_internal.h"

#define PUSH_OR_FAIL(out, extra) \
    do { if (tk_text_reserve((out), (extra))) return ATTN_E_NOMEM; } while (0)

static void push_aligned(tk_text *out, const tk_text *in, int32_t i, uint32_t c) {
    tk_text_push(out, c, in->os[i], in->oe[i]);
}

/* Canonical ordering of the marks in out[from, out->n), alignments travelling with their chars. */
static void canonical_order(tk_text *out, int32_t from) {
    for (int32_t i = from + 1; i < out->n; i++) {
        int cc = tk_combining_class(out->cp[i]);
        if (!cc) continue;
        for (int32_t j = i; j > from; j--) {
            int pc = tk_combining_class(out->cp[j - 1]);
            if (!pc || pc <= cc) break;
            uint32_t c = out->cp[j]; out->cp[j] = out->cp[j - 1]; out->cp[j - 1] = c;
            int32_t a = out->os[j]; out->os[j] = out->os[j - 1]; out->os[j - 1] = a;
            a = out->oe[j]; out->oe[j] = out->oe[j - 1]; out->oe[j - 1] = a;
        }
    }
}

/* clean_text, handle_chinese_chars, strip_accents and lowercase are separate passes in the crate,
 * but each works char by char, so one pass over the chars applies all four in that order. */
static attn_status bert(const tk_normalizer *n, const tk_text *in, int32_t s, int32_t e, tk_text *out) {
    int strip = n->strip_accents < 0 ? n->lowercase : n->strip_accents;
    uint32_t dec[32], low[3];
    for (int32_t i = s; i < e; i++) {
        uint32_t c = in->cp[i];
        if (n->clean_text) {
            if (c == 0 || c == 0xFFFD || tk_is_bert_control(c)) continue;
            if (tk_is_whitespace(c)) c = ' ';
        }
        if (c < 0x80) {
            PUSH_OR_FAIL(out, 1);
            push_aligned(out, in, i, n->lowercase && c >= 'A' && c <= 'Z' ? c + 32 : c);
            continue;
        }
        int cjk = n->chinese && tk_is_cjk(c);
        int nd = 1;
        dec[0] = c;
        if (strip) nd = tk_decompose(c, 0, dec, 32);
        PUSH_OR_FAIL(out, nd * 3 + 2);
        if (cjk) push_aligned(out, in, i, ' ');
        for (int k = 0; k < nd; k++) {
            if (strip && tk_is_mark_nonspacing(dec[k])) continue;
            int nl = n->lowercase ? tk_lower(dec[k], low) : (low[0] = dec[k], 1);
            for (int l = 0; l < nl; l++) push_aligned(out, in, i, low[l]);
        }
        if (cjk) push_aligned(out, in, i, ' ');
    }
    return ATTN_OK;
}

static attn_status lowercase(const tk_text *in, int32_t s, int32_t e, tk_text *out) {
    uint32_t low[3];
    PUSH_OR_FAIL(out, e - s);
    for (int32_t i = s; i < e; i++) {
        int nl = tk_lower(in->cp[i], low);
        if (nl > 1) PUSH_OR_FAIL(out, nl + (e - i));
        for (int l = 0; l < nl; l++) push_aligned(out, in, i, low[l]);
    }
    return ATTN_OK;
}

static attn_status decompose(const tk_text *in, int32_t s, int32_t e, int compat, tk_text *out) {
    uint32_t dec[32];
    int32_t from = out->n;
    for (int32_t i = s; i < e; i++) {
        int nd = tk_decompose(in->cp[i], compat, dec, 32);
        PUSH_OR_FAIL(out, nd);
        for (int k = 0; k < nd; k++) push_aligned(out, in, i, dec[k]);
    }
    canonical_order(out, from);
    return ATTN_OK;
}

/* NFC/NFKC chunk by chunk: a chunk is a char below U+0300 (which never composes with what precedes
 * it) followed by everything up to the next such char. Within a chunk, output char k replaces
 * input char k, and extra output chars count as inserted. */
static attn_status compose(const tk_text *in, int32_t s, int32_t e, int compat, tk_text *out) {
    tk_text tmp = {0};
    int rc = 0;
    for (int32_t i = s; i < e && !rc;) {
        int32_t j = i + 1;
        while (j < e && in->cp[j] >= 0x300) j++;
        if (j == i + 1 && in->cp[i] < 0xA0) {
            if (tk_text_reserve(out, 1)) { rc = -1; break; }
            push_aligned(out, in, i, in->cp[i]);
            i = j;
            continue;
        }
        tmp.n = 0;
        if (decompose(in, i, j, compat, &tmp) || tk_text_reserve(&tmp, 1)) { rc = -1; break; }
        utf8proc_ssize_t k = utf8proc_normalize_utf32((utf8proc_int32_t *)tmp.cp, tmp.n,
                                                      (utf8proc_option_t)(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
        if (k < 0) k = tmp.n;
        if (tk_text_reserve(out, (int32_t)k)) { rc = -1; break; }
        int32_t m = j - i;
        for (int32_t t = 0; t < (int32_t)k; t++) push_aligned(out, in, t < m ? i + t : j - 1, tmp.cp[t]);
        i = j;
    }
    tk_text_free(&tmp);
    return rc;
}

static attn_status strip(const tk_normalizer *n, const tk_text *in, int32_t s, int32_t e, tk_text *out) {
    if (n->left) while (s < e && tk_is_whitespace(in->cp[s])) s++;
    if (n->right) while (e > s && tk_is_whitespace(in->cp[e - 1])) e--;
    PUSH_OR_FAIL(out, e - s);
    for (int32_t i = s; i < e; i++) push_aligned(out, in, i, in->cp[i]);
    return ATTN_OK;
}

/* Every match is removed and the content inserted after it: the content takes the alignment of
 * the last char of the match. */
static attn_status replace(const tk_normalizer *n, const tk_text *in, int32_t s, int32_t e, tk_text *out) {
    int32_t pn = n->pattern_n;
    for (int32_t i = s; i < e;) {
        if (pn > 0 && i + pn <= e && memcmp(&in->cp[i], n->pattern, (size_t)pn * sizeof(uint32_t)) == 0) {
            PUSH_OR_FAIL(out, n->content_n);
            for (int32_t k = 0; k < n->content_n; k++) push_aligned(out, in, i + pn - 1, n->content[k]);
            i += pn;
        } else {
            PUSH_OR_FAIL(out, 1);
            push_aligned(out, in, i, in->cp[i]);
            i++;
        }
    }
    return ATTN_OK;
}

static attn_status prepend(const tk_normalizer *n, const tk_text *in, int32_t s, int32_t e, tk_text *out) {
    if (s == e) return ATTN_OK;
    PUSH_OR_FAIL(out, n->content_n + (e - s));
    for (int32_t k = 0; k < n->content_n; k++) push_aligned(out, in, s, n->content[k]);
    for (int32_t i = s; i < e; i++) push_aligned(out, in, i, in->cp[i]);
    return ATTN_OK;
}

static attn_status strip_accents(const tk_text *in, int32_t s, int32_t e, tk_text *out) {
    PUSH_OR_FAIL(out, e - s);
    for (int32_t i = s; i < e; i++)
        if (!tk_is_mark_nonspacing(in->cp[i])) push_aligned(out, in, i, in->cp[i]);
    return ATTN_OK;
}

static attn_status sequence(const tk_normalizer *n, const tk_text *in, int32_t s, int32_t e, int32_t base, tk_text *out) {
    tk_text a = {0}, b = {0};
    const tk_text *cur = in;
    int32_t cs = s, ce = e;
    int rc = 0;
    for (int k = 0; k < n->n_items && !rc; k++) {
        tk_text *dst = (cur == &a) ? &b : &a;
        dst->n = 0;
        rc = tk_normalize(&n->items[k], cur, cs, ce, base, dst);
        cur = dst, cs = 0, ce = dst->n;
    }
    if (!rc) {
        if (tk_text_reserve(out, ce - cs)) rc = -1;
        else
            for (int32_t i = cs; i < ce; i++) push_aligned(out, cur, i, cur->cp[i]);
    }
    tk_text_free(&a), tk_text_free(&b);
    return rc;
}

attn_status tk_normalize(const tk_normalizer *n, const tk_text *in, int32_t s, int32_t e, int32_t base, tk_text *out) {
    switch (n->kind) {
    case TK_NORM_BERT: return bert(n, in, s, e, out);
    case TK_NORM_LOWERCASE: return lowercase(in, s, e, out);
    case TK_NORM_NFD: return decompose(in, s, e, 0, out);
    case TK_NORM_NFKD: return decompose(in, s, e, 1, out);
    case TK_NORM_NFC: return compose(in, s, e, 0, out);
    case TK_NORM_NFKC: return compose(in, s, e, 1, out);
    case TK_NORM_STRIP_ACCENTS: return strip_accents(in, s, e, out);
    case TK_NORM_STRIP: return strip(n, in, s, e, out);
    case TK_NORM_REPLACE: return replace(n, in, s, e, out);
    case TK_NORM_PREPEND: return prepend(n, in, s, e, out);
    case TK_NORM_SEQUENCE: return sequence(n, in, s, e, base, out);
    }
    return ATTN_E_NOMEM;
}

void tk_normalizer_free(tk_normalizer *n) {
    if (!n) return;
    free(n->pattern), free(n->content);
    for (int i = 0; i < n->n_items; i++) tk_normalizer_free(&n->items[i]);
    free(n->items);
    memset(n, 0, sizeof *n);
}
