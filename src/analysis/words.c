/* words.c — the words of a text (Python's str.split()), their tokens, and word-level attention. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "common.h"
#include "words_internal.h"

/* Python's str.isspace(): bidirectional class WS, B or S, or category Zs. */
int attn_py_isspace(uint32_t c) {
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return 1;
    if (c < 0x85) return 0;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

attn_status attn_utf8_decode_all(const char *s, uint32_t **cps, size_t **byte_at, size_t *n) {
    size_t len = strlen(s);
    ptrdiff_t bad = attn_utf8_invalid_at(s, len);
    if (bad >= 0) return attn_fail(ATTN_E_INVALID, "not valid UTF-8 (byte %td)", bad);
    *cps = attn_calloc(len + 1, sizeof **cps);
    *byte_at = attn_calloc(len + 1, sizeof **byte_at);
    if (!*cps || !*byte_at) {
        free(*cps), free(*byte_at);
        *cps = NULL, *byte_at = NULL;
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < len; k++) {
        const unsigned char *p = (const unsigned char *)s + i;
        int extra = p[0] < 0x80 ? 0 : p[0] < 0xE0 ? 1 : p[0] < 0xF0 ? 2 : 3;
        uint32_t c = extra == 0 ? p[0] : (uint32_t)(p[0] & (0x3F >> extra));
        for (int j = 1; j <= extra; j++) c = (c << 6) | (p[j] & 0x3F);
        (*byte_at)[k] = i;
        (*cps)[k] = c;
        i += (size_t)extra + 1;
    }
    (*byte_at)[k] = len;
    *n = k;
    return ATTN_OK;
}

void attn_words_free(attn_words *w) {
    if (!w) return;
    for (int32_t i = 0; w->words && i < w->n; i++) free(w->words[i]);
    free(w->words), free(w->spans), free(w->pieces), free(w->token_word);
    memset(w, 0, sizeof *w);
}

/* Splits cps into whitespace-separated words: spans and UTF-8 copies. */
static attn_status split_words(const char *text, const uint32_t *cps, const size_t *byte_at, size_t n, attn_words *w) {
    size_t cap = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && attn_py_isspace(cps[i])) i++;
        if (i == n) break;
        size_t start = i;
        while (i < n && !attn_py_isspace(cps[i])) i++;
        if (!attn_grow((void **)&w->spans, &cap, (size_t)w->n + 1, 2 * sizeof *w->spans)) goto oom;
        w->spans[2 * w->n] = (int32_t)start, w->spans[2 * w->n + 1] = (int32_t)i;
        w->n++;
    }
    w->words = attn_calloc((size_t)w->n + 1, sizeof *w->words);
    w->pieces = attn_calloc((size_t)w->n + 1, sizeof *w->pieces);
    if (!w->words || !w->pieces) goto oom;
    for (int32_t k = 0; k < w->n; k++) {
        size_t a = byte_at[w->spans[2 * k]], z = byte_at[w->spans[2 * k + 1]];
        if (!(w->words[k] = attn_strndup(text + a, z - a))) goto oom;
    }
    return ATTN_OK;
oom:
    return attn_fail(ATTN_E_NOMEM, "out of memory");
}

/* The word whose span holds code point cp, or -1. Spans are sorted. */
static int32_t word_at(const attn_words *w, int32_t cp) {
    int32_t lo = 0, hi = w->n - 1;
    while (lo <= hi) {
        int32_t mid = (lo + hi) / 2;
        if (cp < w->spans[2 * mid]) hi = mid - 1;
        else if (cp >= w->spans[2 * mid + 1]) lo = mid + 1;
        else return mid;
    }
    return -1;
}

attn_status attn_words_map(const char *text, const attn_encoding *enc, attn_words *out) {
    memset(out, 0, sizeof *out);
    if (!text) return attn_fail(ATTN_E_INVALID, "words: no text");
    uint32_t *cps;
    size_t *byte_at, n;
    attn_status s = attn_utf8_decode_all(text, &cps, &byte_at, &n);
    if (s != ATTN_OK) return attn_fail_prefix(s, "text");
    s = split_words(text, cps, byte_at, n, out);
    free(cps), free(byte_at);
    if (s == ATTN_OK && enc) {
        out->n_tokens = enc->n;
        out->token_word = attn_calloc((size_t)enc->n + 1, sizeof *out->token_word);
        if (!out->token_word) s = attn_fail(ATTN_E_NOMEM, "out of memory");
        for (int32_t i = 0; s == ATTN_OK && i < enc->n; i++) {
            int32_t a = enc->offsets[2 * i], z = enc->offsets[2 * i + 1];
            int keep = !enc->special_tokens_mask[i] && z > a && (!enc->sequence_ids || enc->sequence_ids[i] == 0);
            out->token_word[i] = keep ? word_at(out, a) : -1;
            if (out->token_word[i] >= 0) out->pieces[out->token_word[i]]++;
        }
    }
    if (s != ATTN_OK) attn_words_free(out);
    return s;
}

