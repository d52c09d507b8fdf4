/* mds.c — classical (Torgerson) multidimensional scaling:
 *   B = -1/2 · J · D² · J   (J = I - 11ᵀ/n, double centring)
 *   coords[:, k] = v_k · √λ_k for the top `dims` eigenpairs of B (LAPACKE_dsyevd). */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "common.h"

static attn_status check_distances(const double *dist, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double a = dist[(size_t)i * n + j], b = dist[(size_t)j * n + i];
            if (!isfinite(a) || a < 0) return attn_fail(ATTN_E_INVALID, "mds: distance [%d][%d] = %g is not a finite non-negative number", i, j, a);
            if (fabs(a - b) > 1e-9 * fmax(1, fabs(a))) return attn_fail(ATTN_E_INVALID, "mds: distances are not symmetric at [%d][%d]", i, j);
        }
    return ATTN_OK;
}

/* B = -1/2 J D² J, [n][n]; row [n] is scratch */
static void double_centre(const double *dist, int n, double *b, double *row) {
    double all = 0;
    for (int i = 0; i < n; i++) {
        row[i] = 0;
        for (int j = 0; j < n; j++) {
            double d2 = dist[(size_t)i * n + j] * dist[(size_t)i * n + j];
            b[(size_t)i * n + j] = d2;
            row[i] += d2;
        }
        all += row[i];
        row[i] /= n;
    }
    all /= (double)n * n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) b[(size_t)i * n + j] = -0.5 * (b[(size_t)i * n + j] - row[i] - row[j] + all);
}

attn_status attn_mds(const double *dist, int n, int dims, double *coords, double *eigenvalues) {
    if (!dist || !coords) return attn_fail(ATTN_E_INVALID, "mds: no distances or output");
    if (n < 1 || n > 16384) return attn_fail(ATTN_E_INVALID, "mds: %d points (expected 1..16384)", n);
    if (dims < 1 || dims > n) return attn_fail(ATTN_E_INVALID, "mds: %d dimensions for %d points", dims, n);
    attn_status s = check_distances(dist, n);
    if (s != ATTN_OK) return s;
    double *b = attn_calloc((size_t)n * n, sizeof *b), *w = attn_calloc((size_t)n, sizeof *w);
    if (!b || !w) {
        free(b), free(w);
        return attn_fail(ATTN_E_NOMEM, "mds: out of memory for %d points", n);
    }
    double_centre(dist, n, b, w); /* w is scratch until dsyevd fills it */
    /* eigenvalues ascending in w, eigenvectors in the columns of b (row-major: b[i*n + k]) */
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', n, b, n, w);
    if (info != 0) {
        free(b), free(w);
        return attn_fail(info < 0 ? ATTN_E_INVALID : ATTN_E_FORMAT, "mds: eigen-decomposition failed (LAPACK info %d)", (int)info);
    }
    for (int k = 0; k < dims; k++) {
        int col = n - 1 - k;
        double lambda = w[col] > 0 ? w[col] : 0, scale = sqrt(lambda);
        /* an eigenvector's sign is arbitrary: make its largest-magnitude entry positive */
        int arg = 0;
        for (int i = 1; i < n; i++)
            if (fabs(b[(size_t)i * n + col]) > fabs(b[(size_t)arg * n + col]) + 1e-12) arg = i;
        double sign = b[(size_t)arg * n + col] < 0 ? -1 : 1;
        for (int i = 0; i < n; i++) coords[(size_t)i * dims + k] = sign * scale * b[(size_t)i * n + col];
        if (eigenvalues) eigenvalues[k] = lambda;
    }
    free(b), free(w);
    return ATTN_OK;
}
