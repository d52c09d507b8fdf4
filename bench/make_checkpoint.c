/* make_checkpoint.c — writes a BERT, DistilBERT or RoBERTa checkpoint folder with random F32
 * weights for the benchmarks.
 *
 *   make_checkpoint OUT_DIR [CONFIG_JSON] [--dtype f32|f16|bf16]
 * CONFIG_JSON defaults to tests/data/configs/bert-base-uncased.json (bert-base: 12 layers, C 768,
 * 12 heads, I 3072, vocab 30522); tests/data/configs/ also has distilbert-base-uncased.json and
 * roberta-base.json. Writes OUT_DIR/config.json (a copy), OUT_DIR/model.safetensors with the real
 * tensor names ("bert.encoder.layer.N...", "distilbert.transformer.layer.N...", "roberta...") and
 * the tokenizer files (tests/data/tokenizers/bert-base-uncased for BERT and DistilBERT,
 * roberta-style for RoBERTa), so that `attnscope bench` and the peers can tokenize.
 *
 * --dtype f16 / bf16 stores every tensor in that dtype (rounded to nearest even from the same F32
 * values), for the loading benchmarks of 16-bit checkpoints (bench_load).
 *
 * Values follow BERT's initialisation (weights ~ N(0, 0.02)) but with larger biases and LayerNorm
 * scales around 1 so that the attention patterns are not all uniform. Deterministic (fixed seed).
 * Tensors are streamed one at a time: memory use is one tensor, not the whole model. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attnscope.h"

#define MAX_TENSORS 512

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng_next(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static float rng_uniform(void) { return (float)((rng_next() >> 40) + 0.5) / 16777216.0f; } /* (0, 1) */

static float rng_normal(void) { /* Box-Muller, one value per call is enough here */
    float u = rng_uniform(), v = rng_uniform();
    return sqrtf(-2.0f * logf(u)) * cosf(6.28318530718f * v);
}

typedef enum fill { FILL_WEIGHT, FILL_BIAS, FILL_GAMMA, FILL_BETA } fill;

typedef struct plan {
    attn_tensor_view views[MAX_TENSORS];
    fill fills[MAX_TENSORS];
    char names[MAX_TENSORS][96];
    int n;
} plan;

static attn_dtype out_dtype = ATTN_DTYPE_F32;

/* f32 → IEEE half, round to nearest even (subnormals included; no NaN occurs here). */
static uint16_t f32_to_f16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    uint32_t sign = (u >> 16) & 0x8000u, m = u & 0x7FFFFFu;
    int e = (int)((u >> 23) & 0xFF) - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7C00u);
    if (e <= 0) { /* subnormal half: (1.m) · 2^(e - 14) in units of 2^-24 */
        if (e < -10) return (uint16_t)sign;
        m |= 0x800000u;
        int shift = 14 - e;
        uint32_t h = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((uint32_t)e << 10) | (m >> 13), rem = m & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++; /* a carry moves into the exponent, as it should */
    return (uint16_t)(sign | h);
}

static uint16_t f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

static void add(plan *p, const char *name, fill f, int64_t rows, int64_t cols) {
    if (p->n >= MAX_TENSORS) { fprintf(stderr, "make_checkpoint: too many tensors\n"); exit(1); }
    int i = p->n++;
    snprintf(p->names[i], sizeof p->names[i], "%s", name);
    p->views[i] = (attn_tensor_view){.name = p->names[i], .dtype = out_dtype, .ndim = cols ? 2 : 1,
                                     .shape = {rows, cols}};
    p->fills[i] = f;
}

static void add_linear(plan *p, const char *prefix, int64_t out, int64_t in) {
    char name[96];
    snprintf(name, sizeof name, "%s.weight", prefix);
    add(p, name, FILL_WEIGHT, out, in);
    snprintf(name, sizeof name, "%s.bias", prefix);
    add(p, name, FILL_BIAS, out, 0);
}

