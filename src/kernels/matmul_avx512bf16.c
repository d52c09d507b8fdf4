/* matmul_avx512bf16.c — y (M, N) = x (M, K) · w (N, K)ᵀ + b with bf16 inputs and f32 accumulation:
 * AVX512-BF16 vdpbf16ps (compiled with -mavx512bf16 ...; only called after dispatch.c has found
 * AVX512_BF16 on the CPU and ZMM state enabled by the OS).
 *
 * Packed layout (attn_pack_panels16_bf16, once, when the model is set to bf16): w → panels
 * (⌈N/16⌉, K2, 16, 2) bf16, K2 = ⌈K/2⌉ rounded up to 16 (attn_bf16_pairs, for AMX tiles): one 64-byte line holds k and k+1 of 16 outputs, the pair vdpbf16ps
 * multiplies and adds into one f32 lane. Zero past N and past K.
 *
 * x is rounded to bf16 pairs per block of MC rows into the caller's scratch (each thread converts
 * the rows it needs: M·K conversions against M·K·N/threads multiply-adds). Micro-kernel as in
 * matmul_avx512.c: MR ≤ 12 rows × 32 outputs, 24 accumulators, per k pair 2 panel loads, MR
 * broadcasts of an x pair and 2·MR vdpbf16ps (each 32 multiply-adds). Half the weight bytes of f32:
 * the batch-1 forward, which streams every weight once, is bound by memory bandwidth. */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"

#define MR 12
/* Prefetch distance in 64-byte panel lines (k pairs). 64 rather than the f32 kernel's 32: a bf16
 * line carries half the f32 work, and at batch 1 the first row tile streams the panels from memory.
 * Zen 5 (stop 18): the forward's bf16 matmuls 7.2–7.8 → 6.4–6.6 ms from 12 lines; Zen 4 (stop 19):
 * 12, 32 and 64 equal within noise, at batch 1 and in corpus mode. */
#define PF_LINES 64

#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL _Pragma("GCC unroll 12")
#else
#define UNROLL _Pragma("unroll")
#endif

__m512 attn_gelu16_avx512(__m512 x); /* ops_avx512.c */

static inline __mmask16 lanes(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u); }

static inline __m512bh as_bh(__m512i v) { return (__m512bh)v; }

/* xb rows (mr × K2 pairs) · panels → y (mr × ncols ≤ 32, row stride ldy). */
static inline __attribute__((always_inline)) void ukernel(int mr, int nv, const uint32_t *xb, int K2, const uint16_t *p,
                                                          const float *b, float *y, int ldy, int ncols, int gelu,
                                                          const char *const nx[2], int nxn) {
    __m512 acc[MR][2];
    UNROLL for (int r = 0; r < mr; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    const uint16_t *p1 = p + (size_t)32 * K2; /* the second panel: 16 outputs × 2 × K2 */
    /* x rows through 4 base pointers and one stride, as in matmul_avx512.c (no GPR spills) */
    const ptrdiff_t s = K2;
    const uint32_t *const xr[4] = {xb, mr > 3 ? xb + 3 * s : xb, mr > 6 ? xb + 6 * s : xb, mr > 9 ? xb + 9 * s : xb};
    for (int k = 0; k < K2; k++) {
        _mm_prefetch((const char *)(p + (size_t)(k + PF_LINES) * 32), _MM_HINT_T0);
        if (nxn > 0) _mm_prefetch(nx[0] + (size_t)k * 64, _MM_HINT_T1);
        if (nxn > 1) _mm_prefetch(nx[1] + (size_t)k * 64, _MM_HINT_T1);
        __m512bh w0 = as_bh(_mm512_load_si512(p + (size_t)k * 32)), w1 = w0;
        if (nv == 2) {
            _mm_prefetch((const char *)(p1 + (size_t)(k + PF_LINES) * 32), _MM_HINT_T0);
            w1 = as_bh(_mm512_load_si512(p1 + (size_t)k * 32));
        }
        UNROLL for (int r = 0; r < mr; r++) {
            __m512bh xv = as_bh(_mm512_set1_epi32((int)xr[r / 3][(r % 3) * s + k]));
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], xv, w0);
            if (nv == 2) acc[r][1] = _mm512_dpbf16_ps(acc[r][1], xv, w1);
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

static void ukernel_any(int mr, int nv, const uint32_t *xb, int K2, const uint16_t *p, const float *b, float *y, int ldy,
                        int ncols, int gelu, const char *const nx[2], int nxn) {
#define U(R)                                                                      \
    case R:                                                                       \
        if (nv == 2) ukernel(R, 2, xb, K2, p, b, y, ldy, ncols, gelu, nx, nxn);   \
        else ukernel(R, 1, xb, K2, p, b, y, ldy, ncols, gelu, nx, nxn);           \
        break;
    switch (mr) {
        U(1) U(2) U(3) U(4) U(5) U(6) U(7) U(8) U(9) U(10) U(11) U(12)
    }
#undef U
}

/* rows (rows × K, ldx apart) f32 → (rows × K2) bf16 pairs, round to nearest even, zero past K (K2 ≥ ⌈K/2⌉). */
void attn_bf16_pairs_from_f32(uint32_t *dst, const float *x, int ldx, int rows, int K, int K2) {
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * ldx;
        uint32_t *d = dst + (size_t)r * K2;
        for (int k = 0; k < 2 * K2; k += 32) { /* 32 floats → 16 pairs */
            __m512 lo = _mm512_maskz_loadu_ps(lanes(K - k), xr + k), hi = _mm512_maskz_loadu_ps(lanes(K - k - 16), xr + k + 16);
            _mm512_storeu_si512(d + k / 2, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
        }
    }
}

void attn_matmul_packed_bf16_avx512_part(float *y, const float *x, const uint32_t *xb, const uint16_t *panels, const float *b, int M, int K, int N,
                                         int ldx, int ldy, int act, int tid, int nt, atomic_int *next, uint32_t *scratch) {
    int K2 = attn_bf16_pairs(K), gelu = act == ATTN_ACT_GELU, converted = -1;
    attn_units units = attn_units_of(next, (M + ATTN_BF16_MC - 1) / ATTN_BF16_MC * ((N + 31) / 32), tid, nt);
    attn_bf16_unit u;
    while (attn_bf16_unit_take(&units, x, ldx, xb, scratch, panels, M, K, N, &converted, &u)) {
        int tiles = (u.rows + MR - 1) / MR;
        for (int t = 0, i = 0; t < tiles; t++) {
            int mr = u.rows / tiles + (t < u.rows % tiles);
            const char *nx[2]; /* the next unit's panels into L2, as in matmul_avx512.c */
            int nxn = attn_lookahead_tile(u.next, t, tiles, nx);
            ukernel_any(mr, u.nv, u.xr + (size_t)i * K2, K2, u.p, b ? b + u.n0 : NULL, y + (size_t)(u.m0 + i) * ldy + u.n0, ldy,
                        u.ncols, gelu, nx, nxn);
            i += mr;
        }
        if (act >= 0 && !gelu) attn_activation_block(y + (size_t)u.m0 * ldy, u.rows, ldy, u.n0, u.n0 + u.ncols, (attn_activation)act);
    }
}
