/* kernels.h — the numeric kernels of the forward pass. Row-major F32 throughout.
 *
 * Each kernel has a portable reference; the matrix multiply also has ISA-specific
 * variants chosen once at run time in dispatch.c. Kernels never allocate. */
#ifndef ATTN_KERNELS_H
#define ATTN_KERNELS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* y (M, N) = x (M, K) · w (N, K)ᵀ + b (N); b may be NULL. w is laid out as PyTorch stores
 * nn.Linear weights. Parallel over the output with OpenMP; call from outside a parallel region. */
void attn_matmul(float *y, const float *x, const float *w, const float *b, int M, int K, int N);
/* The portable reference, single-threaded: what every variant is checked against. */
void attn_matmul_ref(float *y, const float *x, const float *w, const float *b, int M, int K, int N);
/* Name of the variant attn_matmul (and attn_gelu, attn_attend_head) use on this machine
 * ("avx512", "avx2", "portable"); ATTN_KERNELS=NAME in the environment forces a supported set. */
const char *attn_matmul_variant(void);

/* The variants (same contract as attn_matmul). attn_matmul_avx2 may only be called where dispatch.c
 * found AVX2 + FMA; attn_matmul_variants lists those this machine supports, fastest first. */
typedef void (*attn_matmul_fn)(float *y, const float *x, const float *w, const float *b, int M, int K, int N);
typedef struct attn_matmul_impl {
    const char *name;
    attn_matmul_fn fn;
} attn_matmul_impl;
const attn_matmul_impl *attn_matmul_variants(int *n);
void attn_matmul_portable(float *y, const float *x, const float *w, const float *b, int M, int K, int N);
/* These two take the plain layout and pack w into a temporary first (tests and benches; the
 * forward packs at load). */
void attn_matmul_avx2(float *y, const float *x, const float *w, const float *b, int M, int K, int N);
void attn_matmul_avx512(float *y, const float *x, const float *w, const float *b, int M, int K, int N);

/* The share of thread tid of nt of the same product, no parallel region of its own: call it from
 * every thread of one region, then synchronise (the forward's one region per forward). Threads
 * own disjoint column blocks of y. act_gelu: apply the erf GELU to the result (fused epilogue). */
void attn_matmul_portable_part(float *y, const float *x, const float *w, const float *b, int M, int K, int N, int ldx,
                               int ldy, int act, int tid, int nt, atomic_int *next);

/* How the threads of one step share its n units of work. With a counter (next: shared by the
 * team, 0 when the step starts) each thread takes the next free unit until none is left, so a
 * thread the host slows down takes fewer (on a shared 2-core VM one core often runs 5-10 % slower
 * than the other, and a static split makes the other wait at every barrier). Without (NULL),
 * thread tid of nt takes a contiguous range, as schedule(static). The result never depends on
 * which thread computes a unit. */
typedef struct attn_units {
    atomic_int *next;
    int cur, end, n;
    int ahead; /* attn_units_take_ahead: the unit already claimed for after this one (-2: none yet) */
} attn_units;
static inline attn_units attn_units_of(atomic_int *next, int n, int tid, int nt) {
    attn_units u = {next, 0, 0, n, -2};
    if (!next) {
        int per = n / nt, extra = n % nt;
        u.cur = tid * per + (tid < extra ? tid : extra);
        u.end = u.cur + per + (tid < extra);
    }
    return u;
}
/* The next unit of this thread, or -1 when the step has none left. */
static inline int attn_units_take(attn_units *u) {
    if (u->next) {
        int i = atomic_fetch_add_explicit(u->next, 1, memory_order_relaxed);
        return i < u->n ? i : -1;
    }
    return u->cur < u->end ? u->cur++ : -1;
}
/* The same, claiming the unit after it at once (*after, -1 if none), so that a kernel can bring that
 * unit's weights into L2 while it computes this one. A thread then holds one unit more than it
 * works on: the team's imbalance at the barrier grows by at most one unit. */
static inline int attn_units_take_ahead(attn_units *u, int *after) {
    int unit = u->ahead == -2 ? attn_units_take(u) : u->ahead;
    u->ahead = unit < 0 ? -1 : attn_units_take(u);
    *after = u->ahead;
    return unit;
}

