/* agreement.c — how alike two models' attention is on the same words, layer by layer, over a corpus. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common.h"
#include "fixed_sum.h"
#include "study_state_internal.h"

struct attn_agreement {
    int n_models;
    int32_t *layers;   /* [n_models] */
    size_t *block;     /* [n_models][n_models]: first cell of pair (a < b), a block [layers[a]][layers[b]] */
    size_t cells;
    attn_fixed *sum;   /* [cells] sum over sentences of the sentence's mean JS distance (exact) */
    int64_t *count;    /* [cells] sentences counted */
};

void attn_agreement_free(attn_agreement *a) {
    if (!a) return;
    free(a->layers), free(a->block), free(a->sum), free(a->count);
    free(a);
}

attn_status attn_agreement_create(int n_models, const int32_t *layers, attn_agreement **out) {
    *out = NULL;
    if (n_models < 2 || n_models > 1024) return attn_fail(ATTN_E_INVALID, "agreement: needs 2..1024 models, got %d", n_models);
    for (int m = 0; m < n_models; m++)
        if (layers[m] < 1 || layers[m] > 4096) return attn_fail(ATTN_E_INVALID, "agreement: model %d has %d layers", m, layers[m]);
    attn_agreement *a = attn_calloc(1, sizeof *a);
    if (a) {
        a->n_models = n_models;
        a->layers = attn_calloc((size_t)n_models, sizeof *a->layers);
        a->block = attn_calloc((size_t)n_models * (size_t)n_models, sizeof *a->block);
    }
    if (!a || !a->layers || !a->block) goto oom;
    memcpy(a->layers, layers, (size_t)n_models * sizeof *layers);
    for (int i = 0; i < n_models; i++)
        for (int j = i + 1; j < n_models; j++) {
            a->block[i * n_models + j] = a->cells;
            a->cells += (size_t)layers[i] * (size_t)layers[j];
        }
    a->sum = attn_calloc(a->cells, sizeof *a->sum);
    a->count = attn_calloc(a->cells, sizeof *a->count);
    if (!a->sum || !a->count) goto oom;
    *out = a;
    return ATTN_OK;
oom:
    attn_agreement_free(a);
    return attn_fail(ATTN_E_NOMEM, "out of memory");
}

/* Index of the cell (ma, la, mb, lb) in either model order, or -1 when out of range. */
static ptrdiff_t cell(const attn_agreement *a, int ma, int la, int mb, int lb) {
    if (!a || ma < 0 || mb < 0 || ma >= a->n_models || mb >= a->n_models || ma == mb) return -1;
    if (ma > mb) {
        int t = ma; ma = mb, mb = t;
        t = la; la = lb, lb = t;
    }
    if (la < 0 || lb < 0 || la >= a->layers[ma] || lb >= a->layers[mb]) return -1;
    return (ptrdiff_t)(a->block[ma * a->n_models + mb] + (size_t)la * (size_t)a->layers[mb] + (size_t)lb);
}

attn_status attn_agreement_add_sentence(attn_agreement *a, int32_t n_words, const float *const *word_attn) {
    if (n_words < 0) return attn_fail(ATTN_E_INVALID, "agreement: %d words", n_words);
    size_t WW = (size_t)n_words * (size_t)n_words;
    for (int i = 0; i < a->n_models; i++)
        for (int j = i + 1; j < a->n_models; j++)
            for (int li = 0; li < a->layers[i]; li++)
                for (int lj = 0; lj < a->layers[j]; lj++) {
                    int32_t rows;
                    double d = attn_word_rows_js(word_attn[i] + (size_t)li * WW, word_attn[j] + (size_t)lj * WW, n_words, &rows);
                    if (rows == 0) continue;
                    ptrdiff_t c = cell(a, i, li, j, lj);
                    if (!attn_fixed_add(&a->sum[c], d)) return attn_fail(ATTN_E_INVALID, "agreement: distance %g out of range", d);
                    a->count[c]++;
                }
    return ATTN_OK;
}

attn_status attn_agreement_merge(attn_agreement *into, const attn_agreement *from) {
    int same = into->n_models == from->n_models;
    for (int m = 0; same && m < into->n_models; m++) same = into->layers[m] == from->layers[m];
    if (!same) return attn_fail(ATTN_E_INVALID, "agreement: cannot merge accumulators of different models");
    for (size_t c = 0; c < into->cells; c++) into->sum[c] += from->sum[c], into->count[c] += from->count[c];
    return ATTN_OK;
}

