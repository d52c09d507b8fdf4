/* encode.c — one text (or a pair) through the whole pipeline, into attn_encoding. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

void attn_encode_options_init(attn_encode_options *o) {
    memset(o, 0, sizeof *o);
    o->add_special_tokens = 1;
    o->truncation = ATTN_TRUNC_LONGEST_FIRST;
}

static void work_free(tk_work *w) {
    tk_text_free(&w->text), tk_text_free(&w->tmp), tk_text_free(&w->tmp2);
    free(w->splits.v), free(w->splits2.v), free(w->bounds), free(w->bytes), free(w->ibuf), free(w->heap), free(w->syms);
    memset(w, 0, sizeof *w);
}

typedef struct emitter {
    tk_seq *seq;
    const tk_text *text;
    int32_t s, word, type_id;
} emitter;

static attn_status emit(void *u, int32_t id, const char *str, int32_t s, int32_t e) {
    emitter *em = u;
    if (id < 0) return ATTN_E_NOMEM;
    tk_tok *t = tk_seq_push(em->seq);
    if (!t) return ATTN_E_NOMEM;
    t->id = id, t->str = str, t->word = em->word, t->type_id = em->type_id;
    t->start = em->text->os[em->s + s], t->end = em->text->oe[em->s + e - 1];
    return ATTN_OK;
}

/* An added token found in the text: its string is the (normalized) text it matched. */
static attn_status emit_added(tk_seq *q, const tk_text *x, const tk_split *sp, int32_t word, int32_t type_id) {
    tk_tok *t = tk_seq_push(q);
    if (!t) return ATTN_E_NOMEM;
    t->id = sp->id, t->word = word, t->type_id = type_id;
    t->start = x->os[sp->s], t->end = x->oe[sp->e - 1];
    t->str_off = (int32_t)q->arena->len;
    for (int32_t k = sp->s; k < sp->e; k++) {
        char buf[4];
        attn_sb_append(q->arena, buf, (size_t)tk_utf8_put(x->cp[k], buf));
    }
    q->arena->len++; /* keep the terminating NUL inside the arena */
    return q->arena->oom ? -1 : 0;
}

static attn_status normalize_splits(const attn_tokenizer *t, tk_work *w) {
    tk_text *y = &w->tmp;
    y->n = 0;
    w->splits2.n = 0;
    for (int32_t i = 0; i < w->splits.n; i++) {
        tk_split sp = w->splits.v[i];
        int32_t s = y->n;
        if (sp.id >= 0) {
            if (tk_text_reserve(y, sp.e - sp.s)) return ATTN_E_NOMEM;
            for (int32_t k = sp.s; k < sp.e; k++) tk_text_push(y, w->text.cp[k], w->text.os[k], w->text.oe[k]);
        } else if (tk_normalize(t->normalizer, &w->text, sp.s, sp.e, sp.base, y)) {
            return ATTN_E_NOMEM;
        }
        if (y->n > s && tk_splits_push(&w->splits2, s, y->n, sp.id, sp.base)) return ATTN_E_NOMEM;
    }
    tk_text tt = w->text;
    w->text = w->tmp, w->tmp = tt;
    tk_splits ts = w->splits;
    w->splits = w->splits2, w->splits2 = ts;
    return ATTN_OK;
}

