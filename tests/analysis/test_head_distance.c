/* test_head_distance.c — the head distances' logarithm and pair loop (src/analysis/xlogx.c,
 * head_distance.c):
 * 1. attn_log_fdlibm against libm's log: within 1 ulp on 10^6 arguments (probabilities of float
 *    rows and their means, 1e-45 … 2);
 * 2. the AVX2 and AVX-512 m·ln m give the same bits as the portable one (where the CPU has them);
 * 3. attn_head_distances_add: the same bits with 1, 2 and 3 threads, exactly 0 for identical heads,
 *    symmetric, and within 1e-12 of a reference written with libm's log in long double. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "metrics_internal.h"
#include "testutil.h"
#include "xlogx.h"

static uint64_t rng = 88172645463325252ull;
static double uniform(void) { /* xorshift64, [0, 1) */
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) * 0x1p-53;
}

/* |a - b| in units of b's last place */
static double ulp_diff(double a, double b) {
    double ulp = b == 0.0 ? 0x1p-1074 : nextafter(fabs(b), INFINITY) - fabs(b);
    return fabs(a - b) / ulp;
}

static void test_log(void) {
    double worst = 0;
    for (int k = 0; k < 1000000; k++) {
        /* log-uniform over the floats' range, then a float, as attention rows hold */
        double x = (double)(float)exp(-104.0 * uniform());
        if (k % 2) x = 0.5 * (x + (double)(float)uniform());
        if (!(x > 0)) continue;
        double u = ulp_diff(attn_log_fdlibm(x), log(x));
        if (u > worst) worst = u;
    }
    CHECKF(worst <= 1.0, "attn_log_fdlibm is %.2f ulp from libm's log (want <= 1)", worst);
    CHECK(attn_log_fdlibm(1.0) == 0.0);
    CHECK(attn_log_fdlibm(2.0) == log(2.0));
    printf("attn_log_fdlibm: at most %.2f ulp from libm\n", worst);
}

static void test_path(const char *set, attn_mlogm_fn fn) {
    if (!attn_kernels_supported(set)) {
        printf("no %s kernels here: that vector m ln m is not compared\n", set);
        return;
    }
    enum { N = 4099 };
    static float p[N], q[N];
    static double a[N], b[N];
    for (int k = 0; k < N; k++) {
        p[k] = (float)(k % 13 == 0 ? 0.0 : exp(-60.0 * uniform()));
        q[k] = (float)(k % 17 == 0 ? 0.0 : uniform());
    }
    p[5] = q[5] = 0.0f; /* m = 0 */
    p[7] = -1e-3f, q[7] = 0.0f; /* m < 0 */
    for (size_t n = 1; n <= 40; n++) { /* every tail length */
        for (size_t k = 0; k < n + 1; k++) b[k] = -7.0; /* a sentinel past the end */
        attn_mlogm_portable(p, q, n, a), fn(p, q, n, b);
        CHECKF(memcmp(a, b, n * sizeof *a) == 0, "%s and portable m ln m differ at n = %zu", set, n);
        CHECKF(b[n] == -7.0, "%s m ln m writes past n = %zu", set, n);
    }
    attn_mlogm_portable(p, q, N, a), fn(p, q, N, b);
    CHECKF(memcmp(a, b, sizeof a) == 0, "%s and portable m ln m differ", set);
    CHECK(a[5] == 0.0 && a[7] == 0.0);
}

/* softmax rows of random scores: [n][T][T] */
static void random_heads(float *attn, int n, int T) {
    for (int h = 0; h < n; h++)
        for (int i = 0; i < T; i++) {
            float *row = attn + ((size_t)h * T + i) * T;
            double sum = 0;
            for (int j = 0; j < T; j++) sum += row[j] = (float)exp(8.0 * uniform() - 4.0);
            for (int j = 0; j < T; j++) row[j] = (float)(row[j] / sum);
        }
}

static long double ref_distance(const float *pa, const float *pb, int T) {
    long double s = 0;
    for (int i = 0; i < T; i++) {
        long double d = 0;
        for (int j = 0; j < T; j++) {
            long double p = pa[i * T + j], q = pb[i * T + j], m = 0.5L * (p + q);
            if (p > 0) d += 0.5L * p * logl(p / m);
            if (q > 0) d += 0.5L * q * logl(q / m);
        }
        s += d > 0 ? sqrtl(d) : 0;
    }
    return s / T;
}

static void test_distances(void) {
    enum { NH = 30, T = 19 };
    static float attn[NH * T * T];
    random_heads(attn, NH, T);
    memcpy(attn + (size_t)7 * T * T, attn + (size_t)3 * T * T, sizeof(float) * T * T); /* head 7 = head 3 */
    static double d1[NH * NH], d2[NH * NH], d3[NH * NH];
    CHECK_OK(attn_head_distances_add(attn, NH, T, 1, d1));
    CHECK_OK(attn_head_distances_add(attn, NH, T, 2, d2));
    CHECK_OK(attn_head_distances_add(attn, NH, T, 3, d3));
    CHECK(memcmp(d1, d2, sizeof d1) == 0 && memcmp(d1, d3, sizeof d1) == 0);
    CHECK(d1[3 * NH + 7] == 0.0 && d1[7 * NH + 3] == 0.0);
    double worst = 0;
    for (int a = 0; a < NH; a++)
        for (int b = 0; b < NH; b++) {
            if (a == b) {
                CHECK(d1[a * NH + b] == 0.0);
                continue;
            }
            CHECK(d1[a * NH + b] == d1[b * NH + a]);
            if ((a == 3 && b == 7) || (a == 7 && b == 3)) continue;
            double want = (double)ref_distance(attn + (size_t)a * T * T, attn + (size_t)b * T * T, T);
            worst = fmax(worst, fabs(d1[a * NH + b] - want));
        }
    CHECKF(worst < 1e-12, "head distances are %.3g from the long double reference", worst);
    printf("head distances: at most %.3g from the long double reference\n", worst);
    CHECK_OK(attn_head_distances_add(attn, NH, T, 2, d2)); /* adds */
    for (int k = 0; k < NH * NH; k++) CHECK(d2[k] == d1[k] + d1[k]);
}

int main(void) {
    test_log();
    test_path("avx2", attn_mlogm_avx2);
    test_path("avx512", attn_mlogm_avx512);
    test_distances();
    return tu_done("test_head_distance");
}
