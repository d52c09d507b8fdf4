/* corpus.c — opening a corpus, format detection, plain text, and the line reader the formats share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "corpus_internal.h"

void attn_corpus_options_init(attn_corpus_options *o) {
    memset(o, 0, sizeof *o);
    o->min_words = 10;
    o->max_words = 20;
    o->min_chars = 20;
    o->per_label = 25;
    o->seed = 42;
}

int attn_corpus_format_parse(const char *name) {
    static const char *const names[] = {"auto", "text", "csv", "tsv", "jsonl", "agnews"};
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcmp(name, names[i]) == 0) return i;
    return -1;
}

static attn_corpus_format format_from_extension(const char *path) {
    const char *dot = strrchr(path, '.');
    if (dot && strchr(dot, '/') == NULL) {
        if (strcasecmp(dot, ".txt") == 0) return ATTN_CORPUS_TEXT;
        if (strcasecmp(dot, ".csv") == 0) return ATTN_CORPUS_CSV;
        if (strcasecmp(dot, ".tsv") == 0) return ATTN_CORPUS_TSV;
        if (strcasecmp(dot, ".jsonl") == 0) return ATTN_CORPUS_JSONL;
    }
    return ATTN_CORPUS_AUTO;
}

int corpus_read_line(attn_corpus *c) {
    ssize_t n = getline(&c->line, &c->line_cap, c->f);
    if (n < 0) {
        if (ferror(c->f)) return attn_fail(ATTN_E_IO, "%s: read error: %s", c->path, strerror(errno ? errno : EIO)), -1;
        return 0;
    }
    c->lineno++;
    size_t len = (size_t)n;
    if (c->lineno == 1 && len >= 3 && memcmp(c->line, "\xEF\xBB\xBF", 3) == 0) { /* byte-order mark */
        memmove(c->line, c->line + 3, len - 2);
        len -= 3;
    }
    if (memchr(c->line, '\0', len))
        return attn_fail(ATTN_E_FORMAT, "%s:%lld: NUL byte in the text", c->path, (long long)c->lineno), -1;
    ptrdiff_t bad = attn_utf8_invalid_at(c->line, len);
    if (bad >= 0)
        return attn_fail(ATTN_E_FORMAT, "%s:%lld: invalid UTF-8 at byte %td of the line", c->path,
                         (long long)c->lineno, bad + 1),
               -1;
    while (len > 0 && (c->line[len - 1] == '\n' || c->line[len - 1] == '\r')) c->line[--len] = '\0';
    c->line_len = len;
    return 1;
}

static int blank(const char *s) { return s[strspn(s, " \t\r\n\f\v")] == '\0'; }

static attn_status text_next(attn_corpus *c, attn_sentence *s) {
    int r;
    while ((r = corpus_read_line(c)) == 1)
        if (!blank(c->line)) break;
    if (r < 0) return ATTN_E_FORMAT;
    if (r == 0) return ATTN_OK;
    s->text = c->line;
    s->label = "all";
    s->line = c->lineno;
    return ATTN_OK;
}

attn_status attn_corpus_open(const char *path, const attn_corpus_options *o, attn_corpus **out) {
    *out = NULL;
    attn_corpus *c = calloc(1, sizeof *c);
    if (!c || !(c->path = attn_strdup(path))) {
        free(c);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    if (o) c->o = *o;
    else attn_corpus_options_init(&c->o);
    c->format = c->o.format ? c->o.format : format_from_extension(path);
    if (c->format == ATTN_CORPUS_AUTO) {
        attn_corpus_free(c);
        return attn_fail(ATTN_E_INVALID, "%s: unknown corpus format (extension .txt, .csv, .tsv or .jsonl, or give a format)", path);
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) { /* a FIFO would block, and a corpus is read twice */
        attn_corpus_free(c);
        return attn_fail(ATTN_E_INVALID, "%s: %s", path, S_ISDIR(sb.st_mode) ? "is a folder, not a corpus file" : "not a regular file");
    }
    if (!(c->f = fopen(path, "rb"))) {
        int err = errno;
        attn_corpus_free(c);
        return attn_fail(ATTN_E_IO, "%s: cannot open: %s", path, strerror(err));
    }
    c->sep = c->format == ATTN_CORPUS_TSV ? '\t' : ',';
    attn_status st = c->format == ATTN_CORPUS_CSV || c->format == ATTN_CORPUS_TSV ? corpus_csv_header(c) : ATTN_OK;
    if (st != ATTN_OK) {
        attn_corpus_free(c);
        return st;
    }
    *out = c;
    return ATTN_OK;
}

attn_status attn_corpus_next(attn_corpus *c, attn_sentence *s) {
    memset(s, 0, sizeof *s);
    attn_status st;
    switch (c->format) {
    case ATTN_CORPUS_TEXT: st = text_next(c, s); break;
    case ATTN_CORPUS_JSONL: st = corpus_jsonl_next(c, s); break;
    case ATTN_CORPUS_AGNEWS: st = corpus_agnews_next(c, s); break;
    default: st = corpus_csv_next(c, s); break;
    }
    if (st != ATTN_OK) {
        s->text = NULL;
        return st;
    }
    if (s->text) {
        c->emitted++;
        return ATTN_OK;
    }
    if (c->emitted == 0)
        return attn_fail(ATTN_E_FORMAT, "%s: %s", c->path, c->lineno == 0 ? "empty file" : "no sentences in the corpus");
    return ATTN_OK;
}

void attn_corpus_free(attn_corpus *c) {
    if (!c) return;
    if (c->f) fclose(c->f);
    for (size_t i = 0; i < c->fields_cap; i++) attn_sb_free(&c->fields[i]);
    free(c->fields);
    corpus_agnews_free(c);
    attn_sb_free(&c->text);
    attn_sb_free(&c->label);
    free(c->line);
    free(c->path);
    free(c);
}

attn_status attn_corpus_count(const char *path, const attn_corpus_options *o, int64_t *n) {
    *n = 0;
    attn_corpus *c;
    attn_status st = attn_corpus_open(path, o, &c);
    attn_sentence s;
    while (st == ATTN_OK && (st = attn_corpus_next(c, &s)) == ATTN_OK && s.text) (*n)++;
    attn_corpus_free(c);
    return st;
}
