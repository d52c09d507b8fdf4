/* similarity.c — seed 003: cosine of one word's vector between two sentences at every hidden state. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* v[H] = mean of the hidden vectors of the pieces at hidden state k. */
static void word_vector(const attn_output *o, int k, const int32_t *pieces, int32_t n, double *v) {
    size_t H = (size_t)o->hidden, T = (size_t)o->len;
    memset(v, 0, H * sizeof *v);
    for (int32_t p = 0; p < n; p++) {
        const float *x = o->hidden_states + ((size_t)k * T + (size_t)pieces[p]) * H;
        for (size_t d = 0; d < H; d++) v[d] += x[d];
    }
    for (size_t d = 0; d < H; d++) v[d] /= n;
}

/* As torch.nn.functional.cosine_similarity: x·y / max(|x|·|y|, 1e-8). */
static double cosine(const double *x, const double *y, size_t n) {
    double xy = 0, xx = 0, yy = 0;
    for (size_t d = 0; d < n; d++) xy += x[d] * y[d], xx += x[d] * x[d], yy += y[d] * y[d];
    double norm = sqrt(xx) * sqrt(yy);
    return xy / (norm > 1e-8 ? norm : 1e-8);
}

static attn_status check_pieces(const attn_output *o, const int32_t *pieces, int32_t n) {
    if (!o || !o->hidden_states) return attn_fail(ATTN_E_INVALID, "no hidden states in the model output");
    if (n < 1) return attn_fail(ATTN_E_INVALID, "similarity: the word has no token");
    for (int32_t p = 0; p < n; p++)
        if (pieces[p] < 0 || pieces[p] >= o->len) return attn_fail(ATTN_E_INVALID, "similarity: token %d out of range", pieces[p]);
    return ATTN_OK;
}

attn_status attn_hidden_cosine(const attn_output *a, const int32_t *pieces_a, int32_t n_a, const attn_output *b,
                               const int32_t *pieces_b, int32_t n_b, double *out) {
    attn_status s = check_pieces(a, pieces_a, n_a);
    if (s == ATTN_OK) s = check_pieces(b, pieces_b, n_b);
    if (s != ATTN_OK) return s;
    if (a->layers != b->layers || a->hidden != b->hidden)
        return attn_fail(ATTN_E_INVALID, "similarity: the two outputs come from different models");
    double *x = attn_calloc(2 * (size_t)a->hidden, sizeof *x);
    if (!x) return attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int k = 0; k <= a->layers; k++) {
        word_vector(a, k, pieces_a, n_a, x);
        word_vector(b, k, pieces_b, n_b, x + a->hidden);
        out[k] = cosine(x, x + a->hidden, (size_t)a->hidden);
    }
    free(x);
    return ATTN_OK;
}

void attn_similarity_free(attn_similarity *s) {
    if (!s) return;
    for (int k = 0; k < 2; k++) attn_encoding_free(&s->enc[k]), free(s->pieces[k]);
    free(s->cosine);
    memset(s, 0, sizeof *s);
}

attn_status attn_similarity_compute(attn_model *m, const attn_tokenizer *t, const char *word,
                                    const char *const sentences[2], const int occurrence[2], attn_similarity *out) {
    memset(out, 0, sizeof *out);
    attn_status s = ATTN_OK;
    for (int k = 0; k < 2 && s == ATTN_OK; k++) {
        attn_truncation_info cut; /* longer than the model's positions: cut, as truncation=True */
        s = attn_encode_to_fit(t, attn_model_config(m), sentences[k], strlen(sentences[k]), NULL, 0, &out->enc[k], &cut);
        if (s == ATTN_OK)
            s = attn_find_word_fit(sentences[k], &out->enc[k], cut, word, occurrence ? occurrence[k] : 1, &out->pieces[k],
                                   &out->n_pieces[k]);
        if (s == ATTN_OK) out->untruncated[k] = cut.tokens;
        else if (cut.tokens) s = attn_fail_prefix(s, "sentence %d", k + 1);
    }
    attn_output o[2] = {{0}, {0}};
    if (s == ATTN_OK) { /* one padded batch, as the seed runs them */
        attn_input in[2] = {{out->enc[0].ids, out->enc[0].type_ids, out->enc[0].n},
                            {out->enc[1].ids, out->enc[1].type_ids, out->enc[1].n}};
        for (int k = 0; k < 2 && s == ATTN_OK; k++)
            if ((s = attn_model_check_input(m, &in[k])) != ATTN_OK) s = attn_fail_prefix(s, "sentence %d", k + 1);
        if (s == ATTN_OK) s = attn_model_forward(m, in, 2, ATTN_OUT_HIDDEN, o);
    }
    if (s == ATTN_OK) {
        out->n_states = o[0].layers + 1;
        out->cosine = attn_calloc((size_t)out->n_states, sizeof *out->cosine);
        s = out->cosine ? attn_hidden_cosine(&o[0], out->pieces[0], out->n_pieces[0], &o[1], out->pieces[1],
                                             out->n_pieces[1], out->cosine)
                        : attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    attn_output_free(&o[0]), attn_output_free(&o[1]);
    if (s != ATTN_OK) attn_similarity_free(out);
    return s;
}
