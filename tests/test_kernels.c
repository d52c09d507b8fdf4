/* test_kernels.c — every kernel variant against its reference, on awkward shapes.
 *
 * Matmul: each variant attn_matmul_variants lists (and the dispatched attn_matmul) against
 * attn_matmul_ref for M = 1, 2, 3, 4, 5, 7, 25, 49, 130 (edge tiles, 4-row splits, several M blocks),
 * K and N off the vector width, with and without bias, on output buffers fenced with sentinels.
 * Prepared linear layers (packed panels for AVX-512) in thread shares with fused activations.
 * Then the erf GELU (portable, AVX2, AVX-512) against erf in double, softmax, LayerNorm, and one attention
 * head (portable, AVX2, AVX-512) against double-precision references. Inputs are allocated at their exact
 * size so AddressSanitizer sees any over-read. Timing is not tested here: see bench/. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "testutil.h"

#define PAD 37
static const float SENTINEL = -12345.678f;

static uint64_t rng = 88172645463325252ull;
static float frand(void) { /* uniform in [-1, 1) */
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (float)((rng >> 40) / 8388608.0) - 1.0f;
}
static float *rand_vec(size_t n, float scale) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = scale * frand();
    return p;
}

/* Fenced output: PAD sentinels before and after n floats. Returns the first usable float. */
static float *fenced(size_t n) {
    float *p = malloc((n + 2 * PAD) * sizeof *p);
    for (size_t i = 0; i < n + 2 * PAD; i++) p[i] = SENTINEL;
    return p + PAD;
}
static int fence_intact(const float *y, size_t n) {
    for (int i = 1; i <= PAD; i++)
        if (y[-i] != SENTINEL || y[n + (size_t)i - 1] != SENTINEL) return 0;
    return 1;
}
static void fenced_free(float *y) { free(y - PAD); }

typedef struct variant {
    const char *name;
    attn_matmul_fn fn;
} variant;

static void check_matmul(const variant *v, int M, int K, int N, int bias) {
    float *x = rand_vec((size_t)M * K, 1.0f), *w = rand_vec((size_t)N * K, 0.5f), *b = bias ? rand_vec((size_t)N, 1.0f) : NULL;
    float *ref = malloc((size_t)M * N * sizeof *ref), *y = fenced((size_t)M * N);
    attn_matmul_ref(ref, x, w, b, M, K, N);
    v->fn(y, x, w, b, M, K, N);
    int ok = fence_intact(y, (size_t)M * N);
    CHECKF(ok, "%s M=%d K=%d N=%d bias=%d: wrote outside the output", v->name, M, K, N, bias);
    double worst = 0.0;
    for (int i = 0; i < M && ok; i++)
        for (int n = 0; n < N; n++) {
            double absum = b ? fabs(b[n]) : 0.0; /* the error bound scales with Σ|x·w| */
            for (int k = 0; k < K; k++) absum += fabs((double)x[(size_t)i * K + k] * w[(size_t)n * K + k]);
            double d = fabs((double)y[(size_t)i * N + n] - ref[(size_t)i * N + n]);
            double tol = 1e-6 * absum * (1.0 + sqrt((double)K) / 4.0) + 1e-30;
            if (!(d <= tol)) {
                CHECKF(0, "%s M=%d K=%d N=%d bias=%d: y[%d][%d] = %.9g, reference %.9g", v->name, M, K, N, bias, i, n,
                       (double)y[(size_t)i * N + n], (double)ref[(size_t)i * N + n]);
                ok = 0;
                break;
            }
            if (d / (absum + 1e-30) > worst) worst = d / (absum + 1e-30);
        }
    tu_checks++;
    free(x), free(w), free(b), free(ref), fenced_free(y);
}

