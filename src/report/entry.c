/* entry.c — one model's attention on one sentence: validated, then packed into blobs at once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Index of the first value outside [0, 1] (or NaN), or -1. */
static int64_t first_non_probability(const float *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(v[i] >= -1e-6f && v[i] <= 1.0f + 1e-5f)) return (int64_t)i;
    return -1;
}

static json_t *string_array(const char *const *s, int32_t n) {
    json_t *a = json_array();
    for (int32_t i = 0; a && i < n; i++) {
        json_t *v = s[i] ? json_string(s[i]) : NULL;
        if (!v || json_array_append_new(a, v)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *int_array(const int32_t *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) json_array_append_new(a, json_integer(v[i]));
    return a;
}

static attn_status check_shapes(const attn_report *r, int sentence, int model, const attn_report_attention *a) {
    if (sentence < 0 || sentence >= attn_report_sentence_count(r))
        return attn_fail(ATTN_E_INVALID, "report: no sentence %d", sentence);
    if (model < 0 || model >= (int)json_array_size(r->models)) return attn_fail(ATTN_E_INVALID, "report: no model %d", model);
    if (a->n_tokens < 1 || !a->tokens || a->layers < 1 || a->heads < 1 || !a->attentions)
        return attn_fail(ATTN_E_INVALID, "report: sentence %d: needs tokens, layers, heads and attentions", sentence);
    if (a->n_tokens > 4096 || a->layers > 256 || a->heads > 256)
        return attn_fail(ATTN_E_INVALID, "report: sentence %d: %d tokens, %d layers, %d heads is too large", sentence,
                         a->n_tokens, a->layers, a->heads);
    if ((a->queries || a->keys) && (!a->queries || !a->keys || a->head_dim < 1 || a->head_dim > 4096))
        return attn_fail(ATTN_E_INVALID, "report: sentence %d: queries and keys go together, with head_dim > 0", sentence);
    if (a->n_words < 0 || (a->n_words > 0 && (!a->words || (!a->word_attentions && !a->token_words))) || a->n_words > 4096)
        return attn_fail(ATTN_E_INVALID, "report: sentence %d: word-level attention needs words and their matrices", sentence);
    for (int32_t t = 0; a->n_words > 0 && a->token_words && t < a->n_tokens; t++)
        if (a->token_words[t] < -1 || a->token_words[t] >= a->n_words)
            return attn_fail(ATTN_E_INVALID, "report: sentence %d: token %d belongs to word %d of %d", sentence, t,
                             a->token_words[t], a->n_words);
    json_t *entries = json_object_get(json_array_get(r->sentences, (size_t)sentence), "entries"), *e;
    size_t i;
    json_array_foreach(entries, i, e) if (json_integer_value(json_object_get(e, "model")) == model)
        return attn_fail(ATTN_E_INVALID, "report: sentence %d already has attention of model %d", sentence, model);
    return ATTN_OK;
}

/* tokens, segments, word ids and offsets as plain JSON members of e. */
static attn_status put_tokens(json_t *e, int sentence, const attn_report_attention *a) {
    size_t T = (size_t)a->n_tokens;
    json_t *tokens = string_array(a->tokens, a->n_tokens);
    if (!tokens) return attn_fail(ATTN_E_INVALID, "report: sentence %d: a token is missing or not valid UTF-8", sentence);
    json_object_set_new(e, "tokens", tokens);
    if (a->display) {
        json_t *display = string_array(a->display, a->n_tokens);
        if (!display) return attn_fail(ATTN_E_INVALID, "report: sentence %d: a display label is missing or not valid UTF-8", sentence);
        json_object_set_new(e, "display", display);
    }
    json_t *seg = json_array();
    for (size_t t = 0; t < T; t++) json_array_append_new(seg, json_integer(a->segments ? (a->segments[t] != 0) : 0));
    json_object_set_new(e, "segments", seg);
    if (a->word_ids) json_object_set_new(e, "word_ids", int_array(a->word_ids, T));
    if (a->offsets) json_object_set_new(e, "offsets", int_array(a->offsets, 2 * T));
    return ATTN_OK;
}

/* The packed arrays: attention, queries/keys, word-level attention. */
static attn_status put_arrays(attn_report *r, json_t *e, int sentence, const attn_report_attention *a) {
    size_t T = (size_t)a->n_tokens, LH = (size_t)a->layers * (size_t)a->heads;
    int64_t bad = first_non_probability(a->attentions, LH * T * T);
    if (bad >= 0)
        return attn_fail(ATTN_E_INVALID, "report: sentence %d: attention value %lld is %g, not a probability", sentence,
                         (long long)bad, (double)a->attentions[bad]);
    int64_t shape[4] = {a->layers, a->heads, (int64_t)T, (int64_t)T};
    json_t *d = report_pack_unit(r, a->attentions, LH * T * T, shape, 4);
    if (!d || json_object_set_new(e, "attention", d)) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    if (a->queries) {
        int64_t qshape[4] = {a->layers, a->heads, (int64_t)T, a->head_dim};
        size_t n = LH * T * (size_t)a->head_dim;
        json_t *q = report_pack_f32(r, a->queries, n, qshape, 4), *k = report_pack_f32(r, a->keys, n, qshape, 4);
        if (!q || !k) {
            json_decref(q), json_decref(k);
            return attn_fail(ATTN_E_NOMEM, "report: out of memory");
        }
        json_object_set_new(e, "queries", q), json_object_set_new(e, "keys", k);
    }
    if (a->n_words > 0) {
        size_t W = (size_t)a->n_words;
        json_t *words = string_array(a->words, a->n_words);
        if (!words) return attn_fail(ATTN_E_INVALID, "report: sentence %d: a word is missing or not valid UTF-8", sentence);
        json_object_set_new(e, "words", words);
        if (a->token_words) json_object_set_new(e, "token_words", int_array(a->token_words, (size_t)a->n_tokens));
        if (!a->word_attentions) return ATTN_OK;
        if ((bad = first_non_probability(a->word_attentions, LH * W * W)) >= 0)
            return attn_fail(ATTN_E_INVALID, "report: sentence %d: word attention value %lld is %g, not in [0, 1]", sentence,
                             (long long)bad, (double)a->word_attentions[bad]);
        int64_t wshape[4] = {a->layers, a->heads, (int64_t)W, (int64_t)W};
        json_t *w = report_pack_unit(r, a->word_attentions, LH * W * W, wshape, 4);
        if (!w || json_object_set_new(e, "word_attention", w)) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    }
    return ATTN_OK;
}

attn_status attn_report_add_attention(attn_report *r, int sentence, int model, const attn_report_attention *a) {
    attn_status s = check_shapes(r, sentence, model, a);
    if (s) return s;
    json_t *e = json_pack("{s:i, s:i, s:i}", "model", model, "layers", a->layers, "heads", a->heads);
    if (!e) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    size_t nblobs = r->nblobs;
    if ((s = put_tokens(e, sentence, a)) || (s = put_arrays(r, e, sentence, a))) {
        json_decref(e);
        while (r->nblobs > nblobs) free(r->blobs[--r->nblobs]); /* no orphan blobs in the page */
        return s;
    }
    json_t *entries = json_object_get(json_array_get(r->sentences, (size_t)sentence), "entries");
    if (json_array_append_new(entries, e)) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    return ATTN_OK;
}
