/* head_distance.c — the Jensen-Shannon distance between every pair of heads of a sentence, the
 * costliest analysis of `compare` ((L·H)² / 2 pairs × T² elements per sentence and model).
 *
 * JSD(p, q) = H(m) − ½H(p) − ½H(q), m = (p+q)/2, per query row: the row entropies are computed once
 * per head, only H(m) per pair, with one vectorised m·ln m pass over the pair's whole [T][T] block
 * (xlogx.h) and the row sums in plain order. Pairs are shared out among the library's worker team
 * (team_pool.c: idle workers sleep, unlike libgomp's, which would spin into the next forward),
 * first-come by head a; each pair is computed by one thread start to end, so the result does not
 * depend on the thread count, and xlogx gives the same bits on every kernel path. */
#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common.h"
#include "metrics_internal.h"
#include "team_pool.h"
#include "xlogx.h"

typedef struct distance_job {
    const float *attn; /* [n][T][T] */
    int n, T;
    const double *h;   /* [n][T] row entropies */
    double *dist;      /* [n][n] += */
    double *scratch;   /* [threads][T·T] */
    attn_mlogm_fn mlogm;
    atomic_int next_a;
} distance_job;

/* −Σ_j t[j] over each of T rows of T terms m·ln m: the rows' entropies, in order. */
static void row_entropies(const double *t, int T, double *h) {
    for (int i = 0; i < T; i++) {
        double s = 0.0;
        for (int j = 0; j < T; j++) s -= t[(size_t)i * T + j];
        h[i] = s;
    }
}

/* Mean over query rows of the JS distance of heads a and b. */
static double pair_distance(const distance_job *job, int a, int b, double *t) {
    int T = job->T;
    size_t TT = (size_t)T * T;
    job->mlogm(job->attn + (size_t)a * TT, job->attn + (size_t)b * TT, TT, t);
    const double *ha = job->h + (size_t)a * T, *hb = job->h + (size_t)b * T;
    double s = 0.0;
    for (int i = 0; i < T; i++) {
        double hm = 0.0;
        for (int j = 0; j < T; j++) hm -= t[(size_t)i * T + j];
        double d = hm - 0.5 * (ha[i] + hb[i]);
        s += d > 0.0 ? sqrt(d) : 0.0;
    }
    return s / T;
}

static void distance_share(void *ctx, int tid, int nt) {
    (void)nt;
    distance_job *job = ctx;
    double *t = job->scratch + (size_t)tid * job->T * job->T;
    for (int a; (a = atomic_fetch_add(&job->next_a, 1)) < job->n;)
        for (int b = a + 1; b < job->n; b++) {
            double d = pair_distance(job, a, b, t);
            job->dist[(size_t)a * job->n + b] += d;
            job->dist[(size_t)b * job->n + a] += d;
        }
}

attn_status attn_head_distances_add(const float *attn, int n_heads, int T, int threads, double *dist) {
    int want = n_heads > 8 ? (threads > 0 ? threads : omp_get_max_threads()) : 1;
    size_t TT = (size_t)T * T;
    attn_team team;
    attn_team_begin(&team, want);
    distance_job job = {.attn = attn, .n = n_heads, .T = T, .dist = dist, .mlogm = attn_mlogm_select()};
    double *h = malloc((size_t)n_heads * T * sizeof *h);
    job.h = h;
    job.scratch = malloc((size_t)team.n * TT * sizeof *job.scratch);
    attn_status st = h && job.scratch ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int a = 0; st == ATTN_OK && a < n_heads; a++) {
        const float *pa = attn + (size_t)a * TT;
        job.mlogm(pa, pa, TT, job.scratch);
        row_entropies(job.scratch, T, h + (size_t)a * T);
    }
    atomic_init(&job.next_a, 0);
    if (st == ATTN_OK) attn_team_run(&team, distance_share, &job);
    attn_team_end(&team);
    free(h);
    free(job.scratch);
    return st;
}