/* Checks that out holds attentions for words' encoding and that layer/head exist. */
attn_status attn_check_attentions(const attn_output *out, int32_t n_tokens, int layer, int head) {
    if (!out || !out->attentions) return attn_fail(ATTN_E_INVALID, "no attentions in the model output");
    if (n_tokens != out->len)
        return attn_fail(ATTN_E_INVALID, "the output has %d tokens, the encoding %d", out->len, n_tokens);
    if (layer < 0 || layer >= out->layers)
        return attn_fail(ATTN_E_INVALID, "layer %d does not exist (the model has layers 0..%d)", layer, out->layers - 1);
    if (head < -1 || head >= out->heads)
        return attn_fail(ATTN_E_INVALID, "head %d does not exist (the model has heads 0..%d)", head, out->heads - 1);
    return ATTN_OK;
}

attn_status attn_word_attention(const attn_output *out, const attn_words *words, int layer, int head, float *dst) {
    attn_status s = attn_check_attentions(out, words->n_tokens, layer, head);
    if (s != ATTN_OK) return s;
    if (!words->token_word) return attn_fail(ATTN_E_INVALID, "words were mapped without an encoding");
    size_t T = (size_t)out->len, W = (size_t)words->n;
    double *acc = attn_calloc(W * W + 1, sizeof *acc); // [W][W]
    if (!acc) return attn_fail(ATTN_E_NOMEM, "out of memory");
    int h0 = head < 0 ? 0 : head, h1 = head < 0 ? out->heads : head + 1;
    for (int h = h0; h < h1; h++) {
        const float *A = out->attentions + ((size_t)layer * (size_t)out->heads + (size_t)h) * T * T; // [T][T]
        for (size_t i = 0; i < T; i++) {
            int32_t u = words->token_word[i];
            if (u < 0) continue;
            for (size_t j = 0; j < T; j++) {
                int32_t v = words->token_word[j];
                if (v >= 0) acc[(size_t)u * W + (size_t)v] += A[i * T + j];
            }
        }
    }
    /* The mean over heads and over u's pieces only scale a row: renormalising removes them. */
    for (size_t u = 0; u < W; u++) {
        double sum = 0.0;
        for (size_t v = 0; v < W; v++) sum += acc[u * W + v];
        for (size_t v = 0; v < W; v++) dst[u * W + v] = sum > 0.0 ? (float)(acc[u * W + v] / sum) : 0.0f;
    }
    free(acc);
    return ATTN_OK;
}

attn_status attn_word_attention_layers(const attn_output *out, const attn_words *words, float *dst) {
    size_t WW = (size_t)words->n * (size_t)words->n;
    for (int l = 0; out && l < out->layers; l++) {
        attn_status s = attn_word_attention(out, words, l, -1, dst + (size_t)l * WW);
        if (s != ATTN_OK) return s;
    }
    return out ? ATTN_OK : attn_fail(ATTN_E_INVALID, "no model output");
}

static int row_is_empty(const float *r, int32_t n) {
    for (int32_t j = 0; j < n; j++)
        if (r[j] > 0.0f) return 0;
    return 1;
}

double attn_word_rows_js(const float *a, const float *b, int32_t n_words, int32_t *n_rows) {
    double sum = 0.0;
    int32_t rows = 0;
    for (int32_t u = 0; u < n_words; u++) {
        const float *p = a + (size_t)u * (size_t)n_words, *q = b + (size_t)u * (size_t)n_words;
        if (row_is_empty(p, n_words) || row_is_empty(q, n_words)) continue;
        sum += attn_js_distance(p, q, (size_t)n_words);
        rows++;
    }
    if (n_rows) *n_rows = rows;
    return rows ? sum / rows : 0.0;
}
