/* test_kernels.c — every kernel variant against its reference, on awkward shapes.
 *
 * Matmul: each variant attn_matmul_variants lists (and the dispatched attn_matmul) against
 * attn_matmul_ref for M = 1, 2, 3, 4, 5, 7, 25, 49, 130 (edge tiles, 4-row splits, several M blocks),
 * K and N off the vector width, with and without bias, on output buffers fenced with sentinels.
 * Prepared linear layers (packed panels for AVX-512) in thread shares with fused activations.
 * Then the erf GELU (portable, AVX2, AVX-512) against erf in double, softmax, LayerNorm, and one attention
 * head (portable, AVX2, AVX-512) against double-precision references; and the threads' share of units
 * with its look-ahead (attn_units_take_ahead). Inputs are allocated at their exact
 * size so AddressSanitizer sees any over-read. Timing is not tested here: see bench/. */
#include <math.h>
#include <omp.h>
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

/* y = l(x) in thread shares: nt = 1, 2, 3 static shares run one after another (nt = 1 is kept in
 * one), nt = 4 units from a counter taken by 2 OpenMP threads, which must give one's bits. */
static void linear_shares(const attn_linear *l, float *y, const float *x, int M, int act, int nt, float *one) {
    size_t bytes = (size_t)M * l->N * sizeof *y;
    if (nt == 4) {
        atomic_int next;
        atomic_init(&next, 0);
        #pragma omp parallel num_threads(2)
        attn_linear_part(l, y, x, M, l->K, l->N, act, omp_get_thread_num(), 2, &next, NULL);
        CHECKF(memcmp(y, one, bytes) == 0, "linear M=%d K=%d N=%d act=%d: units from a counter differ from one thread's", M,
               l->K, l->N, act);
        return;
    }
    for (int tid = 0; tid < nt; tid++) attn_linear_part(l, y, x, M, l->K, l->N, act, tid, nt, NULL, NULL);
    if (nt == 1) memcpy(one, y, bytes);
}

/* A prepared linear layer (packed panels with the avx512 set) computed in thread shares: every
 * static share of nt = 1, 2, 3 run one after another must give the reference, with the activation
 * fused; and units taken from a shared counter by 2 OpenMP threads (pass nt = 4) the same bits as
 * one thread alone, whichever thread took which unit. */
static void check_linear(int M, int K, int N, int act) {
    float *x = rand_vec((size_t)M * K, 1.0f), *w = rand_vec((size_t)N * K, 0.5f), *b = rand_vec((size_t)N, 1.0f);
    float *ref = malloc((size_t)M * N * sizeof *ref), *y = fenced((size_t)M * N);
    attn_matmul_ref(ref, x, w, b, M, K, N);
    if (act >= 0) attn_activation_block(ref, M, N, 0, N, (attn_activation)act);
    float *wp = attn_panels16_alloc(N, K); /* 64-byte aligned and writable, as the model's block */
    memcpy(wp, w, (size_t)N * K * sizeof *w);
    attn_linear l;
    if (!CHECK_OK(attn_linear_prepare(&l, wp, b, N, K))) return;
    float *one = malloc((size_t)M * N * sizeof *one);
    for (int nt = 1; nt <= 4; nt++) {
        for (size_t i = 0; i < (size_t)M * N; i++) y[i] = NAN;
        linear_shares(&l, y, x, M, act, nt, one);
        CHECKF(fence_intact(y, (size_t)M * N), "linear M=%d K=%d N=%d act=%d nt=%d: wrote outside the output", M, K, N, act, nt);
        for (size_t i = 0; i < (size_t)M * N; i++) {
            double tol = 2e-5 * (1.0 + fabs(ref[i])) * (1.0 + sqrt((double)K) / 4.0);
            if (!CHECKF(fabs((double)y[i] - ref[i]) <= tol, "linear %s M=%d K=%d N=%d act=%d nt=%d: y[%zu] = %.9g, reference %.9g",
                        attn_kernels_name(), M, K, N, act, nt, i, (double)y[i], (double)ref[i]))
                break;
        }
    }
    attn_linear_free(&l);
    free(wp), free(x), free(w), free(b), free(ref), free(one), fenced_free(y);
}

