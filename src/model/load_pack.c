/* load_pack.c — the loader's parallel pass (see load_pack.h).
 *
 * Work units: one panel (16 rows of one linear weight) or one chunk of a weight only checked. The
 * threads take units from one atomic counter in the order of the tasks, so both cores read the
 * file front to back and the resident set holds at most a few weights twice (a weight's file pages
 * are released by whichever thread finishes its last panel). Panels are written with the fused
 * Inf/NaN check of attn_pack_panel_*: the weights are read from the file exactly once. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "load_pack.h"
#include "team_pool.h"

#define CHECK_CHUNK 65536 /* values per check unit */

static attn_wtype wtype_of(attn_dtype d) {
    return d == ATTN_DTYPE_F16 ? ATTN_W_F16 : d == ATTN_DTYPE_BF16 ? ATTN_W_BF16 : ATTN_W_F32;
}

attn_wtype load_panel_type(const attn_tensor *const *parts, int nparts) {
    attn_dtype d = parts[0]->dtype;
    for (int i = 1; i < nparts; i++)
        if (parts[i]->dtype != d) return ATTN_W_F32;
    return d == ATTN_DTYPE_F16 || d == ATTN_DTYPE_BF16 ? wtype_of(d) : ATTN_W_F32;
}

void load_release_pages(const attn_tensor_set *ts, const attn_tensor *t) {
#ifdef MADV_DONTNEED
    int mapped = 0; /* only file pages: a buffer the set decoded (.bin) would read back as zeros */
    for (int i = 0; i < ts->nmaps && !mapped; i++)
        mapped = t->data >= ts->maps[i].data && t->data + t->nbytes <= ts->maps[i].data + ts->maps[i].size;
    if (!mapped) return;
    uintptr_t page = 4096, a = ((uintptr_t)t->data + page - 1) & ~(page - 1);
    uintptr_t e = ((uintptr_t)t->data + t->nbytes) & ~(page - 1);
    if (e > a) madvise((void *)a, e - a, MADV_DONTNEED);
#else
    (void)ts, (void)t;
#endif
}

typedef struct pass {
    const attn_tensor_set *ts;
    load_task *tasks;
    int n;
    size_t total;  /* units */
    size_t next;   /* atomic: the next unit to take */
    int kmax;
} pass;

/* Row r of a linear task as stored in its part (the pointer into the file). */
static const uint8_t *task_row(const load_task *t, int r, const attn_tensor **part) {
    *part = t->part[r / t->rows];
    size_t esize = (*part)->dtype == ATTN_DTYPE_F64 ? 8 : (*part)->dtype == ATTN_DTYPE_F32 ? 4 : 2;
    return (*part)->data + (size_t)(r % t->rows) * (size_t)t->K * esize;
}

/* Panel p of a linear task. tmp: 16·K floats for rows that must be widened. 1 if non-finite. */
static int pack_unit(const load_task *t, size_t p, float *tmp) {
    int N = t->nparts * t->rows, K = t->K, nr = N - 16 * (int)p < 16 ? N - 16 * (int)p : 16;
    const void *rows[16];
    for (int c = 0; c < nr; c++) {
        const attn_tensor *part;
        rows[c] = task_row(t, 16 * (int)p + c, &part);
        if (t->wt == ATTN_W_F32 && part->dtype != ATTN_DTYPE_F32) { /* F64, or parts of mixed dtypes */
            size_t first = (size_t)((16 * (int)p + c) % t->rows) * (size_t)K;
            float *row = tmp + (size_t)c * K;
            for (int k = 0; k < K; k++) row[k] = tensor_get_f32(part, first + (size_t)k);
            rows[c] = row;
        }
    }
    if (t->wt == ATTN_W_F32)
        return attn_pack_panel_f32((float *)t->panels + p * (size_t)K * 16, (const float *const *)rows, nr, K);
    return attn_pack_panel_16((uint16_t *)t->panels + p * (size_t)K * 16, (const uint16_t *const *)rows, nr, K, t->wt);
}

static int check_unit(const load_task *t, size_t u) {
    size_t i0 = u * CHECK_CHUNK, n = t->n - i0 < CHECK_CHUNK ? t->n - i0 : CHECK_CHUNK;
    const uint8_t *p = (const uint8_t *)t->data + i0 * (t->wt == ATTN_W_F32 ? 4 : 2);
    return attn_first_nonfinite(p, n, t->wt) < n;
}

