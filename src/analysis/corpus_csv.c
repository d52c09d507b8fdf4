/* corpus_csv.c — CSV / TSV corpora with a header (RFC 4180 quoting; a quoted field may span lines),
 * and the record reader the AG News format uses too. */
#include <stdlib.h>
#include <string.h>

#include "corpus_internal.h"

static attn_strbuf *field_add(attn_corpus *c) {
    if ((size_t)c->n_fields == c->fields_cap) {
        size_t old = c->fields_cap;
        if (!attn_grow((void **)&c->fields, &c->fields_cap, old + 1, sizeof *c->fields)) return NULL;
        memset(c->fields + old, 0, (c->fields_cap - old) * sizeof *c->fields);
    }
    attn_strbuf *f = &c->fields[c->n_fields++];
    f->len = 0;
    attn_sb_puts(f, "");
    return f;
}

/* Splits c->line into fields, appending to the open field when continuing a quoted one.
 * Returns 1 when the record ends with this line, 0 when a quoted field goes on. */
static int split_line(attn_corpus *c, int *in_quotes, attn_strbuf **cur) {
    const char *p = c->line;
    if (*in_quotes) attn_sb_putc(*cur, '\n');
    for (;;) {
        if (*in_quotes) {
            const char *q = strchr(p, '"');
            if (!q) {
                attn_sb_puts(*cur, p);
                return 0;
            }
            attn_sb_append(*cur, p, (size_t)(q - p));
            if (q[1] == '"') attn_sb_putc(*cur, '"'), p = q + 2;
            else *in_quotes = 0, p = q + 1;
            continue;
        }
        if (*p == '\0') return 1;
        if (*p == c->sep) {
            *cur = field_add(c);
            p++;
        } else if (*p == '"' && (*cur)->len == 0) {
            *in_quotes = 1;
            p++;
        } else {
            attn_sb_putc(*cur, *p++); /* a stray quote inside an unquoted field is kept, as Python does */
        }
    }
}

int corpus_csv_record(attn_corpus *c, int64_t *start) {
    int r;
    while ((r = corpus_read_line(c)) == 1 && c->line[strspn(c->line, " \t")] == '\0') {}
    if (r <= 0) return r;
    *start = c->lineno;
    c->n_fields = 0;
    attn_strbuf *cur = field_add(c);
    int in_quotes = 0;
    while (cur && !split_line(c, &in_quotes, &cur)) {
        if ((r = corpus_read_line(c)) < 0) return -1;
        if (r == 0)
            return attn_fail(ATTN_E_FORMAT, "%s:%lld: quoted field not closed before the end of the file", c->path,
                             (long long)*start),
                   -1;
    }
    for (int i = 0; cur && i < c->n_fields; i++)
        if (c->fields[i].oom) cur = NULL;
    if (!cur) return attn_fail(ATTN_E_NOMEM, "out of memory"), -1;
    return 1;
}

static int find_column(attn_corpus *c, const char *name) {
    for (int i = 0; i < c->n_fields; i++)
        if (strcmp(c->fields[i].buf, name) == 0) return i;
    return -1;
}

static attn_status missing_column(attn_corpus *c, int64_t line, const char *name) {
    attn_strbuf cols = {0};
    for (int i = 0; i < c->n_fields; i++) {
        if (i) attn_sb_puts(&cols, ", ");
        attn_sb_puts(&cols, c->fields[i].buf);
    }
    attn_fail(ATTN_E_FORMAT, "%s:%lld: no column '%s' in the header (columns: %s)", c->path, (long long)line, name,
              cols.buf ? cols.buf : "");
    attn_sb_free(&cols);
    return ATTN_E_FORMAT;
}

attn_status corpus_csv_header(attn_corpus *c) {
    int64_t line = 0;
    int r = corpus_csv_record(c, &line);
    if (r < 0) return ATTN_E_FORMAT;
    if (r == 0) return attn_fail(ATTN_E_FORMAT, "%s: empty file", c->path);
    const char *text = c->o.text_column ? c->o.text_column : "text";
    if ((c->text_col = find_column(c, text)) < 0) return missing_column(c, line, text);
    c->label_col = -1;
    if (c->o.label_column) {
        if ((c->label_col = find_column(c, c->o.label_column)) < 0) return missing_column(c, line, c->o.label_column);
    } else if ((c->label_col = find_column(c, "label")) < 0) {
        c->label_col = find_column(c, "domain");
    }
    c->n_columns = c->n_fields;
    return ATTN_OK;
}

attn_status corpus_csv_next(attn_corpus *c, attn_sentence *s) {
    int64_t line = 0;
    int r = corpus_csv_record(c, &line);
    if (r <= 0) return r < 0 ? ATTN_E_FORMAT : ATTN_OK;
    if (c->n_fields != c->n_columns)
        return attn_fail(ATTN_E_FORMAT, "%s:%lld: %d fields, the header has %d", c->path, (long long)line, c->n_fields,
                         c->n_columns);
    const char *text = c->fields[c->text_col].buf;
    if (text[strspn(text, " \t\r\n")] == '\0')
        return attn_fail(ATTN_E_FORMAT, "%s:%lld: empty text", c->path, (long long)line);
    s->text = text;
    s->label = c->label_col >= 0 ? c->fields[c->label_col].buf : "all";
    s->line = line;
    return ATTN_OK;
}
