/* cmd_similarity.c — `attnscope similarity MODEL... --word W "S1" "S2"`: seed 003's cosine per hidden state. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "words_cli.h"

static void help(void) {
    puts("usage: attnscope similarity [LABEL=]MODEL... --word WORD \"SENTENCE 1\" \"SENTENCE 2\"\n"
         "                            [--occurrence N[,M]] [--json] [--report FILE.html] [--quiet]\n\n"
         "The cosine similarity of WORD's vector between the two sentences at every hidden state\n"
         "(0 = the embedding output, k = the output of layer k-1), as the DistilBERT \"bank\" notebook\n"
         "computes it. A word split into several tokens is the mean of their vectors. WORD is found\n"
         "case-insensitively, not inside a longer word (\"bank\" matches \"Bank,\", not \"banking\").\n\n"
         "  --word WORD          the word to compare (required)\n"
         "  --occurrence N[,M]   which occurrence in sentence 1 (and 2) when it repeats (default 1)\n"
         "  --json               one object {\"model\", \"word\", \"sentences\", \"occurrence\", \"tokens\" (the\n"
         "                       word's token strings per sentence), \"token_index\", \"cosine\" (one value\n"
         "                       per hidden state), \"truncated\" (per sentence: null, or {\"tokens\": N,\n"
         "                       \"kept\": K} for one cut to the model's positions)}; with several MODELs,\n"
         "                       an array of them\n"
         "  --report FILE.html   also one offline HTML report: the chart, the table and both sentences\n"
         "                       with every model's attention (model, head and neuron views)\n"
         "  --quiet              no download progress\n\n"
         "A sentence longer than the model's positions is truncated (like truncation=True) with a\n"
         "warning naming it, noted in --json and the report; a WORD past the cut is an error.");
    cli_figure_opts_help();
    puts("                         (the cosine per hidden state, one line per model; default folder ./figures)");
}

/* What the cut to the model's positions left of sentence k (tokens 0 = nothing cut). */
static attn_truncation_info similarity_cut(const attn_similarity *r, int k) {
    return (attn_truncation_info){r->untruncated[k], r->untruncated[k] ? r->enc[k].n : 0};
}

/* The warning line of each sentence the model's positions cut. */
static void warn_truncated(const cli_model *m, const attn_similarity *r, char *const sent[2]) {
    for (int k = 0; k < 2; k++) {
        char name[512];
        snprintf(name, sizeof name, "%s: SENTENCE %d", m->label, k + 1);
        cli_truncation_warning(name, sent[k], strlen(sent[k]), attn_config_max_tokens(attn_model_config(m->model)),
                               similarity_cut(r, k));
    }
}

static json_t *result_json(const char *label, const char *word, char **sent, const int occ[2], const attn_similarity *r) {
    json_t *o = json_object(), *toks = json_array(), *idx = json_array(), *cos = json_array();
    for (int k = 0; k < 2; k++) {
        json_array_append_new(toks, cli_json_token_strings(&r->enc[k], r->pieces[k], r->n_pieces[k]));
        json_array_append_new(idx, cli_json_ints(r->pieces[k], r->n_pieces[k]));
    }
    for (int i = 0; i < r->n_states; i++) json_array_append_new(cos, json_real(r->cosine[i]));
    json_object_set_new(o, "model", json_string(label));
    json_object_set_new(o, "word", json_string(word));
    json_object_set_new(o, "sentences", json_pack("[ss]", sent[0], sent[1]));
    json_object_set_new(o, "occurrence", json_pack("[ii]", occ[0], occ[1]));
    json_object_set_new(o, "truncated", json_pack("[oo]", cli_json_truncation(similarity_cut(r, 0)),
                                                  cli_json_truncation(similarity_cut(r, 1))));
    json_object_set_new(o, "tokens", toks);
    json_object_set_new(o, "token_index", idx);
    json_object_set_new(o, "cosine", cos);
    return o;
}

/* --report FILE: the chart, the tables and the sentences through every model. 0, or 1 (printed). */
static int write_report(const char *path, const cli_figure_opts *figs, const cli_model *m, const attn_similarity *r,
                        int n, const char *word, char *const sent[2], int quiet) {
    char title[256];
    snprintf(title, sizeof title, "attnscope similarity: '%s'", word);
    attn_report *rep = NULL;
    words_report w;
    int rc = words_report_open(title, m, n, &rep);
    if (!rc) words_report_init(&w, rep, &figs->style, m, n), rc = words_report_similarity(&w, r, word, sent);
    if (!rc && attn_report_write(rep, path) != ATTN_OK) rc = cli_lib_error();
    if (!rc && !quiet) printf("wrote %s\n", path);
    attn_report_free(rep);
    return rc;
}

static void print_pieces(const attn_similarity *r, int k) {
    for (int p = 0; p < r->n_pieces[k]; p++) printf("%s%d:%s", p ? " " : "", r->pieces[k][p], r->enc[k].tokens[r->pieces[k][p]]);
}

