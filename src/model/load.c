/* load.c — checkpoint folder → attn_model: canonical weight names, shape checks, weights in place.
 *
 * The checkpoint's files stay mapped as long as the model lives (m->ts). F32 weights are read where
 * the file holds them; the linear layers of a packing kernel set are packed straight from the file
 * into their panels (one copy, which is the packed form; the file's pages are then dropped from
 * the resident set); only widened (F16/BF16/F64) and joined (query/key/value bias) weights get a
 * copy in one 64-byte aligned block.
 *
 * Hub checkpoints name the same weight in several ways: with or without the base-model prefix
 * ("bert.", "distilbert.", "roberta."), and old BERT files call LayerNorm parameters gamma/beta.
 * Every other tensor (task heads: cls.*, vocab_*, lm_head.*, classifier.*, qa_outputs.*) is ignored. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#include "load_pack.h"
#include "model.h"
#include "tensors.h"

#define CHECK_IN_PASS 65536 /* weights used in place with at least this many values are checked in the parallel pass */

typedef struct loader {
    const attn_tensor_set *ts;
    const char *dir;
    const char *prefix;   /* "bert." ... */
    float *block;         /* widened or joined copies of the weights that cannot be used in place */
    size_t used, cap;     /* floats of block */
    size_t count;         /* parameters taken */
    attn_dtype dtype;     /* of the first weight read */
    int dtype_set;
    int dry;              /* only check names and shapes and count the floats (block NULL) */
    int pack;             /* the kernel set computes on packed panels (attn_linear_packs) */
    unsigned char *region; /* the panels of every linear layer (packing sets), panel_bytes long */
    size_t panel_bytes;   /* taken so far */
    load_task *tasks;     /* the parallel pass: packing and checks (load_pack.h) */
    int ntasks;
    size_t captasks;
} loader;

static const float dry_weight; /* what a found weight points to during the dry pass */

/* Finds a weight by its canonical (prefix-less) name, trying the prefixed name and gamma/beta. */
static const attn_tensor *find_weight(const loader *ld, const char *name) {
    char alt[256];
    const char *suffix = strrchr(name, '.');
    const char *legacy = NULL;
    if (suffix && (strstr(name, "LayerNorm") || strstr(name, "layer_norm"))) {
        if (strcmp(suffix, ".weight") == 0) legacy = ".gamma";
        if (strcmp(suffix, ".bias") == 0) legacy = ".beta";
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int with_prefix = 1; with_prefix >= 0; with_prefix--) {
            if (pass == 0)
                snprintf(alt, sizeof alt, "%s%s", with_prefix ? ld->prefix : "", name);
            else if (legacy)
                snprintf(alt, sizeof alt, "%s%.*s%s", with_prefix ? ld->prefix : "", (int)(suffix - name), name, legacy);
            else
                return NULL;
            const attn_tensor *t = tensor_set_find(ld->ts, alt);
            if (t) return t;
        }
    }
    return NULL;
}

static int is_float_dtype(attn_dtype d) {
    return d == ATTN_DTYPE_F32 || d == ATTN_DTYPE_F16 || d == ATTN_DTYPE_BF16 || d == ATTN_DTYPE_F64;
}

/* F32 data aligned for float loads is used where the file maps it (safetensors does not promise
 * alignment: a file with an odd-sized F16 tensor before it shifts the offsets). */
static int in_place(const attn_tensor *t) { return t->dtype == ATTN_DTYPE_F32 && ((uintptr_t)t->data & 3) == 0; }

/* Finds the weight `name` of shape (rows, cols) — cols 0 means a vector of rows — and checks its
 * shape and dtype. A missing optional weight gives *out NULL. */
