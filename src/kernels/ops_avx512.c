/* ops_avx512.c — AVX-512F versions of the erf GELU and of one attention head with the scale and the
 * softmax fused into the score loop (compiled with -mavx512f ...; only called after dispatch.c has
 * checked the CPU and the OS). The same formulas as ops_avx2.c, 16 lanes wide; references in ops.c. */
#include <immintrin.h>
#include <math.h>

#include "kernels.h"

#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL4 _Pragma("GCC unroll 4")
#define UNROLL8 _Pragma("GCC unroll 8")
#define UNROLL16 _Pragma("GCC unroll 16")
#else
#define UNROLL4 _Pragma("unroll")
#define UNROLL8 _Pragma("unroll")
#define UNROLL16 _Pragma("unroll")
#endif

static inline __mmask16 lanes(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u); }

/* e^x, Cephes' expf (see ops_avx2.c), x clamped to [-87, 88]. */
static inline __m512 exp16(__m512 x) {
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.0f)), _mm512_set1_ps(-87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

/* 1/d for d in [1, 6]: vrcp14ps (relative error < 2^-14) and one Newton step (< 2^-27, below
 * float rounding), in place of vdivps, whose throughput (one per 16 cycles) bounds the epilogue. */
static inline __m512 recip16(__m512 d) {
    __m512 r = _mm512_rcp14_ps(d);
    return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(1.0f)), r);
}

/* erfc(z), z ≥ 0, relative error < 1.2e-7 (Numerical Recipes' erfcc). */
static inline __m512 erfc16_pos(__m512 z) {
    __m512 t = recip16(_mm512_fmadd_ps(_mm512_set1_ps(0.5f), z, _mm512_set1_ps(1.0f)));
    __m512 p = _mm512_set1_ps(0.17087277f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.82215223f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.48851587f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.13520398f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.27886807f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.18628806f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.09678418f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.37409196f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.00002368f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.26551223f));
    p = _mm512_fnmadd_ps(z, z, p);
    return _mm512_mul_ps(t, exp16(p));
}

/* GELU(x) = x/2 · erfc(-x/√2), as gelu8 in ops_avx2.c. Used by the GEMM epilogue too. */
__m512 attn_gelu16_avx512(__m512 x) {
    __m512 z = _mm512_mul_ps(_mm512_abs_ps(x), _mm512_set1_ps(0.70710678118654752f));
    __mmask16 small = _mm512_cmp_ps_mask(z, _mm512_set1_ps(10.0f), _CMP_LT_OQ); /* erfc(10) = 2e-45: 0 */
    __m512 e = _mm512_maskz_mov_ps(small, erfc16_pos(_mm512_min_ps(z, _mm512_set1_ps(10.0f))));
    __mmask16 neg = _mm512_movepi32_mask(_mm512_castps_si512(x)); /* sign bit: AVX512DQ */
    __m512 f = _mm512_mask_mov_ps(_mm512_sub_ps(_mm512_set1_ps(2.0f), e), neg, e);
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), f);
}

