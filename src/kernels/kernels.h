/* kernels.h — the numeric kernels of the forward pass. Row-major F32 throughout.
 *
 * Each kernel has a portable reference; the matrix multiply also has ISA-specific
 * variants chosen once at run time in dispatch.c. Kernels never allocate. */
#ifndef ATTN_KERNELS_H
#define ATTN_KERNELS_H

#include <stddef.h>

#include "attnscope.h"

/* y (M, N) = x (M, K) · w (N, K)ᵀ + b (N); b may be NULL. w is laid out as PyTorch stores
 * nn.Linear weights. Parallel over the output with OpenMP; call from outside a parallel region. */
void attn_matmul(float *y, const float *x, const float *w, const float *b, int M, int K, int N);
/* The portable reference, single-threaded: what every variant is checked against. */
void attn_matmul_ref(float *y, const float *x, const float *w, const float *b, int M, int K, int N);
/* Name of the variant attn_matmul (and attn_gelu, attn_attend_head) use on this machine
 * ("avx2+fma", "portable"); ATTN_KERNELS=portable in the environment forces the portable ones. */
const char *attn_matmul_variant(void);

/* The variants (same contract as attn_matmul). attn_matmul_avx2 may only be called where dispatch.c
 * found AVX2 + FMA; attn_matmul_variants lists those this machine supports, fastest first. */
typedef void (*attn_matmul_fn)(float *y, const float *x, const float *w, const float *b, int M, int K, int N);
typedef struct attn_matmul_impl {
    const char *name;
    attn_matmul_fn fn;
} attn_matmul_impl;
const attn_matmul_impl *attn_matmul_variants(int *n);
void attn_matmul_portable(float *y, const float *x, const float *w, const float *b, int M, int K, int N);
void attn_matmul_avx2(float *y, const float *x, const float *w, const float *b, int M, int K, int N);

/* y (M, C) = LayerNorm(x + r) · g + b, rows independent; r may be NULL; y may alias x or r. */
void attn_layernorm(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C, float eps);

/* In place on n values. */
void attn_activation_apply(float *x, size_t n, attn_activation act);
/* In place erf GELU of n values, single-threaded: the dispatched variant, the reference (erff) and
 * the AVX2 one (erfc with relative error < 1.2e-7 and a Cephes exp: within a few ulp of the reference). */
void attn_gelu(float *x, size_t n);
void attn_gelu_portable(float *x, size_t n);
void attn_gelu_avx2(float *x, size_t n);

/* One attention head of one sequence, single-threaded (call it from inside a parallel loop):
 *   q, k, v (T, hd), rows ld floats apart (views into the fused (T, 3C) qkv rows);
 *   probs (T, T) = softmax(q·kᵀ·scale) row by row;  out (T, hd), rows ldo apart, = probs · v.
 * scale_q_first: (q·scale)·k as DistilBERT computes it, else (q·k)·scale as BERT does. */
void attn_attend_head(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale, int scale_q_first,
                      float *probs, float *out, int ldo);
void attn_attend_head_portable(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                               int scale_q_first, float *probs, float *out, int ldo);
void attn_attend_head_avx2(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                           int scale_q_first, float *probs, float *out, int ldo);

/* In place softmax of one row of n values (max-subtracted, like torch.softmax). */
void attn_softmax(float *x, int n);

/* Below this many multiply-adds a product runs on one thread (starting the OpenMP team costs more;
 * on a loaded machine much more). Results do not depend on it: each output is computed alike. */
#define ATTN_PARALLEL_MACS 1048576.0

#endif
