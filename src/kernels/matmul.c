/* matmul.c — the reference and the portable matrix multiply y (M, N) = x (M, K) · w (N, K)ᵀ + b.
 * The run-time choice between these and the ISA-specific variants is made in dispatch.c. */
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

#define LANES 8 /* independent partial sums: the compiler may map them to SIMD lanes of any width */

/* One dot product over K with LANES partial sums (a fixed order, so no -ffast-math is needed for
 * the compiler to vectorise it), then the lanes and the tail. */
static float dot(const float *a, const float *b, int K) {
    float acc[LANES] = {0};
    int k = 0;
    for (; k + LANES <= K; k += LANES)
        for (int l = 0; l < LANES; l++) acc[l] += a[k + l] * b[k + l];
    float s = 0.0f;
    for (int l = 0; l < LANES; l++) s += acc[l];
    for (; k < K; k++) s += a[k] * b[k];
    return s;
}

/* Portable, parallel over blocks of 4 weight rows: each block is read from memory once and then
 * reused from cache for every row of x. */
void attn_matmul_portable(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    #pragma omp parallel for schedule(static) if ((double)M * K * N > ATTN_PARALLEL_MACS)
    for (int n0 = 0; n0 < N; n0 += 4) {
        int nn = N - n0 < 4 ? N - n0 : 4;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < nn; j++)
                y[(size_t)i * N + n0 + j] = dot(x + (size_t)i * K, w + (size_t)(n0 + j) * K, K) + (b ? b[n0 + j] : 0.0f);
    }
}
