/* divergence.c — entropy and Jensen–Shannon divergence of attention distributions. */
#include <math.h>

#include "analysis.h"

double attn_entropy(const float *p, size_t n) {
    double h = 0.0;
    for (size_t j = 0; j < n; j++)
        if (p[j] > 0.0f) h -= (double)p[j] * log((double)p[j]);
    return h;
}

double attn_js_divergence(const float *p, const float *q, size_t n) {
    /* JSD = ½ Σ p ln(p/m) + ½ Σ q ln(q/m), m = (p+q)/2; terms with a zero factor vanish. */
    double d = 0.0;
    for (size_t j = 0; j < n; j++) {
        double a = p[j] > 0.0f ? p[j] : 0.0, b = q[j] > 0.0f ? q[j] : 0.0;
        double m = 0.5 * (a + b);
        if (a > 0.0) d += 0.5 * a * log(a / m);
        if (b > 0.0) d += 0.5 * b * log(b / m);
    }
    return d > 0.0 ? d : 0.0;
}

double attn_js_distance(const float *p, const float *q, size_t n) {
    return sqrt(attn_js_divergence(p, q, n));
}
