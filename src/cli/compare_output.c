/* compare_output.c — what `attnscope compare` prints: progress on stderr, the notebook's tables or
 * a JSON summary on stdout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "compare.h"

double compare_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void draw(compare_progress *p, double t) {
    double el = t - p->start, rate = el > 0 ? (double)p->done / el : 0;
    long eta = rate > 0 ? (long)((double)(p->total - p->done) / rate) : 0;
    double sentences = (double)p->done / p->models, per_s = rate / p->models;
    long long of = (long long)(p->total / p->models);
    int pct = p->total ? (int)(100 * p->done / p->total) : 100;
    if (p->tty) {
        char bar[31];
        int filled = pct * 30 / 100;
        for (int i = 0; i < 30; i++) bar[i] = i < filled ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r\033[K%3d%% [%s] %.0f/%lld sentences, %.1f sentences/s, ETA %ld:%02ld", pct, bar,
                sentences, of, per_s, eta / 60, eta % 60);
        p->line_open = 1;
    } else {
        fprintf(stderr, "compare: %.0f/%lld sentences (%d%%), %.1f sentences/s, ETA %ld:%02ld\n", sentences, of, pct,
                per_s, eta / 60, eta % 60);
    }
}

void compare_progress_update(compare_progress *p, int64_t runs_done) {
    p->done = runs_done;
    if (p->quiet) return;
    double t = compare_now();
    if (p->tty && (t - p->last_draw >= 0.1 || p->done == p->total)) {
        draw(p, t);
        p->last_draw = t;
    } else if (!p->tty && p->total && p->done * 10 >= (int64_t)p->next_report * p->total) {
        draw(p, t);
        while (p->done * 10 >= (int64_t)p->next_report * p->total) p->next_report++;
    }
}

void compare_progress_end(compare_progress *p) {
    if (p->line_open) fputc('\n', stderr);
    p->line_open = 0;
}

/* Column widths: the longest model label and domain name. */
static int label_width(const attn_study_sums *s) {
    int w = 5;
    for (int m = 0; m < s->n_models; m++) w = (int)strlen(s->models[m].label) > w ? (int)strlen(s->models[m].label) : w;
    return w;
}

static int domain_width(const attn_study_sums *s) {
    int w = 6;
    for (int d = 0; d < s->n_domains; d++) w = (int)strlen(s->domains[d]) > w ? (int)strlen(s->domains[d]) : w;
    return w;
}

static void print_architecture(const attn_study_sums *s, const compare_model *models) {
    int w = label_width(s);
    printf("Architecture\n%-*s %6s %11s %15s %10s %15s %16s\n", w, "Model", "Layers", "Hidden Size", "Attention Heads",
           "Vocab Size", "Total Params", "Trainable Params");
    for (int m = 0; m < s->n_models; m++) {
        const attn_config *c = attn_model_config(models[m].model);
        char p[32];
        cli_thousands(c->parameters, p, sizeof p);
        printf("%-*s %6d %11d %15d %10d %15s %16s\n", w, models[m].label, c->layers, c->hidden, c->heads, c->vocab, p, p);
    }
}

static void print_metric_header(const attn_study_sums *s, const char *first, const char *second) {
    printf("%-*s %-*s", domain_width(s), first, label_width(s), second);
    if (s->layer_option == ATTN_LAYER_ALL) printf(" %5s", "Layer");
    for (int k = 0; k < attn_metric_count(s->mode); k++) printf(" %*s", (int)strlen(attn_metric_name(k)), attn_metric_name(k));
    putchar('\n');
}

/* The rows of one (domain, model): one per metric layer; domain -1 = all sentences. */
static void print_metric_rows(const attn_study_sums *s, int domain, int m) {
    int first, last;
    attn_sums_metric_layers(s, m, &first, &last);
    for (int l = first; l <= last; l++) {
        printf("%-*s %-*s", domain_width(s), domain < 0 ? "all" : s->domains[domain], label_width(s), s->models[m].label);
        if (s->layer_option == ATTN_LAYER_ALL) printf(" %5d", l);
        for (int k = 0; k < attn_metric_count(s->mode); k++) {
            double v = attn_sums_metric_mean(s, domain, m, l, k);
            int w = (int)strlen(attn_metric_name(k));
            if (isnan(v)) printf(" %*s", w, "-");
            else printf(" %*.3f", w, v);
        }
        putchar('\n');
    }
}

