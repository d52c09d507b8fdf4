/* study_write.c — the study's files: dataset_sentences and metrics_by_sentence (streamed), and
 * architecture, metrics_by_domain, head_stats, head_distances (from the sums). Each as .csv + .json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "study_state_internal.h"

#define CELL 32

static const char *fmt_double(char *buf, double v) {
    if (isnan(v)) return NULL;
    snprintf(buf, CELL, "%.17g", v);
    return buf;
}

/* ---- streamed per-sentence files ---------------------------------------------------------- */
struct attn_sentence_writer {
    attn_table_writer *sentences, *metrics;
    attn_metrics_mode mode;
    int layer_column;
    int64_t last_sentence;
};

void attn_sentence_writer_abort(attn_sentence_writer *w) {
    if (!w) return;
    attn_table_abort(w->sentences);
    attn_table_abort(w->metrics);
    free(w);
}

/* The two tables' columns: dataset_sentences scols[4]; metrics_by_sentence mcols[*n]. */
static const char *const sentence_cols[] = {"Sentence_ID", "Domain", "Sentence", "Word_Count"};

static int metric_columns(attn_metrics_mode mode, int layer_column, const char **mcols) {
    int n = 0;
    mcols[n++] = "Sentence_ID", mcols[n++] = "Domain", mcols[n++] = "Model";
    if (layer_column) mcols[n++] = "Layer";
    for (int k = 0; k < attn_metric_count(mode); k++) mcols[n++] = attn_metric_name(k);
    if (mode != ATTN_METRICS_SEED) mcols[n++] = "Tokens", mcols[n++] = "Truncated_From"; /* seed: its columns only */
    return n;
}

/* keep == NULL: the final files in dir; else part files in the state folder dir, cut to keep[4]. */
static attn_status sentence_writer_open(const char *dir, attn_metrics_mode mode, int layer_column,
                                        const study_part_mark *keep, attn_sentence_writer **out) {
    const char *mcols[6 + ATTN_M_COUNT];
    int n = metric_columns(mode, layer_column, mcols);
    *out = NULL;
    attn_sentence_writer *w = calloc(1, sizeof *w);
    if (!w) return attn_fail(ATTN_E_NOMEM, "out of memory");
    w->mode = mode, w->layer_column = layer_column, w->last_sentence = -1;
    attn_status st = keep ? attn_table_open_part(dir, "dataset_sentences", sentence_cols, 4, keep, &w->sentences)
                          : attn_table_open(dir, "dataset_sentences", sentence_cols, 4, &w->sentences);
    if (st == ATTN_OK)
        st = keep ? attn_table_open_part(dir, "metrics_by_sentence", mcols, n, keep + 2, &w->metrics)
                  : attn_table_open(dir, "metrics_by_sentence", mcols, n, &w->metrics);
    if (st != ATTN_OK) {
        attn_sentence_writer_abort(w);
        return st;
    }
    *out = w;
    return ATTN_OK;
}

attn_status attn_sentence_writer_open(const char *dir, attn_metrics_mode mode, int layer_column,
                                      attn_sentence_writer **out) {
    return sentence_writer_open(dir, mode, layer_column, NULL, out);
}

attn_status study_sentence_parts_open(const char *state_dir, attn_metrics_mode mode, int layer_column,
                                      const study_part_mark keep[4], attn_sentence_writer **out) {
    return sentence_writer_open(state_dir, mode, layer_column, keep, out);
}

attn_status study_sentence_parts_sync(attn_sentence_writer *w, study_part_mark mark[4]) {
    attn_status st = attn_table_sync_part(w->sentences, mark);
    return st == ATTN_OK ? attn_table_sync_part(w->metrics, mark + 2) : st;
}

attn_status study_sentence_parts_assemble(const char *out_dir, attn_metrics_mode mode, int layer_column,
                                          const char *const *state_dirs, int n_dirs) {
    const char *mcols[6 + ATTN_M_COUNT];
    int n = metric_columns(mode, layer_column, mcols);
    attn_status st = attn_table_assemble(out_dir, "dataset_sentences", sentence_cols, 4, state_dirs, n_dirs);
    return st == ATTN_OK ? attn_table_assemble(out_dir, "metrics_by_sentence", mcols, n, state_dirs, n_dirs) : st;
}

