/* dispatch.c — the one place that picks ISA-specific kernels, once, at run time.
 *
 * Compiled without ISA flags: it only asks the CPU (cpuid) and the OS (xgetbv: does it save the
 * ymm / opmask / zmm registers on a context switch?) what may run. A kernel set is all-or-nothing
 * (matmul, GELU, attention head), so results never mix variants. ATTN_KERNELS=avx512|avx2|portable
 * in the environment forces a set this machine supports (for benchmarks and tests); an unknown or
 * unsupported name leaves the fastest set in place (attn_kernels_supported tells them apart). */
#include <omp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define ATTN_X86 1
#else
#define ATTN_X86 0
#endif

#include "kernels.h"
#include "team_pool.h"

#if ATTN_X86
static unsigned xcr0(void) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    return lo;
}
#endif

/* AVX2 + FMA + F16C on the CPU, and XMM + YMM state enabled by the OS. */
static int cpu_has_avx2_fma(void) {
#if ATTN_X86
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!(fma && osxsave && avx && f16c)) return 0;
    if ((xcr0() & 0x6) != 0x6) return 0; /* the OS saves XMM and YMM state */
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 5) & 1; /* AVX2 */
#else
    return 0;
#endif
}

/* AVX-512 F, DQ, BW, VL on the CPU, and opmask + ZMM_Hi256 + Hi16_ZMM state enabled by the OS
 * (XCR0 bits 5, 6, 7 besides XMM and YMM). */
static int cpu_has_avx512(void) {
#if ATTN_X86
    if (!cpu_has_avx2_fma()) return 0;
    if ((xcr0() & 0xE6) != 0xE6) return 0;
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    return f && dq && bw && vl;
#else
    return 0;
#endif
}

/* AVX512_BF16 (cpuid leaf 7 sub-leaf 1, eax bit 5) besides the AVX-512 set. */
static int cpu_has_avx512_bf16(void) {
#if ATTN_X86
    if (!cpu_has_avx512() || __get_cpuid_max(0, NULL) < 7) return 0;
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    if (a < 1) return 0; /* no sub-leaf 1 */
    __cpuid_count(7, 1, a, b, c, d);
    return (a >> 5) & 1;
#else
    return 0;
#endif
}

typedef void (*gelu_fn)(float *x, size_t n);
typedef void (*head_fn)(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                        int scale_q_first, float *probs, float *out, int ldo, float *work);
typedef void (*part_fn)(float *y, const float *x, const float *w, const float *b, int M, int K, int N, int ldx, int ldy,
                        int act, int tid, int nt, atomic_int *next);
typedef void (*part16_fn)(float *y, const float *x, const uint16_t *w, attn_wtype t, const float *b, int M, int K, int N,
                          int ldx, int ldy, int act, int tid, int nt, atomic_int *next);

typedef void (*layernorm_fn)(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C,
                             float eps);
typedef int (*pack_f32_fn)(float *dst, const float *const *rows, int nr, int K);
typedef int (*pack_16_fn)(uint16_t *dst, const uint16_t *const *rows, int nr, int K, attn_wtype t);
typedef size_t (*nonfinite_fn)(const void *p, size_t n, attn_wtype t);

typedef struct kernel_set {
    attn_matmul_impl matmul; /* .name names the whole set */
    gelu_fn gelu;
    head_fn head;
    layernorm_fn layernorm;
    part_fn part;            /* plain-layout share of a thread; NULL: the set uses packed panels */
    part16_fn part16;        /* the same on 16-bit weights */
    part_fn packed;          /* the share on F32 panels (sets that pack) */
    part16_fn packed16;      /* the same on 16-bit panels */
    pack_f32_fn pack_f32;    /* the loader's kernels: packing one panel, the Inf/NaN scan */
    pack_16_fn pack_16;
    nonfinite_fn nonfinite;
} kernel_set;

static kernel_set sets[3];
static int nsets = -1;
static const kernel_set *chosen;
static int bf16_ok;

/* The plain-layout entry points of the packing sets (tests, benches): w packed into a temporary,
 * then the set's share on all threads. The forward never comes here: its weights are packed once
 * at load (attn_linear). */
