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
/* Name of the variant attn_matmul uses on this machine ("avx2+fma", "portable"). */
const char *attn_matmul_variant(void);

/* y (M, C) = LayerNorm(x + r) · g + b, rows independent; r may be NULL; y may alias x or r. */
void attn_layernorm(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C, float eps);

/* In place on n values. */
void attn_activation_apply(float *x, size_t n, attn_activation act);

/* In place softmax of one row of n values (max-subtracted, like torch.softmax). */
void attn_softmax(float *x, int n);

#endif
