/* study_figures.c — the corpus study's charts from its sums: the seed's metric bars per model and
 * per domain, head-statistics grids and head maps per model, model agreement per pair. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* The seed's four charted metrics ("CLS Attention Max", "Self-Attention Mean", ...). */
static const int sf_metrics[4] = {ATTN_M_CLS_MAX, ATTN_M_SELF_MEAN, ATTN_M_CF_RATIO, ATTN_M_ENTROPY};
static const char *const sf_metric_titles[4] = {"CLS Attention Max", "Self-Attention Mean", "Content/Function Ratio",
                                                "Entropy"};

typedef struct sf_walk {
    const attn_study_sums *s;
    const attn_figure_style *style;
    attn_study_figure_fn fn;
    void *user;
    const char **labels; /* [n_models] */
} sf_walk;

/* A file-name-safe copy of a label ('_' for anything outside [A-Za-z0-9._-]). */
static void sf_safe(char *dst, size_t cap, const char *label) {
    size_t n = 0;
    for (const char *p = label; *p && n + 1 < cap; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        dst[n++] = ok ? c : '_';
    }
    dst[n] = '\0';
}

/* Hands a drawn figure to fn (which owns it). */
static attn_status sf_emit(sf_walk *w, attn_status st, attn_figure **f, const char *stem, const char *title) {
    if (st != ATTN_OK) return st;
    attn_figure *fig = *f;
    *f = NULL;
    return w->fn(w->user, stem, title, fig);
}

static int sf_last_layer(const attn_study_sums *s, int m) {
    int first, last;
    attn_sums_metric_layers(s, m, &first, &last);
    return last;
}

