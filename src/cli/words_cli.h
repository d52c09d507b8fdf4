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

/* Encodes text and runs it (attentions and hidden states as asked). 0 after printing. */
int cli_model_run(cli_model *m, const char *text, unsigned outputs, attn_encoding *enc, attn_output *out);

json_t *cli_json_floats(const float *v, int n);
json_t *cli_json_matrix(const float *m, int rows, int cols); /* [[...], ...] */
json_t *cli_json_ints(const int32_t *v, int n);
json_t *cli_json_token_strings(const attn_encoding *e, const int32_t *idx, int n); /* idx NULL = all */
/* Prints j to stdout (indented, order kept, full precision) and frees it. Returns the exit code:
 * 0, or 1 after printing an error when j is NULL (json_pack fails on strings that are not UTF-8). */
int cli_json_print(json_t *j);

/* ---- --figures of similarity and focus (words_figures.c); 0, or 1 after printing ---------- */
int words_figures_similarity(const cli_figure_opts *o, const cli_model *m, const attn_similarity *r, int n,
                             const char *word, int quiet);
typedef struct words_focus_fig {
    const char *word, *mode;  /* mode: "mean over heads", "rollout", "per head" */
    const attn_encoding *enc; /* the sentence's tokens (T = enc->n) */
    const attn_tokenizer *tok; /* for the token labels (cli_token_label) */
    int query;                /* first token of the word (highlighted) */
    int n_rows;
    const float *rows;        /* [n_rows][T] */
    const int *layer, *head;  /* [n_rows]; head -1 = mean over heads / rollout */
} words_focus_fig;
int words_figures_focus(const cli_figure_opts *o, const words_focus_fig *d, int quiet);

#endif