static void test_linear(void) {
    static const int Ms[] = {1, 2, 9, 12, 13, 25, 97, 200};
    static const int KNs[][2] = {{1, 1}, {7, 5}, {16, 16}, {33, 48}, {64, 17}, {100, 130}, {768, 96}, {1024, 33}};
    for (size_t mi = 0; mi < sizeof Ms / sizeof *Ms; mi++)
        for (size_t s = 0; s < sizeof KNs / sizeof *KNs; s++)
            for (int act = -1; act <= (int)ATTN_ACT_RELU; act++) check_linear(Ms[mi], KNs[s][0], KNs[s][1], act);
    for (int act = -1; act <= (int)ATTN_ACT_RELU; act++) check_linear(200, 3072, 40, act); /* 3 x blocks of 96 rows; x copied */
}

/* bf16 round to nearest even, as the kernels round weights and inputs. */
/* The bf16 panels attn_linear_add_bf16 built (vectorised, from the packed panels) equal the scalar
 * attn_pack_panels16_bf16 of the same layer, bit for bit. */
static void check_bf16_panels(const attn_linear *l) {
    size_t bytes = (size_t)((l->N + 15) / 16) * 16 * (size_t)attn_bf16_pairs(l->K) * 2 * sizeof(uint16_t);
    uint16_t *want = aligned_alloc(64, (bytes + 63) / 64 * 64);
    attn_pack_panels16_bf16(want, l);
    CHECKF(!memcmp(want, l->bf16, bytes), "bf16 panels N=%d K=%d (%s weights): differ from attn_pack_panels16_bf16", l->N,
           l->K, l->panels16 ? "16-bit" : "f32");
    free(want);
}

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
    check_bf16_panels(&l);
    l.use_bf16 = 1;
    void *scratch = aligned_alloc(64, attn_linear_scratch_bytes(K));
    /* the dispatched path (AMX where present), then vdpbf16ps directly */
    /* then the dispatched path with units from a counter (2 OpenMP threads, each its own scratch),
     * and the forward's way: x rounded once by both threads (attn_bf16_convert_part), the product
     * on those pairs (attn_linear_part_bf16) */
    int direct_passes = 2 * (1 + attn_amx_supported());
    for (int pass = 0; pass < direct_passes + 2; pass++) {
        int nt = pass % 2 ? 3 : 1, direct = pass >= 2 && pass < direct_passes;
        for (size_t i = 0; i < (size_t)M * N; i++) y[i] = NAN;
        if (pass >= direct_passes) {
            atomic_int next[2];
            atomic_init(&next[0], 0), atomic_init(&next[1], 0);
            uint32_t *xb = pass > direct_passes ? aligned_alloc(64, attn_bf16_x_bytes(M, K)) : NULL;
            #pragma omp parallel num_threads(2)
            {
                int tid = omp_get_thread_num();
                if (xb) {
                    attn_bf16_convert_part(xb, x, M, K, K, tid, 2, &next[0]);
                    #pragma omp barrier
                    attn_linear_part_bf16(&l, y, xb, M, N, act, tid, 2, &next[1]);
                } else {
                    void *mine = aligned_alloc(64, attn_linear_scratch_bytes(K));
                    attn_linear_part(&l, y, x, M, K, N, act, tid, 2, &next[0], mine);
                    free(mine);
                }
            }
            free(xb);
        } else
            for (int tid = 0; tid < nt; tid++) {
                if (direct) attn_matmul_packed_bf16_avx512_part(y, x, NULL, l.bf16, b, M, K, N, K, N, act, tid, nt, NULL, scratch);
                else attn_linear_part(&l, y, x, M, K, N, act, tid, nt, NULL, scratch);
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

/* ---- 16-bit weights (F16, BF16) and the loader's packers ------------------------------------- */

static uint32_t rand_bits(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

/* n random 16-bit weights of type t of magnitude up to ~0.5, some zero and (F16) some subnormal. */
static uint16_t *rand_w16(size_t n, attn_wtype t) {
    uint16_t *w = malloc((n ? n : 1) * sizeof *w);
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rand_bits();
        if (t == ATTN_W_F16) { /* exponent 0 (zero / subnormal) .. 14 (2^-1) */
            uint32_t e = r % 16 == 0 ? 0 : 6 + (r >> 4) % 9;
            w[i] = (uint16_t)(((r >> 8) & 0x8000u) | (e << 10) | ((r >> 12) & 0x3FFu));
        } else { /* the top half of a float in [-0.5, 0.5) */
            float f = 0.5f * frand();
            uint32_t u;
            memcpy(&u, &f, sizeof u);
            w[i] = r % 16 == 0 ? 0 : (uint16_t)(u >> 16);
        }
    }
    return w;
}

static const char *wtype_name(attn_wtype t) { return t == ATTN_W_F16 ? "f16" : "bf16"; }

static int close_to(const float *y, const float *ref, size_t n, int K, const char *what, int M, int N, int act, int nt) {
    for (size_t i = 0; i < n; i++) {
        double tol = 2e-5 * (1.0 + fabs(ref[i])) * (1.0 + sqrt((double)K) / 4.0);
        if (!CHECKF(fabs((double)y[i] - ref[i]) <= tol, "%s M=%d K=%d N=%d act=%d nt=%d: y[%zu] = %.9g, reference %.9g", what,
                    M, K, N, act, nt, i, (double)y[i], (double)ref[i]))
            return 0;
    }
    return 1;
}

typedef void (*part16_fn)(float *y, const float *x, const uint16_t *w, attn_wtype t, const float *b, int M, int K, int N,
                          int ldx, int ldy, int act, int tid, int nt, atomic_int *next);

/* The 16-bit linear layer against the naive reference: the dispatched layer (16-bit panels with
 * avx512, the weights as stored otherwise) in shares of 1..3 threads with each activation, then
 * every 16-bit kernel this machine has directly, then (where the CPU has it) the bf16 precision
 * mode built from the 16-bit weights against a double product of the bf16-rounded operands. */
static void check_linear16(int M, int K, int N, int act, attn_wtype t) {
    float *x = rand_vec((size_t)M * K, 1.0f), *b = rand_vec((size_t)N, 1.0f);
    uint16_t *w = rand_w16((size_t)N * K, t);
    float *ref = malloc((size_t)M * N * sizeof *ref), *y = fenced((size_t)M * N);
    attn_matmul16_ref(ref, x, w, t, b, M, K, N);
    float *ref_act = malloc((size_t)M * N * sizeof *ref_act);
    memcpy(ref_act, ref, (size_t)M * N * sizeof *ref);
    if (act >= 0) attn_activation_block(ref_act, M, N, 0, N, (attn_activation)act);
    char what[96];
    attn_linear l;
    if (!CHECK_OK(attn_linear_prepare16(&l, w, t, b, N, K))) return;
    snprintf(what, sizeof what, "linear16 %s %s", wtype_name(t), attn_kernels_name());
    float *one = malloc((size_t)M * N * sizeof *one);
    for (int nt = 1; nt <= 4; nt++) {
        for (size_t i = 0; i < (size_t)M * N; i++) y[i] = NAN;
        linear_shares(&l, y, x, M, act, nt, one);
        CHECKF(fence_intact(y, (size_t)M * N), "%s M=%d K=%d N=%d: wrote outside the output", what, M, K, N);
        if (!close_to(y, ref_act, (size_t)M * N, K, what, M, N, act, nt)) break;
    }
    if (act == -1) { /* each kernel directly, no activation */
        snprintf(what, sizeof what, "matmul16 portable %s", wtype_name(t));
        for (size_t i = 0; i < (size_t)M * N; i++) y[i] = NAN;
        for (int tid = 0; tid < 2; tid++) attn_matmul16_portable_part(y, x, w, t, b, M, K, N, K, N, -1, tid, 2, NULL);
        CHECKF(fence_intact(y, (size_t)M * N), "%s: wrote outside the output", what);
        close_to(y, ref, (size_t)M * N, K, what, M, N, act, 2);
        /* the packed 16-bit kernels of every set the machine has, on reference-packed panels */
        struct { const char *name; part16_fn fn; } packed[2] = {{"avx512", attn_matmul_packed16_avx512_part},
                                                                {"avx2", attn_matmul_packed16_avx2_part}};
        uint16_t *panels = aligned_alloc(64, attn_panels_bytes(N, K, t));
        const uint16_t *rows[16];
        for (int p = 0; p < (N + 15) / 16; p++) {
            int nr = N - 16 * p < 16 ? N - 16 * p : 16;
            for (int c = 0; c < nr; c++) rows[c] = w + (size_t)(16 * p + c) * K;
            attn_pack_panel_16_ref(panels + (size_t)p * K * 16, rows, nr, K, t);
        }
        for (int v = 0; v < 2; v++) {
            if (!attn_kernels_supported(packed[v].name)) continue;
            snprintf(what, sizeof what, "matmul16 packed %s %s", packed[v].name, wtype_name(t));
            for (size_t i = 0; i < (size_t)M * N; i++) y[i] = NAN;
            for (int tid = 0; tid < 2; tid++) packed[v].fn(y, x, panels, t, b, M, K, N, K, N, -1, tid, 2, NULL);
            CHECKF(fence_intact(y, (size_t)M * N), "%s: wrote outside the output", what);
            close_to(y, ref, (size_t)M * N, K, what, M, N, act, 2);
        }
        free(panels);
    }
    if (attn_bf16_supported() && act == -1 && CHECK_OK(attn_linear_add_bf16(&l))) {
        check_bf16_panels(&l);
        l.use_bf16 = 1;
        void *scratch = aligned_alloc(64, attn_linear_scratch_bytes(K));
        for (size_t i = 0; i < (size_t)M * N; i++) y[i] = NAN;
        attn_linear_part(&l, y, x, M, K, N, act, 0, 1, NULL, scratch);
        for (int i = 0; i < M; i++)
            for (int n = 0; n < N; n++) {
                double acc = b[n], absum = fabs(b[n]);
                for (int k = 0; k < K; k++) {
                    double pr = bf16_round(x[(size_t)i * K + k]) * bf16_round(attn_w16_to_f32(w[(size_t)n * K + k], t));
                    acc += pr, absum += fabs(pr);
                }
                double got = y[(size_t)i * N + n], tol = 2e-6 * absum * (1.0 + sqrt((double)K) / 4.0) + 1e-6 * fabs(acc) + 1e-30;
                if (!CHECKF(fabs(got - acc) <= tol, "bf16 mode on %s weights M=%d K=%d N=%d: y[%d][%d] = %.9g, want %.9g",
                            wtype_name(t), M, K, N, i, n, got, acc))
                    i = M, n = N;
            }
        free(scratch);
    }
    attn_linear_free(&l);
    free(x), free(w), free(b), free(ref), free(ref_act), free(one), fenced_free(y);
}

static void test_linear16(void) {
    static const int Ms[] = {1, 3, 12, 25, 97};
    static const int KNs[][2] = {{1, 1}, {7, 5}, {16, 16}, {33, 48}, {64, 17}, {100, 130}, {768, 96}, {1024, 33}};
    for (int t = ATTN_W_F16; t <= ATTN_W_BF16; t++)
        for (size_t mi = 0; mi < sizeof Ms / sizeof *Ms; mi++)
            for (size_t s = 0; s < sizeof KNs / sizeof *KNs; s++)
                for (int act = -1; act <= (int)ATTN_ACT_RELU; act++) check_linear16(Ms[mi], KNs[s][0], KNs[s][1], act, (attn_wtype)t);
}

/* y (rows ldy apart) of x (rows ldx apart) against y of the same x compact, bit for bit: rows
 * [0, N) equal, the gap of y untouched (still sentinels), the gap of x (NaN) never read. */
static void compare_strided(const char *what, const float *y0, const float *ys, int M, int N, int ldy) {
    int ok = fence_intact(ys, (size_t)M * ldy);
    for (int i = 0; i < M && ok; i++) {
        ok = memcmp(ys + (size_t)i * ldy, y0 + (size_t)i * N, (size_t)N * sizeof *ys) == 0;
        for (int n = N; n < ldy && ok; n++) ok = ys[(size_t)i * ldy + n] == SENTINEL;
        if (!ok) CHECKF(0, "%s: row %d differs from the compact run's, or its gap was written", what, i);
    }
    CHECKF(ok || M == 0, "%s: strided run", what);
}

/* Strided activations (the forward's FFN buffer, attn_x_stride): the dispatched layer on F32 or
 * 16-bit weights of type t, then (with AVX512-BF16) its bf16 mode both ways: x rounded per block
 * inside the product, and the forward's (attn_bf16_convert_part, attn_linear_part_bf16). */
static void check_strided(int M, int K, int N, int ldx, int ldy, attn_wtype t, int act) {
    float *x = rand_vec((size_t)M * K, 1.0f), *b = rand_vec((size_t)N, 1.0f), *xs = malloc((size_t)M * ldx * sizeof *xs);
    for (size_t i = 0; i < (size_t)M * ldx; i++) xs[i] = NAN;
    for (int i = 0; i < M; i++) memcpy(xs + (size_t)i * ldx, x + (size_t)i * K, (size_t)K * sizeof *x);
    float *w = NULL, *wp = NULL;
    uint16_t *w16 = NULL;
    attn_linear l;
    attn_status st;
    if (t == ATTN_W_F32) {
        w = rand_vec((size_t)N * K, 0.5f), wp = attn_panels16_alloc(N, K);
        memcpy(wp, w, (size_t)N * K * sizeof *w);
        st = attn_linear_prepare(&l, wp, b, N, K);
    } else {
        w16 = rand_w16((size_t)N * K, t);
        st = attn_linear_prepare16(&l, w16, t, b, N, K);
    }
    float *y0 = malloc((size_t)M * N * sizeof *y0), *ys = fenced((size_t)M * ldy);
    char what[160];
    if (CHECK_OK(st)) {
        snprintf(what, sizeof what, "strided %s %s M=%d K=%d N=%d ldx=%d ldy=%d act=%d", attn_kernels_name(),
                 t == ATTN_W_F32 ? "f32" : wtype_name(t), M, K, N, ldx, ldy, act);
        attn_linear_apply(&l, y0, x, M, act);
        attn_linear_apply_ld(&l, ys, xs, M, ldx, ldy, act);
        compare_strided(what, y0, ys, M, N, ldy);
        if (attn_bf16_supported() && CHECK_OK(attn_linear_add_bf16(&l))) {
            l.use_bf16 = 1;
            snprintf(what, sizeof what, "strided bf16 mode %s M=%d K=%d N=%d ldx=%d ldy=%d act=%d",
                     t == ATTN_W_F32 ? "f32" : wtype_name(t), M, K, N, ldx, ldy, act);
            for (size_t i = 0; i < (size_t)M * ldy; i++) ys[i] = SENTINEL;
            attn_linear_apply(&l, y0, x, M, act);
            attn_linear_apply_ld(&l, ys, xs, M, ldx, ldy, act);
            compare_strided(what, y0, ys, M, N, ldy);
            uint32_t *xb = aligned_alloc(64, attn_bf16_x_bytes(M, K));
            for (size_t i = 0; i < (size_t)M * ldy; i++) ys[i] = SENTINEL;
            for (int pass = 0; pass < 2; pass++) {
                atomic_int next[2];
                atomic_init(&next[0], 0), atomic_init(&next[1], 0);
                #pragma omp parallel num_threads(2)
                {
                    int tid = omp_get_thread_num();
                    attn_bf16_convert_part(xb, pass ? xs : x, M, K, pass ? ldx : K, tid, 2, &next[0]);
                    #pragma omp barrier
                    attn_linear_part_bf16(&l, pass ? ys : y0, xb, M, pass ? ldy : N, act, tid, 2, &next[1]);
                }
            }
            snprintf(what, sizeof what, "strided bf16 forward's way %s M=%d K=%d N=%d ldx=%d ldy=%d act=%d",
                     t == ATTN_W_F32 ? "f32" : wtype_name(t), M, K, N, ldx, ldy, act);
            compare_strided(what, y0, ys, M, N, ldy);
            free(xb);
        }
        attn_linear_free(&l);
    }
    free(x), free(xs), free(b), free(w), free(wp), free(w16), free(y0), fenced_free(ys);
}

static void test_strided(void) {
    static const int shapes[][5] = {
        {200, 3072, 40, 3088, 45}, /* the FFN's second product, padded: read in place */
        {200, 768, 33, 1024, 40},  /* rows 4 KB apart, K ≠ ldx: through the avx512 copy */
        {25, 3072, 64, 3088, 3088},
        {7, 33, 17, 40, 19},
        {1, 5, 3, 8, 4},
    };
    static const int acts[] = {-1, ATTN_ACT_GELU, ATTN_ACT_RELU}; /* none, fused, on the block afterwards */
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int t = ATTN_W_F32; t <= ATTN_W_BF16; t++)
            for (size_t a = 0; a < sizeof acts / sizeof *acts; a++)
                check_strided(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3], shapes[s][4], (attn_wtype)t, acts[a]);
}

