/* model.h — the loaded encoder: configuration plus F32 weights carved from one block. */
#ifndef ATTN_MODEL_H
#define ATTN_MODEL_H

#include "common.h"

/* One encoder layer (post-LayerNorm, as in BERT, DistilBERT and RoBERTa). C = hidden, I = intermediate. */
typedef struct layer_weights {
    const float *qkv_w;         /* (3C, C) rows: query, then key, then value */
    const float *qkv_b;         /* (3C) */
    const float *attn_out_w;    /* (C, C) */
    const float *attn_out_b;    /* (C) */
    const float *attn_ln_g;     /* (C) LayerNorm after attention + residual */
    const float *attn_ln_b;     /* (C) */
    const float *ff_in_w;       /* (I, C) */
    const float *ff_in_b;       /* (I) */
    const float *ff_out_w;      /* (C, I) */
    const float *ff_out_b;      /* (C) */
    const float *out_ln_g;      /* (C) LayerNorm after feed-forward + residual */
    const float *out_ln_b;      /* (C) */
} layer_weights;

struct attn_model {
    attn_config cfg;
    attn_dtype dtype;           /* dtype of the stored weights */
    float *params;              /* one block holding every weight below, F32 */
    size_t nparams;
    const float *word_emb;      /* (V, C) */
    const float *pos_emb;       /* (P, C) */
    const float *type_emb;      /* (TV, C), NULL for DistilBERT */
    const float *emb_ln_g;      /* (C) */
    const float *emb_ln_b;      /* (C) */
    const float *pooler_w;      /* (C, C), NULL when the checkpoint has no pooler */
    const float *pooler_b;      /* (C) */
    layer_weights *layers;      /* [layers] */
    int64_t loaded_params;
    int threads;                /* 0 = OpenMP default */
};

#endif
