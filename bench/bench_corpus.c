/* bench_corpus.c — corpus mode of the peer comparison: a real corpus, sorted and batched by length.
 *
 *   bench_corpus MODEL_DIR [--corpus FILE] [--batch N] [--order length|file] [--runs N] [--warmup W]
 *                [--threads n] [--bf16] [--ids-out PATH] [--dump PATH]
 *
 * The corpus is read and tokenized exactly as `attnscope bench --corpus FILE` does (src/bench:
 * bench_corpus_load, the model's tokenizer truncated to its positions; default: the built-in 24
 * news sentences) and ordered the same way (bench_order_by_length: by token count, ties in corpus
 * order; --order file keeps the file's order, which the correctness check uses because it mixes
 * lengths). Batches are consecutive runs of --batch sentences (default 16) in that order.
 * --ids-out writes the ordered ids, one sentence a line, space-separated: bench/torch_forward.py and
 * bench/ort_forward.js read that file (--corpus IDS --batch N), pad each batch to its longest
 * sentence and pass an attention mask, so every engine runs the same sentences in the same batches.
 * attnscope packs a batch without padding (src/model/forward.c), so its work is the real tokens'.
 * --dump writes, for every sentence k of the order, input_ids.k, attentions.k (L, NH, T, T) and
 * last_hidden_state.k (T, C) of the batched forward (ATTN_OUT_ALL), for the peers' --check.
 * Timing: W warm-up passes, then N passes over all the batches (ids prepared beforehand, as the peers
 * do; attentions returned and freed): mean / std / min / median ms per pass; --runs 0 times nothing
 * (for --ids-out / --dump alone). GFLOP counts the real
 * tokens only (Σ over sentences of the forward's flops at T_k): padding is not credited to anyone.
 * The last line of output is one JSON object, for scripts. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attnscope.h"
#include "bench_internal.h"
#include "common.h"
#include "kernels.h"
#include "bench_util.h"

typedef struct corpus_run {
    attn_model *m;
    const attn_config *c;
    int n, batch;
    attn_encoding *enc; /* [n] in corpus order */
    int *order;         /* [n] the sentences in batch order */
    attn_input *in;     /* [n] in batch order */
    attn_output *out;   /* [batch] */
} corpus_run;

/* Multiply-adds ×2 of one sentence's forward: linear layers plus the two attention products. */
static double sentence_flops(const attn_config *c, int T) {
    double C = c->hidden, I = c->intermediate;
    return c->layers * (2.0 * T * (4 * C * C + 2 * C * I) + 4.0 * (double)T * T * C);
}

/* One pass over every batch; outputs freed unless keep (then out[] holds all n, in batch order). */
static int run_pass(corpus_run *r, attn_output *keep) {
    for (int i = 0; i < r->n; i += r->batch) {
        int b = r->n - i < r->batch ? r->n - i : r->batch;
        attn_output *out = keep ? keep + i : r->out;
        if (attn_model_forward(r->m, r->in + i, b, keep ? ATTN_OUT_ALL : ATTN_OUT_ATTENTIONS, out) != ATTN_OK) return 0;
        if (!keep)
            for (int k = 0; k < b; k++) attn_output_free(&out[k]);
    }
    return 1;
}

static int write_ids(const corpus_run *r, const char *path) {
    attn_strbuf sb = {0};
    for (int i = 0; i < r->n; i++) {
        for (int t = 0; t < r->in[i].len; t++) attn_sb_printf(&sb, t ? " %d" : "%d", (int)r->in[i].ids[t]);
        attn_sb_putc(&sb, '\n');
    }
    int ok = !sb.oom && sb.buf && attn_write_file_atomic(path, sb.buf, sb.len) == ATTN_OK;
    attn_sb_free(&sb);
    return ok;
}

