/* study_sums.c — the study's sufficient statistics (sums and counts) and the final means from them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "study_internal.h"

attn_status study_sums_alloc(attn_study_sums *s, int n_models, const char *const *labels, const int32_t *layers,
                             const int32_t *heads) {
    memset(s, 0, sizeof *s);
    s->models = attn_calloc((size_t)n_models, sizeof *s->models);
    s->exact = attn_calloc(1, sizeof *s->exact);
    if (!s->models || !s->exact) return attn_fail(ATTN_E_NOMEM, "out of memory");
    s->n_models = n_models;
    s->exact->head = attn_calloc((size_t)n_models, sizeof *s->exact->head);
    s->exact->dist = attn_calloc((size_t)n_models, sizeof *s->exact->dist);
    if (!s->exact->head || !s->exact->dist) return attn_fail(ATTN_E_NOMEM, "out of memory");
    if (n_models > 1) {
        attn_status a = attn_agreement_create(n_models, layers, &s->agreement);
        if (a != ATTN_OK) return a;
    }
    for (int m = 0; m < n_models; m++) {
        attn_model_sums *ms = &s->models[m];
        size_t nh = (size_t)layers[m] * (size_t)heads[m];
        ms->layers = layers[m], ms->heads = heads[m];
        ms->label = attn_strdup(labels[m]);
        ms->head_count = attn_calloc(nh * ATTN_HS_COUNT, sizeof *ms->head_count);
        ms->head_sum = attn_calloc(nh * ATTN_HS_COUNT, sizeof *ms->head_sum);
        ms->dist_sum = attn_calloc(nh * nh, sizeof *ms->dist_sum);
        s->exact->head[m] = attn_calloc(nh * ATTN_HS_COUNT, sizeof *s->exact->head[m]);
        s->exact->dist[m] = attn_calloc(nh * nh, sizeof *s->exact->dist[m]);
        if (!ms->label || !ms->head_count || !ms->head_sum || !ms->dist_sum || !s->exact->head[m] || !s->exact->dist[m])
            return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    return ATTN_OK;
}

attn_status study_sums_init(attn_study_sums *s, const attn_study *st) {
    int n = st->n_models;
    const char **labels = malloc((size_t)n * sizeof *labels);
    int32_t *shape = malloc((size_t)n * 2 * sizeof *shape);
    attn_status r = labels && shape ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int m = 0; r == ATTN_OK && m < n; m++) {
        const attn_config *c = attn_model_config(st->models[m].model);
        labels[m] = st->models[m].label, shape[m] = c->layers, shape[n + m] = c->heads;
    }
    if (r == ATTN_OK) r = study_sums_alloc(s, n, labels, shape, shape + n);
    free(labels), free(shape);
    s->mode = st->o.mode;
    s->layer_option = st->o.layer;
    return r;
}

void study_sums_settle(attn_study_sums *s) {
    for (int m = 0; m < s->n_models; m++) {
        attn_model_sums *ms = &s->models[m];
        size_t nh = (size_t)ms->layers * (size_t)ms->heads;
        for (size_t k = 0; k < nh * ATTN_HS_COUNT; k++) ms->head_sum[k] = attn_fixed_value(s->exact->head[m][k]);
        for (size_t k = 0; k < nh * nh; k++) ms->dist_sum[k] = attn_fixed_value(s->exact->dist[m][k]);
    }
    for (int i = 0; i < s->n_cells; i++)
        for (int k = 0; k < ATTN_M_COUNT; k++) s->cells[i].sum[k] = attn_fixed_value(s->exact->cells[(size_t)i * ATTN_M_COUNT + k]);
}

void attn_study_sums_free(attn_study_sums *s) {
    if (!s) return;
    for (int m = 0; s->models && m < s->n_models; m++) {
        free(s->models[m].label);
        free(s->models[m].head_count);
        free(s->models[m].head_sum);
        free(s->models[m].dist_sum);
        if (s->exact && s->exact->head) free(s->exact->head[m]);
        if (s->exact && s->exact->dist) free(s->exact->dist[m]);
    }
    if (s->exact) free(s->exact->head), free(s->exact->dist), free(s->exact->cells);
    free(s->exact);
    free(s->models);
    for (int d = 0; d < s->n_domains; d++) free(s->domains[d]);
    free(s->domains);
    free(s->cells);
    attn_agreement_free(s->agreement);
    memset(s, 0, sizeof *s);
}

int study_sums_domain(attn_study_sums *s, const char *name) {
    for (int d = 0; d < s->n_domains; d++)
        if (strcmp(s->domains[d], name) == 0) return d;
    char *copy = attn_strdup(name);
    if (!copy || !attn_grow((void **)&s->domains, &s->domains_cap, (size_t)s->n_domains + 1, sizeof *s->domains)) {
        free(copy);
        return attn_fail(ATTN_E_NOMEM, "out of memory"), -1;
    }
    s->domains[s->n_domains] = copy;
    return s->n_domains++;
}

attn_domain_cell *study_sums_cell(attn_study_sums *s, int domain, int model, int layer) {
    for (int i = 0; i < s->n_cells; i++) {
        attn_domain_cell *c = &s->cells[i];
        if (c->domain == domain && c->model == model && c->layer == layer) return c;
    }
    size_t cap = s->cells_cap;
    if (!attn_grow((void **)&s->cells, &s->cells_cap, (size_t)s->n_cells + 1, sizeof *s->cells)) {
        attn_fail(ATTN_E_NOMEM, "out of memory");
        return NULL;
    }
    if (s->cells_cap != cap) { /* the exact sums grow in step */
        attn_fixed *x = realloc(s->exact->cells, s->cells_cap * ATTN_M_COUNT * sizeof *x);
        if (!x) {
            attn_fail(ATTN_E_NOMEM, "out of memory");
            return NULL;
        }
        s->exact->cells = x;
    }
    memset(&s->exact->cells[(size_t)s->n_cells * ATTN_M_COUNT], 0, ATTN_M_COUNT * sizeof *s->exact->cells);
    attn_domain_cell *c = &s->cells[s->n_cells++];
    memset(c, 0, sizeof *c);
    c->domain = domain, c->model = model, c->layer = layer;
    return c;
}

