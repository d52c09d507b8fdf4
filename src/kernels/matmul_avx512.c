/* matmul_avx512.c — y (M, N) = x (M, K) · w (N, K)ᵀ + b on packed weight panels, AVX-512F
 * (compiled with -mavx512f ...; only ever called after dispatch.c has checked the CPU and the OS).
 *
 * Packed layout (attn_pack_panels16, done once at load): w (N, K) → panels (⌈N/16⌉, K, 16), panel p
 * holding outputs 16p..16p+15 interleaved along K, zero beyond N. One 64-byte line of a panel is
 * one k step of 16 outputs, so the micro-kernel reads weights as a sequential stream.
 *
 * Micro-kernel (BLIS shape, x broadcast): MR ≤ 12 rows × 32 outputs (two adjacent panels):
 *   per k: 2 panel loads, MR broadcasts of x[r][k], 2·MR FMAs into 2·MR zmm accumulators
 *   (24 + 2 + 1 = 27 of 32 registers at MR = 12).
 * Rows are split into balanced tiles (25 = 9 + 8 + 8, never a 1-row tile whose 2 FMA chains would
 * stall on latency). Epilogue: + bias, optional erf GELU in registers, masked store at the N edge.
 *
 * Loop nest (the threads take (x block, panel pair) units in this order, see attn_units):
 *   for mc in M by MC rows          x block (MC, K) stays in L2 (attn_panel_units_of: 1.2 MB / 4K
 *                                   rows), so that a large M (a corpus batch) streams the weights
 *                                   from memory as few times as L2 allows
 *     for each panel pair           2·16·K floats: from memory once per mc block, then L1/L2
 *       for each row tile           the micro-kernel over all of K */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#define MR 12
/* Software prefetch distance in 64-byte panel lines. At batch 1 the first row tile of a unit
 * streams its panels from memory: 32 lines (~2 KB, 16 k steps of a pair) ahead measured 4 % faster
 * than 12 for bert-base at 25 tokens and no slower in corpus mode (alternating, 6 rounds). */
#define PF_LINES 32
/* x tiles whose row stride (ldx floats) is a multiple of ALIAS_K (4 KB) are copied XC columns at a
 * time into rows XC_LD floats apart (see ukernel); the forward avoids such strides where it can
 * (attn_x_stride). */
#define ALIAS_K 1024
#define XC 256
#define XC_LD (XC + 16)
_Static_assert(ALIAS_K % XC == 0, "a K of ALIAS_K multiples has whole chunks of XC columns");
_Static_assert(MR * (XC / 16) <= XC, "the next chunk of a tile is copied within a chunk's k steps");

#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL _Pragma("GCC unroll 12")
#else
#define UNROLL _Pragma("unroll")
#endif

__m512 attn_gelu16_avx512(__m512 x); /* ops_avx512.c */

static inline __mmask16 lanes(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u); }

/* Line k of a panel as 16 floats: F32 as stored; F16 widened by vcvtph2ps; BF16 is the top half
 * of an f32, so zero-extend to 32 bits and shift left 16. */
