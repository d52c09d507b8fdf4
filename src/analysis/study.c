/* study.c — N models over one corpus: sentences are queued in windows; a full window is tokenized
 * per model, sorted by length, run in padded batches, measured (metrics, head statistics, head
 * distances) and delivered in corpus order; then its attentions and texts are dropped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "metrics_internal.h"
#include "study_internal.h"

void attn_study_options_init(attn_study_options *o) {
    memset(o, 0, sizeof *o);
    o->mode = ATTN_METRICS_CORRECTED;
    o->layer = ATTN_LAYER_LAST;
    o->batch_size = 8;
    o->window = 64;
}

static attn_status check_layers(const attn_study *s) {
    for (int m = 0; m < s->n_models; m++) {
        const attn_config *c = attn_model_config(s->models[m].model);
        if (s->o.layer >= c->layers)
            return attn_fail(ATTN_E_INVALID, "layer %d: %s has %d layers (0-%d)", s->o.layer, s->models[m].label,
                             c->layers, c->layers - 1);
    }
    if (s->o.layer < ATTN_LAYER_ALL) return attn_fail(ATTN_E_INVALID, "layer %d: not a layer", s->o.layer);
    return ATTN_OK;
}

static attn_status copy_setup(attn_study *s, const attn_study_model *models, int n) {
    s->models = attn_calloc((size_t)n, sizeof *s->models);
    if (!s->models) return attn_fail(ATTN_E_NOMEM, "out of memory");
    s->n_models = n;
    for (int m = 0; m < n; m++) {
        s->models[m] = models[m];
        if (!(s->models[m].label = attn_strdup(models[m].label))) return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    if (s->o.function_words) {
        s->fwords = attn_calloc((size_t)s->o.n_function_words + 1, sizeof *s->fwords);
        if (!s->fwords) return attn_fail(ATTN_E_NOMEM, "out of memory");
        for (int i = 0; i < s->o.n_function_words; i++)
            if (!(s->fwords[i] = attn_strdup(s->o.function_words[i]))) return attn_fail(ATTN_E_NOMEM, "out of memory");
        s->o.function_words = (const char *const *)s->fwords;
    }
    return ATTN_OK;
}

/* Frees the window's word-level matrices (they live until every model has run the window). */
static void drop_word_attention(attn_study *s) {
    if (!s->word_attn) return;
    for (int i = 0; i < s->o.window * s->n_models; i++) {
        free(s->word_attn[i]);
        s->word_attn[i] = NULL;
    }
}

