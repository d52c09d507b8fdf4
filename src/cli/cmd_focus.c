/* cmd_focus.c — `attnscope focus MODEL --word W "SENTENCE"`: where that word attends, layer by layer. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "words_cli.h"

static void help(void) {
    puts("usage: attnscope focus [LABEL=]MODEL --word WORD \"SENTENCE\" [--layer N] [--head H] [--rollout]\n"
         "                       [--occurrence N] [--json] [--report FILE.html] [--quiet]\n\n"
         "Where WORD attends: its attention row over the sentence's tokens (the mean of its pieces'\n"
         "rows), each row renormalised to sum 1 — the layer x token matrix of the \"bank\" notebook.\n"
         "Layers and heads count from 0.\n\n"
         "  (default)            one row per layer, mean over heads\n"
         "  --layer N            one row per head of layer N (with --head H: that head only)\n"
         "  --head H             head H at every layer\n"
         "  --rollout            attention rollout (Abnar & Zuidema 2020, residual-corrected) rows,\n"
         "                       one per layer (with --layer N: that layer only)\n"
         "  --occurrence N       which occurrence of WORD when it repeats (default 1)\n"
         "  --json               {\"model\", \"word\", \"occurrence\", \"sentence\", \"truncated\", \"tokens\",\n"
         "                       \"token_index\" (the word's tokens), \"mode\", \"rows\": [{\"layer\", \"head\" (null for the\n"
         "                       mean or rollout), \"weights\": one per token}]}\n"
         "  --report FILE.html   also one offline HTML report: both charts, the rows as a table and the\n"
         "                       sentence with its attention (model, head and neuron views)\n"
         "  --quiet              no download progress\n\n"
         "A sentence longer than the model's positions is truncated (like truncation=True) with a\n"
         "warning naming it; --json then has \"truncated\": {\"tokens\": N, \"kept\": K} (else null) and\n"
         "the report a note. A WORD past the cut is an error.");
    cli_figure_opts_help();
    puts("                         (the last row as bars over the tokens, and every row as a heatmap;\n"
         "                         default folder ./figures)");
}

typedef struct focus_args {
    const char *word, *report;
    int layer, head, rollout, occurrence, as_json;
} focus_args;

static json_t *rows_json(const char *label, const char *sentence, attn_truncation_info cut, const focus_args *a,
                         const attn_encoding *e, const int32_t *pieces, int32_t np, const cli_focus_rows *r) {
    json_t *o = json_object(), *rows = json_array();
    json_object_set_new(o, "model", json_string(label));
    json_object_set_new(o, "word", json_string(a->word));
    json_object_set_new(o, "occurrence", json_integer(a->occurrence));
    json_object_set_new(o, "sentence", json_string(sentence));
    json_object_set_new(o, "truncated", cli_json_truncation(cut));
    json_object_set_new(o, "tokens", cli_json_token_strings(e, NULL, 0));
    json_object_set_new(o, "token_index", cli_json_ints(pieces, np));
    json_object_set_new(o, "mode", json_string(r->mode));
    for (int i = 0; i < r->n; i++)
        json_array_append_new(rows, json_pack("{s:i, s:o, s:o}", "layer", r->layer[i], "head",
                                              r->head[i] < 0 ? json_null() : json_integer(r->head[i]), "weights",
                                              cli_json_floats(r->w + (size_t)i * (size_t)e->n, e->n)));
    json_object_set_new(o, "rows", rows);
    return o;
}

static void print_rows(const char *label, const focus_args *a, const attn_encoding *e, const int32_t *pieces, int32_t np,
                       const cli_focus_rows *r) {
    printf("%s: where \"%s\" (token", label, a->word);
    for (int p = 0; p < np; p++) printf(" %d:%s", pieces[p], e->tokens[pieces[p]]);
    printf(") attends, %s\n\n%-10s", r->mode, "");
    for (int j = 0; j < e->n; j++) printf(" %9.9s", e->tokens[j]);
    putchar('\n');
    for (int i = 0; i < r->n; i++) {
        char name[32];
        if (r->head[i] < 0) snprintf(name, sizeof name, "layer %d", r->layer[i]);
        else snprintf(name, sizeof name, "L%d H%d", r->layer[i], r->head[i]);
        printf("%-10s", name);
        for (int j = 0; j < e->n; j++) printf(" %9.4f", r->w[(size_t)i * (size_t)e->n + (size_t)j]);
        putchar('\n');
    }
}

static int parse_args(int argc, char **argv, focus_args *a, int *quiet, cli_figure_opts *figs) {
    static const struct option opts[] = {
        {"word", required_argument, 0, 'w'}, {"layer", required_argument, 0, 'l'}, {"head", required_argument, 0, 'H'},
        {"rollout", no_argument, 0, 'r'},    {"occurrence", required_argument, 0, 'o'}, {"json", no_argument, 0, 'j'},
        {"quiet", no_argument, 0, 'q'},      {"help", no_argument, 0, 'h'},             {"report", required_argument, 0, 'R'},
        CLI_FIGURE_LONG_OPTIONS,
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "w:l:H:ro:jqh", opts, NULL)) != -1) {
        int fig = cli_figure_opt(figs, "focus", c, optarg);
        if (fig < 0) return 2;
        if (fig) continue;
        switch (c) {
        case 'w': a->word = optarg; break;
        case 'l':
            if (!cli_parse_int(optarg, 0, 1 << 20, &a->layer)) return cli_usage_error("focus", "--layer wants a layer number from 0");
            break;
        case 'H':
            if (!cli_parse_int(optarg, 0, 1 << 20, &a->head)) return cli_usage_error("focus", "--head wants a head number from 0");
            break;
        case 'o':
            if (!cli_parse_int(optarg, 1, 1 << 30, &a->occurrence))
                return cli_usage_error("focus", "--occurrence wants a number from 1");
            break;
        case 'r': a->rollout = 1; break;
        case 'j': a->as_json = 1; break;
        case 'R': a->report = optarg; break;
        case 'q': *quiet = 1; break;
        case 'h': help(); return -1;
        default: return cli_usage_error("focus", "unknown option");
        }
    }
    if (!a->word || !*a->word) return cli_usage_error("focus", "--word WORD is required");
    if (a->rollout && a->head >= 0) return cli_usage_error("focus", "--rollout mixes all heads; it takes no --head");
    if (argc - optind != 2) return cli_usage_error("focus", "expects one MODEL and one SENTENCE");
    int rc = cli_figure_opts_ready(figs, "focus", "figures");
    if (!rc && a->report && attn_report_check_output(a->report) != ATTN_OK) rc = cli_lib_error();
    return rc;
}

/* --report FILE: both charts, the table and the sentence with its attention. 0, or 1 (printed). */
static int write_report(const focus_args *a, const cli_figure_opts *figs, const cli_model *m, const words_focus_fig *d,
                        const char *sentence, int quiet) {
    char title[256];
    snprintf(title, sizeof title, "attnscope focus: '%s' (%s)", a->word, m->label);
    attn_report *rep = NULL;
    words_report w;
    int rc = words_report_open(title, m, 1, &rep);
    if (!rc) words_report_init(&w, rep, &figs->style, m, 1), rc = words_report_focus(&w, d, sentence);
    if (!rc && attn_report_write(rep, a->report) != ATTN_OK) rc = cli_lib_error();
    if (!rc && !quiet) printf("wrote %s\n", a->report);
    attn_report_free(rep);
    return rc;
}

