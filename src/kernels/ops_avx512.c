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

/* The 16 × 16 block r (row t = 16 floats) transposed in registers: after it, r[t][u] = old r[u][t].
 * Pairs of rows interleaved (unpack ps), then pairs of pairs (unpack pd), then 128-bit quarters
 * twice (shuffle_f32x4): 64 shuffles. */
static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    UNROLL8 for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    UNROLL4 for (int i = 0; i < 4; i++) {
        __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
        __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
        r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    UNROLL4 for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
    }
    UNROLL4 for (int i = 0; i < 4; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
        r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xdd);
    }
}

/* kt (hd rows of w floats, w = T rounded up to 32) = the head's keys transposed: kt[d·w + j] = k_j[d],
 * 0 for T ≤ j < w, so that the score loop reads whole vectors of keys. */
static void transpose_keys(const float *k, int ld, int T, int hd, float *kt, int w) {
    for (int j = 0; j < w; j += 16)
        for (int d = 0; d < hd; d += 16) {
            __mmask16 m = lanes(hd - d);
            __m512 r[16];
            UNROLL16 for (int t = 0; t < 16; t++)
                r[t] = j + t < T ? _mm512_maskz_loadu_ps(m, k + (size_t)(j + t) * ld + d) : _mm512_setzero_ps();
            transpose16(r);
            int nd = hd - d < 16 ? hd - d : 16;
            for (int t = 0; t < nd; t++) _mm512_store_ps(kt + (size_t)(d + t) * w + j, r[t]);
        }
}

#define SCORE_ROWS 8 /* query rows per score block: 8 broadcasts and 16 FMAs per 2 key vectors */
#define PV_ROWS 4    /* probability rows per output block: 4 × 64 columns in 16 accumulators */

/* rows[r][j] = (q_r · k_j)(· scale), r < nr ≤ SCORE_ROWS, j < T: 32 keys at a time, nr × 2
 * accumulators, each an FMA chain over d in order (q_r[d] broadcast, kt row d loaded). q rows are
 * ldq apart (already scaled when scale_q_first: then sv is 1). Inlined with a constant nr for the
 * full blocks, so that the row loop unrolls without tests. */
static inline __attribute__((always_inline)) void score_rows(const float *q, int ldq, int nr, const float *kt, int w,
                                                             int T, int hd, __m512 sv, float *rows) {
    for (int j = 0; j < w; j += 32) {
        __m512 a0[SCORE_ROWS], a1[SCORE_ROWS];
        UNROLL8 for (int r = 0; r < SCORE_ROWS; r++) a0[r] = a1[r] = _mm512_setzero_ps();
        const float *kj = kt + j;
        for (int d = 0; d < hd; d++) {
            __m512 k0 = _mm512_load_ps(kj + (size_t)d * w), k1 = _mm512_load_ps(kj + (size_t)d * w + 16);
            UNROLL8 for (int r = 0; r < SCORE_ROWS; r++)
                if (r < nr) {
                    __m512 b = _mm512_set1_ps(q[(size_t)r * ldq + d]);
                    a0[r] = _mm512_fmadd_ps(b, k0, a0[r]);
                    a1[r] = _mm512_fmadd_ps(b, k1, a1[r]);
                }
        }
        __mmask16 m0 = lanes(T - j), m1 = lanes(T - j - 16);
        UNROLL8 for (int r = 0; r < SCORE_ROWS; r++)
            if (r < nr) {
                _mm512_mask_storeu_ps(rows + (size_t)r * T + j, m0, _mm512_mul_ps(a0[r], sv));
                _mm512_mask_storeu_ps(rows + (size_t)r * T + j + 16, m1, _mm512_mul_ps(a1[r], sv));
            }
    }
}

/* o_r[0..hd) = Σ_j rows[r][j] · v_j, r < nr ≤ PV_ROWS: 64 columns at a time, nr × 4 accumulators;
 * each column sums over j in order. */