/* The units of a product on F32 / 16-bit panels (the avx512 and avx2 shares alike): one panel pair
 * (32 outputs) × one block of x rows, block by block. A block is 1.2 MB of x / 4K rows (96 at
 * K = 3072, 384 at K = 768, within 96..480), so that it stays in L2 and a corpus batch (M =
 * 200–800 rows) streams each weight from memory 2–3 times rather than M / 96 times. */
typedef struct attn_panel_units {
    attn_units units;
    int pairs, mc;
} attn_panel_units;
typedef struct attn_panel_unit {
    int m0, rows; /* x rows [m0, m0 + rows) */
    int n0, ncols; /* outputs [n0, n0 + ncols), ncols ≤ 32 */
    int next_n0;   /* the first output of the thread's next unit (already claimed), -1 if none */
} attn_panel_unit;
static inline attn_panel_units attn_panel_units_of(atomic_int *next, int M, int K, int N, int tid, int nt) {
    attn_panel_units pu;
    pu.pairs = (N + 31) / 32;
    pu.mc = 96 * 3072 / (K > 0 ? K : 1);
    pu.mc = pu.mc < 96 ? 96 : pu.mc > 480 ? 480 : pu.mc;
    pu.units = attn_units_of(next, (M + pu.mc - 1) / pu.mc * pu.pairs, tid, nt);
    return pu;
}
/* The look-ahead of a short unit: the first byte of each of the two panels (panel_bytes each) of
 * the thread's next unit, whose first output is next_n0; NULL if there is none (-1), next[1] =
 * next[0] when that unit has one panel. */
static inline void attn_next_panels(const void *panels, size_t panel_bytes, int next_n0, int N, const char *next[2]) {
    next[0] = next[1] = NULL;
    if (next_n0 < 0) return;
    next[0] = (const char *)panels + (size_t)(next_n0 / 16) * panel_bytes;
    next[1] = next_n0 + 16 < N ? next[0] + panel_bytes : next[0];
}
/* Row tile t of a unit of `tiles` tiles brings the next unit's panels into L2 (one line per k step)
 * when the unit is short (≤ 4 tiles: batch 1): tile 0 the first, tile 1 the second, a single tile
 * both. Sets nx; returns how many of nx[0], nx[1] the tile prefetches. */
static inline int attn_lookahead_tile(const char *const next[2], int t, int tiles, const char *nx[2]) {
    nx[0] = next[t == 1], nx[1] = next[1];
    return !next[0] || t > 1 || tiles > 4 ? 0 : tiles == 1 ? 2 : 1;
}
/* This thread's next unit into *o, or 0 when the step has none left. */
static inline int attn_panel_unit_take(attn_panel_units *pu, int M, int N, attn_panel_unit *o) {
    int after, unit = attn_units_take_ahead(&pu->units, &after);
    if (unit < 0) return 0;
    o->next_n0 = after < 0 ? -1 : 32 * (after % pu->pairs);
    o->m0 = unit / pu->pairs * pu->mc;
    o->rows = M - o->m0 < pu->mc ? M - o->m0 : pu->mc;
    o->n0 = 32 * (unit % pu->pairs);
    o->ncols = N - o->n0 < 32 ? N - o->n0 : 32;
    return 1;
}

/* Packed panels for the AVX-512 and AVX2 micro-kernels: w (N, K) → (⌈N/16⌉, K, 16), zero past N (see
 * matmul_avx512.c). attn_panels16_alloc returns 64-byte aligned storage for them (free()). */
size_t attn_panels16_floats(int N, int K);
float *attn_panels16_alloc(int N, int K);
void attn_pack_panels16(float *panels, const float *w, int N, int K);
void attn_matmul_packed_avx512_part(float *y, const float *x, const float *panels, const float *b, int M, int K, int N,
                                    int ldx, int ldy, int act, int tid, int nt, atomic_int *next);
