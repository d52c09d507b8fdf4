/* tensor_set.c — the container of named tensors and the choice of weight files in a folder. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tensors.h"

/* FNV-1a: names are short and few; the index only has to keep lookups from being linear
 * (a crafted header with 10^5 tensors made the duplicate checks quadratic: 25 s). */
static size_t name_hash(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static void index_put(int *index, int cap, const char *name, int item) {
    size_t m = (size_t)cap - 1, i = name_hash(name) & m;
    while (index[i]) i = (i + 1) & m;
    index[i] = item + 1;
}

/* Makes room in the index for one more name. 0 on OOM. */
static int index_reserve(attn_tensor_set *ts) {
    if ((ts->n + 1) * 2 <= ts->index_cap) return 1;
    if (ts->index_cap > INT32_MAX / 4) return 0;
    int cap = ts->index_cap ? ts->index_cap * 2 : 64;
    int *index = attn_calloc((size_t)cap, sizeof *index);
    if (!index) return 0;
    for (int i = 0; i < ts->n; i++) index_put(index, cap, ts->items[i].name, i);
    free(ts->index);
    ts->index = index, ts->index_cap = cap;
    return 1;
}

attn_tensor *tensor_set_add(attn_tensor_set *ts, const char *name) {
    if (!attn_grow((void **)&ts->items, &ts->cap, (size_t)ts->n + 1, sizeof *ts->items) || !index_reserve(ts)) return NULL;
    attn_tensor *t = &ts->items[ts->n];
    memset(t, 0, sizeof *t);
    t->name = attn_strdup(name);
    if (!t->name) return NULL;
    index_put(ts->index, ts->index_cap, t->name, ts->n);
    ts->n++;
    return t;
}

const char *tensor_set_add_file(attn_tensor_set *ts, const char *path) {
    if (!attn_grow((void **)&ts->files, &ts->files_cap, (size_t)ts->nfiles + 1, sizeof *ts->files)) return NULL;
    char *copy = attn_strdup(path);
    if (!copy) return NULL;
    ts->files[ts->nfiles++] = copy;
    return copy;
}

int tensor_set_own(attn_tensor_set *ts, void *buf) {
    if (!attn_grow((void **)&ts->owned, &ts->owned_cap, (size_t)ts->nowned + 1, sizeof *ts->owned)) { free(buf); return 0; }
    ts->owned[ts->nowned++] = buf;
    return 1;
}

int tensor_set_own_map(attn_tensor_set *ts, attn_mmap m) {
    if (!attn_grow((void **)&ts->maps, &ts->maps_cap, (size_t)ts->nmaps + 1, sizeof *ts->maps)) { attn_mmap_close(&m); return 0; }
    ts->maps[ts->nmaps++] = m;
    return 1;
}

const attn_tensor *tensor_set_find(const attn_tensor_set *ts, const char *name) {
    if (!ts->index_cap) return NULL;
    size_t m = (size_t)ts->index_cap - 1;
    for (size_t i = name_hash(name) & m; ts->index[i]; i = (i + 1) & m) {
        const attn_tensor *t = &ts->items[ts->index[i] - 1];
        if (strcmp(t->name, name) == 0) return t;
    }
    return NULL;
}

void tensor_set_free(attn_tensor_set *ts) {
    for (int i = 0; i < ts->n; i++) free(ts->items[i].name);
    free(ts->items);
    for (int i = 0; i < ts->nmaps; i++) attn_mmap_close(&ts->maps[i]);
    free(ts->maps);
    for (int i = 0; i < ts->nowned; i++) free(ts->owned[i]);
    free(ts->owned);
    for (int i = 0; i < ts->nfiles; i++) free(ts->files[i]);
    free(ts->files);
    free(ts->index);
    memset(ts, 0, sizeof *ts);
}

int64_t tensor_numel(const attn_tensor *t) {
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++) {
        if (t->shape[i] < 0) return -1;
        if (t->shape[i] && n > INT64_MAX / t->shape[i]) return -1;
        n *= t->shape[i];
    }
    return n;
}

