/* words_cli.c — labelled models and JSON helpers for similarity, focus and align. */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "words_cli.h"

/* "LABEL=MODEL" (where LABEL ends: cli_label_end); otherwise the label is the last path
 * component of MODEL (trailing slashes ignored). */
static char *split_label(const char *arg, const char **model) {
    const char *eq = cli_label_end(arg);
    if (eq) {
        *model = eq + 1;
        return strndup(arg, (size_t)(eq - arg));
    }
    *model = arg;
    size_t n = strlen(arg);
    while (n > 1 && arg[n - 1] == '/') n--;
    size_t b = n;
    while (b > 0 && arg[b - 1] != '/') b--;
    return strndup(arg + b, n - b);
}

int cli_model_load(const char *arg, int quiet, cli_model *out) {
    memset(out, 0, sizeof *out);
    const char *name;
    out->label = split_label(arg, &name);
    if (!out->label) return !cli_error("out of memory");
    if (!*name) return !cli_error("%s: no model after the label", arg);
    json_t *probe = json_string(out->label); /* labels go into JSON output */
    if (!probe) return !cli_error("%s: the label is not valid UTF-8", arg);
    json_decref(probe);
    char *dir = cli_model_dir(name, quiet);
    if (!dir) return 0;
    int ok = attn_model_open(dir, &out->model) == ATTN_OK && attn_tokenizer_open(dir, &out->tok) == ATTN_OK &&
             attn_tokenizer_check_model(out->tok, attn_model_config(out->model), dir) == ATTN_OK;
    free(dir);
    if (!ok) cli_lib_error();
    return ok;
}

void cli_model_close(cli_model *m) {
    attn_tokenizer_free(m->tok);
    attn_model_free(m->model);
    free(m->label);
    memset(m, 0, sizeof *m);
}

int cli_model_run(cli_model *m, const char *what, const char *text, unsigned outputs, attn_encoding *enc, attn_output *out,
                  attn_truncation_info *cut) {
    memset(out, 0, sizeof *out);
    char *name = NULL;
    if (asprintf(&name, "%s: %s", m->label, what) < 0) return !cli_error("out of memory");
    int ok = cli_encode_to_fit(name, m->tok, attn_model_config(m->model), text, strlen(text), NULL, 0, enc, cut);
    free(name);
    if (!ok) return 0;
    attn_input in = {enc->ids, enc->type_ids, enc->n};
    if (attn_model_check_input(m->model, &in) != ATTN_OK || attn_model_forward(m->model, &in, 1, outputs, out) != ATTN_OK) {
        attn_encoding_free(enc);
        return !cli_error("%s: %s", m->label, attn_last_error());
    }
    return 1;
}

json_t *cli_json_truncation(attn_truncation_info cut) {
    return cut.tokens ? json_pack("{s:i, s:i}", "tokens", cut.tokens, "kept", cut.kept) : json_null();
}

json_t *cli_json_floats(const float *v, int n) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(a, json_real(v[i]));
    return a;
}

json_t *cli_json_matrix(const float *m, int rows, int cols) {
    json_t *a = json_array();
    for (int r = 0; r < rows; r++) json_array_append_new(a, cli_json_floats(m + (size_t)r * (size_t)cols, cols));
    return a;
}

json_t *cli_json_ints(const int32_t *v, int n) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(a, json_integer(v[i]));
    return a;
}

json_t *cli_json_token_strings(const attn_encoding *e, const int32_t *idx, int n) {
    json_t *a = json_array();
    for (int i = 0; i < (idx ? n : e->n); i++) json_array_append_new(a, json_string(e->tokens[idx ? idx[i] : i]));
    return a;
}

int cli_json_print(json_t *j) {
    char *s = j ? json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    if (s) puts(s);
    free(s);
    json_decref(j);
    return s ? 0 : cli_error("cannot write the result as JSON (a label or text that is not UTF-8?)");
}

/* ---- focus rows ------------------------------------------------------------------------------ */
int cli_focus_check(const cli_focus_choice *c, const cli_model *m, const char *layer_opt, const char *head_opt) {
    const attn_config *cfg = attn_model_config(m->model);
    if (c->layer >= cfg->layers)
        return !cli_error("%s: %s %d: the model has layers 0..%d", m->label, layer_opt, c->layer, cfg->layers - 1);
    if (c->head >= cfg->heads)
        return !cli_error("%s: %s %d: the model has heads 0..%d", m->label, head_opt, c->head, cfg->heads - 1);
    return 1;
}

static void add_row(cli_focus_rows *r, const float *src, size_t T, int layer, int head) {
    memcpy(r->w + (size_t)r->n * T, src, T * sizeof *src);
    r->layer[r->n] = layer, r->head[r->n] = head;
    r->n++;
}

int cli_focus_compute(const attn_output *o, const int32_t *pieces, int32_t np, const cli_focus_choice *c, cli_focus_rows *r) {
    memset(r, 0, sizeof *r);
    size_t T = (size_t)o->len, L = (size_t)o->layers, H = (size_t)o->heads;
    float *all = calloc((L > H ? L : H) * T, sizeof *all); // [L or H][T]
    r->w = calloc(L * H * T, sizeof *r->w);
    r->layer = calloc(L * H, sizeof *r->layer), r->head = calloc(L * H, sizeof *r->head);
    if (!all || !r->w || !r->layer || !r->head) {
        free(all);
        return !cli_error("out of memory");
    }
    int per_head = !c->rollout && (c->layer >= 0 || c->head >= 0), ok = 1;
    r->mode = c->rollout ? "rollout" : per_head ? "per head" : "mean over heads";
    if (!per_head) { /* [L][T] at once */
        ok = attn_focus(o, pieces, np, c->rollout ? ATTN_FOCUS_ROLLOUT : ATTN_FOCUS_LAYERS, 0, all) == ATTN_OK;
        for (int l = 0; ok && l < (int)L; l++)
            if (c->layer < 0 || l == c->layer) add_row(r, all + (size_t)l * T, T, l, -1);
    }
    for (int l = 0; per_head && ok && l < (int)L; l++) {
        if (c->layer >= 0 && l != c->layer) continue;
        ok = attn_focus(o, pieces, np, ATTN_FOCUS_HEADS, l, all) == ATTN_OK;
        for (int h = 0; ok && h < (int)H; h++)
            if (c->head < 0 || h == c->head) add_row(r, all + (size_t)h * T, T, l, h);
    }
    free(all);
    return ok || !cli_lib_error();
}

void cli_focus_rows_free(cli_focus_rows *r) {
    free(r->w), free(r->layer), free(r->head);
    memset(r, 0, sizeof *r);
}