static void on_temporary_panels(part_fn packed, float *y, const float *x, const float *w, const float *b, int M, int K,
                                int N) {
    float *panels = attn_panels16_alloc(N, K);
    if (!panels) { /* out of memory: the same result, more slowly */
        attn_matmul_portable(y, x, w, b, M, K, N);
        return;
    }
    attn_pack_panels16(panels, w, N, K);
    #pragma omp parallel
    packed(y, x, panels, b, M, K, N, K, N, -1, omp_get_thread_num(), omp_get_num_threads(), NULL);
    free(panels);
}
void attn_matmul_avx512(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    on_temporary_panels(attn_matmul_packed_avx512_part, y, x, w, b, M, K, N);
}
void attn_matmul_avx2(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    on_temporary_panels(attn_matmul_packed_avx2_part, y, x, w, b, M, K, N);
}

static void choose(void) {
    int n = 0;
#if ATTN_X86
    if (cpu_has_avx512())
        sets[n++] = (kernel_set){{"avx512", attn_matmul_avx512}, attn_gelu_avx512, attn_attend_head_avx512,
                                 attn_layernorm_rows_avx512, NULL, NULL, attn_matmul_packed_avx512_part,
                                 attn_matmul_packed16_avx512_part, attn_pack_panel_f32_avx512,
                                 attn_pack_panel_16_avx512, attn_first_nonfinite_avx512};
    if (cpu_has_avx2_fma())
        sets[n++] = (kernel_set){{"avx2", attn_matmul_avx2}, attn_gelu_avx2, attn_attend_head_avx2,
                                 attn_layernorm_rows_portable, NULL, NULL, attn_matmul_packed_avx2_part,
                                 attn_matmul_packed16_avx2_part,
                                 attn_pack_panel_f32_avx2, attn_pack_panel_16_avx2, attn_first_nonfinite_avx2};
#endif
    sets[n++] = (kernel_set){{"portable", attn_matmul_portable}, attn_gelu_portable, attn_attend_head_portable,
                             attn_layernorm_rows_portable, attn_matmul_portable_part, attn_matmul16_portable_part,
                             NULL, NULL, attn_pack_panel_f32_ref, attn_pack_panel_16_ref, attn_first_nonfinite_ref};
    const kernel_set *pick = &sets[0]; /* the fastest supported comes first */
    const char *want = getenv("ATTN_KERNELS");
    if (want && !strcmp(want, "avx2+fma")) want = "avx2"; /* the set's earlier name */
    for (int i = 0; want && *want && i < n; i++)
        if (!strcmp(want, sets[i].matmul.name)) pick = &sets[i];
    chosen = pick;
    bf16_ok = !strcmp(pick->matmul.name, "avx512") && cpu_has_avx512_bf16();
    __atomic_store_n(&nsets, n, __ATOMIC_RELEASE);
}

static inline const kernel_set *ks(void) {
    if (__atomic_load_n(&nsets, __ATOMIC_ACQUIRE) < 0) {
        #pragma omp critical(attn_dispatch)
        if (nsets < 0) choose();
    }
    return chosen;
}

const attn_matmul_impl *attn_matmul_variants(int *n) {
    ks();
    static attn_matmul_impl list[3];
    for (int i = 0; i < nsets; i++) list[i] = sets[i].matmul;
    *n = nsets;
    return list;
}

const char *attn_matmul_variant(void) { return ks()->matmul.name; }
const char *attn_kernels_name(void) { return ks()->matmul.name; }

int attn_kernels_supported(const char *name) {
    ks();
    if (name && !strcmp(name, "avx2+fma")) name = "avx2";
    for (int i = 0; name && i < nsets; i++)
        if (!strcmp(name, sets[i].matmul.name)) return 1;
    return 0;
}

void attn_matmul(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    ks()->matmul.fn(y, x, w, b, M, K, N);
}

void attn_gelu(float *x, size_t n) { ks()->gelu(x, n); }
void attn_layernorm_rows(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C, float eps) {
    ks()->layernorm(y, x, r, g, b, M, C, eps);
}

void attn_attend_head(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale, int scale_q_first,
                      float *probs, float *out, int ldo, float *work) {
    ks()->head(q, k, v, ld, T, hd, scale, scale_q_first, probs, out, ldo, work);
}

/* ---- prepared linear layers ------------------------------------------------------------- */

