/* cmd_inspect.c — `attnscope inspect MODEL... [--json]`: the architecture table of checkpoints. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

typedef struct inspected {
    const char *name;       /* the MODEL argument */
    attn_config cfg;
    const char *wfile;      /* weights file, NULL when the folder has none */
    attn_dtype dtype;
    int64_t loaded;         /* parameters in the weights */
    int has_pooler;
    int64_t pooler_params;  /* what AutoModel adds when the weights lack a pooler */
} inspected;

static const char *activation_name(attn_activation a) {
    switch (a) {
    case ATTN_ACT_GELU: return "gelu";
    case ATTN_ACT_GELU_TANH: return "gelu_tanh";
    case ATTN_ACT_RELU: return "relu";
    }
    return "?";
}

/* Reads the config (and the weights when present) of one MODEL. 0 after printing the error. */
static int inspect_one(const char *arg, int quiet, inspected *r) {
    memset(r, 0, sizeof *r);
    r->name = arg;
    /* a config.json file alone is enough; otherwise a folder or Hub id */
    FILE *probe = fopen(arg, "rb");
    int is_file = probe && fgetc(probe) != EOF && !ferror(probe);
    if (probe) fclose(probe);
    char *dir = is_file ? NULL : cli_model_dir(arg, quiet);
    if (!is_file && !dir) return 0;
    if (attn_config_read(is_file ? arg : dir, &r->cfg) != ATTN_OK) {
        free(dir);
        return !cli_lib_error();
    }
    r->wfile = dir ? attn_weights_file(dir) : NULL;
    attn_model *m = NULL;
    if (r->wfile && attn_model_open(dir, &m) != ATTN_OK) {
        free(dir);
        return !cli_lib_error();
    }
    free(dir);
    const attn_config *c = &r->cfg;
    r->pooler_params = c->arch == ATTN_ARCH_DISTILBERT ? 0 : (int64_t)c->hidden * c->hidden + c->hidden;
    if (!m) return 1;
    r->dtype = attn_model_weight_dtype(m);
    r->loaded = attn_model_loaded_parameters(m);
    r->has_pooler = attn_model_has_pooler(m);
    attn_model_free(m);
    /* AutoModel creates a missing pooler (roberta-base ships without one), so the count includes it. */
    int64_t expected = c->parameters - (r->has_pooler ? 0 : r->pooler_params);
    if (r->loaded != expected)
        return !cli_error("%s: weights hold %lld parameters, config.json implies %lld", arg, (long long)r->loaded,
                          (long long)expected);
    return 1;
}

static json_t *to_json(const inspected *r) {
    const attn_config *c = &r->cfg;
    json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:I}", "model_type", c->model_type, "layers", c->layers,
                          "hidden", c->hidden, "heads", c->heads, "intermediate", c->intermediate, "vocab", c->vocab,
                          "max_positions", c->max_positions, "parameters", (json_int_t)c->parameters);
    json_object_set_new(o, "type_vocab", json_integer(c->type_vocab));
    json_object_set_new(o, "activation", json_string(activation_name(c->activation)));
    json_object_set_new(o, "layer_norm_eps", json_real(c->layer_norm_eps));
    if (r->wfile) {
        json_object_set_new(o, "dtype", json_string(attn_dtype_name(r->dtype)));
        json_object_set_new(o, "weights_file", json_string(r->wfile));
        json_object_set_new(o, "weights_parameters", json_integer(r->loaded));
        json_object_set_new(o, "pooler", json_boolean(r->has_pooler));
    }
    return o;
}

