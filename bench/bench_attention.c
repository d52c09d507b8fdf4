/* bench_attention.c — one layer's attention heads (q·kᵀ, scale, softmax, probabilities · v) for every
 * attention kernel the machine has, on one thread.
 *
 *   bench_attention [--tokens T[,T...]] [--heads NH] [--hd HD] [--reps R] [--distilbert]
 *
 * For each T (default 25,128,512): NH heads (default 12) of HD (default 64) over a random fused
 * (T, 3·NH·HD) qkv block, as the forward calls attn_attend_head_*; the variants are timed
 * interleaved, R rounds (default 9), so machine noise hits all of them alike; min and median µs per
 * layer and GFLOP/s (4·T²·HD per head: the two products; the softmax is not credited) are printed,
 * and the largest difference of each variant's probabilities from the portable reference's.
 * --distilbert scales q before the product (scale_q_first). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "kernels.h"

typedef void (*head_fn)(const float *, const float *, const float *, int, int, int, float, int, float *, float *, int,
                        float *);

typedef struct variant {
    const char *name;
    head_fn fn;
} variant;

static void run_layer(head_fn fn, const float *qkv, int T, int NH, int hd, int sq, float *probs, float *ctx,
                      float *work) {
    int C = NH * hd;
    float scale = 1.0f / sqrtf((float)hd);
    for (int h = 0; h < NH; h++)
        fn(qkv + h * hd, qkv + C + h * hd, qkv + 2 * C + h * hd, 3 * C, T, hd, scale, sq, probs + (size_t)h * T * T,
           ctx + h * hd, C, work);
}

static int parse_tokens(const char *s, int *out, int cap) {
    int n = 0;
    for (char *end; *s && n < cap; s = *end ? end + 1 : end) {
        long t = strtol(s, &end, 10);
        if (end == s || t < 1 || t > 4096 || (*end && *end != ',')) return 0;
        out[n++] = (int)t;
    }
    return n;
}

int main(int argc, char **argv) {
    int Ts[16] = {25, 128, 512}, nT = 3, NH = 12, hd = 64, reps = 9, sq = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tokens") && i + 1 < argc) nT = parse_tokens(argv[++i], Ts, 16);
        else if (!strcmp(argv[i], "--heads") && i + 1 < argc) NH = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--hd") && i + 1 < argc) hd = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--distilbert")) sq = 1;
        else {
            fprintf(stderr, "usage: bench_attention [--tokens T[,T...]] [--heads NH] [--hd HD] [--reps R] [--distilbert]\n");
            return 2;
        }
    }
    if (nT < 1 || NH < 1 || NH > 256 || hd < 1 || hd > 1024 || reps < 1 || reps > 1000) {
        fprintf(stderr, "bench_attention: bad --tokens, --heads, --hd or --reps\n");
        return 2;
    }
    variant vs[3];
    int nv = 0;
    vs[nv++] = (variant){"portable", attn_attend_head_portable};
    if (attn_kernels_supported("avx2")) vs[nv++] = (variant){"avx2", attn_attend_head_avx2};
    if (attn_kernels_supported("avx512")) vs[nv++] = (variant){"avx512", attn_attend_head_avx512};
    printf("attention: %d heads of %d, one thread, %d interleaved rounds%s\n", NH, hd, reps,
           sq ? ", q scaled first" : "");
    for (int ti = 0; ti < nT; ti++) {
        int T = Ts[ti], C = NH * hd;
        size_t TT = (size_t)T * T, nw = (attn_attend_work_floats(T, hd) + 15) / 16 * 16;
        float *qkv = malloc((size_t)T * 3 * C * sizeof(float)), *ctx = malloc((size_t)T * C * sizeof(float));
        float *work = aligned_alloc(64, nw * sizeof(float)), *probs[3];
        double *ms = malloc((size_t)nv * reps * sizeof *ms);
        if (!qkv || !ctx || !work || !ms) return fprintf(stderr, "bench_attention: out of memory\n"), 1;
        for (size_t i = 0; i < (size_t)T * 3 * C; i++) qkv[i] = (float)((i * 2654435761u) % 2001) / 500.0f - 2.0f;
        for (int v = 0; v < nv; v++)
            if (!(probs[v] = malloc((size_t)NH * TT * sizeof(float)))) return fprintf(stderr, "bench_attention: out of memory\n"), 1;
        for (int v = 0; v < nv; v++) run_layer(vs[v].fn, qkv, T, NH, hd, sq, probs[v], ctx, work); /* warm-up */
        for (int r = 0; r < reps; r++)
            for (int v = 0; v < nv; v++) {
                double t0 = now_ms();
                run_layer(vs[v].fn, qkv, T, NH, hd, sq, probs[v], ctx, work);
                ms[v * reps + r] = now_ms() - t0;
            }
        double flop = 4.0 * NH * (double)TT * hd;
        for (int v = 0; v < nv; v++) {
            double *m = ms + v * reps, dev = 0.0;
            qsort(m, (size_t)reps, sizeof *m, cmp_double);
            for (size_t i = 0; i < NH * TT; i++) dev = fmax(dev, fabs((double)probs[v][i] - probs[0][i]));
            printf("T=%-4d %-9s min %9.1f us  median %9.1f us  %6.1f GFLOP/s (min)  probabilities vs portable %.1e\n", T,
                   vs[v].name, m[0] * 1e3, m[reps / 2] * 1e3, flop / (m[0] * 1e6), dev);
        }
        for (int v = 0; v < nv; v++) free(probs[v]);
        free(qkv), free(ctx), free(work), free(ms);
    }
    return 0;
}
