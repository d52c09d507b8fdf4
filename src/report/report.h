/* report.h — the HTML report: content gathered as JSON plus packed attention blobs. */
#ifndef ATTN_REPORT_H
#define ATTN_REPORT_H

#include <jansson.h>

#include "common.h"

struct attn_report {
    char *title;
    int scale;         /* attention fixed point: round(p·scale), 65535 or 1000 */
    json_t *models;    /* [{"label", "info"}] */
    json_t *sentences; /* [{"id", "text", "pair", "domain", "entries": [...]}] */
    json_t *tables;    /* [{"title", "columns", "rows", "link"}] */
    json_t *charts;    /* [{"title", "svg"}] */
    char **blobs;      /* base64 text of each packed array */
    size_t nblobs, cap_blobs;
};

/* Packs n values [0,1] as round(v·r->scale) uint16, byte planes split (all low bytes, then all high),
 * deflate (zlib format) and base64; appends a blob to r and returns its descriptor
 * {"blob", "dtype": "u16", "scale", "shuffle": 2, "codec": "deflate", "shape"} or NULL. */
json_t *report_pack_unit(attn_report *r, const float *v, size_t n, const int64_t *shape, int ndim);
/* The same for any float32 values (queries, keys), stored as f32 with 4 byte planes. */
json_t *report_pack_f32(attn_report *r, const float *v, size_t n, const int64_t *shape, int ndim);

/* JSON text safe inside <script type="application/json">: '<', '>', '&', U+2028 and U+2029 are
 * written as \u escapes, everything non-ASCII as \u escapes too. malloc'ed, NULL on OOM. */
char *report_json_for_script(const json_t *j);

/* Adds a string member, or null when s is NULL. 0 on failure (invalid UTF-8 or OOM). */
int report_set_str(json_t *o, const char *key, const char *s);

/* attn_token_labels of e's tokens; NULL when every label equals its token (or out of memory).
 * [e->n] malloc'ed strings (attn_token_labels_free). */
char **report_display_labels(const attn_tokenizer *tok, const attn_encoding *e);

#endif
