/* bench_forward.c — times the encoder forward pass and puts it next to the machine's limits.
 *
 *   bench_forward MODEL_DIR [--tokens T] [--batch B] [--runs N] [--warmup W] [--threads n] [--dump PATH] [--quick] [--bf16]
 *
 * 1. forward: attn_model_forward on B sequences (default 1) of T tokens (default 25) as one batch,
 *    ATTN_OUT_ATTENTIONS,
 *    W warm-up runs then N timed runs (output allocation and free included, as in real use):
 *    mean / std / min / median ms and achieved GFLOP/s.
 * 2. matmul in the forward: the forward's 4·L linear layers with the model's own weights (so they
 *    stream from memory exactly as in the forward), timed alone: the share of the forward they take.
 * 3. the machine: attn_matmul on a large cache-friendly problem (512×768 · 3072×768ᵀ, compute
 *    bound: the "matmul peak" every ratio is taken against) and the read bandwidth of a 512 MB
 *    array (the limit for small T, where every weight is read once per forward: 4 bytes / 2·T flops);
 *    and the FMA peak: a bare loop of independent fused multiply-adds at the chosen kernels' width on
 *    every thread, no memory at all — what no matrix product can beat (the bound of any fp32 goal).
 * --bf16 times the forward in bf16 precision (attn_model_set_precision; the dump stays fp32).
 * --quick skips 2 and 3 (for scripts that alternate engines and measure the machine once).
 * --dump PATH writes the ids, attentions (L, NH, T, T) and last hidden state (T, C) of one
 * ATTN_OUT_ALL run to a safetensors file, for torch_forward.py to compare against.
 * The last line of output is one JSON object with every number, for scripts. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attnscope.h"
#include "kernels.h"
#include "model.h"
#include "bench_util.h"

typedef struct stats {
    double mean, std, min, median;
} stats;

static stats summarize(double *t, int n) {
    stats s = {0};
    for (int i = 0; i < n; i++) s.mean += t[i];
    s.mean /= n;
    for (int i = 0; i < n; i++) s.std += (t[i] - s.mean) * (t[i] - s.mean);
    s.std = n > 1 ? sqrt(s.std / (n - 1)) : 0.0;
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    s.min = t[0];
    s.median = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    return s;
}

/* The benchmark's token ids of sequence `row`: [CLS] w1 .. w_{T-2} [SEP] (<s> .. </s> for RoBERTa).
 * torch_forward.py and ort_forward.js compute the same lists. */
static void bench_ids(int32_t *ids, int T, const attn_config *c, int row) {
    for (int t = 0; t < T; t++) ids[t] = 1000 + (int32_t)(((int64_t)(t + 31 * row) * 7919) % (c->vocab - 2000));
    int roberta = c->arch == ATTN_ARCH_ROBERTA;
    ids[0] = roberta ? 0 : 101;
    if (T > 1) ids[T - 1] = roberta ? 2 : 102;
}

/* Multiply-adds ×2 of one forward: linear layers plus the two attention products. */
static double forward_flops(const attn_config *c, int T) {
    double C = c->hidden, I = c->intermediate;
    double linear = 2.0 * T * (3 * C * C + C * C + C * I + I * C);
    double attn = 2.0 * 2.0 * (double)T * T * C;
    return c->layers * (linear + attn);
}

static double linear_flops(const attn_config *c, int T) {
    double C = c->hidden, I = c->intermediate;
    return c->layers * 2.0 * T * (3 * C * C + C * C + C * I + I * C);
}

static double linear_bytes(const attn_config *c) {
    double C = c->hidden, I = c->intermediate;
    return c->layers * 4.0 * (3 * C * C + C * C + C * I + I * C);
}

static int dump(attn_model *m, const int32_t *ids, int T, const char *path) {
    const attn_config *c = attn_model_config(m);
    attn_input one = {ids, NULL, T};
    attn_output o;
    if (attn_model_forward(m, &one, 1, ATTN_OUT_ALL, &o) != ATTN_OK) return 0;
    attn_tensor_view v[3] = {
        {.name = "input_ids", .dtype = ATTN_DTYPE_I32, .ndim = 1, .shape = {T}, .data = ids},
        {.name = "attentions", .dtype = ATTN_DTYPE_F32, .ndim = 4, .shape = {c->layers, c->heads, T, T}, .data = o.attentions},
        {.name = "last_hidden_state", .dtype = ATTN_DTYPE_F32, .ndim = 2, .shape = {T, c->hidden},
         .data = o.hidden_states + (size_t)c->layers * T * c->hidden},
    };
    int ok = attn_safetensors_write(path, v, 3) == ATTN_OK;
    attn_output_free(&o);
    return ok;
}

