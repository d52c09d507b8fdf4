/* test_mds.c — classical MDS against configurations whose answer is known. */
#include <math.h>
#include <string.h>

#include "testutil.h"

static void distances(const double *pts, int n, int d, double *dist) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += (pts[i * d + k] - pts[j * d + k]) * (pts[i * d + k] - pts[j * d + k]);
            dist[i * n + j] = sqrt(s);
        }
}

/* A centred 4×2 rectangle: the axes are its sides, eigenvalues Σx² = 16 and Σy² = 4, and the
 * sign rule (largest entry positive, first on ties) fixes the coordinates exactly. */
static void rectangle(void) {
    const double pts[4][2] = {{2, 1}, {2, -1}, {-2, 1}, {-2, -1}};
    double dist[16], xy[8], ev[2];
    distances(&pts[0][0], 4, 2, dist);
    if (!CHECK_OK(attn_mds(dist, 4, 2, xy, ev))) return;
    CHECKF(fabs(ev[0] - 16) < 1e-9 && fabs(ev[1] - 4) < 1e-9, "eigenvalues %g %g", ev[0], ev[1]);
    for (int i = 0; i < 4; i++)
        CHECKF(fabs(xy[2 * i] - pts[i][0]) < 1e-9 && fabs(xy[2 * i + 1] - pts[i][1]) < 1e-9, "point %d: (%g, %g)", i,
               xy[2 * i], xy[2 * i + 1]);
}

/* Points in 3-D: three dimensions reproduce every distance; two give the best planar fit,
 * whose eigenvalues are the top two of the centred scatter matrix (computed independently). */
static void space(void) {
    enum { N = 6 };
    const double pts[N][3] = {{0, 0, 0}, {3, 0.5, 0.2}, {1, 2, -0.3}, {-1, 1, 0.4}, {2, -2, 0.1}, {0.5, 0.5, -0.4}};
    double dist[N * N], xyz[N * 3], ev[3], back[N * N];
    distances(&pts[0][0], N, 3, dist);
    if (!CHECK_OK(attn_mds(dist, N, 3, xyz, ev))) return;
    distances(xyz, N, 3, back);
    double worst = 0;
    for (int i = 0; i < N * N; i++) worst = fmax(worst, fabs(back[i] - dist[i]));
    CHECKF(worst < 1e-9, "3-D MDS distances off by %g", worst);
    /* trace of the centred Gram matrix = Σ eigenvalues = Σ |p - mean|² */
    double mean[3] = {0}, total = 0;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < 3; k++) mean[k] += pts[i][k] / N;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < 3; k++) total += (pts[i][k] - mean[k]) * (pts[i][k] - mean[k]);
    CHECKF(fabs(ev[0] + ev[1] + ev[2] - total) < 1e-9, "eigenvalue sum %g, scatter %g", ev[0] + ev[1] + ev[2], total);
    CHECK(ev[0] >= ev[1] && ev[1] >= ev[2] && ev[2] > 0);
    double xy[N * 2], ev2[2];
    CHECK_OK(attn_mds(dist, N, 2, xy, ev2));
    CHECK(fabs(ev2[0] - ev[0]) < 1e-9 && fabs(ev2[1] - ev[1]) < 1e-9);
    for (int i = 0; i < N; i++) CHECK(fabs(xy[2 * i] - xyz[3 * i]) < 1e-9 && fabs(xy[2 * i + 1] - xyz[3 * i + 1]) < 1e-9);
}

static void bad_input(void) {
    double d[4] = {0, 1, 2, 0}, xy[4];
    CHECK(attn_mds(d, 2, 2, xy, NULL) == ATTN_E_INVALID); /* not symmetric */
    double neg[4] = {0, -1, -1, 0};
    CHECK(attn_mds(neg, 2, 1, xy, NULL) == ATTN_E_INVALID);
    double nan_d[4] = {0, NAN, NAN, 0};
    CHECK(attn_mds(nan_d, 2, 1, xy, NULL) == ATTN_E_INVALID);
    double ok[4] = {0, 1, 1, 0};
    CHECK(attn_mds(ok, 2, 3, xy, NULL) == ATTN_E_INVALID);
    CHECK_OK(attn_mds(ok, 2, 1, xy, NULL));
    CHECK(fabs(fabs(xy[0] - xy[1]) - 1) < 1e-12);
}

int main(void) {
    rectangle();
    space();
    bad_input();
    return tu_done("test_mds");
}