static attn_status encode_one(const attn_tokenizer *t, tk_work *w, const char *text, size_t len, int32_t type_id,
                              const char *what, tk_seq *out) {
    ptrdiff_t bad = attn_utf8_invalid_at(text, len);
    if (bad >= 0) return attn_fail(ATTN_E_INVALID, "%s is not valid UTF-8 (byte offset %td)", what, bad);
    if (len > (size_t)INT32_MAX / 8) return attn_fail(ATTN_E_INVALID, "%s is too long (%zu bytes)", what, len);
    w->text.n = 0, w->splits.n = 0;
    if (tk_text_reserve(&w->text, (int32_t)len + 1)) goto oom;
    int32_t n = (int32_t)tk_utf8_decode(text, len, w->text.cp);
    for (int32_t i = 0; i < n; i++) w->text.os[i] = i, w->text.oe[i] = i + 1;
    w->text.n = n;
    if (n > 0 && tk_splits_push(&w->splits, 0, n, -1, 0)) goto oom;
    if (tk_added_split(t, w, 0)) goto oom;
    if (t->normalizer && normalize_splits(t, w)) goto oom;
    if (tk_added_split(t, w, 1)) goto oom;
    if (t->pretok && tk_pretokenize(t->pretok, w)) goto oom;
    for (int32_t k = 0; k < w->splits.n; k++) {
        const tk_split *sp = &w->splits.v[k];
        if (sp->id >= 0) {
            if (emit_added(out, &w->text, sp, k, type_id)) goto oom;
            continue;
        }
        emitter em = {out, &w->text, sp->s, k, type_id};
        int rc = t->model == TK_MODEL_WORDPIECE
                     ? tk_wordpiece_tokenize(t, w, w->text.cp + sp->s, sp->e - sp->s, emit, &em)
                     : tk_bpe_tokenize(t, w, w->text.cp + sp->s, sp->e - sp->s, emit, &em);
        if (rc) goto oom;
    }
    return ATTN_OK;
oom:
    return attn_fail(ATTN_E_NOMEM, "out of memory while tokenizing %s", what);
}

