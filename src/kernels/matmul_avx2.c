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
 * Loop nest (the threads take (x block, 8 w-row tiles) units in this order, see attn_units):
 *   for mc in M by MC rows          x block (MC, K) stays in L2
 *     for each group of 8 w tiles   32 w rows: one unit
 *     for each 4-row w tile         4·K floats, read from memory once per mc block, then from L1/L2
 *       for each 3-row x tile       the 3 × 4 micro-kernel over all of K
 * For the forward's small M (25 tokens, one mc block) every weight is read from memory exactly once
 * per forward: the multiply is bound by weight bandwidth, which this order streams sequentially. */
#include <immintrin.h>
#include <omp.h>
#include <string.h>

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

/* 8 weights from k of row w (type wt): F32 as stored, F16 by vcvtph2ps (F16C), BF16 by a zero
 * extension and a shift left 16 (a bf16 is the top half of an f32). */
static inline __attribute__((always_inline)) __m256 load8(const void *w, size_t k, int wt) {
    if (wt == ATTN_W_F32) return _mm256_loadu_ps((const float *)w + k);
    __m128i h = _mm_loadu_si128((const __m128i *)(const void *)((const uint16_t *)w + k));
    if (wt == ATTN_W_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

/* The last K % 8 weights of row w, zeros past K. */
static inline __attribute__((always_inline)) __m256 load_tail(const void *w, size_t k, int r, int wt, __m256i m) {
    if (wt == ATTN_W_F32) return _mm256_maskload_ps((const float *)w + k, m);
    uint16_t h[8] = {0};
    memcpy(h, (const uint16_t *)w + k, (size_t)r * sizeof *h);
    return load8(h, 0, wt);
}

/* y[i][j] (mr × nr, row stride N) = x rows · w rows (type wt) over K, + b[j]. mr ≤ MR, nr ≤ NR, wt
 * are constants at every call site, so the loops unroll and acc lives in registers. */
static inline __attribute__((always_inline)) void tile(int mr, int nr, int wt, const float *x, const void *wv_, const float *b,
                                                       float *y, int K, int N, const char *pf) {
    const size_t es = wt == ATTN_W_F32 ? 4 : 2;
    const char *w = wv_;
    __m256 acc[MR][NR];
    UNROLL for (int i = 0; i < mr; i++)
        UNROLL for (int j = 0; j < nr; j++) acc[i][j] = _mm256_setzero_ps();
    int k = 0;
    for (; k + 8 <= K; k += 8) {
        if (pf) { /* the next w tile (NR·K floats) into L2, two lines per step */
            _mm_prefetch(pf + 4 * es * (size_t)k, _MM_HINT_T1);
            if (es == 4) _mm_prefetch(pf + 16 * (size_t)k + 64, _MM_HINT_T1);
        }
        __m256 xv[MR];
        UNROLL for (int i = 0; i < mr; i++) xv[i] = _mm256_loadu_ps(x + (size_t)i * K + k);
        UNROLL for (int j = 0; j < nr; j++) {
            __m256 wv = load8(w + es * (size_t)j * K, (size_t)k, wt);
            UNROLL for (int i = 0; i < mr; i++) acc[i][j] = _mm256_fmadd_ps(xv[i], wv, acc[i][j]);
        }
    }
    if (k < K) { /* masked loads read zeros past K: the products there are 0 */
        __m256i m = tail_mask(K - k);
        __m256 xv[MR];
        UNROLL for (int i = 0; i < mr; i++) xv[i] = _mm256_maskload_ps(x + (size_t)i * K + k, m);
        UNROLL for (int j = 0; j < nr; j++) {
            __m256 wv = load_tail(w + es * (size_t)j * K, (size_t)k, K - k, wt, m);
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

/* One (mr ≤ 3) × (nr ≤ 4) tile, with mr, nr and wt turned into constants. */
static inline __attribute__((always_inline)) void tile_any(int mr, int nr, int wt, const float *x, const void *w,
                                                           const float *b, float *y, int K, int N) {
#define T(R, C) tile(R, C, wt, x, w, b, y, K, N, NULL)
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

#define GROUP 8 /* w tiles per unit: 32 outputs */

static inline __attribute__((always_inline)) void part(int wt, float *y, const float *x, const void *wp, const float *b,
                                                       int M, int K, int N, int act, int id, int nt, atomic_int *next) {
    const size_t es = wt == ATTN_W_F32 ? 4 : 2;
    const char *w = wp;
    int ntiles = (N + NR - 1) / NR, groups = (ntiles + GROUP - 1) / GROUP, blocks = (M + MC - 1) / MC;
    attn_units units = attn_units_of(next, blocks * groups, id, nt);
    for (int unit; (unit = attn_units_take(&units)) >= 0;) {
        int m0 = unit / groups * MC, m1 = M - m0 < MC ? M : m0 + MC;
        int t0 = unit % groups * GROUP, t1 = t0 + GROUP < ntiles ? t0 + GROUP : ntiles;
        for (int t = t0; t < t1; t++) {
            int n0 = t * NR, nr = N - n0 < NR ? N - n0 : NR;
            const char *wt_ = w + es * (size_t)n0 * K;
            const float *bt = b ? b + n0 : NULL;
            const char *pf = t + 1 < t1 && PREFETCH ? wt_ + es * (size_t)NR * K : NULL;
            for (int i = m0; i < m1;) {
                /* rows in 3s; 4 left → 2 + 2, because a 1-row tile has only 4 FMA chains */
                int rem = m1 - i, mr = rem == 4 ? 2 : rem < MR ? rem : MR;
                if (mr == MR && nr == NR)
                    tile(MR, NR, wt, x + (size_t)i * K, wt_, bt, y + (size_t)i * N + n0, K, N, i == m0 ? pf : NULL);
                else
                    tile_any(mr, nr, wt, x + (size_t)i * K, wt_, bt, y + (size_t)i * N + n0, K, N);
                i += mr;
            }
        }
        if (act >= 0) /* the unit's block while it is in cache */
            attn_activation_block(y + (size_t)m0 * N, m1 - m0, N, t0 * NR, t1 * NR < N ? t1 * NR : N, (attn_activation)act);
    }
}

void attn_matmul_avx2_part(float *y, const float *x, const float *w, const float *b, int M, int K, int N, int act, int id,
                           int nt, atomic_int *next) {
    part(ATTN_W_F32, y, x, w, b, M, K, N, act, id, nt, next);
}

void attn_matmul16_avx2_part(float *y, const float *x, const uint16_t *w, attn_wtype t, const float *b, int M, int K,
                             int N, int act, int tid, int nt, atomic_int *next) {
    if (t == ATTN_W_BF16) part(ATTN_W_BF16, y, x, w, b, M, K, N, act, tid, nt, next);
    else part(ATTN_W_F16, y, x, w, b, M, K, N, act, tid, nt, next);
}

void attn_matmul_avx2(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    #pragma omp parallel
    attn_matmul_avx2_part(y, x, w, b, M, K, N, -1, omp_get_thread_num(), omp_get_num_threads(), NULL);
}