static void add_layernorm(plan *p, const char *prefix, int64_t C) {
    char name[96];
    snprintf(name, sizeof name, "%s.weight", prefix);
    add(p, name, FILL_GAMMA, C, 0);
    snprintf(name, sizeof name, "%s.bias", prefix);
    add(p, name, FILL_BETA, C, 0);
}

static int copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    if (!in || !out) {
        fprintf(stderr, "make_checkpoint: cannot copy %s to %s: %s\n", from, to, strerror(errno));
        if (in) fclose(in);
        return 0;
    }
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    fclose(in);
    return fclose(out) == 0;
}

/* BERT and RoBERTa share the layout; prefix "bert" or "roberta". */
static void plan_bert(plan *p, const attn_config *c, const char *prefix) {
    int64_t C = c->hidden, I = c->intermediate;
    char pre[96];
#define NAME(...) (snprintf(pre, sizeof pre, __VA_ARGS__), pre)
    add(p, NAME("%s.embeddings.word_embeddings.weight", prefix), FILL_WEIGHT, c->vocab, C);
    add(p, NAME("%s.embeddings.position_embeddings.weight", prefix), FILL_WEIGHT, c->max_positions, C);
    add(p, NAME("%s.embeddings.token_type_embeddings.weight", prefix), FILL_WEIGHT, c->type_vocab, C);
    add_layernorm(p, NAME("%s.embeddings.LayerNorm", prefix), C);
    for (int l = 0; l < c->layers; l++) {
#define SUB(part) NAME("%s.encoder.layer.%d.%s", prefix, l, part)
        add_linear(p, SUB("attention.self.query"), C, C);
        add_linear(p, SUB("attention.self.key"), C, C);
        add_linear(p, SUB("attention.self.value"), C, C);
        add_linear(p, SUB("attention.output.dense"), C, C);
        add_layernorm(p, SUB("attention.output.LayerNorm"), C);
        add_linear(p, SUB("intermediate.dense"), I, C);
        add_linear(p, SUB("output.dense"), C, I);
        add_layernorm(p, SUB("output.LayerNorm"), C);
#undef SUB
    }
    add_linear(p, NAME("%s.pooler.dense", prefix), C, C);
#undef NAME
}

static void plan_distilbert(plan *p, const attn_config *c) {
    int64_t C = c->hidden, I = c->intermediate;
    char pre[96];
    add(p, "distilbert.embeddings.word_embeddings.weight", FILL_WEIGHT, c->vocab, C);
    add(p, "distilbert.embeddings.position_embeddings.weight", FILL_WEIGHT, c->max_positions, C);
    add_layernorm(p, "distilbert.embeddings.LayerNorm", C);
    for (int l = 0; l < c->layers; l++) {
#define SUB(part) (snprintf(pre, sizeof pre, "distilbert.transformer.layer.%d.%s", l, part), pre)
        add_linear(p, SUB("attention.q_lin"), C, C);
        add_linear(p, SUB("attention.k_lin"), C, C);
        add_linear(p, SUB("attention.v_lin"), C, C);
        add_linear(p, SUB("attention.out_lin"), C, C);
        add_layernorm(p, SUB("sa_layer_norm"), C);
        add_linear(p, SUB("ffn.lin1"), I, C);
        add_linear(p, SUB("ffn.lin2"), C, I);
        add_layernorm(p, SUB("output_layer_norm"), C);
#undef SUB
    }
}

