/* compare_report.c — `attnscope compare ... --out DIR`: DIR/report.html, the study as one offline
 * page (tables, charts, and the first --report-max-sentences sentences with their attention). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

int compare_report_open(compare_report *cr, const char *out, const char *corpus, const compare_model *models, int n,
                        int64_t max_sentences) {
    memset(cr, 0, sizeof *cr);
    const char **labels = calloc((size_t)n, sizeof *labels), **infos = calloc((size_t)n, sizeof *infos);
    const attn_tokenizer **toks = calloc((size_t)n, sizeof *toks);
    const char *base = strrchr(corpus, '/') ? strrchr(corpus, '/') + 1 : corpus;
    char *title = NULL;
    int rc = labels && infos && toks && asprintf(&cr->path, "%s/report.html", out) >= 0 &&
                     asprintf(&title, "attnscope compare: %s", base) >= 0
                 ? 0
                 : cli_error("out of memory");
    for (int i = 0; !rc && i < n; i++) labels[i] = models[i].label, infos[i] = models[i].dir, toks[i] = models[i].tok;
    if (!rc && (attn_report_check_output(cr->path) != ATTN_OK || attn_report_create(title, &cr->report) != ATTN_OK ||
                attn_study_report_create(cr->report, labels, infos, toks, n, max_sentences, &cr->study) != ATTN_OK))
        rc = cli_lib_error();
    free(labels), free(infos), free(toks), free(title);
    return rc;
}

int compare_report_finish(compare_report *cr, const attn_study_sums *s, const attn_config *const *configs,
                          const attn_figure_style *style) {
    if (cr->study && attn_study_report_finish(cr->study, s, configs, style) != ATTN_OK) return cli_lib_error();
    return 0;
}

int compare_report_write(compare_report *cr) {
    if (cr->study && attn_report_write(cr->report, cr->path) != ATTN_OK) return cli_lib_error();
    return 0;
}

void compare_outputs_print(const compare_report *cr, const cli_figure_opts *o, int figures) {
    if (o->formats) printf("wrote %d figures to %s/\n", figures, o->dir);
    if (cr->study) printf("wrote %s (%d sentences with attention)\n", cr->path, attn_report_sentence_count(cr->report));
}

void compare_report_free(compare_report *cr) {
    attn_study_report_free(cr->study);
    attn_report_free(cr->report);
    free(cr->path);
    memset(cr, 0, sizeof *cr);
}
