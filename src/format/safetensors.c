/* safetensors.c — reading (memory-mapped, fully validated) and writing .safetensors files.
 *
 * Layout: u64 little-endian header length N, N bytes of JSON
 *   {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}
 * then the data buffer; offsets are relative to the start of the buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tensors.h"

#define MAX_HEADER 100000000u /* the reference implementation's limit (safetensors' MAX_HEADER_SIZE) */

static attn_status parse_entry(attn_tensor *t, const char *path, const char *name, json_t *v,
                               const uint8_t *buf, uint64_t buf_size) {
    if (!json_is_object(v)) return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\": entry is not an object", path, name);
    const char *dt = json_string_value(json_object_get(v, "dtype"));
    if (!dt) return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\": no dtype", path, name);
    int d = attn_dtype_parse(dt);
    if (d < 0) return attn_fail(ATTN_E_UNSUPPORTED, "%s: tensor \"%s\": unsupported dtype %s", path, name, dt);
    t->dtype = (attn_dtype)d;

    json_t *shape = json_object_get(v, "shape");
    if (!json_is_array(shape)) return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\": no shape", path, name);
    if (json_array_size(shape) > ATTN_MAX_DIMS)
        return attn_fail(ATTN_E_UNSUPPORTED, "%s: tensor \"%s\": more than %d dimensions", path, name, ATTN_MAX_DIMS);
    t->ndim = (int)json_array_size(shape);
    for (int i = 0; i < t->ndim; i++) {
        json_t *e = json_array_get(shape, (size_t)i);
        if (!json_is_integer(e) || json_integer_value(e) < 0)
            return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\": bad shape", path, name);
        t->shape[i] = json_integer_value(e);
    }
    int64_t numel = tensor_numel(t);
    if (numel < 0 || (uint64_t)numel > UINT64_MAX / 8)
        return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\": shape too large", path, name);

    json_t *off = json_object_get(v, "data_offsets");
    json_t *b = json_array_get(off, 0), *e = json_array_get(off, 1);
    if (!json_is_array(off) || json_array_size(off) != 2 || !json_is_integer(b) || !json_is_integer(e))
        return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\": bad data_offsets", path, name);
    json_int_t begin = json_integer_value(b), end = json_integer_value(e);
    if (begin < 0 || end < begin || (uint64_t)end > buf_size)
        return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\": data_offsets [%lld, %lld] outside the %llu-byte data",
                         path, name, (long long)begin, (long long)end, (unsigned long long)buf_size);
    uint64_t want = (uint64_t)numel * attn_dtype_size(t->dtype);
    if ((uint64_t)(end - begin) != want)
        return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\": %lld bytes for a %s tensor of %lld elements",
                         path, name, (long long)(end - begin), dt, (long long)numel);
    t->data = buf + begin;
    t->nbytes = (size_t)want;
    return ATTN_OK;
}

typedef struct span {
    uint64_t begin, end;
    const char *name;
} span;

static int span_cmp(const void *a, const void *b) {
    const span *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* Like the reference reader (Metadata::validate): sorted by offsets, the tensors must tile the
 * data buffer exactly — no overlap (two names for the same bytes), no gap, nothing after. */
static attn_status check_tiling(const attn_tensor_set *ts, int first, const char *path, const uint8_t *buf, uint64_t buf_size) {
    int n = ts->n - first;
    span *v = attn_calloc((size_t)n + 1, sizeof *v);
    if (!v) return attn_fail(ATTN_E_NOMEM, "%s: out of memory", path);
    for (int i = 0; i < n; i++) {
        const attn_tensor *t = &ts->items[first + i];
        v[i] = (span){(uint64_t)(t->data - buf), (uint64_t)(t->data - buf) + t->nbytes, t->name};
    }
    qsort(v, (size_t)n, sizeof *v, span_cmp);
    attn_status s = ATTN_OK;
    uint64_t at = 0;
    for (int i = 0; i < n && !s; i++) {
        if (v[i].begin < at)
            s = attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\" (data_offsets [%llu, %llu]) overlaps tensor \"%s\"", path,
                          v[i].name, (unsigned long long)v[i].begin, (unsigned long long)v[i].end, v[i - 1].name);
        else if (v[i].begin > at)
            s = attn_fail(ATTN_E_FORMAT, "%s: %llu bytes before tensor \"%s\" belong to no tensor (data_offsets must tile the data)",
                          path, (unsigned long long)(v[i].begin - at), v[i].name);
        at = v[i].end;
    }
    if (!s && at != buf_size)
        s = attn_fail(ATTN_E_FORMAT, "%s: the tensors end at data byte %llu but the file has %llu data bytes", path,
                      (unsigned long long)at, (unsigned long long)buf_size);
    free(v);
    return s;
}

