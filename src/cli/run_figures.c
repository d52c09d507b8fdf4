/* run_figures.c — `attnscope run MODEL ... --figures svg,png,pdf [--fig-layer N] [--fig-heads 0,1]`:
 * one head's attention matrix, the layer's grid of heads, the model view and the head view of
 * the first sequence, drawn by the library's figure functions. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_figures.h"

void run_figures_init(run_figures *rf) {
    memset(rf, 0, sizeof *rf);
    cli_figure_opts_init(&rf->fig);
    rf->layer = -1;
    rf->cmd = "run";
}

void run_figures_free(run_figures *rf) {
    cli_figure_opts_free(&rf->fig);
    free(rf->heads);
    rf->heads = NULL;
}

int run_figures_opt(run_figures *rf, int c, const char *arg) {
    if (c == RUN_OPT_FIG_LAYER) {
        if (!cli_parse_int(arg, 0, 1023, &rf->layer)) {
            cli_usage_error(rf->cmd, "--fig-layer must be a layer number");
            return -1;
        }
        return 1;
    }
    if (c == RUN_OPT_FIG_HEADS) {
        free(rf->heads);
        rf->heads = NULL;
        if (!cli_parse_int_list(arg, &rf->heads, &rf->n_heads) || rf->n_heads == 0) {
            cli_usage_error(rf->cmd, "--fig-heads wants head numbers, e.g. 0,1");
            return -1;
        }
        return 1;
    }
    return cli_figure_opt(&rf->fig, rf->cmd, c, arg);
}

int run_figures_ready(run_figures *rf, const char *dump_path) {
    if (!rf->fig.formats && (rf->layer >= 0 || rf->heads))
        return cli_usage_error(rf->cmd, "--fig-layer and --fig-heads go with --figures");
    char *def = NULL;
    const char *slash = dump_path ? strrchr(dump_path, '/') : NULL;
    if (slash) def = malloc((size_t)(slash - dump_path) + sizeof "/figures");
    if (def) sprintf(def, "%.*s/figures", (int)(slash - dump_path), dump_path);
    int rc = cli_figure_opts_ready(&rf->fig, rf->cmd, def ? def : "figures");
    free(def);
    return rc;
}

int run_figures_check(run_figures *rf, const attn_config *cfg) {
    if (!rf->fig.formats) return 0;
    if (rf->layer >= cfg->layers)
        return cli_usage_error(rf->cmd, "--fig-layer %d: the model has %d layers (0..%d)", rf->layer, cfg->layers, cfg->layers - 1);
    for (int k = 0; k < rf->n_heads; k++)
        if (rf->heads[k] < 0 || rf->heads[k] >= cfg->heads)
            return cli_usage_error(rf->cmd, "--fig-heads %d: the model has %d heads (0..%d)", rf->heads[k], cfg->heads, cfg->heads - 1);
    return 0;
}

/* Tokens as a reader sees them (attn_token_labels: "Ġbank" -> "bank", the pieces of one emoji
 * as the emoji then continuation marks), without the leading space of byte-level BPE; "##"
 * pieces and tokens that decode to nothing or spaces stay raw. */
char **cli_token_labels(const attn_tokenizer *tok, const int32_t *ids, const uint8_t *special, int n) {
    char **l = NULL;
    if (attn_token_labels(tok, ids, special, n, &l) != ATTN_OK) return NULL;
    for (int i = 0; i < n; i++) {
        const char *raw = attn_tokenizer_id_to_token(tok, ids[i]), *d = l[i];
        char *label = raw && (strncmp(raw, "##", 2) == 0 || strspn(d, " ") == strlen(d)) ? strdup(raw)
                      : strdup(d + (d[0] == ' ' && d[1] ? 1 : 0));
        if (!label) {
            attn_token_labels_free(l, n);
            return NULL;
        }
        free(l[i]);
        l[i] = label;
    }
    return l;
}

/* Token labels of the ids (the tokenizer's, or the ids themselves when it has none). */
static char **token_strings(const char *model_dir, const int32_t *ids, int n) {
    attn_tokenizer *tok = NULL;
    if (attn_tokenizer_open(model_dir, &tok) != ATTN_OK) tok = NULL;
    char **s = tok ? cli_token_labels(tok, ids, NULL, n) : NULL;
    for (int i = 0; !tok && i < n; i++) {
        if (i == 0 && !(s = calloc((size_t)n, sizeof *s))) break;
        if (asprintf(&s[i], "%d", ids[i]) < 0) {
            attn_token_labels_free(s, i);
            s = NULL;
            break;
        }
    }
    attn_tokenizer_free(tok);
    return s;
}

static const char *base_name(const char *path) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--; /* "models/bert-tiny/" → "bert-tiny/" still names it */
    const char *p = path + n;
    while (p > path && p[-1] != '/') p--;
    return p;
}

int run_figures_draw(const run_figures *rf, const char *model_dir, const char *model_arg, const int32_t *ids,
                     const attn_output *out, int quiet) {
    if (!rf->fig.formats) return 0;
    char **tokens = token_strings(model_dir, ids, out->len);
    char *name = strdup(base_name(model_arg));
    if (!tokens || !name) {
        free(name);
        return cli_error("out of memory");
    }
    if (name[0] && name[strlen(name) - 1] == '/') name[strlen(name) - 1] = '\0';
    attn_fig_attention a = {name, out->layers, out->heads, out->len, out->attentions, (const char *const *)tokens};
    int layer = rf->layer >= 0 ? rf->layer : out->layers - 1, head = rf->heads ? rf->heads[0] : 0;
    char stem[4][192];
    const char *pre = rf->stem_prefix ? rf->stem_prefix : "";
    snprintf(stem[0], sizeof stem[0], "%sattention_head_L%d_H%d", pre, layer, head);
    snprintf(stem[1], sizeof stem[1], "%sattention_layer_L%d", pre, layer);
    snprintf(stem[2], sizeof stem[2], "%smodel_view", pre);
    snprintf(stem[3], sizeof stem[3], "%shead_view_L%d", pre, layer);
    int rc = 0;
    for (int k = 0; k < 4 && !rc; k++) {
        attn_figure *f = NULL;
        attn_status s = k == 0   ? attn_figure_attention_head(&a, layer, head, &rf->fig.style, &f)
                        : k == 1 ? attn_figure_attention_layer(&a, layer, &rf->fig.style, &f)
                        : k == 2 ? attn_figure_model_view(&a, &rf->fig.style, &f)
                                 : attn_figure_head_view(&a, layer, rf->heads, rf->n_heads, &rf->fig.style, &f);
        rc = s != ATTN_OK ? cli_lib_error() : cli_figure_save(&rf->fig, f, stem[k]);
    }
    if (!rc && !quiet) printf("figures of %s (layer %d) in %s/\n", rf->stem_prefix ? name : "input 0", layer, rf->fig.dir);
    for (int i = 0; i < out->len; i++) free(tokens[i]);
    free(tokens);
    free(name);
    return rc;
}

void run_figures_help(void) {
    cli_figure_opts_help();
    puts("  --fig-layer N          layer of the head, layer-grid and head views (default: the last)\n"
         "  --fig-heads 0,1        heads of the head view (default: all); the first is the single-head view\n"
         "                         (figures show the first input; default folder: beside --dump, else ./figures)");
}
