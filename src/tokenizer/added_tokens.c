/* added_tokens.c — added (special) tokens: found in the raw text (normalized: false) or in the
 * normalized text (normalized: true) before the pre-tokenizer runs, leftmost-longest like the
 * crate's Aho-Corasick matcher, with its single_word / lstrip / rstrip rules. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

attn_status tk_added_prepare(attn_tokenizer *t) {
    memset(t->added_first, 0, sizeof t->added_first);
    for (int i = 0; i < t->n_added; i++) {
        tk_added *a = &t->added[i];
        size_t len = strlen(a->content);
        free(a->cps);
        a->cps = attn_calloc(len + 1, sizeof *a->cps);
        if (!a->cps) return attn_fail(ATTN_E_NOMEM, "out of memory");
        a->n_cps = (int32_t)tk_utf8_decode(a->content, len, a->cps);
        if (a->normalized && t->normalizer && a->n_cps > 0) {
            tk_text in = {0}, out = {0};
            int rc = tk_text_reserve(&in, a->n_cps);
            for (int32_t k = 0; !rc && k < a->n_cps; k++) tk_text_push(&in, a->cps[k], k, k + 1);
            if (!rc) rc = tk_normalize(t->normalizer, &in, 0, in.n, 0, &out);
            if (!rc) {
                uint32_t *cps = attn_calloc((size_t)out.n + 1, sizeof *cps);
                if (!cps) rc = -1;
                else {
                    if (out.n) memcpy(cps, out.cp, (size_t)out.n * sizeof *cps);
                    free(a->cps);
                    a->cps = cps, a->n_cps = out.n;
                }
            }
            tk_text_free(&in), tk_text_free(&out);
            if (rc) return attn_fail(ATTN_E_NOMEM, "out of memory");
        }
        if (a->n_cps > 0) t->added_first[a->normalized ? 1 : 0][a->cps[0] & 255] = 1;
    }
    return ATTN_OK;
}

const tk_added *tk_added_by_id(const attn_tokenizer *t, int32_t id) {
    for (int i = 0; i < t->n_added; i++)
        if (t->added[i].id == id) return &t->added[i];
    return NULL;
}

const tk_added *tk_added_by_content(const attn_tokenizer *t, const char *s) {
    for (int i = 0; i < t->n_added; i++)
        if (strcmp(t->added[i].content, s) == 0) return &t->added[i];
    return NULL;
}

/* The longest added token of the set starting at cp[p], or NULL. */
static const tk_added *match_at(const attn_tokenizer *t, int normalized, const uint32_t *cp, int32_t p, int32_t e) {
    const tk_added *best = NULL;
    for (int i = 0; i < t->n_added; i++) {
        const tk_added *a = &t->added[i];
        if ((a->normalized != 0) != (normalized != 0) || a->n_cps == 0 || a->n_cps > e - p) continue;
        if (best && a->n_cps <= best->n_cps) continue;
        if (memcmp(&cp[p], a->cps, (size_t)a->n_cps * sizeof *cp) == 0) best = a;
    }
    return best;
}

static attn_status split_one(const attn_tokenizer *t, const tk_text *x, const tk_split *sp, int normalized, tk_splits *out) {
    const uint32_t *cp = x->cp;
    const uint8_t *first = t->added_first[normalized ? 1 : 0];
    int32_t s = sp->s, e = sp->e, start_offset = s, pos = s;
    while (pos < e) {
        const tk_added *a = NULL;
        int32_t p = pos;
        for (; p < e; p++)
            if (first[cp[p] & 255] && (a = match_at(t, normalized, cp, p, e))) break;
        if (!a) break;
        int32_t start = p, stop = p + a->n_cps;
        pos = stop;
        if (a->single_word) {
            int start_space = start == s || !tk_is_word_char(cp[start - 1]);
            int stop_space = stop == e || !tk_is_word_char(cp[stop]);
            if (!start_space || !stop_space) continue;
        }
        if (a->lstrip) {
            int32_t k = start;
            while (k > s && tk_is_whitespace(cp[k - 1])) k--;
            start = k > start_offset ? k : start_offset;
        }
        if (a->rstrip)
            while (stop < e && tk_is_whitespace(cp[stop])) stop++;
        pos = stop;
        if (start > start_offset && tk_splits_push(out, start_offset, start, -1, x->os[start_offset])) return ATTN_E_NOMEM;
        if (tk_splits_push(out, start, stop, a->id, x->os[start])) return ATTN_E_NOMEM;
        start_offset = stop;
    }
    if (start_offset < e && tk_splits_push(out, start_offset, e, -1, start_offset == s ? sp->base : x->os[start_offset]))
        return ATTN_E_NOMEM;
    return ATTN_OK;
}

attn_status tk_added_split(const attn_tokenizer *t, tk_work *w, int normalized) {
    int any = 0;
    for (int i = 0; i < t->n_added; i++) any |= (t->added[i].normalized != 0) == (normalized != 0);
    if (!any) return ATTN_OK;
    w->splits2.n = 0;
    for (int32_t i = 0; i < w->splits.n; i++) {
        const tk_split *sp = &w->splits.v[i];
        if (sp->id >= 0 ? tk_splits_push(&w->splits2, sp->s, sp->e, sp->id, sp->base)
                        : split_one(t, &w->text, sp, normalized, &w->splits2))
            return ATTN_E_NOMEM;
    }
    tk_splits tmp = w->splits;
    w->splits = w->splits2, w->splits2 = tmp;
    return ATTN_OK;
}
