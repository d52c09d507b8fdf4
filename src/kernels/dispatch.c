/* dispatch.c — the one place that picks ISA-specific kernels, once, at run time.
 *
 * Compiled without ISA flags: it only asks the CPU (cpuid) and the OS (xgetbv: does it save the
 * ymm registers on a context switch?) what may run. A kernel set is all-or-nothing (matmul, GELU,
 * attention head), so results never mix variants. ATTN_KERNELS=portable in the environment forces
 * the portable set, for benchmarks and tests. */
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define ATTN_HAVE_AVX2_KERNELS 1
#else
#define ATTN_HAVE_AVX2_KERNELS 0
#endif

#include "kernels.h"

/* AVX2 + FMA + F16C on the CPU, and AVX state enabled by the OS. */
static int cpu_has_avx2_fma(void) {
#if ATTN_HAVE_AVX2_KERNELS
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!(fma && osxsave && avx && f16c)) return 0;
    unsigned xlo, xhi;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    (void)xhi;
    if ((xlo & 0x6) != 0x6) return 0; /* the OS saves XMM and YMM state */
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 5) & 1; /* AVX2 */
#else
    return 0;
#endif
}

typedef void (*gelu_fn)(float *x, size_t n);
typedef void (*head_fn)(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                        int scale_q_first, float *probs, float *out, int ldo);

typedef struct kernel_set {
    attn_matmul_impl matmul; /* .name names the whole set */
    gelu_fn gelu;
    head_fn head;
} kernel_set;

static kernel_set sets[2];
static int nsets = -1;
static const kernel_set *chosen;

static void choose(void) {
    int n = 0;
#if ATTN_HAVE_AVX2_KERNELS
    if (cpu_has_avx2_fma())
        sets[n++] = (kernel_set){{"avx2+fma", attn_matmul_avx2}, attn_gelu_avx2, attn_attend_head_avx2};
#endif
    sets[n++] = (kernel_set){{"portable", attn_matmul_portable}, attn_gelu_portable, attn_attend_head_portable};
    const kernel_set *pick = &sets[0]; /* the fastest supported comes first */
    const char *want = getenv("ATTN_KERNELS");
    for (int i = 0; want && *want && i < n; i++)
        if (!strcmp(want, sets[i].matmul.name)) pick = &sets[i];
    chosen = pick;
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
    static attn_matmul_impl list[2];
    for (int i = 0; i < nsets; i++) list[i] = sets[i].matmul;
    *n = nsets;
    return list;
}

const char *attn_matmul_variant(void) { return ks()->matmul.name; }

void attn_matmul(float *y, const float *x, const float *w, const float *b, int M, int K, int N) {
    ks()->matmul.fn(y, x, w, b, M, K, N);
}

void attn_gelu(float *x, size_t n) { ks()->gelu(x, n); }

void attn_attend_head(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale, int scale_q_first,
                      float *probs, float *out, int ldo) {
    ks()->head(q, k, v, ld, T, hd, scale, scale_q_first, probs, out, ldo);
}
