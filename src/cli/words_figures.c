/* words_figures.c — the charts of similarity (cosine per hidden state, one line per model) and
 * focus (one word's attention as bars over the tokens, and the rows × tokens heatmap), drawn once
 * by the library's figure functions and handed to a sink: figure files (--figures) or an HTML
 * report (--report, compare --similarity/--focus). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "words_cli.h"

int words_draw_similarity(const attn_figure_style *style, words_fig_sink sink, void *user, const cli_model *m,
                          const attn_similarity *r, int n, const char *word) {
    const char **names = calloc((size_t)n, sizeof *names);
    int32_t *np = calloc((size_t)n, sizeof *np);
    const double **y = calloc((size_t)n, sizeof *y);
    if (!names || !np || !y) {
        free(names), free(np), free(y);
        return cli_error("out of memory");
    }
    for (int i = 0; i < n; i++) names[i] = m[i].label, np[i] = r[i].n_states, y[i] = r[i].cosine;
    char title[256];
    snprintf(title, sizeof title, "Cosine similarity of '%s' between the two sentences", word);
    attn_fig_lines d = {title, "Hidden state (0 = embeddings)", "Cosine similarity", n, names, np, y};
    attn_figure *f = NULL;
    int rc = attn_figure_lines(&d, style, &f) != ATTN_OK ? cli_lib_error() : sink(user, "similarity", title, f);
    free(names), free(np), free(y);
    return rc;
}

/* stem + "_" + suffix (suffix NULL or empty: stem alone) into buf. */
static const char *stem_of(char *buf, size_t size, const char *stem, const char *suffix) {
    snprintf(buf, size, suffix && *suffix ? "%s_%s" : "%s", stem, suffix);
    return buf;
}

/* The heatmap: rows [n][T] labelled "L2" (mean over heads / rollout) or "L2 H0". */
static int focus_heatmap(const attn_figure_style *style, words_fig_sink sink, void *user, const words_focus_fig *d,
                         const char *const *tokens, const char *title) {
    size_t T = (size_t)d->enc->n, n = (size_t)d->n_rows;
    double *v = malloc(n * T * sizeof *v);
    char (*labels)[24] = calloc(n, sizeof *labels), stem[160];
    const char **rl = calloc(n, sizeof *rl);
    int rc = 0;
    if (!v || !labels || !rl) rc = cli_error("out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        for (size_t j = 0; j < T; j++) v[i * T + j] = d->rows[i * T + j];
        if (d->head[i] < 0) snprintf(labels[i], sizeof labels[i], "L%d", d->layer[i]);
        else snprintf(labels[i], sizeof labels[i], "L%d H%d", d->layer[i], d->head[i]);
        rl[i] = labels[i];
    }
    attn_fig_heatmap h = {title, "Token", d->head[0] < 0 ? "Layer" : "Layer, head", "Attention", (int)n, (int)T, v, rl,
                          tokens, 0, 0};
    attn_figure *f = NULL;
    if (!rc)
        rc = attn_figure_heatmap(&h, style, &f) != ATTN_OK
                 ? cli_lib_error()
                 : sink(user, stem_of(stem, sizeof stem, "focus_heatmap", d->stem_suffix), title, f);
    free(v), free(labels), free(rl);
    return rc;
}

/* Token labels for the figures (cli_token_labels); [T] malloc'ed strings, or NULL. */
static char **focus_labels(const words_focus_fig *d) {
    return cli_token_labels(d->tok, d->enc->ids, d->enc->special_tokens_mask, d->enc->n);
}

int words_draw_focus(const attn_figure_style *style, words_fig_sink sink, void *user, const words_focus_fig *d) {
    if (d->n_rows < 1) return 0;
    size_t T = (size_t)d->enc->n, last = (size_t)d->n_rows - 1;
    double *v = malloc(T * sizeof *v);
    char **labels = focus_labels(d);
    int rc = 0;
    if (!v || !labels) {
        attn_token_labels_free(labels, (int32_t)T), free(v);
        return cli_error("out of memory");
    }
    for (size_t j = 0; j < T; j++) v[j] = d->rows[last * T + j];
    char title[320], row[48], who[96] = "", stem[160];
    if (d->model_label) snprintf(who, sizeof who, ", %s", d->model_label);
    if (d->head[last] < 0) snprintf(row, sizeof row, "layer %d, %s", d->layer[last], d->mode);
    else snprintf(row, sizeof row, "layer %d, head %d", d->layer[last], d->head[last]);
    snprintf(title, sizeof title, "Where '%s' attends (%s%s)", d->word, row, who);
    attn_fig_token_bars b = {title, NULL, (int)T, (const char *const *)labels, v, d->query};
    attn_figure *f = NULL;
    if (attn_figure_token_bars(&b, style, &f) != ATTN_OK) rc = cli_lib_error();
    else rc = sink(user, stem_of(stem, sizeof stem, "focus_bars", d->stem_suffix), title, f);
    free(v);
    snprintf(title, sizeof title, "Where '%s' attends, %s%s", d->word, d->head[0] < 0 ? "layer by layer" : "head by head",
             who);
    if (!rc) rc = focus_heatmap(style, sink, user, d, (const char *const *)labels, title);
    attn_token_labels_free(labels, (int32_t)T);
    return rc;
}

/* ---- into figure files (--figures) -------------------------------------------------------- */
static int save_sink(void *user, const char *stem, const char *title, attn_figure *f) {
    (void)title;
    return cli_figure_save(user, f, stem);
}

int words_figures_similarity(const cli_figure_opts *o, const cli_model *m, const attn_similarity *r, int n,
                             const char *word, int quiet) {
    if (!o->formats) return 0;
    int rc = words_draw_similarity(&o->style, save_sink, (void *)o, m, r, n, word);
    if (!rc && !quiet) printf("figure similarity in %s/\n", o->dir);
    return rc;
}

int words_figures_focus(const cli_figure_opts *o, const words_focus_fig *d, int quiet) {
    if (!o->formats || d->n_rows < 1) return 0;
    int rc = words_draw_focus(&o->style, save_sink, (void *)o, d);
    if (!rc && !quiet) printf("figures focus_bars, focus_heatmap in %s/\n", o->dir);
    return rc;
}