/* The packers against their references, byte for byte, on rows that are not aligned (one element
 * past a 64-byte boundary), every row count and awkward K; and the fused check: a single Inf or
 * NaN anywhere in the rows read (and only there) is reported. Also the Inf/NaN scan. */
static void check_pack(int nr, int K, int bad_at) {
    size_t n = (size_t)16 * K + 1;
    float *wf = rand_vec(n, 1.0f);
    uint16_t *wh = rand_w16(n, ATTN_W_F16), *wb = rand_w16(n, ATTN_W_BF16);
    if (bad_at >= 0) { /* row bad_at % nr, element bad_at / nr */
        size_t at = 1 + (size_t)(bad_at % nr) * K + (size_t)(bad_at / nr % K);
        wf[at] = bad_at % 3 ? INFINITY : NAN, wh[at] = bad_at % 3 ? 0x7C00 : 0xFE01, wb[at] = bad_at % 3 ? 0xFF80 : 0x7FC1;
    }
    const float *rf[16];
    const uint16_t *rh[16], *rb[16];
    for (int c = 0; c < nr; c++)
        rf[c] = wf + 1 + (size_t)c * K, rh[c] = wh + 1 + (size_t)c * K, rb[c] = wb + 1 + (size_t)c * K;
    size_t bytes = attn_panels_bytes(16, K, ATTN_W_F32);
    float *pf = aligned_alloc(64, bytes), *qf = aligned_alloc(64, bytes);
    uint16_t *ph = aligned_alloc(64, bytes), *qh = aligned_alloc(64, bytes);
    int want = bad_at >= 0;
    memset(pf, 0x55, bytes), memset(qf, 0x66, bytes);
    CHECKF(attn_pack_panel_f32_ref(pf, rf, nr, K) == want, "pack f32 ref nr=%d K=%d bad=%d: check", nr, K, bad_at);
    CHECKF(attn_pack_panel_f32(qf, rf, nr, K) == want, "pack f32 %s nr=%d K=%d bad=%d: check", attn_kernels_name(), nr, K, bad_at);
    attn_pack_fence();
    CHECKF(!memcmp(pf, qf, (size_t)16 * K * 4), "pack f32 nr=%d K=%d: differs from the reference", nr, K);
    for (int t = ATTN_W_F16; t <= ATTN_W_BF16; t++) {
        const uint16_t *const *rows = t == ATTN_W_F16 ? rh : rb;
        memset(ph, 0x55, bytes), memset(qh, 0x66, bytes);
        CHECKF(attn_pack_panel_16_ref(ph, rows, nr, K, (attn_wtype)t) == want, "pack %s ref nr=%d K=%d bad=%d: check", wtype_name((attn_wtype)t), nr, K, bad_at);
        CHECKF(attn_pack_panel_16(qh, rows, nr, K, (attn_wtype)t) == want, "pack %s nr=%d K=%d bad=%d: check", wtype_name((attn_wtype)t), nr, K, bad_at);
        attn_pack_fence();
        CHECKF(!memcmp(ph, qh, (size_t)16 * K * 2), "pack %s nr=%d K=%d: differs from the reference", wtype_name((attn_wtype)t), nr, K);
    }
    /* the packed layout itself: line k holds row c's element k in lane c, zeros past nr */
    for (int k = 0; k < K; k++)
        for (int c = 0; c < 16; c++) {
            float v = c < nr ? rf[c][k] : 0.0f;
            if (bad_at < 0 && !CHECKF(pf[(size_t)k * 16 + c] == v, "pack f32 ref nr=%d K=%d: line %d lane %d", nr, K, k, c)) k = K, c = 16;
        }
    /* the scan over the same values (row-major) */
    size_t total = (size_t)nr * K, at = want ? (size_t)(bad_at % nr) * K + (size_t)(bad_at / nr % K) : total;
    CHECKF(attn_first_nonfinite(wf + 1, total, ATTN_W_F32) == at, "first_nonfinite f32 n=%zu: want %zu", total, at);
    CHECKF(attn_first_nonfinite(wh + 1, total, ATTN_W_F16) == at, "first_nonfinite f16 n=%zu: want %zu", total, at);
    CHECKF(attn_first_nonfinite(wb + 1, total, ATTN_W_BF16) == at, "first_nonfinite bf16 n=%zu: want %zu", total, at);
    CHECKF(attn_first_nonfinite_ref(wf + 1, total, ATTN_W_F32) == at, "first_nonfinite ref n=%zu: want %zu", total, at);
    free(pf), free(qf), free(ph), free(qh), free(wf), free(wh), free(wb);
}