attn_status safetensors_parse(attn_tensor_set *ts, const char *path, const uint8_t *data, size_t size) {
    if (size < 8) return attn_fail(ATTN_E_FORMAT, "%s: not a safetensors file (%zu bytes)", path, size);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | data[i];
    if (hlen > MAX_HEADER || hlen > size - 8)
        return attn_fail(ATTN_E_FORMAT, "%s: header length %llu does not fit the %zu-byte file", path,
                         (unsigned long long)hlen, size);
    const char *file = tensor_set_add_file(ts, path);
    if (!file) return attn_fail(ATTN_E_NOMEM, "out of memory");

    json_error_t jerr;
    json_t *root = json_loadb((const char *)data + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        int parsed = root != NULL;
        json_decref(root);
        if (parsed) return attn_fail(ATTN_E_FORMAT, "%s: header is JSON but not an object", path);
        return attn_fail(ATTN_E_FORMAT, "%s: header is not a JSON object (%s)", path, jerr.text);
    }
    const uint8_t *buf = data + 8 + hlen;
    uint64_t buf_size = size - 8 - hlen;
    const char *name;
    json_t *v;
    attn_status s = ATTN_OK;
    int first = ts->n;
    json_object_foreach(root, name, v) {
        if (strcmp(name, "__metadata__") == 0) {
            const char *k;
            json_t *mv;
            int ok = json_is_object(v);
            json_object_foreach(v, k, mv) ok = ok && json_is_string(mv);
            if (!ok) {
                s = attn_fail(ATTN_E_FORMAT, "%s: \"__metadata__\" is not a map of strings", path);
                break;
            }
            continue;
        }
        if (tensor_set_find(ts, name)) {
            s = attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\" appears twice", path, name);
            break;
        }
        attn_tensor *t = tensor_set_add(ts, name);
        if (!t) { s = attn_fail(ATTN_E_NOMEM, "out of memory"); break; }
        t->file = file;
        s = parse_entry(t, path, name, v, buf, buf_size);
        if (s) break;
    }
    if (!s) s = check_tiling(ts, first, path, buf, buf_size);
    json_decref(root);
    return s;
}

attn_status safetensors_load(attn_tensor_set *ts, const char *path) {
    attn_mmap m;
    attn_status s = attn_mmap_open(path, &m);
    if (s) return s;
    const uint8_t *data = m.data;
    size_t size = m.size;
    if (!tensor_set_own_map(ts, m)) return attn_fail(ATTN_E_NOMEM, "out of memory");
    return safetensors_parse(ts, path, data, size);
}

struct attn_st_writer {
    attn_atomic_file af;
    size_t *sizes; /* bytes of each tensor */
    int n, next;
};

static size_t view_bytes(const attn_tensor_view *t) {
    size_t numel = 1;
    for (int d = 0; d < t->ndim; d++) numel *= (size_t)t->shape[d];
    return numel * attn_dtype_size(t->dtype);
}

attn_status attn_st_writer_open(const char *path, const attn_tensor_view *tensors, int n, attn_st_writer **out) {
    return attn_st_writer_open_meta(path, tensors, n, NULL, 0, out);
}

