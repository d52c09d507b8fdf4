/* cmd_align.c — `attnscope align [LABEL=]MODEL... "SENTENCE"`: word-level attention of several models, side by side. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "words_cli.h"

static void help(void) {
    puts("usage: attnscope align [LABEL=]MODEL... \"SENTENCE\" [--layer N] [--json] [--quiet]\n\n"
         "Word-level attention of each model on the same sentence, so that models with different\n"
         "tokenizers compare on the same words: words are the sentence's whitespace-separated words;\n"
         "attention from word u to word v is the mean over u's tokens of the sum over v's tokens of\n"
         "the head-averaged attention; special tokens are dropped and each row renormalised to 1.\n"
         "Then the Jensen-Shannon distance (natural log) between every two models' matrices, the\n"
         "mean over words of the distance between their rows.\n\n"
         "  --layer N   layer N (from 0) of every model (default: each model's last layer)\n"
         "  --json      {\"sentence\", \"words\", \"models\": [{\"model\", \"layer\", \"truncated\", \"tokens\",\n"
         "              \"token_word\" (word of each token, null = none), \"attention\" [W][W]}],\n"
         "              \"distances\": [{\"model_a\", \"layer_a\", \"model_b\", \"layer_b\", \"js_distance\",\n"
         "              \"words\" (rows compared)}]}\n"
         "  --quiet     no download progress\n\n"
         "A sentence longer than a model's positions is truncated for it (like truncation=True) with a\n"
         "warning naming it; its \"truncated\" is then {\"tokens\": N, \"kept\": K} (else null). The words\n"
         "are then those up to the last one a model kept; words past one model's cut have no attention\n"
         "in it (zero rows and columns, left out of the distances).");
}

typedef struct aligned {
    cli_model m;
    attn_encoding enc;
    attn_words words;
    int layer;
    attn_truncation_info cut; /* the sentence cut to the model's positions (tokens 0 = it fit) */
    float *attn; /* [W][W] */
} aligned;

/* Loads the model, cuts the sentence to its positions (warning) and maps the words. 0 after printing. */
static int align_encode(aligned *a, const char *arg, const char *sentence, int layer, int quiet) {
    if (!cli_model_load(arg, quiet, &a->m)) return 0;
    const attn_config *cfg = attn_model_config(a->m.model);
    a->layer = layer < 0 ? cfg->layers - 1 : layer;
    if (a->layer >= cfg->layers) return !cli_error("%s: --layer %d: the model has layers 0..%d", a->m.label, layer, cfg->layers - 1);
    char name[512];
    snprintf(name, sizeof name, "%s: SENTENCE", a->m.label);
    if (!cli_encode_to_fit(name, a->m.tok, cfg, sentence, strlen(sentence), NULL, 0, &a->enc, &a->cut)) return 0;
    return attn_words_map(sentence, &a->enc, &a->words) == ATTN_OK || !cli_error("%s: %s", a->m.label, attn_last_error());
}

/* Words up to the last one a model's tokens reach: past every model's cut no word has attention. */
static int32_t words_reached(const aligned *a, int n) {
    int32_t reach = 0;
    for (int i = 0; i < n; i++)
        for (int32_t t = 0; t < a[i].words.n_tokens; t++)
            if (a[i].words.token_word[t] + 1 > reach) reach = a[i].words.token_word[t] + 1;
    return reach;
}

/* Drops the words from W on (all have no token in this model's encoding). */
static void keep_words(attn_words *w, int32_t W) {
    for (int32_t v = W; v < w->n; v++) free(w->words[v]);
    if (W < w->n) w->n = W;
}

/* Runs the model and computes the [W][W] word-level attention of its layer. 0 after printing. */
static int align_run(aligned *a) {
    attn_output o = {0};
    attn_input in = {a->enc.ids, a->enc.type_ids, a->enc.n};
    int ok = attn_model_check_input(a->m.model, &in) == ATTN_OK &&
             attn_model_forward(a->m.model, &in, 1, ATTN_OUT_ATTENTIONS, &o) == ATTN_OK;
    if (ok) {
        size_t W = (size_t)a->words.n;
        a->attn = calloc(W * W + 1, sizeof *a->attn);
        ok = a->attn && attn_word_attention(&o, &a->words, a->layer, -1, a->attn) == ATTN_OK;
    }
    attn_output_free(&o);
    return ok || !cli_error("%s: %s", a->m.label, attn_last_error());
}

static void aligned_free(aligned *a) {
    free(a->attn);
    attn_words_free(&a->words);
    attn_encoding_free(&a->enc);
    cli_model_close(&a->m);
}

