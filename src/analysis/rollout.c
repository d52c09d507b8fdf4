/* rollout.c — attention rollout (Abnar & Zuidema 2020), residual-corrected. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "words_internal.h"

/* A'_l = rownorm(0.5 * mean_heads(A_l) + 0.5 * I) into a [T][T]. */
static void residual_mean(const attn_output *out, int layer, double *a) {
    size_t T = (size_t)out->len, H = (size_t)out->heads;
    memset(a, 0, T * T * sizeof *a);
    for (size_t h = 0; h < H; h++) {
        const float *A = out->attentions + ((size_t)layer * H + h) * T * T; // [T][T]
        for (size_t k = 0; k < T * T; k++) a[k] += A[k];
    }
    for (size_t i = 0; i < T; i++) {
        double sum = 0.0;
        for (size_t j = 0; j < T; j++) {
            a[i * T + j] = 0.5 * a[i * T + j] / (double)H + (i == j ? 0.5 : 0.0);
            sum += a[i * T + j];
        }
        for (size_t j = 0; j < T; j++) a[i * T + j] /= sum;
    }
}

attn_status attn_rollout(const attn_output *out, float *dst) {
    attn_status s = attn_check_attentions(out, out ? out->len : 0, 0, -1);
    if (s != ATTN_OK) return s;
    size_t T = (size_t)out->len;
    double *a = attn_calloc(3 * T * T, sizeof *a); // A'_l, rolled so far, product
    if (!a) return attn_fail(ATTN_E_NOMEM, "out of memory");
    double *roll = a + T * T, *next = a + 2 * T * T;
    for (int l = 0; l < out->layers; l++) {
        residual_mean(out, l, a);
        if (l == 0) {
            memcpy(roll, a, T * T * sizeof *a);
        } else { /* next = A'_l · roll */
            memset(next, 0, T * T * sizeof *next);
            for (size_t i = 0; i < T; i++)
                for (size_t k = 0; k < T; k++) {
                    double x = a[i * T + k];
                    for (size_t j = 0; j < T; j++) next[i * T + j] += x * roll[k * T + j];
                }
            double *t = roll;
            roll = next, next = t;
        }
        float *d = dst + (size_t)l * T * T;
        for (size_t k = 0; k < T * T; k++) d[k] = (float)roll[k];
    }
    free(a);
    return ATTN_OK;
}