size_t attn_panels16_floats(int N, int K) { return (size_t)((N + 15) / 16) * 16 * (size_t)K; }

float *attn_panels16_alloc(int N, int K) {
    size_t bytes = (attn_panels16_floats(N, K) * sizeof(float) + 63) / 64 * 64;
    return aligned_alloc(64, bytes);
}

void attn_pack_panels16(float *panels, const float *w, int N, int K) {
    for (int p = 0; p < (N + 15) / 16; p++) /* panel p: outputs 16p.., interleaved along K */
        for (int k = 0; k < K; k++)
            for (int c = 0; c < 16; c++) {
                int n = 16 * p + c;
                panels[((size_t)p * K + k) * 16 + c] = n < N ? w[(size_t)n * K + k] : 0.0f;
            }
}

attn_status attn_linear_prepare(attn_linear *l, float *w, const float *b, int N, int K) {
    *l = (attn_linear){.w = w, .b = b, .N = N, .K = K};
    if (ks()->part) return ATTN_OK; /* this set reads w as stored */
    float *panels = attn_panels16_alloc(N, K);
    if (!panels) return attn_fail(ATTN_E_NOMEM, "cannot allocate packed weights (%d x %d)", N, K);
    attn_pack_panels16(panels, w, N, K);
    if (N % 16 == 0 && ((uintptr_t)w & 63) == 0) { /* same size: overwrite the stored layout */
        memcpy(w, panels, (size_t)N * K * sizeof(float));
        free(panels);
        l->panels = w, l->w = NULL;
    } else {
        l->panels = l->own = panels;
    }
    return ATTN_OK;
}

int attn_linear_packs(void) { return ks()->part == NULL; }

size_t attn_panels_bytes(int N, int K, attn_wtype t) {
    return (attn_panels16_floats(N, K) * (t == ATTN_W_F32 ? 4 : 2) + 63) / 64 * 64;
}

int attn_pack_panel_f32(float *dst, const float *const *rows, int nr, int K) { return ks()->pack_f32(dst, rows, nr, K); }

int attn_pack_panel_16(uint16_t *dst, const uint16_t *const *rows, int nr, int K, attn_wtype t) {
    return ks()->pack_16(dst, rows, nr, K, t);
}

size_t attn_first_nonfinite(const void *p, size_t n, attn_wtype t) { return ks()->nonfinite(p, n, t); }

void attn_pack_fence(void) {
#if ATTN_X86
    __builtin_ia32_sfence(); /* SSE, in every x86-64 */
#endif
}

attn_status attn_linear_prepare16(attn_linear *l, const uint16_t *w, attn_wtype t, const float *b, int N, int K) {
    *l = (attn_linear){.w16 = w, .b = b, .wtype = t, .N = N, .K = K};
    if (ks()->part) return ATTN_OK; /* this set reads w as stored */
    uint16_t *panels = aligned_alloc(64, attn_panels_bytes(N, K, t));
    if (!panels) return attn_fail(ATTN_E_NOMEM, "cannot allocate packed weights (%d x %d)", N, K);
    const uint16_t *rows[16];
    for (int p = 0; p < (N + 15) / 16; p++) {
        int nr = N - 16 * p < 16 ? N - 16 * p : 16;
        for (int c = 0; c < nr; c++) rows[c] = w + (size_t)(16 * p + c) * K;
        attn_pack_panel_16(panels + (size_t)p * K * 16, rows, nr, K, t);
    }
    attn_pack_fence();
    l->w16 = NULL, l->panels16 = l->own = panels;
    return ATTN_OK;
}

int attn_bf16_supported(void) { return ks() && bf16_ok; }

/* AMX-TILE + AMX-BF16 (cpuid 7.0 edx bits 24, 22), XTILECFG + XTILEDATA state enabled by the OS
 * (XCR0 bits 17, 18), and the process's permission to use tile data (arch_prctl
 * ARCH_REQ_XCOMP_PERM, Linux ≥ 5.16). ATTN_BF16=avx512 in the environment keeps vdpbf16ps. */