/* The forward's linear layers alone, with the model's weights, on random activations. */
static double time_forward_matmuls(const attn_model *m, int T, int runs) {
    const attn_config *c = &m->cfg;
    int I = c->intermediate;
    float *x = malloc((size_t)T * I * sizeof *x), *y = malloc((size_t)T * I * sizeof *y);
    for (size_t i = 0; i < (size_t)T * I; i++) x[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    double best = INFINITY;
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        for (int l = 0; l < c->layers; l++) {
            const layer_weights *w = &m->layers[l];
            attn_linear_apply(&w->qkv, y, x, T, -1);
            attn_linear_apply(&w->attn_out, y, x, T, -1);
            attn_linear_apply(&w->ff_in, y, x, T, -1);
            attn_linear_apply(&w->ff_out, y, x, T, -1);
        }
        double t = now_ms() - t0;
        if (t < best) best = t;
    }
    free(x);
    free(y);
    return best;
}

/* A prepared linear layer (packed once, as the forward's) on a compute-bound problem: best GFLOP/s
 * over a few runs. */
static double matmul_peak_gflops(int M, int K, int N, int runs) {
    float *x = malloc((size_t)M * K * sizeof *x), *w = malloc((size_t)N * K * sizeof *w);
    float *b = malloc((size_t)N * sizeof *b), *y = malloc((size_t)M * N * sizeof *y);
    for (size_t i = 0; i < (size_t)M * K; i++) x[i] = (float)(i % 17) * 0.01f;
    for (size_t i = 0; i < (size_t)N * K; i++) w[i] = (float)(i % 13) * 0.01f;
    for (int i = 0; i < N; i++) b[i] = 0.5f;
    float *wp = attn_panels16_alloc(N, K); /* aligned, as the model's weight block */
    memcpy(wp, w, (size_t)N * K * sizeof *w);
    attn_linear lin;
    if (attn_linear_prepare(&lin, wp, b, N, K) != ATTN_OK) return 0.0;
    attn_linear_apply(&lin, y, x, M, -1); /* warm-up: weights into cache, threads up */
    double best = INFINITY;
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        attn_linear_apply(&lin, y, x, M, -1);
        double t = now_ms() - t0;
        if (t < best) best = t;
    }
    attn_linear_free(&lin);
    free(x), free(w), free(wp), free(b), free(y);
    return 2.0 * M * K * N / (best * 1e6);
}

/* The FMA peak (GFLOP/s): every thread runs 12 independent chains of fused multiply-adds in
 * registers (enough to cover the FMA latency on every x86 core of this kind), at the width of the
 * kernels chosen (attn_matmul_variant). NAN for the portable kernels. */
#if defined(__x86_64__)
#include <immintrin.h>
#define FMA12(fma, a, b, c) \
    a0 = fma(a0, b, c), a1 = fma(a1, b, c), a2 = fma(a2, b, c), a3 = fma(a3, b, c), a4 = fma(a4, b, c), \
    a5 = fma(a5, b, c), a6 = fma(a6, b, c), a7 = fma(a7, b, c), a8 = fma(a8, b, c), a9 = fma(a9, b, c), \
    a10 = fma(a10, b, c), a11 = fma(a11, b, c)
__attribute__((target("avx512f"))) static float fma_chains_avx512(long n) {
    /* distinct starting values, or the compiler merges identical chains into one */
    __m512 a0 = _mm512_set1_ps(0.f), a1 = _mm512_set1_ps(1.f), a2 = _mm512_set1_ps(2.f), a3 = _mm512_set1_ps(3.f), a4 = _mm512_set1_ps(4.f), a5 = _mm512_set1_ps(5.f),
           a6 = _mm512_set1_ps(6.f), a7 = _mm512_set1_ps(7.f), a8 = _mm512_set1_ps(8.f), a9 = _mm512_set1_ps(9.f), a10 = _mm512_set1_ps(10.f), a11 = _mm512_set1_ps(11.f);
    const __m512 b = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-3f);
    for (long k = 0; k < n; k++) FMA12(_mm512_fmadd_ps, a, b, c);
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                             _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    return _mm512_reduce_add_ps(s);
}
__attribute__((target("avx2,fma"))) static float fma_chains_avx2(long n) {
    /* distinct starting values, or the compiler merges identical chains into one */
    __m256 a0 = _mm256_set1_ps(0.f), a1 = _mm256_set1_ps(1.f), a2 = _mm256_set1_ps(2.f), a3 = _mm256_set1_ps(3.f), a4 = _mm256_set1_ps(4.f), a5 = _mm256_set1_ps(5.f),
           a6 = _mm256_set1_ps(6.f), a7 = _mm256_set1_ps(7.f), a8 = _mm256_set1_ps(8.f), a9 = _mm256_set1_ps(9.f), a10 = _mm256_set1_ps(10.f), a11 = _mm256_set1_ps(11.f);
    const __m256 b = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(1e-3f);
    for (long k = 0; k < n; k++) FMA12(_mm256_fmadd_ps, a, b, c);
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float o[8];
    _mm256_storeu_ps(o, s);
    return o[0] + o[7];
}
#undef FMA12
#endif

