/* dump.c — a report entry from files: attentions.i (+ queries.i, keys.i, word_attentions.i) of a
 * safetensors file in `run --dump`'s layout, and a tokens JSON file (format in docs/report.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tensors.h"

/* The tokens file → array of sentence objects, each with a "tokens" array of strings. */
/* JSON Lines (one sentence object per line, as `tokenize --output` writes) as an array; NULL if not. */
static json_t *load_jsonl(const char *text) {
    json_t *list = json_array();
    for (const char *p = text; list && *p;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        if (strspn(p, " \t\r") < (size_t)(end - p)) {
            json_t *o = json_loadb(p, (size_t)(end - p), 0, NULL);
            if (!json_is_object(o)) {
                json_decref(o), json_decref(list);
                return NULL;
            }
            json_array_append_new(list, o);
        }
        p = nl ? nl + 1 : end;
    }
    return list;
}

static attn_status read_tokens_json(const char *path, json_t **out) {
    json_error_t err;
    char *text;
    size_t len;
    *out = NULL;
    attn_status st = attn_read_file(path, &text, &len);
    if (st) return st;
    json_t *j = json_loadb(text, len, 0, &err), *list;
    if (!j) j = load_jsonl(text);
    free(text);
    if (!j) return attn_fail(ATTN_E_FORMAT, "%s:%d: bad JSON (%s)", path, err.line, err.text);
    if (json_is_object(j) && json_object_get(j, "sentences")) list = json_incref(json_object_get(j, "sentences"));
    else if (json_is_object(j)) list = json_pack("[O]", j);
    else list = json_incref(j);
    json_decref(j);
    if (!json_is_array(list) || json_array_size(list) == 0) {
        json_decref(list);
        return attn_fail(ATTN_E_FORMAT, "%s: want a list of token lists, a list of {\"tokens\": [...]} or {\"sentences\": [...]}", path);
    }
    size_t i, k;
    json_t *s, *t;
    json_array_foreach(list, i, s) {
        if (json_is_array(s)) json_array_set_new(list, i, s = json_pack("{s:O}", "tokens", s));
        json_t *toks = json_object_get(s, "tokens");
        int ok = json_is_array(toks) && json_array_size(toks) > 0;
        json_array_foreach(toks, k, t) ok &= json_is_string(t);
        if (!ok) {
            json_decref(list);
            return attn_fail(ATTN_E_FORMAT, "%s: sentence %zu: \"tokens\" is not a non-empty list of strings", path, i);
        }
    }
    *out = list;
    return ATTN_OK;
}

static const char *opt_str(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

/* Adds sentence i from its JSON when the report does not have it yet. */
static attn_status ensure_sentence(attn_report *r, int i, const json_t *s) {
    if (i < attn_report_sentence_count(r)) return ATTN_OK;
    attn_strbuf sb = {0};
    if (!opt_str(s, "text")) { /* no text given: the tokens joined */
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(s, "tokens"), k, t) {
            if (k) attn_sb_putc(&sb, ' ');
            attn_sb_puts(&sb, json_string_value(t));
        }
    }
    char *joined = attn_sb_take(&sb);
    attn_report_sentence rs = {opt_str(s, "id"), opt_str(s, "text") ? opt_str(s, "text") : joined, opt_str(s, "pair"),
                               opt_str(s, "domain")};
    attn_status st = joined ? attn_report_add_sentence(r, &rs, NULL) : attn_fail(ATTN_E_NOMEM, "out of memory");
    free(joined);
    return st;
}

/* A JSON integer array of n entries into v (null = -1, as `tokenize` writes word_ids); 0 if absent;
 * -1 if malformed. */
static int int_field(const json_t *s, const char *key, int32_t *v, size_t n) {
    json_t *a = json_object_get(s, key);
    if (!a) return 0;
    if (!json_is_array(a) || json_array_size(a) != n) return -1;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(a, i);
        json_int_t x = json_is_null(e) ? -1 : json_integer_value(e);
        if ((!json_is_integer(e) && !json_is_null(e)) || x < -1 || x > INT32_MAX) return -1; /* never truncated */
        v[i] = (int32_t)x;
    }
    return 1;
}