static void test_matmul(void) {
    int nv;
    const attn_matmul_impl *impls = attn_matmul_variants(&nv);
    CHECK(nv >= 1);
    variant vs[5];
    int n = 0;
    for (int i = 0; i < nv && n < 4; i++) vs[n++] = (variant){impls[i].name, impls[i].fn};
    vs[n++] = (variant){"attn_matmul", attn_matmul};
    printf("matmul variants:");
    for (int i = 0; i < nv; i++) printf(" %s", impls[i].name);
    printf(" (dispatched: %s)\n", attn_matmul_variant());
    static const int Ms[] = {1, 2, 3, 4, 5, 7, 25, 49, 130};
    static const int Ks[] = {1, 3, 7, 8, 9, 16, 31, 64, 100, 257};
    static const int Ns[] = {1, 2, 3, 4, 5, 7, 13, 33, 130};
    for (int v = 0; v < n; v++)
        for (size_t mi = 0; mi < sizeof Ms / sizeof *Ms; mi++)
            for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++)
                for (size_t ni = 0; ni < sizeof Ns / sizeof *Ns; ni++)
                    check_matmul(&vs[v], Ms[mi], Ks[ki], Ns[ni], (int)((mi + ki + ni) % 2));
    /* the forward's own shapes, both bias modes */
    for (int v = 0; v < n; v++) {
        check_matmul(&vs[v], 25, 768, 2304, 1);
        check_matmul(&vs[v], 25, 3072, 768, 0);
        check_matmul(&vs[v], 1, 768, 3072, 1);
    }
}

/* A prepared linear layer (packed panels with the avx512 set) computed in thread shares: every
 * share of nt = 1, 2, 3 run one after another must give the reference, with the activation fused. */
static void check_linear(int M, int K, int N, int act) {
    float *x = rand_vec((size_t)M * K, 1.0f), *w = rand_vec((size_t)N * K, 0.5f), *b = rand_vec((size_t)N, 1.0f);
    float *ref = malloc((size_t)M * N * sizeof *ref), *y = fenced((size_t)M * N);
    attn_matmul_ref(ref, x, w, b, M, K, N);
    if (act >= 0) attn_activation_block(ref, M, N, 0, N, (attn_activation)act);
    float *wp = attn_panels16_alloc(N, K); /* 64-byte aligned and writable, as the model's block */
    memcpy(wp, w, (size_t)N * K * sizeof *w);
    attn_linear l;
    if (!CHECK_OK(attn_linear_prepare(&l, wp, b, N, K))) return;
    for (int nt = 1; nt <= 3; nt++) {
        for (size_t i = 0; i < (size_t)M * N; i++) y[i] = NAN;
        for (int tid = 0; tid < nt; tid++) attn_linear_part(&l, y, x, M, act, tid, nt, NULL);
        CHECKF(fence_intact(y, (size_t)M * N), "linear M=%d K=%d N=%d act=%d nt=%d: wrote outside the output", M, K, N, act, nt);
        for (size_t i = 0; i < (size_t)M * N; i++) {
            double tol = 2e-5 * (1.0 + fabs(ref[i])) * (1.0 + sqrt((double)K) / 4.0);
            if (!CHECKF(fabs((double)y[i] - ref[i]) <= tol, "linear %s M=%d K=%d N=%d act=%d nt=%d: y[%zu] = %.9g, reference %.9g",
                        attn_kernels_name(), M, K, N, act, nt, i, (double)y[i], (double)ref[i]))
                break;
        }
    }
    attn_linear_free(&l);
    free(wp), free(x), free(w), free(b), free(ref), fenced_free(y);
}

static void test_linear(void) {
    static const int Ms[] = {1, 2, 9, 12, 13, 25, 97, 200};
    static const int KNs[][2] = {{1, 1}, {7, 5}, {16, 16}, {33, 48}, {64, 17}, {100, 130}, {768, 96}};
    for (size_t mi = 0; mi < sizeof Ms / sizeof *Ms; mi++)
        for (size_t s = 0; s < sizeof KNs / sizeof *KNs; s++)
            for (int act = -1; act <= (int)ATTN_ACT_RELU; act++) check_linear(Ms[mi], KNs[s][0], KNs[s][1], act);
}