/* The batched forward of every sentence, as safetensors: input_ids.k, attentions.k, last_hidden_state.k. */
static int write_dump(corpus_run *r, const char *path) {
    const attn_config *c = r->c;
    attn_output *all = calloc((size_t)r->n, sizeof *all);
    attn_tensor_view *v = calloc((size_t)r->n * 3, sizeof *v);
    char (*names)[48] = calloc((size_t)r->n * 3, sizeof *names);
    int ok = all && v && names && run_pass(r, all);
    for (int k = 0; ok && k < r->n; k++) {
        int64_t T = r->in[k].len;
        snprintf(names[3 * k], sizeof *names, "input_ids.%d", k);
        snprintf(names[3 * k + 1], sizeof *names, "attentions.%d", k);
        snprintf(names[3 * k + 2], sizeof *names, "last_hidden_state.%d", k);
        v[3 * k] = (attn_tensor_view){.name = names[3 * k], .dtype = ATTN_DTYPE_I32, .ndim = 1, .shape = {T}, .data = r->in[k].ids};
        v[3 * k + 1] = (attn_tensor_view){.name = names[3 * k + 1], .dtype = ATTN_DTYPE_F32, .ndim = 4,
                                          .shape = {c->layers, c->heads, T, T}, .data = all[k].attentions};
        v[3 * k + 2] = (attn_tensor_view){.name = names[3 * k + 2], .dtype = ATTN_DTYPE_F32, .ndim = 2, .shape = {T, c->hidden},
                                          .data = all[k].hidden_states + (size_t)c->layers * T * c->hidden};
    }
    if (ok) ok = attn_safetensors_write(path, v, 3 * r->n) == ATTN_OK;
    for (int k = 0; all && k < r->n; k++) attn_output_free(&all[k]);
    free(all), free(v), free(names);
    return ok;
}

/* Corpus → encodings → order → inputs. */
static int prepare(corpus_run *r, const char *dir, const char *corpus_path, int by_length) {
    bench_corpus corpus;
    attn_tokenizer *tok = NULL;
    if (bench_corpus_load(&corpus, corpus_path) != ATTN_OK) return 0;
    attn_encode_options eo;
    bench_encode_options(r->c, &eo);
    int ok = attn_tokenizer_open(dir, &tok) == ATTN_OK;
    r->n = corpus.n;
    r->enc = calloc((size_t)r->n, sizeof *r->enc);
    r->order = malloc((size_t)r->n * sizeof *r->order);
    r->in = malloc((size_t)r->n * sizeof *r->in);
    r->out = calloc((size_t)r->batch, sizeof *r->out);
    int *len = malloc((size_t)r->n * sizeof *len);
    ok = ok && r->enc && r->order && r->in && r->out && len;
    for (int i = 0; ok && i < r->n; i++) {
        ok = attn_tokenizer_encode(tok, corpus.text[i], NULL, &eo, &r->enc[i]) == ATTN_OK;
        if (ok) len[i] = r->enc[i].n;
    }
    for (int i = 0; ok && i < r->n; i++) r->order[i] = i;
    if (ok && by_length) ok = bench_order_by_length(len, r->n, r->order) == ATTN_OK;
    for (int i = 0; ok && i < r->n; i++) {
        const attn_encoding *e = &r->enc[r->order[i]];
        r->in[i] = (attn_input){e->ids, e->type_ids, e->n};
    }
    free(len);
    attn_tokenizer_free(tok);
    bench_corpus_free(&corpus);
    return ok;
}

static void usage(void) {
    fprintf(stderr, "usage: bench_corpus MODEL_DIR [--corpus FILE] [--batch N] [--order length|file] [--runs N] [--warmup W]\n"
                    "                    [--threads n] [--bf16] [--ids-out PATH] [--dump PATH]\n");
}

