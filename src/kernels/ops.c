/* ops.c — LayerNorm, activations and softmax, written to match PyTorch's float32 results. */
#include <math.h>

#include "kernels.h"

void attn_layernorm(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C, float eps) {
    #pragma omp parallel for schedule(static) if (M > 16)
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

void attn_activation_apply(float *x, size_t n, attn_activation act) {
    switch (act) {
    case ATTN_ACT_GELU:
        #pragma omp parallel for schedule(static) if (n > 16384)
        for (size_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * (float)M_SQRT1_2));
        break;
    case ATTN_ACT_GELU_TANH:
        #pragma omp parallel for schedule(static) if (n > 16384)
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
