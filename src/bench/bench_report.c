/* bench_report.c — attn_bench_run's results as JSON, CSV and a text table; bench.csv + bench.json. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common.h"

/* How many times faster than the first model (by median latency). */
static double relative_speed(const attn_bench_result *r, int i) {
    return r[i].latency_median_ms > 0 ? r[0].latency_median_ms / r[i].latency_median_ms : NAN;
}

static const char *precision_name(attn_precision p) { return p == ATTN_PRECISION_BF16 ? "bf16" : "fp32"; }

static json_t *result_json(const attn_bench_result *r, const char *label, double rel, const char *corpus) {
    json_t *o = json_object();
    json_object_set_new(o, "label", json_string(label));
    json_object_set_new(o, "model_type", json_string(r->model_type));
    json_object_set_new(o, "parameters", json_integer(r->parameters));
    json_object_set_new(o, "latency_ms", json_pack("{s:f, s:f, s:f, s:f}", "mean", r->latency_mean_ms, "std", r->latency_std_ms,
                                                   "median", r->latency_median_ms, "min", r->latency_min_ms));
    json_object_set_new(o, "throughput_per_s", json_real(r->throughput_per_s));
    json_object_set_new(o, "peak_rss_mb", json_real(r->peak_rss_mb));
    json_object_set_new(o, "relative_speed", isfinite(rel) ? json_real(rel) : json_null());
    json_object_set_new(o, "kernels", json_string(r->kernels));
    json_object_set_new(o, "precision", json_string(precision_name(r->precision)));
    if (r->precision == ATTN_PRECISION_BF16) json_object_set_new(o, "bf16_max_att_dev", json_real(r->bf16_max_att_dev));
    json_object_set_new(o, "threads", json_integer(r->threads));
    json_object_set_new(o, "batch", json_integer(r->batch));
    json_object_set_new(o, "runs", json_integer(r->runs));
    json_object_set_new(o, "warmup", json_integer(r->warmup));
    json_object_set_new(o, "sentences", json_integer(r->sentences));
    json_object_set_new(o, "tokens_mean", json_real(r->tokens_mean));
    json_object_set_new(o, "truncated_sentences", json_integer(r->truncated));
    json_object_set_new(o, "load_ms", json_real(r->load_ms));
    json_object_set_new(o, "corpus", json_string(corpus ? corpus : "built-in"));
    json_object_set_new(o, "cpu", json_string(attn_cpu_name()));
    json_object_set_new(o, "build", json_string(attn_build_type()));
    return o;
}

char *attn_bench_json(const attn_bench_result *results, const char *const *labels, int n, const char *corpus) {
    json_t *list = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(list, result_json(&results[i], labels[i], relative_speed(results, i), corpus));
    char *text = json_dumps(list, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(list);
    if (!text) return NULL;
    char *out = attn_asprintf("%s\n", text); /* jansson's allocator is malloc: plain free() either way */
    free(text);
    return out;
}

char *attn_bench_csv(const attn_bench_result *results, const char *const *labels, int n, const char *corpus) {
    attn_strbuf sb = {0};
    attn_sb_puts(&sb, "label,model_type,parameters,latency_mean_ms,latency_std_ms,latency_median_ms,latency_min_ms,"
                      "throughput_per_s,peak_rss_mb,relative_speed,kernels,precision,bf16_max_att_dev,threads,batch,runs,warmup,"
                      "sentences,tokens_mean,load_ms,corpus,cpu,build\n");
    for (int i = 0; i < n; i++) {
        const attn_bench_result *r = &results[i];
        attn_sb_csv_field(&sb, labels[i]);
        attn_sb_putc(&sb, ',');
        attn_sb_csv_field(&sb, r->model_type);
        attn_sb_printf(&sb, ",%lld,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,", (long long)r->parameters, r->latency_mean_ms,
                       r->latency_std_ms, r->latency_median_ms, r->latency_min_ms, r->throughput_per_s, r->peak_rss_mb,
                       relative_speed(results, i));
        attn_sb_csv_field(&sb, r->kernels);
        attn_sb_printf(&sb, ",%s,%.17g,%d,%d,%d,%d,%d,%.17g,%.17g,", precision_name(r->precision), r->bf16_max_att_dev, r->threads, r->batch, r->runs, r->warmup, r->sentences,
                       r->tokens_mean, r->load_ms);
        attn_sb_csv_field(&sb, corpus ? corpus : "built-in");
        attn_sb_putc(&sb, ',');
        attn_sb_csv_field(&sb, attn_cpu_name());
        attn_sb_putc(&sb, ',');
        attn_sb_csv_field(&sb, attn_build_type());
        attn_sb_putc(&sb, '\n');
    }
    return attn_sb_take(&sb);
}

char *attn_bench_table(const attn_bench_result *results, const char *const *labels, int n, const char *corpus) {
    attn_strbuf sb = {0};
    if (n < 1) return attn_sb_take(&sb);
    const attn_bench_result *r0 = &results[0];
    attn_sb_printf(&sb, "CPU %s; kernels %s; %d threads; build %s; %s\n", attn_cpu_name(), r0->kernels, r0->threads,
                   attn_build_type(), precision_name(r0->precision));
    attn_sb_printf(&sb, "corpus %s: %d sentences; %d timed passes after %d warm-up; latency = tokenization + forward, "
                        "batch 1, attentions returned; throughput in batches of %d sorted by length\n\n",
                   corpus ? corpus : "built-in", r0->sentences, r0->runs, r0->warmup, r0->batch);
    attn_sb_printf(&sb, "%-20s %13s %7s %9s %8s %10s %12s %12s %8s\n", "model", "parameters", "tokens", "mean ms", "std ms",
                   "median ms", "sentences/s", "peak RSS MB", "speed");
    for (int i = 0; i < n; i++) {
        const attn_bench_result *r = &results[i];
        attn_sb_printf(&sb, "%-20s %13lld %7.1f %9.2f %8.2f %10.2f %12.1f %12.1f %7.2fx\n", labels[i], (long long)r->parameters,
                       r->tokens_mean, r->latency_mean_ms, r->latency_std_ms, r->latency_median_ms, r->throughput_per_s,
                       r->peak_rss_mb, relative_speed(results, i));
    }
    for (int i = 0; i < n; i++)
        if (results[i].precision == ATTN_PRECISION_BF16)
            attn_sb_printf(&sb, "%s: bf16 attention probabilities deviate from fp32 by at most %.3g (every layer and head, whole corpus)\n",
                           labels[i], results[i].bf16_max_att_dev);
    return attn_sb_take(&sb);
}

attn_status attn_bench_write_dir(const char *dir, const attn_bench_result *results, const char *const *labels, int n,
                                 const char *corpus) {
    char *csv = attn_bench_csv(results, labels, n, corpus), *json = attn_bench_json(results, labels, n, corpus);
    char *csv_path = attn_path_join(dir, "bench.csv"), *json_path = attn_path_join(dir, "bench.json");
    attn_status s = csv && json && csv_path && json_path ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "bench: out of memory");
    if (!s) s = attn_write_file_atomic(csv_path, csv, strlen(csv));
    if (!s) s = attn_write_file_atomic(json_path, json, strlen(json));
    free(csv), free(json), free(csv_path), free(json_path);
    return s;
}