int main(int argc, char **argv) {
    const char *dir = NULL, *corpus_path = NULL, *ids_path = NULL, *dump_path = NULL, *order = "length";
    int runs = 5, warmup = 1, threads = 0, batch = 16, bf16 = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--corpus") && i + 1 < argc) corpus_path = argv[++i];
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--order") && i + 1 < argc) order = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--bf16")) bf16 = 1;
        else if (!strcmp(argv[i], "--ids-out") && i + 1 < argc) ids_path = argv[++i];
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc) dump_path = argv[++i];
        else if (argv[i][0] != '-' && !dir) dir = argv[i];
        else return usage(), 2;
    }
    if (!dir || runs < 0 || warmup < 0 || batch < 1 || (strcmp(order, "length") && strcmp(order, "file"))) return usage(), 2;

    corpus_run r = {.batch = batch};
    if (attn_model_open(dir, &r.m) != ATTN_OK) {
        fprintf(stderr, "bench_corpus: %s\n", attn_last_error());
        return 1;
    }
    attn_model_set_threads(r.m, threads);
    if (threads > 0) omp_set_num_threads(threads);
    r.c = attn_model_config(r.m);
    double *t = malloc((size_t)(runs ? runs : 1) * sizeof *t);
    int ok = t && prepare(&r, dir, corpus_path, !strcmp(order, "length"));
    if (ok && ids_path) ok = write_ids(&r, ids_path);
    if (ok && dump_path) ok = write_dump(&r, dump_path);
    if (ok && bf16) ok = attn_model_set_precision(r.m, ATTN_PRECISION_BF16) == ATTN_OK;
    if (!ok) fprintf(stderr, "bench_corpus: %s\n", attn_last_error());

    long tokens = 0, padded = 0;
    double flops = 0;
    for (int i = 0; ok && i < r.n; i++) {
        tokens += r.in[i].len;
        flops += sentence_flops(r.c, r.in[i].len);
        if (i % batch == 0) { /* a peer pads the batch to its longest sentence */
            int longest = 0, b = r.n - i < batch ? r.n - i : batch;
            for (int k = i; k < i + b; k++) longest = r.in[k].len > longest ? r.in[k].len : longest;
            padded += (long)b * longest;
        }
    }
    if (ok && runs)
        printf("bench_corpus: %s (%s), %s: %d sentences, %ld tokens (%.1f mean; %ld with per-batch padding), batches of %d, %s order\n",
               dir, r.c->model_type, corpus_path ? corpus_path : "built-in corpus", r.n, tokens, (double)tokens / r.n, padded, batch, order);
    for (int p = 0; ok && runs && p < warmup + runs; p++) {
        double s = now_ms();
        if (!(ok = run_pass(&r, NULL))) fprintf(stderr, "bench_corpus: forward: %s\n", attn_last_error());
        if (p >= warmup) t[p - warmup] = now_ms() - s;
    }
    if (ok && !runs)
        printf("bench_corpus: %s (%s), %s: %d sentences, %ld tokens (%.1f mean; %ld with per-batch padding of %d), %s order%s%s%s%s\n", dir,
               r.c->model_type, corpus_path ? corpus_path : "built-in corpus", r.n, tokens, (double)tokens / r.n, padded, batch, order,
               ids_path ? "; ids in " : "", ids_path ? ids_path : "", dump_path ? "; outputs in " : "", dump_path ? dump_path : "");
    if (ok && runs) {
        double mean = 0, sd = 0;
        for (int i = 0; i < runs; i++) mean += t[i];
        mean /= runs;
        for (int i = 0; i < runs; i++) sd += (t[i] - mean) * (t[i] - mean);
        sd = runs > 1 ? sqrt(sd / (runs - 1)) : 0.0;
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        double median = runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]);
        const char *variant = bf16 ? (attn_amx_supported() ? "amx-bf16" : "avx512-bf16") : attn_matmul_variant();
        printf("corpus    %s %s, %d threads: per pass mean %.2f ms  std %.2f  min %.2f  median %.2f  (%d runs, %d warm-up); "
               "%.3f ms per sentence, %.1f GFLOP/s (real tokens)\n",
               bf16 ? "bf16" : "fp32", variant, omp_get_max_threads(), mean, sd, t[0], median, runs, warmup, median / r.n, flops / (median * 1e6));
        printf("{\"bench\":\"corpus\",\"precision\":\"%s\",\"model\":\"%s\",\"variant\":\"%s\",\"threads\":%d,\"batch\":%d,\"order\":\"%s\","
               "\"sentences\":%d,\"tokens\":%ld,\"padded_tokens\":%ld,\"runs\":%d,\"mean_ms\":%.3f,\"std_ms\":%.3f,\"min_ms\":%.3f,"
               "\"median_ms\":%.3f,\"per_sentence_ms\":%.4f,\"gflop\":%.4f,\"gflops\":%.2f}\n",
               bf16 ? "bf16" : "fp32", r.c->model_type, variant, omp_get_max_threads(), batch, order, r.n, tokens, padded, runs,
               mean, sd, t[0], median, median / r.n, flops * 1e-9, flops / (median * 1e6));
    }
    for (int i = 0; r.enc && i < r.n; i++) attn_encoding_free(&r.enc[i]);
    free(r.enc), free(r.order), free(r.in), free(r.out), free(t);
    attn_model_free(r.m);
    return ok ? 0 : 1;
}
