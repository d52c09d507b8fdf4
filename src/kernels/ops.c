/* ops.c — LayerNorm, activations and softmax, written to match PyTorch's float32 results. */
#include <math.h>

#include "kernels.h"

void attn_layernorm_rows_portable(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C,
                                  float eps) {
    for (int i = 0; i < M; i++) {
        const float *xi = x + (size_t)i * C;
        const float *ri = r ? r + (size_t)i * C : NULL;
        float *yi = y + (size_t)i * C;
        double sum = 0.0;
        for (int j = 0; j < C; j++) {
            float v = ri ? xi[j] + ri[j] : xi[j];
            yi[j] = v;
            sum += v;
        }
        float mean = (float)(sum / C);
        double var = 0.0;
        for (int j = 0; j < C; j++) {
            double d = (double)yi[j] - mean;
            var += d * d;
        }
        float rstd = (float)(1.0 / sqrt(var / C + (double)eps));
        for (int j = 0; j < C; j++) yi[j] = (yi[j] - mean) * rstd * g[j] + b[j];
    }
}

void attn_layernorm(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C, float eps) {
    /* a thread wake-up costs more than a few short rows: 25 × 768 stays on one thread */
    #pragma omp parallel for schedule(static) if ((size_t)M * C > ((size_t)1 << 17))
    for (int i = 0; i < M; i++) {
        size_t off = (size_t)i * C;
        attn_layernorm_rows(y + off, x + off, r ? r + off : NULL, g, b, 1, C, eps);
    }
}

/* The reference erf GELU, as torch.nn.functional.gelu: x/2 · (1 + erf(x/√2)). */
void attn_gelu_portable(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * (float)M_SQRT1_2));
}

static void activate(float *x, size_t n, attn_activation act) {
    switch (act) {
    case ATTN_ACT_GELU:
        attn_gelu(x, n);
        break;
    case ATTN_ACT_GELU_TANH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i];
            x[i] = 0.5f * v * (1.0f + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v)));
        }
        break;
    case ATTN_ACT_RELU:
        for (size_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    }
}

void attn_activation_apply(float *x, size_t n, attn_activation act) {
    const size_t chunk = 8192, parallel_above = (size_t)1 << 18;
    #pragma omp parallel for schedule(static) if (n > parallel_above)
    for (size_t c = 0; c < n; c += chunk) activate(x + c, n - c < chunk ? n - c : chunk, act);
}

void attn_activation_block(float *x, int M, int ld, int c0, int c1, attn_activation act) {
    if (c1 <= c0) return;
    for (int i = 0; i < M; i++) activate(x + (size_t)i * ld + c0, (size_t)(c1 - c0), act);
}

void attn_softmax(float *x, int n) {
    float mx = -INFINITY;
    for (int i = 0; i < n; i++) mx = fmaxf(mx, x[i]);
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - mx);
        sum += x[i];
    }
    float inv = 1.0f / sum;
    for (int i = 0; i < n; i++) x[i] *= inv;
}

/* One attention head of one sequence, the reference:
 *   q, k, v (T, hd) rows ld floats apart (views into the fused qkv rows);
 *   probs (T, T) = softmax(q·kᵀ·scale) row by row; out (T, hd) rows ldo apart = probs · v.
 * scale_q_first: (q·scale)·k as DistilBERT computes it, else (q·k)·scale as BERT does. */
void attn_attend_head_portable(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                               int scale_q_first, float *probs, float *out, int ldo, float *work) {
    (void)work;
    for (int i = 0; i < T; i++) {
        const float *qi = q + (size_t)i * ld;
        float *row = probs + (size_t)i * T;
        for (int j = 0; j < T; j++) {
            const float *kj = k + (size_t)j * ld;
            float s = 0.0f;
            if (scale_q_first) {
                for (int d = 0; d < hd; d++) s += (qi[d] * scale) * kj[d];
            } else {
                for (int d = 0; d < hd; d++) s += qi[d] * kj[d];
                s *= scale;
            }
            row[j] = s;
        }
        attn_softmax(row, T);
        float *o = out + (size_t)i * ldo;
        for (int d = 0; d < hd; d++) o[d] = 0.0f;
        for (int j = 0; j < T; j++) {
            const float *vj = v + (size_t)j * ld;
            float p = row[j];
            for (int d = 0; d < hd; d++) o[d] += p * vj[d];
        }
    }
}