int cmd_focus(int argc, char **argv) {
    focus_args a = {.layer = -1, .head = -1, .occurrence = 1};
    cli_figure_opts figs;
    cli_figure_opts_init(&figs);
    int quiet = 0, rc = parse_args(argc, argv, &a, &quiet, &figs);
    if (rc) return cli_figure_opts_free(&figs), rc < 0 ? 0 : rc;
    const char *sentence = argv[optind + 1];
    if (!cli_utf8_arg("--word", a.word) || !cli_utf8_arg("SENTENCE", sentence)) return cli_figure_opts_free(&figs), 1;
    cli_model m;
    attn_encoding e = {0};
    attn_output o = {0};
    int32_t *pieces = NULL, np = 0;
    cli_focus_rows r = {0};
    if (!cli_model_load(argv[optind], quiet, &m)) rc = 1;
    const attn_config *cfg = rc ? NULL : attn_model_config(m.model);
    cli_focus_choice choice = {a.layer, a.head, a.rollout};
    if (cfg && !cli_focus_check(&choice, &m, "--layer", "--head")) rc = 1;
    attn_truncation_info cut = {0, 0};
    if (!rc && !cli_model_run(&m, "SENTENCE", sentence, ATTN_OUT_ATTENTIONS, &e, &o, &cut)) rc = 1;
    if (!rc && attn_find_word_fit(sentence, &e, cut, a.word, a.occurrence, &pieces, &np) != ATTN_OK)
        rc = cli_error("%s: %s%s", m.label, cut.tokens ? "SENTENCE: " : "", attn_last_error());
    if (!rc && !cli_focus_compute(&o, pieces, np, &choice, &r)) rc = 1;
    if (!rc && a.as_json) rc = cli_json_print(rows_json(m.label, sentence, cut, &a, &e, pieces, np, &r));
    else if (!rc) print_rows(m.label, &a, &e, pieces, np, &r);
    if (!rc) {
        words_focus_fig d = {a.word, r.mode, &e, m.tok, pieces[0], r.n, r.w, r.layer, r.head, NULL, NULL};
        rc = words_figures_focus(&figs, &d, quiet || a.as_json);
        if (!rc && a.report) rc = write_report(&a, &figs, &m, &d, sentence, quiet || a.as_json);
    }
    cli_figure_opts_free(&figs);
    cli_focus_rows_free(&r);
    free(pieces);
    attn_output_free(&o);
    attn_encoding_free(&e);
    cli_model_close(&m);
    return rc;
}
