/* config.c — config.json → attn_config, with Hugging Face's defaults and the parameter count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common.h"

/* Reads an integer key, keeping *dst (the default) when the key is absent. */
static int get_int(json_t *root, const char *key, int32_t *dst) {
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) return 1;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX) return 0;
    *dst = (int32_t)json_integer_value(v);
    return 1;
}

static attn_status parse_activation(const char *path, const char *name, attn_activation *out) {
    static const struct { const char *name; attn_activation act; } acts[] = {
        {"gelu", ATTN_ACT_GELU},           {"gelu_python", ATTN_ACT_GELU},
        {"gelu_new", ATTN_ACT_GELU_TANH},  {"gelu_pytorch_tanh", ATTN_ACT_GELU_TANH},
        {"gelu_fast", ATTN_ACT_GELU_TANH}, {"relu", ATTN_ACT_RELU},
    };
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (strcmp(name, acts[i].name) == 0) { *out = acts[i].act; return ATTN_OK; }
    return attn_fail(ATTN_E_UNSUPPORTED, "%s: unsupported activation \"%s\" (gelu, gelu_new, gelu_pytorch_tanh, relu)", path, name);
}

int64_t attn_config_parameter_count(const attn_config *c) {
    int64_t H = c->hidden, I = c->intermediate;
    int64_t emb = (int64_t)c->vocab * H + (int64_t)c->max_positions * H + (int64_t)c->type_vocab * H + 2 * H;
    int64_t layer = 4 * (H * H + H)      /* q, k, v, attention output */
                    + (H * I + I) + (I * H + H) /* feed-forward */
                    + 2 * 2 * H;         /* two LayerNorms */
    int64_t pooler = c->arch == ATTN_ARCH_DISTILBERT ? 0 : H * H + H;
    return emb + c->layers * layer + pooler;
}