attn_status attn_study_create(const attn_study_model *models, int n, const attn_study_options *o, attn_study **out) {
    *out = NULL;
    if (n < 1) return attn_fail(ATTN_E_INVALID, "a study needs at least one model");
    attn_study *s = calloc(1, sizeof *s);
    if (!s) return attn_fail(ATTN_E_NOMEM, "out of memory");
    if (o) s->o = *o;
    else attn_study_options_init(&s->o);
    if (s->o.batch_size < 1) s->o.batch_size = 1;
    if (s->o.window < s->o.batch_size) s->o.window = s->o.batch_size;
    attn_status st = copy_setup(s, models, n);
    if (st == ATTN_OK) st = check_layers(s);
    if (st == ATTN_OK) st = study_sums_init(&s->sums, s);
    for (int m = 0; st == ATTN_OK && m < n; m++) {
        int first, last;
        attn_sums_metric_layers(&s->sums, m, &first, &last);
        if (last - first + 1 > s->max_metric_layers) s->max_metric_layers = last - first + 1;
    }
    if (st == ATTN_OK) {
        s->queue = attn_calloc((size_t)s->o.window, sizeof *s->queue);
        s->values = attn_calloc((size_t)s->o.window * n * s->max_metric_layers * ATTN_M_COUNT, sizeof *s->values);
        s->tokens = attn_calloc((size_t)s->o.window * n * 2, sizeof *s->tokens);
        if (!s->queue || !s->values || !s->tokens) st = attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    if (st == ATTN_OK && s->sums.agreement) {
        s->word_attn = attn_calloc((size_t)s->o.window * n, sizeof *s->word_attn);
        s->n_words = attn_calloc((size_t)s->o.window, sizeof *s->n_words);
        if (!s->word_attn || !s->n_words) st = attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    if (st != ATTN_OK) {
        attn_study_free(s);
        return st;
    }
    *out = s;
    return ATTN_OK;
}

void attn_study_free(attn_study *s) {
    if (!s) return;
    for (int i = 0; i < s->n_queued; i++) free(s->queue[i].domain), free(s->queue[i].text);
    free(s->queue);
    free(s->values);
    free(s->tokens);
    drop_word_attention(s);
    free(s->word_attn);
    free(s->n_words);
    for (int m = 0; s->models && m < s->n_models; m++) free((char *)s->models[m].label);
    free(s->models);
    for (int i = 0; s->fwords && i < s->o.n_function_words; i++) free(s->fwords[i]);
    free(s->fwords);
    attn_study_sums_free(&s->sums);
    free(s);
}

attn_study_sums *attn_study_sums_of(attn_study *s) { return &s->sums; }

static double *values_at(attn_study *s, int item, int model, int layer_slot) {
    return s->values + (((size_t)item * s->n_models + model) * s->max_metric_layers + layer_slot) * ATTN_M_COUNT;
}

/* Head statistics and distances of one sentence's attentions [layers][heads][T][T] into the sums. */
static attn_status add_head_sums(attn_study *s, int model, const study_item *it, const attn_encoding *enc,
                                 const attn_output *out) {
    attn_model_sums *ms = &s->sums.models[model];
    int T = enc->n, nh = ms->layers * ms->heads;
    uint8_t *flags = malloc((size_t)T * 2);
    double *hs = malloc((size_t)ms->heads * ATTN_HS_COUNT * sizeof *hs);
    double *dist = attn_calloc((size_t)nh * (size_t)nh, sizeof *dist); /* this sentence's, [nh][nh] */
    attn_fixed *head_x = s->sums.exact->head[model], *dist_x = s->sums.exact->dist[model];
    attn_status st = flags && hs && dist ? attn_token_classes(it->text, enc, flags, flags + T) : attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int l = 0; st == ATTN_OK && l < ms->layers; l++) {
        attn_head_stats_layer(out->attentions + (size_t)l * ms->heads * T * T, ms->heads, T, flags, flags + T, hs);
        for (int k = 0; k < ms->heads * ATTN_HS_COUNT; k++) {
            size_t at = (size_t)l * ms->heads * ATTN_HS_COUNT + (size_t)k;
            if (!isnan(hs[k])) {
                if (!attn_fixed_add(&head_x[at], hs[k])) st = attn_fail(ATTN_E_INVALID, "head statistic %g out of range", hs[k]);
                ms->head_count[at]++;
            }
        }
    }
    if (st == ATTN_OK) st = attn_head_distances_add(out->attentions, nh, T, s->o.threads, dist);
    for (size_t k = 0; st == ATTN_OK && k < (size_t)nh * (size_t)nh; k++)
        if (!attn_fixed_add(&dist_x[k], dist[k])) st = attn_fail(ATTN_E_INVALID, "head distance %g out of range", dist[k]);
    if (st == ATTN_OK) ms->sentences++;
    free(dist);
    free(flags);
    free(hs);
    return st;
}

/* Word-level, head-averaged attention of every layer [L][W][W], kept for the agreement. */
static attn_status keep_word_attention(attn_study *s, int model, int item, const attn_encoding *enc,
                                       const attn_output *out) {
    attn_words w;
    attn_status st = attn_words_map(s->queue[item].text, enc, &w);
    if (st != ATTN_OK) return st;
    /* A sentence cut to the positions: no model has a token past word `cap` (a word has at least
     * one), so the words after it would only add zero rows, as W x W floats a layer (a 40 000-word
     * line: 6 GB). The same cap for every model keeps their matrices alike. */
    int32_t cap = 0;
    for (int m = 0; m < s->n_models; m++) {
        int32_t p = attn_config_max_tokens(attn_model_config(s->models[m].model));
        if (p > cap) cap = p;
    }
    if (w.n > cap) {
        for (int32_t v = cap; v < w.n; v++) free(w.words[v]);
        for (int32_t t = 0; t < w.n_tokens; t++)
            if (w.token_word[t] >= cap) w.token_word[t] = -1;
        w.n = cap;
    }
    float *dst = attn_calloc((size_t)out->layers * (size_t)w.n * (size_t)w.n, sizeof *dst);
    st = dst ? attn_word_attention_layers(out, &w, dst) : attn_fail(ATTN_E_NOMEM, "out of memory");
    if (st == ATTN_OK) {
        s->word_attn[(size_t)item * s->n_models + model] = dst;
        s->n_words[item] = w.n;
    } else {
        free(dst);
    }
    attn_words_free(&w);
    return st;
}

/* The window's sentences into the agreement, once every model has run them. */
static attn_status add_agreement(attn_study *s) {
    attn_status st = ATTN_OK;
    for (int i = 0; st == ATTN_OK && i < s->n_queued; i++)
        st = attn_agreement_add_sentence(s->sums.agreement, s->n_words[i],
                                         (const float *const *)&s->word_attn[(size_t)i * s->n_models]);
    drop_word_attention(s);
    return st;
}

/* Everything measured on one sentence of one model. */
static attn_status measure(attn_study *s, int model, int item, const attn_encoding *enc, const attn_output *out) {
    const study_item *it = &s->queue[item];
    attn_sentence_tokens tk = {it->text, enc, s->o.function_words, s->o.n_function_words};
    int first, last, H = out->heads, T = out->len;
    attn_sums_metric_layers(&s->sums, model, &first, &last);
    for (int l = first; l <= last; l++) {
        attn_status st = attn_sentence_metrics(s->o.mode, &tk, out->attentions + (size_t)l * H * T * T, H,
                                               values_at(s, item, model, l - first));
        if (st != ATTN_OK) return st;
    }
    if (s->word_attn) {
        attn_status st = keep_word_attention(s, model, item, enc, out);
        if (st != ATTN_OK) return st;
    }
    if (s->o.on_attention) {
        attn_attention_view v = {it->index, item, model, it->text, enc, out};
        attn_status st = s->o.on_attention(s->o.user, &v);
        if (st != ATTN_OK) return st;
    }
    return add_head_sums(s, model, it, enc, out);
}

typedef struct length_index { int len, index; } length_index;

static int by_length(const void *a, const void *b) {
    const length_index *x = a, *y = b;
    return x->len != y->len ? x->len - y->len : x->index - y->index;
}

/* Tokenizes the window for a model (cut to its positions as truncation=True, the cut recorded in
 * s->tokens) and checks each sequence against it. */
static attn_status encode_window(attn_study *s, int model, attn_encoding *enc) {
    const attn_study_model *sm = &s->models[model];
    const attn_config *c = attn_model_config(sm->model);
    for (int i = 0; i < s->n_queued; i++) {
        const study_item *it = &s->queue[i];
        attn_truncation_info cut;
        attn_status st = attn_encode_to_fit(sm->tokenizer, c, it->text, strlen(it->text), NULL, 0, &enc[i], &cut);
        if (st != ATTN_OK) return attn_fail_prefix(st, "sentence S%lld (%s)", (long long)it->index + 1, sm->label);
        int32_t *t = s->tokens + ((size_t)i * s->n_models + model) * 2;
        t[0] = enc[i].n, t[1] = cut.tokens;
        attn_input in = {enc[i].ids, enc[i].type_ids, enc[i].n};
        if ((st = attn_model_check_input(sm->model, &in)) != ATTN_OK)
            return attn_fail_prefix(st, "sentence S%lld (%s)", (long long)it->index + 1, sm->label);
    }
    return ATTN_OK;
}

/* One batch of the sorted window: forward, measure, free the attentions. */
static attn_status run_batch(attn_study *s, int model, const attn_encoding *enc, const length_index *order, int nb) {
    attn_input *in = attn_calloc((size_t)nb, sizeof *in);
    attn_output *out = attn_calloc((size_t)nb, sizeof *out);
    if (!in || !out) {
        free(in), free(out);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    for (int b = 0; b < nb; b++) {
        const attn_encoding *e = &enc[order[b].index];
        in[b] = (attn_input){e->ids, e->type_ids, e->n};
    }
    attn_status st = attn_model_forward(s->models[model].model, in, nb, ATTN_OUT_ATTENTIONS, out);
    for (int b = 0; b < nb && st == ATTN_OK; b++) st = measure(s, model, order[b].index, &enc[order[b].index], &out[b]);
    for (int b = 0; b < nb; b++) attn_output_free(&out[b]);
    free(in);
    free(out);
    s->runs_done += nb;
    if (st == ATTN_OK && s->o.on_progress) s->o.on_progress(s->o.user, s->runs_done);
    return st;
}

static attn_status run_model(attn_study *s, int model) {
    int n = s->n_queued;
    attn_encoding *enc = attn_calloc((size_t)n, sizeof *enc);
    length_index *order = malloc((size_t)n * sizeof *order);
    attn_status st = enc && order ? encode_window(s, model, enc) : attn_fail(ATTN_E_NOMEM, "out of memory");
    if (st == ATTN_OK) {
        for (int i = 0; i < n; i++) order[i] = (length_index){enc[i].n, i};
        qsort(order, (size_t)n, sizeof *order, by_length);
    }
    for (int start = 0; st == ATTN_OK && start < n; start += s->o.batch_size)
        st = run_batch(s, model, enc, order + start, n - start < s->o.batch_size ? n - start : s->o.batch_size);
    for (int i = 0; enc && i < n; i++) attn_encoding_free(&enc[i]);
    free(enc);
    free(order);
    return st;
}

/* The window's rows in corpus order (sentence, model, layer) into the sums and to on_row. */
static attn_status emit_rows(attn_study *s) {
    for (int i = 0; i < s->n_queued; i++) {
        const study_item *it = &s->queue[i];
        int d = study_sums_domain(&s->sums, it->domain);
        if (d < 0) return ATTN_E_NOMEM;
        for (int m = 0; m < s->n_models; m++) {
            int first, last;
            attn_sums_metric_layers(&s->sums, m, &first, &last);
            for (int l = first; l <= last; l++) {
                const int32_t *t = s->tokens + ((size_t)i * s->n_models + m) * 2;
                attn_metric_row row = {it->index, it->domain, it->text, m, s->models[m].label, l, it->word_count, {0},
                                       t[0], t[1]};
                memcpy(row.v, values_at(s, i, m, l - first), sizeof row.v);
                attn_domain_cell *c = study_sums_cell(&s->sums, d, m, l);
                if (!c) return ATTN_E_NOMEM;
                attn_fixed *cx = &s->sums.exact->cells[(size_t)(c - s->sums.cells) * ATTN_M_COUNT];
                for (int k = 0; k < attn_metric_count(s->o.mode); k++) {
                    if (isnan(row.v[k])) continue;
                    if (!attn_fixed_add(&cx[k], row.v[k])) return attn_fail(ATTN_E_INVALID, "%s = %g out of range", attn_metric_name(k), row.v[k]);
                    c->count[k]++;
                }
                attn_status st = s->o.on_row ? s->o.on_row(s->o.user, &row) : ATTN_OK;
                if (st != ATTN_OK) return st;
            }
        }
        s->sums.sentences++;
    }
    return ATTN_OK;
}

static attn_status run_window(attn_study *s) {
    attn_status st = ATTN_OK;
    for (int m = 0; st == ATTN_OK && m < s->n_models; m++) st = run_model(s, m);
    if (st == ATTN_OK && s->word_attn) st = add_agreement(s);
    if (st == ATTN_OK && s->o.on_window_end) st = s->o.on_window_end(s->o.user, s->n_queued);
    if (st == ATTN_OK) st = emit_rows(s);
    study_sums_settle(&s->sums);
    for (int i = 0; i < s->n_queued; i++) free(s->queue[i].domain), free(s->queue[i].text);
    s->n_queued = 0;
    return st;
}

attn_status attn_study_add(attn_study *s, const char *domain, const char *text) {
    study_item *it = &s->queue[s->n_queued];
    it->domain = attn_strdup(domain ? domain : "all");
    it->text = attn_strdup(text);
    if (!it->domain || !it->text) {
        free(it->domain), free(it->text);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    it->index = s->next_index++;
    it->word_count = attn_word_count(text);
    s->n_queued++;
    return s->n_queued == s->o.window ? run_window(s) : ATTN_OK;
}

int attn_study_pending(const attn_study *s) { return s->n_queued; }

attn_status attn_study_finish(attn_study *s) { return s->n_queued ? run_window(s) : ATTN_OK; }