attn_status attn_st_writer_open_meta(const char *path, const attn_tensor_view *tensors, int n, const char *const *meta,
                                     int n_meta, attn_st_writer **out) {
    *out = NULL;
    json_t *hdr = json_object();
    if (!hdr) return attn_fail(ATTN_E_NOMEM, "out of memory");
    uint64_t offset = 0;
    for (int i = 0; i < n; i++) {
        const attn_tensor_view *t = &tensors[i];
        int ok = t->ndim >= 0 && t->ndim <= ATTN_MAX_DIMS && attn_dtype_size(t->dtype) != 0;
        for (int d = 0; ok && d < t->ndim; d++) ok = t->shape[d] >= 0;
        if (!ok || json_object_get(hdr, t->name)) {
            json_decref(hdr);
            return attn_fail(ATTN_E_INVALID, "%s: tensor \"%s\": bad dtype, shape or duplicate name", path, t->name);
        }
        json_t *shape = json_array();
        for (int d = 0; d < t->ndim; d++) json_array_append_new(shape, json_integer(t->shape[d]));
        uint64_t nbytes = view_bytes(t);
        json_t *e = json_pack("{s:s, s:o, s:[I,I]}", "dtype", attn_dtype_name(t->dtype), "shape", shape,
                              "data_offsets", (json_int_t)offset, (json_int_t)(offset + nbytes));
        if (!e || json_object_set_new(hdr, t->name, e) != 0) {
            json_decref(hdr);
            return attn_fail(ATTN_E_NOMEM, "%s: cannot build header", path);
        }
        offset += nbytes;
    }
    json_t *md = json_pack("{s:s}", "format", "pt");
    for (int i = 0; md && i < n_meta; i++) json_object_set_new(md, meta[2 * i], json_string(meta[2 * i + 1]));
    json_object_set_new(hdr, "__metadata__", md);
    char *js = json_dumps(hdr, JSON_COMPACT);
    json_decref(hdr);
    attn_st_writer *w = attn_calloc(1, sizeof *w);
    if (w) w->sizes = attn_calloc((size_t)n, sizeof *w->sizes);
    if (!js || !w || !w->sizes) {
        free(js);
        if (w) free(w->sizes);
        free(w);
        return attn_fail(ATTN_E_NOMEM, "%s: cannot build header", path);
    }
    w->n = n;
    for (int i = 0; i < n; i++) w->sizes[i] = view_bytes(&tensors[i]);

    size_t jlen = strlen(js);
    size_t padded = (jlen + 7) & ~(size_t)7; /* keep the data 8-byte aligned, padding with spaces */
    uint8_t len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (uint8_t)((uint64_t)padded >> (8 * i));
    attn_status s = attn_atomic_open(&w->af, path);
    if (s) {
        free(js), free(w->sizes), free(w);
        return s;
    }
    int ok = fwrite(len8, 1, 8, w->af.f) == 8 && fwrite(js, 1, jlen, w->af.f) == jlen;
    for (size_t i = jlen; ok && i < padded; i++) ok = fputc(' ', w->af.f) != EOF;
    free(js);
    if (!ok) {
        int err = attn_atomic_error(&w->af);
        attn_st_writer_abort(w);
        return attn_fail(ATTN_E_IO, "%s: write failed: %s", path, strerror(err ? err : EIO));
    }
    *out = w;
    return ATTN_OK;
}

attn_status attn_st_writer_put(attn_st_writer *w, const void *data) {
    if (w->next >= w->n) return attn_fail(ATTN_E_INVALID, "%s: more tensors than announced", w->af.path);
    size_t nb = w->sizes[w->next++];
    if (nb && fwrite(data, 1, nb, w->af.f) != nb)
        return attn_fail(ATTN_E_IO, "%s: write failed: %s", w->af.path, strerror(attn_atomic_error(&w->af) ? attn_atomic_error(&w->af) : EIO));
    return ATTN_OK;
}

attn_status attn_st_writer_commit(attn_st_writer *w) {
    attn_status s;
    if (w->next != w->n) {
        s = attn_fail(ATTN_E_INVALID, "%s: %d of %d tensors written", w->af.path, w->next, w->n);
        attn_atomic_abort(&w->af);
    } else {
        s = attn_atomic_commit(&w->af);
    }
    free(w->sizes);
    free(w);
    return s;
}

void attn_st_writer_abort(attn_st_writer *w) {
    if (!w) return;
    attn_atomic_abort(&w->af);
    free(w->sizes);
    free(w);
}

attn_status attn_safetensors_write(const char *path, const attn_tensor_view *tensors, int n) {
    attn_st_writer *w;
    attn_status s = attn_st_writer_open(path, tensors, n, &w);
    if (s) return s;
    for (int i = 0; i < n; i++)
        if ((s = attn_st_writer_put(w, tensors[i].data))) {
            attn_st_writer_abort(w);
            return s;
        }
    return attn_st_writer_commit(w);
}
