/* matmul_avx2.c — y (M, N) = x (M, K) · w (N, K)ᵀ + b on packed weight panels, AVX2 + FMA
 * (compiled with -mavx2 -mfma -mf16c; only ever called after dispatch.c has checked the CPU and
 * the OS).
 *
 * The panels are the avx512 set's (attn_pack_panels16, done once at load): w (N, K) → (⌈N/16⌉, K,
 * 16), one 64-byte line per k step of 16 outputs, so the weights stream sequentially.
 *
 * Micro-kernel (BLIS's Haswell shape, x broadcast): MR ≤ 6 rows × one panel (16 outputs = 2 ymm):
 *   per k: 2 panel loads (the two halves of a line), MR broadcasts of x[r][k], 2·MR FMAs into
 *   2·MR ymm accumulators (12 + 2 + 1 = 15 of 16 registers at MR = 6).
 * It replaced (stop 17) dot products along K on the weights as stored (3 × 4 tiles reduced
 * horizontally at the end of K): on Zen 4 those ran at 139–159 GFLOP/s on the 512 × 768 × 3072
 * product, this at 179–207, against an FMA peak of 206–221 (bench_matmul, bench_forward; 2
 * threads). Blocking K by 128 or 256 (partial sums through y), or prefetching only in a unit's
 * first row tile, measured no faster at 25 tokens. Rows are split into balanced tiles (25 = 5 × 5; never a 1-row
 * tile beside full ones). Epilogue: + bias, optional erf GELU in registers, masked store at the N
 * edge.
 *
 * Loop nest (the threads take (x block, panel pair) units in this order, see attn_units):
 *   for mc in M by MC rows          x block (MC, K) in L2 (attn_panel_units_of, as avx512)
 *     for each pair of panels       32 outputs, 2·16·K weights: from memory once per mc block
 *       for each panel of the pair
 *         for each row tile         the micro-kernel over all of K */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "simd_avx2.h"

#define MR 6
#define PF_LINES 32              /* software prefetch distance in panel lines, as the avx512 kernel */

#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL _Pragma("GCC unroll 6")
#else
#define UNROLL _Pragma("unroll")
#endif

/* Half h (outputs 8h..8h+7) of line k of a panel as 8 floats: F32 as stored; F16 by vcvtph2ps;
 * BF16 zero-extended to 32 bits and shifted left 16 (a bf16 is the top half of an f32). */
static inline __attribute__((always_inline)) __m256 half_line(const void *p, int k, int h, int wt) {
    if (wt == ATTN_W_F32) return _mm256_load_ps((const float *)p + (size_t)k * 16 + 8 * h);
    __m128i v = _mm_load_si128((const __m128i *)(const void *)((const uint16_t *)p + (size_t)k * 16 + 8 * h));
    if (wt == ATTN_W_F16) return _mm256_cvtph_ps(v);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(v), 16));
}

/* y rows (mr × 16, row stride ldy, the first ncols ≤ 16 columns valid) = x rows · one panel of
 * type wt. x rows (ldx apart) come through 2 base pointers and a stride (row r = xr[r / 3] + (r % 3)·ldx): an
 * addressing mode, no row pointer to keep in a register. */