attn_status attn_sentence_writer_row(attn_sentence_writer *w, const attn_metric_row *r) {
    char id[CELL], num[ATTN_M_COUNT][CELL], layer[CELL], words[CELL], tokens[CELL], from[CELL];
    snprintf(id, sizeof id, "S%lld", (long long)r->sentence + 1);
    if (r->sentence != w->last_sentence) {
        snprintf(words, sizeof words, "%d", r->word_count);
        const char *cells[4] = {id, r->domain, r->text, words};
        static const int numeric[4] = {0, 0, 0, 1};
        attn_status st = attn_table_row(w->sentences, cells, numeric);
        if (st != ATTN_OK) return st;
        w->last_sentence = r->sentence;
    }
    const char *cells[6 + ATTN_M_COUNT] = {id, r->domain, r->model_label};
    int numeric[6 + ATTN_M_COUNT] = {0}, n = 3;
    if (w->layer_column) {
        snprintf(layer, sizeof layer, "%d", r->layer);
        numeric[n] = 1, cells[n++] = layer;
    }
    for (int k = 0; k < attn_metric_count(w->mode); k++) numeric[n] = 1, cells[n++] = fmt_double(num[k], r->v[k]);
    snprintf(tokens, sizeof tokens, "%d", (int)r->tokens);
    snprintf(from, sizeof from, "%d", (int)r->truncated_from);
    if (w->mode != ATTN_METRICS_SEED) numeric[n] = 1, cells[n++] = tokens, numeric[n] = 1, cells[n++] = from;
    return attn_table_row(w->metrics, cells, numeric);
}

attn_status attn_sentence_writer_commit(attn_sentence_writer *w) {
    attn_status st = attn_table_commit(w->sentences);
    w->sentences = NULL;
    if (st == ATTN_OK) {
        st = attn_table_commit(w->metrics);
        w->metrics = NULL;
    }
    attn_sentence_writer_abort(w);
    return st;
}

/* ---- tables from the sums ----------------------------------------------------------------- */
static attn_status write_architecture(const attn_study_sums *s, const attn_config *const *cfg, const char *dir) {
    static const char *const cols[] = {"Model", "Layers", "Hidden Size", "Attention Heads", "Vocab Size",
                                       "Total Params", "Trainable Params"};
    static const int numeric[] = {0, 1, 1, 1, 1, 1, 1};
    attn_table_writer *w;
    attn_status st = attn_table_open(dir, "architecture", cols, 7, &w);
    for (int m = 0; st == ATTN_OK && m < s->n_models; m++) {
        char v[5][CELL];
        snprintf(v[0], CELL, "%d", cfg[m]->layers);
        snprintf(v[1], CELL, "%d", cfg[m]->hidden);
        snprintf(v[2], CELL, "%d", cfg[m]->heads);
        snprintf(v[3], CELL, "%d", cfg[m]->vocab);
        snprintf(v[4], CELL, "%lld", (long long)cfg[m]->parameters);
        const char *cells[] = {s->models[m].label, v[0], v[1], v[2], v[3], v[4], v[4]};
        st = attn_table_row(w, cells, numeric);
    }
    if (st != ATTN_OK) {
        attn_table_abort(w);
        return st;
    }
    return attn_table_commit(w);
}

void attn_sums_sorted_domains(const attn_study_sums *s, int *order) {
    for (int i = 0; i < s->n_domains; i++) order[i] = i;
    for (int i = 1; i < s->n_domains; i++) /* insertion sort: a handful of domains */
        for (int j = i; j > 0 && strcmp(s->domains[order[j - 1]], s->domains[order[j]]) > 0; j--) {
            int t = order[j];
            order[j] = order[j - 1], order[j - 1] = t;
        }
}

static attn_status domain_rows(const attn_study_sums *s, attn_table_writer *w, int d, int m) {
    int first, last, lc = s->layer_option == ATTN_LAYER_ALL;
    attn_sums_metric_layers(s, m, &first, &last);
    for (int l = first; l <= last; l++) {
        char num[ATTN_M_COUNT][CELL], layer[CELL];
        const char *cells[3 + ATTN_M_COUNT] = {s->domains[d], s->models[m].label};
        int numeric[3 + ATTN_M_COUNT] = {0}, n = 2;
        if (lc) {
            snprintf(layer, CELL, "%d", l);
            numeric[n] = 1, cells[n++] = layer;
        }
        for (int k = 0; k < attn_metric_count(s->mode); k++)
            numeric[n] = 1, cells[n++] = fmt_double(num[k], attn_sums_metric_mean(s, d, m, l, k));
        attn_status st = attn_table_row(w, cells, numeric);
        if (st != ATTN_OK) return st;
    }
    return ATTN_OK;
}

static attn_status write_by_domain(const attn_study_sums *s, const char *dir) {
    const char *cols[3 + ATTN_M_COUNT] = {"Domain", "Model"};
    int n = 2;
    if (s->layer_option == ATTN_LAYER_ALL) cols[n++] = "Layer";
    for (int k = 0; k < attn_metric_count(s->mode); k++) cols[n++] = attn_metric_name(k);
    int *order = malloc(((size_t)s->n_domains + 1) * sizeof *order);
    if (!order) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_sums_sorted_domains(s, order);
    attn_table_writer *w;
    attn_status st = attn_table_open(dir, "metrics_by_domain", cols, n, &w);
    for (int i = 0; st == ATTN_OK && i < s->n_domains; i++)
        for (int m = 0; st == ATTN_OK && m < s->n_models; m++) st = domain_rows(s, w, order[i], m);
    free(order);
    if (st != ATTN_OK) {
        attn_table_abort(w);
        return st;
    }
    return attn_table_commit(w);
}

