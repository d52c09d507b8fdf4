/* pack_avx512.c — the loader's kernels with AVX-512 F/DQ/BW/VL (compiled with those flags; only
 * called after dispatch.c has checked the CPU and the OS).
 *
 * Packing one panel: 16 weight rows → (K, 16). Per 16 values of k, 16 row vectors are loaded
 * (16-bit rows zero-extended to 32-bit lanes), checked for Inf/NaN while they are in registers
 * (vfpclassps / an exponent compare: the fused check, so the file is read once), transposed 16 × 16
 * in registers (unpack, shuffle, 128-bit lane shuffles: 64 shuffles) and written as 16 panel lines
 * with non-temporal stores: the panels are written once at load and not read until the first
 * forward, so they need not pass through the cache (no read for ownership). */
#include <immintrin.h>
#include <string.h>

#include "kernels.h"

/* r[0..16) rows → r[c] = column c (lane i = row i). */
static inline __attribute__((always_inline)) void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) { /* r[4i + q]: in 128-bit lane j, column 4j + q of rows 4i..4i+3 */
        r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    __m512 o[16];
    for (int q = 0; q < 4; q++) { /* gather the four row groups of each column */
        __m512 t0 = _mm512_shuffle_f32x4(r[q], r[4 + q], 0x88), t1 = _mm512_shuffle_f32x4(r[q], r[4 + q], 0xDD);
        __m512 t2 = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0x88), t3 = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0xDD);
        o[q] = _mm512_shuffle_f32x4(t0, t2, 0x88);
        o[8 + q] = _mm512_shuffle_f32x4(t0, t2, 0xDD);
        o[4 + q] = _mm512_shuffle_f32x4(t1, t3, 0x88);
        o[12 + q] = _mm512_shuffle_f32x4(t1, t3, 0xDD);
    }
    for (int c = 0; c < 16; c++) r[c] = o[c];
}

static inline __mmask16 lanes(int n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u); }

int attn_pack_panel_f32_avx512(float *dst, const float *const *rows, int nr, int K) {
    __mmask16 bad = 0;
    for (int k0 = 0; k0 < K; k0 += 16) {
        int kn = K - k0 < 16 ? K - k0 : 16;
        __mmask16 km = lanes(kn);
        __m512 r[16];
        for (int c = 0; c < 16; c++) {
            r[c] = c < nr ? _mm512_maskz_loadu_ps(km, rows[c] + k0) : _mm512_setzero_ps();
            bad |= _mm512_fpclass_ps_mask(r[c], 0x99); /* QNaN | +Inf | -Inf | SNaN */
        }
        transpose16(r);
        float *d = dst + (size_t)k0 * 16;
        if (kn == 16)
            for (int c = 0; c < 16; c++) _mm512_stream_ps(d + 16 * c, r[c]);
        else
            for (int c = 0; c < kn; c++) _mm512_store_ps(d + 16 * c, r[c]);
    }
    return bad != 0;
}

int attn_pack_panel_16_avx512(uint16_t *dst, const uint16_t *const *rows, int nr, int K, attn_wtype t) {
    const __m256i e = _mm256_set1_epi16((short)(t == ATTN_W_BF16 ? 0x7F80 : 0x7C00));
    __mmask16 bad = 0;
    for (int k0 = 0; k0 < K; k0 += 16) {
        int kn = K - k0 < 16 ? K - k0 : 16;
        __mmask16 km = lanes(kn);
        __m512 r[16];
        for (int c = 0; c < 16; c++) {
            __m256i h = c < nr ? _mm256_maskz_loadu_epi16(km, rows[c] + k0) : _mm256_setzero_si256();
            bad |= _mm256_cmpeq_epi16_mask(_mm256_and_si256(h, e), e);
            r[c] = _mm512_castsi512_ps(_mm512_cvtepu16_epi32(h));
        }
        transpose16(r);
        uint16_t *d = dst + (size_t)k0 * 16;
        for (int c = 0; c < kn; c++) {
            __m256i v = _mm512_cvtepi32_epi16(_mm512_castps_si512(r[c]));
            if (kn == 16) _mm256_stream_si256((__m256i *)(d + 16 * c), v);
            else _mm256_store_si256((__m256i *)(d + 16 * c), v);
        }
    }
    return bad != 0;
}

/* Blocks of 64 values; the exact index is found by the reference in the block that failed. */
size_t attn_first_nonfinite_avx512(const void *p, size_t n, attn_wtype t) {
    const unsigned char *b = p;
    size_t i = 0;
    if (t == ATTN_W_F32) {
        for (; i + 64 <= n; i += 64) {
            const float *f = (const float *)(const void *)(b + 4 * i);
            __mmask16 m = _mm512_fpclass_ps_mask(_mm512_loadu_ps(f), 0x99) | _mm512_fpclass_ps_mask(_mm512_loadu_ps(f + 16), 0x99) |
                          _mm512_fpclass_ps_mask(_mm512_loadu_ps(f + 32), 0x99) | _mm512_fpclass_ps_mask(_mm512_loadu_ps(f + 48), 0x99);
            if (m) break;
        }
    } else {
        const __m512i e = _mm512_set1_epi16((short)(t == ATTN_W_BF16 ? 0x7F80 : 0x7C00));
        for (; i + 64 <= n; i += 64) {
            const unsigned char *h = b + 2 * i;
            __mmask32 m = _mm512_cmpeq_epi16_mask(_mm512_and_si512(_mm512_loadu_si512(h), e), e) |
                          _mm512_cmpeq_epi16_mask(_mm512_and_si512(_mm512_loadu_si512(h + 64), e), e);
            if (m) break;
        }
    }
    return i + attn_first_nonfinite_ref(b + (t == ATTN_W_F32 ? 4 : 2) * i, n - i, t);
}

/* Round to nearest even to bf16, in the low 16 bits of each 32-bit lane (weights are finite). */
static inline __m512i bf16_lanes(__m512 v) {
    __m512i u = _mm512_castps_si512(v);
    __m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    return _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7FFF))), 16);
}

/* Line k of a (K, 16) panel of type t as 16 floats (zeros at k ≥ K). */
static inline __m512 line_f32(const void *panel, attn_wtype t, int k, int K) {
    if (k >= K) return _mm512_setzero_ps();
    if (t == ATTN_W_F32) return _mm512_load_ps((const float *)panel + (size_t)k * 16);
    __m256i h = _mm256_load_si256((const __m256i *)((const uint16_t *)panel + (size_t)k * 16));
    if (t == ATTN_W_F16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

void attn_bf16_panel_from_panel_avx512(uint16_t *dst, const void *panel, attn_wtype t, int K, int K2) {
    for (int k2 = 0; k2 < K2; k2++) { /* one 64-byte line: (k, k+1) pairs of 16 outputs */
        __m512i lo = bf16_lanes(line_f32(panel, t, 2 * k2, K)), hi = bf16_lanes(line_f32(panel, t, 2 * k2 + 1, K));
        _mm512_store_si512((void *)(dst + (size_t)k2 * 32), _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
    }
}
