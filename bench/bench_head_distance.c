/* bench_head_distance.c — the head distances of `compare` on one sentence of a base-sized model:
 * 144 heads (12 layers × 12), T tokens (default 17, the example corpus's mean), random softmax rows.
 *
 *   bench_head_distance [--tokens T] [--heads N] [--runs R] [--threads n]
 *
 * Times attn_head_distances_add (vectorised m ln m, the worker team) against the previous loop
 * (libm's log per element, one thread here), best of R runs each, and checks they agree. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "metrics_internal.h"
#include "bench_util.h"

/* The loop before: H(m) with libm's log per element and pair, entropies precomputed. */
static void distances_libm(const float *attn, int n, int T, double *dist) {
    double *h = malloc((size_t)n * T * sizeof *h);
    for (int a = 0; a < n; a++)
        for (int i = 0; i < T; i++) h[(size_t)a * T + i] = attn_entropy(attn + ((size_t)a * T + i) * T, (size_t)T);
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++) {
            double s = 0.0;
            for (int i = 0; i < T; i++) {
                const float *p = attn + ((size_t)a * T + i) * T, *q = attn + ((size_t)b * T + i) * T;
                double hm = 0.0;
                for (int j = 0; j < T; j++) {
                    double m = 0.5 * ((double)p[j] + (double)q[j]);
                    if (m > 0.0) hm -= m * log(m);
                }
                double d = hm - 0.5 * (h[(size_t)a * T + i] + h[(size_t)b * T + i]);
                s += d > 0.0 ? sqrt(d) : 0.0;
            }
            dist[(size_t)a * n + b] += s / T;
            dist[(size_t)b * n + a] += s / T;
        }
    free(h);
}

int main(int argc, char **argv) {
    int T = 17, n = 144, runs = 5, threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--tokens")) T = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--heads")) n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else return fprintf(stderr, "usage: bench_head_distance [--tokens T] [--heads N] [--runs R] [--threads n]\n"), 2;
    }
    if (T < 1 || n < 2 || runs < 1) return fprintf(stderr, "bench_head_distance: bad arguments\n"), 2;
    float *attn = malloc((size_t)n * T * T * sizeof *attn);
    double *d_new = calloc((size_t)n * n, sizeof *d_new), *d_old = calloc((size_t)n * n, sizeof *d_old);
    uint64_t r = 88172645463325252ull;
    for (size_t row = 0; row < (size_t)n * T; row++) {
        double sum = 0;
        for (int j = 0; j < T; j++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            sum += attn[row * T + j] = (float)exp(10.0 * (double)(r >> 11) * 0x1p-53 - 5.0);
        }
        for (int j = 0; j < T; j++) attn[row * T + j] = (float)(attn[row * T + j] / sum);
    }
    double best_new = INFINITY, best_old = INFINITY;
    for (int k = 0; k < runs; k++) {
        memset(d_new, 0, (size_t)n * n * sizeof *d_new);
        double t0 = now_ms();
        if (attn_head_distances_add(attn, n, T, threads, d_new) != ATTN_OK) return fprintf(stderr, "%s\n", attn_last_error()), 1;
        best_new = fmin(best_new, now_ms() - t0);
        memset(d_old, 0, (size_t)n * n * sizeof *d_old);
        t0 = now_ms();
        distances_libm(attn, n, T, d_old);
        best_old = fmin(best_old, now_ms() - t0);
    }
    double worst = 0;
    for (size_t k = 0; k < (size_t)n * n; k++) worst = fmax(worst, fabs(d_new[k] - d_old[k]));
    printf("head distances, %d heads, T = %d: %.3f ms (attn_head_distances_add, %d threads asked) vs %.3f ms (libm log, 1 thread): "
           "%.1fx; largest difference %.3g\n", n, T, best_new, threads, best_old, best_old / best_new, worst);
    free(attn), free(d_new), free(d_old);
    return worst < 1e-12 ? 0 : 1;
}
