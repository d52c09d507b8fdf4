/* forward.c — the encoder forward pass, read top to bottom.
 *
 * Sequences of a batch are packed one after another (no padding rows): N = Σ T_b rows go through
 * every linear layer together, and attention runs per sequence over its own T_b tokens only. That
 * is exactly what a padded batch with an attention mask computes for the real tokens, without the
 * wasted work, and it makes every sequence's result equal to its unpadded run.
 *
 * Shapes: C hidden, NH heads, hd = C/NH, I intermediate, L layers, N packed rows. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "model.h"

typedef struct seq_span {
    int start; /* first packed row */
    int len;   /* T_b */
} seq_span;

/* Position ids: BERT and DistilBERT count from 0; RoBERTa from pad+1 over non-padding tokens
 * (padding tokens get pad itself), as create_position_ids_from_input_ids does. */
static int position_id(const attn_config *c, const int32_t *ids, int t, int *count) {
    if (c->arch != ATTN_ARCH_ROBERTA) return t;
    if (ids[t] == c->pad_token_id) return c->pad_token_id;
    return ++*count + c->pad_token_id;
}

attn_status attn_model_check_input(const attn_model *m, const attn_input *in) {
    const attn_config *c = &m->cfg;
    if (in->len < 1 || !in->ids) return attn_fail(ATTN_E_INVALID, "empty sequence");
    int count = 0;
    for (int t = 0; t < in->len; t++) {
        int32_t id = in->ids[t];
        if (id < 0 || id >= c->vocab)
            return attn_fail(ATTN_E_INVALID, "token %d has id %d outside the vocabulary (0..%d)", t, id, c->vocab - 1);
        int32_t tt = in->type_ids ? in->type_ids[t] : 0;
        if (tt < 0 || (tt > 0 && tt >= c->type_vocab))
            return attn_fail(ATTN_E_INVALID, "token %d has type id %d, the model has %d token types", t, tt, c->type_vocab);
        if (position_id(c, in->ids, t, &count) >= c->max_positions)
            return attn_fail(ATTN_E_INVALID, "%d tokens exceed the model's %d positions", in->len,
                             c->arch == ATTN_ARCH_ROBERTA ? c->max_positions - c->pad_token_id - 1 : c->max_positions);
    }
    return ATTN_OK;
}

static attn_status check_inputs(const attn_model *m, const attn_input *in, int n) {
    if (n < 1) return attn_fail(ATTN_E_INVALID, "forward: no input sequence");
    for (int b = 0; b < n; b++) {
        attn_status s = attn_model_check_input(m, &in[b]);
        if (s) return attn_fail_prefix(s, "input %d of the batch", b);
    }
    return ATTN_OK;
}

/* x (N, C) = LayerNorm(word[id] + type[tt] + pos[p]) */
static void embed(const attn_model *m, const attn_input *in, const seq_span *seqs, int n, float *x) {
    const attn_config *c = &m->cfg;
    int C = c->hidden;
    for (int b = 0; b < n; b++) {
        int count = 0;
        for (int t = 0; t < seqs[b].len; t++) {
            float *xr = x + (size_t)(seqs[b].start + t) * C;
            const float *we = m->word_emb + (size_t)in[b].ids[t] * C;
            const float *pe = m->pos_emb + (size_t)position_id(c, in[b].ids, t, &count) * C;
            if (m->type_emb) {
                const float *te = m->type_emb + (size_t)(in[b].type_ids ? in[b].type_ids[t] : 0) * C;
                for (int j = 0; j < C; j++) xr[j] = (we[j] + te[j]) + pe[j];
            } else {
                for (int j = 0; j < C; j++) xr[j] = we[j] + pe[j];
            }
        }
    }
    int N = seqs[n - 1].start + seqs[n - 1].len;
    attn_layernorm(x, x, NULL, m->emb_ln_g, m->emb_ln_b, N, C, (float)c->layer_norm_eps);
}

/* Multi-head self-attention of one layer.
 * qkv (N, 3C) → ctx (N, C); probabilities of sequence b go to att[b] (NH, T_b, T_b). */
static void attention(const attn_config *c, const float *qkv, float *ctx, float *const *att, const seq_span *seqs, int n) {
    int C = c->hidden, NH = c->heads, hd = C / NH;
    float scale = 1.0f / sqrtf((float)hd);
    int scale_q_first = c->arch == ATTN_ARCH_DISTILBERT; /* DistilBERT scales q before the product */
    int tasks = n * NH;
    double macs = 0; /* q·k and p·v of every head: stay on one thread when small (matmul.h) */
    for (int b = 0; b < n; b++) macs += 2.0 * seqs[b].len * seqs[b].len * C;
    #pragma omp parallel for schedule(dynamic, 1) if (macs > ATTN_PARALLEL_MACS)
    for (int task = 0; task < tasks; task++) {
        int b = task / NH, h = task % NH, T = seqs[b].len;
        const float *q = qkv + (size_t)seqs[b].start * 3 * C + h * hd; /* (T, hd) rows 3C apart */
        const float *k = q + C, *v = q + 2 * C;
        float *probs = att[b] + (size_t)h * T * T;                     /* (T, T) */
        float *out = ctx + (size_t)seqs[b].start * C + h * hd;         /* (T, hd) rows C apart */
        attn_attend_head(q, k, v, 3 * C, T, hd, scale, scale_q_first, probs, out, C);
    }
}

/* One block for every activation of the pass, carved once before the layer loop. */
typedef struct arena {
    float *block;
    float *hidden;  /* (L+1, N, C) when hidden states are returned, else (2, N, C) */
    float *qkv;     /* (N, 3C) */
    float *ctx;     /* (N, C) */
    float *tmp;     /* (N, C) */
    float *attn_x;  /* (N, C) output of the attention sub-layer */
    float *ff;      /* (N, I) */
    float *att;     /* Σ NH·T_b² scratch probabilities when attentions are not returned */
} arena;

