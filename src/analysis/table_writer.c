/* table_writer.c — one table as NAME.csv (RFC 4180) and NAME.json (an array of row objects) side by
 * side, streamed row by row through the atomic writer: both appear only on commit. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common.h"

struct attn_table_writer {
    attn_atomic_file csv, json;
    char **columns;
    int n, rows;
};

void attn_table_abort(attn_table_writer *w) {
    if (!w) return;
    attn_atomic_abort(&w->csv);
    attn_atomic_abort(&w->json);
    for (int i = 0; w->columns && i < w->n; i++) free(w->columns[i]);
    free(w->columns);
    free(w);
}

static attn_status open_files(attn_table_writer *w, const char *dir, const char *name) {
    char *csv = attn_asprintf("%s/%s.csv", dir, name), *json = attn_asprintf("%s/%s.json", dir, name);
    attn_status st = csv && json ? attn_atomic_open(&w->csv, csv) : attn_fail(ATTN_E_NOMEM, "out of memory");
    if (st == ATTN_OK) st = attn_atomic_open(&w->json, json);
    free(csv);
    free(json);
    return st;
}

attn_status attn_table_open(const char *dir, const char *name, const char *const *columns, int n,
                            attn_table_writer **out) {
    *out = NULL;
    attn_table_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->columns = attn_calloc((size_t)n, sizeof *w->columns))) {
        free(w);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    w->n = n;
    attn_strbuf sb = {0};
    for (int i = 0; i < n; i++) {
        if (!(w->columns[i] = attn_strdup(columns[i]))) sb.oom = 1;
        if (i) attn_sb_putc(&sb, ',');
        attn_sb_csv_field(&sb, columns[i]);
    }
    attn_sb_putc(&sb, '\n');
    attn_status st = sb.oom ? attn_fail(ATTN_E_NOMEM, "out of memory") : open_files(w, dir, name);
    if (st == ATTN_OK && (fputs(sb.buf, w->csv.f) < 0 || fputs("[", w->json.f) < 0))
        st = attn_fail(ATTN_E_IO, "%s: write failed", w->csv.path);
    attn_sb_free(&sb);
    if (st != ATTN_OK) {
        attn_table_abort(w);
        return st;
    }
    *out = w;
    return ATTN_OK;
}

/* A numeric cell as a JSON number: an integer when it reads as one, else a real. */
static json_t *json_number(const char *s) {
    char *end;
    long long i = strtoll(s, &end, 10);
    if (*end == '\0') return json_integer(i);
    return json_real(strtod(s, NULL));
}

static char *row_json(const attn_table_writer *w, const char *const *cells, const int *numeric) {
    json_t *o = json_object();
    for (int i = 0; o && i < w->n; i++) {
        json_t *v = !cells[i] ? json_null() : numeric && numeric[i] ? json_number(cells[i]) : json_string(cells[i]);
        json_object_set_new(o, w->columns[i], v ? v : json_null());
    }
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(o);
    return s;
}

attn_status attn_table_row(attn_table_writer *w, const char *const *cells, const int *numeric) {
    attn_strbuf sb = {0};
    for (int i = 0; i < w->n; i++) {
        if (i) attn_sb_putc(&sb, ',');
        attn_sb_csv_field(&sb, cells[i] ? cells[i] : "");
    }
    attn_sb_putc(&sb, '\n');
    char *js = row_json(w, cells, numeric);
    attn_status st = ATTN_OK;
    if (sb.oom || !js) st = attn_fail(ATTN_E_NOMEM, "out of memory");
    else if (fputs(sb.buf, w->csv.f) < 0 || fprintf(w->json.f, "%s\n  %s", w->rows ? "," : "", js) < 0)
        st = attn_fail(ATTN_E_IO, "%s: write failed", w->csv.path);
    w->rows++;
    attn_sb_free(&sb);
    free(js);
    return st;
}

attn_status attn_table_commit(attn_table_writer *w) {
    attn_status st = fputs(w->rows ? "\n]\n" : "]\n", w->json.f) < 0 ? attn_fail(ATTN_E_IO, "%s: write failed", w->json.path)
                                                                      : ATTN_OK;
    if (st == ATTN_OK) st = attn_atomic_commit(&w->csv);
    if (st == ATTN_OK) st = attn_atomic_commit(&w->json);
    attn_table_abort(w);
    return st;
}