void attn_gelu_avx512(float *x, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, attn_gelu16_avx512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = lanes((int)(n - i));
        _mm512_mask_storeu_ps(x + i, m, attn_gelu16_avx512(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

/* 16 sums in one vector: r[t] = Σ lanes of a[t]. The halving tree of _mm512_reduce_add_ps (lane l
 * + l+8, then + l+4, + l+2, + l+1), done for 16 vectors at once: 15 two-source permutes and adds
 * instead of 16 separate reductions, and the same bits as they would give. */
static inline __m512 sum16x16(const __m512 a[16]) {
    const __m512i l1a = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const __m512i l1b = _mm512_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    const __m512i l2a = _mm512_setr_epi32(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    const __m512i l2b = _mm512_setr_epi32(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    const __m512i l3a = _mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
    const __m512i l3b = _mm512_setr_epi32(2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    const __m512i l4a = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i l4b = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
#define HALVE(x, y, ia, ib) _mm512_add_ps(_mm512_permutex2var_ps(x, ia, y), _mm512_permutex2var_ps(x, ib, y))
    __m512 b[8], c[4], d[2];
    UNROLL8 for (int i = 0; i < 8; i++) b[i] = HALVE(a[2 * i], a[2 * i + 1], l1a, l1b); /* [t: 8 partials, t+1: 8] */
    UNROLL4 for (int i = 0; i < 4; i++) c[i] = HALVE(b[2 * i], b[2 * i + 1], l2a, l2b); /* 4 keys × 4 partials */
    d[0] = HALVE(c[0], c[1], l3a, l3b), d[1] = HALVE(c[2], c[3], l3a, l3b);             /* 8 keys × 2 */
    return HALVE(d[0], d[1], l4a, l4b);
#undef HALVE
}

/* row[j] = q_i · k_j (· scale), j < T: for 16 keys at a time, 16 FMA chains over the head
 * dimension (one accumulator per key, lanes over d), then sum16x16 → one vector of 16 scores.
 * Keys past T (in the last group) are left out (their accumulators stay 0) and not stored. */
static void scores(const float *qi, const float *k, int ld, int T, int hd, float scale, int scale_q_first, float *row) {
    __m512 sv = _mm512_set1_ps(scale);
    for (int j = 0; j < T; j += 16) {
        int nk = T - j < 16 ? T - j : 16;
        const float *kj = k + (size_t)j * ld;
        __m512 acc[16];
        UNROLL16 for (int t = 0; t < 16; t++) acc[t] = _mm512_setzero_ps();
        for (int d = 0; d < hd; d += 16) {
            __mmask16 m = lanes(hd - d);
            __m512 qv = _mm512_maskz_loadu_ps(m, qi + d);
            if (scale_q_first) qv = _mm512_mul_ps(qv, sv);
            UNROLL16 for (int t = 0; t < 16; t++)
                if (t < nk) acc[t] = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(m, kj + (size_t)t * ld + d), acc[t]);
        }
        __m512 sc = sum16x16(acc);
        if (!scale_q_first) sc = _mm512_mul_ps(sc, sv);
        _mm512_mask_storeu_ps(row + j, lanes(nk), sc);
    }
}

/* o[0..hd) = Σ_j row[j] · v_j, 64 columns (four accumulators, four independent chains) at a time;
 * each column sums over j in order. */
static void weighted_values(const float *row, const float *v, int ld, int T, int hd, float *o) {
    for (int d0 = 0; d0 < hd; d0 += 64) {
        __mmask16 m[4];
        __m512 acc[4];
        UNROLL4 for (int b = 0; b < 4; b++) m[b] = lanes(hd - d0 - 16 * b), acc[b] = _mm512_setzero_ps();
        for (int j = 0; j < T; j++) {
            __m512 w = _mm512_set1_ps(row[j]);
            const float *vj = v + (size_t)j * ld + d0;
            UNROLL4 for (int b = 0; b < 4; b++) acc[b] = _mm512_fmadd_ps(w, _mm512_maskz_loadu_ps(m[b], vj + 16 * b), acc[b]);
        }
        UNROLL4 for (int b = 0; b < 4; b++) _mm512_mask_storeu_ps(o + d0 + 16 * b, m[b], acc[b]);
    }
}

/* In place softmax of row[0..T): max, exp and sum 16 at a time. */
static void softmax16(float *row, int T) {
    __m512 mx = _mm512_set1_ps(-INFINITY);
    for (int j = 0; j < T; j += 16) mx = _mm512_max_ps(mx, _mm512_mask_loadu_ps(mx, lanes(T - j), row + j));
    __m512 mv = _mm512_set1_ps(_mm512_reduce_max_ps(mx)), sum = _mm512_setzero_ps();
    for (int j = 0; j < T; j += 16) {
        __mmask16 m = lanes(T - j);
        __m512 e = _mm512_maskz_mov_ps(m, exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + j), mv)));
        _mm512_mask_storeu_ps(row + j, m, e);
        sum = _mm512_add_ps(sum, e);
    }
    __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (int j = 0; j < T; j += 16) {
        __mmask16 m = lanes(T - j);
        _mm512_mask_storeu_ps(row + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + j), inv));
    }
}

/* Same contract as attn_attend_head_portable (ops.c). The head's q, k, v (T × hd each, 24 KB at
 * T = 25, hd = 64) stay in L1 across the rows. */
void attn_attend_head_avx512(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                             int scale_q_first, float *probs, float *out, int ldo) {
    for (int i = 0; i < T; i++) {
        float *row = probs + (size_t)i * T;
        scores(q + (size_t)i * ld, k, ld, T, hd, scale, scale_q_first, row);
        softmax16(row, T);
        weighted_values(row, v, ld, T, hd, out + (size_t)i * ldo);
    }
}

/* LayerNorm rows as attn_layernorm_rows_portable (ops.c): v = x + r stored in y, mean and variance
 * accumulated in double, then y = (v − mean) · rstd · g + b in float; 16 columns at a time, the
 * sums in 8 double lanes each (a fixed order, so the same bits on every run). */
static inline double sum_pd(__m512d lo, __m512d hi) { return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi)); }

void attn_layernorm_rows_avx512(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C,
                                float eps) {
    for (int i = 0; i < M; i++) {
        const float *xi = x + (size_t)i * C, *ri = r ? r + (size_t)i * C : NULL;
        float *yi = y + (size_t)i * C;
        __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
        for (int j = 0; j < C; j += 16) {
            __mmask16 m = lanes(C - j);
            __m512 v = _mm512_maskz_loadu_ps(m, xi + j);
            if (ri) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, ri + j));
            _mm512_mask_storeu_ps(yi + j, m, v);
            s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
            s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
        }
        float mean = (float)(sum_pd(s0, s1) / C);
        __m512d mv = _mm512_set1_pd((double)mean);
        s0 = s1 = _mm512_setzero_pd();
        for (int j = 0; j < C; j += 16) {
            __mmask16 m = lanes(C - j);
            __m512 v = _mm512_maskz_loadu_ps(m, yi + j);
            __m512d d0 = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(v)), mv);
            __m512d d1 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))), mv);
            __mmask8 m0 = (__mmask8)(m & 0xFF), m1 = (__mmask8)(m >> 8); /* masked-off lanes hold 0 − mean */
            s0 = _mm512_mask3_fmadd_pd(d0, d0, s0, m0);
            s1 = _mm512_mask3_fmadd_pd(d1, d1, s1, m1);
        }
        __m512 mean16 = _mm512_set1_ps(mean), rstd = _mm512_set1_ps((float)(1.0 / sqrt(sum_pd(s0, s1) / C + (double)eps)));
        for (int j = 0; j < C; j += 16) {
            __mmask16 m = lanes(C - j);
            __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, yi + j), mean16), rstd);
            v = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(m, g + j), _mm512_maskz_loadu_ps(m, b + j));
            _mm512_mask_storeu_ps(yi + j, m, v);
        }
    }
}