static inline __attribute__((always_inline)) void ukernel(int mr, int wt, const float *x, int K, int ldx, const void *p,
                                                          const float *b, float *y, int ldy, int ncols, int gelu,
                                                          const char *nx) {
    __m256 acc[MR][2];
    UNROLL for (int r = 0; r < mr; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    const size_t line = wt == ATTN_W_F32 ? 64 : 32; /* bytes per k step */
    const char *pc = p;
    const ptrdiff_t s = ldx;
    const float *const xr[2] = {x, mr > 3 ? x + 3 * s : x}; /* formed only for rows the tile has */
    for (int k = 0; k < K; k++) {
        _mm_prefetch(pc + line * (size_t)k + 64 * PF_LINES, _MM_HINT_T0);
        if (nx) _mm_prefetch(nx + line * (size_t)k, _MM_HINT_T1);
        __m256 w0 = half_line(p, k, 0, wt), w1 = half_line(p, k, 1, wt);
        UNROLL for (int r = 0; r < mr; r++) {
            __m256 xv = _mm256_broadcast_ss(&xr[r / 3][(r % 3) * s + k]);
            acc[r][0] = _mm256_fmadd_ps(xv, w0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(xv, w1, acc[r][1]);
        }
    }
    __m256i m0 = attn_lanes8(ncols), m1 = attn_lanes8(ncols - 8);
    __m256 b0 = b ? _mm256_maskload_ps(b, m0) : _mm256_setzero_ps();
    __m256 b1 = b ? _mm256_maskload_ps(b + 8, m1) : _mm256_setzero_ps();
    UNROLL for (int r = 0; r < mr; r++) {
        __m256 v0 = _mm256_add_ps(acc[r][0], b0), v1 = _mm256_add_ps(acc[r][1], b1);
        if (gelu) v0 = attn_gelu8_avx2(v0), v1 = attn_gelu8_avx2(v1);
        if (ncols == 16) {
            _mm256_storeu_ps(y + (size_t)r * ldy, v0);
            _mm256_storeu_ps(y + (size_t)r * ldy + 8, v1);
        } else {
            _mm256_maskstore_ps(y + (size_t)r * ldy, m0, v0);
            _mm256_maskstore_ps(y + (size_t)r * ldy + 8, m1, v1);
        }
    }
}

/* mr made a compile-time constant for ukernel (one copy per weight type WT). */
#define UKERNEL_ANY(NAME, WT)                                                                                        \
    static void NAME(int mr, const float *x, int K, int ldx, const void *p, const float *b, float *y, int ldy,       \
                     int ncols, int gelu, const char *nx) {                                                          \
        switch (mr) {                                                                                                \
        case 1: ukernel(1, WT, x, K, ldx, p, b, y, ldy, ncols, gelu, nx); break;                                     \
        case 2: ukernel(2, WT, x, K, ldx, p, b, y, ldy, ncols, gelu, nx); break;                                     \
        case 3: ukernel(3, WT, x, K, ldx, p, b, y, ldy, ncols, gelu, nx); break;                                     \
        case 4: ukernel(4, WT, x, K, ldx, p, b, y, ldy, ncols, gelu, nx); break;                                     \
        case 5: ukernel(5, WT, x, K, ldx, p, b, y, ldy, ncols, gelu, nx); break;                                     \
        default: ukernel(6, WT, x, K, ldx, p, b, y, ldy, ncols, gelu, nx); break;                                    \
        }                                                                                                            \
    }
UKERNEL_ANY(ukernel_f32, ATTN_W_F32)
UKERNEL_ANY(ukernel_f16, ATTN_W_F16)
UKERNEL_ANY(ukernel_bf16, ATTN_W_BF16)
#undef UKERNEL_ANY

typedef void (*ukernel_fn)(int mr, const float *x, int K, int ldx, const void *p, const float *b, float *y, int ldy,
                           int ncols, int gelu, const char *nx);

/* Thread tid's share over panels of esize bytes per value; units as the avx512 kernel's. */
static void packed_part(ukernel_fn uk, size_t esize, float *y, const float *x, const void *panels, const float *b, int M,
                        int K, int N, int ldx, int ldy, int act, int tid, int nt, atomic_int *next) {
    int gelu = act == ATTN_ACT_GELU;
    attn_panel_units units = attn_panel_units_of(next, M, K, N, tid, nt);
    for (attn_panel_unit un; attn_panel_unit_take(&units, M, N, &un);) {
        int m0 = un.m0, rows = un.rows, n0 = un.n0, ncols = un.ncols;
        int tiles = (rows + MR - 1) / MR;
        /* A short unit (batch 1) brings the panels it reads next into L2 while it computes, one line
         * per k step, as in matmul_avx512.c: its second panel during the first panel's second tile,
         * the next unit's two panels during the second panel's second and third tiles. */
        size_t panel_bytes = (size_t)16 * K * esize;
        const char *ahead[2][2] = {{NULL, NULL}, {NULL, NULL}}; /* [h][t - 1] */
        if (tiles >= 3 && tiles <= 8) {
            const char *next[2];
            attn_next_panels(panels, panel_bytes, un.next_n0, N, next);
            ahead[1][0] = next[0], ahead[1][1] = next[1] != next[0] ? next[1] : NULL;
            if (ncols > 16) ahead[0][0] = (const char *)panels + (size_t)(n0 + 16) * K * esize;
            else ahead[0][0] = ahead[1][0], ahead[0][1] = ahead[1][1]; /* one panel: the next two in its tiles */
        }
        for (int h = 0; h < 2 && 16 * h < ncols; h++) {
            const char *p = (const char *)panels + (size_t)(n0 + 16 * h) * K * esize;
            int nc = ncols - 16 * h < 16 ? ncols - 16 * h : 16;
            const float *bh = b ? b + n0 + 16 * h : NULL;
            for (int t = 0, i = m0; t < tiles; t++) { /* balanced row tiles */
                int mr = rows / tiles + (t < rows % tiles);
                const char *nx = t == 1 || t == 2 ? ahead[h][t - 1] : NULL;
                uk(mr, x + (size_t)i * ldx, K, ldx, p, bh, y + (size_t)i * ldy + n0 + 16 * h, ldy, nc, gelu, nx);
                i += mr;
            }
        }
        if (act >= 0 && !gelu) /* the other activations, on the block while it is in cache */
            attn_activation_block(y + (size_t)m0 * ldy, rows, ldy, n0, n0 + ncols, (attn_activation)act);
    }
}

void attn_matmul_packed_avx2_part(float *y, const float *x, const float *panels, const float *b, int M, int K, int N,
                                  int ldx, int ldy, int act, int tid, int nt, atomic_int *next) {
    packed_part(ukernel_f32, 4, y, x, panels, b, M, K, N, ldx, ldy, act, tid, nt, next);
}

void attn_matmul_packed16_avx2_part(float *y, const float *x, const uint16_t *panels, attn_wtype t, const float *b,
                                    int M, int K, int N, int ldx, int ldy, int act, int tid, int nt, atomic_int *next) {
    packed_part(t == ATTN_W_BF16 ? ukernel_bf16 : ukernel_f16, 2, y, x, panels, b, M, K, N, ldx, ldy, act, tid, nt, next);
}
