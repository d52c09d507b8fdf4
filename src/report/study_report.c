/* study_report.c — the corpus study as a report: sentences and their attention (token and word
 * level) added while the study runs, its tables and charts added from the sums at the end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

struct attn_study_report {
    attn_report *r;
    int n_models;
    const attn_tokenizer **tok; /* [n_models], entries may be NULL */
    int64_t max_sentences, added;
    json_t *rows;               /* per-sentence metric rows of the embedded sentences */
};

attn_status attn_study_report_create(attn_report *r, const char *const *labels, const char *const *infos,
                                     const attn_tokenizer *const *tokenizers, int n_models, int64_t max_sentences,
                                     attn_study_report **out) {
    *out = NULL;
    attn_study_report *sr = attn_calloc(1, sizeof *sr);
    if (!sr || !(sr->tok = attn_calloc((size_t)n_models + 1, sizeof *sr->tok)) || !(sr->rows = json_array())) {
        attn_study_report_free(sr);
        return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    }
    sr->r = r, sr->n_models = n_models, sr->max_sentences = max_sentences < 0 ? 0 : max_sentences;
    attn_report_set_scale(r, ATTN_REPORT_SCALE_MILLI);
    for (int m = 0; m < n_models; m++) {
        sr->tok[m] = tokenizers ? tokenizers[m] : NULL;
        attn_status st = attn_report_add_model(r, labels[m], infos ? infos[m] : NULL, NULL);
        if (st != ATTN_OK) {
            attn_study_report_free(sr);
            return st;
        }
    }
    *out = sr;
    return ATTN_OK;
}

void attn_study_report_free(attn_study_report *sr) {
    if (!sr) return;
    free(sr->tok);
    json_decref(sr->rows);
    free(sr);
}

attn_status attn_study_report_sentence(attn_study_report *sr, const char *domain, const char *text) {
    int64_t i = sr->added++;
    if (i >= sr->max_sentences) return ATTN_OK;
    char id[32];
    snprintf(id, sizeof id, "S%lld", (long long)i + 1);
    attn_report_sentence s = {id, text, NULL, domain};
    return attn_report_add_sentence(sr->r, &s, NULL);
}

attn_status attn_study_report_attention(void *user, const attn_attention_view *v) {
    attn_study_report *sr = user;
    if (v->sentence >= sr->max_sentences || v->sentence >= attn_report_sentence_count(sr->r)) return ATTN_OK;
    const attn_encoding *e = v->enc;
    const attn_output *o = v->out;
    attn_words w = {0};
    attn_status st = attn_words_map(v->text, e, &w);
    if (st != ATTN_OK) return st;
    char **display = sr->tok[v->model] ? report_display_labels(sr->tok[v->model], e) : NULL;
    /* words as token -> word map: the page aggregates them itself (a word blob would add ~70 %) */
    if (st == ATTN_OK) {
        attn_report_attention a = {.n_tokens = e->n, .tokens = (const char *const *)e->tokens,
                                   .display = (const char *const *)display, .word_ids = e->word_ids,
                                   .offsets = e->offsets, .layers = o->layers, .heads = o->heads,
                                   .attentions = o->attentions, .n_words = w.n <= 4096 ? w.n : 0, /* as view */
                                   .words = (const char *const *)w.words, .token_words = w.token_word};
        st = attn_report_add_attention(sr->r, (int)v->sentence, v->model, &a);
    }
    for (int32_t t = 0; display && t < e->n; t++) free(display[t]);
    free(display);
    attn_words_free(&w);
    return st;
}

static json_t *num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

attn_status attn_study_report_row(void *user, const attn_metric_row *row) {
    attn_study_report *sr = user;
    if (row->sentence >= sr->max_sentences) return ATTN_OK;
    char id[32];
    snprintf(id, sizeof id, "S%lld", (long long)row->sentence + 1);
    json_t *r = json_pack("[I, s, s, s?, s, i]", (json_int_t)row->sentence, id, row->domain, row->text,
                          row->model_label, row->layer);
    for (int k = 0; r && k < ATTN_M_COUNT; k++) json_array_append_new(r, num_or_null(row->v[k]));
    if (!r || json_array_append_new(sr->rows, r)) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    return ATTN_OK;
}