/* Builds the public encoding from the processed tokens, padded with pad tokens to pad_to. */
static attn_status fill(const attn_tokenizer *t, const tk_seq *q, int32_t pad_to, attn_encoding *e) {
    memset(e, 0, sizeof *e);
    int32_t n = q->n > pad_to ? q->n : pad_to;
    size_t bytes = 0;
    for (int32_t i = 0; i < q->n; i++)
        bytes += strlen(q->v[i].str ? q->v[i].str : q->arena->buf + q->v[i].str_off) + 1;
    bytes += (size_t)(n - q->n) * (strlen(t->pad_token) + 1);
    size_t m = (size_t)n + 1;
    e->ids = malloc(m * sizeof *e->ids);
    e->offsets = malloc(2 * m * sizeof *e->offsets);
    e->type_ids = malloc(m * sizeof *e->type_ids);
    e->special_tokens_mask = malloc(m);
    e->attention_mask = malloc(m);
    e->word_ids = malloc(m * sizeof *e->word_ids);
    e->sequence_ids = malloc(m * sizeof *e->sequence_ids);
    e->tokens = malloc(m * sizeof(char *) + bytes + 1);
    if (!e->ids || !e->offsets || !e->type_ids || !e->special_tokens_mask || !e->attention_mask || !e->word_ids ||
        !e->sequence_ids || !e->tokens) {
        attn_encoding_free(e);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    char *sp = (char *)(e->tokens + m);
    for (int32_t i = 0; i < n; i++) {
        const char *s;
        if (i < q->n) {
            const tk_tok *k = &q->v[i];
            s = k->str ? k->str : q->arena->buf + k->str_off;
            e->ids[i] = k->id, e->type_ids[i] = k->type_id;
            e->offsets[2 * i] = k->start, e->offsets[2 * i + 1] = k->end;
            e->special_tokens_mask[i] = k->special, e->attention_mask[i] = 1;
            e->word_ids[i] = k->word, e->sequence_ids[i] = k->seq;
        } else {
            s = t->pad_token;
            e->ids[i] = t->pad_id, e->type_ids[i] = 0;
            e->offsets[2 * i] = 0, e->offsets[2 * i + 1] = 0;
            e->special_tokens_mask[i] = 1, e->attention_mask[i] = 0;
            e->word_ids[i] = -1, e->sequence_ids[i] = -1;
        }
        size_t l = strlen(s) + 1;
        memcpy(sp, s, l);
        e->tokens[i] = sp;
        sp += l;
    }
    e->n = n;
    return ATTN_OK;
}

/* Tokens of text (+ pair) after truncation and post-processing, in *out (arena-backed). */
static attn_status encode_pair(const attn_tokenizer *t, tk_work *w, const char *text, size_t tlen, const char *pair,
                               size_t plen, const attn_encode_options *o, attn_strbuf *arena, tk_seq *out) {
    tk_seq a = {.arena = arena}, b = {.arena = arena};
    attn_status s = encode_one(t, w, text, tlen, 0, "text", &a);
    if (!s && pair) s = encode_one(t, w, pair, plen, 1, "text_pair", &b);
    int32_t max_length = o->max_length > 0 ? o->max_length : t->trunc_max_length;
    if (!s && max_length > 0) {
        int added = o->add_special_tokens ? tk_post_added(t->post, pair != NULL) : 0;
        if (max_length < added)
            s = attn_fail(ATTN_E_INVALID, "max_length %d is less than the %d special tokens it must hold", max_length, added);
        else
            s = tk_truncate(&a, pair ? &b : NULL, max_length - added, o->truncation);
    }
    if (!s && tk_post_process(t, &a, pair ? &b : NULL, o->add_special_tokens, out))
        s = attn_fail(ATTN_E_NOMEM, "out of memory");
    free(a.v), free(b.v);
    return s;
}

attn_status attn_tokenizer_encode_n(const attn_tokenizer *t, const char *text, size_t text_len, const char *pair,
                                    size_t pair_len, const attn_encode_options *opts, attn_encoding *out) {
    memset(out, 0, sizeof *out);
    if (!t || !text) return attn_fail(ATTN_E_INVALID, "encode: no tokenizer or no text");
    attn_encode_options def;
    if (!opts) attn_encode_options_init(&def), opts = &def;
    tk_work w = {0};
    attn_strbuf arena = {0};
    attn_sb_append(&arena, "", 1);
    tk_seq q = {.arena = &arena};
    attn_status s = encode_pair(t, &w, text, text_len, pair, pair_len, opts, &arena, &q);
    if (!s) s = fill(t, &q, 0, out);
    free(q.v);
    attn_sb_free(&arena);
    work_free(&w);
    return s;
}

attn_status attn_tokenizer_encode(const attn_tokenizer *t, const char *text, const char *pair,
                                  const attn_encode_options *opts, attn_encoding *out) {
    return attn_tokenizer_encode_n(t, text, text ? strlen(text) : 0, pair, pair ? strlen(pair) : 0, opts, out);
}

attn_status attn_tokenizer_encode_batch(const attn_tokenizer *t, const char *const *texts, const char *const *pairs, int n,
                                        const attn_encode_options *opts, attn_encoding *out) {
    if (n < 0 || (n > 0 && !texts)) return attn_fail(ATTN_E_INVALID, "encode_batch: bad arguments");
    for (int i = 0; i < n; i++) memset(&out[i], 0, sizeof out[i]);
    attn_encode_options def;
    if (!opts) attn_encode_options_init(&def), opts = &def;
    tk_work w = {0};
    attn_strbuf *arenas = attn_calloc((size_t)n + 1, sizeof *arenas);
    tk_seq *qs = attn_calloc((size_t)n + 1, sizeof *qs);
    attn_status s = arenas && qs ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    int32_t longest = 0;
    for (int i = 0; i < n && !s; i++) {
        if (!texts[i]) {
            s = attn_fail(ATTN_E_INVALID, "encode_batch: text %d is NULL", i);
            break;
        }
        attn_sb_append(&arenas[i], "", 1);
        qs[i].arena = &arenas[i];
        const char *p = pairs ? pairs[i] : NULL;
        s = encode_pair(t, &w, texts[i], strlen(texts[i]), p, p ? strlen(p) : 0, opts, &arenas[i], &qs[i]);
        if (s) s = attn_fail_prefix(s, "text %d", i);
        else if (qs[i].n > longest) longest = qs[i].n;
    }
    for (int i = 0; i < n && !s; i++) s = fill(t, &qs[i], longest, &out[i]);
    if (s)
        for (int i = 0; i < n; i++) attn_encoding_free(&out[i]);
    for (int i = 0; arenas && qs && i < n; i++) free(qs[i].v), attn_sb_free(&arenas[i]);
    free(arenas), free(qs);
    work_free(&w);
    return s;
}

void attn_encoding_free(attn_encoding *e) {
    if (!e) return;
    free(e->ids), free(e->tokens), free(e->offsets), free(e->type_ids), free(e->special_tokens_mask);
    free(e->attention_mask), free(e->word_ids), free(e->sequence_ids);
    memset(e, 0, sizeof *e);
}