static void print_detail(const inspected *r) {
    const attn_config *c = &r->cfg;
    char b[32];
    printf("%-16s %s\n", "model_type", c->model_type);
    printf("%-16s %d\n", "layers", c->layers);
    printf("%-16s %d\n", "hidden", c->hidden);
    printf("%-16s %d\n", "heads", c->heads);
    printf("%-16s %d\n", "intermediate", c->intermediate);
    printf("%-16s %s\n", "vocab", cli_thousands(c->vocab, b, sizeof b));
    printf("%-16s %d\n", "max_positions", c->max_positions);
    printf("%-16s %s\n", "parameters", cli_thousands(c->parameters, b, sizeof b));
    printf("%-16s %s, eps %g\n", "activation", activation_name(c->activation), c->layer_norm_eps);
    if (!r->wfile) {
        printf("%-16s none in the folder (config.json only)\n", "weights");
        return;
    }
    printf("%-16s %s (%s), %s parameters loaded, matches config.json\n", "weights", r->wfile, attn_dtype_name(r->dtype),
           cli_thousands(r->loaded, b, sizeof b));
    if (!r->has_pooler && r->pooler_params)
        printf("%-16s absent from the weights; AutoModel initializes it (%s parameters)\n", "pooler",
               cli_thousands(r->pooler_params, b, sizeof b));
}

/* One row per model, as the seed notebook's comparison table. */
static void print_table(const inspected *r, int n) {
    int w = 5;
    for (int i = 0; i < n; i++) w = (int)strlen(r[i].name) > w ? (int)strlen(r[i].name) : w;
    printf("%-*s  %-10s %6s %6s %5s %12s %8s %9s %13s  %s\n", w, "model", "type", "layers", "hidden", "heads",
           "intermediate", "vocab", "positions", "parameters", "weights");
    for (int i = 0; i < n; i++) {
        const attn_config *c = &r[i].cfg;
        char v[32], p[32];
        printf("%-*s  %-10s %6d %6d %5d %12d %8s %9d %13s  %s\n", w, r[i].name, c->model_type, c->layers, c->hidden,
               c->heads, c->intermediate, cli_thousands(c->vocab, v, sizeof v), c->max_positions,
               cli_thousands(c->parameters, p, sizeof p), r[i].wfile ? attn_dtype_name(r[i].dtype) : "-");
    }
}

static void help(void) {
    puts("usage: attnscope inspect MODEL... [--json] [--quiet]\n\n"
         "Prints the architecture of a checkpoint: model type, layers, hidden size, attention heads,\n"
         "intermediate size, vocabulary, max positions and the parameter count AutoModel reports\n"
         "(base model with pooler, task heads excluded). Needs only config.json (MODEL may be that\n"
         "file); when weights are present they are loaded, their dtype reported and their count\n"
         "checked against the config. Several MODELs give one comparison table, a row each.\n\n"
         "  --json    one JSON object: model_type, layers, hidden, heads, intermediate, vocab,\n"
         "            max_positions, parameters (and dtype, weights_file, weights_parameters, pooler\n"
         "            when weights are present); with several MODELs, an array of them\n"
         "  --quiet   no download progress");
}

int cmd_inspect(int argc, char **argv) {
    int as_json = 0, quiet = 0;
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "jqh", opts, NULL)) != -1) {
        if (c == 'j') as_json = 1;
        else if (c == 'q') quiet = 1;
        else if (c == 'h') { help(); return 0; }
        else return cli_usage_error("inspect", "unknown option");
    }
    int n = argc - optind;
    if (n < 1) return cli_usage_error("inspect", "expects a MODEL");
    inspected *r = calloc((size_t)n, sizeof *r);
    if (!r) return cli_error("out of memory");
    for (int i = 0; i < n; i++)
        if (!inspect_one(argv[optind + i], quiet, &r[i])) {
            free(r);
            return 1;
        }
    if (as_json) {
        json_t *o = n == 1 ? to_json(&r[0]) : json_array();
        for (int i = 0; n > 1 && i < n; i++) json_array_append_new(o, to_json(&r[i]));
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s);
        free(s);
        json_decref(o);
    } else if (n == 1) {
        print_detail(&r[0]);
    } else {
        print_table(r, n);
    }
    free(r);
    return 0;
}