static double fma_peak_gflops(int runs) {
#if defined(__x86_64__)
    const char *v = attn_matmul_variant();
    int lanes = !strcmp(v, "avx512") ? 16 : !strcmp(v, "avx2") ? 8 : 0;
    if (!lanes) return NAN;
    const long n = 20000000; /* 12 × 20 M FMAs per thread: ~0.1 s */
    double best = INFINITY;
    volatile float sink = 0.f;
    int nt = 1;
    for (int r = 0; r < runs; r++) {
        float acc = 0.f;
        double t0 = now_ms();
        #pragma omp parallel reduction(+ : acc)
        {
            if (omp_get_thread_num() == 0) nt = omp_get_num_threads();
            acc += lanes == 16 ? fma_chains_avx512(n) : fma_chains_avx2(n);
        }
        double t = now_ms() - t0;
        sink += acc;
        if (t < best) best = t;
    }
    (void)sink;
    return 2.0 * 12 * lanes * (double)n * nt / (best * 1e6);
#else
    (void)runs;
    return NAN;
#endif
}

/* Read bandwidth (GB/s) of a large array with all threads, best of a few passes. */
static double read_bandwidth_gbs(size_t bytes, int runs) {
    size_t n = bytes / sizeof(uint64_t);
    uint64_t *a = malloc(n * sizeof *a);
    #pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) a[i] = i;
    double best = INFINITY;
    volatile uint64_t sink = 0;
    for (int r = 0; r < runs; r++) {
        uint64_t acc = 0;
        double t0 = now_ms();
        #pragma omp parallel for schedule(static) reduction(^ : acc)
        for (size_t i = 0; i < n; i += 4) acc ^= a[i] ^ a[i + 1] ^ a[i + 2] ^ a[i + 3];
        double t = now_ms() - t0;
        sink ^= acc;
        if (t < best) best = t;
    }
    (void)sink;
    free(a);
    return (double)bytes / (best * 1e6);
}

