/* load_pack.h — the loader's one parallel pass over the large weights (load_pack.c): every linear
 * weight of a packing kernel set packed from the mapped file into its panels, and every weight
 * used in place checked for Inf/NaN, on the library's worker team. */
#ifndef ATTN_LOAD_PACK_H
#define ATTN_LOAD_PACK_H

#include "kernels.h"
#include "tensors.h"

typedef struct load_task {
    /* a linear layer to pack (l != NULL): rows of part[0], then part[1], ... (rows each, K values) */
    attn_linear *l;
    const attn_tensor *part[3];
    int nparts, rows, K;
    attn_wtype wt;        /* of the panels: the parts' own dtype, or F32 (parts widened row by row) */
    void *panels;         /* attn_panels_bytes(nparts·rows, K, wt) bytes, 64-byte aligned */
    const float *b;
    /* a weight only checked (l == NULL): n values of type wt at data, which hold part[0]'s elements
     * first.. (data may be a copy of the tensor, e.g. query/key/value joined) */
    const void *data;
    size_t n, first;
    /* run state */
    size_t units, unit0;  /* panels or check chunks; the first one's global index */
    int done;             /* units finished (atomic) */
    size_t bad;           /* 1 + the first unit that found a non-finite value, or 0 (atomic min) */
} load_task;

/* Runs every task on up to `threads` threads; the file pages of a packed weight are dropped from
 * the resident set as soon as its last panel is written, so the peak stays ≈ the file's size.
 * On a non-finite value: the message names the first task's tensor and element. */
attn_status load_tasks_run(const attn_tensor_set *ts, load_task *tasks, int n, int threads);

/* Drops t's file pages from this process's resident set when t lies in one of ts's mappings. */
void load_release_pages(const attn_tensor_set *ts, const attn_tensor *t);

/* The panels' type for a linear layer of these parts on a packing set: the parts' 16-bit dtype
 * when they all share it, else F32. */
attn_wtype load_panel_type(const attn_tensor *const *parts, int nparts);

#endif
