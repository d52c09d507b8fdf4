/* text.c — growable arrays of the pipeline: aligned text, splits, tokens. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

attn_status tk_text_reserve(tk_text *t, int32_t extra) {
    if (extra < 0 || t->n > INT32_MAX - extra) return ATTN_E_NOMEM;
    int32_t need = t->n + extra;
    if (need <= t->cap) return ATTN_OK;
    int32_t cap = t->cap ? t->cap : 64;
    while (cap < need) cap = cap > INT32_MAX / 2 ? INT32_MAX : cap * 2;
    uint32_t *cp = realloc(t->cp, (size_t)cap * sizeof *cp);
    if (!cp) return ATTN_E_NOMEM;
    t->cp = cp;
    int32_t *os = realloc(t->os, (size_t)cap * sizeof *os);
    if (!os) return ATTN_E_NOMEM;
    t->os = os;
    int32_t *oe = realloc(t->oe, (size_t)cap * sizeof *oe);
    if (!oe) return ATTN_E_NOMEM;
    t->oe = oe;
    t->cap = cap;
    return ATTN_OK;
}

void tk_text_free(tk_text *t) {
    free(t->cp), free(t->os), free(t->oe);
    memset(t, 0, sizeof *t);
}

attn_status tk_splits_push(tk_splits *l, int32_t s, int32_t e, int32_t id, int32_t base) {
    if (l->n == l->cap) {
        int32_t cap = l->cap ? l->cap * 2 : 64;
        tk_split *v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) return ATTN_E_NOMEM;
        l->v = v, l->cap = cap;
    }
    l->v[l->n++] = (tk_split){s, e, id, base};
    return ATTN_OK;
}

tk_tok *tk_seq_push(tk_seq *q) {
    if (q->n == q->cap) {
        int32_t cap = q->cap ? q->cap * 2 : 64;
        tk_tok *v = realloc(q->v, (size_t)cap * sizeof *v);
        if (!v) return NULL;
        q->v = v, q->cap = cap;
    }
    tk_tok *t = &q->v[q->n++];
    memset(t, 0, sizeof *t);
    t->word = -1, t->seq = -1, t->str_off = -1;
    return t;
}
