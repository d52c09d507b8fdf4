/* text.c — growable arrays of the pipeline: aligned text, splits, tokens. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

int tk_text_reserve(tk_text *t, int32_t extra) {
    if (extra < 0 || t->n > INT32_MAX - extra) return -1;
    int32_t need = t->n + extra;
    if (need <= t->cap) return 0;
    int32_t cap = t->cap ? t->cap : 64;
    while (cap < need) cap = cap > INT32_MAX / 2 ? INT32_MAX : cap * 2;
    uint32_t *cp = realloc(t->cp, (size_t)cap * sizeof *cp);
    if (!cp) return -1;
    t->cp = cp;
    int32_t *os = realloc(t->os, (size_t)cap * sizeof *os);
    if (!os) return -1;
    t->os = os;
    int32_t *oe = realloc(t->oe, (size_t)cap * sizeof *oe);
    if (!oe) return -1;
    t->oe = oe;
    t->cap = cap;
    return 0;
}

void tk_text_free(tk_text *t) {
    free(t->cp), free(t->os), free(t->oe);
    memset(t, 0, sizeof *t);
}

int tk_splits_push(tk_splits *l, int32_t s, int32_t e, int32_t id, int32_t base) {
    if (l->n == l->cap) {
        int32_t cap = l->cap ? l->cap * 2 : 64;
        tk_split *v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) return -1;
        l->v = v, l->cap = cap;
    }
    l->v[l->n++] = (tk_split){s, e, id, base};
    return 0;
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