/* bf16 round to nearest even, as the kernels round weights and inputs. */
static double bf16_round(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    u = (u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u;
    float r;
    memcpy(&r, &u, sizeof r);
    return r;
}

/* The bf16 linear layer against a double-precision product of the bf16-rounded x and w: only the
 * f32 accumulation order differs, so the bound is f32-sized, relative to Σ|x·w|. */
static void check_linear_bf16(int M, int K, int N, int act) {
    float *x = rand_vec((size_t)M * K, 1.0f), *w = rand_vec((size_t)N * K, 0.5f), *b = rand_vec((size_t)N, 1.0f);
    float *y = fenced((size_t)M * N);
    float *wp = attn_panels16_alloc(N, K);
    memcpy(wp, w, (size_t)N * K * sizeof *w);
    attn_linear l;
    if (!CHECK_OK(attn_linear_prepare(&l, wp, b, N, K)) || !CHECK_OK(attn_linear_add_bf16(&l))) return;
    l.use_bf16 = 1;
    void *scratch = aligned_alloc(64, attn_linear_scratch_bytes(K));
    /* the dispatched path (AMX where present), then vdpbf16ps directly */
    for (int pass = 0; pass < 2 * (1 + attn_amx_supported()); pass++) {
        int nt = pass % 2 ? 3 : 1, direct = pass >= 2;
        for (size_t i = 0; i < (size_t)M * N; i++) y[i] = NAN;
        for (int tid = 0; tid < nt; tid++) {
            if (direct) attn_matmul_packed_bf16_avx512_part(y, x, l.bf16, b, M, K, N, act == ATTN_ACT_GELU, tid, nt, scratch);
            else attn_linear_part(&l, y, x, M, act, tid, nt, scratch);
        }
        CHECKF(fence_intact(y, (size_t)M * N), "bf16 linear M=%d K=%d N=%d: wrote outside the output", M, K, N);
        for (int i = 0; i < M; i++)
            for (int n = 0; n < N; n++) {
                double acc = b[n], absum = fabs(b[n]);
                for (int k = 0; k < K; k++) {
                    double p = bf16_round(x[(size_t)i * K + k]) * bf16_round(w[(size_t)n * K + k]);
                    acc += p, absum += fabs(p);
                }
                double want = act == ATTN_ACT_GELU ? 0.5 * acc * (1.0 + erf(acc * M_SQRT1_2)) : acc;
                double got = y[(size_t)i * N + n], tol = 2e-6 * absum * (1.0 + sqrt((double)K) / 4.0) + 1e-6 * fabs(want) + 1e-30;
                if (!CHECKF(fabs(got - want) <= tol, "bf16 linear (%s) M=%d K=%d N=%d act=%d nt=%d: y[%d][%d] = %.9g, want %.9g",
                            direct || !attn_amx_supported() ? "avx512-bf16" : "amx", M, K, N, act, nt, i, n, got, want))
                    goto done;
            }
    }
done:
    free(scratch);
    attn_linear_free(&l);
    free(wp), free(x), free(w), free(b), fenced_free(y);
}

static void test_linear_bf16(void) {
    if (!attn_bf16_supported()) {
        printf("no AVX512-BF16 with the %s kernels: the bf16 linear layer was not tested\n", attn_kernels_name());
        return;
    }
    printf("bf16 linear layer: %s\n", attn_amx_supported() ? "AMX tiles and AVX512-BF16 tested" : "AVX512-BF16 tested (no AMX)");
    static const int Ms[] = {1, 5, 12, 25, 130};
    static const int KNs[][2] = {{1, 1}, {2, 16}, {7, 5}, {31, 33}, {64, 48}, {100, 130}, {768, 64}};
    for (size_t mi = 0; mi < sizeof Ms / sizeof *Ms; mi++)
        for (size_t s = 0; s < sizeof KNs / sizeof *KNs; s++)
            for (int act = -1; act <= (int)ATTN_ACT_GELU; act++) check_linear_bf16(Ms[mi], KNs[s][0], KNs[s][1], act);
}

typedef void (*gelu_fn)(float *, size_t);

static double gelu_ref(double x) { return 0.5 * x * (1.0 + erf(x * M_SQRT1_2)); }

static void test_gelu(const char *name, gelu_fn fn) {
    /* a dense sweep of [-12, 12] plus special values; lengths 1..17 for the vector tails */
    size_t n = 48001 + 8;
    float *x = fenced(n), *orig = malloc(n * sizeof *orig);
    for (size_t i = 0; i < 48001; i++) x[i] = -12.0f + 24.0f * (float)i / 48000.0f;
    float special[8] = {0.0f, -0.0f, 1e-30f, -1e-30f, 100.0f, -100.0f, 3.4e38f, -3.4e38f};
    memcpy(x + 48001, special, sizeof special);
    memcpy(orig, x, n * sizeof *orig);
    fn(x, n);
    CHECKF(fence_intact(x, n), "%s: wrote outside the array", name);
    double worst = 0.0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        double want = gelu_ref(orig[i]);
        /* 4 ulps of the result, plus what the reference formula itself loses forming 1 + erf in float
         * (half an ulp of 1, times x/2: it matters in the negative tail, where the result is tiny) */
        double tol = 4.0 * 1.2e-7 * fabs(want) + 0.5 * 6e-8 * fabs(orig[i]) + 1e-44;
        if (fabs(orig[i]) > 20.0) tol = 4.0 * 1.2e-7 * fabs(want) + 1e-38; /* x, or 0 */
        double d = fabs((double)x[i] - want);
        if (!(d <= tol) && !(d / tol <= worst)) worst = d / tol, at = i;
    }
    CHECKF(worst <= 1.0, "%s: gelu(%.9g) = %.9g, want %.9g (%.2f× the tolerance)", name, (double)orig[at], (double)x[at],
           gelu_ref(orig[at]), worst);
    fenced_free(x);
    for (size_t len = 1; len <= 17; len++) { /* tails: nothing written past n */
        float *y = fenced(len);
        for (size_t i = 0; i < len; i++) y[i] = (float)i - 8.0f;
        fn(y, len);
        CHECKF(fence_intact(y, len), "%s: n=%zu wrote outside the array", name, len);
        for (size_t i = 0; i < len; i++)
            CHECKF(fabs(y[i] - gelu_ref((double)i - 8.0)) <= 1e-6 * fmax(1.0, fabs((double)i - 8.0)), "%s n=%zu: element %zu",
                   name, len, i);
        fenced_free(y);
    }
    free(orig);
}

