/* matmul.c — the portable matrix multiply y = x·wᵀ + b and the run-time choice of variant. */
#include "kernels.h"

void attn_matmul_ref(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    for (int i = 0; i < M; i++)
        for (int n = 0; n < N; n++) {
            const float *xi = x + (size_t)i * K, *wn = w + (size_t)n * K;
            float acc = 0.0f;
            for (int k = 0; k < K; k++) acc += xi[k] * wn[k];
            y[(size_t)i * N + n] = acc + (b ? b[n] : 0.0f);
        }
}

/* Portable, parallel: 4 weight rows at a time against each input row, so each weight row is
 * read once per 4 outputs and the compiler can vectorise the inner loop. */
static void matmul_portable(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    #pragma omp parallel for schedule(static)
    for (int n0 = 0; n0 < N; n0 += 4) {
        int nn = N - n0 < 4 ? N - n0 : 4;
        for (int i = 0; i < M; i++) {
            const float *xi = x + (size_t)i * K;
            for (int j = 0; j < nn; j++) {
                const float *wn = w + (size_t)(n0 + j) * K;
                float acc = 0.0f;
                for (int k = 0; k < K; k++) acc += xi[k] * wn[k];
                y[(size_t)i * N + n0 + j] = acc + (b ? b[n0 + j] : 0.0f);
            }
        }
    }
}

void attn_matmul(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    matmul_portable(y, x, w, b, M, K, N);
}

const char *attn_matmul_variant(void) { return "portable"; }
