/* report.c — the report object: models, sentences, tables and charts gathered as JSON. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

int report_set_str(json_t *o, const char *key, const char *s) {
    json_t *v = s ? json_string(s) : json_null(); /* json_string rejects invalid UTF-8 */
    return v && json_object_set_new(o, key, v) == 0;
}

attn_status attn_report_create(const char *title, attn_report **out) {
    *out = NULL;
    attn_report *r = attn_calloc(1, sizeof *r);
    if (!r) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    r->title = attn_strdup(title ? title : "attnscope report");
    r->scale = ATTN_REPORT_SCALE_U16;
    r->models = json_array(), r->sentences = json_array(), r->tables = json_array(), r->charts = json_array();
    if (!r->title || !r->models || !r->sentences || !r->tables || !r->charts) {
        attn_report_free(r);
        return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    }
    if (attn_utf8_invalid_at(r->title, strlen(r->title)) >= 0) {
        attn_report_free(r);
        return attn_fail(ATTN_E_INVALID, "report: the title is not valid UTF-8");
    }
    *out = r;
    return ATTN_OK;
}

void attn_report_free(attn_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nblobs; i++) free(r->blobs[i]);
    free(r->blobs);
    json_decref(r->models), json_decref(r->sentences), json_decref(r->tables), json_decref(r->charts);
    free(r->title);
    free(r);
}

attn_status attn_report_set_scale(attn_report *r, int scale) {
    if (scale != ATTN_REPORT_SCALE_U16 && scale != ATTN_REPORT_SCALE_MILLI)
        return attn_fail(ATTN_E_INVALID, "report: scale %d is neither 65535 nor 1000", scale);
    r->scale = scale;
    return ATTN_OK;
}

int attn_report_sentence_count(const attn_report *r) { return (int)json_array_size(r->sentences); }

attn_status attn_report_add_sentence(attn_report *r, const attn_report_sentence *s, int *index) {
    if (!s || !s->text) return attn_fail(ATTN_E_INVALID, "report: a sentence needs a text");
    json_t *o = json_object();
    int ok = o && report_set_str(o, "id", s->id) && report_set_str(o, "text", s->text) &&
             report_set_str(o, "pair", s->pair) && report_set_str(o, "domain", s->domain) &&
             json_object_set_new(o, "entries", json_array()) == 0;
    if (!ok) {
        json_decref(o);
        return attn_fail(ATTN_E_INVALID, "report: sentence %d: text, pair, id or domain is not valid UTF-8",
                         attn_report_sentence_count(r));
    }
    if (index) *index = attn_report_sentence_count(r);
    if (json_array_append_new(r->sentences, o)) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    return ATTN_OK;
}

attn_status attn_report_add_model(attn_report *r, const char *label, const char *info, int *index) {
    if (!label || !*label) return attn_fail(ATTN_E_INVALID, "report: a model needs a label");
    size_t i;
    json_t *m;
    json_array_foreach(r->models, i, m) {
        if (strcmp(json_string_value(json_object_get(m, "label")), label) == 0)
            return attn_fail(ATTN_E_INVALID, "report: two models are labelled '%s'", label);
    }
    json_t *o = json_object();
    if (!o || !report_set_str(o, "label", label) || !report_set_str(o, "info", info)) {
        json_decref(o);
        return attn_fail(ATTN_E_INVALID, "report: model label or info is not valid UTF-8");
    }
    if (index) *index = (int)json_array_size(r->models);
    if (json_array_append_new(r->models, o)) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    return ATTN_OK;
}

static int is_cell(const json_t *v) { return json_is_string(v) || json_is_number(v) || json_is_boolean(v) || json_is_null(v); }