int attn_agreement_models(const attn_agreement *a) { return a ? a->n_models : 0; }

int32_t attn_agreement_layers(const attn_agreement *a, int model) {
    return a && model >= 0 && model < a->n_models ? a->layers[model] : 0;
}

double attn_agreement_mean(const attn_agreement *a, int ma, int la, int mb, int lb) {
    ptrdiff_t c = cell(a, ma, la, mb, lb);
    return c < 0 || a->count[c] == 0 ? NAN : attn_fixed_value(a->sum[c]) / (double)a->count[c];
}

int64_t attn_agreement_count(const attn_agreement *a, int ma, int la, int mb, int lb) {
    ptrdiff_t c = cell(a, ma, la, mb, lb);
    return c < 0 ? 0 : a->count[c];
}

/* Runs body for every row written: each pair i < j, each layer pair with a sentence counted. */
#define FOR_EACH_ROW(a, body)                                                                        \
    for (int i = 0; i < (a)->n_models; i++)                                                          \
        for (int j = i + 1; j < (a)->n_models; j++)                                                  \
            for (int li = 0; li < (a)->layers[i]; li++)                                              \
                for (int lj = 0; lj < (a)->layers[j]; lj++) {                                        \
                    ptrdiff_t c = cell((a), i, li, j, lj);                                           \
                    if ((a)->count[c] == 0) continue;                                                \
                    double mean = attn_fixed_value((a)->sum[c]) / (double)(a)->count[c];                       \
                    body                                                                             \
                }

attn_status attn_agreement_write_csv(const attn_agreement *a, const char *const *labels, const char *path) {
    attn_strbuf sb = {0};
    attn_sb_puts(&sb, "Model_A,Layer_A,Model_B,Layer_B,JS_Distance,Sentences\n");
    FOR_EACH_ROW(a, {
        attn_sb_csv_field(&sb, labels[i]);
        attn_sb_printf(&sb, ",%d,", li);
        attn_sb_csv_field(&sb, labels[j]);
        attn_sb_printf(&sb, ",%d,%.17g,%lld\n", lj, mean, (long long)a->count[c]);
    })
    if (sb.oom) {
        attn_sb_free(&sb);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    attn_status s = attn_write_file_atomic(path, sb.buf, sb.len);
    attn_sb_free(&sb);
    return s;
}

attn_status attn_agreement_write_json(const attn_agreement *a, const char *const *labels, const char *path) {
    json_t *rows = json_array();
    FOR_EACH_ROW(a, {
        json_t *o = json_object();
        json_object_set_new(o, "Model_A", json_string(labels[i]));
        json_object_set_new(o, "Layer_A", json_integer(li));
        json_object_set_new(o, "Model_B", json_string(labels[j]));
        json_object_set_new(o, "Layer_B", json_integer(lj));
        json_object_set_new(o, "JS_Distance", json_real(mean));
        json_object_set_new(o, "Sentences", json_integer(a->count[c]));
        json_array_append_new(rows, o);
    })
    char *text = json_dumps(rows, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(rows);
    if (!text) return attn_fail(ATTN_E_NOMEM, "out of memory");
    size_t n = strlen(text);
    attn_strbuf sb = {0};
    attn_sb_append(&sb, text, n);
    attn_sb_putc(&sb, '\n');
    free(text);
    attn_status s = sb.oom ? attn_fail(ATTN_E_NOMEM, "out of memory") : attn_write_file_atomic(path, sb.buf, sb.len);
    attn_sb_free(&sb);
    return s;
}

/* ---- checkpoint / shard state (study_state.c) ---------------------------------------------- */
void study_agreement_save(const attn_agreement *a, attn_strbuf *sb) {
    study_put_i64(sb, (int64_t)a->cells);
    attn_sb_append(sb, (const char *)a->sum, a->cells * sizeof *a->sum);
    attn_sb_append(sb, (const char *)a->count, a->cells * sizeof *a->count);
}

attn_status study_agreement_load(attn_agreement *a, study_reader *r) {
    if (study_get_i64(r) != (int64_t)a->cells) return study_reader_fail(r, "agreement cells differ");
    study_get_bytes(r, a->sum, a->cells * sizeof *a->sum);
    study_get_bytes(r, a->count, a->cells * sizeof *a->count);
    return r->bad ? study_reader_fail(r, "truncated") : ATTN_OK;
}
