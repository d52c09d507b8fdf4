/* test_forward_naive.c — the forward against a naive forward in double precision written from the
 * BERT equations, on a random checkpoint (bench/make_checkpoint) of shapes the Hugging Face
 * fixtures do not have: an intermediate size that is a multiple of 1024, where the forward gives
 * the FFN buffer padded rows (attn_x_stride), and enough rows in one batch for the kernels' corpus
 * tiles.
 *
 *   test_forward_naive MODEL_DIR [--bf16]
 * Attentions within 1e-5 absolute and hidden states within 1e-4 relative to the largest magnitude
 * of each vector (bf16: the tolerance of test_forward), each input alone and all in one batch. */
#define BF16_ATT_TOL 2e-2f
#define BF16_HIDDEN_RTOL 5e-2f
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "tensors.h"
#include "testutil.h"

typedef struct naive {
    const attn_config *c;
    const attn_tensor_set *w;
    double *x, *q, *k, *v, *ctx, *t, *x1, *h; /* (T, C) except h (T, I) */
} naive;

/* The tensor as floats (malloc'd), or NULL (a failed check) when the checkpoint lacks it. */
static float *weight(const naive *n, const char *name) {
    const attn_tensor *t = tensor_set_find(n->w, name);
    if (!CHECKF(t != NULL, "tensor %s missing", name)) return NULL;
    float *f = malloc((size_t)tensor_numel(t) * sizeof *f);
    tensor_to_f32(t, f);
    return f;
}

/* y (T, N) = x (T, K) · W (N, K)ᵀ + b */
static void linear(double *y, const double *x, const float *W, const float *b, int T, int K, int N) {
    for (int i = 0; i < T; i++)
        for (int o = 0; o < N; o++) {
            double s = b[o];
            for (int j = 0; j < K; j++) s += x[(size_t)i * K + j] * W[(size_t)o * K + j];
            y[(size_t)i * N + o] = s;
        }
}

/* y = LayerNorm(a + r) row by row */
static void layernorm(double *y, const double *a, const double *r, const float *g, const float *b, int T, int C, double eps) {
    for (int i = 0; i < T; i++) {
        double mean = 0, var = 0, *yr = y + (size_t)i * C;
        for (int j = 0; j < C; j++) yr[j] = a[(size_t)i * C + j] + (r ? r[(size_t)i * C + j] : 0.0), mean += yr[j];
        mean /= C;
        for (int j = 0; j < C; j++) var += (yr[j] - mean) * (yr[j] - mean);
        var /= C;
        for (int j = 0; j < C; j++) yr[j] = (yr[j] - mean) / sqrt(var + eps) * g[j] + b[j];
    }
}