static int arena_alloc(arena *a, const attn_config *c, int N, size_t att_floats, int keep_hidden, int keep_att) {
    size_t C = (size_t)c->hidden, I = (size_t)c->intermediate, L = (size_t)c->layers;
    size_t nh = (keep_hidden ? L + 1 : 2) * N * C;
    size_t total = nh + N * 3 * C + 3 * N * C + N * I + (keep_att ? 0 : att_floats);
    a->block = malloc(total * sizeof(float));
    if (!a->block) return 0;
    float *p = a->block;
    a->hidden = p, p += nh;
    a->qkv = p, p += N * 3 * C;
    a->ctx = p, p += N * C;
    a->tmp = p, p += N * C;
    a->attn_x = p, p += N * C;
    a->ff = p, p += N * I;
    a->att = keep_att ? NULL : p;
    return 1;
}

void attn_output_free(attn_output *o) {
    if (!o) return;
    free(o->attentions);
    free(o->hidden_states);
    memset(o, 0, sizeof *o);
}

attn_status attn_model_forward(attn_model *m, const attn_input *in, int n, unsigned outputs, attn_output *out) {
    const attn_config *c = &m->cfg;
    attn_status s = check_inputs(m, in, n);
    if (s) return s;
    int C = c->hidden, NH = c->heads, L = c->layers, I = c->intermediate;
    int keep_hidden = (outputs & ATTN_OUT_HIDDEN) != 0, keep_att = (outputs & ATTN_OUT_ATTENTIONS) != 0;

    seq_span *seqs = malloc((size_t)n * sizeof *seqs);
    float **att = malloc((size_t)n * sizeof *att);           /* this layer's probabilities per sequence */
    if (!seqs || !att) { free(seqs); free(att); return attn_fail(ATTN_E_NOMEM, "forward: out of memory"); }
    int N = 0;
    size_t att_floats = 0;
    for (int b = 0; b < n; b++) {
        seqs[b] = (seq_span){N, in[b].len};
        N += in[b].len;
        att_floats += (size_t)NH * in[b].len * in[b].len;
    }

    memset(out, 0, (size_t)n * sizeof *out);
    arena a = {0};
    int ok = arena_alloc(&a, c, N, att_floats, keep_hidden, keep_att);
    for (int b = 0; ok && b < n; b++) {
        size_t T = (size_t)in[b].len;
        out[b] = (attn_output){.len = in[b].len, .layers = L, .heads = NH, .hidden = C};
        if (keep_att) ok = (out[b].attentions = malloc((size_t)L * NH * T * T * sizeof(float))) != NULL;
        if (ok && keep_hidden) ok = (out[b].hidden_states = malloc((size_t)(L + 1) * T * C * sizeof(float))) != NULL;
    }
    if (!ok) {
        for (int b = 0; b < n; b++) attn_output_free(&out[b]);
        free(a.block), free(seqs), free(att);
        return attn_fail(ATTN_E_NOMEM, "forward: cannot allocate activations for %d tokens", N);
    }
    int saved_threads = omp_get_max_threads(); /* the setting is per calling thread: put it back after */
    if (m->threads > 0) omp_set_num_threads(m->threads);

    size_t NC = (size_t)N * C;
    embed(m, in, seqs, n, a.hidden);                                        /* hidden[0] (N, C) */
    for (int l = 0; l < L; l++) {
        const layer_weights *w = &m->layers[l];
        float *x = a.hidden + (keep_hidden ? (size_t)l : (size_t)(l % 2)) * NC;           /* (N, C) in */
        float *y = a.hidden + (keep_hidden ? (size_t)l + 1 : (size_t)((l + 1) % 2)) * NC; /* (N, C) out */
        size_t off = 0;
        for (int b = 0; b < n; b++) {
            size_t T = (size_t)in[b].len;
            att[b] = keep_att ? out[b].attentions + (size_t)l * NH * T * T : a.att + off;
            off += (size_t)NH * T * T;
        }
        attn_matmul(a.qkv, x, w->qkv_w, w->qkv_b, N, C, 3 * C);            /* (N, 3C) */
        attention(c, a.qkv, a.ctx, att, seqs, n);                           /* (N, C), att (NH, T, T) */
        attn_matmul(a.tmp, a.ctx, w->attn_out_w, w->attn_out_b, N, C, C);  /* (N, C) */
        attn_layernorm(a.attn_x, a.tmp, x, w->attn_ln_g, w->attn_ln_b, N, C, (float)c->layer_norm_eps);
        attn_matmul(a.ff, a.attn_x, w->ff_in_w, w->ff_in_b, N, C, I);      /* (N, I) */
        attn_activation_apply(a.ff, (size_t)N * I, c->activation);
        attn_matmul(a.tmp, a.ff, w->ff_out_w, w->ff_out_b, N, I, C);       /* (N, C) */
        attn_layernorm(y, a.tmp, a.attn_x, w->out_ln_g, w->out_ln_b, N, C, (float)c->layer_norm_eps);
    }

    if (keep_hidden) /* packed (L+1, N, C) → per sequence (L+1, T_b, C) */
        for (int b = 0; b < n; b++)
            for (int l = 0; l <= L; l++)
                memcpy(out[b].hidden_states + (size_t)l * in[b].len * C, a.hidden + (size_t)l * NC + (size_t)seqs[b].start * C,
                       (size_t)in[b].len * C * sizeof(float));
    omp_set_num_threads(saved_threads);
    free(a.block);
    free(seqs);
    free(att);
    return ATTN_OK;
}
