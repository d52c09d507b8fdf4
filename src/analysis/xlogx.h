/* xlogx.h — m·ln m of the mean of two attention rows, elementwise: the one transcendental of the
 * head distances (head_distance.c), vectorised where the CPU allows.
 *
 * The logarithm is fdlibm's e_log.c algorithm (Sun Microsystems, 1993: argument reduced to
 * [√2/2, √2), ln(1+f) = f − f²/2 + s(f²/2 + R(s²)), s = f/(2+f), R a degree-7 polynomial; error
 * below 1 ulp), always in its f²/2 form and without branches, so that one portable C function and
 * the AVX2 and AVX-512 ones evaluate the same IEEE operations in the same order, without fused multiply-add
 * (contraction is off in both files): every path gives the same bits, whatever the machine, the
 * kernel set or the thread count. It differs from libm's log by at most an ulp or so (tested). */
#ifndef ATTN_XLOGX_H
#define ATTN_XLOGX_H

#include <stddef.h>

/* out[k] = m·ln m with m = ½(p[k] + q[k]) in double; 0 where m ≤ 0 (or NaN). p == q is allowed
 * (then m = p[k] exactly: the row's own −entropy terms). */
typedef void (*attn_mlogm_fn)(const float *p, const float *q, size_t n, double *out);

void attn_mlogm_portable(const float *p, const float *q, size_t n, double *out);
void attn_mlogm_avx2(const float *p, const float *q, size_t n, double *out);
void attn_mlogm_avx512(const float *p, const float *q, size_t n, double *out);

/* The fastest the kernel set in use allows (ATTN_KERNELS=portable forces the C one). */
attn_mlogm_fn attn_mlogm_select(void);

/* The scalar logarithm itself (x > 0, finite, normal), for the tests. */
double attn_log_fdlibm(double x);

#endif
