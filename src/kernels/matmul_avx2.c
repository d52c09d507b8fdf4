/* matmul_avx2.c — y (M, N) = x (M, K) · w (N, K)ᵀ + b with AVX2 + FMA (compiled with -mavx2 -mfma;
 * only ever called after dispatch.c has checked the CPU and the OS).
 *
 * w stays as PyTorch stores nn.Linear weights, row-major (N, K): each output is a dot product of an x
 * row and a w row along K, so the vectors run along K and a tile of MR x rows × NR w rows keeps
 * MR·NR accumulators of 8 lanes, reduced horizontally once at the end of K.
 *
 *   3 × 4 tile: 12 accumulators + 3 x vectors + 1 w vector = 16 ymm registers; per step of 8 k
 *   7 loads feed 12 FMAs, so the loop runs at the FMA ports, not the load ports.
 *
 * Loop nest (each thread owns a contiguous range of w-row tiles = a contiguous slice of w):
 *   for mc in M by MC rows          x block (MC, K) stays in L2
 *     for each 4-row w tile         4·K floats, read from memory once per mc block, then from L1/L2
 *       for each 3-row x tile       the 3 × 4 micro-kernel over all of K
 * For the forward's small M (25 tokens, one mc block) every weight is read from memory exactly once
 * per forward: the multiply is bound by weight bandwidth, which this order streams sequentially. */
#include <immintrin.h>
#include <omp.h>

#include "kernels.h"

#define MR 3
#define NR 4
#ifndef PREFETCH
#define PREFETCH 1
#endif
#define MC 48 /* x rows per block: 48 × 768 floats = 144 KB, in L2 with the w tile */

#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL _Pragma("GCC unroll 4")
#else
#define UNROLL _Pragma("unroll")
#endif

/* Lanes 0..r-1 set, for the last K % 8 elements. */
static __m256i tail_mask(int r) {
    static const int32_t bits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(bits + 8 - r));
}

/* Horizontal sums of 4 vectors → one 4-lane vector (s0, s1, s2, s3). */
static inline __m128 hsum4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

/* y[i][j] (mr × nr, row stride N) = x rows · w rows over K, + b[j]. mr ≤ MR, nr ≤ NR are constants
 * at every call site, so the loops unroll and acc lives in registers. */
static inline __attribute__((always_inline)) void tile(int mr, int nr, const float *x, const float *w, const float *b,
                                                       float *y, int K, int N, const float *pf) {
    __m256 acc[MR][NR];
    UNROLL for (int i = 0; i < mr; i++)
        UNROLL for (int j = 0; j < nr; j++) acc[i][j] = _mm256_setzero_ps();
    int k = 0;
    for (; k + 8 <= K; k += 8) {
        if (pf) { /* the next w tile (NR·K floats) into L2, two lines per step */
            _mm_prefetch((const char *)(pf + 4 * k), _MM_HINT_T1);
            _mm_prefetch((const char *)(pf + 4 * k + 16), _MM_HINT_T1);
        }
        __m256 xv[MR];
        UNROLL for (int i = 0; i < mr; i++) xv[i] = _mm256_loadu_ps(x + (size_t)i * K + k);
        UNROLL for (int j = 0; j < nr; j++) {
            __m256 wv = _mm256_loadu_ps(w + (size_t)j * K + k);
            UNROLL for (int i = 0; i < mr; i++) acc[i][j] = _mm256_fmadd_ps(xv[i], wv, acc[i][j]);
        }
    }
    if (k < K) { /* masked loads read zeros past K: the products there are 0 */
        __m256i m = tail_mask(K - k);
        __m256 xv[MR];
        UNROLL for (int i = 0; i < mr; i++) xv[i] = _mm256_maskload_ps(x + (size_t)i * K + k, m);
        UNROLL for (int j = 0; j < nr; j++) {
            __m256 wv = _mm256_maskload_ps(w + (size_t)j * K + k, m);
            UNROLL for (int i = 0; i < mr; i++) acc[i][j] = _mm256_fmadd_ps(xv[i], wv, acc[i][j]);
        }
    }
    __m256 z = _mm256_setzero_ps();
    UNROLL for (int i = 0; i < mr; i++) {
        __m128 s = hsum4(acc[i][0], nr > 1 ? acc[i][1] : z, nr > 2 ? acc[i][2] : z, nr > 3 ? acc[i][3] : z);
        float out[4];
        _mm_storeu_ps(out, s);
        UNROLL for (int j = 0; j < nr; j++) y[(size_t)i * N + j] = out[j] + (b ? b[j] : 0.0f);
    }
}

/* One (mr ≤ 3) × (nr ≤ 4) tile, with mr and nr turned into constants. */
static void tile_any(int mr, int nr, const float *x, const float *w, const float *b, float *y, int K, int N) {
#define T(R, C) tile(R, C, x, w, b, y, K, N, NULL)
    switch (mr * 8 + nr) {
    case 3 * 8 + 4: T(3, 4); break;
    case 3 * 8 + 3: T(3, 3); break;
    case 3 * 8 + 2: T(3, 2); break;
    case 3 * 8 + 1: T(3, 1); break;
    case 2 * 8 + 4: T(2, 4); break;
    case 2 * 8 + 3: T(2, 3); break;
    case 2 * 8 + 2: T(2, 2); break;
    case 2 * 8 + 1: T(2, 1); break;
    case 1 * 8 + 4: T(1, 4); break;
    case 1 * 8 + 3: T(1, 3); break;
    case 1 * 8 + 2: T(1, 2); break;
    default: T(1, 1); break;
    }
#undef T
}

void attn_matmul_avx2(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    int ntiles = (N + NR - 1) / NR;
    /* small products (tiny models) stay on one thread: waking the team costs more than the work,
     * and far more on a loaded machine; each output is computed the same way either way */
    #pragma omp parallel if ((double)M * K * N > ATTN_PARALLEL_MACS)
    {
        /* contiguous tile range per thread, as schedule(static) would give */
        int nt = omp_get_num_threads(), id = omp_get_thread_num();
        int per = ntiles / nt, extra = ntiles % nt;
        int t0 = id * per + (id < extra ? id : extra), t1 = t0 + per + (id < extra);
        for (int m0 = 0; m0 < M; m0 += MC) {
            int m1 = M - m0 < MC ? M : m0 + MC;
            for (int t = t0; t < t1; t++) {
                int n0 = t * NR, nr = N - n0 < NR ? N - n0 : NR;
                const float *wt = w + (size_t)n0 * K, *bt = b ? b + n0 : NULL;
                const float *pf = t + 1 < t1 && PREFETCH ? wt + (size_t)NR * K : NULL;
                for (int i = m0; i < m1;) {
                    /* rows in 3s; 4 left → 2 + 2, because a 1-row tile has only 4 FMA chains */
                    int rem = m1 - i, mr = rem == 4 ? 2 : rem < MR ? rem : MR;
                    if (mr == MR && nr == NR)
                        tile(MR, NR, x + (size_t)i * K, wt, bt, y + (size_t)i * N + n0, K, N, i == m0 ? pf : NULL);
                    else
                        tile_any(mr, nr, x + (size_t)i * K, wt, bt, y + (size_t)i * N + n0, K, N);
                    i += mr;
                }
            }
        }
    }
}