static void print_table(cli_model *m, const attn_similarity *r, int n, const char *word) {
    int states = 0;
    for (int i = 0; i < n; i++) {
        printf("%s: \"%s\" is token ", m[i].label, word);
        print_pieces(&r[i], 0);
        printf(" in sentence 1, ");
        print_pieces(&r[i], 1);
        printf(" in sentence 2\n");
        states = r[i].n_states > states ? r[i].n_states : states;
    }
    int w = 10;
    for (int i = 0; i < n; i++) w = (int)strlen(m[i].label) > w ? (int)strlen(m[i].label) : w;
    printf("\n%-5s  %-10s", "state", "output of");
    for (int i = 0; i < n; i++) printf("  %*s", w, m[i].label);
    putchar('\n');
    for (int s = 0; s < states; s++) {
        char what[32];
        if (s == 0) snprintf(what, sizeof what, "embeddings");
        else snprintf(what, sizeof what, "layer %d", s - 1);
        printf("%-5d  %-10s", s, what);
        for (int i = 0; i < n; i++)
            if (s < r[i].n_states) printf("  %*.6f", w, r[i].cosine[s]);
            else printf("  %*s", w, "");
        putchar('\n');
    }
}

int cmd_similarity(int argc, char **argv) {
    const char *word = NULL, *report = NULL;
    int as_json = 0, quiet = 0, occ[2] = {1, 1};
    static const struct option opts[] = {{"word", required_argument, 0, 'w'}, {"occurrence", required_argument, 0, 'o'},
                                         {"json", no_argument, 0, 'j'},       {"quiet", no_argument, 0, 'q'},
                                         {"report", required_argument, 0, 'R'},
                                         {"help", no_argument, 0, 'h'},       CLI_FIGURE_LONG_OPTIONS,
                                         {0, 0, 0, 0}};
    int c, fig;
    cli_figure_opts figs;
    cli_figure_opts_init(&figs);
    optind = 1;
    while ((c = getopt_long(argc, argv, "w:o:jqh", opts, NULL)) != -1) {
        if ((fig = cli_figure_opt(&figs, "similarity", c, optarg)) != 0) {
            if (fig < 0) return 2;
        } else if (c == 'w') word = optarg;
        else if (c == 'j') as_json = 1;
        else if (c == 'R') report = optarg;
        else if (c == 'q') quiet = 1;
        else if (c == 'h') { help(); return 0; }
        else if (c == 'o') {
            int32_t *v = NULL, n = 0;
            int ok = cli_parse_int_list(optarg, &v, &n) && n <= 2 && v[0] >= 1 && v[n - 1] >= 1;
            if (ok) occ[0] = v[0], occ[1] = v[n - 1];
            free(v);
            if (!ok) return cli_usage_error("similarity", "--occurrence wants N or N,M (1 or more)");
        } else return cli_usage_error("similarity", "unknown option");
    }
    if (!word || !*word) return cli_usage_error("similarity", "--word WORD is required");
    int n = argc - optind - 2;
    if (n < 1) return cli_usage_error("similarity", "expects MODEL... and two sentences");
    if ((fig = cli_figure_opts_ready(&figs, "similarity", "figures")) != 0) return fig;
    if (report && attn_report_check_output(report) != ATTN_OK) return cli_figure_opts_free(&figs), cli_lib_error();
    char **sent = argv + argc - 2;
    if (!cli_utf8_arg("--word", word) || !cli_utf8_arg("SENTENCE 1", sent[0]) || !cli_utf8_arg("SENTENCE 2", sent[1]))
        return cli_figure_opts_free(&figs), 1;
    cli_model *m = calloc((size_t)n, sizeof *m);
    attn_similarity *r = calloc((size_t)n, sizeof *r);
    int rc = m && r ? 0 : cli_error("out of memory");
    for (int i = 0; i < n && !rc; i++) {
        if (!cli_model_load(argv[optind + i], quiet, &m[i])) rc = 1;
        else if (attn_similarity_compute(m[i].model, m[i].tok, word, (const char *const *)sent, occ, &r[i]) != ATTN_OK)
            rc = cli_error("%s: %s", m[i].label, attn_last_error());
        else warn_truncated(&m[i], &r[i], sent);
    }
    if (!rc && as_json) {
        json_t *out = n == 1 ? result_json(m[0].label, word, sent, occ, &r[0]) : json_array();
        for (int i = 0; n > 1 && i < n; i++) json_array_append_new(out, result_json(m[i].label, word, sent, occ, &r[i]));
        rc = cli_json_print(out);
    } else if (!rc) {
        print_table(m, r, n, word);
    }
    if (!rc) rc = words_figures_similarity(&figs, m, r, n, word, quiet || as_json);
    if (!rc && report) rc = write_report(report, &figs, m, r, n, word, sent, quiet || as_json);
    cli_figure_opts_free(&figs);
    for (int i = 0; m && r && i < n; i++) attn_similarity_free(&r[i]), cli_model_close(&m[i]);
    free(m), free(r);
    return rc;
}