void compare_print_tables(const attn_study_sums *s, const compare_model *models) {
    print_architecture(s, models);
    printf("\nOverall averages (%lld sentences, %s metrics)\n", (long long)s->sentences,
           s->mode == ATTN_METRICS_SEED ? "seed" : "corrected");
    print_metric_header(s, "Domain", "Model");
    for (int m = 0; m < s->n_models; m++) print_metric_rows(s, -1, m);
    printf("\nAverage metrics by domain and model\n");
    print_metric_header(s, "Domain", "Model");
    int *order = malloc(((size_t)s->n_domains + 1) * sizeof *order);
    if (!order) return;
    attn_sums_sorted_domains(s, order);
    for (int i = 0; i < s->n_domains; i++)
        for (int m = 0; m < s->n_models; m++) print_metric_rows(s, order[i], m);
    free(order);
}

static json_t *json_mean(double v) { return isnan(v) ? json_null() : json_real(v); }

static json_t *metric_object(const attn_study_sums *s, int domain, int m, int l) {
    json_t *o = json_object();
    for (int k = 0; k < attn_metric_count(s->mode); k++)
        json_object_set_new(o, attn_metric_name(k), json_mean(attn_sums_metric_mean(s, domain, m, l, k)));
    return o;
}

/* [{"Domain", "Model", ("Layer"), metrics...}] for one domain (-1 = all). */
static void append_rows(json_t *arr, const attn_study_sums *s, int domain) {
    for (int m = 0; m < s->n_models; m++) {
        int first, last;
        attn_sums_metric_layers(s, m, &first, &last);
        for (int l = first; l <= last; l++) {
            json_t *o = json_object();
            if (domain >= 0) json_object_set_new(o, "Domain", json_string(s->domains[domain]));
            json_object_set_new(o, "Model", json_string(s->models[m].label));
            if (s->layer_option == ATTN_LAYER_ALL) json_object_set_new(o, "Layer", json_integer(l));
            json_t *metrics = metric_object(s, domain, m, l);
            json_object_update(o, metrics);
            json_decref(metrics);
            json_array_append_new(arr, o);
        }
    }
}

void compare_print_json(const attn_study_sums *s, const compare_model *models, const char *out, double seconds) {
    json_t *root = json_object(), *ms = json_array(), *overall = json_array(), *by_domain = json_array();
    for (int m = 0; m < s->n_models; m++) {
        const attn_config *c = attn_model_config(models[m].model);
        json_array_append_new(ms, json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:I}", "label", models[m].label, "model_type",
                                            c->model_type, "layers", c->layers, "hidden", c->hidden, "heads", c->heads,
                                            "vocab", c->vocab, "parameters", (json_int_t)c->parameters));
    }
    append_rows(overall, s, -1);
    int *order = malloc(((size_t)s->n_domains + 1) * sizeof *order);
    if (order) attn_sums_sorted_domains(s, order);
    for (int i = 0; order && i < s->n_domains; i++) append_rows(by_domain, s, order[i]);
    free(order);
    json_object_set_new(root, "out", json_string(out));
    json_object_set_new(root, "metrics", json_string(s->mode == ATTN_METRICS_SEED ? "seed" : "corrected"));
    json_object_set_new(root, "sentences", json_integer(s->sentences));
    json_object_set_new(root, "models", ms);
    json_object_set_new(root, "overall", overall);
    json_object_set_new(root, "by_domain", by_domain);
    json_object_set_new(root, "wall_seconds", json_real(seconds));
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    if (text) puts(text);
    free(text);
    json_decref(root);
}