static void test_pack(void) {
    static const int Ks[] = {1, 7, 16, 17, 33, 100, 768};
    for (int nr = 1; nr <= 16; nr++)
        for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++) {
            check_pack(nr, Ks[ki], -1);
            check_pack(nr, Ks[ki], (int)(rand_bits() % (uint32_t)(nr * Ks[ki])));
        }
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
    static const int shapes[][2] = {{1, 1}, {1, 7}, {3, 33}, {2, 16}, {4, 17}, {25, 768}, {200, 768}, {3, 1024}};
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
        /* without a residual (the embeddings' LayerNorm): as with r = 0 */
        float *zero = calloc(n, sizeof *zero), *y0 = malloc(n * sizeof *y0);
        attn_layernorm(y0, x, NULL, g, b, M, C, 1e-12f);
        attn_layernorm(y, x, zero, g, b, M, C, 1e-12f);
        CHECKF(memcmp(y0, y, n * sizeof *y) == 0, "layernorm %dx%d without a residual differs from r = 0", M, C);
        free(zero), free(y0);
        free(x), free(r), free(g), free(b), free(xa), fenced_free(y);
    }
}

typedef void (*head_fn)(const float *, const float *, const float *, int, int, int, float, int, float *, float *, int, float *);

/* The caller's per-thread scratch: 64-byte aligned, 16 sentinels on each side. */
static float *work_fenced(size_t n) {
    float *p = aligned_alloc(64, ((n + 32) * sizeof *p + 63) / 64 * 64); /* a multiple of the alignment */
    for (size_t i = 0; i < n + 32; i++) p[i] = SENTINEL;
    return p + 16;
}
static int work_fence_intact(const float *w, size_t n) {
    for (int i = 1; i <= 16; i++)
        if (w[-i] != SENTINEL || w[n + (size_t)i - 1] != SENTINEL) return 0;
    return 1;
}

