/* corpus_internal.h — the corpus reader's state, shared by its format files (corpus*.c). */
#ifndef ATTN_CORPUS_INTERNAL_H
#define ATTN_CORPUS_INTERNAL_H

#include <stdio.h>

#include "attnscope.h"
#include "common.h"

typedef struct corpus_pick { /* one AG News sentence kept by the reservoir */
    char *text;
    int64_t line;
    int label;
} corpus_pick;

struct attn_corpus {
    char *path;
    FILE *f;
    attn_corpus_format format;
    attn_corpus_options o;
    char *line;       /* getline buffer */
    size_t line_cap;
    size_t line_len;
    int64_t lineno;   /* lines read so far */
    int64_t emitted;  /* sentences returned */
    attn_strbuf text, label; /* the current sentence */
    /* CSV / TSV / AG News: the current record's fields */
    char sep;
    attn_strbuf *fields;
    int n_fields;
    size_t fields_cap;
    int n_columns, text_col, label_col; /* label_col -1 = none */
    /* AG News: the sample, sorted by label then line; next_pick the next to return */
    corpus_pick *picks;
    int n_picks, next_pick, loaded;
};

/* Reads the next line into c->line (newline and CR stripped), checking UTF-8. 1 = a line,
 * 0 = end of file, -1 = error (set). */
int corpus_read_line(attn_corpus *c);

/* Reads one CSV record (fields may span lines inside quotes) into c->fields. 1 = a record,
 * 0 = end of file, -1 = error (set). *start receives the line it begins on. Blank lines skipped. */
int corpus_csv_record(attn_corpus *c, int64_t *start);
attn_status corpus_csv_header(attn_corpus *c);
attn_status corpus_csv_next(attn_corpus *c, attn_sentence *s);

attn_status corpus_jsonl_next(attn_corpus *c, attn_sentence *s);
attn_status corpus_agnews_next(attn_corpus *c, attn_sentence *s);
void corpus_agnews_free(attn_corpus *c);

#endif
