/* fixed_sum.h — exact, order-independent sums of doubles: each addend is rounded once to a
 * multiple of 2^-64 and added as a 128-bit integer. Integer addition is associative, so a corpus
 * summed in one run, resumed from a checkpoint or split into shards and merged gives the same bits
 * (double addition would depend on the order). |addend| < 2^40; the rounding error per addend is
 * below 2^-64, far under a double's 2^-53 relative precision for the metrics' magnitudes. */
#ifndef ATTN_FIXED_SUM_H
#define ATTN_FIXED_SUM_H

#include <math.h>
#include <stdint.h>

__extension__ typedef __int128 attn_fixed;

#define ATTN_FIXED_LIMIT 1099511627776.0 /* 2^40 */

/* Adds v (finite, |v| < 2^40) to *acc; 0 (nothing added) otherwise. */
static inline int attn_fixed_add(attn_fixed *acc, double v) {
    if (!(fabs(v) < ATTN_FIXED_LIMIT)) return 0;
    *acc += (attn_fixed)ldexp(v, 64); /* truncates toward zero below 2^-64 */
    return 1;
}

/* The sum as the nearest double. */
static inline double attn_fixed_value(attn_fixed x) { return ldexp((double)x, -64); }

#endif
