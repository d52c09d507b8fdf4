/* words_report.c — similarity and focus results in an HTML report: the sentences with every
 * model's attention, the charts of --figures (the same drawings, as inline SVG) and the numbers as
 * sortable tables. Used by `similarity --report`, `focus --report` and `compare --similarity/--focus`. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "words_cli.h"

void words_report_init(words_report *w, attn_report *r, const attn_figure_style *style, const cli_model *m, int n) {
    memset(w, 0, sizeof *w);
    w->r = r, w->style = style, w->models = m, w->n_models = n;
}

/* The sentence (added once per report, with the attention of every model): its index, or -1. */
static int add_sentence(words_report *w, const char *text, const char *domain) {
    for (int i = 0; i < w->n_texts; i++)
        if (strcmp(w->texts[i], text) == 0) return w->index[i];
    if (w->n_texts == WORDS_REPORT_MAX_SENTENCES) return cli_error("report: too many sentences"), -1;
    attn_report_sentence s = {.text = text, .domain = domain};
    int index;
    if (attn_report_add_sentence(w->r, &s, &index) != ATTN_OK) return cli_lib_error(), -1;
    for (int i = 0; i < w->n_models; i++)
        if (attn_report_add_forward(w->r, index, i, w->models[i].model, w->models[i].tok) != ATTN_OK)
            return cli_error("%s: %s", w->models[i].label, attn_last_error()), -1;
    w->texts[w->n_texts] = text, w->index[w->n_texts++] = index;
    return index;
}

/* The figure sink of the report: inline SVG with ids prefixed per chart. */
static int chart_sink(void *user, const char *stem, const char *title, attn_figure *f) {
    words_report *w = user;
    char prefix[32], *svg = NULL;
    size_t len;
    (void)stem;
    snprintf(prefix, sizeof prefix, "w%d-", w->charts++);
    attn_status st = attn_figure_svg(f, prefix, &svg, &len);
    attn_figure_free(f);
    if (st == ATTN_OK) st = attn_report_add_svg(w->r, title, svg);
    free(svg);
    return st == ATTN_OK ? 0 : cli_lib_error();
}

