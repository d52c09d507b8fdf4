/* The library's worker team (src/common/team_pool.c): every tid runs once per job, the team's
 * barrier synchronises, a busy pool runs a nested job alone, a forked child gets its own workers,
 * and — what it is for — an idle team burns no CPU after a forward (libgomp's workers spin for a
 * while after each parallel region unless OMP_WAIT_POLICY=PASSIVE; this test runs without it). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attnscope.h"
#include "team.h"
#include "team_pool.h"
#include "testutil.h"

#define MAXT 8

typedef struct job {
    atomic_int calls[MAXT];
    atomic_int bad_nt;
    team_barrier bar;
    atomic_int phase_sum; /* each thread adds 1 per step; checked after every barrier */
    atomic_int mismatches;
    int nested_n;
} job;

static void count_job(void *p, int tid, int nt) {
    job *j = p;
    if (tid < 0 || tid >= MAXT || nt != j->bar.n) { atomic_fetch_add(&j->bad_nt, 1); return; }
    atomic_fetch_add(&j->calls[tid], 1);
    for (int step = 1; step <= 50; step++) {
        atomic_fetch_add(&j->phase_sum, 1);
        team_wait(&j->bar);
        if (atomic_load(&j->phase_sum) != step * nt) atomic_fetch_add(&j->mismatches, 1);
        team_wait(&j->bar);
    }
}

static void nested_job(void *p, int tid, int nt) {
    (void)nt;
    job *j = p;
    if (tid != 0) return;
    attn_team inner;
    attn_team_begin(&inner, 4); /* the pool is ours already: alone */
    j->nested_n = inner.n;
    attn_team_end(&inner);
}

static int run_counted(int want) {
    job j = {0};
    attn_team t;
    attn_team_begin(&t, want);
    j.bar.n = t.n;
    attn_team_run(&t, count_job, &j);
    attn_team_end(&t);
    int ok = atomic_load(&j.bad_nt) == 0 && atomic_load(&j.mismatches) == 0 && t.n >= 1 && t.n <= want;
    for (int i = 0; i < MAXT; i++) ok &= atomic_load(&j.calls[i]) == (i < t.n);
    return ok ? t.n : 0;
}

static double process_cpu_ms(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

int main(void) {
    for (int rep = 0; rep < 100; rep++) CHECKF(run_counted(1 + rep % 4) == 1 + rep % 4, "job %d on %d threads", rep, 1 + rep % 4);

    job j = {0};
    attn_team t;
    attn_team_begin(&t, 2);
    attn_team_run(&t, nested_job, &j);
    attn_team_end(&t);
    CHECKF(j.nested_n == 1, "a job started while the pool is busy runs alone (got %d threads)", j.nested_n);

    pid_t pid = fork();
    if (pid == 0) _exit(run_counted(3) == 3 ? 0 : 1); /* the parent's workers are not in the child */
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* a forward on two threads, then the caller idles: the workers must sleep, not spin */
    attn_model *m = NULL;
    if (CHECK_OK(attn_model_open(tu_data("models/bert-tiny"), &m))) {
        attn_model_set_threads(m, 2);
        int32_t ids[12] = {101, 7592, 1010, 2088, 999, 2023, 2003, 1037, 3231, 1012, 2009, 102};
        attn_input in = {ids, NULL, 12};
        double idle_cpu = 0;
        for (int rep = 0; rep < 5; rep++) {
            attn_output out;
            CHECK_OK(attn_model_forward(m, &in, 1, ATTN_OUT_ATTENTIONS, &out));
            attn_output_free(&out);
            double c0 = process_cpu_ms();
            nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
            idle_cpu += process_cpu_ms() - c0;
        }
        CHECKF(idle_cpu < 50.0, "CPU used while idle for 5 x 100 ms after forwards: %.1f ms", idle_cpu);
        printf("CPU while idle after 5 forwards: %.1f ms in 500 ms\n", idle_cpu);
        attn_model_free(m);
    }
    return tu_done("test_team_pool");
}