static attn_status find_checked(loader *ld, const attn_tensor **out, const char *name, int64_t rows, int64_t cols,
                                int optional) {
    const attn_tensor *t = *out = find_weight(ld, name);
    if (!t) {
        if (optional) return ATTN_OK;
        return attn_fail(ATTN_E_FORMAT, "%s: missing weight \"%s%s\"", ld->dir, ld->prefix, name);
    }
    int shape_ok = cols ? (t->ndim == 2 && t->shape[0] == rows && t->shape[1] == cols)
                        : (t->ndim == 1 && t->shape[0] == rows);
    if (!shape_ok) {
        char got[128] = "";
        size_t len = 0;
        for (int i = 0; i < t->ndim && len < sizeof got - 24; i++)
            len += (size_t)snprintf(got + len, sizeof got - len, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
        if (cols)
            return attn_fail(ATTN_E_FORMAT, "%s: weight \"%s\" has shape [%s], expected [%lld, %lld]", t->file, t->name, got,
                             (long long)rows, (long long)cols);
        return attn_fail(ATTN_E_FORMAT, "%s: weight \"%s\" has shape [%s], expected [%lld]", t->file, t->name, got,
                         (long long)rows);
    }
    if (!is_float_dtype(t->dtype))
        return attn_fail(ATTN_E_FORMAT, "%s: weight \"%s\" has dtype %s, expected a float type", t->file, t->name,
                         attn_dtype_name(t->dtype));
    if (!ld->dtype_set) ld->dtype = t->dtype, ld->dtype_set = 1;
    return ATTN_OK;
}

/* n floats of the block, 64-byte aligned (the dry pass only counts them and returns NULL). */
static float *block_take(loader *ld, size_t n) {
    ld->used = (ld->used + 15) / 16 * 16;
    float *p = ld->dry || ld->used + n > ld->cap ? NULL : ld->block + ld->used;
    ld->used += n;
    return p;
}

/* p[n] holds t's elements first.. as F32: all finite, or the message naming the first that is not. */
static attn_status finite_check(const attn_tensor *t, const float *p, size_t n, size_t first) {
    size_t i = attn_first_nonfinite(p, n, ATTN_W_F32);
    if (i < n)
        return attn_fail(ATTN_E_FORMAT, "%s: weight \"%s\" holds a non-finite value at element %zu", t->file, t->name,
                         first + i);
    return ATTN_OK;
}

static attn_status add_task(loader *ld, load_task task) {
    if (!attn_grow((void **)&ld->tasks, &ld->captasks, (size_t)ld->ntasks + 1, sizeof *ld->tasks))
        return attn_fail(ATTN_E_NOMEM, "%s: out of memory", ld->dir);
    ld->tasks[ld->ntasks++] = task;
    return ATTN_OK;
}

/* n values of type wt at data, holding t's elements first..: checked now, or in the parallel pass if many. */
static attn_status check_values(loader *ld, const attn_tensor *t, const void *data, size_t n, attn_wtype wt, size_t first) {
    if (n >= CHECK_IN_PASS) return add_task(ld, (load_task){.part = {t}, .nparts = 1, .wt = wt, .data = data, .n = n, .first = first});
    size_t i = attn_first_nonfinite(data, n, wt);
    if (i < n)
        return attn_fail(ATTN_E_FORMAT, "%s: weight \"%s\" holds a non-finite value at element %zu", t->file, t->name,
                         first + i);
    return ATTN_OK;
}

/* The F32 values of a found weight: where the file maps them, else widened into the block. */
static attn_status use_weight(loader *ld, const float **dst, const attn_tensor *t) {
    size_t n = (size_t)tensor_numel(t);
    ld->count += n;
    if (in_place(t)) {
        *dst = (const float *)(const void *)t->data;
        return ld->dry ? ATTN_OK : check_values(ld, t, t->data, n, ATTN_W_F32, 0);
    }
    float *p = block_take(ld, n);
    if (ld->dry) { *dst = &dry_weight; return ATTN_OK; }
    if (!p) return attn_fail(ATTN_E_FORMAT, "%s: internal error: weight block too small", ld->dir);
    tensor_to_f32(t, p);
    load_release_pages(ld->ts, t); /* the widened copy replaces the file's pages */
    *dst = p;
    return finite_check(t, p, n, 0);
}

/* Finds, checks and takes the weight `name` (see find_checked). */
static attn_status take(loader *ld, const float **dst, const char *name, int64_t rows, int64_t cols, int optional) {
    const attn_tensor *t;
    *dst = NULL;
    attn_status s = find_checked(ld, &t, name, rows, cols, optional);
    return s || !t ? s : use_weight(ld, dst, t);
}

/* ---- linear layers: packed straight from the file, or used as stored ------------------------ */

/* The rows of one linear weight: one tensor, or query, key and value stacked (three). */
typedef struct linear_src {
    const attn_tensor *part[3];
    int nparts, rows, K; /* rows per part */
} linear_src;

/* 16-bit weights in place need 2-byte alignment (the kernels read uint16_t). */
static int in_place16(const attn_tensor *t) { return ((uintptr_t)t->data & 1) == 0; }

/* Packing sets: a task of the parallel pass packs the weight from the file into its panels (one
 * copy, which is the packed form, in the weight's own dtype when it is F16 or BF16). */
static attn_status pack_linear(loader *ld, attn_linear *l, const linear_src *src, const float *b) {
    int N = src->nparts * src->rows, K = src->K;
    attn_wtype wt = load_panel_type(src->part, src->nparts);
    size_t offset = ld->panel_bytes;
    ld->panel_bytes += attn_panels_bytes(N, K, wt);
    if (ld->dry) return ATTN_OK;
    if (!ld->region || ld->panel_bytes > SIZE_MAX / 2)
        return attn_fail(ATTN_E_FORMAT, "%s: internal error: panel region too small", ld->dir);
    return add_task(ld, (load_task){.l = l, .part = {src->part[0], src->part[1], src->part[2]}, .nparts = src->nparts,
                                    .rows = src->rows, .K = K, .wt = wt, .panels = ld->region + offset, .b = b});
}

/* Plain-layout sets: the weight read where the file holds it (F32, or F16/BF16 widened in the
 * kernels); query/key/value, which must be one (3C, C) matrix, joined into the block in their
 * dtype; other dtypes (F64, mixed) widened to F32 there. */
static attn_status plain_linear(loader *ld, attn_linear *l, const linear_src *src, const float *b) {
    int N = src->nparts * src->rows, K = src->K;
    size_t part_n = (size_t)src->rows * (size_t)K;
    const attn_tensor *p0 = src->part[0];
    attn_wtype wt = load_panel_type(src->part, src->nparts);
    attn_status s;
    if (src->nparts == 1 && (in_place(p0) || (wt != ATTN_W_F32 && in_place16(p0)))) { /* read as stored, from the file */
        if (ld->dry) return ATTN_OK;
        if ((s = check_values(ld, p0, p0->data, part_n, wt, 0))) return s;
        if (wt == ATTN_W_F32) return attn_linear_prepare(l, (float *)(uintptr_t)p0->data, b, N, K); /* not written: this set does not pack */
        return attn_linear_prepare16(l, (const uint16_t *)(const void *)p0->data, wt, b, N, K);
    }
    size_t esize = wt == ATTN_W_F32 ? 4 : 2;
    unsigned char *w = (unsigned char *)block_take(ld, ((size_t)src->nparts * part_n * esize + 3) / 4); /* joined or widened */
    if (ld->dry) return ATTN_OK;
    if (!w) return attn_fail(ATTN_E_FORMAT, "%s: internal error: weight block too small", ld->dir);
    for (int i = 0; i < src->nparts; i++) {
        const attn_tensor *t = src->part[i];
        unsigned char *dst = w + (size_t)i * part_n * esize;
        if (wt != ATTN_W_F32 || t->dtype == ATTN_DTYPE_F32) memcpy(dst, t->data, part_n * esize);
        else tensor_to_f32(t, (float *)(void *)dst);
        load_release_pages(ld->ts, t); /* the copy replaces the file's pages */
        if ((s = check_values(ld, t, dst, part_n, wt, 0))) return s;
    }
    if (wt == ATTN_W_F32) return attn_linear_prepare(l, (float *)(void *)w, b, N, K);
    return attn_linear_prepare16(l, (const uint16_t *)(const void *)w, wt, b, N, K);
}

static attn_status prepare_linear(loader *ld, attn_linear *l, const linear_src *src, const float *b) {
    ld->count += (size_t)src->nparts * (size_t)src->rows * (size_t)src->K;
    return ld->pack ? pack_linear(ld, l, src, b) : plain_linear(ld, l, src, b);
}

/* Old checkpoints store embeddings.position_ids (I64 [1, P]); it must be 0..P-1 to mean what we compute. */
static attn_status check_position_ids(const loader *ld, const attn_config *c) {
    const attn_tensor *t = find_weight(ld, "embeddings.position_ids");
    if (!t) return ATTN_OK;
    int64_t n = tensor_numel(t);
    if (is_float_dtype(t->dtype) || n < 1 || n > c->max_positions)
        return attn_fail(ATTN_E_FORMAT, "%s: buffer \"%s\" is not an integer tensor of at most %d positions", t->file,
                         t->name, c->max_positions);
    for (int64_t i = 0; i < n; i++)
        if (tensor_get_f32(t, (size_t)i) != (float)i)
            return attn_fail(ATTN_E_UNSUPPORTED, "%s: buffer \"%s\" is not 0, 1, 2, ... (element %lld)", t->file, t->name,
                             (long long)i);
    return ATTN_OK;
}

/* DistilBERT with sinusoidal_pos_embds and no stored table: the fixed table its code creates. */
static void sinusoidal_table(float *out, int positions, int dim) {
    for (int pos = 0; pos < positions; pos++)
        for (int j = 0; j < dim; j++) {
            double angle = pos / pow(10000.0, 2.0 * (j / 2) / dim);
            out[(size_t)pos * dim + j] = (float)(j % 2 == 0 ? sin(angle) : cos(angle));
        }
}

/* The tensors of one encoder layer, in the order they are laid out in the block: query, key and
 * value adjacent, so that together they are qkv_w (3C, C) and qkv_b (3C). */
enum {
    Q_W, K_W, V_W, Q_B, K_B, V_B, AO_W, AO_B, ALN_G, ALN_B, FI_W, FI_B, FO_W, FO_B, OLN_G, OLN_B, LAYER_TENSORS
};

typedef struct arch_names {
    const char *layer_fmt; /* printf format of a layer's prefix */
    const char *layer[LAYER_TENSORS];
} arch_names;

static const arch_names bert_names = {
    "encoder.layer.%d.",
    {"attention.self.query.weight", "attention.self.key.weight", "attention.self.value.weight",
     "attention.self.query.bias", "attention.self.key.bias", "attention.self.value.bias",
     "attention.output.dense.weight", "attention.output.dense.bias",
     "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
     "intermediate.dense.weight", "intermediate.dense.bias", "output.dense.weight", "output.dense.bias",
     "output.LayerNorm.weight", "output.LayerNorm.bias"},
};

static const arch_names distilbert_names = {
    "transformer.layer.%d.",
    {"attention.q_lin.weight", "attention.k_lin.weight", "attention.v_lin.weight",
     "attention.q_lin.bias", "attention.k_lin.bias", "attention.v_lin.bias",
     "attention.out_lin.weight", "attention.out_lin.bias", "sa_layer_norm.weight", "sa_layer_norm.bias",
     "ffn.lin1.weight", "ffn.lin1.bias", "ffn.lin2.weight", "ffn.lin2.bias",
     "output_layer_norm.weight", "output_layer_norm.bias"},
};

static attn_status load_layer(loader *ld, const arch_names *names, int l, int64_t C, int64_t I, layer_weights *L) {
    /* (rows, cols) of each tensor; cols 0 = a vector */
    const int64_t shape[LAYER_TENSORS][2] = {
        [Q_W] = {C, C}, [K_W] = {C, C}, [V_W] = {C, C}, [Q_B] = {C, 0}, [K_B] = {C, 0}, [V_B] = {C, 0},
        [AO_W] = {C, C}, [AO_B] = {C, 0}, [ALN_G] = {C, 0}, [ALN_B] = {C, 0},
        [FI_W] = {I, C}, [FI_B] = {I, 0}, [FO_W] = {C, I}, [FO_B] = {C, 0}, [OLN_G] = {C, 0}, [OLN_B] = {C, 0},
    };
    const attn_tensor *t[LAYER_TENSORS];
    char prefix[64], name[192];
    snprintf(prefix, sizeof prefix, names->layer_fmt, l);
    attn_status s;
    for (int i = 0; i < LAYER_TENSORS; i++) {
        snprintf(name, sizeof name, "%s%s", prefix, names->layer[i]);
        if ((s = find_checked(ld, &t[i], name, shape[i][0], shape[i][1], 0))) return s;
    }
    const float *v[LAYER_TENSORS] = {0};
    static const int vectors[] = {AO_B, ALN_G, ALN_B, FI_B, FO_B, OLN_G, OLN_B};
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++)
        if ((s = use_weight(ld, &v[vectors[i]], t[vectors[i]]))) return s;
    float *qkv_b = block_take(ld, (size_t)(3 * C)); /* (3C): query, key, value biases joined */
    ld->count += (size_t)(3 * C);
    for (int i = 0; !ld->dry && i < 3; i++) {
        if (!qkv_b) return attn_fail(ATTN_E_FORMAT, "%s: internal error: weight block too small", ld->dir);
        tensor_to_f32(t[Q_B + i], qkv_b + i * C);
        if ((s = finite_check(t[Q_B + i], qkv_b + i * C, (size_t)C, 0))) return s;
    }
    int iC = (int)C, iI = (int)I;
    const linear_src qkv = {{t[Q_W], t[K_W], t[V_W]}, 3, iC, iC}, ao = {{t[AO_W]}, 1, iC, iC};
    const linear_src fi = {{t[FI_W]}, 1, iI, iC}, fo = {{t[FO_W]}, 1, iC, iI};
    if ((s = prepare_linear(ld, &L->qkv, &qkv, qkv_b)) || (s = prepare_linear(ld, &L->attn_out, &ao, v[AO_B])) ||
        (s = prepare_linear(ld, &L->ff_in, &fi, v[FI_B])) || (s = prepare_linear(ld, &L->ff_out, &fo, v[FO_B])))
        return s;
    if (ld->dry) return ATTN_OK;
    L->attn_ln_g = v[ALN_G], L->attn_ln_b = v[ALN_B], L->out_ln_g = v[OLN_G], L->out_ln_b = v[OLN_B];
    return ATTN_OK;
}