/* The same on the same panels with AVX2 + FMA (6 × 16 micro-kernel, matmul_avx2.c). */
void attn_matmul_packed_avx2_part(float *y, const float *x, const float *panels, const float *b, int M, int K, int N,
                                  int ldx, int ldy, int act, int tid, int nt, atomic_int *next);

/* How a linear layer's weights are stored: F32, or F16 / BF16 kept in the checkpoint's dtype and
 * widened to F32 inside the kernels (F16C vcvtph2ps; bf16 is the top half of an f32: a shift). */
typedef enum attn_wtype { ATTN_W_F32, ATTN_W_F16, ATTN_W_BF16 } attn_wtype;
/* The F32 value of one stored 16-bit weight (scalar; the kernels' reference). */
static inline float attn_w16_to_f32(uint16_t h, attn_wtype t) { return t == ATTN_W_BF16 ? attn_bf16_to_f32(h) : attn_f16_to_f32(h); }

/* A linear layer y (M, N) = act(x (M, K) · wᵀ + b), prepared once at load for the dispatched kernel
 * set. Exactly one of w, w16, panels, panels16 is set (besides the bf16 copy):
 *   portable set: w (F32) or w16 (F16/BF16), (N, K) as PyTorch stores it, read in place;
 *   avx512 and avx2 sets: panels (⌈N/16⌉, K, 16) F32 or panels16 the same geometry in 16-bit. */
typedef struct attn_linear {
    const float *w;          /* (N, K) as PyTorch stores it, or NULL */
    const uint16_t *w16;     /* (N, K) F16 or BF16 (wtype), or NULL */
    const float *b;          /* (N) or NULL */
    const float *panels;     /* (⌈N/16⌉, K, 16) or NULL */
    const uint16_t *panels16; /* (⌈N/16⌉, K, 16) F16 or BF16 (wtype), or NULL */
    void *own;               /* panels allocated here (freed by attn_linear_free), or NULL */
    uint16_t *bf16;          /* (⌈N/16⌉, ⌈K/2⌉, 16, 2) bf16 panels once attn_linear_add_bf16 ran, else NULL */
    size_t bf16_bytes;       /* of its mapping */
    int use_bf16;            /* attn_linear_part computes with the bf16 panels */
    attn_wtype wtype;        /* of w16 / panels16 (ATTN_W_F32 otherwise) */
    int N, K;
} attn_linear;
/* w must stay valid (and writable: it may be overwritten by its packed form) as long as l is used. */
attn_status attn_linear_prepare(attn_linear *l, float *w, const float *b, int N, int K);
/* The same for 16-bit weights (F16 or BF16, (N, K)): used in place by the portable set, packed
 * into fresh 16-bit panels (l->own) by the avx512 and avx2 sets. w must outlive l. */
attn_status attn_linear_prepare16(attn_linear *l, const uint16_t *w, attn_wtype t, const float *b, int N, int K);
void attn_linear_free(attn_linear *l);
/* Whether the dispatched set computes on packed panels (then the loader packs with attn_pack_panel*). */
int attn_linear_packs(void);
/* Bytes of the panels of an (N, K) weight stored as t (64-byte multiple). */
size_t attn_panels_bytes(int N, int K, attn_wtype t);

/* Packing one panel: rows[0..nr) (nr ≤ 16) point at K values each, of the panel's type (F32 for
 * attn_pack_panel_f32, 16-bit for attn_pack_panel_16, any alignment); dst (K, 16) is 64-byte
 * aligned and gets zeros in columns nr..15. Returns 1 if any value read was Inf or NaN (fused
 * check: the weights are read once), else 0. Dispatched with the kernel set (AVX-512: 16 × 16
 * register transposes, AVX2: two 8 × 8, non-temporal stores; portable: the reference); the _ref
 * versions are the scalar references. */