float tensor_get_f32(const attn_tensor *t, size_t i) {
    const uint8_t *p = t->data + i * attn_dtype_size(t->dtype);
    switch (t->dtype) {
    case ATTN_DTYPE_F32: { float v; memcpy(&v, p, 4); return v; }
    case ATTN_DTYPE_F16: { uint16_t h; memcpy(&h, p, 2); return attn_f16_to_f32(h); }
    case ATTN_DTYPE_BF16: { uint16_t h; memcpy(&h, p, 2); return attn_bf16_to_f32(h); }
    case ATTN_DTYPE_F64: { double v; memcpy(&v, p, 8); return (float)v; }
    case ATTN_DTYPE_I64: { int64_t v; memcpy(&v, p, 8); return (float)v; }
    case ATTN_DTYPE_I32: { int32_t v; memcpy(&v, p, 4); return (float)v; }
    case ATTN_DTYPE_I16: { int16_t v; memcpy(&v, p, 2); return (float)v; }
    case ATTN_DTYPE_I8: return (float)(int8_t)p[0];
    case ATTN_DTYPE_U8:
    case ATTN_DTYPE_BOOL: return (float)p[0];
    }
    return 0.0f;
}

void tensor_to_f32(const attn_tensor *t, float *dst) {
    size_t n = (size_t)tensor_numel(t);
    if (t->dtype == ATTN_DTYPE_F32) {
        memcpy(dst, t->data, n * 4);
        return;
    }
    for (size_t i = 0; i < n; i++) dst[i] = tensor_get_f32(t, i);
}

/* model.safetensors.index.json: {"weight_map": {"tensor": "file", ...}} — load each file once. */
static attn_status load_index(attn_tensor_set *ts, const char *dir, const char *index_name,
                              attn_status (*load)(attn_tensor_set *, const char *)) {
    char *ipath = attn_path_join(dir, index_name);
    if (!ipath) return attn_fail(ATTN_E_NOMEM, "out of memory");
    json_error_t jerr;
    json_t *root = attn_json_load_file(ipath, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        attn_status s = attn_fail(ATTN_E_FORMAT, "%s: invalid JSON at line %d: %s", ipath, jerr.line, jerr.text);
        free(ipath);
        return s;
    }
    attn_status s = ATTN_OK;
    json_t *map = json_object_get(root, "weight_map");
    if (!json_is_object(map) || json_object_size(map) == 0) {
        s = attn_fail(ATTN_E_FORMAT, "%s: no \"weight_map\" object", ipath);
        goto done;
    }
    /* distinct shard names, in first-seen order */
    const char *key;
    json_t *val;
    json_t *seen = json_object();
    json_object_foreach(map, key, val) {
        const char *file = json_string_value(val);
        if (!file || !*file || strchr(file, '/') || strcmp(file, "..") == 0) {
            s = attn_fail(ATTN_E_FORMAT, "%s: bad shard file name for tensor \"%s\"", ipath, key);
            break;
        }
        if (json_object_get(seen, file)) continue;
        json_object_set_new(seen, file, json_true());
        char *path = attn_path_join(dir, file);
        if (!path) { s = attn_fail(ATTN_E_NOMEM, "out of memory"); break; }
        s = load(ts, path);
        free(path);
        if (s) break;
    }
    json_decref(seen);
    if (!s) { /* every tensor the index names must be present */
        json_object_foreach(map, key, val) {
            if (!tensor_set_find(ts, key)) {
                s = attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\" is not in its shard %s", ipath, key,
                              json_string_value(val));
                break;
            }
        }
    }
done:
    json_decref(root);
    free(ipath);
    return s;
}

typedef struct weight_layout {
    const char *file;
    int is_index;
    attn_status (*load)(attn_tensor_set *, const char *);
} weight_layout;

/* In the order from_pretrained prefers them. */
static const weight_layout layouts[] = {
    {"model.safetensors", 0, safetensors_load},
    {"model.safetensors.index.json", 1, safetensors_load},
    {"pytorch_model.bin", 0, torch_bin_load},
    {"pytorch_model.bin.index.json", 1, torch_bin_load},
};

static const weight_layout *find_layout(const char *dir) {
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        char *path = attn_path_join(dir, layouts[i].file);
        int exists = path && attn_file_exists(path);
        free(path);
        if (exists) return &layouts[i];
    }
    return NULL;
}

const char *attn_weights_file(const char *dir) {
    const weight_layout *w = find_layout(dir);
    return w ? w->file : NULL;
}

attn_status tensor_set_open_dir(attn_tensor_set *ts, const char *dir) {
    memset(ts, 0, sizeof *ts);
    const weight_layout *w = find_layout(dir);
    if (!w)
        return attn_fail(ATTN_E_NOT_FOUND,
                         "%s: no weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)", dir);
    attn_status s;
    if (w->is_index) {
        s = load_index(ts, dir, w->file, w->load);
    } else {
        char *path = attn_path_join(dir, w->file);
        s = path ? w->load(ts, path) : attn_fail(ATTN_E_NOMEM, "out of memory");
        free(path);
    }
    if (s) tensor_set_free(ts);
    return s;
}
