/* cmd_inspect.c — `attnscope inspect MODEL [--json]`: the architecture table of a checkpoint. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli.h"

static const char *activation_name(attn_activation a) {
    switch (a) {
    case ATTN_ACT_GELU: return "gelu";
    case ATTN_ACT_GELU_TANH: return "gelu_tanh";
    case ATTN_ACT_RELU: return "relu";
    }
    return "?";
}

static void help(void) {
    puts("usage: attnscope inspect MODEL [--json] [--quiet]\n\n"
         "Prints the architecture of a checkpoint: model type, layers, hidden size, attention heads,\n"
         "intermediate size, vocabulary, max positions and the parameter count AutoModel reports\n"
         "(base model with pooler, task heads excluded). Needs only config.json; when weights are\n"
         "present they are loaded, their dtype reported and their count checked against the config.\n\n"
         "  --json    one JSON object: model_type, layers, hidden, heads, intermediate, vocab,\n"
         "            max_positions, parameters (and dtype, weights_file, weights_parameters, pooler\n"
         "            when weights are present)\n"
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
    if (optind != argc - 1) return cli_usage_error("inspect", "expects one MODEL");

    /* a config.json file alone is enough; otherwise a folder or Hub id */
    FILE *probe = fopen(argv[optind], "rb");
    int is_file = probe && fgetc(probe) != EOF && !ferror(probe);
    if (probe) fclose(probe);
    char *dir = is_file ? NULL : cli_model_dir(argv[optind], quiet);
    if (!is_file && !dir) return 1;
    attn_config cfg;
    if (attn_config_read(is_file ? argv[optind] : dir, &cfg) != ATTN_OK) { free(dir); return cli_lib_error(); }

    const char *wfile = dir ? attn_weights_file(dir) : NULL;
    attn_model *m = NULL;
    if (wfile && attn_model_open(dir, &m) != ATTN_OK) { free(dir); return cli_lib_error(); }
    free(dir);

    int64_t pooler_params = cfg.arch == ATTN_ARCH_DISTILBERT ? 0 : (int64_t)cfg.hidden * cfg.hidden + cfg.hidden;
    int64_t loaded = m ? attn_model_loaded_parameters(m) : 0;
    int has_pooler = m && attn_model_has_pooler(m);
    /* AutoModel creates a missing pooler (roberta-base ships without one), so the count includes it. */
    int64_t expected_loaded = cfg.parameters - (m && !has_pooler ? pooler_params : 0);
    if (m && loaded != expected_loaded) {
        attn_model_free(m);
        return cli_error("%s: weights hold %lld parameters, config.json implies %lld", argv[optind], (long long)loaded,
                         (long long)expected_loaded);
    }

    if (as_json) {
        json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:I}", "model_type", cfg.model_type, "layers", cfg.layers,
                              "hidden", cfg.hidden, "heads", cfg.heads, "intermediate", cfg.intermediate, "vocab", cfg.vocab,
                              "max_positions", cfg.max_positions, "parameters", (json_int_t)cfg.parameters);
        json_object_set_new(o, "type_vocab", json_integer(cfg.type_vocab));
        json_object_set_new(o, "activation", json_string(activation_name(cfg.activation)));
        json_object_set_new(o, "layer_norm_eps", json_real(cfg.layer_norm_eps));
        if (m) {
            json_object_set_new(o, "dtype", json_string(attn_dtype_name(attn_model_weight_dtype(m))));
            json_object_set_new(o, "weights_file", json_string(wfile));
            json_object_set_new(o, "weights_parameters", json_integer(loaded));
            json_object_set_new(o, "pooler", json_boolean(has_pooler));
        }
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s);
        free(s);
        json_decref(o);
    } else {
        char b[32];
        printf("%-16s %s\n", "model_type", cfg.model_type);
        printf("%-16s %d\n", "layers", cfg.layers);
        printf("%-16s %d\n", "hidden", cfg.hidden);
        printf("%-16s %d\n", "heads", cfg.heads);
        printf("%-16s %d\n", "intermediate", cfg.intermediate);
        printf("%-16s %s\n", "vocab", cli_thousands(cfg.vocab, b, sizeof b));
        printf("%-16s %d\n", "max_positions", cfg.max_positions);
        printf("%-16s %s\n", "parameters", cli_thousands(cfg.parameters, b, sizeof b));
        printf("%-16s %s, eps %g\n", "activation", activation_name(cfg.activation), cfg.layer_norm_eps);
        if (m) {
            printf("%-16s %s (%s), %s parameters loaded, matches config.json\n", "weights", wfile,
                   attn_dtype_name(attn_model_weight_dtype(m)), cli_thousands(loaded, b, sizeof b));
            if (!has_pooler && pooler_params)
                printf("%-16s absent from the weights; AutoModel initializes it (%s parameters)\n", "pooler",
                       cli_thousands(pooler_params, b, sizeof b));
        } else {
            printf("%-16s none in the folder (config.json only)\n", "weights");
        }
    }
    attn_model_free(m);
    return 0;
}
