/* focus.c — where a word attends: its attention rows per layer, per head, or rolled out. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "words_internal.h"

/* acc[T] += the rows of m [T][T] of the word's pieces. */
static void add_rows(const float *m, size_t T, const int32_t *pieces, int32_t n, double *acc) {
    for (int32_t p = 0; p < n; p++)
        for (size_t j = 0; j < T; j++) acc[j] += m[(size_t)pieces[p] * T + j];
}

static void store_normalised(const double *acc, size_t T, float *dst) {
    double sum = 0.0;
    for (size_t j = 0; j < T; j++) sum += acc[j];
    for (size_t j = 0; j < T; j++) dst[j] = sum > 0.0 ? (float)(acc[j] / sum) : 0.0f;
}

attn_status attn_focus(const attn_output *out, const int32_t *pieces, int32_t n_pieces, attn_focus_kind kind, int layer,
                       float *dst) {
    attn_status s = attn_check_attentions(out, out ? out->len : 0, kind == ATTN_FOCUS_HEADS ? layer : 0, -1);
    if (s != ATTN_OK) return s;
    size_t T = (size_t)out->len, H = (size_t)out->heads, L = (size_t)out->layers;
    if (n_pieces < 1) return attn_fail(ATTN_E_INVALID, "focus: no token given");
    for (int32_t p = 0; p < n_pieces; p++)
        if (pieces[p] < 0 || (size_t)pieces[p] >= T) return attn_fail(ATTN_E_INVALID, "focus: token %d out of range", pieces[p]);
    if (kind != ATTN_FOCUS_LAYERS && kind != ATTN_FOCUS_HEADS && kind != ATTN_FOCUS_ROLLOUT)
        return attn_fail(ATTN_E_INVALID, "focus: unknown kind %d", (int)kind);
    float *rolled = kind == ATTN_FOCUS_ROLLOUT ? attn_calloc(L * T * T, sizeof *rolled) : NULL;
    double *acc = attn_calloc(T, sizeof *acc);
    if (!acc || (kind == ATTN_FOCUS_ROLLOUT && !rolled)) s = attn_fail(ATTN_E_NOMEM, "out of memory");
    if (s == ATTN_OK && rolled) s = attn_rollout(out, rolled);
    size_t rows = kind == ATTN_FOCUS_HEADS ? H : L;
    for (size_t r = 0; s == ATTN_OK && r < rows; r++) {
        memset(acc, 0, T * sizeof *acc);
        if (kind == ATTN_FOCUS_ROLLOUT) add_rows(rolled + r * T * T, T, pieces, n_pieces, acc);
        else if (kind == ATTN_FOCUS_HEADS) add_rows(out->attentions + ((size_t)layer * H + r) * T * T, T, pieces, n_pieces, acc);
        else
            for (size_t h = 0; h < H; h++) add_rows(out->attentions + (r * H + h) * T * T, T, pieces, n_pieces, acc);
        store_normalised(acc, T, dst + r * T); /* means over heads and pieces cancel in the normalisation */
    }
    free(rolled), free(acc);
    return s;
}
