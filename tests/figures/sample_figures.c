/* sample_figures.c — the seed's two corpus charts from the sample corpus's per-sentence metrics
 * (tests/data/metrics/metrics_by_sentence.seed.csv): per-model averages and per-domain averages.
 * Used for the README images; as a test it checks the CSV gives every (domain, model) cell.
 *   sample_figures METRICS.csv OUTDIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnscope.h"

enum { MAX_NAMES = 8, N_METRICS = 4 };
/* CSV columns 4, 6, 7, 8 (CLS_Attention_Max, Self_Attention_Mean, Content_Function_Ratio, Attention_Entropy) */
static const int metric_col[N_METRICS] = {3, 5, 6, 7};
static const char *const metric_names[N_METRICS] = {"CLS Attention Max", "Self-Attention Mean", "Content/Function Ratio", "Entropy"};

typedef struct names {
    char v[MAX_NAMES][32];
    int n;
} names;

static int name_index(names *ns, const char *s) {
    for (int i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], s) == 0) return i;
    if (ns->n == MAX_NAMES) return -1;
    snprintf(ns->v[ns->n], sizeof ns->v[0], "%s", s);
    return ns->n++;
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

int main(int argc, char **argv) {
    if (argc != 3) return fprintf(stderr, "usage: sample_figures METRICS.csv OUTDIR\n"), 2;
    FILE *f = fopen(argv[1], "r");
    if (!f) return fprintf(stderr, "%s: cannot open\n", argv[1]), 1;
    static double sum[N_METRICS][MAX_NAMES][MAX_NAMES];
    static int count[MAX_NAMES][MAX_NAMES];
    names domains = {0}, models = {0};
    char line[1024];
    /* domains sorted as the seed does (sorted(set(...))): a first pass collects them */
    while (fgets(line, sizeof line, f)) {
        char *dom = strchr(line, ',');
        if (dom && strncmp(line, "Sentence_ID", 11) != 0) *strchr(dom + 1, ',') = '\0', name_index(&domains, dom + 1);
    }
    qsort(domains.v, (size_t)domains.n, sizeof domains.v[0], cmp_str);
    rewind(f);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Sentence_ID", 11) == 0) continue;
        char *field[9];
        int n = 0;
        for (char *p = strtok(line, ",\n"); p && n < 9; p = strtok(NULL, ",\n")) field[n++] = p;
        if (n != 8) return fprintf(stderr, "%s: a line with %d fields\n", argv[1], n), 1;
        int d = name_index(&domains, field[1]), m = name_index(&models, field[2]);
        if (d < 0 || m < 0) return fprintf(stderr, "%s: too many domains or models\n", argv[1]), 1;
        for (int k = 0; k < N_METRICS; k++) sum[k][d][m] += strtod(field[metric_col[k]], NULL);
        count[d][m]++;
    }
    fclose(f);
    if (domains.n != 4 || models.n != 3) return fprintf(stderr, "%d domains, %d models (want 4, 3)\n", domains.n, models.n), 1;
    double by_domain[N_METRICS][4][3], by_model[N_METRICS][3] = {{0}};
    for (int d = 0; d < 4; d++)
        for (int m = 0; m < 3; m++) {
            if (count[d][m] != 6) return fprintf(stderr, "%s/%s: %d sentences (want 6)\n", domains.v[d], models.v[m], count[d][m]), 1;
            for (int k = 0; k < N_METRICS; k++) {
                by_domain[k][d][m] = sum[k][d][m] / count[d][m];
                by_model[k][m] += by_domain[k][d][m] / 4; /* equal sentences per domain: the overall mean */
            }
        }
    const char *dn[4], *mn[3];
    for (int i = 0; i < 4; i++) dn[i] = domains.v[i];
    for (int i = 0; i < 3; i++) mn[i] = models.v[i];
    attn_fig_domain_bars db = {NULL, N_METRICS, metric_names, 4, dn, 3, mn, &by_domain[0][0][0]};
    attn_fig_metric_bars mb = {NULL, N_METRICS, metric_names, 3, mn, &by_model[0][0]};
    attn_figure *fig = NULL;
    const unsigned all = ATTN_FIG_SVG | ATTN_FIG_PNG | ATTN_FIG_PDF;
    attn_status st = attn_figure_domain_bars(&db, NULL, &fig);
    if (st == ATTN_OK) st = attn_figure_write_all(fig, all, argv[2], "sample_domain_bars");
    attn_figure_free(fig);
    fig = NULL;
    if (st == ATTN_OK) st = attn_figure_metric_bars(&mb, NULL, &fig);
    if (st == ATTN_OK) st = attn_figure_write_all(fig, all, argv[2], "sample_metric_bars");
    attn_figure_free(fig);
    if (st != ATTN_OK) return fprintf(stderr, "%s\n", attn_last_error()), 1;
    printf("sample_figures: wrote %s/sample_domain_bars.* and sample_metric_bars.*\n", argv[2]);
    return 0;
}
