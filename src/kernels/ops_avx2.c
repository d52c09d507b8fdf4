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

/* Same contract as attn_attend_head_portable (ops.c). */
void attn_attend_head_avx2(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                           int scale_q_first, float *probs, float *out, int ldo) {
    int hd8 = hd & ~7;
    __m256i m = attn_lanes8(hd - hd8); /* unused when hd % 8 == 0 */
    __m256 sv = _mm256_set1_ps(scale);
    for (int i = 0; i < T; i++) {
        const float *qi = q + (size_t)i * ld;
        float *row = probs + (size_t)i * T;
        for (int j = 0; j < T; j++) { /* row[j] = q_i · k_j · scale */
            const float *kj = k + (size_t)j * ld;
            __m256 acc = _mm256_setzero_ps();
            int d = 0;
            for (; d < hd8; d += 8) {
                __m256 qv = _mm256_loadu_ps(qi + d);
                if (scale_q_first) qv = _mm256_mul_ps(qv, sv);
                acc = _mm256_fmadd_ps(qv, _mm256_loadu_ps(kj + d), acc);
            }
            if (d < hd) {
                __m256 qv = _mm256_maskload_ps(qi + d, m);
                if (scale_q_first) qv = _mm256_mul_ps(qv, sv);
                acc = _mm256_fmadd_ps(qv, _mm256_maskload_ps(kj + d, m), acc);
            }
            float s = hsum8(acc);
            row[j] = scale_q_first ? s : s * scale;
        }
        attn_softmax(row, T);
        float *o = out + (size_t)i * ldo; /* o = Σ_j row[j] · v_j */
        int d = 0;
        for (; d < hd8; d += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int j = 0; j < T; j++) acc = _mm256_fmadd_ps(_mm256_set1_ps(row[j]), _mm256_loadu_ps(v + (size_t)j * ld + d), acc);
            _mm256_storeu_ps(o + d, acc);
        }
        if (d < hd) {
            __m256 acc = _mm256_setzero_ps();
            for (int j = 0; j < T; j++)
                acc = _mm256_fmadd_ps(_mm256_set1_ps(row[j]), _mm256_maskload_ps(v + (size_t)j * ld + d, m), acc);
            _mm256_maskstore_ps(o + d, m, acc);
        }
    }
}
