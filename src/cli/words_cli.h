/* words_cli.h — shared by the word-level commands (similarity, focus, align): loading labelled
 * models and turning library results into JSON. */
#ifndef ATTN_WORDS_CLI_H
#define ATTN_WORDS_CLI_H

#include <jansson.h>

#include "cli.h"

typedef struct cli_model {
    char *label;     /* LABEL of LABEL=MODEL, else the model's folder or Hub name */
    attn_model *model;
    attn_tokenizer *tok;
} cli_model;

/* Opens "[LABEL=]MODEL" (folder or Hub id): weights and tokenizer. 0 after printing the error. */
int cli_model_load(const char *arg, int quiet, cli_model *out);
void cli_model_close(cli_model *m);

/* Encodes text (cut to the model's positions, with the warning naming "LABEL: WHAT") and runs it
 * (attentions and hidden states as asked). *cut (may be NULL): what the cut kept. 0 after printing. */
int cli_model_run(cli_model *m, const char *what, const char *text, unsigned outputs, attn_encoding *enc, attn_output *out,
                  attn_truncation_info *cut);
/* The "truncated" member of the --json outputs: {"tokens": N, "kept": K}, or null when nothing was cut. */
json_t *cli_json_truncation(attn_truncation_info cut);

/* ---- focus rows, shared by `focus` (--layer/--head/--rollout) and `compare --focus`
 * (--focus-layer/--focus-head/--focus-rollout) ------------------------------------------------ */
typedef struct cli_focus_choice {
    int layer, head; /* -1 = every layer / the mean over heads */
    int rollout;
} cli_focus_choice;
/* The rows asked for: w [n][T] with their layer and head (-1 = mean over heads / rollout). */
typedef struct cli_focus_rows {
    int n;
    float *w;
    int *layer, *head;
    const char *mode; /* "mean over heads", "rollout" or "per head" */
} cli_focus_rows;
/* Checks the choice against m's layers and heads ("LABEL: --layer 5: the model has layers 0..1",
 * the options named as layer_opt and head_opt). 0 after printing. */
int cli_focus_check(const cli_focus_choice *c, const cli_model *m, const char *layer_opt, const char *head_opt);
/* The rows of the word's tokens pieces[np] in o. 0 after printing. */
int cli_focus_compute(const attn_output *o, const int32_t *pieces, int32_t np, const cli_focus_choice *c, cli_focus_rows *r);
void cli_focus_rows_free(cli_focus_rows *r);

json_t *cli_json_floats(const float *v, int n);
json_t *cli_json_matrix(const float *m, int rows, int cols); /* [[...], ...] */
json_t *cli_json_ints(const int32_t *v, int n);
json_t *cli_json_token_strings(const attn_encoding *e, const int32_t *idx, int n); /* idx NULL = all */
/* Prints j to stdout (indented, order kept, full precision) and frees it. Returns the exit code:
 * 0, or 1 after printing an error when j is NULL (json_pack fails on strings that are not UTF-8). */
int cli_json_print(json_t *j);

/* ---- the charts of similarity and focus (words_figures.c) -------------------------------- */
/* Where a drawn chart goes (figure files or a report); owns f. 0, or 1 after printing. */
typedef int (*words_fig_sink)(void *user, const char *stem, const char *title, attn_figure *f);
/* The cosine per hidden state, one line per model (stem "similarity"). 0, or 1 after printing. */
int words_draw_similarity(const attn_figure_style *style, words_fig_sink sink, void *user, const cli_model *m,
                          const attn_similarity *r, int n, const char *word);
typedef struct words_focus_fig {
    const char *word, *mode;  /* mode: "mean over heads", "rollout", "per head" */
    const attn_encoding *enc; /* the sentence's tokens (T = enc->n) */
    const attn_tokenizer *tok; /* for the token labels (cli_token_labels) */
    int query;                /* first token of the word (highlighted) */
    int n_rows;
    const float *rows;        /* [n_rows][T] */
    const int *layer, *head;  /* [n_rows]; head -1 = mean over heads / rollout */
    const char *model_label;  /* named in the titles, or NULL */
    const char *stem_suffix;  /* file stems focus_bars_SUFFIX, focus_heatmap_SUFFIX, or NULL */
} words_focus_fig;
/* The last row as bars over the tokens ("focus_bars") and every row as a heatmap ("focus_heatmap"). */
int words_draw_focus(const attn_figure_style *style, words_fig_sink sink, void *user, const words_focus_fig *d);
/* --figures: the same charts as files in o->dir (nothing without --figures). */
int words_figures_similarity(const cli_figure_opts *o, const cli_model *m, const attn_similarity *r, int n,
                             const char *word, int quiet);
int words_figures_focus(const cli_figure_opts *o, const words_focus_fig *d, int quiet);

/* ---- the results in an HTML report (words_report.c) --------------------------------------- */
#define WORDS_REPORT_MAX_SENTENCES 8
typedef struct words_report {
    attn_report *r;
    const attn_figure_style *style;
    const cli_model *models;  /* the report's models 0, 1, ... in this order */
    int n_models;
    int charts;               /* SVG id prefixes w0-, w1-, ... */
    const char *texts[WORDS_REPORT_MAX_SENTENCES]; /* sentences added (each once) */
    int index[WORDS_REPORT_MAX_SENTENCES], n_texts;
} words_report;
/* r and the models are borrowed; the models must already be the report's models in this order. */
void words_report_init(words_report *w, attn_report *r, const attn_figure_style *style, const cli_model *m, int n);
/* The two sentences with every model's attention, the cosine table, the tokens table and the
 * chart. r[n_models]. 0, or 1 after printing. */
int words_report_similarity(words_report *w, const attn_similarity *r, const char *word, char *const sent[2]);
/* The sentence with every model's attention, the rows as a table and the two charts. */
int words_report_focus(words_report *w, const words_focus_fig *d, const char *sentence);
/* A report of the models (added as its models, in order) for `similarity/focus --report`. */
int words_report_open(const char *title, const cli_model *m, int n, attn_report **out);

#endif
