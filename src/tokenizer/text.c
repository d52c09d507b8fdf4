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
    if (!attn_grow((void **)&l->v, &l->cap, (size_t)l->n + 1, sizeof *l->v)) return ATTN_E_NOMEM;
    l->v[l->n++] = (tk_split){s, e, id, base};
    return ATTN_OK;
}

tk_tok *tk_seq_push(tk_seq *q) {
    if (!attn_grow((void **)&q->v, &q->cap, (size_t)q->n + 1, sizeof *q->v)) return NULL;
    tk_tok *t = &q->v[q->n++];
    memset(t, 0, sizeof *t);
    t->word = -1, t->seq = -1, t->str_off = -1;
    return t;
}