static void test_head(const char *name, head_fn fn) {
    static const int Ts[] = {1, 2, 5, 25, 33, 70};
    static const int hds[] = {1, 7, 8, 12, 64, 80, 128};
    for (size_t ti = 0; ti < sizeof Ts / sizeof *Ts; ti++)
        for (size_t hi = 0; hi < sizeof hds / sizeof *hds; hi++)
            for (int sq = 0; sq < 2; sq++) {
                int T = Ts[ti], hd = hds[hi], ld = 3 * hd + 5, ldo = hd + 3;
                float scale = 1.0f / sqrtf((float)hd);
                float *qkv = rand_vec((size_t)T * ld, 2.0f);
                const float *q = qkv, *k = qkv + hd, *v = qkv + 2 * hd;
                float *probs = fenced((size_t)T * T), *out = fenced((size_t)T * ldo);
                size_t nw = attn_attend_work_floats(T, hd);
                float *work = work_fenced(nw);
                fn(q, k, v, ld, T, hd, scale, sq, probs, out, ldo, work);
                CHECKF(fence_intact(probs, (size_t)T * T), "%s T=%d hd=%d: wrote outside probs", name, T, hd);
                CHECKF(work_fence_intact(work, nw), "%s T=%d hd=%d: wrote outside its work area", name, T, hd);
                free(work - 16);
                CHECKF(fence_intact(out, (size_t)T * ldo), "%s T=%d hd=%d: wrote outside out", name, T, hd);
                for (int i = 0; i < T; i++) {
                    for (int d = hd; d < ldo && i + 1 < T; d++)
                        CHECKF(out[(size_t)i * ldo + d] == SENTINEL, "%s T=%d hd=%d: wrote between output rows", name, T, hd);
                    double s[80], mx = -INFINITY, sum = 0.0;
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

/* attn_units_take_ahead: every unit exactly once across the team, in static ranges and from a
 * shared counter, and the unit it claims ahead is the one the same thread gets next. */
static void test_units_ahead(void) {
    for (int n = 0; n <= 41; n += 1 + n / 4)
        for (int nt = 1; nt <= 3; nt++)
            for (int shared = 0; shared <= 1; shared++) {
                atomic_int next;
                atomic_init(&next, 0);
                int seen[64] = {0}, ok = 1;
                attn_units u[3];
                for (int t = 0; t < nt; t++) u[t] = attn_units_of(shared ? &next : NULL, n, t, nt);
                int last_after[3] = {-2, -2, -2}, done[3] = {0, 0, 0}, live = nt;
                for (int round = 0; live > 0 && round < 4 * n + 8; round++) /* threads in turn */
                    for (int t = 0; t < nt; t++) {
                        if (done[t]) continue;
                        int after, unit = attn_units_take_ahead(&u[t], &after);
                        if (last_after[t] != -2 && unit != last_after[t]) ok = 0;
                        if (unit < 0) {
                            done[t] = 1, live--;
                            continue;
                        }
                        if (unit >= n || seen[unit]++) ok = 0;
                        last_after[t] = after;
                    }
                for (int i = 0; i < n; i++) ok &= seen[i] == 1;
                CHECKF(ok && live == 0, "units_take_ahead n=%d nt=%d %s", n, nt, shared ? "counter" : "static");
            }
}

int main(void) {
    if (skip_unsupported_kernels()) return 77;
    printf("kernel set: %s\n", attn_kernels_name());
    test_units_ahead();
    test_matmul();
    test_linear();
    test_linear_bf16();
    test_linear16();
    test_strided();
    test_pack();
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