int attn_pack_panel_f32(float *dst, const float *const *rows, int nr, int K);
int attn_pack_panel_16(uint16_t *dst, const uint16_t *const *rows, int nr, int K, attn_wtype t);
int attn_pack_panel_f32_ref(float *dst, const float *const *rows, int nr, int K);
int attn_pack_panel_16_ref(uint16_t *dst, const uint16_t *const *rows, int nr, int K, attn_wtype t);
int attn_pack_panel_f32_avx512(float *dst, const float *const *rows, int nr, int K);
int attn_pack_panel_16_avx512(uint16_t *dst, const uint16_t *const *rows, int nr, int K, attn_wtype t);
int attn_pack_panel_f32_avx2(float *dst, const float *const *rows, int nr, int K);
int attn_pack_panel_16_avx2(uint16_t *dst, const uint16_t *const *rows, int nr, int K, attn_wtype t);
/* Orders the non-temporal stores of the packers before what follows (call once per thread after packing). */
void attn_pack_fence(void);
/* Index of the first Inf or NaN of p[n] (F32, or 16-bit of type t), or n. Dispatched with the set
 * (AVX-512 fpclass, AVX2 exponent compare, scalar). */
size_t attn_first_nonfinite(const void *p, size_t n, attn_wtype t);
size_t attn_first_nonfinite_ref(const void *p, size_t n, attn_wtype t);
size_t attn_first_nonfinite_avx512(const void *p, size_t n, attn_wtype t);
size_t attn_first_nonfinite_avx2(const void *p, size_t n, attn_wtype t);

/* 16-bit weights: the same products with w (F16 / BF16) widened inside the kernels.
 * The naive reference widens each weight (attn_w16_to_f32) and sums like attn_matmul_ref. */
void attn_matmul16_ref(float *y, const float *x, const uint16_t *w, attn_wtype t, const float *b, int M, int K, int N);
void attn_matmul16_portable_part(float *y, const float *x, const uint16_t *w, attn_wtype t, const float *b, int M, int K,
                                 int N, int ldx, int ldy, int act, int tid, int nt, atomic_int *next);
void attn_matmul_packed16_avx512_part(float *y, const float *x, const uint16_t *panels, attn_wtype t, const float *b,
                                      int M, int K, int N, int ldx, int ldy, int act, int tid, int nt, atomic_int *next);
void attn_matmul_packed16_avx2_part(float *y, const float *x, const uint16_t *panels, attn_wtype t, const float *b,
                                    int M, int K, int N, int ldx, int ldy, int act, int tid, int nt, atomic_int *next);
/* Thread tid of nt computes its share (call from every thread of a region, then barrier): units
 * of 32 columns × a block of rows taken from next (see attn_units; NULL: a static share). Rows of
 * x are ldx ≥ K floats apart, rows of y ldy ≥ N (columns N..ldy-1 are left alone).
 * act: ATTN_ACT_* applied to the result, or -1 for none. scratch: this thread's
 * attn_linear_scratch_bytes(K) bytes, 64-byte aligned (used by the bf16 path only; may be NULL otherwise). */
void attn_linear_part(const attn_linear *l, float *y, const float *x, int M, int ldx, int ldy, int act, int tid, int nt,
                      atomic_int *next, void *scratch);
size_t attn_linear_scratch_bytes(int K);
/* The row stride to give an activation of K columns that is the x of a product: K, or K + 16 when
 * K is a multiple of 1024. Rows a multiple of 4 KB apart map to one L1 set, so the 12 rows of an
 * avx512 tile evict each other (matmul_avx512.c copies such tiles, at a cost); at K = 3072 (the
 * FFN's second product) a padded buffer ran it 14 % faster than the copy on Zen 4. */
static inline int attn_x_stride(int K) { return K % 1024 == 0 ? K + 16 : K; }

/* bf16 (AMX tiles where the CPU has them, else AVX512-BF16 vdpbf16ps; f32 accumulation; x
 * rounded to bf16 per call): attn_bf16_supported
 * says whether the CPU and the dispatched set allow it; attn_linear_add_bf16 builds the bf16 panels
 * from the f32 weights (kept, so fp32 stays available); attn_linear_set_bf16 switches. */
