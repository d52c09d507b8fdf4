/* tensors.h — a set of named tensors read from checkpoint files (safetensors, shards, .bin).
 *
 * Tensor data points into memory-mapped files or into buffers the set owns; it stays valid until
 * tensor_set_free. Nothing is converted here: dtype and shape are what the file says. */
#ifndef ATTN_TENSORS_H
#define ATTN_TENSORS_H

#include "common.h"

typedef struct attn_tensor {
    char *name;
    attn_dtype dtype;
    int ndim;
    int64_t shape[ATTN_MAX_DIMS];
    const uint8_t *data; /* little-endian, row-major; may be unaligned */
    size_t nbytes;
    const char *file;    /* the file it came from (owned by the set), for error messages */
} attn_tensor;

typedef struct attn_tensor_set {
    attn_tensor *items;
    int n;
    size_t cap;
    attn_mmap *maps;     /* mapped files */
    int nmaps;
    size_t maps_cap;
    void **owned;        /* buffers owned by the set (decoded .bin storages, ...) */
    int nowned;
    size_t owned_cap;
    char **files;        /* paths of the files read */
    int nfiles;
    size_t files_cap;
    int *index;          /* name -> item: open addressing, item + 1 (0 = empty), at most half full */
    int index_cap;       /* a power of two */
} attn_tensor_set;

/* Reads the weights of a checkpoint folder: model.safetensors; else the shards listed in
 * model.safetensors.index.json; else pytorch_model.bin (or its index). */
attn_status tensor_set_open_dir(attn_tensor_set *ts, const char *dir);
/* Appends the tensors of one .safetensors file (validated: header, dtypes, shapes, offsets). */
attn_status safetensors_load(attn_tensor_set *ts, const char *path);
/* The same from bytes in memory (which must outlive the set); path names them in messages. */
attn_status safetensors_parse(attn_tensor_set *ts, const char *path, const uint8_t *data, size_t size);
/* Appends the tensors of one pytorch_model.bin (torch zip + restricted pickle). */
attn_status torch_bin_load(attn_tensor_set *ts, const char *path);

const attn_tensor *tensor_set_find(const attn_tensor_set *ts, const char *name);
void tensor_set_free(attn_tensor_set *ts);

/* Helpers for loaders. tensor_set_add copies name; data is borrowed. Returns NULL on OOM. */
attn_tensor *tensor_set_add(attn_tensor_set *ts, const char *name);
/* Records a file path; returns the set's copy (NULL on OOM). */
const char *tensor_set_add_file(attn_tensor_set *ts, const char *path);
/* Takes ownership of a malloc'ed buffer (freed with the set). 0 on OOM (buffer freed). */
int tensor_set_own(attn_tensor_set *ts, void *buf);
/* Takes ownership of a mapping. 0 on OOM (mapping closed). */
int tensor_set_own_map(attn_tensor_set *ts, attn_mmap m);

/* Number of elements; -1 if a dimension is negative or the product overflows. */
int64_t tensor_numel(const attn_tensor *t);
/* Element i converted to float (F32/F16/BF16/F64 and integer types). */
float tensor_get_f32(const attn_tensor *t, size_t i);
/* Converts the whole tensor to float into dst[numel]. */
void tensor_to_f32(const attn_tensor *t, float *dst);

#endif
