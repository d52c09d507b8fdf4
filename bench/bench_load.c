/* bench_load.c — times attn_model_open + attn_model_free, each load in a fresh child process.
 *
 *   bench_load MODEL_DIR [--runs N] [--threads n] [--bf16] [--json]
 *
 * Per run a child (fork) opens the model, optionally switches it to bf16, frees it and exits; the
 * parent reads the child's rusage (wait4): so every load starts like a real program's (no warm
 * allocator, no packed panels left from a previous load) and ru_maxrss is that load's own peak.
 * The file is read once before the first run, so the page cache is warm (the goal is a warm load).
 * Printed per run and as min / median over the runs: wall ms of attn_model_open, CPU ms (user +
 * system of the child), minor and major page faults, peak RSS (MB), and the file's size beside it.
 * The last line is one JSON object (min and median of each figure) for scripts. */
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attnscope.h"
#include "bench_util.h"

typedef struct run_stats {
    double wall_ms, cpu_ms, minflt, majflt, maxrss_mb, free_ms;
} run_stats;

enum { NFIELDS = 6 };
static const char *const field_names[NFIELDS] = {"load_ms", "cpu_ms", "minor_faults", "major_faults", "peak_rss_mb", "free_ms"};

static double field(const run_stats *r, int i) {
    const double v[NFIELDS] = {r->wall_ms, r->cpu_ms, r->minflt, r->majflt, r->maxrss_mb, r->free_ms};
    return v[i];
}

/* Reads the whole file once so that the runs find it in the page cache. Returns its size. */
static long long warm_file(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    static char buf[1 << 20];
    long long total = 0;
    for (ssize_t r; (r = read(fd, buf, sizeof buf)) > 0;) total += r;
    close(fd);
    return total;
}

/* The child: one load, its wall times written to the pipe. */
static int child_load(const char *dir, int bf16, int fd) {
    double t[2];
    attn_model *m;
    double t0 = now_ms();
    if (attn_model_open(dir, &m) != ATTN_OK) {
        fprintf(stderr, "bench_load: %s\n", attn_last_error());
        return 1;
    }
    if (bf16 && attn_model_set_precision(m, ATTN_PRECISION_BF16) != ATTN_OK) {
        fprintf(stderr, "bench_load: %s\n", attn_last_error());
        return 1;
    }
    t[0] = now_ms() - t0;
    t0 = now_ms();
    attn_model_free(m);
    t[1] = now_ms() - t0;
    return write(fd, t, sizeof t) == (ssize_t)sizeof t ? 0 : 1;
}

static int one_run(const char *dir, int bf16, run_stats *out) {
    int p[2];
    if (pipe(p)) return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        close(p[0]);
        _exit(child_load(dir, bf16, p[1]));
    }
    close(p[1]);
    double t[2] = {0, 0};
    ssize_t got = read(p[0], t, sizeof t);
    close(p[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) || got != (ssize_t)sizeof t) return 1;
    *out = (run_stats){
        .wall_ms = t[0],
        .free_ms = t[1],
        .cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-3,
        .minflt = (double)ru.ru_minflt,
        .majflt = (double)ru.ru_majflt,
        .maxrss_mb = ru.ru_maxrss / 1024.0,
    };
    return 0;
}

int main(int argc, char **argv) {
    const char *dir = NULL;
    int runs = 10, threads = 0, bf16 = 0, json_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--bf16")) bf16 = 1;
        else if (!strcmp(argv[i], "--json")) json_only = 1;
        else if (argv[i][0] != '-' && !dir) dir = argv[i];
        else dir = NULL, runs = 0, i = argc;
    }
    if (!dir || runs < 1) {
        fprintf(stderr, "usage: bench_load MODEL_DIR [--runs N] [--threads n] [--bf16] [--json]\n");
        return 2;
    }
    if (threads > 0) omp_set_num_threads(threads);
    char weights[4096];
    const char *name = attn_weights_file(dir);
    snprintf(weights, sizeof weights, "%s/%s", dir, name ? name : "model.safetensors");
    long long file_bytes = warm_file(weights);
    run_stats *r = calloc((size_t)runs, sizeof *r);
    double *col = calloc((size_t)runs, sizeof *col);
    if (!r || !col) return 1;
    if (!json_only)
        printf("bench_load: %s (%s, %.1f MB), %d runs, each in a fresh process, %d threads%s\n", dir, weights,
               file_bytes / 1048576.0, runs, omp_get_max_threads(), bf16 ? ", then bf16 panels" : "");
    for (int i = 0; i < runs; i++) {
        if (one_run(dir, bf16, &r[i])) {
            fprintf(stderr, "bench_load: run %d failed\n", i + 1);
            return 1;
        }
        if (!json_only)
            printf("  run %2d: load %7.1f ms  cpu %7.1f ms  minor faults %7.0f  major %3.0f  peak RSS %6.1f MB  free %5.1f ms\n",
                   i + 1, r[i].wall_ms, r[i].cpu_ms, r[i].minflt, r[i].majflt, r[i].maxrss_mb, r[i].free_ms);
    }
    printf("{\"model\": \"%s\", \"file_mb\": %.3f, \"runs\": %d, \"threads\": %d", dir, file_bytes / 1048576.0, runs,
           omp_get_max_threads());
    for (int f = 0; f < NFIELDS; f++) {
        for (int i = 0; i < runs; i++) col[i] = field(&r[i], f);
        qsort(col, (size_t)runs, sizeof *col, cmp_double);
        double med = runs % 2 ? col[runs / 2] : 0.5 * (col[runs / 2 - 1] + col[runs / 2]);
        printf(", \"%s\": {\"min\": %.6g, \"median\": %.6g}", field_names[f], col[0], med);
    }
    printf("}\n");
    free(r);
    free(col);
    return 0;
}