/* An array of row objects → {"columns", "rows"}: columns in the order they first appear. */
static json_t *table_from_records(const json_t *records) {
    json_t *cols = json_array(), *rows = json_array(), *row, *v;
    size_t i, k;
    const char *key;
    json_array_foreach(records, i, row) {
        if (!json_is_object(row)) goto bad;
        json_object_foreach((json_t *)row, key, v) {
            int known = 0;
            json_t *c;
            json_array_foreach(cols, k, c) known |= strcmp(json_string_value(c), key) == 0;
            if (!known) json_array_append_new(cols, json_string(key));
        }
    }
    json_array_foreach(records, i, row) {
        json_t *cells = json_array(), *c;
        json_array_foreach(cols, k, c) {
            json_t *cell = json_object_get(row, json_string_value(c));
            json_array_append(cells, cell ? cell : json_null());
        }
        json_array_append_new(rows, cells);
    }
    return json_pack("{s:o, s:o}", "columns", cols, "rows", rows);
bad:
    json_decref(cols), json_decref(rows);
    return NULL;
}

static int table_is_valid(const json_t *t) {
    json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows"), *row, *v;
    size_t i, k;
    if (!json_is_array(cols) || !json_is_array(rows)) return 0;
    json_array_foreach(cols, i, v) if (!json_is_string(v)) return 0;
    json_array_foreach(rows, i, row) {
        if (!json_is_array(row) || json_array_size(row) != json_array_size(cols)) return 0;
        json_array_foreach(row, k, v) if (!is_cell(v)) return 0;
    }
    return 1;
}

attn_status attn_report_add_table(attn_report *r, const char *title, const char *json, const char *link_column) {
    json_error_t err;
    json_t *in = json_loads(json ? json : "", 0, &err);
    if (!in) return attn_fail(ATTN_E_FORMAT, "report: table '%s': bad JSON (%s)", title ? title : "", err.text);
    json_t *t = json_is_array(in) ? table_from_records(in)
                                  : json_pack("{s:O?, s:O?}", "columns", json_object_get(in, "columns"), "rows",
                                              json_object_get(in, "rows"));
    json_decref(in);
    if (!t || !table_is_valid(t)) {
        json_decref(t);
        return attn_fail(ATTN_E_FORMAT, "report: table '%s': want an array of row objects or {\"columns\", \"rows\"} "
                         "with one scalar cell per column", title ? title : "");
    }
    if (!report_set_str(t, "title", title) || !report_set_str(t, "link", link_column)) {
        json_decref(t);
        return attn_fail(ATTN_E_INVALID, "report: table title or link column is not valid UTF-8");
    }
    if (json_array_append_new(r->tables, t)) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    return ATTN_OK;
}

attn_status attn_report_add_svg(attn_report *r, const char *title, const char *svg) {
    if (!svg || !strstr(svg, "<svg")) return attn_fail(ATTN_E_INVALID, "report: chart '%s' is not SVG", title ? title : "");
    json_t *o = json_object();
    if (!o || !report_set_str(o, "title", title) || !report_set_str(o, "svg", svg)) {
        json_decref(o);
        return attn_fail(ATTN_E_INVALID, "report: chart '%s': not valid UTF-8", title ? title : "");
    }
    if (json_array_append_new(r->charts, o)) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    return ATTN_OK;
}

attn_status attn_report_check_output(const char *path) {
    if (!path || !*path) return attn_fail(ATTN_E_INVALID, "output path is empty");
    if (attn_dir_exists(path)) return attn_fail(ATTN_E_IO, "%s: is a folder", path);
    const char *slash = strrchr(path, '/');
    char *dir = slash ? attn_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : attn_strdup(".");
    if (!dir) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_status s = attn_dir_exists(dir) ? ATTN_OK : attn_fail(ATTN_E_IO, "%s: folder %s does not exist", path, dir);
    free(dir);
    attn_atomic_file probe; /* can a file be created there? (the temp name is removed at once) */
    if (!s && (s = attn_atomic_open(&probe, path)) == ATTN_OK) attn_atomic_abort(&probe);
    return s;
}