/* The word embeddings (the largest table): F16/BF16 ones are kept as the file stores them
 * (forward.c widens the rows it looks up), others as every weight (use_weight). */
static attn_status take_word_embeddings(loader *ld, attn_model *m) {
    const attn_tensor *t;
    attn_status s = find_checked(ld, &t, "embeddings.word_embeddings.weight", m->cfg.vocab, m->cfg.hidden, 0);
    if (s) return s;
    if ((t->dtype != ATTN_DTYPE_F16 && t->dtype != ATTN_DTYPE_BF16) || !in_place16(t)) return use_weight(ld, &m->word_emb, t);
    size_t n = (size_t)tensor_numel(t);
    ld->count += n;
    if (ld->dry) return ATTN_OK;
    m->word_emb16 = (const uint16_t *)(const void *)t->data;
    m->word_emb_wt = t->dtype == ATTN_DTYPE_F16 ? ATTN_W_F16 : ATTN_W_BF16;
    return check_values(ld, t, t->data, n, m->word_emb_wt, 0);
}

/* Embeddings, layers, pooler. BERT and RoBERTa share names; DistilBERT has no token types and no
 * pooler, and may compute its position table instead of storing it. */
static attn_status load_weights(loader *ld, attn_model *m) {
    const attn_config *c = &m->cfg;
    int64_t C = c->hidden, I = c->intermediate;
    int distil = c->arch == ATTN_ARCH_DISTILBERT;
    attn_status s;
#define TAKE(dst, name, r, k, opt) do { if ((s = take(ld, &(dst), name, r, k, opt))) return s; } while (0)
    if ((s = take_word_embeddings(ld, m))) return s;
    TAKE(m->pos_emb, "embeddings.position_embeddings.weight", c->max_positions, C, distil && c->sinusoidal_pos);
    if (!m->pos_emb) { /* sinusoidal and not stored */
        float *p = block_take(ld, (size_t)c->max_positions * (size_t)C);
        if (p) sinusoidal_table(p, c->max_positions, c->hidden);
        m->pos_emb = p ? p : &dry_weight;
        ld->count += (size_t)c->max_positions * (size_t)C;
    }
    if (!distil) TAKE(m->type_emb, "embeddings.token_type_embeddings.weight", c->type_vocab, C, 0);
    TAKE(m->emb_ln_g, "embeddings.LayerNorm.weight", C, 0, 0);
    TAKE(m->emb_ln_b, "embeddings.LayerNorm.bias", C, 0, 0);
    for (int l = 0; l < c->layers; l++)
        if ((s = load_layer(ld, distil ? &distilbert_names : &bert_names, l, C, I, &m->layers[l]))) return s;
    if (!distil) {
        TAKE(m->pooler_w, "pooler.dense.weight", C, C, 1);
        TAKE(m->pooler_b, "pooler.dense.bias", C, 0, m->pooler_w == NULL);
    }
#undef TAKE
    return check_position_ids(ld, c);
}