int attn_bf16_supported(void);
attn_status attn_linear_add_bf16(attn_linear *l);
#define ATTN_BF16_MC 96 /* rows of x converted at a time */
/* k pairs of a bf16 panel: ⌈K/2⌉ rounded up to 16, the depth of an AMX tile (zeros past K). */
static inline int attn_bf16_pairs(int K) { return ((K + 1) / 2 + 15) / 16 * 16; }
/* AMX (tiles, TDPBF16PS) for the bf16 layers: CPU, OS state and arch_prctl permission all there. */
int attn_amx_supported(void);
void attn_matmul_packed_bf16_amx_part(float *y, const float *x, const uint32_t *xb, const uint16_t *panels, const float *b, int M, int K, int N,
                                      int ldx, int ldy, int act, int tid, int nt, atomic_int *next, uint32_t *scratch);
/* rows of x (K values, ldx apart) → rows of K2 bf16 pairs (K2 apart), round to nearest even, zero past K. */
void attn_bf16_pairs_from_f32(uint32_t *dst, const float *x, int ldx, int rows, int K, int K2);
void attn_pack_panels16_bf16(uint16_t *panels, const attn_linear *l);
/* Panel p's bf16 form (K2, 16, 2) from its f32 or 16-bit panel (K, 16) of type t: the same values
 * as attn_pack_panels16_bf16 (round to nearest even), 16 outputs per instruction. */
void attn_bf16_panel_from_panel_avx512(uint16_t *dst, const void *panel, attn_wtype t, int K, int K2);
void attn_matmul_packed_bf16_avx512_part(float *y, const float *x, const uint32_t *xb, const uint16_t *panels, const float *b, int M, int K, int N,
                                         int ldx, int ldy, int act, int tid, int nt, atomic_int *next, uint32_t *scratch);
/* x given as bf16 pairs already (xb: M + 32 rows of K2 = attn_bf16_pairs(K), non-NULL) in the two
 * functions above: x is unused, no scratch. Else x is rounded per block of ATTN_BF16_MC rows into
 * the thread's scratch (every thread rounds every block it works in). */

/* One unit of a bf16 product (both the AMX and the AVX512-BF16 part take them alike): rows [m0,
 * m0 + rows) of x as bf16 pairs at xr (the caller's xb, or its scratch, rounded here when the unit
 * is the first of its x block for this thread), outputs [n0, n0 + ncols) = panel pair p. */
typedef struct attn_bf16_unit {
    int m0, rows, n0, ncols, nv;
    const uint32_t *xr;
    const uint16_t *p;
    const char *next[2]; /* the panels of the thread's next unit (already claimed): attn_next_panels */
} attn_bf16_unit;
/* The next unit of units (of ⌈M / ATTN_BF16_MC⌉ blocks × ⌈N / 32⌉ pairs), or 0. *converted: the
 * x block now in scratch (-1 before the first unit). */
static inline int attn_bf16_unit_take(attn_units *units, const float *x, int ldx, const uint32_t *xb, uint32_t *scratch,
                                      const uint16_t *panels, int M, int K, int N, int *converted, attn_bf16_unit *o) {
    int after, unit = attn_units_take_ahead(units, &after), pairs = (N + 31) / 32, K2 = attn_bf16_pairs(K);
    if (unit < 0) return 0;
    attn_next_panels(panels, (size_t)64 * K2, after < 0 ? -1 : 32 * (after % pairs), N, o->next);
    int blk = unit / pairs;
    o->m0 = blk * ATTN_BF16_MC;
    o->rows = M - o->m0 < ATTN_BF16_MC ? M - o->m0 : ATTN_BF16_MC;
    o->n0 = 32 * (unit % pairs);
    o->ncols = N - o->n0 < 32 ? N - o->n0 : 32;
    o->nv = o->ncols > 16 ? 2 : 1;
    o->xr = xb ? xb + (size_t)o->m0 * K2 : scratch;
    o->p = panels + (size_t)o->n0 * 2 * K2;
    if (!xb && blk != *converted) attn_bf16_pairs_from_f32(scratch, x + (size_t)o->m0 * ldx, ldx, o->rows, K, K2);
    *converted = blk;
    return 1;
}

/* The forward's way for bf16 layers: x rounded once for the whole team (a step of its own, rows
 * in units of 16 from next), then the product on those pairs. xb holds attn_bf16_x_bytes(M, K). */