static void shape_text(char *buf, size_t size, const int64_t *shape, int ndim) {
    size_t n = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && n < size; i++) n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (n < size) snprintf(buf + n, size - n, "]");
}

/* tensor `name` as float [L][H][rows][cols]; a want[] of -1 takes any size (read into shape). */
static attn_status get_4d(const attn_tensor_set *ts, const char *path, const char *name, const int64_t *want, float **out,
                          int64_t *shape) {
    const attn_tensor *t = tensor_set_find(ts, name);
    *out = NULL;
    if (!t) return attn_fail(ATTN_E_NOT_FOUND, "%s: no tensor %s", path, name);
    int ok = t->ndim == 4;
    for (int i = 0; ok && i < 4; i++) ok = t->shape[i] >= 1 && (want[i] < 0 || t->shape[i] == want[i]);
    if (!ok) {
        char have[128], expect[128];
        shape_text(have, sizeof have, t->shape, t->ndim);
        shape_text(expect, sizeof expect, want, 4);
        return attn_fail(ATTN_E_INVALID, "%s: %s has shape %s, expected %s (-1 = any) from the tokens", path, name, have, expect);
    }
    if (t->dtype != ATTN_DTYPE_F32 && t->dtype != ATTN_DTYPE_F16 && t->dtype != ATTN_DTYPE_BF16 && t->dtype != ATTN_DTYPE_F64)
        return attn_fail(ATTN_E_INVALID, "%s: %s is %s, not a float tensor", path, name, attn_dtype_name(t->dtype));
    memcpy(shape, t->shape, 4 * sizeof *shape);
    if (!(*out = malloc((size_t)tensor_numel(t) * sizeof **out))) return attn_fail(ATTN_E_NOMEM, "out of memory");
    tensor_to_f32(t, *out);
    return ATTN_OK;
}

typedef struct dump_arrays {
    float *attn, *q, *k, *wattn;
    int32_t *segments, *word_ids;
    const char **tokens, **words;
} dump_arrays;

static void dump_arrays_free(dump_arrays *d) {
    free(d->attn), free(d->q), free(d->k), free(d->wattn), free(d->segments), free(d->word_ids);
    free(d->tokens), free(d->words);
}

static const char **string_list(const json_t *a) {
    const char **v = attn_calloc(json_array_size(a) + 1, sizeof *v);
    for (size_t i = 0; v && i < json_array_size(a); i++) v[i] = json_string_value(json_array_get(a, i));
    return v;
}

/* Optional members: segments (or sequence_ids: 1 marks the second text) and word_ids. */
static attn_status read_token_fields(const char *tok_path, int i, const json_t *s, size_t T, dump_arrays *d,
                                     attn_report_attention *a) {
    d->segments = attn_calloc(T, sizeof *d->segments);
    d->word_ids = attn_calloc(T, sizeof *d->word_ids);
    if (!d->segments || !d->word_ids) return attn_fail(ATTN_E_NOMEM, "out of memory");
    int seg = int_field(s, "segments", d->segments, T), from_sequence_ids = 0;
    if (seg == 0) seg = from_sequence_ids = int_field(s, "sequence_ids", d->segments, T);
    if (seg < 0) return attn_fail(ATTN_E_FORMAT, "%s: sentence %d: \"segments\" is not a list of %zu integers", tok_path, i, T);
    if (seg > 0) a->segments = d->segments;
    /* sequence_ids: the second text starts at its first token; the special tokens after it are its own */
    for (int32_t t = 0, second = 0; seg > 0 && t < (int32_t)T; t++)
        d->segments[t] = from_sequence_ids ? (second |= d->segments[t] == 1) : d->segments[t] == 1;
    int w = int_field(s, "word_ids", d->word_ids, T);
    if (w < 0) return attn_fail(ATTN_E_FORMAT, "%s: sentence %d: \"word_ids\" is not a list of %zu integers", tok_path, i, T);
    if (w > 0) a->word_ids = d->word_ids;
    return ATTN_OK;
}

