/* bench_matmul.c — every matmul variant on the forward's shapes and on a compute-bound problem.
 *
 *   bench_matmul [--tokens T] [--reps R] [--layers L]
 *
 * "forward": the 4·L linear layers of a bert-base forward at T tokens (default 25, L 12), each with
 * its own weights (340 MB for bert-base, so they stream from memory as in the real forward).
 * "peak": 512×768 · (3072×768)ᵀ, weights in cache: compute bound.
 * Variants are timed interleaved, R rounds, so machine noise hits all of them alike; the min and the
 * median are printed (the min is the least disturbed run). Portable runs the peak problem only
 * when asked (--portable), it is slow. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fill(float *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) p[i] = (float)(((i + seed) * 2654435761u) % 2001) / 1000.0f - 1.0f;
}

int main(int argc, char **argv) {
    int T = 25, reps = 15, L = 12, portable = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tokens") && i + 1 < argc) T = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--layers") && i + 1 < argc) L = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--portable")) portable = 1;
        else { fprintf(stderr, "usage: bench_matmul [--tokens T] [--reps R] [--layers L] [--portable]\n"); return 2; }
    }
    const int C = 768, I = 3072;
    const int shapes[4][2] = {{C, 3 * C}, {C, C}, {C, I}, {I, C}}; /* (K, N) of qkv, attn out, ff in, ff out */
    size_t per_layer = 0;
    for (int s = 0; s < 4; s++) per_layer += (size_t)shapes[s][0] * shapes[s][1];
    float *w = malloc(per_layer * L * sizeof *w), *b = malloc((size_t)I * sizeof *b);
    float *x = malloc((size_t)(T > 512 ? T : 512) * I * sizeof *x), *y = malloc((size_t)(T > 512 ? T : 512) * I * sizeof *y);
    if (!w || !b || !x || !y) { fprintf(stderr, "bench_matmul: out of memory\n"); return 1; }
    fill(w, per_layer * L, 1), fill(b, (size_t)I, 2), fill(x, (size_t)(T > 512 ? T : 512) * I, 3);

    int nv;
    const attn_matmul_impl *v = attn_matmul_variants(&nv);
    double flops_fwd = 2.0 * T * (double)per_layer * L, flops_peak = 2.0 * 512 * 768 * 3072;
    printf("bench_matmul: forward = %d linear layers at M=%d (%.0f MB of weights, %.2f GFLOP); peak = 512x768x3072\n", 4 * L, T,
           per_layer * L * 4.0 / 1e6, flops_fwd * 1e-9);
    double *tf = malloc((size_t)nv * reps * sizeof *tf), *tp = malloc((size_t)nv * reps * sizeof *tp);
    for (int r = 0; r < reps; r++)
        for (int k = 0; k < nv; k++) {
            int slow = !strcmp(v[k].name, "portable");
            double t0 = now_ms();
            if (!slow || r < 2) {
                const float *wl = w;
                for (int l = 0; l < L; l++)
                    for (int s = 0; s < 4; s++) {
                        v[k].fn(y, x, wl, b, T, shapes[s][0], shapes[s][1]);
                        wl += (size_t)shapes[s][0] * shapes[s][1];
                    }
            }
            tf[k * reps + r] = now_ms() - t0;
            t0 = now_ms();
            if (!slow || (portable && r < 2)) v[k].fn(y, x, w, b, 512, 768, 3072);
            tp[k * reps + r] = now_ms() - t0;
        }
    for (int k = 0; k < nv; k++) {
        int n = !strcmp(v[k].name, "portable") ? 2 : reps;
        qsort(tf + k * reps, (size_t)n, sizeof *tf, cmp_double);
        qsort(tp + k * reps, (size_t)n, sizeof *tp, cmp_double);
        double fmin = tf[k * reps], fmed = tf[k * reps + n / 2], pmin = tp[k * reps];
        printf("  %-10s forward min %7.2f ms median %7.2f ms  %6.1f GFLOP/s %5.1f GB/s", v[k].name, fmin, fmed,
               flops_fwd / (fmin * 1e6), per_layer * L * 4.0 / (fmin * 1e6));
        if (pmin > 0.01) printf("   peak %6.1f GFLOP/s", flops_peak / (pmin * 1e6));
        printf("\n");
    }
    free(tf), free(tp), free(w), free(b), free(x), free(y);
    return 0;
}
