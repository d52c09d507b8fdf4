/* analysis.h — internal helpers shared by the analyses (src/analysis/): divergences, entropies.
 * The analyses' public entry points are declared in include/attnscope.h. */
#ifndef ATTN_ANALYSIS_H
#define ATTN_ANALYSIS_H

#include <stddef.h>

/* Shannon entropy −Σ p·ln p of a distribution of n values (0·ln 0 = 0), in nats. */
double attn_entropy(const float *p, size_t n);

/* Jensen–Shannon divergence of two distributions of n values, natural log (0 ≤ JSD ≤ ln 2).
 * Neither needs to be exactly normalised; values ≤ 0 count as 0. */
double attn_js_divergence(const float *p, const float *q, size_t n);

/* Jensen–Shannon distance: √JSD (a metric), as scipy.spatial.distance.jensenshannon with base e. */
double attn_js_distance(const float *p, const float *q, size_t n);

#endif
