/* bench.c — attn_bench_run: the honest version of the seed notebook's benchmark table.
 *
 * Latency: every sentence alone (batch 1), tokenization + forward with attentions returned (and
 * freed), after `warmup` untimed passes; mean / std / median / min over sentences × runs.
 * Throughput: the corpus sorted by length in batches of `batch` (tokenization included), the median
 * of `runs` passes. Peak RSS: each model runs in a child process (fork, then wait4's ru_maxrss), so
 * the figure is that model's peak alone, not a delta inside a process that held other models. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_internal.h"
#include "kernels.h"

#ifndef ATTN_BUILD_TYPE
#define ATTN_BUILD_TYPE "unknown"
#endif

void attn_bench_options_init(attn_bench_options *o) {
    *o = (attn_bench_options){.corpus = NULL, .threads = 0, .batch = 8, .runs = 5, .warmup = 1, .isolate = 1,
                              .precision = ATTN_PRECISION_FP32};
}

const char *attn_kernel_path(void) { return attn_kernels_name(); }
const char *attn_build_type(void) { return ATTN_BUILD_TYPE; }

/* "model name" of the first processor, with its "cpu family" and "model" numbers: a bare "AMD EPYC"
 * names neither Zen 4 nor Zen 5, and a result is only comparable with one from the same CPU. */
const char *attn_cpu_name(void) {
    static char name[160];
    if (name[0]) return name;
    char model_name[128] = "unknown";
    int family = -1, model = -1;
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        const char *v = colon + 1 + (colon[1] == ' ');
        if (!strncmp(line, "cpu family", 10)) family = atoi(v);
        else if (!strncmp(line, "model name", 10)) {
            snprintf(model_name, sizeof model_name, "%.*s", (int)strcspn(v, "\n"), v);
            break; /* the first processor's fields come before its model name */
        } else if (!strncmp(line, "model", 5) && (line[5] == ' ' || line[5] == '\t')) model = atoi(v);
    }
    if (f) fclose(f);
    if (family >= 0 && model >= 0) snprintf(name, sizeof name, "%s (family %d, model %d)", model_name, family, model);
    else snprintf(name, sizeof name, "%s", model_name);
    return name;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n) { /* sorts t */
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

typedef struct bench_ctx {
    attn_model *m;
    attn_tokenizer *tok;
    attn_encode_options eo;
    const bench_corpus *corpus;
} bench_ctx;

/* Tokenizes sentences idx[0..n) and runs them as one batch. */
static attn_status run_batch(const bench_ctx *b, const int *idx, int n, attn_encoding *enc, attn_input *in, attn_output *out) {
    attn_status s = ATTN_OK;
    int encoded = 0;
    for (; encoded < n && !s; encoded++) {
        s = attn_tokenizer_encode(b->tok, b->corpus->text[idx[encoded]], NULL, &b->eo, &enc[encoded]);
        if (!s) in[encoded] = (attn_input){enc[encoded].ids, enc[encoded].type_ids, enc[encoded].n};
    }
    if (!s) s = attn_model_forward(b->m, in, n, ATTN_OUT_ATTENTIONS, out);
    for (int i = 0; i < encoded; i++) {
        if (!s) attn_output_free(&out[i]);
        attn_encoding_free(&enc[i]);
    }
    return s;
}

/* One pass: every sentence alone (lat != NULL: its ms into lat[]), or in sorted batches. */
static attn_status pass(const bench_ctx *b, const int *order, int batch, double *lat, double *ms) {
    int n = b->corpus->n;
    attn_encoding *enc = calloc((size_t)batch, sizeof *enc);
    attn_input *in = calloc((size_t)batch, sizeof *in);
    attn_output *out = calloc((size_t)batch, sizeof *out);
    attn_status s = enc && in && out ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "bench: out of memory");
    double t0 = now_ms();
    for (int i = 0; i < n && !s; i += batch) {
        double t = now_ms();
        s = run_batch(b, order + i, n - i < batch ? n - i : batch, enc, in, out);
        if (lat) lat[i] = now_ms() - t;
    }
    *ms = now_ms() - t0;
    free(enc), free(in), free(out);
    return s;
}

/* Sentence order for the batched pass (by token count), the mean token count, and the sentences
 * cut to the model's positions (the same cut as the timed encodes: bench_encode_options). */
