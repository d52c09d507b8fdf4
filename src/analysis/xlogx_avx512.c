/* xlogx_avx512.c — m·ln m, 8 doubles at a time: the same operations as attn_log_fdlibm (xlogx.c),
 * so the same bits. Compiled with AVX-512 flags; called only when the avx512 kernel set is in use. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <immintrin.h>
#include <stdint.h>

#include "xlogx.h"

/* ln of 8 positive normal doubles (lanes ≤ 0 must have been replaced beforehand). */
static inline __m512d log8(__m512d x) {
    const __m512i bits = _mm512_castpd_si512(x);
    const __m512i hx = _mm512_and_si512(_mm512_srli_epi64(bits, 32), _mm512_set1_epi64(0x000fffff));
    const __m512i i = _mm512_and_si512(_mm512_add_epi64(hx, _mm512_set1_epi64(0x95f64)), _mm512_set1_epi64(0x100000));
    const __m512i k = _mm512_add_epi64(_mm512_sub_epi64(_mm512_srli_epi64(bits, 52), _mm512_set1_epi64(1023)), _mm512_srli_epi64(i, 20));
    const __m512i mb = _mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi64(0x000fffffffffffffll)),
                                       _mm512_slli_epi64(_mm512_xor_si512(i, _mm512_set1_epi64(0x3ff00000)), 32));
    const __m512d m = _mm512_castsi512_pd(mb), one = _mm512_set1_pd(1.0);
    const __m512d f = _mm512_sub_pd(m, one), dk = _mm512_cvtepi64_pd(k);
    const __m512d s = _mm512_div_pd(f, _mm512_add_pd(_mm512_set1_pd(2.0), f));
    const __m512d z = _mm512_mul_pd(s, s), w = _mm512_mul_pd(z, z);
#define C(v) _mm512_set1_pd(v)
#define MUL _mm512_mul_pd
#define ADD _mm512_add_pd
#define SUB _mm512_sub_pd
    const __m512d t1 = MUL(w, ADD(C(3.999999999940941908e-01), MUL(w, ADD(C(2.222219843214978396e-01), MUL(w, C(1.531383769920937332e-01))))));
    const __m512d t2 = MUL(z, ADD(C(6.666666666666735130e-01),
                                  MUL(w, ADD(C(2.857142874366239149e-01), MUL(w, ADD(C(1.818357216161805012e-01), MUL(w, C(1.479819860511658591e-01))))))));
    const __m512d R = ADD(t2, t1), hfsq = MUL(MUL(C(0.5), f), f);
    const __m512d inner = SUB(SUB(hfsq, ADD(MUL(s, ADD(hfsq, R)), MUL(dk, C(1.90821492927058770002e-10)))), f);
    return SUB(MUL(dk, C(6.93147180369123816490e-01)), inner);
#undef C
#undef MUL
#undef ADD
#undef SUB
}

void attn_mlogm_avx512(const float *p, const float *q, size_t n, double *out) {
    const __m512d half = _mm512_set1_pd(0.5), zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1.0);
    for (size_t k = 0; k < n; k += 8) {
        __mmask8 live = n - k >= 8 ? 0xff : (__mmask8)((1u << (n - k)) - 1);
        __m512d a = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(live, p + k));
        __m512d b = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(live, q + k));
        __m512d m = _mm512_mul_pd(half, _mm512_add_pd(a, b));
        __mmask8 pos = _mm512_cmp_pd_mask(m, zero, _CMP_GT_OQ); /* m > 0 (not NaN) */
        __m512d lg = log8(_mm512_mask_blend_pd(pos, one, m));    /* ln 1 = 0 elsewhere */
        _mm512_mask_storeu_pd(out + k, live, _mm512_maskz_mul_pd(pos, m, lg));
    }
}