/* The tokenizer files of the matching published tokenizer. */
static int copy_tokenizer(const attn_config *c, const char *dir) {
    static const char *const bert[] = {"tokenizer.json", "vocab.txt", NULL};
    static const char *const roberta[] = {"tokenizer.json", "vocab.json", "merges.txt", NULL};
    int is_roberta = c->arch == ATTN_ARCH_ROBERTA;
    const char *from = is_roberta ? ATTN_SOURCE_DIR "/tests/data/tokenizers/roberta-style" : ATTN_SOURCE_DIR "/tests/data/tokenizers/bert-base-uncased";
    for (const char *const *f = is_roberta ? roberta : bert; *f; f++) {
        char src[4096], dst[4096];
        snprintf(src, sizeof src, "%s/%s", from, *f);
        snprintf(dst, sizeof dst, "%s/%s", dir, *f);
        if (!copy_file(src, dst)) return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    const char *dir = NULL, *config = ATTN_SOURCE_DIR "/tests/data/configs/bert-base-uncased.json";
    int nargs = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dtype") && i + 1 < argc) {
            const char *d = argv[++i];
            if (!strcmp(d, "f32")) out_dtype = ATTN_DTYPE_F32;
            else if (!strcmp(d, "f16")) out_dtype = ATTN_DTYPE_F16;
            else if (!strcmp(d, "bf16")) out_dtype = ATTN_DTYPE_BF16;
            else bad = 1;
        } else if (argv[i][0] == '-') bad = 1;
        else if (nargs++ == 0) dir = argv[i];
        else if (nargs == 2) config = argv[i];
        else bad = 1;
    }
    if (!dir || bad) {
        fprintf(stderr, "usage: make_checkpoint OUT_DIR [CONFIG_JSON] [--dtype f32|f16|bf16]\n");
        return 2;
    }
    attn_config c;
    if (attn_config_read(config, &c) != ATTN_OK) {
        fprintf(stderr, "make_checkpoint: %s\n", attn_last_error());
        return 1;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_checkpoint: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (!copy_file(config, path)) return 1;

    if (!copy_tokenizer(&c, dir)) return 1;
    static plan p;
    if (c.arch == ATTN_ARCH_DISTILBERT) plan_distilbert(&p, &c);
    else plan_bert(&p, &c, c.arch == ATTN_ARCH_ROBERTA ? "roberta" : "bert");

    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    attn_st_writer *w;
    if (attn_st_writer_open(path, p.views, p.n, &w) != ATTN_OK) {
        fprintf(stderr, "make_checkpoint: %s\n", attn_last_error());
        return 1;
    }
    size_t max_numel = 0;
    for (int i = 0; i < p.n; i++) {
        size_t numel = (size_t)p.views[i].shape[0] * (size_t)(p.views[i].ndim == 2 ? p.views[i].shape[1] : 1);
        if (numel > max_numel) max_numel = numel;
    }
    float *buf = malloc(max_numel * sizeof *buf);
    if (!buf) { attn_st_writer_abort(w); fprintf(stderr, "make_checkpoint: out of memory\n"); return 1; }
    int64_t total = 0;
    for (int i = 0; i < p.n; i++) {
        size_t numel = (size_t)p.views[i].shape[0] * (size_t)(p.views[i].ndim == 2 ? p.views[i].shape[1] : 1);
        for (size_t j = 0; j < numel; j++) {
            switch (p.fills[i]) {
            case FILL_WEIGHT: buf[j] = 0.02f * rng_normal(); break;
            case FILL_BIAS: buf[j] = 0.1f * rng_normal(); break;
            case FILL_GAMMA: buf[j] = 1.0f + 0.1f * rng_normal(); break;
            case FILL_BETA: buf[j] = 0.05f * rng_normal(); break;
            }
        }
        total += (int64_t)numel;
        if (out_dtype != ATTN_DTYPE_F32) { /* in place: element j's 2 bytes never overtake float j */
            uint16_t *h = (uint16_t *)(void *)buf;
            for (size_t j = 0; j < numel; j++) {
                uint16_t v = out_dtype == ATTN_DTYPE_F16 ? f32_to_f16(buf[j]) : f32_to_bf16(buf[j]);
                memcpy(h + j, &v, sizeof v);
            }
        }
        if (attn_st_writer_put(w, buf) != ATTN_OK) {
            fprintf(stderr, "make_checkpoint: %s\n", attn_last_error());
            attn_st_writer_abort(w);
            free(buf);
            return 1;
        }
    }
    free(buf);
    if (attn_st_writer_commit(w) != ATTN_OK) {
        fprintf(stderr, "make_checkpoint: %s\n", attn_last_error());
        return 1;
    }
    printf("make_checkpoint: wrote %s (%d tensors, %lld parameters, %s)\n", path, p.n, (long long)total,
           attn_dtype_name(out_dtype));
    return 0;
}