static void test_softmax(void) {
    for (int n = 1; n <= 40; n += 3) {
        float *x = fenced((size_t)n);
        double ref[64], mx = -INFINITY, sum = 0.0;
        for (int i = 0; i < n; i++) x[i] = 30.0f * frand() + (i == 2 ? 80.0f : 0.0f), mx = fmax(mx, x[i]);
        for (int i = 0; i < n; i++) sum += ref[i] = exp((double)x[i] - mx);
        attn_softmax(x, n);
        CHECKF(fence_intact(x, (size_t)n), "softmax n=%d: wrote outside the row", n);
        double total = 0.0;
        for (int i = 0; i < n; i++) {
            total += x[i];
            CHECKF(fabs(x[i] - ref[i] / sum) <= 1e-6, "softmax n=%d: p[%d] = %.9g, want %.9g", n, i, (double)x[i], ref[i] / sum);
        }
        CHECKF(fabs(total - 1.0) <= 1e-5, "softmax n=%d: sums to %.9g", n, total);
        fenced_free(x);
    }
}

static void test_layernorm(void) {
    static const int shapes[][2] = {{1, 1}, {1, 7}, {3, 33}, {25, 768}, {200, 768}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int M = shapes[s][0], C = shapes[s][1];
        size_t n = (size_t)M * C;
        float *x = rand_vec(n, 3.0f), *r = rand_vec(n, 1.0f), *g = rand_vec((size_t)C, 1.0f), *b = rand_vec((size_t)C, 1.0f);
        for (size_t i = 0; i < n; i++) x[i] += 5.0f; /* an offset the mean must remove */
        float *y = fenced(n), *xa = malloc(n * sizeof *xa);
        memcpy(xa, x, n * sizeof *xa);
        attn_layernorm(y, x, r, g, b, M, C, 1e-12f);
        attn_layernorm(xa, xa, r, g, b, M, C, 1e-12f); /* in place: y aliases x */
        CHECKF(fence_intact(y, n), "layernorm %dx%d: wrote outside the output", M, C);
        for (int i = 0; i < M; i++) {
            double mean = 0.0, var = 0.0;
            for (int j = 0; j < C; j++) mean += (double)x[(size_t)i * C + j] + r[(size_t)i * C + j];
            mean /= C;
            for (int j = 0; j < C; j++) {
                double d = (double)x[(size_t)i * C + j] + r[(size_t)i * C + j] - mean;
                var += d * d;
            }
            var /= C;
            for (int j = 0; j < C; j++) {
                size_t k = (size_t)i * C + j;
                double want = C == 1 ? b[j] : ((double)x[k] + r[k] - mean) / sqrt(var + 1e-12) * g[j] + b[j];
                CHECKF(fabs(y[k] - want) <= 2e-6 * (1.0 + fabs(want)), "layernorm %dx%d [%d][%d] = %.9g, want %.9g", M, C, i, j,
                       (double)y[k], want);
                CHECKF(xa[k] == y[k], "layernorm %dx%d in place differs at [%d][%d]", M, C, i, j);
                if (tu_failures > 20) return;
            }
        }
        free(x), free(r), free(g), free(b), free(xa), fenced_free(y);
    }
}

typedef void (*head_fn)(const float *, const float *, const float *, int, int, int, float, int, float *, float *, int);

