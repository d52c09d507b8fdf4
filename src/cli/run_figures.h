/* run_figures.h — `attnscope run ... --figures`: the attention views of the first sequence. */
#ifndef ATTN_RUN_FIGURES_H
#define ATTN_RUN_FIGURES_H

#include "cli.h"

enum { RUN_OPT_FIG_LAYER = 0x1100, RUN_OPT_FIG_HEADS };
#define RUN_FIGURE_LONG_OPTIONS                                                   \
    CLI_FIGURE_LONG_OPTIONS, {"fig-layer", required_argument, 0, RUN_OPT_FIG_LAYER}, \
        {"fig-heads", required_argument, 0, RUN_OPT_FIG_HEADS}

typedef struct run_figures {
    cli_figure_opts fig;
    int layer;          /* -1 = the last layer */
    int32_t *heads;     /* --fig-heads, or NULL = all heads (the single-head view uses heads[0]) */
    int n_heads;
    const char *cmd;         /* command named in errors (default "run") */
    const char *stem_prefix; /* put before each file name (e.g. "BERT_" when several models), or NULL */
} run_figures;

void run_figures_init(run_figures *rf);
void run_figures_free(run_figures *rf);
/* 1 = taken, 0 = not a figure option, -1 = bad value (printed; exit 2). */
int run_figures_opt(run_figures *rf, int c, const char *arg);
/* Before any work: options consistent, folder made (default: beside --dump, else ./figures). 0 or exit code. */
int run_figures_ready(run_figures *rf, const char *dump_path);
/* Once the model is open: the layer and heads exist. 0 or exit code (printed). */
int run_figures_check(run_figures *rf, const attn_config *cfg);
/* Draws the views of one sequence (its output must hold attentions). 0 or 1 (printed). */
int run_figures_draw(const run_figures *rf, const char *model_dir, const char *model_arg, const int32_t *ids,
                     const attn_output *out, int quiet);
void run_figures_help(void);

#endif
