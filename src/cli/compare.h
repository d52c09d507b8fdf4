/* compare.h — `attnscope compare`: what cmd_compare.c (options, run) and compare_output.c
 * (tables, JSON summary, progress) share. */
#ifndef ATTN_CLI_COMPARE_H
#define ATTN_CLI_COMPARE_H

#include "cli.h"

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

/* ---- figures and report of the study (compare_figures.c, compare_report.c) ---------------- */
/* Draws every chart of the study into the figures folder; *written = how many. 0, or 1 (printed). */
int compare_figures_write(const cli_figure_opts *o, const attn_study_sums *s, int *written);

typedef struct compare_report {
    char *path;              /* OUT/report.html */
    attn_report *report;
    attn_study_report *study;
} compare_report;
/* Checks OUT/report.html can be written and starts the report (models added). 0 or 1 (printed). */
int compare_report_open(compare_report *cr, const char *out, const char *corpus, const compare_model *models, int n,
                        int64_t max_sentences);
/* Tables and charts; then (after anything else is added) the file. 0 or 1 (printed); nothing
 * without a report. */
int compare_report_finish(compare_report *cr, const attn_study_sums *s, const attn_config *const *configs,
                          const attn_figure_style *style);
int compare_report_write(compare_report *cr);
/* "wrote N figures to DIR/", "wrote OUT/report.html (...)" for what was written. */
void compare_outputs_print(const compare_report *cr, const cli_figure_opts *o, int figures);
void compare_report_free(compare_report *cr);

/* --similarity WORD, --focus WORD, --words-corpus FILE (compare_words.c) */
typedef struct compare_words {
    const char *similarity, *focus, *corpus; /* the words; where to look for them (NULL: --corpus) */
    char *sim_text[2], *focus_text;          /* the sentences found */
    int focus_layer, focus_head, focus_rollout; /* --focus-layer/-head/-rollout (focus's --layer/--head/--rollout); -1 = all */
} compare_words;
/* Finds the sentences before any model runs: the first two distinct ones holding the similarity
 * word, the first holding the focus word. 0, or 1 after printing (e.g. no such sentence). */
/* --focus-layer and --focus-head within every model's layers and heads: 0, or 1 after printing. */
int compare_words_check(const compare_words *w, const compare_model *models, int n);
int compare_words_find(compare_words *w, const char *corpus, const attn_corpus_options *co, const attn_tokenizer *tok,
                       const attn_config *cfg);
/* Computes both over every model and adds them to r (may be NULL) and, with --figures, to the
 * figures folder (*figures += files drawn). 0, or 1 after printing. */
int compare_words_add(const compare_words *w, const compare_model *models, int n, attn_report *r,
                      const cli_figure_opts *fig, int *figures);
void compare_words_free(compare_words *w);

/* --resume and --shard K/N (compare_scale.c) */
typedef struct compare_scale {
    int resume, shard, n_shards; /* n_shards 0: the whole corpus */
} compare_scale;
/* "K/N" into *sc; 0 after a usage error. */
int compare_parse_shard(const char *v, compare_scale *sc);
/* The checkpointed run of a study: its fingerprint from the options, the models and the corpus;
 * on_sentence (may be NULL) sees every sentence the run feeds to the study, before it. */
attn_status compare_run_open(const char *corpus, const attn_corpus_options *co, const attn_study_options *so,
                             const char *out, const compare_model *models, int n, attn_study *study,
                             const attn_config *const *cfg, int64_t total, const compare_scale *sc,
                             attn_run_sentence_fn on_sentence, void *user, attn_run **run);

#endif
