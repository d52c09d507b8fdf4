/* cmd_view.c — `attnscope view [LABEL=]MODEL... "SENTENCE" [--pair TEXT] [-o FILE.html]` and
 * `attnscope view --attentions [LABEL=]FILE.safetensors --tokens FILE.json ... -o FILE.html`. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_figures.h"

static void help(void) {
    puts("usage: attnscope view [LABEL=]MODEL... \"SENTENCE\" [--pair \"SECOND\"] [-o FILE.html]\n"
         "       attnscope view --attentions [LABEL=]FILE.safetensors --tokens FILE.json\n"
         "                      [--attentions ... --tokens ...] [-o FILE.html]\n\n"
         "Writes one self-contained HTML file (no network) with the model view, head view, neuron view\n"
         "(when queries/keys are present) and the models side by side.\n\n"
         "  --pair TEXT          the second text of a pair\n"
         "  --attentions FILE    attentions.i [layers, heads, T, T] as `run --dump` writes them;\n"
         "                       optional queries.i / keys.i [layers, heads, T, d] for the neuron view\n"
         "  --tokens FILE.json   the tokens of each sentence i (format: docs/report.md); one per --attentions\n"
         "  --title TEXT         the page title\n"
         "  --compact            store attention as round(p*1000) (exactly the 3 decimals shown; about\n"
         "                       half the size of the default 16-bit round(p*65535)) for large reports\n"
         "  -o FILE.html         output (default attnscope-view.html)\n\n"
         "A sentence longer than a model's positions is truncated (like truncation=True) with a warning\n"
         "naming it, and the page notes it on that model's panel (\"truncated\": {\"tokens\": N, \"kept\": K}\n"
         "in the entry's data).");
    run_figures_help();
    puts("                         for view: the views of each MODEL on the sentence, named LABEL_... with\n"
         "                         several models; default folder: figures/ beside -o");
}

/* The attention views of the sentence through one model as figure files. 0 or 1 (printed). */
static int draw_figures(run_figures *rf, const char *label, const char *dir, attn_model *m, attn_tokenizer *tok,
                        const char *text, const char *pair, int several, int quiet) {
    if (!rf->fig.formats) return 0;
    int rc = run_figures_check(rf, attn_model_config(m));
    if (rc) return rc;
    attn_encoding e;
    attn_output out = {0};
    /* cut as the report's entry was (attn_report_add_forward warned already) */
    if (attn_encode_to_fit(tok, attn_model_config(m), text, strlen(text), pair, pair ? strlen(pair) : 0, &e, NULL) != ATTN_OK)
        return cli_error("%s: %s", label, attn_last_error());
    attn_input in = {e.ids, e.type_ids, e.n};
    if (attn_model_check_input(m, &in) != ATTN_OK || attn_model_forward(m, &in, 1, ATTN_OUT_ATTENTIONS, &out) != ATTN_OK)
        rc = cli_error("%s: %s", label, attn_last_error());
    char *prefix = NULL;
    if (!rc && several && asprintf(&prefix, "%s_", label) < 0) rc = cli_error("out of memory");
    rf->stem_prefix = prefix;
    if (!rc) rc = run_figures_draw(rf, dir, label, e.ids, &out, quiet);
    rf->stem_prefix = NULL;
    free(prefix);
    attn_output_free(&out);
    attn_encoding_free(&e);
    return rc;
}

/* "LABEL=VALUE" → label (malloc'ed) and value; a plain VALUE gets its last path part as label. */
static char *split_label(const char *arg, const char **value) {
    const char *eq = cli_label_end(arg);
    if (eq) {
        *value = eq + 1;
        return strndup(arg, (size_t)(eq - arg));
    }
    *value = arg;
    size_t n = strlen(arg);
    while (n > 1 && arg[n - 1] == '/') n--;
    const char *base = arg + n;
    while (base > arg && base[-1] != '/') base--;
    return strndup(base, (size_t)(arg + n - base));
}

/* The warning of a sentence the model's positions cut (the report shows a note on its panel). */
static void warn_truncated(const attn_report *r, int index, const char *label, const attn_model *m, const char *text,
                           const char *pair) {
    attn_truncation_info cut = attn_report_entry_truncation(r, 0, index);
    char name[512];
    snprintf(name, sizeof name, "%s: SENTENCE%s", label, pair ? " and --pair" : "");
    cli_truncation_warning(name, text, strlen(text), attn_config_max_tokens(attn_model_config(m)), cut);
}