static int amx_state = -1;
static void amx_probe(void) {
    int ok = 0;
#if ATTN_X86 && defined(__linux__) && defined(__x86_64__)
    unsigned a, b, c, d;
    if (bf16_ok && __get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        int tile = (d >> 24) & 1, bf16 = (d >> 22) & 1;
        const char *want = getenv("ATTN_BF16");
        if (tile && bf16 && (xcr0() & 0x60000) == 0x60000 && !(want && !strcmp(want, "avx512")))
            ok = syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) == 0;
    }
#endif
    amx_state = ok;
}
static int use_amx(void) {
    if (__atomic_load_n(&amx_state, __ATOMIC_ACQUIRE) < 0) {
        #pragma omp critical(attn_dispatch_amx)
        if (amx_state < 0) amx_probe();
    }
    return amx_state;
}
int attn_amx_supported(void) { return attn_bf16_supported() && use_amx(); }

/* 16 rows more than a block: an AMX tile always loads 16 rows */
size_t attn_linear_scratch_bytes(int K) { return ((size_t)(ATTN_BF16_MC + 16) * (size_t)attn_bf16_pairs(K) * 4 + 63) / 64 * 64; }

/* w[n][k] wherever it lives now: as stored, or in the panels; F32, or 16-bit widened. */
static float weight_at(const attn_linear *l, int n, int k) {
    size_t plain = (size_t)n * l->K + k, packed = ((size_t)(n / 16) * l->K + k) * 16 + n % 16;
    if (l->w) return l->w[plain];
    if (l->w16) return attn_w16_to_f32(l->w16[plain], l->wtype);
    if (l->panels16) return attn_w16_to_f32(l->panels16[packed], l->wtype);
    return l->panels[packed];
}