static attn_status sf_metric_charts(sf_walk *w) {
    const attn_study_sums *s = w->s;
    int M = s->n_models, D = s->n_domains;
    double *by_model = malloc(4 * (size_t)M * sizeof *by_model);           // [4][M]
    double *by_domain = malloc(4 * (size_t)(D ? D : 1) * M * sizeof *by_domain); // [4][D][M]
    int *order = malloc((size_t)(D ? D : 1) * sizeof *order);
    const char **dnames = malloc((size_t)(D ? D : 1) * sizeof *dnames);
    if (!by_model || !by_domain || !order || !dnames) {
        free(by_model), free(by_domain), free(order), free(dnames);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    attn_sums_sorted_domains(s, order);
    for (int d = 0; d < D; d++) dnames[d] = s->domains[order[d]];
    for (int k = 0; k < 4; k++)
        for (int m = 0; m < M; m++) {
            int l = sf_last_layer(s, m);
            by_model[k * M + m] = attn_sums_metric_mean(s, -1, m, l, sf_metrics[k]);
            for (int d = 0; d < D; d++)
                by_domain[((size_t)k * D + d) * M + m] = attn_sums_metric_mean(s, order[d], m, l, sf_metrics[k]);
        }
    attn_figure *f = NULL;
    attn_fig_metric_bars mb = {NULL, 4, sf_metric_titles, M, w->labels, by_model};
    attn_status st = sf_emit(w, attn_figure_metric_bars(&mb, w->style, &f), &f, "metrics_by_model",
                             "Attention Patterns per Model (Overall Averages)");
    if (st == ATTN_OK && D > 0 && M <= 16) {
        attn_fig_domain_bars db = {NULL, 4, sf_metric_titles, D, dnames, M, w->labels, by_domain};
        f = NULL;
        st = sf_emit(w, attn_figure_domain_bars(&db, w->style, &f), &f, "metrics_by_domain", "Attention Patterns by Domain");
    }
    free(by_model), free(by_domain), free(order), free(dnames);
    return st;
}

/* Head statistics grid and head map of model m. */
static attn_status sf_model_charts(sf_walk *w, int m, const char *safe) {
    const attn_model_sums *ms = &w->s->models[m];
    int L = ms->layers, H = ms->heads, n = L * H;
    double *grid = malloc((size_t)ATTN_HS_COUNT * n * sizeof *grid); // [stat][L][H]
    double *dist = malloc((size_t)n * n * sizeof *dist);             // [n][n]
    int32_t *layer = malloc((size_t)n * sizeof *layer);
    const char *names[ATTN_HS_COUNT];
    if (!grid || !dist || !layer) {
        free(grid), free(dist), free(layer);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    for (int k = 0; k < ATTN_HS_COUNT; k++) names[k] = attn_head_stat_name(k);
    for (int i = 0; i < n; i++) {
        double st[ATTN_HS_COUNT];
        attn_sums_head_stats(w->s, m, i / H, i % H, st);
        for (int k = 0; k < ATTN_HS_COUNT; k++) grid[(size_t)k * n + i] = st[k];
        layer[i] = i / H;
        for (int j = 0; j < n; j++) dist[(size_t)i * n + j] = i == j ? 0 : attn_sums_head_distance(w->s, m, i, j);
    }
    char title[256], stem[160];
    snprintf(title, sizeof title, "%s: head statistics (mean over sentences)", ms->label);
    snprintf(stem, sizeof stem, "head_stats_%s", safe);
    attn_fig_head_grids hg = {title, L, H, ATTN_HS_COUNT, names, grid};
    attn_figure *f = NULL;
    attn_status st = sf_emit(w, attn_figure_head_grids(&hg, w->style, &f), &f, stem, title);
    if (st == ATTN_OK && n >= 2) {
        snprintf(title, sizeof title, "%s: head map (classical MDS of head distances)", ms->label);
        snprintf(stem, sizeof stem, "head_map_%s", safe);
        const char *model_name = ms->label;
        attn_fig_head_map hm = {title, n, dist, layer, NULL, 1, &model_name};
        f = NULL;
        st = sf_emit(w, attn_figure_head_map(&hm, w->style, &f), &f, stem, title);
    }
    free(grid), free(dist), free(layer);
    return st;
}

/* The agreement heatmap of models a < b: layers of a (rows) × layers of b. */
static attn_status sf_agreement(sf_walk *w, int a, int b, const char *safe_a, const char *safe_b) {
    const attn_agreement *ag = w->s->agreement;
    int ra = attn_agreement_layers(ag, a), cb = attn_agreement_layers(ag, b);
    double *v = malloc((size_t)ra * cb * sizeof *v); // [ra][cb]
    if (!v) return attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int i = 0; i < ra; i++)
        for (int j = 0; j < cb; j++) v[(size_t)i * cb + j] = attn_agreement_mean(ag, a, i, b, j);
    char title[256], xl[160], yl[160], stem[320];
    snprintf(title, sizeof title, "Model agreement: %s vs %s", w->labels[a], w->labels[b]);
    snprintf(yl, sizeof yl, "%s layer", w->labels[a]);
    snprintf(xl, sizeof xl, "%s layer", w->labels[b]);
    snprintf(stem, sizeof stem, "agreement_%s_%s", safe_a, safe_b);
    attn_fig_heatmap hm = {title, xl, yl, "word-level JS distance", ra, cb, v, NULL, NULL, 0, 0};
    attn_figure *f = NULL;
    attn_status st = sf_emit(w, attn_figure_heatmap(&hm, w->style, &f), &f, stem, title);
    free(v);
    return st;
}

/* Stems per model: the safe label, with "_<index>" when two labels would give the same. */
static char (*sf_stems(const attn_study_sums *s))[128] {
    char (*safe)[128] = calloc((size_t)s->n_models, sizeof *safe);
    for (int m = 0; safe && m < s->n_models; m++) {
        sf_safe(safe[m], 100, s->models[m].label);
        for (int j = 0; j < m; j++)
            if (strcmp(safe[j], safe[m]) == 0) {
                size_t n = strlen(safe[m]);
                snprintf(safe[m] + n, 128 - n, "_%d", m);
                break;
            }
    }
    return safe;
}

attn_status attn_study_figures(const attn_study_sums *s, const attn_figure_style *style, attn_study_figure_fn fn,
                               void *user) {
    if (!s || !fn || s->n_models < 1) return attn_fail(ATTN_E_INVALID, "study figures: no models");
    const char **labels = malloc((size_t)s->n_models * sizeof *labels);
    char (*safe)[128] = sf_stems(s);
    if (!labels || !safe) {
        free(labels), free(safe);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    for (int m = 0; m < s->n_models; m++) labels[m] = s->models[m].label;
    sf_walk w = {s, style, fn, user, labels};
    attn_status st = s->sentences > 0 ? sf_metric_charts(&w) : ATTN_OK;
    for (int m = 0; st == ATTN_OK && m < s->n_models; m++) st = sf_model_charts(&w, m, safe[m]);
    for (int a = 0; s->agreement && st == ATTN_OK && a < s->n_models; a++)
        for (int b = a + 1; st == ATTN_OK && b < s->n_models; b++) st = sf_agreement(&w, a, b, safe[a], safe[b]);
    free(labels), free(safe);
    return st;
}
