/* matmul_amx.c — the bf16 linear layer on AMX tiles (TDPBF16PS; compiled with -mamx-tile -mamx-bf16
 * ...; only called after dispatch.c has found AMX-TILE/AMX-BF16, the OS's tile state and the
 * process's arch_prctl permission).
 *
 * Same operands as matmul_avx512bf16.c: weight panels (⌈N/16⌉, K2, 16, 2) bf16 — 16 k-pair rows of
 * one panel are exactly a B tile in AMX's VNNI layout (64 bytes = 16 outputs × 2) — and x rounded to
 * bf16 pairs, 96 rows at a time, into the thread's scratch (rows of K2 pairs: an A tile is 16 rows ×
 * 16 pairs). Per call: up to 32 rows × 32 outputs in 4 accumulator tiles (C[row group][panel]),
 * 2 A tiles, 2 B tiles; per 32 values of k: 2 A loads, 2 B loads, 4 TDPBF16PS. The accumulators go
 * through a 32 × 32 f32 buffer for the epilogue (bias, GELU, masked stores of the valid rows). */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"

__m512 attn_gelu16_avx512(__m512 x); /* ops_avx512.c */

static inline __mmask16 lanes(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u); }

typedef struct tile_config {
    uint8_t palette, start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} tile_config;

/* Every tile 16 rows × 64 bytes: C 16 × 16 f32, A 16 rows × 16 pairs, B 16 pairs × 16 outputs. */
static void configure(void) {
    tile_config c __attribute__((aligned(64)));
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int t = 0; t < 8; t++) c.rows[t] = 16, c.colsb[t] = 64;
    _tile_loadconfig(&c);
}

/* rows [0, mr ≤ 32) of xb (stride K2 pairs; 32 rows readable) · panel pair p → y (ncols ≤ 32). */
static void kernel(int mr, int nv, const uint32_t *xb, int K2, const uint16_t *p, const float *b, float *y, int ldy, int ncols,
                   int gelu) {
    const uint16_t *p1 = p + (size_t)32 * K2;
    size_t xs = (size_t)K2 * 4; /* bytes between x rows */
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (int kb = 0; kb < K2; kb += 16) {
        _tile_loadd(4, xb + kb, xs);
        _tile_loadd(6, p + (size_t)kb * 32, 64);
        _tile_dpbf16ps(0, 4, 6);
        if (mr > 16) {
            _tile_loadd(5, xb + (size_t)16 * K2 + kb, xs);
            _tile_dpbf16ps(2, 5, 6);
        }
        if (nv == 2) {
            _tile_loadd(7, p1 + (size_t)kb * 32, 64);
            _tile_dpbf16ps(1, 4, 7);
            if (mr > 16) _tile_dpbf16ps(3, 5, 7);
        }
    }
    float c[32][32] __attribute__((aligned(64)));
    _tile_stored(0, &c[0][0], 128);
    _tile_stored(1, &c[0][16], 128);
    _tile_stored(2, &c[16][0], 128);
    _tile_stored(3, &c[16][16], 128);
    __mmask16 m0 = lanes(ncols), m1 = lanes(ncols - 16);
    __m512 b0 = b ? _mm512_maskz_loadu_ps(m0, b) : _mm512_setzero_ps();
    __m512 b1 = b ? _mm512_maskz_loadu_ps(m1, b + 16) : _mm512_setzero_ps();
    for (int r = 0; r < mr; r++) {
        __m512 v0 = _mm512_add_ps(_mm512_load_ps(&c[r][0]), b0), v1 = _mm512_add_ps(_mm512_load_ps(&c[r][16]), b1);
        if (gelu) v0 = attn_gelu16_avx512(v0), v1 = attn_gelu16_avx512(v1);
        _mm512_mask_storeu_ps(y + (size_t)r * ldy, m0, v0);
        if (nv == 2) _mm512_mask_storeu_ps(y + (size_t)r * ldy + 16, m1, v1);
    }
}

void attn_matmul_packed_bf16_amx_part(float *y, const float *x, const uint32_t *xb, const uint16_t *panels, const float *b, int M, int K, int N,
                                      int ldx, int ldy, int act, int tid, int nt, atomic_int *next, uint32_t *scratch) {
    int K2 = attn_bf16_pairs(K), gelu = act == ATTN_ACT_GELU, converted = -1;
    attn_units units = attn_units_of(next, (M + ATTN_BF16_MC - 1) / ATTN_BF16_MC * ((N + 31) / 32), tid, nt);
    attn_bf16_unit u;
    for (int first = 1; attn_bf16_unit_take(&units, x, ldx, xb, scratch, panels, M, K, N, &converted, &u); first = 0) {
        if (first) configure();
        int chunks = (u.rows + 31) / 32;
        for (int t = 0, i = 0; t < chunks; t++) { /* balanced chunks of ≤ 32 rows */
            int mr = u.rows / chunks + (t < u.rows % chunks);
            kernel(mr, u.nv, u.xr + (size_t)i * K2, K2, u.p, b ? b + u.n0 : NULL, y + (size_t)(u.m0 + i) * ldy + u.n0, ldy,
                   u.ncols, gelu);
            i += mr;
        }
        if (act >= 0 && !gelu) attn_activation_block(y + (size_t)u.m0 * ldy, u.rows, ldy, u.n0, u.n0 + u.ncols, (attn_activation)act);
    }
    if (converted >= 0) _tile_release();
}
