/* bench_internal.h — the pieces of attn_bench_run (src/bench/). */
#ifndef ATTN_BENCH_INTERNAL_H
#define ATTN_BENCH_INTERNAL_H

#include "attnscope.h"
#include "common.h"

typedef struct bench_corpus {
    char **text; /* [n] NUL-terminated sentences */
    int n;
    size_t cap;
} bench_corpus;

/* path NULL = the built-in sentences; else a corpus as attn_corpus_open reads it (o NULL = defaults). */
attn_status bench_corpus_read(bench_corpus *c, const char *path, const attn_corpus_options *o);
attn_status bench_corpus_load(bench_corpus *c, const char *path); /* o = defaults */
void bench_corpus_free(bench_corpus *c);

/* order[0..n): the sentence indices sorted by token count len[], ties in corpus order — the
 * batching of the throughput pass (and of bench/bench_corpus, which the peer engines follow). */
attn_status bench_order_by_length(const int *len, int n, int *order);

/* Encoding options of the benchmark: truncated to the model's positions. */
void bench_encode_options(const attn_config *c, attn_encode_options *eo);

#endif
