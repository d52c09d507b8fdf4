/* bench_internal.h — the pieces of attn_bench_run (src/bench/). */
#ifndef ATTN_BENCH_INTERNAL_H
#define ATTN_BENCH_INTERNAL_H

#include "common.h"

typedef struct bench_corpus {
    char **text; /* [n] NUL-terminated sentences */
    int n;
    size_t cap;
} bench_corpus;

/* path NULL = the built-in sentences. */
attn_status bench_corpus_load(bench_corpus *c, const char *path);
void bench_corpus_free(bench_corpus *c);

#endif
