/* model.h — the loaded encoder: configuration plus F32 weights, in the mapped checkpoint or packed (load.c). */
#ifndef ATTN_MODEL_H
#define ATTN_MODEL_H

#include <pthread.h>

#include "common.h"
#include "kernels.h"
#include "tensors.h"

/* One encoder layer (post-LayerNorm, as in BERT, DistilBERT and RoBERTa). C = hidden, I = intermediate.
 * The linear layers are prepared for the dispatched kernels (kernels.h): their weights may have been
 * repacked in place, so read them only through attn_linear_*. */
typedef struct layer_weights {
    attn_linear qkv;            /* (3C, C) rows: query, then key, then value; bias (3C) */
    attn_linear attn_out;       /* (C, C) */
    const float *attn_ln_g;     /* (C) LayerNorm after attention + residual */
    const float *attn_ln_b;     /* (C) */
    attn_linear ff_in;          /* (I, C) */
    attn_linear ff_out;         /* (C, I) */
    const float *out_ln_g;      /* (C) LayerNorm after feed-forward + residual */
    const float *out_ln_b;      /* (C) */
} layer_weights;

/* Activation memory kept between calls (forward.c), so a forward allocates only its outputs. */
typedef struct model_arena {
    pthread_mutex_t lock;       /* held by the forward using it; a concurrent one allocates its own */
    float *block;
    size_t floats;
} model_arena;

struct attn_model {
    attn_config cfg;
    attn_dtype dtype;           /* dtype of the stored weights */
    attn_tensor_set ts;         /* the checkpoint's files, mapped: F32 weights point into them */
    int ts_open;
    float *params;              /* 64-byte aligned block of the weights that are not used in place (load.c) */
    size_t nparams;             /* floats in params */
    size_t params_mapped;       /* bytes of params' mapping when it is one (large blocks), else 0 (malloc) */
    void *panel_region;         /* packed panels of every linear layer (avx512 set), one mapping (load.c) */
    size_t panel_bytes;
    const float *word_emb;      /* (V, C), or NULL when word_emb16 holds the table */
    const uint16_t *word_emb16; /* (V, C) F16 or BF16 (word_emb_wt) in the mapped file, widened per looked-up row */
    attn_wtype word_emb_wt;
    const float *pos_emb;       /* (P, C) */
    const float *type_emb;      /* (TV, C), NULL for DistilBERT */
    const float *emb_ln_g;      /* (C) */
    const float *emb_ln_b;      /* (C) */
    const float *pooler_w;      /* (C, C), NULL when the checkpoint has no pooler */
    const float *pooler_b;      /* (C) */
    layer_weights *layers;      /* [layers] */
    int64_t loaded_params;
    int threads;                /* 0 = OpenMP default */
    model_arena arena;
    attn_precision precision;   /* bf16: the linear layers use their bf16 panels */
    int arena_ready;            /* arena.lock initialised */
};

#endif
