/* bench_matmul.c — every matmul variant on the forward's shapes and on a compute-bound problem.
 *
 *   bench_matmul [--tokens T] [--reps R] [--layers L] [--portable] [--bf16-only]
 *
 * "forward": the 4·L linear layers of a bert-base forward at T tokens (default 25, L 12), each with
 * its own weights (340 MB for bert-base, so they stream from memory as in the real forward).
 * "peak": 512×768 · (3072×768)ᵀ, weights in cache: compute bound.
 * Variants are timed interleaved, R rounds, so machine noise hits all of them alike; the min and the
 * median are printed (the min is the least disturbed run). Portable runs the peak problem only
 * when asked (--portable), it is slow. The plain-layout avx512 entry packs its weights on every call,
 * so it is not timed here: "prepared" times the forward's way — attn_linear layers packed once for
 * the dispatched set (ATTN_KERNELS=...), in fp32 and, with AVX512-BF16, in bf16. --bf16-only times
 * only the prepared bf16 layers (AMX where present; ATTN_BF16=avx512 forces vdpbf16ps), e.g. at a
 * corpus batch's M = 200–800 rows (--tokens 544). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"
#include "bench_util.h"

static void fill(float *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) p[i] = (float)(((i + seed) * 2654435761u) % 2001) / 1000.0f - 1.0f;
}

/* The forward's linear layers (and the peak problem) as attn_linear layers prepared once. */
static void time_prepared(const float *w, const float *b, const float *x, float *y, int T, int L, const int shapes[4][2], int reps,
                          double flops_fwd, double flops_peak, size_t per_layer, int bf16_only) {
    int n = 4 * L + 1;
    attn_linear *lin = calloc((size_t)n, sizeof *lin);
    float **blocks = calloc((size_t)n, sizeof *blocks);
    const float *wl = w;
    for (int i = 0; i < n; i++) {
        int K = i < 4 * L ? shapes[i % 4][0] : 768, N = i < 4 * L ? shapes[i % 4][1] : 3072;
        blocks[i] = attn_panels16_alloc(N, K);
        memcpy(blocks[i], i < 4 * L ? wl : w, (size_t)N * K * sizeof *w);
        if (i < 4 * L) wl += (size_t)K * N;
        if (attn_linear_prepare(&lin[i], blocks[i], b, N, K) != ATTN_OK) return;
    }
    for (int bf16 = bf16_only; bf16 <= attn_bf16_supported(); bf16++) {
        for (int i = 0; i < n; i++)
            if (bf16 && attn_linear_add_bf16(&lin[i]) == ATTN_OK) lin[i].use_bf16 = 1;
        double best_f = INFINITY, best_p = INFINITY;
        for (int r = 0; r < reps; r++) {
            double t0 = now_ms();
            for (int i = 0; i < 4 * L; i++) attn_linear_apply(&lin[i], y, x, T, -1);
            double t = now_ms() - t0;
            if (t < best_f) best_f = t;
            t0 = now_ms();
            attn_linear_apply(&lin[4 * L], y, x, 512, -1);
            t = now_ms() - t0;
            if (t < best_p) best_p = t;
        }
        printf("  prepared %-6s %s forward min %7.2f ms  %6.1f GFLOP/s %5.1f GB/s (f32-equivalent)   peak %6.1f GFLOP/s\n",
               attn_kernels_name(), bf16 ? "bf16" : "fp32", best_f, flops_fwd / (best_f * 1e6), per_layer * L * 4.0 / (best_f * 1e6),
               flops_peak / (best_p * 1e6));
    }
    for (int i = 0; i < n; i++) attn_linear_free(&lin[i]), free(blocks[i]);
    free(lin), free(blocks);
}

int main(int argc, char **argv) {
    int T = 25, reps = 15, L = 12, portable = 0, bf16_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tokens") && i + 1 < argc) T = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--layers") && i + 1 < argc) L = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--portable")) portable = 1;
        else if (!strcmp(argv[i], "--bf16-only")) bf16_only = 1;
        else { fprintf(stderr, "usage: bench_matmul [--tokens T] [--reps R] [--layers L] [--portable] [--bf16-only]\n"); return 2; }
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
    for (int r = 0; r < (bf16_only ? 0 : reps); r++)
        for (int k = 0; k < nv; k++) {
            if (!strcmp(v[k].name, "avx512")) continue; /* see "prepared" below */
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
    for (int k = 0; k < (bf16_only ? 0 : nv); k++) {
        if (!strcmp(v[k].name, "avx512")) continue;
        int n = !strcmp(v[k].name, "portable") ? 2 : reps;
        qsort(tf + k * reps, (size_t)n, sizeof *tf, cmp_double);
        qsort(tp + k * reps, (size_t)n, sizeof *tp, cmp_double);
        double fmin = tf[k * reps], fmed = tf[k * reps + n / 2], pmin = tp[k * reps];
        printf("  %-10s forward min %7.2f ms median %7.2f ms  %6.1f GFLOP/s %5.1f GB/s", v[k].name, fmin, fmed,
               flops_fwd / (fmin * 1e6), per_layer * L * 4.0 / (fmin * 1e6));
        if (pmin > 0.01) printf("   peak %6.1f GFLOP/s", flops_peak / (pmin * 1e6));
        printf("\n");
    }
    free(tf), free(tp);
    time_prepared(w, b, x, y, T, L, shapes, reps, flops_fwd, flops_peak, per_layer, bf16_only);
    free(w), free(b), free(x), free(y);
    return 0;
}
