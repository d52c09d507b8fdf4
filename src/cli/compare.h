/* compare.h — `attnscope compare`: what cmd_compare.c (options, run) and compare_output.c
 * (tables, JSON summary, progress) share. */
#ifndef ATTN_CLI_COMPARE_H
#define ATTN_CLI_COMPARE_H

#include "attnscope.h"

typedef struct compare_model {
    char *label;
    char *dir;
    attn_model *model;
    attn_tokenizer *tok;
} compare_model;

typedef struct compare_progress {
    int quiet, tty, line_open;
    int models;
    int64_t total, done; /* sentence-model runs (total = sentences × models) */
    double start, last_draw;
    int next_report; /* next tenth to report on a non-terminal */
} compare_progress;

/* runs_done of total sentence-model runs: redraws the bar (terminal, at most 10 times a second)
 * or prints a line each tenth (otherwise). */
void compare_progress_update(compare_progress *p, int64_t runs_done);
void compare_progress_end(compare_progress *p);
double compare_now(void);

/* The notebook's tables on stdout: architecture, overall averages per model, domain × model. */
void compare_print_tables(const attn_study_sums *s, const compare_model *models);
/* The JSON summary on stdout. */
void compare_print_json(const attn_study_sums *s, const compare_model *models, const char *out, double seconds);

/* --resume and --shard K/N (compare_scale.c) */
typedef struct compare_scale {
    int resume, shard, n_shards; /* n_shards 0: the whole corpus */
} compare_scale;
/* "K/N" into *sc; 0 after a usage error. */
int compare_parse_shard(const char *v, compare_scale *sc);
/* The checkpointed run of a study: its fingerprint from the options, the models and the corpus. */
attn_status compare_run_open(const char *corpus, const attn_corpus_options *co, const attn_study_options *so,
                             const char *out, const compare_model *models, int n, attn_study *study,
                             const attn_config *const *cfg, int64_t total, const compare_scale *sc, attn_run **run);

#endif