/* A block of copies at least this large is mapped like the panels: on 2 MB pages (attn_pages_alloc),
 * about 170 page faults instead of 85 000 for bert-base's panels, each zeroing its page on the
 * thread that first writes it. */
#define BLOCK_HUGE ((size_t)4 << 20)

attn_status attn_model_open(const char *dir, attn_model **out) {
    *out = NULL;
    attn_model *m = attn_calloc(1, sizeof *m);
    if (!m) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_status s = attn_config_read(dir, &m->cfg);
    if (s) { free(m); return s; }
    const attn_config *c = &m->cfg;

    /* the model keeps the files mapped: F32 weights are used where they lie */
    s = tensor_set_open_dir(&m->ts, dir);
    if (s) { free(m); return s; }
    m->ts_open = 1;

    static const char *const prefixes[] = {
        [ATTN_ARCH_BERT] = "bert.", [ATTN_ARCH_DISTILBERT] = "distilbert.", [ATTN_ARCH_ROBERTA] = "roberta.",
    };
    /* a dry pass first: every weight present with the config's shape before anything large (the
     * block of copies, sized by what the file really holds, or a packed panel) is allocated */
    loader ld = {.ts = &m->ts, .dir = dir, .prefix = prefixes[c->arch], .dry = 1, .pack = attn_linear_packs()};
    m->layers = attn_calloc((size_t)c->layers, sizeof *m->layers);
    s = m->layers ? load_weights(&ld, m) : attn_fail(ATTN_E_NOMEM, "%s: out of memory", dir);
    if (!s) {
        m->nparams = ld.used;
        size_t bytes = m->nparams <= SIZE_MAX / sizeof(float) - 16 ? (m->nparams * sizeof(float) + 63) / 64 * 64 + 64 : 0;
        if (bytes >= BLOCK_HUGE) m->params = attn_pages_alloc(bytes, &m->params_mapped);
        else if (bytes) m->params = aligned_alloc(64, bytes);
        if (!m->params) s = attn_fail(ATTN_E_NOMEM, "%s: cannot allocate %zu parameters", dir, m->nparams);
    }
    if (!s && ld.panel_bytes && !(m->panel_region = attn_pages_alloc(ld.panel_bytes, &m->panel_bytes)))
        s = attn_fail(ATTN_E_NOMEM, "%s: cannot allocate %zu bytes of packed weights", dir, ld.panel_bytes);
    if (s) {
        attn_model_free(m);
        return s;
    }
    ld = (loader){.ts = &m->ts, .dir = dir, .prefix = prefixes[c->arch], .block = m->params, .cap = m->nparams,
                  .pack = ld.pack, .region = m->panel_region};
    s = load_weights(&ld, m);
    if (!s) s = load_tasks_run(&m->ts, ld.tasks, ld.ntasks, omp_get_max_threads());
    free(ld.tasks);
    if (s) {
        attn_model_free(m);
        return s;
    }
    m->dtype = ld.dtype_set ? ld.dtype : ATTN_DTYPE_F32;
    m->loaded_params = (int64_t)ld.count;
    pthread_mutex_init(&m->arena.lock, NULL);
    m->arena_ready = 1;
    *out = m;
    return ATTN_OK;
}