static inline __attribute__((always_inline)) void weighted_values(const float *rows, int nr, const float *v, int ld,
                                                                  int T, int hd, float *o, int ldo) {
    for (int d0 = 0; d0 < hd; d0 += 64) {
        __mmask16 m[4];
        __m512 acc[PV_ROWS][4];
        UNROLL4 for (int b = 0; b < 4; b++) m[b] = lanes(hd - d0 - 16 * b);
        UNROLL4 for (int r = 0; r < PV_ROWS; r++) UNROLL4 for (int b = 0; b < 4; b++) acc[r][b] = _mm512_setzero_ps();
        for (int j = 0; j < T; j++) {
            const float *vj = v + (size_t)j * ld + d0;
            __m512 vv[4];
            UNROLL4 for (int b = 0; b < 4; b++) vv[b] = _mm512_maskz_loadu_ps(m[b], vj + 16 * b);
            UNROLL4 for (int r = 0; r < PV_ROWS; r++)
                if (r < nr) {
                    __m512 p = _mm512_set1_ps(rows[(size_t)r * T + j]);
                    UNROLL4 for (int b = 0; b < 4; b++) acc[r][b] = _mm512_fmadd_ps(p, vv[b], acc[r][b]);
                }
        }
        UNROLL4 for (int r = 0; r < PV_ROWS; r++)
            if (r < nr)
                UNROLL4 for (int b = 0; b < 4; b++) _mm512_mask_storeu_ps(o + (size_t)r * ldo + d0 + 16 * b, m[b], acc[r][b]);
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

/* Same contract as attn_attend_head_portable (ops.c). kᵀ goes to work once (transpose_keys), then
 * blocks of SCORE_ROWS query rows: their scores against every key (score_rows: a small GEMM with no
 * horizontal sums), the softmax of each row, and their outputs (weighted_values), while the block's
 * probabilities are still in L1. q·kᵀ sums over d in order, P·v over j in order. */
void attn_attend_head_avx512(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                             int scale_q_first, float *probs, float *out, int ldo, float *work) {
    int w = attn_attend_keys_width(T);
    float *kt = work, *qs = work + (size_t)hd * w; /* qs: the block's q rows times scale (SCORE_ROWS × hd) */
    transpose_keys(k, ld, T, hd, kt, w);
    __m512 sv = _mm512_set1_ps(scale_q_first ? 1.0f : scale);
    for (int i = 0; i < T; i += SCORE_ROWS) {
        int nr = T - i < SCORE_ROWS ? T - i : SCORE_ROWS;
        const float *qi = q + (size_t)i * ld;
        int ldq = ld;
        if (scale_q_first) {
            __m512 sc = _mm512_set1_ps(scale);
            for (int r = 0; r < nr; r++)
                for (int d = 0; d < hd; d += 16) {
                    __mmask16 m = lanes(hd - d);
                    _mm512_mask_storeu_ps(qs + (size_t)r * hd + d, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, qi + (size_t)r * ld + d), sc));
                }
            qi = qs, ldq = hd;
        }
        float *rows = probs + (size_t)i * T;
        if (nr == SCORE_ROWS) score_rows(qi, ldq, SCORE_ROWS, kt, w, T, hd, sv, rows);
        else score_rows(qi, ldq, nr, kt, w, T, hd, sv, rows);
        for (int r = 0; r < nr; r++) softmax16(rows + (size_t)r * T, T);
        for (int r = 0; r < nr; r += PV_ROWS) {
            int np = nr - r < PV_ROWS ? nr - r : PV_ROWS;
            float *o = out + (size_t)(i + r) * ldo;
            if (np == PV_ROWS) weighted_values(rows + (size_t)r * T, PV_ROWS, v, ld, T, hd, o, ldo);
            else weighted_values(rows + (size_t)r * T, np, v, ld, T, hd, o, ldo);
        }
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
