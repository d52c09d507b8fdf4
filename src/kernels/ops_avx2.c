/* ops_avx2.c — AVX2 + FMA versions of the element-wise kernels and of one attention head
 * (compiled with -mavx2 -mfma; only called after dispatch.c has checked the CPU and the OS).
 * Their portable references are in ops.c. */
#include <immintrin.h>
#include <math.h>

#include "kernels.h"
#include "simd_avx2.h"

/* e^x, Cephes' expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial, about 1 ulp. x clamped to
 * [-87, 88] (results below 2^-125 are not needed here). */
static inline __m256 exp8(__m256 x) {
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.0f)), _mm256_set1_ps(-87.0f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

/* erfc(z) for z ≥ 0 with relative error < 1.2e-7 (Numerical Recipes' erfcc, a Chebyshev fit):
 * relative, so 1 + erf(x) = erfc(-x) stays accurate in GELU's negative tail too. */
/* 1/d for d in [1, 6]: vrcpps (relative error < 1.5 · 2^-12) and one Newton step (< 2^-22), in
 * place of vdivps, whose throughput bounds the GELU. */
static inline __m256 recip8(__m256 d) {
    __m256 r = _mm256_rcp_ps(d);
    return _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(1.0f)), r);
}

static inline __m256 erfc8_pos(__m256 z) {
    __m256 t = recip8(_mm256_fmadd_ps(_mm256_set1_ps(0.5f), z, _mm256_set1_ps(1.0f)));
    __m256 p = _mm256_set1_ps(0.17087277f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.82215223f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.48851587f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.13520398f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.27886807f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.18628806f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.09678418f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.37409196f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.00002368f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.26551223f));
    p = _mm256_fnmadd_ps(z, z, p); /* -z² - 1.2655 + t·(...) */
    return _mm256_mul_ps(t, exp8(p));
}

/* GELU(x) = x/2 · (1 + erf(x/√2)) = x/2 · erfc(-x/√2):
 * x < 0: x/2 · erfc(|x|/√2);  x ≥ 0: x/2 · (2 - erfc(x/√2)). */
__m256 attn_gelu8_avx2(__m256 x) {
    __m256 z = _mm256_mul_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x), _mm256_set1_ps(0.70710678118654752f));
    __m256 big = _mm256_cmp_ps(z, _mm256_set1_ps(10.0f), _CMP_GE_OQ); /* erfc(10) = 2e-45: 0 in float */
    __m256 e = _mm256_andnot_ps(big, erfc8_pos(_mm256_min_ps(z, _mm256_set1_ps(10.0f))));
    __m256 pos = _mm256_sub_ps(_mm256_set1_ps(2.0f), e);
    __m256 f = _mm256_blendv_ps(pos, e, x); /* sign bit of x picks e */
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), f);
}

void attn_gelu_avx2(float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, attn_gelu8_avx2(_mm256_loadu_ps(x + i)));
    if (i < n) {
        __m256i m = attn_lanes8((int)(n - i));
        _mm256_maskstore_ps(x + i, m, attn_gelu8_avx2(_mm256_maskload_ps(x + i, m)));
    }
}

static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL6 _Pragma("GCC unroll 6")
#else
#define UNROLL6 _Pragma("unroll")
#endif

/* The 8 × 8 block r transposed in registers (r[t][u] = old r[u][t]): unpack ps, shuffle ps, then
 * swap 128-bit halves; 24 shuffles. */