static attn_status head_rows(const attn_study_sums *s, attn_table_writer *w, int m) {
    const attn_model_sums *ms = &s->models[m];
    for (int l = 0; l < ms->layers; l++)
        for (int h = 0; h < ms->heads; h++) {
            double st[ATTN_HS_COUNT];
            char num[ATTN_HS_COUNT][CELL], lb[CELL], hb[CELL];
            attn_sums_head_stats(s, m, l, h, st);
            snprintf(lb, CELL, "%d", l);
            snprintf(hb, CELL, "%d", h);
            const char *cells[4 + ATTN_HS_COUNT] = {ms->label, lb, hb};
            int numeric[4 + ATTN_HS_COUNT] = {0, 1, 1};
            for (int k = 0; k < ATTN_HS_COUNT; k++) numeric[3 + k] = 1, cells[3 + k] = fmt_double(num[k], st[k]);
            cells[3 + ATTN_HS_COUNT] = attn_head_pattern(st);
            attn_status r = attn_table_row(w, cells, numeric);
            if (r != ATTN_OK) return r;
        }
    return ATTN_OK;
}

static attn_status distance_rows(const attn_study_sums *s, attn_table_writer *w, int m) {
    const attn_model_sums *ms = &s->models[m];
    int nh = ms->layers * ms->heads;
    static const int numeric[6] = {0, 1, 1, 1, 1, 1};
    for (int a = 0; a < nh; a++)
        for (int b = a + 1; b < nh; b++) {
            char v[5][CELL];
            snprintf(v[0], CELL, "%d", a / ms->heads);
            snprintf(v[1], CELL, "%d", a % ms->heads);
            snprintf(v[2], CELL, "%d", b / ms->heads);
            snprintf(v[3], CELL, "%d", b % ms->heads);
            const char *cells[6] = {ms->label, v[0], v[1], v[2], v[3], fmt_double(v[4], attn_sums_head_distance(s, m, a, b))};
            attn_status r = attn_table_row(w, cells, numeric);
            if (r != ATTN_OK) return r;
        }
    return ATTN_OK;
}

/* model_agreement.csv and .json: every pair of models and of their layers. */
static attn_status write_agreement(const attn_study_sums *s, const char *dir) {
    const char **labels = malloc((size_t)s->n_models * sizeof *labels);
    char *csv = attn_path_join(dir, "model_agreement.csv"), *json = attn_path_join(dir, "model_agreement.json");
    attn_status st = labels && csv && json ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int m = 0; st == ATTN_OK && m < s->n_models; m++) labels[m] = s->models[m].label;
    if (st == ATTN_OK) st = attn_agreement_write_csv(s->agreement, labels, csv);
    if (st == ATTN_OK) st = attn_agreement_write_json(s->agreement, labels, json);
    free(labels);
    free(csv);
    free(json);
    return st;
}

typedef attn_status (*rows_fn)(const attn_study_sums *s, attn_table_writer *w, int m);

static attn_status write_per_model(const attn_study_sums *s, const char *dir, const char *name,
                                   const char *const *cols, int n, rows_fn rows) {
    attn_table_writer *w;
    attn_status st = attn_table_open(dir, name, cols, n, &w);
    for (int m = 0; st == ATTN_OK && m < s->n_models; m++) st = rows(s, w, m);
    if (st != ATTN_OK) {
        attn_table_abort(w);
        return st;
    }
    return attn_table_commit(w);
}

attn_status attn_study_write_tables(const attn_study_sums *s, const attn_config *const *configs, const char *dir) {
    const char *hcols[4 + ATTN_HS_COUNT] = {"Model", "Layer", "Head"};
    for (int k = 0; k < ATTN_HS_COUNT; k++) hcols[3 + k] = attn_head_stat_name(k);
    hcols[3 + ATTN_HS_COUNT] = "pattern";
    static const char *const dcols[] = {"Model", "Layer_A", "Head_A", "Layer_B", "Head_B", "JS_Distance"};
    attn_status st = write_architecture(s, configs, dir);
    if (st == ATTN_OK) st = write_by_domain(s, dir);
    if (st == ATTN_OK) st = write_per_model(s, dir, "head_stats", hcols, 4 + ATTN_HS_COUNT, head_rows);
    if (st == ATTN_OK) st = write_per_model(s, dir, "head_distances", dcols, 6, distance_rows);
    if (st == ATTN_OK && s->agreement) st = write_agreement(s, dir);
    return st;
}