int attn_linear_bf16_active(const attn_linear *l);
size_t attn_bf16_x_bytes(int M, int K);
void attn_bf16_convert_part(uint32_t *xb, const float *x, int M, int K, int ldx, int tid, int nt, atomic_int *next);
void attn_linear_part_bf16(const attn_linear *l, float *y, const uint32_t *xb, int M, int ldy, int act, int tid, int nt,
                           atomic_int *next);
/* The same with its own parallel region (benches, tests): x and y compact, or rows ldx and ldy apart. */
void attn_linear_apply(const attn_linear *l, float *y, const float *x, int M, int act);
void attn_linear_apply_ld(const attn_linear *l, float *y, const float *x, int M, int ldx, int ldy, int act);

/* The kernel set in use ("avx512", "avx2", "portable") and whether this machine can run a named
 * one. ATTN_KERNELS=NAME in the environment forces a set the machine supports. */
const char *attn_kernels_name(void);
int attn_kernels_supported(const char *name);

/* y (M, C) = LayerNorm(x + r) · g + b, rows independent; r may be NULL; y may alias x or r.
 * attn_layernorm_rows is the single-threaded body (rows of a thread's share). */
void attn_layernorm_rows(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C, float eps);
/* attn_layernorm_rows is dispatched: the reference (the avx2 set uses it too) and AVX-512. */
void attn_layernorm_rows_portable(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C,
                                  float eps);
void attn_layernorm_rows_avx512(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C,
                                float eps);
void attn_layernorm(float *y, const float *x, const float *r, const float *g, const float *b, int M, int C, float eps);

/* In place on n values. */
void attn_activation_apply(float *x, size_t n, attn_activation act);
/* The same, single-threaded, on rows [0, M) × columns [c0, c1) of x (row stride ld). */
void attn_activation_block(float *x, int M, int ld, int c0, int c1, attn_activation act);
/* In place erf GELU of n values, single-threaded: the dispatched variant, the reference (erff) and
 * the AVX2 one (erfc with relative error < 1.2e-7 and a Cephes exp: within a few ulp of the reference). */
void attn_gelu(float *x, size_t n);
void attn_gelu_portable(float *x, size_t n);
void attn_gelu_avx2(float *x, size_t n);
void attn_gelu_avx512(float *x, size_t n);

/* One attention head of one sequence, single-threaded (call it from inside a parallel loop):
 *   q, k, v (T, hd), rows ld floats apart (views into the fused (T, 3C) qkv rows);
 *   probs (T, T) = softmax(q·kᵀ·scale) row by row;  out (T, hd), rows ldo apart, = probs · v.
 * scale_q_first: (q·scale)·k as DistilBERT computes it, else (q·k)·scale as BERT does.
 * work: attn_attend_work_floats(T, hd) floats, 64-byte aligned, the caller's per-thread scratch
 * (the avx512 and avx2 variants keep kᵀ there, rows attn_attend_keys_width(T) floats or fewer
 * apart, and the block's scaled q rows; the portable one does not touch it). */
static inline int attn_attend_keys_width(int T) { return (T + 31) / 32 * 32; }
static inline size_t attn_attend_work_floats(int T, int hd) {
    return (size_t)hd * (size_t)attn_attend_keys_width(T) + (size_t)8 * (size_t)(hd + 16);
}
void attn_attend_head(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale, int scale_q_first,
                      float *probs, float *out, int ldo, float *work);
void attn_attend_head_portable(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                               int scale_q_first, float *probs, float *out, int ldo, float *work);
void attn_attend_head_avx2(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                           int scale_q_first, float *probs, float *out, int ldo, float *work);
void attn_attend_head_avx512(const float *q, const float *k, const float *v, int ld, int T, int hd, float scale,
                             int scale_q_first, float *probs, float *out, int ldo, float *work);

/* In place softmax of one row of n values (max-subtracted, like torch.softmax). */
void attn_softmax(float *x, int n);

/* Below this many multiply-adds a product runs on one thread (starting the OpenMP team costs more;
 * on a loaded machine much more). Results do not depend on it: each output is computed alike. */
#define ATTN_PARALLEL_MACS 1048576.0

#endif
