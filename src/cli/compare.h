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
    int64_t total, done, last_sentence;
    double start, last_draw;
    int next_report; /* next tenth to report on a non-terminal */
} compare_progress;

/* A sentence finished: redraws the bar (terminal) or prints a line each tenth (otherwise). */
void compare_progress_update(compare_progress *p, int64_t sentence);
void compare_progress_end(compare_progress *p);
double compare_now(void);

/* The notebook's tables on stdout: architecture, overall averages per model, domain × model. */
void compare_print_tables(const attn_study_sums *s, const compare_model *models);
/* The JSON summary on stdout. */
void compare_print_json(const attn_study_sums *s, const compare_model *models, const char *out, double seconds);

#endif