static inline void transpose8(__m256 r[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {
        u[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
    }
}

/* kt (hd rows of w floats, w a multiple of 16 ≥ T) = the head's keys transposed, 0 past T. */
static void transpose_keys8(const float *k, int ld, int T, int hd, float *kt, int w) {
    for (int j = 0; j < w; j += 8)
        for (int d = 0; d < hd; d += 8) {
            __m256i m = attn_lanes8(hd - d);
            __m256 r[8];
            for (int t = 0; t < 8; t++) r[t] = j + t < T ? _mm256_maskload_ps(k + (size_t)(j + t) * ld + d, m) : _mm256_setzero_ps();
            transpose8(r);
            int nd = hd - d < 8 ? hd - d : 8;
            for (int t = 0; t < nd; t++) _mm256_store_ps(kt + (size_t)(d + t) * w + j, r[t]);
        }
}

#define SCORE_ROWS8 6 /* 6 rows × 16 keys: 12 accumulators, 2 key vectors, 1 broadcast */
#define PV_ROWS8 6    /* 6 rows × 16 columns: 12 accumulators, 2 value vectors, 1 broadcast */

/* rows[r][j] = (q_r · k_j)(· scale), r < nr ≤ SCORE_ROWS8, 16 keys at a time, FMA chains over d in
 * order; as score_rows in ops_avx512.c. */
static inline __attribute__((always_inline)) void score_rows8(const float *q, int ldq, int nr, const float *kt, int w,
                                                              int T, int hd, __m256 sv, float *rows) {
    for (int j = 0; j < w; j += 16) {
        __m256 a0[SCORE_ROWS8], a1[SCORE_ROWS8];
        UNROLL6 for (int r = 0; r < SCORE_ROWS8; r++) a0[r] = a1[r] = _mm256_setzero_ps();
        for (int d = 0; d < hd; d++) {
            __m256 k0 = _mm256_load_ps(kt + (size_t)d * w + j), k1 = _mm256_load_ps(kt + (size_t)d * w + j + 8);
            UNROLL6 for (int r = 0; r < SCORE_ROWS8; r++)
                if (r < nr) {
                    __m256 b = _mm256_broadcast_ss(q + (size_t)r * ldq + d);
                    a0[r] = _mm256_fmadd_ps(b, k0, a0[r]);
                    a1[r] = _mm256_fmadd_ps(b, k1, a1[r]);
                }
        }
        __m256i m0 = attn_lanes8(T - j), m1 = attn_lanes8(T - j - 8);
        UNROLL6 for (int r = 0; r < SCORE_ROWS8; r++)
            if (r < nr) {
                _mm256_maskstore_ps(rows + (size_t)r * T + j, m0, _mm256_mul_ps(a0[r], sv));
                _mm256_maskstore_ps(rows + (size_t)r * T + j + 8, m1, _mm256_mul_ps(a1[r], sv));
            }
    }
}

/* o_r = Σ_j rows[r][j] · v_j, r < nr ≤ PV_ROWS8, 16 columns at a time, each summed over j in order. */
static inline __attribute__((always_inline)) void weighted_values8(const float *rows, int nr, const float *v, int ld,
                                                                   int T, int hd, float *o, int ldo) {
    for (int d0 = 0; d0 < hd; d0 += 16) {
        __m256i m0 = attn_lanes8(hd - d0), m1 = attn_lanes8(hd - d0 - 8);
        __m256 a0[PV_ROWS8], a1[PV_ROWS8];
        UNROLL6 for (int r = 0; r < PV_ROWS8; r++) a0[r] = a1[r] = _mm256_setzero_ps();
        for (int j = 0; j < T; j++) {
            const float *vj = v + (size_t)j * ld + d0;
            __m256 v0 = _mm256_maskload_ps(vj, m0), v1 = _mm256_maskload_ps(vj + 8, m1);
            UNROLL6 for (int r = 0; r < PV_ROWS8; r++)
                if (r < nr) {
                    __m256 p = _mm256_broadcast_ss(rows + (size_t)r * T + j);
                    a0[r] = _mm256_fmadd_ps(p, v0, a0[r]);
                    a1[r] = _mm256_fmadd_ps(p, v1, a1[r]);
                }
        }
        UNROLL6 for (int r = 0; r < PV_ROWS8; r++)
            if (r < nr) {
                _mm256_maskstore_ps(o + (size_t)r * ldo + d0, m0, a0[r]);
                _mm256_maskstore_ps(o + (size_t)r * ldo + d0 + 8, m1, a1[r]);
            }
    }
}

/* In place softmax of row[0..T): max, exp8 and sum 8 lanes at a time, tails masked. */
static void softmax8(float *row, int T) {
    __m256 mx = _mm256_set1_ps(-INFINITY);
    int j = 0;
    for (; j + 8 <= T; j += 8) mx = _mm256_max_ps(mx, _mm256_loadu_ps(row + j));
    float m = hmax8(mx);
    for (int t = j; t < T; t++) m = fmaxf(m, row[t]);
    __m256 mv = _mm256_set1_ps(m), sum = _mm256_setzero_ps();
    for (j = 0; j < T; j += 8) {
        __m256i lm = attn_lanes8(T - j);
        __m256 e = _mm256_and_ps(exp8(_mm256_sub_ps(_mm256_maskload_ps(row + j, lm), mv)), _mm256_castsi256_ps(lm));
        _mm256_maskstore_ps(row + j, lm, e);
        sum = _mm256_add_ps(sum, e);
    }
    __m256 inv = _mm256_set1_ps(1.0f / hsum8(sum));
    for (j = 0; j < T; j += 8) {
        __m256i lm = attn_lanes8(T - j);
        _mm256_maskstore_ps(row + j, lm, _mm256_mul_ps(_mm256_maskload_ps(row + j, lm), inv));
    }
}

/* Same contract as attn_attend_head_portable (ops.c); the scheme of attn_attend_head_avx512
 * (kᵀ in work, blocks of query rows: scores, softmax, outputs) with 8-lane vectors. */
void attn_attend_head_avx2(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                           int scale_q_first, float *probs, float *out, int ldo, float *work) {
    int w = (T + 15) / 16 * 16;
    float *kt = work, *qs = work + (size_t)hd * w; /* qs: the block's q rows times scale */
    transpose_keys8(k, ld, T, hd, kt, w);
    __m256 sv = _mm256_set1_ps(scale_q_first ? 1.0f : scale), sc = _mm256_set1_ps(scale);
    for (int i = 0; i < T; i += SCORE_ROWS8) {
        int nr = T - i < SCORE_ROWS8 ? T - i : SCORE_ROWS8;
        const float *qi = q + (size_t)i * ld;
        int ldq = ld;
        if (scale_q_first) {
            for (int r = 0; r < nr; r++)
                for (int d = 0; d < hd; d += 8) {
                    __m256i m = attn_lanes8(hd - d);
                    _mm256_maskstore_ps(qs + (size_t)r * hd + d, m, _mm256_mul_ps(_mm256_maskload_ps(qi + (size_t)r * ld + d, m), sc));
                }
            qi = qs, ldq = hd;
        }
        float *rows = probs + (size_t)i * T;
        if (nr == SCORE_ROWS8) score_rows8(qi, ldq, SCORE_ROWS8, kt, w, T, hd, sv, rows);
        else score_rows8(qi, ldq, nr, kt, w, T, hd, sv, rows);
        for (int r = 0; r < nr; r++) softmax8(rows + (size_t)r * T, T);
        float *o = out + (size_t)i * ldo;
        if (nr == PV_ROWS8) weighted_values8(rows, PV_ROWS8, v, ld, T, hd, o, ldo);
        else weighted_values8(rows, nr, v, ld, T, hd, o, ldo);
    }
}
