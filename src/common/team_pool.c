/* team_pool.c — worker threads that sleep between jobs (see team_pool.h). */
#include <pthread.h>

#include "team_pool.h"

#define POOL_MAX 256

static pthread_mutex_t pool_owner = PTHREAD_MUTEX_INITIALIZER; /* held by the team in use */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    unsigned generation; /* bumped per job */
    int workers;         /* started */
    int active;          /* workers taking part in the current job */
    int remaining;       /* of them, still running it */
    attn_team_fn fn;
    void *ctx;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0, 0};
static unsigned start_generation[POOL_MAX]; /* the generation before a worker's first job */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A forked child has none of the parent's workers (and may have copied held locks). */
static void pool_reset_in_child(void) {
    pthread_mutex_init(&pool_owner, NULL);
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.go, NULL);
    pthread_cond_init(&pool.done, NULL);
    pool.workers = pool.active = pool.remaining = 0;
}
static void register_atfork(void) { pthread_atfork(NULL, NULL, pool_reset_in_child); }

static void *worker_main(void *arg) {
    int index = (int)(long)arg; /* tid - 1 */
    pthread_mutex_lock(&pool.lock);
    unsigned seen = start_generation[index]; /* not the current one: a job may have begun already */
    for (;;) {
        while (pool.generation == seen) pthread_cond_wait(&pool.go, &pool.lock);
        seen = pool.generation;
        if (index >= pool.active) continue;
        attn_team_fn fn = pool.fn;
        void *ctx = pool.ctx;
        int nt = pool.active + 1;
        pthread_mutex_unlock(&pool.lock);
        fn(ctx, index + 1, nt);
        pthread_mutex_lock(&pool.lock);
        if (--pool.remaining == 0) pthread_cond_signal(&pool.done);
    }
    return NULL;
}

void attn_team_begin(attn_team *t, int want) {
    *t = (attn_team){.n = 1};
    if (want <= 1 || pthread_mutex_trylock(&pool_owner) != 0) return;
    pthread_once(&atfork_once, register_atfork);
    t->owned = 1;
    if (want > POOL_MAX) want = POOL_MAX;
    pthread_mutex_lock(&pool.lock);
    while (pool.workers < want - 1) { /* started once, kept for the process */
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        start_generation[pool.workers] = pool.generation;
        int failed = pthread_create(&th, &attr, worker_main, (void *)(long)pool.workers);
        pthread_attr_destroy(&attr);
        if (failed) break;
        pool.workers++;
    }
    t->n = (pool.workers < want - 1 ? pool.workers : want - 1) + 1;
    pthread_mutex_unlock(&pool.lock);
}

void attn_team_run(const attn_team *t, attn_team_fn fn, void *ctx) {
    if (t->n <= 1) {
        fn(ctx, 0, 1);
        return;
    }
    pthread_mutex_lock(&pool.lock);
    pool.fn = fn, pool.ctx = ctx;
    pool.active = pool.remaining = t->n - 1;
    pool.generation++;
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.lock);
    fn(ctx, 0, t->n);
    pthread_mutex_lock(&pool.lock);
    while (pool.remaining > 0) pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
}

void attn_team_end(attn_team *t) {
    if (t->owned) pthread_mutex_unlock(&pool_owner);
    t->owned = 0;
}
