/* test_study.c — the study API: sums merged from two shards equal the sums of the whole corpus, small
 * windows and batches give the sums of one big window, rows arrive in corpus order, bad layers are
 * refused; and the metrics of a hand-made attention matrix. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct row_log {
    int64_t last_sentence;
    int rows, out_of_order;
    int views, bad_views, windows, window_sentences;
} row_log;

static attn_status log_view(void *user, const attn_attention_view *v) {
    row_log *log = user;
    log->views++;
    const attn_output *o = v->out;
    log->bad_views += !o->attentions || o->len != v->enc->n || !v->text || o->layers != 2 || v->model < 0 || v->model > 1;
    return ATTN_OK;
}

static attn_status log_window(void *user, int n) {
    row_log *log = user;
    log->windows++;
    log->window_sentences += n;
    return ATTN_OK;
}

static attn_status log_row(void *user, const attn_metric_row *r) {
    row_log *log = user;
    if (r->sentence < log->last_sentence) log->out_of_order++;
    log->last_sentence = r->sentence;
    log->rows++;
    return ATTN_OK;
}

/* Runs sentences [from, to) of the corpus through a new study; returns it. */
static attn_study *run(const attn_study_model *m, int n, int window, int batch, int from, int to, row_log *log) {
    attn_study_options o;
    attn_study_options_init(&o);
    o.window = window, o.batch_size = batch, o.layer = ATTN_LAYER_ALL, o.on_row = log_row, o.user = log;
    o.on_attention = log_view, o.on_window_end = log_window;
    attn_study *s = NULL;
    CHECK_OK(attn_study_create(m, n, &o, &s));
    attn_corpus *c;
    CHECK_OK(attn_corpus_open(tu_data("metrics/corpus.tsv"), NULL, &c));
    attn_sentence sent;
    for (int i = 0; attn_corpus_next(c, &sent) == ATTN_OK && sent.text; i++)
        if (i >= from && i < to) CHECK_OK(attn_study_add(s, sent.label, sent.text));
    CHECK_OK(attn_study_finish(s));
    attn_corpus_free(c);
    return s;
}

static int near(double a, double b) { return fabs(a - b) <= 1e-6 * (1.0 + fabs(b)); }

static void compare_sums(const attn_study_sums *a, const attn_study_sums *b, const char *what) {
    CHECKF(a->sentences == b->sentences && a->n_domains == b->n_domains && a->n_cells == b->n_cells, "%s: shapes", what);
    int bad = 0;
    for (int m = 0; m < a->n_models; m++) {
        int first, last;
        attn_sums_metric_layers(a, m, &first, &last);
        for (int d = 0; d < a->n_domains; d++)
            for (int l = first; l <= last; l++)
                for (int k = 0; k < ATTN_M_COUNT; k++) {
                    int db = -1;
                    for (int e = 0; e < b->n_domains; e++)
                        if (strcmp(a->domains[d], b->domains[e]) == 0) db = e;
                    double x = attn_sums_metric_mean(a, d, m, l, k), y = attn_sums_metric_mean(b, db, m, l, k);
                    bad += !(isnan(x) ? isnan(y) : near(x, y));
                }
        const attn_model_sums *ma = &a->models[m], *mb = &b->models[m];
        size_t nh = (size_t)ma->layers * ma->heads;
        for (size_t k = 0; k < nh * ATTN_HS_COUNT; k++)
            bad += ma->head_count[k] != mb->head_count[k] || !near(ma->head_sum[k], mb->head_sum[k]);
        for (size_t k = 0; k < nh * nh; k++) bad += !near(ma->dist_sum[k], mb->dist_sum[k]);
    }
    CHECKF(bad == 0, "%s: %d values differ", what, bad);
}