static inline __attribute__((always_inline)) __m512 panel_line(const void *p, int k, int wt) {
    if (wt == ATTN_W_F32) return _mm512_load_ps((const float *)p + (size_t)k * 16);
    __m256i h = _mm256_load_si256((const __m256i *)((const uint16_t *)p + (size_t)k * 16));
    if (wt == ATTN_W_F16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/* One k step of the micro-kernel: 2 panel lines, mr broadcasts, 2·mr FMAs. x rows come through 4
 * base pointers and one stride (row r = xr[r / 3] + (r % 3)·s, an addressing mode): 12 row pointers
 * would not fit the 15 free GPRs, and their spills (moves from xmm and the stack) cost 7–19 % of
 * the FMA rate at a corpus batch's rows (same bits). */
static inline __attribute__((always_inline)) void kstep(int mr, int nv, int wt, __m512 acc[MR][2], const char *p0,
                                                        const char *p1, size_t line, int k, const float *const xr[4],
                                                        ptrdiff_t s, const char *const nx[2], int nxn) {
    _mm_prefetch(p0 + line * (size_t)k + 64 * PF_LINES, _MM_HINT_T0);
    if (nxn > 0) _mm_prefetch(nx[0] + line * (size_t)k, _MM_HINT_T1);
    if (nxn > 1) _mm_prefetch(nx[1] + line * (size_t)k, _MM_HINT_T1);
    __m512 w0 = panel_line(p0, k, wt), w1 = _mm512_setzero_ps();
    if (nv == 2) {
        _mm_prefetch(p1 + line * (size_t)k + 64 * PF_LINES, _MM_HINT_T0);
        w1 = panel_line(p1, k, wt);
    }
    UNROLL for (int r = 0; r < mr; r++) {
        __m512 xv = _mm512_set1_ps(xr[r / 3][(r % 3) * s + k]);
        acc[r][0] = _mm512_fmadd_ps(xv, w0, acc[r][0]);
        if (nv == 2) acc[r][1] = _mm512_fmadd_ps(xv, w1, acc[r][1]);
    }
}

/* y rows (mr × nv·16, row stride ldy, the last ncols ≤ nv·16 columns valid) = x rows (ldx apart)
 * · panels (of type wt: 16·K values per panel, 4 or 2 bytes each). */
static inline __attribute__((always_inline)) void ukernel(int mr, int nv, int wt, const float *x, int K, int ldx, const void *p,
                                                          const float *b, float *y, int ldy, int ncols, int gelu,
                                                          const char *const nx[2], int nxn, int copy_x) {
    __m512 acc[MR][2];
    UNROLL for (int r = 0; r < mr; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    const size_t line = wt == ATTN_W_F32 ? 64 : 32; /* bytes per k step */
    const char *p0 = p, *p1 = p0 + line * (size_t)K; /* the second panel follows the first */
    if (!copy_x) {
        const ptrdiff_t s = ldx;
        /* (a base past the tile's rows would point outside x: formed only for rows the tile has) */
        const float *const xr[4] = {x, mr > 3 ? x + 3 * s : x, mr > 6 ? x + 6 * s : x, mr > 9 ? x + 9 * s : x};
        for (int k = 0; k < K; k++) kstep(mr, nv, wt, acc, p0, p1, line, k, xr, s, nx, nxn);
    } else {
        /* copy_x (ldx a multiple of ALIAS_K, K of XC, a corpus unit): rows a multiple of 4 KB apart all
         * fall into one of L1's 64 sets, 12 lines for its 8 ways, and every broadcast would miss
         * L1 (73–85 of 105–112 GFLOP/s per core at K = 3072 on Zen 4, against K = 3088
         * alternating). The tile is read from a stack copy with a padded row stride instead, XC
         * columns at a time, double-buffered (90–98). */
        float buf[2][MR * XC_LD] __attribute__((aligned(64)));
        const ptrdiff_t s = XC_LD;
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < XC; j += 16) _mm512_store_ps(buf[0] + r * XC_LD + j, _mm512_loadu_ps(x + (size_t)r * ldx + j));
        for (int k0 = 0, c = 0; k0 < K; k0 += XC, c ^= 1) { /* K is a multiple of XC */
            const float *const xr[4] = {buf[c], buf[c] + 3 * s, buf[c] + 6 * s, buf[c] + 9 * s};
            const char *q0 = p0 + line * (size_t)k0, *q1 = p1 + line * (size_t)k0;
            const char *nq[2] = {nx[0] ? nx[0] + line * (size_t)k0 : NULL, nx[1] ? nx[1] + line * (size_t)k0 : NULL};
            /* the next XC columns into the other copy meanwhile, 16 floats per k step: the
             * load and store units have room beside the FMAs, the copy costs ~nothing */
            const float *xn = x + k0 + XC;
            float *bn = buf[c ^ 1];
            int copies = k0 + XC < K ? mr * (XC / 16) : 0;
            for (int k = 0; k < XC; k++) {
                if (k < copies) {
                    int r = k / (XC / 16), j = k % (XC / 16) * 16;
                    _mm512_store_ps(bn + r * XC_LD + j, _mm512_loadu_ps(xn + (size_t)r * ldx + j));
                }
                kstep(mr, nv, wt, acc, q0, q1, line, k, xr, s, nq, nxn);
            }
        }
    }
    __mmask16 m0 = lanes(ncols), m1 = lanes(ncols - 16);
    __m512 b0 = b ? _mm512_maskz_loadu_ps(m0, b) : _mm512_setzero_ps();
    __m512 b1 = b && nv == 2 ? _mm512_maskz_loadu_ps(m1, b + 16) : _mm512_setzero_ps();
    UNROLL for (int r = 0; r < mr; r++) {
        __m512 v0 = _mm512_add_ps(acc[r][0], b0);
        if (gelu) v0 = attn_gelu16_avx512(v0);
        _mm512_mask_storeu_ps(y + (size_t)r * ldy, m0, v0);
        if (nv == 2) {
            __m512 v1 = _mm512_add_ps(acc[r][1], b1);
            if (gelu) v1 = attn_gelu16_avx512(v1);
            _mm512_mask_storeu_ps(y + (size_t)r * ldy + 16, m1, v1);
        }
    }
}

/* mr and nv made compile-time constants for ukernel (one copy per weight type WT). */
#define UKERNEL_ANY(NAME, WT)                                                                                  \
    static void NAME(int mr, int nv, const float *x, int K, int ldx, const void *p, const float *b, float *y, \
                     int ldy, int ncols, int gelu, const char *const nx[2], int nxn, int copy_x) {          \
        switch (mr) {                                                                                          \
            U(WT, 1) U(WT, 2) U(WT, 3) U(WT, 4) U(WT, 5) U(WT, 6)                                              \
            U(WT, 7) U(WT, 8) U(WT, 9) U(WT, 10) U(WT, 11) U(WT, 12)                                           \
        }                                                                                                      \
    }
#define U(WT, R)                                                       \
    case R:                                                            \
        if (nv == 2) ukernel(R, 2, WT, x, K, ldx, p, b, y, ldy, ncols, gelu, nx, nxn, copy_x); \
        else ukernel(R, 1, WT, x, K, ldx, p, b, y, ldy, ncols, gelu, nx, nxn, copy_x);         \
        break;
UKERNEL_ANY(ukernel_f32, ATTN_W_F32)
UKERNEL_ANY(ukernel_f16, ATTN_W_F16)
UKERNEL_ANY(ukernel_bf16, ATTN_W_BF16)
#undef U
#undef UKERNEL_ANY

typedef void (*ukernel_fn)(int mr, int nv, const float *x, int K, int ldx, const void *p, const float *b, float *y,
                           int ldy, int ncols, int gelu, const char *const nx[2], int nxn, int copy_x);

/* Thread tid's share over panels of type wt (esize bytes per value). A unit is one panel pair ×
 * one x block (rows mc at a time, see the loop nest above); units go block by block, so the two
 * threads work in the same x block, each with its own copy of it in its L2. */
static void packed_part(ukernel_fn uk, size_t esize, float *y, const float *x, const void *panels, const float *b, int M,
                        int K, int N, int ldx, int ldy, int act, int tid, int nt, atomic_int *next) {
    int gelu = act == ATTN_ACT_GELU;
    attn_panel_units units = attn_panel_units_of(next, M, K, N, tid, nt);
    for (attn_panel_unit un; attn_panel_unit_take(&units, M, N, &un);) {
        int m0 = un.m0, rows = un.rows, n0 = un.n0, ncols = un.ncols;
        int tiles = (rows + MR - 1) / MR, nv = ncols > 16 ? 2 : 1;
        const char *p = (const char *)panels + (size_t)n0 * K * esize;
        /* A unit of few row tiles (batch 1) would read its panels from memory in its first tile at
         * the FMA rate of 12 rows (~20 GB/s per core) and from L2 after that: instead its tiles
         * bring the next unit's panel pair into L2 at an even pace, one line per k step (tile 0
         * panel 0, tile 1 panel 1; a single tile both). A corpus batch's many tiles hide the
         * first one's misses, and the prefetches would only evict its x block. */
        const char *next[2], *nx[2];
        attn_next_panels(panels, (size_t)16 * K * esize, un.next_n0, N, next);
        /* x rows 4 KB apart go through a copy (ukernel) when the unit has many tiles; at batch 1
         * (≤ 9 rows a tile, 3 tiles) reading them in place measured faster */
        int copy_x = ldx % ALIAS_K == 0 && K % XC == 0 && tiles > 4;
        for (int t = 0, i = m0; t < tiles; t++) { /* balanced row tiles */
            int mr = rows / tiles + (t < rows % tiles);
            int nxn = attn_lookahead_tile(next, t, tiles, nx);
            uk(mr, nv, x + (size_t)i * ldx, K, ldx, p, b ? b + n0 : NULL, y + (size_t)i * ldy + n0, ldy, ncols, gelu, nx, nxn, copy_x);
            i += mr;
        }
        if (act >= 0 && !gelu) /* the other activations, on the block while it is in cache */
            attn_activation_block(y + (size_t)m0 * ldy, rows, ldy, n0, n0 + ncols, (attn_activation)act);
    }
}

void attn_matmul_packed_avx512_part(float *y, const float *x, const float *panels, const float *b, int M, int K, int N,
                                    int ldx, int ldy, int act, int tid, int nt, atomic_int *next) {
    packed_part(ukernel_f32, 4, y, x, panels, b, M, K, N, ldx, ldy, act, tid, nt, next);
}

void attn_matmul_packed16_avx512_part(float *y, const float *x, const uint16_t *panels, attn_wtype t, const float *b,
                                      int M, int K, int N, int ldx, int ldy, int act, int tid, int nt, atomic_int *next) {
    packed_part(t == ATTN_W_BF16 ? ukernel_bf16 : ukernel_f16, 2, y, x, panels, b, M, K, N, ldx, ldy, act, tid, nt, next);
}
