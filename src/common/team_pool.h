/* team_pool.h — the library's own worker threads for the forward's one parallel region.
 *
 * libgomp's idle workers spin after a parallel region ends (GOMP_SPINCOUNT, ~300k pause loops by
 * default) and so burn the cores a caller uses between forwards (metrics, I/O) unless the user sets
 * OMP_WAIT_POLICY=PASSIVE. These workers block on a condition variable between jobs: an idle pool
 * costs no CPU. One team at a time; a caller that finds the pool busy (a concurrent forward) runs
 * its job alone. Safe across fork: the child starts its own workers. */
#ifndef ATTN_TEAM_POOL_H
#define ATTN_TEAM_POOL_H

typedef void (*attn_team_fn)(void *ctx, int tid, int nt);

typedef struct attn_team {
    int n;     /* threads of the team, the caller included (tid 0) */
    int owned; /* the pool is held by this team */
} attn_team;

/* Reserves up to `want` threads (fewer if the pool is busy or threads cannot be started). */
void attn_team_begin(attn_team *t, int want);
/* fn(ctx, tid, t->n) on every thread of the team; returns when all have returned. */
void attn_team_run(const attn_team *t, attn_team_fn fn, void *ctx);
void attn_team_end(attn_team *t);

#endif