static void test_study(void) {
    attn_model *bert, *roberta;
    attn_tokenizer *tb, *tr;
    CHECK_OK(attn_model_open(tu_data("models/bert-tiny"), &bert));
    CHECK_OK(attn_model_open(tu_data("models/roberta-tiny"), &roberta));
    CHECK_OK(attn_tokenizer_open(tu_data("models/bert-tiny"), &tb));
    CHECK_OK(attn_tokenizer_open(tu_data("models/roberta-tiny"), &tr));
    attn_study_model m[2] = {{"BERT", bert, tb}, {"RoBERTa", roberta, tr}};
    row_log whole_log = {-1, 0, 0, 0, 0, 0, 0}, log = {-1, 0, 0, 0, 0, 0, 0};
    attn_study *whole = run(m, 2, 64, 8, 0, 24, &whole_log);
    CHECKF(whole_log.rows == 24 * 2 * 2 && whole_log.out_of_order == 0, "rows %d, out of order %d", whole_log.rows,
           whole_log.out_of_order);
    CHECKF(whole_log.views == 48 && whole_log.bad_views == 0 && whole_log.windows == 1, "views %d (%d bad), windows %d",
           whole_log.views, whole_log.bad_views, whole_log.windows);
    attn_study *small = run(m, 2, 5, 2, 0, 24, &log);
    CHECKF(log.out_of_order == 0, "small windows: rows out of order");
    CHECKF(log.windows == 5 && log.window_sentences == 24 && log.views == 48, "small windows: %d windows, %d views",
           log.windows, log.views);
    compare_sums(attn_study_sums_of(small), attn_study_sums_of(whole), "window 5, batch 2");
    attn_study *a = run(m, 2, 7, 3, 0, 10, &log), *b = run(m, 2, 64, 4, 10, 24, &log);
    CHECK_OK(attn_study_sums_merge(attn_study_sums_of(a), attn_study_sums_of(b)));
    compare_sums(attn_study_sums_of(a), attn_study_sums_of(whole), "two shards merged");
    attn_study_options o;
    attn_study_options_init(&o);
    o.layer = 2; /* the tiny models have layers 0 and 1 */
    attn_study *s = NULL;
    CHECK(attn_study_create(m, 2, &o, &s) == ATTN_E_INVALID && strstr(attn_last_error(), "BERT has 2 layers"));
    CHECK(attn_study_sums_merge(attn_study_sums_of(a), attn_study_sums_of(small)) == ATTN_OK);
    attn_study_free(whole), attn_study_free(small), attn_study_free(a), attn_study_free(b);
    attn_model_free(bert), attn_model_free(roberta), attn_tokenizer_free(tb), attn_tokenizer_free(tr);
}

/* [CLS] the cat [SEP] with hand-made attention: the metrics by hand. */
static void test_metrics_by_hand(void) {
    char *tokens[4] = {"[CLS]", "the", "cat", "[SEP]"};
    int32_t offsets[8] = {0, 0, 0, 3, 4, 7, 0, 0}, word_ids[4] = {-1, 0, 1, -1}, seq[4] = {-1, 0, 0, -1};
    uint8_t special[4] = {1, 0, 0, 1};
    attn_encoding e = {.n = 4, .tokens = tokens, .offsets = offsets, .special_tokens_mask = special,
                       .word_ids = word_ids, .sequence_ids = seq};
    attn_sentence_tokens st = {"The cat", &e, NULL, 0};
    float attn[2 * 16]; /* head 0 uniform; head 1 every row on column 0 */
    for (int k = 0; k < 16; k++) attn[k] = 0.25f, attn[16 + k] = (k % 4 == 0) ? 1.0f : 0.0f;
    double v[ATTN_M_COUNT];
    CHECK_OK(attn_sentence_metrics(ATTN_METRICS_CORRECTED, &st, attn, 2, v));
    /* averaged: column 0 = 0.625, other columns 0.125 */
    double row_h = -(0.625 * log(0.625) + 3 * 0.125 * log(0.125));
    CHECK(near(v[ATTN_M_CLS_MAX], 0.625) && near(v[ATTN_M_CLS_MEAN], 0.625) && near(v[ATTN_M_CLS_FROM_MAX], 0.625));
    CHECK(near(v[ATTN_M_SELF_MEAN], (0.625 + 3 * 0.125) / 4) && near(v[ATTN_M_CF_RATIO], 1.0));
    CHECK(near(v[ATTN_M_ENTROPY], row_h) && near(v[ATTN_M_ENTROPY_NORM], row_h / log(4.0)));
    CHECK_OK(attn_sentence_metrics(ATTN_METRICS_SEED, &st, attn, 2, v));
    CHECK(near(v[ATTN_M_CLS_MEAN], 0.25) && near(v[ATTN_M_CF_RATIO], 1.0));
    CHECK(near(v[ATTN_M_ENTROPY], -4 * (0.625 * log(0.625 + 1e-10) + 3 * 0.125 * log(0.125 + 1e-10))));
    const char *words[] = {"cat"};
    st.function_words = words, st.n_function_words = 1;
    CHECK_OK(attn_sentence_metrics(ATTN_METRICS_CORRECTED, &st, attn, 2, v));
    CHECK(near(v[ATTN_M_CF_RATIO], 1.0));
    const char *none[] = {"dog"};
    st.function_words = none;
    CHECK_OK(attn_sentence_metrics(ATTN_METRICS_CORRECTED, &st, attn, 2, v));
    CHECK(isnan(v[ATTN_M_CF_RATIO]));
    double hs[ATTN_HS_COUNT] = {0.3, 0.3, 0, 0.1, 0, 0, 1, 0.5};
    CHECK(strcmp(attn_head_pattern(hs), "vertical") == 0);
    hs[0] = 0.1, hs[3] = 0.4, hs[4] = 0.2;
    CHECK(strcmp(attn_head_pattern(hs), "diagonal") == 0);
    hs[3] = 0.1, hs[7] = 0.9;
    CHECK(strcmp(attn_head_pattern(hs), "block") == 0);
    hs[7] = 0.5;
    CHECK(strcmp(attn_head_pattern(hs), "heterogeneous") == 0);
}

int main(void) {
    test_metrics_by_hand();
    test_study();
    return tu_done("test_study");
}