void attn_model_free(attn_model *m) {
    if (!m) return;
    for (int l = 0; m->layers && l < m->cfg.layers; l++) {
        attn_linear_free(&m->layers[l].qkv), attn_linear_free(&m->layers[l].attn_out);
        attn_linear_free(&m->layers[l].ff_in), attn_linear_free(&m->layers[l].ff_out);
    }
    free(m->arena.block);
    if (m->arena_ready) pthread_mutex_destroy(&m->arena.lock);
    if (m->params_mapped) attn_pages_free(m->params, m->params_mapped);
    else free(m->params);
    attn_pages_free(m->panel_region, m->panel_bytes);
    free(m->layers);
    if (m->ts_open) tensor_set_free(&m->ts);
    free(m);
}

const attn_config *attn_model_config(const attn_model *m) { return &m->cfg; }
attn_dtype attn_model_weight_dtype(const attn_model *m) { return m->dtype; }
int64_t attn_model_loaded_parameters(const attn_model *m) { return m->loaded_params; }
int attn_model_has_pooler(const attn_model *m) { return m->pooler_w != NULL; }
void attn_model_set_threads(attn_model *m, int n) { m->threads = n > 0 ? n : 0; }
attn_precision attn_model_precision(const attn_model *m) { return m->precision; }

attn_status attn_model_set_precision(attn_model *m, attn_precision p) {
    if (p != ATTN_PRECISION_FP32 && p != ATTN_PRECISION_BF16) return attn_fail(ATTN_E_INVALID, "unknown precision %d", (int)p);
    if (p == ATTN_PRECISION_BF16 && !attn_bf16_supported())
        return attn_fail(ATTN_E_UNSUPPORTED, "bf16 needs AVX512-BF16 and the avx512 kernels; this machine runs the %s kernels%s",
                         attn_kernels_name(), strcmp(attn_kernels_name(), "avx512") ? "" : " without AVX512-BF16");
    for (int l = 0; l < m->cfg.layers; l++) {
        attn_linear *lin[4] = {&m->layers[l].qkv, &m->layers[l].attn_out, &m->layers[l].ff_in, &m->layers[l].ff_out};
        for (int i = 0; i < 4; i++) {
            if (p == ATTN_PRECISION_BF16) {
                attn_status s = attn_linear_add_bf16(lin[i]);
                if (s) return s;
            }
            lin[i]->use_bf16 = p == ATTN_PRECISION_BF16;
        }
    }
    m->precision = p;
    return ATTN_OK;
}
