/* matmul.c — the reference and the portable matrix multiply y (M, N) = x (M, K) · w (N, K)ᵀ + b.
 * The run-time choice between these and the ISA-specific variants is made in dispatch.c. */
#include <omp.h>

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

/* Portable: a unit is 8 blocks of 4 weight rows (32 outputs) over all of x; each block is read
 * from memory once and then reused from cache for every row of x. */
void attn_matmul_portable_part(float *y, const float *x, const float *w, const float *b, int M, int K, int N, int ldx,
                               int ldy, int act, int tid, int nt, atomic_int *next) {
    attn_units units = attn_units_of(next, (N + 31) / 32, tid, nt);
    for (int u; (u = attn_units_take(&units)) >= 0;) {
        int n1 = 32 * u + 32 < N ? 32 * u + 32 : N;
        for (int n0 = 32 * u; n0 < n1; n0 += 4) {
            int nn = n1 - n0 < 4 ? n1 - n0 : 4;
            for (int i = 0; i < M; i++)
                for (int j = 0; j < nn; j++)
                    y[(size_t)i * ldy + n0 + j] = dot(x + (size_t)i * ldx, w + (size_t)(n0 + j) * K, K) + (b ? b[n0 + j] : 0.0f);
        }
        if (act >= 0) attn_activation_block(y, M, ldy, 32 * u, n1, (attn_activation)act);
    }
}

void attn_matmul_portable(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    #pragma omp parallel
    attn_matmul_portable_part(y, x, w, b, M, K, N, K, N, -1, omp_get_thread_num(), omp_get_num_threads(), NULL);
}