static attn_status merge_model(attn_model_sums *d, const attn_model_sums *s, attn_fixed *const dx[2],
                               const attn_fixed *const sx[2]) {
    if (strcmp(d->label, s->label) != 0 || d->layers != s->layers || d->heads != s->heads)
        return attn_fail(ATTN_E_INVALID, "merge: model %s (%d×%d heads) does not match %s (%d×%d heads)", s->label,
                         s->layers, s->heads, d->label, d->layers, d->heads);
    size_t nh = (size_t)d->layers * (size_t)d->heads;
    for (size_t k = 0; k < nh * ATTN_HS_COUNT; k++) d->head_count[k] += s->head_count[k], dx[0][k] += sx[0][k];
    for (size_t k = 0; k < nh * nh; k++) dx[1][k] += sx[1][k];
    d->sentences += s->sentences;
    return ATTN_OK;
}

attn_status attn_study_sums_merge(attn_study_sums *dst, const attn_study_sums *src) {
    if (dst->n_models != src->n_models || dst->mode != src->mode || dst->layer_option != src->layer_option)
        return attn_fail(ATTN_E_INVALID, "merge: the studies differ in models, metrics mode or layers");
    for (int m = 0; m < dst->n_models; m++) {
        attn_fixed *const dx[2] = {dst->exact->head[m], dst->exact->dist[m]};
        const attn_fixed *const sx[2] = {src->exact->head[m], src->exact->dist[m]};
        attn_status st = merge_model(&dst->models[m], &src->models[m], dx, sx);
        if (st != ATTN_OK) return st;
    }
    for (int i = 0; i < src->n_cells; i++) {
        const attn_domain_cell *c = &src->cells[i];
        int d = study_sums_domain(dst, src->domains[c->domain]);
        attn_domain_cell *t = d < 0 ? NULL : study_sums_cell(dst, d, c->model, c->layer);
        if (!t) return ATTN_E_NOMEM;
        attn_fixed *tx = &dst->exact->cells[(size_t)(t - dst->cells) * ATTN_M_COUNT];
        for (int k = 0; k < ATTN_M_COUNT; k++) t->count[k] += c->count[k], tx[k] += src->exact->cells[(size_t)i * ATTN_M_COUNT + k];
    }
    if (dst->agreement && src->agreement) {
        attn_status st = attn_agreement_merge(dst->agreement, src->agreement);
        if (st != ATTN_OK) return st;
    }
    dst->sentences += src->sentences;
    study_sums_settle(dst);
    return ATTN_OK;
}

double attn_sums_metric_mean(const attn_study_sums *s, int domain, int model, int layer, int k) {
    double sum = 0.0;
    int64_t n = 0;
    for (int i = 0; i < s->n_cells; i++) {
        const attn_domain_cell *c = &s->cells[i];
        if ((domain < 0 || c->domain == domain) && c->model == model && c->layer == layer) sum += c->sum[k], n += c->count[k];
    }
    return n ? sum / (double)n : NAN;
}

void attn_sums_head_stats(const attn_study_sums *s, int model, int layer, int head, double *out) {
    const attn_model_sums *m = &s->models[model];
    size_t at = ((size_t)layer * m->heads + head) * ATTN_HS_COUNT;
    for (int k = 0; k < ATTN_HS_COUNT; k++)
        out[k] = m->head_count[at + k] ? m->head_sum[at + k] / (double)m->head_count[at + k] : NAN;
}

double attn_sums_head_distance(const attn_study_sums *s, int model, int a, int b) {
    const attn_model_sums *m = &s->models[model];
    size_t nh = (size_t)m->layers * m->heads;
    return m->sentences ? m->dist_sum[(size_t)a * nh + b] / (double)m->sentences : NAN;
}

void attn_sums_metric_layers(const attn_study_sums *s, int model, int *first, int *last) {
    int L = s->models[model].layers;
    if (s->layer_option == ATTN_LAYER_ALL) *first = 0, *last = L - 1;
    else if (s->layer_option == ATTN_LAYER_LAST) *first = *last = L - 1;
    else *first = *last = s->layer_option;
}