/* ---- tables and charts from the sums ------------------------------------------------------ */
/* Adds {"columns": cols, "rows": rows} (takes rows) as a table. */
static attn_status add_table(attn_report *r, const char *title, const char *const *cols, int n, json_t *rows,
                             const char *link) {
    json_t *c = json_array();
    for (int i = 0; c && i < n; i++) json_array_append_new(c, json_string(cols[i]));
    json_t *t = c && rows ? json_pack("{s:o, s:o}", "columns", c, "rows", rows) : NULL;
    char *text = t ? json_dumps(t, JSON_COMPACT) : NULL;
    json_decref(t);
    if (!t) json_decref(c), json_decref(rows);
    attn_status st = text ? attn_report_add_table(r, title, text, link) : attn_fail(ATTN_E_NOMEM, "report: out of memory");
    free(text);
    return st;
}

static attn_status architecture_table(attn_report *r, const attn_study_sums *s, const attn_config *const *cfg) {
    static const char *const cols[] = {"Model", "Layers", "Hidden Size", "Attention Heads", "Vocab Size", "Total Params"};
    json_t *rows = json_array();
    for (int m = 0; rows && m < s->n_models; m++)
        json_array_append_new(rows, json_pack("[s, i, i, i, i, I]", s->models[m].label, cfg[m]->layers, cfg[m]->hidden,
                                              cfg[m]->heads, cfg[m]->vocab, (json_int_t)cfg[m]->parameters));
    return add_table(r, "Architecture", cols, 6, rows, NULL);
}

/* The overall averages per model (domain -1) or the domain x model pivot. */
static attn_status metric_table(attn_report *r, const attn_study_sums *s, int pivot) {
    const char *cols[3 + ATTN_M_COUNT] = {"Domain", "Model"};
    int n = 2, lc = s->layer_option == ATTN_LAYER_ALL, K = attn_metric_count(s->mode), D = pivot ? s->n_domains : 1;
    if (lc) cols[n++] = "Layer";
    for (int k = 0; k < K; k++) cols[n++] = attn_metric_name(k);
    int *order = malloc(((size_t)s->n_domains + 1) * sizeof *order);
    json_t *rows = order ? json_array() : NULL;
    if (order) attn_sums_sorted_domains(s, order);
    for (int i = 0; rows && i < D; i++)
        for (int m = 0; m < s->n_models; m++) {
            int first, last, d = pivot ? order[i] : -1;
            attn_sums_metric_layers(s, m, &first, &last);
            for (int l = first; l <= last; l++) {
                json_t *row = json_pack("[s, s]", pivot ? s->domains[d] : "(all)", s->models[m].label);
                if (row && lc) json_array_append_new(row, json_integer(l));
                for (int k = 0; row && k < K; k++) json_array_append_new(row, num_or_null(attn_sums_metric_mean(s, d, m, l, k)));
                if (row) json_array_append_new(rows, row);
            }
        }
    free(order);
    return add_table(r, pivot ? "Metrics by domain" : "Overall averages per model", cols, n, rows, NULL);
}

/* The rows kept during the run, cut to the mode's metrics (and without Layer unless --layer all). */
static attn_status sentence_table(attn_study_report *sr, const attn_study_sums *s) {
    const char *cols[6 + ATTN_M_COUNT] = {"sentence", "Sentence_ID", "Domain", "Sentence", "Model"};
    int n = 5, lc = s->layer_option == ATTN_LAYER_ALL, K = attn_metric_count(s->mode);
    if (lc) cols[n++] = "Layer";
    for (int k = 0; k < K; k++) cols[n++] = attn_metric_name(k);
    size_t i;
    json_t *row;
    json_array_foreach(sr->rows, i, row) {
        while ((int)json_array_size(row) > 6 + K) json_array_remove(row, json_array_size(row) - 1);
        if (!lc) json_array_remove(row, 5);
    }
    char title[96];
    if (sr->added > sr->max_sentences)
        snprintf(title, sizeof title, "Metrics by sentence (the first %lld of %lld sentences)", (long long)sr->max_sentences,
                 (long long)sr->added);
    else snprintf(title, sizeof title, "Metrics by sentence");
    json_t *rows = sr->rows;
    sr->rows = NULL;
    return add_table(sr->r, title, cols, n, rows, "sentence");
}

