/* fixtures.c — small fixed data for every figure kind (the seed notebook's published numbers
 * where it has them), shared by the figure tests and the README images. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

static const char *const models[3] = {"BERT", "DistilBERT", "RoBERTa"};
static const char *const metrics[4] = {"CLS Attention Max", "Self-Attention Mean", "Content/Function Ratio", "Entropy"};
static const char *const domains[4] = {"Business", "Sci/Tech", "Sports", "World"};

/* The seed's "Average metrics by domain and model" table: [metric][domain][model] */
static const double domain_values[4][4][3] = {
    {{0.111, 0.197, 0.267}, {0.123, 0.211, 0.289}, {0.106, 0.173, 0.269}, {0.127, 0.182, 0.274}},
    {{0.105, 0.083, 0.133}, {0.112, 0.089, 0.129}, {0.101, 0.083, 0.130}, {0.104, 0.082, 0.128}},
    {{3.344, 3.143, 31.708}, {7.479, 7.841, 38.574}, {2.803, 2.013, 27.725}, {5.519, 5.542, 33.588}},
    {{55.365, 58.253, 53.341}, {50.914, 52.223, 51.451}, {61.612, 65.759, 59.828}, {55.811, 57.042, 54.705}},
};

static attn_status metric_bars(const attn_figure_style *s, attn_figure **f) {
    double v[4][3];
    for (int m = 0; m < 4; m++)
        for (int k = 0; k < 3; k++) v[m][k] = (domain_values[m][0][k] + domain_values[m][1][k] + domain_values[m][2][k] + domain_values[m][3][k]) / 4;
    attn_fig_metric_bars d = {NULL, 4, metrics, 3, models, &v[0][0]};
    return attn_figure_metric_bars(&d, s, f);
}

static attn_status domain_bars(const attn_figure_style *s, attn_figure **f) {
    attn_fig_domain_bars d = {NULL, 4, metrics, 4, domains, 3, models, &domain_values[0][0][0]};
    return attn_figure_domain_bars(&d, s, f);
}

static attn_status head_grids(const attn_figure_style *s, attn_figure **f) {
    static const char *const stats[3] = {"Entropy", "Attention to [CLS]", "Mean distance"};
    double v[3][2][4];
    for (int k = 0; k < 3; k++)
        for (int l = 0; l < 2; l++)
            for (int h = 0; h < 4; h++) v[k][l][h] = (k + 1) * 0.25 + 0.1 * l + 0.05 * h * (k == 1 ? -1 : 1);
    attn_fig_head_grids d = {"BERT: head statistics", 2, 4, 3, stats, &v[0][0][0]};
    return attn_figure_head_grids(&d, s, f);
}

static attn_status head_map(const attn_figure_style *s, attn_figure **f) {
    enum { N = 12 };
    double pts[N][2], dist[N][N];
    int32_t layer[N], model[N];
    for (int i = 0; i < N; i++) {
        layer[i] = i % 3, model[i] = i / 6;
        pts[i][0] = layer[i] * 1.0 + 0.3 * model[i] + 0.05 * i;
        pts[i][1] = (i % 2 ? 0.4 : -0.4) + 0.1 * model[i];
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) dist[i][j] = hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1]);
    static const char *const names[2] = {"BERT", "DistilBERT"};
    attn_fig_head_map d = {NULL, N, &dist[0][0], layer, model, 2, names};
    return attn_figure_head_map(&d, s, f);
}

static attn_status agreement(const attn_figure_style *s, attn_figure **f) {
    static const char *const rows[2] = {"BERT L0", "BERT L1"}, *const cols[3] = {"Distil L0", "Distil L1", "Distil L2"};
    static const double v[2][3] = {{0.91, 0.62, 0.40}, {0.55, 0.83, 0.77}};
    attn_fig_heatmap d = {"Model agreement (JS similarity)", "DistilBERT layer", "BERT layer", "Agreement",
                          2, 3, &v[0][0], rows, cols, 0, 1};
    return attn_figure_heatmap(&d, s, f);
}

static attn_status bench(const attn_figure_style *s, attn_figure **f) {
    static const double t[3] = {44.25, 22.20, 44.05}, sd[3] = {3.65, 0.98, 2.67}, mem[3] = {0.5, 0.0, 0.4},
                        par[3] = {109482240, 66362880, 124645632};
    attn_fig_bench d = {NULL, 3, models, t, sd, mem, par};
    return attn_figure_bench(&d, s, f);
}