static attn_status sorted_order(const bench_ctx *b, int *order, attn_bench_result *r) {
    int n = b->corpus->n;
    int *len = malloc((size_t)n * sizeof *len);
    if (!len) return attn_fail(ATTN_E_NOMEM, "bench: out of memory");
    const attn_config *cfg = attn_model_config(b->m);
    double total = 0;
    r->truncated = 0, r->first_truncated = -1, r->first_truncated_tokens = 0, r->max_tokens = attn_config_max_tokens(cfg);
    for (int i = 0; i < n; i++) {
        attn_encoding e;
        attn_truncation_info cut;
        const char *text = b->corpus->text[i];
        attn_status s = attn_encode_to_fit(b->tok, cfg, text, strlen(text), NULL, 0, &e, &cut);
        if (s) { free(len); return attn_fail_prefix(s, "sentence %d", i + 1); }
        if (cut.tokens && !r->truncated++) r->first_truncated = i, r->first_truncated_tokens = cut.tokens;
        len[i] = e.n;
        total += e.n;
        attn_encoding_free(&e);
    }
    attn_status s = bench_order_by_length(len, n, order);
    r->tokens_mean = total / n;
    free(len);
    return s;
}

static void latency_stats(double *t, int n, attn_bench_result *r) {
    double sum = 0, sq = 0, mn = INFINITY;
    for (int i = 0; i < n; i++) sum += t[i], mn = fmin(mn, t[i]);
    r->latency_mean_ms = sum / n;
    for (int i = 0; i < n; i++) sq += (t[i] - r->latency_mean_ms) * (t[i] - r->latency_mean_ms);
    r->latency_std_ms = n > 1 ? sqrt(sq / (n - 1)) : 0.0;
    r->latency_min_ms = mn;
    r->latency_median_ms = median(t, n);
}

/* The measurement itself, in this process. */
static attn_status measure(bench_ctx *b, const attn_bench_options *o, attn_bench_result *r) {
    int n = b->corpus->n, runs = o->runs;
    int *order = malloc((size_t)n * sizeof *order), *ident = malloc((size_t)n * sizeof *ident);
    double *lat = malloc((size_t)n * runs * sizeof *lat), *pass_ms = malloc((size_t)runs * sizeof *pass_ms);
    attn_status s = order && ident && lat && pass_ms ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "bench: out of memory");
    for (int i = 0; !s && i < n; i++) ident[i] = i;
    if (!s) s = sorted_order(b, order, r);
    double ms;
    for (int w = 0; !s && w < o->warmup; w++) s = pass(b, ident, 1, NULL, &ms);
    for (int k = 0; !s && k < runs; k++) s = pass(b, ident, 1, lat + (size_t)k * n, &ms);
    for (int w = 0; !s && w < (o->warmup ? 1 : 0); w++) s = pass(b, order, o->batch, NULL, &ms);
    for (int k = 0; !s && k < runs; k++) s = pass(b, order, o->batch, NULL, &pass_ms[k]);
    if (!s) {
        latency_stats(lat, n * runs, r);
        r->throughput_per_s = n / (median(pass_ms, runs) * 1e-3);
    }
    free(order), free(ident), free(lat), free(pass_ms);
    return s;
}

/* Largest |p_bf16 - p_fp32| over every attention probability of the corpus; leaves m in bf16. */
static attn_status bf16_deviation(bench_ctx *b, double *dev) {
    *dev = 0;
    for (int i = 0; i < b->corpus->n; i++) {
        attn_encoding e;
        attn_status s = attn_tokenizer_encode(b->tok, b->corpus->text[i], NULL, &b->eo, &e);
        if (s) return s;
        attn_input in = {e.ids, e.type_ids, e.n};
        attn_output o32, o16;
        if (!(s = attn_model_set_precision(b->m, ATTN_PRECISION_FP32)) && !(s = attn_model_forward(b->m, &in, 1, ATTN_OUT_ATTENTIONS, &o32))) {
            if (!(s = attn_model_set_precision(b->m, ATTN_PRECISION_BF16)) && !(s = attn_model_forward(b->m, &in, 1, ATTN_OUT_ATTENTIONS, &o16))) {
                size_t n = (size_t)o32.layers * o32.heads * o32.len * o32.len;
                for (size_t k = 0; k < n; k++) *dev = fmax(*dev, fabs((double)o16.attentions[k] - o32.attentions[k]));
                attn_output_free(&o16);
            }
            attn_output_free(&o32);
        }
        attn_encoding_free(&e);
        if (s) return s;
    }
    return attn_model_set_precision(b->m, ATTN_PRECISION_BF16);
}