static attn_status head_table(attn_report *r, const attn_study_sums *s) {
    const char *cols[4 + ATTN_HS_COUNT] = {"Model", "layer", "head"};
    for (int k = 0; k < ATTN_HS_COUNT; k++) cols[3 + k] = attn_head_stat_name(k);
    cols[3 + ATTN_HS_COUNT] = "pattern";
    json_t *rows = json_array();
    for (int m = 0; rows && m < s->n_models; m++)
        for (int l = 0; l < s->models[m].layers; l++)
            for (int h = 0; h < s->models[m].heads; h++) {
                double v[ATTN_HS_COUNT];
                attn_sums_head_stats(s, m, l, h, v);
                json_t *row = json_pack("[s, i, i]", s->models[m].label, l, h);
                for (int k = 0; row && k < ATTN_HS_COUNT; k++) json_array_append_new(row, num_or_null(v[k]));
                if (row) json_array_append_new(row, json_string(attn_head_pattern(v))), json_array_append_new(rows, row);
            }
    return add_table(r, "Head statistics (Clark et al. 2019; click a row to open the head)", cols, 4 + ATTN_HS_COUNT, rows,
                     NULL);
}

static attn_status agreement_table(attn_report *r, const attn_study_sums *s) {
    static const char *const cols[] = {"Model_A", "Layer_A", "Model_B", "Layer_B", "JS_Distance", "Sentences"};
    const attn_agreement *ag = s->agreement;
    json_t *rows = json_array();
    for (int a = 0; rows && a < s->n_models; a++)
        for (int b = a + 1; b < s->n_models; b++)
            for (int la = 0; la < attn_agreement_layers(ag, a); la++)
                for (int lb = 0; lb < attn_agreement_layers(ag, b); lb++)
                    json_array_append_new(rows, json_pack("[s, i, s, i, o, I]", s->models[a].label, la, s->models[b].label, lb,
                                                          num_or_null(attn_agreement_mean(ag, a, la, b, lb)),
                                                          (json_int_t)attn_agreement_count(ag, a, la, b, lb)));
    return add_table(r, "Model agreement (word-level Jensen-Shannon distance; lower = more alike)", cols, 6, rows, NULL);
}

typedef struct chart_sink {
    attn_report *r;
    int n;
} chart_sink;

static attn_status add_chart(void *user, const char *stem, const char *title, attn_figure *f) {
    chart_sink *c = user;
    char prefix[32], *svg = NULL;
    size_t len;
    (void)stem;
    snprintf(prefix, sizeof prefix, "c%d-", c->n++);
    attn_status st = attn_figure_svg(f, prefix, &svg, &len);
    attn_figure_free(f);
    if (st == ATTN_OK) st = attn_report_add_svg(c->r, title, svg);
    free(svg);
    return st;
}

attn_status attn_study_report_finish(attn_study_report *sr, const attn_study_sums *s, const attn_config *const *configs,
                                     const attn_figure_style *style) {
    if (s->n_models != sr->n_models)
        return attn_fail(ATTN_E_INVALID, "report: the sums have %d models, not %d", s->n_models, sr->n_models);
    attn_status st = architecture_table(sr->r, s, configs);
    if (st == ATTN_OK) st = metric_table(sr->r, s, 0);
    if (st == ATTN_OK) st = metric_table(sr->r, s, 1);
    if (st == ATTN_OK) st = sentence_table(sr, s);
    if (st == ATTN_OK) st = head_table(sr->r, s);
    if (st == ATTN_OK && s->agreement) st = agreement_table(sr->r, s);
    chart_sink c = {sr->r, 0};
    if (st == ATTN_OK) st = attn_study_figures(s, style, add_chart, &c);
    return st;
}
