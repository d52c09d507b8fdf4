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
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "model.h"
#include "team.h"
#include "team_pool.h"

typedef struct seq_span {
    int start; /* first packed row */
    int len;   /* T_b */
    size_t att; /* offset of its (NH, T_b, T_b) probabilities in the scratch */
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
            const float *we;
            if (m->word_emb16) { /* a 16-bit table as the file stores it: the row widened into x first */
                const uint16_t *w16 = m->word_emb16 + (size_t)in[b].ids[t] * C;
                for (int j = 0; j < C; j++) xr[j] = attn_w16_to_f32(w16[j], m->word_emb_wt);
                we = xr;
            } else {
                we = m->word_emb + (size_t)in[b].ids[t] * C;
            }
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

/* Multi-head self-attention of layer l, inside the forward's parallel region ((sequence, head)
 * tasks taken from next_task, 0 at the start; the caller synchronises after it).
 * qkv (N, 3C) → ctx (N, C); probabilities of sequence b go to att_b (NH, T_b, T_b): the output's
 * layer l when attentions are returned, else the scratch. With ATTN_OUT_QK the head's q and k rows
 * (after projection and bias, before any scaling) are copied to out[b].queries / keys. work: this
 * thread's attn_attend_work_floats(longest sequence, hd) floats. */
static void attention(const attn_config *c, int l, const float *qkv, float *ctx, float *scratch, attn_output *out,
                      const seq_span *seqs, int n, unsigned outputs, float *work, atomic_int *next_task) {
    int C = c->hidden, NH = c->heads, hd = C / NH;
    float scale = 1.0f / sqrtf((float)hd);
    int scale_q_first = c->arch == ATTN_ARCH_DISTILBERT; /* DistilBERT scales q before the product */
    int tasks = n * NH;
    /* tasks taken one at a time: sequences differ in length */
    for (int task; (task = atomic_fetch_add_explicit(next_task, 1, memory_order_relaxed)) < tasks;) {
        int b = task / NH, h = task % NH, T = seqs[b].len;
        size_t TT = (size_t)T * T;
        const float *q = qkv + (size_t)seqs[b].start * 3 * C + h * hd; /* (T, hd) rows 3C apart */
        const float *k = q + C, *v = q + 2 * C;
        float *probs = outputs & ATTN_OUT_ATTENTIONS ? out[b].attentions + ((size_t)l * NH + h) * TT
                                                     : scratch + seqs[b].att + h * TT;
        float *o = ctx + (size_t)seqs[b].start * C + h * hd;           /* (T, hd) rows C apart */
        attn_attend_head(q, k, v, 3 * C, T, hd, scale, scale_q_first, probs, o, C, work);
        if (outputs & ATTN_OUT_QK)
            for (int t = 0; t < T; t++) {
                size_t at = (((size_t)l * NH + h) * T + t) * hd;
                memcpy(out[b].queries + at, q + (size_t)t * 3 * C, (size_t)hd * sizeof(float));
                memcpy(out[b].keys + at, k + (size_t)t * 3 * C, (size_t)hd * sizeof(float));
            }
    }
}

/* The activations of one pass, carved from the model's arena (or a private block). */
typedef struct arena {
    float *block;   /* NULL when the model's arena is used */
    float *hidden;  /* (L+1, N, C) when hidden states are returned, else (2, N, C) */
    float *qkv;     /* (N, 3C) */
    float *ctx;     /* (N, C) */
    float *tmp;     /* (N, C) */
    float *attn_x;  /* (N, C) output of the attention sub-layer */
    float *ff;      /* (N, I) in rows ldff = attn_x_stride(I) apart */
    float *att;     /* Σ NH·T_b² scratch probabilities when attentions are not returned */
    float *work;    /* per thread, work_floats apart: attention's scratch (attn_attend_work_floats) */
    size_t work_floats;
    uint32_t *xb;   /* (N + 32, K2) a bf16 layer's input as bf16 pairs, rounded once for the team; NULL in fp32 */
    int locked;     /* holds the model's arena lock */
} arena;

/* Reuses the model's block when it is free and large enough (grown otherwise), so that a forward
 * allocates only its outputs; a concurrent forward on the same model gets a block of its own. */
static int arena_alloc(attn_model *m, arena *a, int N, int T_max, int threads, size_t att_floats, int keep_hidden,
                       int keep_att) {
    const attn_config *c = &m->cfg;
    size_t C = (size_t)c->hidden, I = (size_t)c->intermediate, L = (size_t)c->layers;
    size_t nh = (keep_hidden ? L + 1 : 2) * N * C;
    size_t ldff = (size_t)attn_x_stride((int)I);
    size_t acts = (nh + N * 3 * C + 3 * N * C + N * ldff + (keep_att ? 0 : att_floats) + 15) / 16 * 16;
    a->work_floats = (attn_attend_work_floats(T_max, c->hidden / c->heads) + 15) / 16 * 16;
    size_t floats = acts + (size_t)threads * a->work_floats;
    size_t xb_bytes = m->precision == ATTN_PRECISION_BF16 ? attn_bf16_x_bytes(N, (int)(I > C ? I : C)) : 0;
    size_t total = floats + (xb_bytes + sizeof(float) - 1) / sizeof(float);
    float *p = NULL;
    if (pthread_mutex_trylock(&m->arena.lock) == 0) {
        a->locked = 1;
        if (m->arena.floats < total) {
            free(m->arena.block);
            m->arena.block = aligned_alloc(64, (total * sizeof(float) + 63) / 64 * 64);
            m->arena.floats = m->arena.block ? total : 0;
        }
        p = m->arena.block;
    } else {
        p = a->block = aligned_alloc(64, (total * sizeof(float) + 63) / 64 * 64);
    }
    if (!p) return 0;
    a->xb = xb_bytes ? (uint32_t *)(p + floats) : NULL; /* floats is a multiple of 16: 64-byte aligned */
    a->hidden = p, p += nh;
    a->qkv = p, p += N * 3 * C;
    a->ctx = p, p += N * C;
    a->tmp = p, p += N * C;
    a->attn_x = p, p += N * C;
    a->ff = p, p += N * ldff;
    a->att = keep_att ? NULL : p;
    a->work = a->hidden + acts; /* acts and work_floats are multiples of 16: 64-byte aligned */
    return 1;
}

static void arena_release(attn_model *m, arena *a) {
    free(a->block);
    if (a->locked) pthread_mutex_unlock(&m->arena.lock);
}

void attn_output_free(attn_output *o) {
    if (!o) return;
    attn_block_free(o->attentions);
    attn_block_free(o->hidden_states);
    attn_block_free(o->queries);
    attn_block_free(o->keys);
    memset(o, 0, sizeof *o);
}

static int alloc_outputs(const attn_config *c, const attn_input *in, int n, unsigned outputs, attn_output *out) {
    size_t L = (size_t)c->layers, NH = (size_t)c->heads, C = (size_t)c->hidden;
    int ok = 1;
    for (int b = 0; ok && b < n; b++) {
        size_t T = (size_t)in[b].len;
        out[b] = (attn_output){.len = in[b].len, .layers = c->layers, .heads = c->heads, .hidden = c->hidden};
        if (outputs & ATTN_OUT_ATTENTIONS) ok = (out[b].attentions = attn_block_alloc(L * NH * T * T * sizeof(float))) != NULL;
        if (ok && outputs & ATTN_OUT_HIDDEN) ok = (out[b].hidden_states = attn_block_alloc((L + 1) * T * C * sizeof(float))) != NULL;
        if (ok && outputs & ATTN_OUT_QK) {
            out[b].queries = attn_block_alloc(L * T * C * sizeof(float)); /* [L][NH][T][C/NH] */
            out[b].keys = attn_block_alloc(L * T * C * sizeof(float));
            ok = out[b].queries && out[b].keys;
        }
    }
    if (!ok)
        for (int b = 0; b < n; b++) attn_output_free(&out[b]);
    return ok;
}

/* The layers, inside one parallel region: each step is the threads taking units of its work (32
 * columns of a linear layer × a block of rows, 16 LayerNorm rows, one attention head of one
 * sequence) from a counter until none is left, then a barrier. Step s counts on counter[s % 2];
 * thread 0 zeroes the other one (its last step is over, its next one starts after a barrier). */
typedef struct layers_job {
    const attn_model *m;
    const arena *a;
    attn_output *out;
    const seq_span *seqs;
    int n, N;
    unsigned outputs;
    team_barrier bar;
    atomic_int counter[2];
} layers_job;

#define LN_ROWS 16 /* LayerNorm rows per unit */

static atomic_int *step_counter(layers_job *job, int tid, int *step) {
    if (tid == 0) atomic_store_explicit(&job->counter[(*step + 1) % 2], 0, memory_order_relaxed);
    return &job->counter[(*step)++ % 2];
}

/* y = LayerNorm(x + r) · g + b over the rows (N, C), LN_ROWS at a time from the step's counter. */
static void layernorm_step(float *y, const float *x, const float *r, const float *g, const float *b, int N, int C, float eps,
                           atomic_int *next, int tid, int nt) {
    attn_units units = attn_units_of(next, (N + LN_ROWS - 1) / LN_ROWS, tid, nt);
    for (int u; (u = attn_units_take(&units)) >= 0;) {
        size_t o = (size_t)u * LN_ROWS * C;
        int rows = N - u * LN_ROWS < LN_ROWS ? N - u * LN_ROWS : LN_ROWS;
        attn_layernorm_rows(y + o, x + o, r + o, g, b, rows, C, eps);
    }
}

/* y (rows ldy apart) = act(x (rows ldx apart) · lᵀ + b) as one step; a bf16 layer as two: x
 * rounded to bf16 pairs once for the team (each thread would otherwise round every block it works
 * in), a barrier, the product. */
static void linear_step(layers_job *job, const attn_linear *l, float *y, int ldy, const float *x, int ldx, int act, int tid,
                        int nt, int *step) {
    if (job->a->xb && attn_linear_bf16_active(l)) {
        attn_bf16_convert_part(job->a->xb, x, job->N, l->K, ldx, tid, nt, step_counter(job, tid, step));
        team_wait(&job->bar);
        attn_linear_part_bf16(l, y, job->a->xb, job->N, ldy, act, tid, nt, step_counter(job, tid, step));
    } else {
        attn_linear_part(l, y, x, job->N, ldx, ldy, act, tid, nt, step_counter(job, tid, step), NULL);
    }
}

static void encoder_layers(void *job_ptr, int tid, int nt) {
    layers_job *job = job_ptr;
    const attn_model *m = job->m;
    const arena *a = job->a;
    attn_output *out = job->out;
    const seq_span *seqs = job->seqs;
    int n = job->n, N = job->N, step = 0;
    unsigned outputs = job->outputs;
    team_barrier *bar = &job->bar;
    const attn_config *c = &m->cfg;
    int C = c->hidden, L = c->layers, keep_hidden = (outputs & ATTN_OUT_HIDDEN) != 0, ldff = attn_x_stride(c->intermediate);
    float eps = (float)c->layer_norm_eps;
    size_t NC = (size_t)N * C;
    for (int l = 0; l < L; l++) {
        const layer_weights *w = &m->layers[l];
        float *x = a->hidden + (keep_hidden ? (size_t)l : (size_t)(l % 2)) * NC;           /* (N, C) in */
        float *y = a->hidden + (keep_hidden ? (size_t)l + 1 : (size_t)((l + 1) % 2)) * NC; /* (N, C) out */
        linear_step(job, &w->qkv, a->qkv, 3 * C, x, C, -1, tid, nt, &step);                         /* (N, 3C) */
        team_wait(bar);
        attention(c, l, a->qkv, a->ctx, a->att, out, seqs, n, outputs, a->work + (size_t)tid * a->work_floats,
                  step_counter(job, tid, &step)); /* (N, C) */
        team_wait(bar);
        linear_step(job, &w->attn_out, a->tmp, C, a->ctx, C, -1, tid, nt, &step);                   /* (N, C) */
        team_wait(bar);
        layernorm_step(a->attn_x, a->tmp, x, w->attn_ln_g, w->attn_ln_b, N, C, eps, step_counter(job, tid, &step), tid, nt);
        team_wait(bar);
        linear_step(job, &w->ff_in, a->ff, ldff, a->attn_x, C, (int)c->activation, tid, nt, &step);  /* (N, I) */
        team_wait(bar);
        linear_step(job, &w->ff_out, a->tmp, C, a->ff, ldff, -1, tid, nt, &step);                   /* (N, C) */
        team_wait(bar);
        layernorm_step(y, a->tmp, a->attn_x, w->out_ln_g, w->out_ln_b, N, C, eps, step_counter(job, tid, &step), tid, nt);
        team_wait(bar);
    }
}

attn_status attn_model_forward(attn_model *m, const attn_input *in, int n, unsigned outputs, attn_output *out) {
    const attn_config *c = &m->cfg;
    attn_status s = check_inputs(m, in, n);
    if (s) return s;
    int C = c->hidden, NH = c->heads, L = c->layers;
    int keep_hidden = (outputs & ATTN_OUT_HIDDEN) != 0, keep_att = (outputs & ATTN_OUT_ATTENTIONS) != 0;

    seq_span *seqs = malloc((size_t)n * sizeof *seqs);
    if (!seqs) return attn_fail(ATTN_E_NOMEM, "forward: out of memory");
    int N = 0, T_max = 0;
    size_t att_floats = 0;
    for (int b = 0; b < n; b++) {
        seqs[b] = (seq_span){N, in[b].len, att_floats};
        N += in[b].len;
        if (in[b].len > T_max) T_max = in[b].len;
        att_floats += (size_t)NH * in[b].len * in[b].len;
    }

    memset(out, 0, (size_t)n * sizeof *out);
    arena a = {0};
    int threads = m->threads > 0 ? m->threads : omp_get_max_threads();
    if (!alloc_outputs(c, in, n, outputs, out) || !arena_alloc(m, &a, N, T_max, threads, att_floats, keep_hidden, keep_att)) {
        for (int b = 0; b < n; b++) attn_output_free(&out[b]);
        arena_release(m, &a);
        free(seqs);
        return attn_fail(ATTN_E_NOMEM, "forward: cannot allocate activations for %d tokens", N);
    }
    embed(m, in, seqs, n, a.hidden);                                        /* hidden[0] (N, C) */
    /* the library's own team: its workers sleep between forwards instead of spinning (team_pool.h) */
    attn_team team;
    attn_team_begin(&team, threads);
    layers_job job = {.m = m, .a = &a, .out = out, .seqs = seqs, .n = n, .N = N, .outputs = outputs};
    job.bar.n = team.n;
    atomic_init(&job.counter[0], 0);
    atomic_init(&job.counter[1], 0);
    attn_team_run(&team, encoder_layers, &job);
    attn_team_end(&team);

    size_t NC = (size_t)N * C;
    if (keep_hidden) /* packed (L+1, N, C) → per sequence (L+1, T_b, C) */
        for (int b = 0; b < n; b++)
            for (int l = 0; l <= L; l++)
                memcpy(out[b].hidden_states + (size_t)l * in[b].len * C, a.hidden + (size_t)l * NC + (size_t)seqs[b].start * C,
                       (size_t)in[b].len * C * sizeof(float));
    arena_release(m, &a);
    free(seqs);
    return ATTN_OK;
}