int main(int argc, char **argv) {
    const char *dir = NULL, *dump_path = NULL;
    int T = 25, runs = 30, warmup = 5, threads = 0, batch = 1, quick = 0, bf16 = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tokens") && i + 1 < argc) T = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--bf16")) bf16 = 1;
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc) dump_path = argv[++i];
        else if (argv[i][0] != '-' && !dir) dir = argv[i];
        else {
            fprintf(stderr, "usage: bench_forward MODEL_DIR [--tokens T] [--runs N] [--warmup W] [--threads n] [--dump PATH]\n");
            return 2;
        }
    }
    if (!dir || T < 1 || runs < 1 || warmup < 0 || batch < 1) {
        fprintf(stderr, "usage: bench_forward MODEL_DIR [--tokens T] [--runs N] [--warmup W] [--threads n] [--dump PATH]\n");
        return 2;
    }
    attn_model *m;
    double t0 = now_ms();
    if (attn_model_open(dir, &m) != ATTN_OK) {
        fprintf(stderr, "bench_forward: %s\n", attn_last_error());
        return 1;
    }
    double load_ms = now_ms() - t0;
    attn_model_set_threads(m, threads);
    if (threads > 0) omp_set_num_threads(threads);
    const attn_config *c = attn_model_config(m);
    if (T > c->max_positions) {
        fprintf(stderr, "bench_forward: %d tokens exceed the model's %d positions\n", T, c->max_positions);
        return 2;
    }
    int nthreads = omp_get_max_threads();
    int32_t *ids = malloc((size_t)T * batch * sizeof *ids);
    attn_input *in = malloc((size_t)batch * sizeof *in);
    attn_output *outs = malloc((size_t)batch * sizeof *outs);
    for (int b = 0; b < batch; b++) {
        bench_ids(ids + (size_t)b * T, T, c, b);
        in[b] = (attn_input){ids + (size_t)b * T, NULL, T};
    }

    printf("bench_forward: %s (%s, L=%d C=%d NH=%d I=%d, %lld params, loaded in %.0f ms)\n", dir, c->model_type,
           c->layers, c->hidden, c->heads, c->intermediate, (long long)attn_model_loaded_parameters(m), load_ms);
    printf("  matmul variant %s, %d threads, OMP_WAIT_POLICY=%s\n", attn_matmul_variant(), nthreads,
           getenv("OMP_WAIT_POLICY") ? getenv("OMP_WAIT_POLICY") : "(unset)");

    if (dump_path && !dump(m, ids, T, dump_path)) {
        fprintf(stderr, "bench_forward: dump: %s\n", attn_last_error());
        return 1;
    }

    if (bf16 && attn_model_set_precision(m, ATTN_PRECISION_BF16) != ATTN_OK) {
        fprintf(stderr, "bench_forward: %s\n", attn_last_error());
        return 1;
    }
    /* 1. the forward pass */
    double *t = malloc((size_t)runs * sizeof *t);
    for (int r = 0; r < warmup + runs; r++) {
        double s = now_ms();
        if (attn_model_forward(m, in, batch, ATTN_OUT_ATTENTIONS, outs) != ATTN_OK) {
            fprintf(stderr, "bench_forward: %s\n", attn_last_error());
            return 1;
        }
        for (int b = 0; b < batch; b++) attn_output_free(&outs[b]);
        if (r >= warmup) t[r - warmup] = now_ms() - s;
    }
    stats fs = summarize(t, runs);
    double flops = batch * forward_flops(c, T);
    double gflops = flops / (fs.median * 1e6), gflops_best = flops / (fs.min * 1e6);
    printf("forward   T=%d batch %d attentions: mean %.2f ms  std %.2f  min %.2f  median %.2f  (%d runs, %d warm-up)\n", T,
           batch, fs.mean, fs.std, fs.min, fs.median, runs, warmup);
    printf("          %.2f GFLOP per forward: %.1f GFLOP/s at the median, %.1f at the min\n", flops * 1e-9, gflops, gflops_best);

    double mm_ms = NAN, mm_gflops = NAN, peak = NAN, bw = NAN, roof_ms = NAN, fma = NAN;
    if (!quick) {
        /* 2. the same linear layers alone */
        mm_ms = time_forward_matmuls(m, T * batch, 5);
        mm_gflops = batch * linear_flops(c, T) / (mm_ms * 1e6);
        printf("matmuls   the forward's %d linear layers alone: %.2f ms (best of 5), %.1f GFLOP/s, %.1f GB/s of weights; %.0f%% of the forward (median)\n",
               4 * c->layers, mm_ms, mm_gflops, linear_bytes(c) / (mm_ms * 1e6), 100.0 * mm_ms / fs.median);
        /* 3. the machine */
        peak = matmul_peak_gflops(512, 768, 3072, 5);
        bw = read_bandwidth_gbs((size_t)512 << 20, 5);
        fma = fma_peak_gflops(5);
        roof_ms = fmax(flops / (peak * 1e6), linear_bytes(c) / (bw * 1e6));
        printf("machine   attn_matmul 512x768x3072: %.1f GFLOP/s (the matmul peak, %.0f%% of the FMA peak %.1f GFLOP/s); read bandwidth %.1f GB/s\n",
               peak, 100.0 * peak / fma, fma, bw);
        printf("ratio     forward %.1f GFLOP/s = %.0f%% of the matmul peak; roofline max(flops/peak, weight bytes/bandwidth) = %.2f ms, the forward (median) is %.2fx that\n",
               gflops, 100.0 * gflops / peak, roof_ms, fs.median / roof_ms);
    }
    /* -1: not measured (--quick) */
#define J(v) (isfinite(v) ? (v) : -1.0)
    printf("{\"bench\":\"forward\",\"precision\":\"%s\",\"model\":\"%s\",\"variant\":\"%s\",\"threads\":%d,\"tokens\":%d,\"batch\":%d,\"runs\":%d,"
           "\"mean_ms\":%.3f,\"std_ms\":%.3f,\"min_ms\":%.3f,\"median_ms\":%.3f,\"gflop\":%.4f,\"gflops\":%.2f,"
           "\"linear_ms\":%.3f,\"linear_gflops\":%.2f,\"matmul_peak_gflops\":%.2f,\"weight_bytes\":%.0f,"
           "\"read_bw_gbs\":%.2f,\"fma_peak_gflops\":%.2f,\"roofline_ms\":%.3f}\n",
           bf16 ? "bf16" : "fp32", c->model_type, bf16 ? (attn_amx_supported() ? "amx-bf16" : "avx512-bf16") : attn_matmul_variant(), nthreads, T, batch, runs, fs.mean, fs.std, fs.min, fs.median, flops * 1e-9, gflops,
           J(mm_ms), J(mm_gflops), J(peak), linear_bytes(c), J(bw), J(fma), J(roof_ms));
#undef J
    free(t);
    free(ids), free(in), free(outs);
    attn_model_free(m);
    return 0;
}