static attn_status similarity(const attn_figure_style *s, attn_figure **f) {
    /* tests/data/metrics/similarity.bank.json (the tiny models have 2 or 3 layers) */
    static const double b[3] = {0.8221019548832965, 0.9605916792830023, 0.9848478424667887};
    static const double d2[3] = {0.71, 0.88, 0.93}, r[2] = {0.64, 0.79};
    const double *y[3] = {b, d2, r};
    static const int32_t n[3] = {3, 3, 2};
    attn_fig_lines d = {"Cosine similarity of 'bank' in two sentences", "Hidden state (0 = embeddings)",
                        "Cosine similarity", 3, models, n, y};
    return attn_figure_lines(&d, s, f);
}

static const char *const bank_tokens[10] = {"[CLS]", "the", "bank", "of", "the", "river", "was", "calm", ".", "[SEP]"};

static attn_status focus_bars(const attn_figure_style *s, attn_figure **f) {
    static const double v[10] = {0.05, 0.04, 0.21, 0.08, 0.03, 0.33, 0.06, 0.07, 0.09, 0.04};
    attn_fig_token_bars d = {"Where 'bank' attends in sentence 1", NULL, 10, bank_tokens, v, 2};
    return attn_figure_token_bars(&d, s, f);
}

static attn_status focus_heatmap(const attn_figure_style *s, attn_figure **f) {
    double v[3][10];
    static const char *const layers[3] = {"L0", "L1", "L2"};
    for (int l = 0; l < 3; l++) {
        double sum = 0;
        for (int t = 0; t < 10; t++) sum += v[l][t] = 1.0 / (1 + fabs(t - 2 - 1.5 * l));
        for (int t = 0; t < 10; t++) v[l][t] /= sum;
    }
    attn_fig_heatmap d = {"Attention to tokens from 'bank' across layers", "Token", "Layer", "Attention",
                          3, 10, &v[0][0], layers, bank_tokens, 0, 0};
    return attn_figure_heatmap(&d, s, f);
}

/* [L][H][T][T] rows: softmax of a fixed pattern per head (diagonal, previous, first token, ...) */
float *fixture_attention(int L, int H, int T) {
    float *a = malloc((size_t)L * H * T * T * sizeof *a);
    if (!a) return NULL;
    for (int l = 0; l < L; l++)
        for (int h = 0; h < H; h++)
            for (int i = 0; i < T; i++) {
                float *row = a + (((size_t)l * H + h) * T + i) * T;
                double sum = 0;
                for (int j = 0; j < T; j++) {
                    int target = (h + l) % 4 == 0 ? i : (h + l) % 4 == 1 ? (i > 0 ? i - 1 : 0) : (h + l) % 4 == 2 ? 0 : T - 1;
                    double x = -fabs((double)(j - target)) * (1.5 + 0.5 * h) + 0.1 * ((i * 7 + j * 3 + l) % 5);
                    row[j] = (float)exp(x);
                    sum += row[j];
                }
                for (int j = 0; j < T; j++) row[j] = (float)(row[j] / sum);
            }
    return a;
}

static attn_fig_attention small_attention(float *a) {
    return (attn_fig_attention){"bert-tiny", 2, 2, 10, a, bank_tokens};
}

static attn_status att_head(const attn_figure_style *s, attn_figure **f) {
    float *a = fixture_attention(2, 2, 10);
    attn_fig_attention d = small_attention(a);
    attn_status st = a ? attn_figure_attention_head(&d, 1, 0, s, f) : ATTN_E_NOMEM;
    free(a);
    return st;
}

static attn_status att_layer(const attn_figure_style *s, attn_figure **f) {
    float *a = fixture_attention(2, 2, 10);
    attn_fig_attention d = small_attention(a);
    attn_status st = a ? attn_figure_attention_layer(&d, 1, s, f) : ATTN_E_NOMEM;
    free(a);
    return st;
}

static attn_status att_model(const attn_figure_style *s, attn_figure **f) {
    float *a = fixture_attention(2, 2, 10);
    attn_fig_attention d = small_attention(a);
    attn_status st = a ? attn_figure_model_view(&d, s, f) : ATTN_E_NOMEM;
    free(a);
    return st;
}

static attn_status att_head_view(const attn_figure_style *s, attn_figure **f) {
    float *a = fixture_attention(2, 2, 10);
    attn_fig_attention d = small_attention(a);
    attn_status st = a ? attn_figure_head_view(&d, 1, NULL, 0, s, f) : ATTN_E_NOMEM;
    free(a);
    return st;
}

const fixture_figure fixture_figures[] = {
    {"metric_bars", metric_bars},   {"domain_bars", domain_bars},     {"head_grids", head_grids},
    {"head_map", head_map},         {"agreement", agreement},         {"bench", bench},
    {"similarity", similarity},     {"focus_bars", focus_bars},       {"focus_heatmap", focus_heatmap},
    {"attention_head", att_head},   {"attention_layer", att_layer},   {"model_view", att_model},
    {"head_view", att_head_view},   {NULL, NULL},
};