static attn_status bench_here(const char *dir, const attn_bench_options *o, attn_bench_result *r) {
    bench_corpus corpus;
    attn_status s = bench_corpus_read(&corpus, o->corpus, o->corpus_options);
    if (s) return s;
    bench_ctx b = {.corpus = &corpus};
    double t0 = now_ms();
    s = attn_model_open(dir, &b.m);
    if (!s) s = attn_tokenizer_open(dir, &b.tok);
    r->load_ms = now_ms() - t0;
    if (!s) s = attn_tokenizer_check_model(b.tok, attn_model_config(b.m), dir); /* before any sentence */
    if (!s) {
        const attn_config *c = attn_model_config(b.m);
        bench_encode_options(c, &b.eo);
        attn_model_set_threads(b.m, o->threads);
        snprintf(r->model_type, sizeof r->model_type, "%s", c->model_type);
        r->parameters = c->parameters;
        r->sentences = corpus.n;
        r->precision = o->precision;
        if (o->precision == ATTN_PRECISION_BF16) s = bf16_deviation(&b, &r->bf16_max_att_dev);
        if (!s) s = measure(&b, o, r);
    }
    const char *bf16_path = attn_amx_supported() ? "amx-bf16" : "avx512-bf16";
    snprintf(r->kernels, sizeof r->kernels, "%s", o->precision == ATTN_PRECISION_BF16 ? bf16_path : attn_kernel_path());
    attn_tokenizer_free(b.tok);
    attn_model_free(b.m);
    bench_corpus_free(&corpus);
    struct rusage ru;
    if (!s && getrusage(RUSAGE_SELF, &ru) == 0) r->peak_rss_mb = ru.ru_maxrss / 1024.0; /* KiB → MiB */
    return s;
}

/* What the child sends back: the result, or the status and message of its failure. */
typedef struct child_report {
    attn_bench_result r;
    attn_status s;
    char error[512];
} child_report;

static int write_all(int fd, const void *p, size_t n) {
    for (const char *c = p; n;) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        c += w, n -= (size_t)w;
    }
    return 1;
}

static attn_status bench_child(const char *dir, const attn_bench_options *o, attn_bench_result *r) {
    int fd[2];
    if (pipe(fd) != 0) return attn_fail(ATTN_E_IO, "bench: pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]), close(fd[1]);
        return attn_fail(ATTN_E_IO, "bench: fork: %s", strerror(errno));
    }
    if (pid == 0) { /* the child measures, reports through the pipe, and leaves without cleanup */
        close(fd[0]);
        static child_report rep;
        rep.s = bench_here(dir, o, &rep.r);
        if (rep.s) snprintf(rep.error, sizeof rep.error, "%s", attn_last_error());
        _exit(write_all(fd[1], &rep, sizeof rep) ? 0 : 1);
    }
    close(fd[1]);
    static child_report rep;
    size_t got = 0;
    while (got < sizeof rep) {
        ssize_t n = read(fd[0], (char *)&rep + got, sizeof rep - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd[0]);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) return attn_fail(ATTN_E_IO, "bench: wait4: %s", strerror(errno));
    if (got != sizeof rep || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return attn_fail(ATTN_E_IO, "%s: the benchmark process ended abnormally (%s %d)", dir,
                         WIFSIGNALED(status) ? "signal" : "exit status",
                         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    if (rep.s) return attn_fail(rep.s, "%s", rep.error);
    *r = rep.r;
    r->peak_rss_mb = ru.ru_maxrss / 1024.0; /* the child's own peak */
    return ATTN_OK;
}

attn_status attn_bench_run(const char *dir, const attn_bench_options *opts, attn_bench_result *r) {
    attn_bench_options o;
    if (opts) o = *opts;
    else attn_bench_options_init(&o);
    if (o.precision != ATTN_PRECISION_FP32 && o.precision != ATTN_PRECISION_BF16)
        return attn_fail(ATTN_E_INVALID, "bench: unknown precision %d", (int)o.precision);
    if (o.batch < 1 || o.runs < 1 || o.warmup < 0 || o.threads < 0)
        return attn_fail(ATTN_E_INVALID, "bench: batch and runs must be at least 1, warmup and threads at least 0");
    memset(r, 0, sizeof *r);
    r->batch = o.batch, r->runs = o.runs, r->warmup = o.warmup;
    attn_status s = o.isolate ? bench_child(dir, &o, r) : bench_here(dir, &o, r);
    r->batch = o.batch, r->runs = o.runs, r->warmup = o.warmup;
    r->threads = o.threads > 0 ? o.threads : omp_get_max_threads(); /* reads the setting, starts no thread */
    return s;
}