static void pass_share(void *ctx, int tid, int nt) {
    (void)tid, (void)nt;
    pass *ps = ctx;
    float *tmp = malloc((size_t)16 * ps->kmax * sizeof(float));
    if (!tmp) return; /* the other threads take every unit; if none can, a task stays unfinished */
    int ti = 0; /* units are taken in increasing order: the task index only moves forward */
    for (;;) {
        size_t u = __atomic_fetch_add(&ps->next, 1, __ATOMIC_RELAXED);
        if (u >= ps->total) break;
        while (u >= ps->tasks[ti].unit0 + ps->tasks[ti].units) ti++;
        load_task *t = &ps->tasks[ti];
        size_t local = u - t->unit0;
        if (t->l ? pack_unit(t, local, tmp) : check_unit(t, local)) {
            size_t seen = __atomic_load_n(&t->bad, __ATOMIC_RELAXED);
            while ((seen == 0 || local + 1 < seen) &&
                   !__atomic_compare_exchange_n(&t->bad, &seen, local + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
        }
        if ((size_t)__atomic_add_fetch(&t->done, 1, __ATOMIC_ACQ_REL) == t->units && t->l) {
            attn_pack_fence(); /* this thread's panel stores, before the pages they came from go */
            for (int i = 0; i < t->nparts; i++) load_release_pages(ps->ts, t->part[i]);
        }
    }
    attn_pack_fence();
    free(tmp);
}

/* The message for the first non-finite value of task t (found again on this thread). */
static attn_status report_nonfinite(const load_task *t) {
    for (int i = 0; i < (t->l ? t->nparts : 1); i++) {
        const attn_tensor *part = t->part[i];
        size_t n = t->l ? (size_t)t->rows * (size_t)t->K : t->n, at = n;
        if (!t->l) at = attn_first_nonfinite(t->data, n, t->wt);
        else if (part->dtype == ATTN_DTYPE_F32 || part->dtype == ATTN_DTYPE_F16 || part->dtype == ATTN_DTYPE_BF16)
            at = attn_first_nonfinite(part->data, n, wtype_of(part->dtype));
        else
            for (size_t k = 0; k < n && at == n; k++) {
                float v = tensor_get_f32(part, k);
                if (v - v != 0.0f) at = k; /* Inf or NaN (also a finite F64 beyond the float range) */
            }
        if (at < n)
            return attn_fail(ATTN_E_FORMAT, "%s: weight \"%s\" holds a non-finite value at element %zu", part->file,
                             part->name, (t->l ? 0 : t->first) + at);
    }
    return attn_fail(ATTN_E_FORMAT, "%s: weight \"%s\" holds a non-finite value", t->part[0]->file, t->part[0]->name);
}

attn_status load_tasks_run(const attn_tensor_set *ts, load_task *tasks, int n, int threads) {
    pass ps = {.ts = ts, .tasks = tasks, .n = n, .kmax = 1};
    for (int i = 0; i < n; i++) {
        load_task *t = &tasks[i];
        int N = t->nparts * t->rows;
        t->units = t->l ? (size_t)(N + 15) / 16 : (t->n + CHECK_CHUNK - 1) / CHECK_CHUNK;
        t->unit0 = ps.total, t->done = 0, t->bad = 0;
        ps.total += t->units;
        if (t->l && t->K > ps.kmax) ps.kmax = t->K;
    }
    if (ps.total == 0) return ATTN_OK;
    attn_team team;
    attn_team_begin(&team, threads);
    attn_team_run(&team, pass_share, &ps);
    attn_team_end(&team);
    for (int i = 0; i < n; i++)
        if ((size_t)tasks[i].done != tasks[i].units) return attn_fail(ATTN_E_NOMEM, "out of memory while packing weights");
    for (int i = 0; i < n; i++)
        if (tasks[i].bad) return report_nonfinite(&tasks[i]);
    for (int i = 0; i < n; i++) {
        load_task *t = &tasks[i];
        if (!t->l) continue;
        int N = t->nparts * t->rows;
        *t->l = (attn_linear){.b = t->b, .wtype = t->wt, .N = N, .K = t->K};
        if (t->wt == ATTN_W_F32) t->l->panels = t->panels;
        else t->l->panels16 = t->panels;
    }
    return ATTN_OK;
}