static attn_status parse_config(const char *path, json_t *root, attn_config *c) {
    const char *mt = json_string_value(json_object_get(root, "model_type"));
    if (!mt) return attn_fail(ATTN_E_FORMAT, "%s: no \"model_type\"", path);
    memset(c, 0, sizeof *c);
    snprintf(c->model_type, sizeof c->model_type, "%s", mt);

    int ok = 1;
    const char *act = NULL;
    if (strcmp(mt, "distilbert") == 0) {
        c->arch = ATTN_ARCH_DISTILBERT;
        c->vocab = 30522, c->max_positions = 512, c->layers = 6, c->heads = 12;
        c->hidden = 768, c->intermediate = 3072, c->pad_token_id = 0, c->type_vocab = 0;
        c->layer_norm_eps = 1e-12; /* hard-coded in DistilBERT's modeling code */
        ok = get_int(root, "vocab_size", &c->vocab) && get_int(root, "max_position_embeddings", &c->max_positions) &&
             get_int(root, "n_layers", &c->layers) && get_int(root, "n_heads", &c->heads) &&
             get_int(root, "dim", &c->hidden) && get_int(root, "hidden_dim", &c->intermediate) &&
             get_int(root, "pad_token_id", &c->pad_token_id);
        json_t *s = json_object_get(root, "sinusoidal_pos_embds");
        c->sinusoidal_pos = json_is_true(s);
        act = json_string_value(json_object_get(root, "activation"));
        if (json_object_get(root, "activation") && !act)
            return attn_fail(ATTN_E_FORMAT, "%s: \"activation\" is not a string", path);
    } else if (strcmp(mt, "bert") == 0 || strcmp(mt, "roberta") == 0 || strcmp(mt, "xlm-roberta") == 0 ||
               strcmp(mt, "camembert") == 0) {
        int is_bert = strcmp(mt, "bert") == 0;
        c->arch = is_bert ? ATTN_ARCH_BERT : ATTN_ARCH_ROBERTA;
        c->vocab = is_bert ? 30522 : (strcmp(mt, "roberta") == 0 ? 50265 : 30522);
        c->max_positions = 512, c->layers = 12, c->heads = 12, c->hidden = 768, c->intermediate = 3072;
        c->type_vocab = 2, c->pad_token_id = is_bert ? 0 : 1;
        c->layer_norm_eps = 1e-12;
        ok = get_int(root, "vocab_size", &c->vocab) && get_int(root, "max_position_embeddings", &c->max_positions) &&
             get_int(root, "num_hidden_layers", &c->layers) && get_int(root, "num_attention_heads", &c->heads) &&
             get_int(root, "hidden_size", &c->hidden) && get_int(root, "intermediate_size", &c->intermediate) &&
             get_int(root, "type_vocab_size", &c->type_vocab) && get_int(root, "pad_token_id", &c->pad_token_id);
        json_t *eps = json_object_get(root, "layer_norm_eps");
        if (eps) {
            if (!json_is_number(eps) || !(json_number_value(eps) > 0) || json_number_value(eps) > 1)
                return attn_fail(ATTN_E_FORMAT, "%s: bad \"layer_norm_eps\"", path);
            c->layer_norm_eps = json_number_value(eps);
        }
        json_t *pet = json_object_get(root, "position_embedding_type");
        if (pet && !json_is_null(pet) && (!json_is_string(pet) || strcmp(json_string_value(pet), "absolute") != 0))
            return attn_fail(ATTN_E_UNSUPPORTED, "%s: position_embedding_type \"%s\" is not supported (only \"absolute\")",
                             path, json_is_string(pet) ? json_string_value(pet) : "?");
        act = json_string_value(json_object_get(root, "hidden_act"));
        if (json_object_get(root, "hidden_act") && !act)
            return attn_fail(ATTN_E_FORMAT, "%s: \"hidden_act\" is not a string", path);
    } else {
        return attn_fail(ATTN_E_UNSUPPORTED,
                         "%s: model_type \"%s\" is not supported (bert, distilbert, roberta, xlm-roberta, camembert)", path, mt);
    }
    if (!ok) return attn_fail(ATTN_E_FORMAT, "%s: a size field is not a non-negative integer", path);
    attn_status s = parse_activation(path, act ? act : "gelu", &c->activation);
    if (s) return s;

    if (c->layers < 1 || c->layers > 1024 || c->hidden < 1 || c->heads < 1 || c->intermediate < 1 ||
        c->vocab < 1 || c->max_positions < 1 || c->hidden > (1 << 16) || c->intermediate > (1 << 18) ||
        c->vocab > (1 << 24) || c->max_positions > (1 << 20) || c->type_vocab > (1 << 16))
        return attn_fail(ATTN_E_FORMAT, "%s: implausible sizes (layers %d, hidden %d, heads %d, intermediate %d, vocab %d)",
                         path, c->layers, c->hidden, c->heads, c->intermediate, c->vocab);
    if (c->hidden % c->heads != 0)
        return attn_fail(ATTN_E_FORMAT, "%s: hidden size %d is not divisible by %d attention heads", path, c->hidden, c->heads);
    if (c->pad_token_id >= c->vocab)
        return attn_fail(ATTN_E_FORMAT, "%s: pad_token_id %d is outside the vocabulary (%d)", path, c->pad_token_id, c->vocab);
    if (c->arch == ATTN_ARCH_ROBERTA && c->max_positions <= c->pad_token_id + 1)
        return attn_fail(ATTN_E_FORMAT, "%s: max_position_embeddings %d leaves no positions after pad_token_id %d",
                         path, c->max_positions, c->pad_token_id);
    c->parameters = attn_config_parameter_count(c);
    if (c->parameters > ((int64_t)1 << 36)) /* refused before anything that size is allocated */
        return attn_fail(ATTN_E_FORMAT, "%s: implausible sizes: %lld parameters", path, (long long)c->parameters);
    return ATTN_OK;
}

int32_t attn_config_max_tokens(const attn_config *c) {
    /* RoBERTa's positions start after the padding index (position ids pad+1, pad+2, ...) */
    return c->arch == ATTN_ARCH_ROBERTA ? c->max_positions - c->pad_token_id - 1 : c->max_positions;
}

attn_status attn_config_read(const char *path, attn_config *out) {
    char *joined = NULL;
    if (attn_dir_exists(path)) {
        joined = attn_path_join(path, "config.json");
        if (!joined) return attn_fail(ATTN_E_NOMEM, "out of memory");
        path = joined;
    }
    json_error_t jerr;
    json_t *root = attn_json_load_file(path, 0, &jerr);
    attn_status s;
    if (!root) {
        s = attn_file_exists(path) ? attn_fail(ATTN_E_FORMAT, "%s: invalid JSON at line %d: %s", path, jerr.line, jerr.text)
            : attn_dir_exists(path) ? attn_fail(ATTN_E_IO, "%s: is a folder, not a file", path)
            : !strcmp(jerr.text, "not a regular file") ? attn_fail(ATTN_E_IO, "%s: not a regular file", path)
                                    : attn_fail(ATTN_E_NOT_FOUND, "%s: no such file", path);
    } else if (!json_is_object(root)) {
        s = attn_fail(ATTN_E_FORMAT, "%s: not a JSON object", path);
    } else {
        s = parse_config(path, root, out);
    }
    json_decref(root);
    free(joined);
    return s;
}