/* The forward of one sequence: attentions (L, NH, T, T) and hidden states (L + 1, T, C) as floats. */
static void naive_forward(naive *n, const int32_t *ids, const int32_t *tt, int T, float *att, float *hid) {
    const attn_config *c = n->c;
    int C = c->hidden, NH = c->heads, hd = C / NH, I = c->intermediate;
    double eps = c->layer_norm_eps;
    float *we = weight(n, "bert.embeddings.word_embeddings.weight"), *pe = weight(n, "bert.embeddings.position_embeddings.weight"),
          *te = weight(n, "bert.embeddings.token_type_embeddings.weight"), *eg = weight(n, "bert.embeddings.LayerNorm.weight"),
          *eb = weight(n, "bert.embeddings.LayerNorm.bias");
    if (!we || !pe || !te || !eg || !eb) return;
    for (int i = 0; i < T; i++)
        for (int j = 0; j < C; j++)
            n->t[(size_t)i * C + j] = (double)we[(size_t)ids[i] * C + j] + te[(size_t)tt[i] * C + j] + pe[(size_t)i * C + j];
    layernorm(n->x, n->t, NULL, eg, eb, T, C, eps);
    free(we), free(pe), free(te), free(eg), free(eb);
    for (size_t j = 0; j < (size_t)T * C; j++) hid[j] = (float)n->x[j];
    for (int l = 0; l < c->layers; l++) {
        float *W[6], *B[6], *G[2], *Bt[2];
        const char *lin[6] = {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                              "intermediate.dense", "output.dense"};
        const char *ln[2] = {"attention.output.LayerNorm", "output.LayerNorm"};
        char name[160];
#define LAYER(part, what) (snprintf(name, sizeof name, "bert.encoder.layer.%d.%s.%s", l, part, what), weight(n, name))
        for (int p = 0; p < 6; p++) W[p] = LAYER(lin[p], "weight"), B[p] = LAYER(lin[p], "bias");
        for (int p = 0; p < 2; p++) G[p] = LAYER(ln[p], "weight"), Bt[p] = LAYER(ln[p], "bias");
#undef LAYER
        int missing = 0;
        for (int p = 0; p < 6; p++) missing |= !W[p] || !B[p] || (p < 2 && (!G[p] || !Bt[p]));
        if (missing) return;
        linear(n->q, n->x, W[0], B[0], T, C, C);
        linear(n->k, n->x, W[1], B[1], T, C, C);
        linear(n->v, n->x, W[2], B[2], T, C, C);
        for (int h = 0; h < NH; h++)
            for (int i = 0; i < T; i++) {
                double s[512], mx = -INFINITY, sum = 0;
                for (int j = 0; j < T; j++) {
                    double d = 0;
                    for (int e = 0; e < hd; e++) d += n->q[(size_t)i * C + h * hd + e] * n->k[(size_t)j * C + h * hd + e];
                    s[j] = d / sqrt((double)hd), mx = fmax(mx, s[j]);
                }
                for (int j = 0; j < T; j++) s[j] = exp(s[j] - mx), sum += s[j];
                for (int j = 0; j < T; j++) att[(((size_t)l * NH + h) * T + i) * T + j] = (float)(s[j] /= sum);
                for (int e = 0; e < hd; e++) {
                    double o = 0;
                    for (int j = 0; j < T; j++) o += s[j] * n->v[(size_t)j * C + h * hd + e];
                    n->ctx[(size_t)i * C + h * hd + e] = o;
                }
            }
        linear(n->t, n->ctx, W[3], B[3], T, C, C);
        layernorm(n->x1, n->t, n->x, G[0], Bt[0], T, C, eps);
        linear(n->h, n->x1, W[4], B[4], T, C, I);
        for (size_t j = 0; j < (size_t)T * I; j++) n->h[j] = 0.5 * n->h[j] * (1.0 + erf(n->h[j] / sqrt(2.0)));
        linear(n->t, n->h, W[5], B[5], T, I, C);
        layernorm(n->x, n->t, n->x1, G[1], Bt[1], T, C, eps);
        for (size_t j = 0; j < (size_t)T * C; j++) hid[(size_t)(l + 1) * T * C + j] = (float)n->x[j];
        for (int p = 0; p < 6; p++) free(W[p]), free(B[p]);
        for (int p = 0; p < 2; p++) free(G[p]), free(Bt[p]);
    }
}

#define NSEQ 4
static const int lens[NSEQ] = {7, 30, 64, 97}; /* 198 rows in one batch */