static uint16_t to_bf16(float f) { /* round to nearest even; weights are finite */
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

void attn_pack_panels16_bf16(uint16_t *panels, const attn_linear *l) {
    int N = l->N, K = l->K, K2 = attn_bf16_pairs(K);
    for (int p = 0; p < (N + 15) / 16; p++)
        for (int k2 = 0; k2 < K2; k2++)
            for (int c = 0; c < 16; c++)
                for (int j = 0; j < 2; j++) {
                    int n = 16 * p + c, k = 2 * k2 + j;
                    panels[(((size_t)p * K2 + k2) * 16 + c) * 2 + j] = n < N && k < K ? to_bf16(weight_at(l, n, k)) : 0;
                }
}

typedef struct bf16_job {
    const attn_linear *l;
    uint16_t *dst;
} bf16_job;

/* Thread tid's contiguous range of panels, converted from the packed f32 / 16-bit panels. */
static void bf16_share(void *ctx, int tid, int nt) {
    const bf16_job *j = ctx;
    const attn_linear *l = j->l;
    int K = l->K, K2 = attn_bf16_pairs(K), np = (l->N + 15) / 16;
    int p0 = (int)((long)np * tid / nt), p1 = (int)((long)np * (tid + 1) / nt);
    size_t esize = l->panels16 ? 2 : 4;
    const char *src = l->panels16 ? (const void *)l->panels16 : (const void *)l->panels;
    for (int p = p0; p < p1; p++)
        attn_bf16_panel_from_panel_avx512(j->dst + (size_t)p * K2 * 32, src + (size_t)p * K * 16 * esize,
                                          l->panels16 ? l->wtype : ATTN_W_F32, K, K2);
}

attn_status attn_linear_add_bf16(attn_linear *l) {
    if (!attn_bf16_supported()) return attn_fail(ATTN_E_UNSUPPORTED, "bf16 needs AVX512-BF16 and the avx512 kernel set");
    if (l->bf16) return ATTN_OK;
    size_t bytes = (size_t)((l->N + 15) / 16) * 16 * (size_t)attn_bf16_pairs(l->K) * 2 * sizeof(uint16_t);
    void *p = attn_pages_alloc(bytes, &l->bf16_bytes); /* 2 MB pages: few page faults */
    if (!p) return attn_fail(ATTN_E_NOMEM, "cannot allocate bf16 weights (%d x %d)", l->N, l->K);
    l->bf16 = p;
    if (!l->panels && !l->panels16) { /* plain layout (not the avx512 set's): the scalar way */
        attn_pack_panels16_bf16(l->bf16, l);
        return ATTN_OK;
    }
    bf16_job job = {l, l->bf16};
    attn_team team;
    attn_team_begin(&team, omp_get_max_threads());
    attn_team_run(&team, bf16_share, &job);
    attn_team_end(&team);
    return ATTN_OK;
}

void attn_linear_free(attn_linear *l) {
    if (!l) return;
    free(l->own);
    attn_pages_free(l->bf16, l->bf16_bytes);
    memset(l, 0, sizeof *l);
}

void attn_linear_part(const attn_linear *l, float *y, const float *x, int M, int ldx, int ldy, int act, int tid, int nt,
                      atomic_int *next, void *scratch) {
    const kernel_set *s = ks();
    if (l->panels || l->panels16) {
        if (l->use_bf16 && l->bf16 && scratch && use_amx())
            attn_matmul_packed_bf16_amx_part(y, x, NULL, l->bf16, l->b, M, l->K, l->N, ldx, ldy, act, tid, nt, next, scratch);
        else if (l->use_bf16 && l->bf16 && scratch)
            attn_matmul_packed_bf16_avx512_part(y, x, NULL, l->bf16, l->b, M, l->K, l->N, ldx, ldy, act, tid, nt, next, scratch);
        else if (l->panels16)
            s->packed16(y, x, l->panels16, l->wtype, l->b, M, l->K, l->N, ldx, ldy, act, tid, nt, next);
        else
            s->packed(y, x, l->panels, l->b, M, l->K, l->N, ldx, ldy, act, tid, nt, next);
        return;
    }
    if (l->w16) {
        part16_fn part16 = s->part16 ? s->part16 : attn_matmul16_portable_part;
        part16(y, x, l->w16, l->wtype, l->b, M, l->K, l->N, ldx, ldy, act, tid, nt, next);
    } else {
        part_fn part = s->part ? s->part : attn_matmul_portable_part;
        part(y, x, l->w, l->b, M, l->K, l->N, ldx, ldy, act, tid, nt, next);
    }
}

int attn_linear_bf16_active(const attn_linear *l) { return (l->panels || l->panels16) && l->use_bf16 && l->bf16; }

size_t attn_bf16_x_bytes(int M, int K) { return ((size_t)(M + 32) * (size_t)attn_bf16_pairs(K) * 4 + 63) / 64 * 64; }

#define CONVERT_ROWS 16 /* rows per unit of attn_bf16_convert_part */

void attn_bf16_convert_part(uint32_t *xb, const float *x, int M, int K, int ldx, int tid, int nt, atomic_int *next) {
    int K2 = attn_bf16_pairs(K);
    attn_units units = attn_units_of(next, (M + CONVERT_ROWS - 1) / CONVERT_ROWS, tid, nt);
    for (int u; (u = attn_units_take(&units)) >= 0;) {
        int r0 = u * CONVERT_ROWS, rows = M - r0 < CONVERT_ROWS ? M - r0 : CONVERT_ROWS;
        attn_bf16_pairs_from_f32(xb + (size_t)r0 * K2, x + (size_t)r0 * ldx, ldx, rows, K, K2);
    }
}

void attn_linear_part_bf16(const attn_linear *l, float *y, const uint32_t *xb, int M, int ldy, int act, int tid, int nt,
                           atomic_int *next) {
    int K = l->K, N = l->N;
    if (use_amx()) attn_matmul_packed_bf16_amx_part(y, NULL, xb, l->bf16, l->b, M, K, N, K, ldy, act, tid, nt, next, NULL);
    else attn_matmul_packed_bf16_avx512_part(y, NULL, xb, l->bf16, l->b, M, K, N, K, ldy, act, tid, nt, next, NULL);
}

void attn_linear_apply(const attn_linear *l, float *y, const float *x, int M, int act) {
    attn_linear_apply_ld(l, y, x, M, l->K, l->N, act);
}

void attn_linear_apply_ld(const attn_linear *l, float *y, const float *x, int M, int ldx, int ldy, int act) {
    size_t sb = attn_linear_scratch_bytes(l->K);
    atomic_int next;
    atomic_init(&next, 0);
    #pragma omp parallel
    {
        void *scratch = l->use_bf16 ? aligned_alloc(64, sb) : NULL; /* benches and tests only */
        attn_linear_part(l, y, x, M, ldx, ldy, act, omp_get_thread_num(), omp_get_num_threads(), &next, scratch);
        free(scratch);
    }
}