/* Sentence i of the files as an entry of model m. */
static attn_status add_one(attn_report *r, int m, const attn_tensor_set *ts, const char *st_path, const char *tok_path, int i,
                           const json_t *s) {
    json_t *toks = json_object_get(s, "tokens");
    int64_t T = (int64_t)json_array_size(toks), shape[4] = {0}, qshape[4] = {0};
    char name[64];
    dump_arrays d = {0};
    attn_report_attention a = {.n_tokens = (int32_t)T};
    snprintf(name, sizeof name, "attentions.%d", i);
    attn_status st = get_4d(ts, st_path, name, (int64_t[4]){-1, -1, T, T}, &d.attn, shape);
    if (!st) st = read_token_fields(tok_path, i, s, (size_t)T, &d, &a);
    a.layers = (int32_t)shape[0], a.heads = (int32_t)shape[1], a.attentions = d.attn;
    char qname[64], kname[64];
    snprintf(qname, sizeof qname, "queries.%d", i), snprintf(kname, sizeof kname, "keys.%d", i);
    if (!st && (tensor_set_find(ts, qname) || tensor_set_find(ts, kname))) {
        st = get_4d(ts, st_path, qname, (int64_t[4]){shape[0], shape[1], T, -1}, &d.q, qshape);
        if (!st) st = get_4d(ts, st_path, kname, qshape, &d.k, qshape);
        a.head_dim = (int32_t)qshape[3], a.queries = d.q, a.keys = d.k;
    }
    snprintf(name, sizeof name, "word_attentions.%d", i);
    json_t *words = json_object_get(s, "words");
    if (!st && tensor_set_find(ts, name)) {
        int64_t W = (int64_t)json_array_size(words), wshape[4];
        if (!json_is_array(words) || W == 0) st = attn_fail(ATTN_E_FORMAT, "%s: sentence %d: %s needs a \"words\" list", tok_path, i, name);
        if (!st) st = get_4d(ts, st_path, name, (int64_t[4]){shape[0], shape[1], W, W}, &d.wattn, wshape);
        a.n_words = (int32_t)W, a.word_attentions = d.wattn;
    }
    if (!st && (!(d.tokens = string_list(toks)) || (a.n_words && !(d.words = string_list(words)))))
        st = attn_fail(ATTN_E_NOMEM, "out of memory");
    a.tokens = d.tokens, a.words = d.words;
    if (!st) st = ensure_sentence(r, i, s);
    if (!st && (st = attn_report_add_attention(r, i, m, &a))) attn_fail_prefix(st, "%s", st_path);
    dump_arrays_free(&d);
    return st;
}

attn_status attn_report_add_dump(attn_report *r, const char *label, const char *st_path, const char *tok_path) {
    json_t *list;
    attn_status st = read_tokens_json(tok_path, &list);
    if (st) return st;
    attn_tensor_set ts = {0};
    if ((st = safetensors_load(&ts, st_path))) { /* a failed load leaves what it read in ts */
        tensor_set_free(&ts);
        json_decref(list);
        return st;
    }
    char extra[64];
    snprintf(extra, sizeof extra, "attentions.%zu", json_array_size(list));
    if (tensor_set_find(&ts, extra))
        st = attn_fail(ATTN_E_INVALID, "%s: has %s but %s lists only %zu sentences", st_path, extra, tok_path, json_array_size(list));
    int m = -1;
    if (!st) st = attn_report_add_model(r, label && *label ? label : st_path, st_path, &m);
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s) {
        if (st) break;
        st = add_one(r, m, &ts, st_path, tok_path, (int)i, s);
    }
    tensor_set_free(&ts);
    json_decref(list);
    return st;
}