int main(int argc, char **argv) {
    int bf16 = argc == 3 && !strcmp(argv[2], "--bf16");
    if (argc != 2 && !bf16) {
        fprintf(stderr, "usage: test_forward_naive MODEL_DIR [--bf16]\n");
        return 2;
    }
    const char *want_ks = getenv("ATTN_KERNELS");
    if (want_ks && *want_ks && !attn_kernels_supported(want_ks)) {
        printf("SKIPPED: ATTN_KERNELS=%s, but this CPU (or the OS) does not support that kernel set\n", want_ks);
        return 77;
    }
    attn_model *m = NULL;
    if (!CHECK_OK(attn_model_open(argv[1], &m))) return tu_done(argv[1]);
    float att_tol = 1e-5f, hidden_rtol = 1e-4f;
    if (bf16) {
        if (attn_model_set_precision(m, ATTN_PRECISION_BF16) != ATTN_OK) {
            printf("SKIPPED: %s\n", attn_last_error());
            attn_model_free(m);
            return 77;
        }
        att_tol = BF16_ATT_TOL, hidden_rtol = BF16_HIDDEN_RTOL;
    }
    const attn_config *c = attn_model_config(m);
    CHECKF(c->arch == ATTN_ARCH_BERT && c->intermediate % 1024 == 0, "%s: want a BERT with an intermediate size of k·1024", argv[1]);
    attn_tensor_set w;
    memset(&w, 0, sizeof w);
    if (!CHECK_OK(tensor_set_open_dir(&w, argv[1]))) return tu_done(argv[1]);
    int C = c->hidden, L = c->layers, NH = c->heads, I = c->intermediate, Tmax = 97;
    naive n = {.c = c, .w = &w};
    double **bufs[] = {&n.x, &n.q, &n.k, &n.v, &n.ctx, &n.t, &n.x1};
    for (size_t b = 0; b < sizeof bufs / sizeof *bufs; b++) *bufs[b] = malloc((size_t)Tmax * C * sizeof(double));
    n.h = malloc((size_t)Tmax * I * sizeof(double));

    attn_input in[NSEQ];
    float *want_att[NSEQ], *want_hid[NSEQ];
    uint64_t r = 0x243F6A8885A308D3ull;
    for (int s = 0; s < NSEQ; s++) {
        int T = lens[s];
        int32_t *ids = malloc((size_t)T * sizeof *ids), *tt = malloc((size_t)T * sizeof *tt);
        for (int i = 0; i < T; i++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            ids[i] = i == 0 ? 101 : i == T - 1 ? 102 : (int32_t)(1000 + r % (uint64_t)(c->vocab - 1000));
            tt[i] = s % 2 && i > T / 2; /* a second segment in two of them */
        }
        in[s] = (attn_input){ids, tt, T};
        want_att[s] = malloc((size_t)L * NH * T * T * sizeof(float));
        want_hid[s] = malloc((size_t)(L + 1) * T * C * sizeof(float));
        naive_forward(&n, ids, tt, T, want_att[s], want_hid[s]);
    }
    double worst_att = 0, worst_hid = 0;
    for (int batch = 1; batch <= NSEQ; batch += NSEQ - 1) /* each alone, then all in one batch */
        for (int s0 = 0; s0 < NSEQ; s0 += batch) {
            attn_output out[NSEQ];
            if (!CHECK_OK(attn_model_forward(m, in + s0, batch, ATTN_OUT_ALL, out))) break;
            for (int b = 0; b < batch; b++) {
                int s = s0 + b, T = lens[s];
                char what[160];
                snprintf(what, sizeof what, "%s%s: input %d (T=%d, batch of %d) attentions", argv[1], bf16 ? " bf16" : "", s, T, batch);
                tu_check_close(what, out[b].attentions, want_att[s], (size_t)L * NH * T * T, att_tol, 0.0f);
                for (size_t j = 0; j < (size_t)L * NH * T * T; j++) worst_att = fmax(worst_att, fabs((double)out[b].attentions[j] - want_att[s][j]));
                for (int v = 0; v < (L + 1) * T; v++) {
                    const float *got = out[b].hidden_states + (size_t)v * C, *want = want_hid[s] + (size_t)v * C;
                    snprintf(what, sizeof what, "%s%s: input %d (batch of %d) hidden vector %d", argv[1], bf16 ? " bf16" : "", s, batch, v);
                    if (!tu_check_close(what, got, want, (size_t)C, 0.0f, hidden_rtol)) break;
                    double mx = 0, d = 0;
                    for (int j = 0; j < C; j++) mx = fmax(mx, fabs(want[j])), d = fmax(d, fabs((double)got[j] - want[j]));
                    if (mx > 0) worst_hid = fmax(worst_hid, d / mx);
                }
                attn_output_free(&out[b]);
            }
        }
    printf("%s%s (%s): largest deviation from the naive forward: attentions %.3g absolute, hidden states %.3g relative\n",
           argv[1], bf16 ? " bf16" : "", attn_kernels_name(), worst_att, worst_hid);
    for (int s = 0; s < NSEQ; s++) free((void *)in[s].ids), free((void *)in[s].type_ids), free(want_att[s]), free(want_hid[s]);
    for (size_t b = 0; b < sizeof bufs / sizeof *bufs; b++) free(*bufs[b]);
    free(n.h);
    tensor_set_free(&w);
    attn_model_free(m);
    return tu_done("test_forward_naive");
}