/* Each MODEL through the sentence. 0 after printing the error. */
static int add_models(attn_report *r, char **models, int n, int quiet, run_figures *rf, const char *text,
                      const char *pair) {
    for (int i = 0; i < n; i++) {
        const char *spec;
        char *label = split_label(models[i], &spec);
        char *dir = label ? cli_model_dir(spec, quiet) : NULL;
        attn_model *m = NULL;
        attn_tokenizer *tok = NULL;
        int index = -1, ok = dir && attn_model_open(dir, &m) == ATTN_OK && attn_tokenizer_open(dir, &tok) == ATTN_OK &&
                             attn_tokenizer_check_model(tok, attn_model_config(m), dir) == ATTN_OK &&
                             attn_report_add_model(r, label, spec, &index) == ATTN_OK &&
                             attn_report_add_forward(r, 0, index, m, tok) == ATTN_OK;
        if (!ok && dir) cli_error("%s: %s", spec, attn_last_error());
        if (ok) warn_truncated(r, index, label, m, text, pair);
        if (ok) ok = !draw_figures(rf, label, dir, m, tok, text, pair, n > 1, quiet);
        if (!label) cli_error("out of memory");
        attn_tokenizer_free(tok);
        attn_model_free(m);
        free(dir);
        free(label);
        if (!ok) return 0;
    }
    return 1;
}

static int add_dumps(attn_report *r, char **att, char **tok, int n) {
    for (int i = 0; i < n; i++) {
        const char *path;
        char *label = split_label(att[i], &path);
        int ok = label && attn_report_add_dump(r, label, path, tok[i]) == ATTN_OK;
        if (!ok) label ? cli_lib_error() : cli_error("out of memory");
        free(label);
        if (!ok) return 0;
    }
    return 1;
}

static int view_main(int argc, char **argv, run_figures *rf) {
    const char *pair = NULL, *out = "attnscope-view.html", *title = NULL;
    char *att[64], *tok[64];
    int natt = 0, ntok = 0, quiet = 0, compact = 0, c;
    static const struct option opts[] = {{"pair", required_argument, 0, 'p'},   {"output", required_argument, 0, 'o'},
                                         {"attentions", required_argument, 0, 'a'}, {"tokens", required_argument, 0, 't'},
                                         {"title", required_argument, 0, 'T'},  {"compact", no_argument, 0, 'c'},  {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},         RUN_FIGURE_LONG_OPTIONS, {0, 0, 0, 0}};
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        int fig = run_figures_opt(rf, c, optarg);
        if (fig < 0) return 2;
        if (fig) continue;
        switch (c) {
        case 'p': pair = optarg; break;
        case 'o': out = optarg; break;
        case 'T': title = optarg; break;
        case 'q': quiet = 1; break;
        case 'c': compact = 1; break;
        case 'a':
            if (natt == 64) return cli_usage_error("view", "at most 64 --attentions");
            att[natt++] = optarg;
            break;
        case 't':
            if (ntok == 64) return cli_usage_error("view", "at most 64 --tokens");
            tok[ntok++] = optarg;
            break;
        case 'h': help(); return 0;
        default: return cli_usage_error("view", "unknown option");
        }
    }
    int npos = argc - optind;
    if (natt != ntok) return cli_usage_error("view", "give one --tokens per --attentions");
    if (natt && (npos || pair)) return cli_usage_error("view", "--attentions takes no MODEL, SENTENCE or --pair");
    if (!natt && npos < 2) return cli_usage_error("view", "expects one or more MODEL and then the SENTENCE");
    if (natt && rf->fig.formats) return cli_usage_error("view", "--figures needs MODEL (not --attentions)");
    if (!natt && (!cli_utf8_arg("SENTENCE", argv[argc - 1]) || !cli_utf8_arg("--pair", pair))) return 1;
    if (title && !cli_utf8_arg("--title", title)) return 1;
    int fig_rc = run_figures_ready(rf, out);
    if (fig_rc) return fig_rc;
    if (attn_report_check_output(out) != ATTN_OK) return cli_lib_error();

    attn_report *r = NULL;
    if (attn_report_create(title ? title : natt ? "attnscope view" : argv[argc - 1], &r) != ATTN_OK) return cli_lib_error();
    int ok = !compact || attn_report_set_scale(r, ATTN_REPORT_SCALE_MILLI) == ATTN_OK;
    if (!ok) cli_lib_error();
    else if (natt) {
        ok = add_dumps(r, att, tok, natt);
    } else {
        attn_report_sentence s = {.text = argv[argc - 1], .pair = pair};
        ok = attn_report_add_sentence(r, &s, NULL) == ATTN_OK ? add_models(r, argv + optind, npos - 1, quiet, rf, s.text, pair) : !cli_lib_error();
    }
    if (ok && attn_report_write(r, out) != ATTN_OK) ok = !cli_lib_error();
    if (ok && !quiet) printf("wrote %s (%d sentence%s)\n", out, attn_report_sentence_count(r), attn_report_sentence_count(r) == 1 ? "" : "s");
    attn_report_free(r);
    return ok ? 0 : 1;
}

int cmd_view(int argc, char **argv) {
    run_figures rf;
    run_figures_init(&rf);
    rf.cmd = "view";
    int rc = view_main(argc, argv, &rf);
    run_figures_free(&rf);
    return rc;
}