static void test_head(const char *name, head_fn fn) {
    static const int Ts[] = {1, 2, 5, 25, 33};
    static const int hds[] = {1, 7, 8, 12, 64};
    for (size_t ti = 0; ti < sizeof Ts / sizeof *Ts; ti++)
        for (size_t hi = 0; hi < sizeof hds / sizeof *hds; hi++)
            for (int sq = 0; sq < 2; sq++) {
                int T = Ts[ti], hd = hds[hi], ld = 3 * hd + 5, ldo = hd + 3;
                float scale = 1.0f / sqrtf((float)hd);
                float *qkv = rand_vec((size_t)T * ld, 2.0f);
                const float *q = qkv, *k = qkv + hd, *v = qkv + 2 * hd;
                float *probs = fenced((size_t)T * T), *out = fenced((size_t)T * ldo);
                fn(q, k, v, ld, T, hd, scale, sq, probs, out, ldo);
                CHECKF(fence_intact(probs, (size_t)T * T), "%s T=%d hd=%d: wrote outside probs", name, T, hd);
                CHECKF(fence_intact(out, (size_t)T * ldo), "%s T=%d hd=%d: wrote outside out", name, T, hd);
                for (int i = 0; i < T; i++) {
                    for (int d = hd; d < ldo && i + 1 < T; d++)
                        CHECKF(out[(size_t)i * ldo + d] == SENTINEL, "%s T=%d hd=%d: wrote between output rows", name, T, hd);
                    double s[64], mx = -INFINITY, sum = 0.0;
                    for (int j = 0; j < T; j++) {
                        double acc = 0.0;
                        for (int d = 0; d < hd; d++) acc += (double)q[(size_t)i * ld + d] * k[(size_t)j * ld + d];
                        s[j] = acc * scale, mx = fmax(mx, s[j]);
                    }
                    for (int j = 0; j < T; j++) sum += s[j] = exp(s[j] - mx);
                    for (int j = 0; j < T; j++)
                        CHECKF(fabs(probs[(size_t)i * T + j] - s[j] / sum) <= 2e-6, "%s T=%d hd=%d sq=%d: p[%d][%d] = %.9g, want %.9g",
                               name, T, hd, sq, i, j, (double)probs[(size_t)i * T + j], s[j] / sum);
                    for (int d = 0; d < hd; d++) {
                        double want = 0.0;
                        for (int j = 0; j < T; j++) want += s[j] / sum * v[(size_t)j * ld + d];
                        CHECKF(fabs(out[(size_t)i * ldo + d] - want) <= 1e-5, "%s T=%d hd=%d sq=%d: out[%d][%d] = %.9g, want %.9g",
                               name, T, hd, sq, i, d, (double)out[(size_t)i * ldo + d], want);
                    }
                    if (tu_failures > 20) return;
                }
                free(qkv), fenced_free(probs), fenced_free(out);
            }
}

/* Under ATTN_KERNELS=NAME (one ctest entry per kernel set): 77, ctest's "skipped", with the reason,
 * when this CPU cannot run that set; else 0. */
static int skip_unsupported_kernels(void) {
    const char *want = getenv("ATTN_KERNELS");
    if (!want || !*want || attn_kernels_supported(want)) return 0;
    printf("SKIPPED: ATTN_KERNELS=%s, but this CPU (or the OS) does not support that kernel set\n", want);
    return 77;
}

int main(void) {
    if (skip_unsupported_kernels()) return 77;
    printf("kernel set: %s\n", attn_kernels_name());
    test_matmul();
    test_linear();
    test_linear_bf16();
    int have_avx2 = attn_kernels_supported("avx2"), have_avx512 = attn_kernels_supported("avx512");
    test_gelu("gelu portable", attn_gelu_portable);
    test_gelu("gelu dispatched", attn_gelu);
    test_head("head portable", attn_attend_head_portable);
    test_head("head dispatched", attn_attend_head);
    if (have_avx2) {
        test_gelu("gelu avx2", attn_gelu_avx2);
        test_head("head avx2", attn_attend_head_avx2);
    } else {
        printf("no AVX2 + FMA on this machine: only the portable kernels were tested\n");
    }
    if (have_avx512) {
        test_gelu("gelu avx512", attn_gelu_avx512);
        test_head("head avx512", attn_attend_head_avx512);
    } else {
        printf("no AVX-512 (F, DQ, BW, VL with OS support) on this machine: its kernels were not tested\n");
    }
    test_softmax();
    test_layernorm();
    return tu_done("test_kernels");
}