/* {"columns": cols, "rows": rows} as a table (takes both). 0 or 1 (printed). */
static int add_table(words_report *w, const char *title, json_t *cols, json_t *rows, const char *link) {
    json_t *t = cols && rows ? json_pack("{s:o, s:o}", "columns", cols, "rows", rows) : NULL;
    if (!t) json_decref(cols), json_decref(rows);
    char *text = t ? json_dumps(t, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(t);
    int rc = !text ? cli_error("report: cannot build the table '%s' (text that is not UTF-8?)", title)
             : attn_report_add_table(w->r, title, text, link) != ATTN_OK ? cli_lib_error()
                                                                         : 0;
    free(text);
    return rc;
}

/* "2:bank" or "5:ban 6:##k": the word's tokens in sentence k. */
static json_t *word_tokens(const attn_similarity *r, int k) {
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    for (int p = 0; f && p < r->n_pieces[k]; p++) {
        int32_t t = r->pieces[k][p];
        fprintf(f, "%s%d:%s", p ? " " : "", t, r->enc[k].tokens[t]);
    }
    if (f) fclose(f);
    json_t *v = s ? json_string(s) : NULL;
    free(s);
    return v;
}

/* Cosine per hidden state, one column per model; and which tokens spell the word per model. */
static int similarity_tables(words_report *w, const attn_similarity *r, const char *word, char *const sent[2],
                             const int s[2]) {
    json_t *cols = json_pack("[s, s]", "state", "output of"), *rows = json_array();
    int states = 0;
    for (int i = 0; i < w->n_models; i++) {
        json_array_append_new(cols, json_string(w->models[i].label));
        states = r[i].n_states > states ? r[i].n_states : states;
    }
    for (int st = 0; rows && st < states; st++) {
        char what[32];
        if (st == 0) snprintf(what, sizeof what, "embeddings");
        else snprintf(what, sizeof what, "layer %d", st - 1);
        json_t *row = json_pack("[i, s]", st, what);
        for (int i = 0; row && i < w->n_models; i++)
            json_array_append_new(row, st < r[i].n_states ? json_real(r[i].cosine[st]) : json_null());
        if (row) json_array_append_new(rows, row);
    }
    char title[256];
    snprintf(title, sizeof title, "Cosine similarity of '%s' between the two sentences, per hidden state", word);
    int rc = add_table(w, title, cols, rows, NULL);
    cols = json_pack("[s, s, s, s]", "sentence", "Sentence", "Model", "Tokens of the word");
    rows = json_array();
    for (int k = 0; k < 2 && rows; k++)
        for (int i = 0; i < w->n_models; i++)
            json_array_append_new(rows, json_pack("[i, s, s, o]", s[k], sent[k],
                                                  w->models[i].label, word_tokens(&r[i], k)));
    snprintf(title, sizeof title, "Tokens of '%s' in each sentence (a row opens its sentence)", word);
    return rc ? rc : add_table(w, title, cols, rows, "sentence");
}

int words_report_similarity(words_report *w, const attn_similarity *r, const char *word, char *const sent[2]) {
    char domain[160];
    snprintf(domain, sizeof domain, "similarity: %s", word);
    int s[2];
    for (int k = 0; k < 2; k++)
        if ((s[k] = add_sentence(w, sent[k], domain)) < 0) return 1;
    int rc = similarity_tables(w, r, word, sent, s);
    return rc ? rc : words_draw_similarity(w->style, chart_sink, w, w->models, r, w->n_models, word);
}

/* The rows × tokens matrix as a table: sentence (link), layer, head, one column per token. */
static int focus_table(words_report *w, const words_focus_fig *d, int sentence) {
    json_t *cols = json_pack("[s, s, s]", "sentence", "layer", "head"), *rows = json_array();
    char **labels = cli_token_labels(d->tok, d->enc->ids, d->enc->special_tokens_mask, d->enc->n);
    for (int32_t t = 0; cols && t < d->enc->n; t++) {
        char *name = NULL;
        if (asprintf(&name, "%d %s", t, labels ? labels[t] : d->enc->tokens[t]) >= 0)
            json_array_append_new(cols, json_string(name));
        free(name);
    }
    attn_token_labels_free(labels, d->enc->n);
    size_t T = (size_t)d->enc->n;
    for (int i = 0; rows && i < d->n_rows; i++) {
        json_t *row = json_pack("[i, i, o]", sentence, d->layer[i], d->head[i] < 0 ? json_null() : json_integer(d->head[i]));
        for (size_t j = 0; row && j < T; j++) json_array_append_new(row, json_real(d->rows[(size_t)i * T + j]));
        if (row) json_array_append_new(rows, row);
    }
    char title[320];
    snprintf(title, sizeof title, "Where '%s' attends (%s%s%s): one row per %s, one column per token", d->word, d->mode,
             d->model_label ? ", " : "", d->model_label ? d->model_label : "", d->head[0] < 0 ? "layer" : "layer and head");
    return add_table(w, title, cols, rows, "sentence");
}

int words_report_focus(words_report *w, const words_focus_fig *d, const char *sentence) {
    char domain[160];
    snprintf(domain, sizeof domain, "focus: %s", d->word);
    int s = add_sentence(w, sentence, domain);
    if (s < 0) return 1;
    int rc = focus_table(w, d, s);
    return rc ? rc : words_draw_focus(w->style, chart_sink, w, d);
}

int words_report_open(const char *title, const cli_model *m, int n, attn_report **out) {
    *out = NULL;
    attn_report *r = NULL;
    if (attn_report_create(title, &r) != ATTN_OK) return cli_lib_error();
    for (int i = 0; i < n; i++)
        if (attn_report_add_model(r, m[i].label, NULL, NULL) != ATTN_OK) {
            attn_report_free(r);
            return cli_lib_error();
        }
    *out = r;
    return 0;
}
