/* xlogx_avx2.c — m·ln m, 4 doubles at a time: the same operations as attn_log_fdlibm (xlogx.c),
 * so the same bits. Compiled with AVX2 flags; called only when the avx2 kernel set is in use. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <immintrin.h>
#include <stdint.h>

#include "xlogx.h"

/* ln of 4 positive normal doubles (lanes ≤ 0 must have been replaced beforehand). */
static inline __m256d log4(__m256d x) {
    const __m256i bits = _mm256_castpd_si256(x);
    const __m256i hx = _mm256_and_si256(_mm256_srli_epi64(bits, 32), _mm256_set1_epi64x(0x000fffff));
    const __m256i i = _mm256_and_si256(_mm256_add_epi64(hx, _mm256_set1_epi64x(0x95f64)), _mm256_set1_epi64x(0x100000));
    /* k + 2^31 (≥ 0) under the bits of 2^52: that double minus 2^52 + 2^31 is exactly k */
    const __m256i kb = _mm256_add_epi64(_mm256_add_epi64(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x((1ll << 31) - 1023)),
                                        _mm256_srli_epi64(i, 20));
    const __m256d dk = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(kb, _mm256_set1_epi64x(0x4330000000000000ll))),
                                     _mm256_set1_pd(0x1p52 + 0x1p31));
    const __m256i mb = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x(0x000fffffffffffffll)),
                                       _mm256_slli_epi64(_mm256_xor_si256(i, _mm256_set1_epi64x(0x3ff00000)), 32));
    const __m256d m = _mm256_castsi256_pd(mb);
    const __m256d f = _mm256_sub_pd(m, _mm256_set1_pd(1.0));
    const __m256d s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
    const __m256d z = _mm256_mul_pd(s, s), w = _mm256_mul_pd(z, z);
#define C(v) _mm256_set1_pd(v)
#define MUL _mm256_mul_pd
#define ADD _mm256_add_pd
#define SUB _mm256_sub_pd
    const __m256d t1 = MUL(w, ADD(C(3.999999999940941908e-01), MUL(w, ADD(C(2.222219843214978396e-01), MUL(w, C(1.531383769920937332e-01))))));
    const __m256d t2 = MUL(z, ADD(C(6.666666666666735130e-01),
                                  MUL(w, ADD(C(2.857142874366239149e-01), MUL(w, ADD(C(1.818357216161805012e-01), MUL(w, C(1.479819860511658591e-01))))))));
    const __m256d R = ADD(t2, t1), hfsq = MUL(MUL(C(0.5), f), f);
    const __m256d inner = SUB(SUB(hfsq, ADD(MUL(s, ADD(hfsq, R)), MUL(dk, C(1.90821492927058770002e-10)))), f);
    return SUB(MUL(dk, C(6.93147180369123816490e-01)), inner);
#undef C
#undef MUL
#undef ADD
#undef SUB
}

void attn_mlogm_avx2(const float *p, const float *q, size_t n, double *out) {
    const __m256d half = _mm256_set1_pd(0.5), zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
    for (size_t k = 0; k < n; k += 4) {
        size_t left = n - k < 4 ? n - k : 4;
        const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
        const __m128i live = _mm_cmplt_epi32(lane, _mm_set1_epi32((int)left));
        __m256d a = _mm256_cvtps_pd(_mm_maskload_ps(p + k, live));
        __m256d b = _mm256_cvtps_pd(_mm_maskload_ps(q + k, live));
        __m256d m = _mm256_mul_pd(half, _mm256_add_pd(a, b));
        __m256d pos = _mm256_cmp_pd(m, zero, _CMP_GT_OQ); /* m > 0 (not NaN) */
        __m256d lg = log4(_mm256_blendv_pd(one, m, pos));  /* ln 1 = 0 elsewhere */
        _mm256_maskstore_pd(out + k, _mm256_cvtepi32_epi64(live), _mm256_and_pd(pos, _mm256_mul_pd(m, lg)));
    }
}
