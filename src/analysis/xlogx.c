/* xlogx.c — the portable m·ln m (see xlogx.h) and the choice of path. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "xlogx.h"

#define LN2_HI 6.93147180369123816490e-01 /* 0x3fe62e42fee00000 */
#define LN2_LO 1.90821492927058770002e-10 /* 0x3dea39ef35793c76 */
#define LG1 6.666666666666735130e-01
#define LG2 3.999999999940941908e-01
#define LG3 2.857142874366239149e-01
#define LG4 2.222219843214978396e-01
#define LG5 1.818357216161805012e-01
#define LG6 1.531383769920937332e-01
#define LG7 1.479819860511658591e-01

/* Integer and IEEE operations only; k becomes a double through the bits of 2^52 + 2^31 + k, as in
 * the AVX2 path (AVX2 has no 64-bit integer conversion). */
static inline double log_fdlibm(double x) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint64_t hx = (bits >> 32) & 0x000fffff;  /* high word of the mantissa */
    uint64_t i = (hx + 0x95f64) & 0x100000;   /* mantissa ≥ √2: halve it, k + 1 */
    uint64_t kb = ((bits >> 52) + ((1ull << 31) - 1023) + (i >> 20)) | 0x4330000000000000ull;
    uint64_t mb = (bits & 0x000fffffffffffffull) | ((i ^ 0x3ff00000) << 32);
    double m, kd;
    memcpy(&m, &mb, sizeof m); /* in [√2/2, √2) */
    memcpy(&kd, &kb, sizeof kd);
    double f = m - 1.0, dk = kd - (0x1p52 + 0x1p31);
    double s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (LG2 + w * (LG4 + w * LG6));
    double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    double R = t2 + t1, hfsq = 0.5 * f * f;
    return dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
}

double attn_log_fdlibm(double x) { return log_fdlibm(x); }

void attn_mlogm_portable(const float *p, const float *q, size_t n, double *out) {
    for (size_t k = 0; k < n; k++) {
        double m = 0.5 * ((double)p[k] + (double)q[k]);
        out[k] = m > 0.0 ? m * log_fdlibm(m) : 0.0;
    }
}

attn_mlogm_fn attn_mlogm_select(void) {
    const char *set = attn_kernels_name();
    if (!strcmp(set, "avx512")) return attn_mlogm_avx512;
    if (!strcmp(set, "avx2")) return attn_mlogm_avx2;
    return attn_mlogm_portable;
}