static json_t *model_json(const aligned *a) {
    json_t *tw = json_array();
    for (int i = 0; i < a->words.n_tokens; i++)
        json_array_append_new(tw, a->words.token_word[i] < 0 ? json_null() : json_integer(a->words.token_word[i]));
    return json_pack("{s:s, s:i, s:o, s:o, s:o, s:o}", "model", a->m.label, "layer", a->layer, "truncated",
                     cli_json_truncation(a->cut), "tokens", cli_json_token_strings(&a->enc, NULL, 0), "token_word", tw,
                     "attention",
                     cli_json_matrix(a->attn, a->words.n, a->words.n));
}

static void print_matrix(const aligned *a) {
    const attn_words *w = &a->words;
    printf("%s, layer %d (rows: from, columns: to)\n%-12s", a->m.label, a->layer, "");
    for (int v = 0; v < w->n; v++) printf(" %9.9s", w->words[v]);
    putchar('\n');
    for (int u = 0; u < w->n; u++) {
        printf("%-12.12s", w->words[u]);
        for (int v = 0; v < w->n; v++) printf(" %9.4f", a->attn[(size_t)u * (size_t)w->n + (size_t)v]);
        putchar('\n');
    }
    putchar('\n');
}

int cmd_align(int argc, char **argv) {
    int as_json = 0, quiet = 0, layer = -1;
    static const struct option opts[] = {{"layer", required_argument, 0, 'l'}, {"json", no_argument, 0, 'j'},
                                         {"quiet", no_argument, 0, 'q'},       {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "l:jqh", opts, NULL)) != -1) {
        if (c == 'l') {
            if (!cli_parse_int(optarg, 0, 1 << 20, &layer)) return cli_usage_error("align", "--layer wants a layer number from 0");
        } else if (c == 'j') as_json = 1;
        else if (c == 'q') quiet = 1;
        else if (c == 'h') { help(); return 0; }
        else return cli_usage_error("align", "unknown option");
    }
    int n = argc - optind - 1;
    if (n < 1) return cli_usage_error("align", "expects MODEL... and a SENTENCE");
    const char *sentence = argv[argc - 1];
    if (!cli_utf8_arg("SENTENCE", sentence)) return 1;
    aligned *a = calloc((size_t)n, sizeof *a);
    int rc = a ? 0 : cli_error("out of memory");
    for (int i = 0; i < n && !rc; i++)
        if (!align_encode(&a[i], argv[optind + i], sentence, layer, quiet)) rc = 1;
    int32_t reach = rc ? 0 : words_reached(a, n), any_cut = 0;
    for (int i = 0; i < n && !rc; i++) any_cut |= a[i].cut.tokens > 0;
    for (int i = 0; i < n && !rc; i++) {
        if (any_cut) keep_words(&a[i].words, reach); /* a cut sentence: only the words some model kept */
        if (!align_run(&a[i])) rc = 1;
    }
    if (!rc && a[0].words.n == 0) rc = cli_error("the sentence has no words");
    json_t *dist = json_array();
    for (int i = 0; !rc && i < n; i++)
        for (int j = i + 1; j < n; j++) {
            int32_t rows;
            double d = attn_word_rows_js(a[i].attn, a[j].attn, a[i].words.n, &rows);
            json_array_append_new(dist, json_pack("{s:s, s:i, s:s, s:i, s:f, s:i}", "model_a", a[i].m.label, "layer_a",
                                                  a[i].layer, "model_b", a[j].m.label, "layer_b", a[j].layer, "js_distance",
                                                  d, "words", rows));
        }
    if (!rc && as_json) {
        json_t *models = json_array(), *words = json_array();
        for (int i = 0; i < n; i++) json_array_append_new(models, model_json(&a[i]));
        for (int v = 0; v < a[0].words.n; v++) json_array_append_new(words, json_string(a[0].words.words[v]));
        rc = cli_json_print(
            json_pack("{s:s, s:o, s:o, s:O}", "sentence", sentence, "words", words, "models", models, "distances", dist));
    } else if (!rc) {
        for (int i = 0; i < n; i++) print_matrix(&a[i]);
        for (size_t k = 0; k < json_array_size(dist); k++) {
            json_t *d = json_array_get(dist, k);
            printf("%s L%d vs %s L%d: Jensen-Shannon distance %.6f over %d words\n",
                   json_string_value(json_object_get(d, "model_a")), (int)json_integer_value(json_object_get(d, "layer_a")),
                   json_string_value(json_object_get(d, "model_b")), (int)json_integer_value(json_object_get(d, "layer_b")),
                   json_real_value(json_object_get(d, "js_distance")), (int)json_integer_value(json_object_get(d, "words")));
        }
    }
    json_decref(dist);
    for (int i = 0; a && i < n; i++) aligned_free(&a[i]);
    free(a);
    return rc;
}
