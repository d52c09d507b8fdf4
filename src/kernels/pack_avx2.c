/* pack_avx2.c — the loader's kernels with AVX2 (compiled with -mavx2 -mfma -mf16c; only called
 * after dispatch.c has checked the CPU and the OS), for the avx2 set, which computes on the same
 * packed panels as the avx512 set.
 *
 * Packing one panel: 16 weight rows → (K, 16). Per 8 values of k, rows 0–7 and rows 8–15 are two
 * 8 × 8 blocks (16-bit rows zero-extended to 32-bit lanes), checked for Inf/NaN while they are in
 * registers (an exponent compare: the fused check, so the file is read once), transposed in
 * registers (unpack, shuffle, 128-bit lane permutes) and written as 8 panel lines, the two blocks'
 * columns side by side, with non-temporal stores (written once at load, not read until the first
 * forward). */
#include <immintrin.h>
#include <string.h>

#include "kernels.h"
#include "simd_avx2.h"

/* r[0..8) rows → r[c] = column c (lane i = row i). */
static inline __attribute__((always_inline)) void transpose8(__m256 r[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) { /* u[4i + q]: in 128-bit lane j, column 4j + q of rows 4i..4i+3 */
        u[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int q = 0; q < 4; q++) {
        r[q] = _mm256_permute2f128_ps(u[q], u[4 + q], 0x20);
        r[4 + q] = _mm256_permute2f128_ps(u[q], u[4 + q], 0x31);
    }
}

/* All exponent bits set (Inf or NaN) in any lane of v, OR-ed into *bad. */
static inline void check_f32(__m256i *bad, __m256 v) {
    const __m256i e = _mm256_set1_epi32(0x7F800000);
    *bad = _mm256_or_si256(*bad, _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(v), e), e));
}

int attn_pack_panel_f32_avx2(float *dst, const float *const *rows, int nr, int K) {
    __m256i bad = _mm256_setzero_si256();
    for (int k0 = 0; k0 < K; k0 += 8) {
        int kn = K - k0 < 8 ? K - k0 : 8;
        __m256i km = attn_lanes8(kn);
        __m256 lo[8], hi[8];
        for (int c = 0; c < 8; c++) {
            lo[c] = c < nr ? _mm256_maskload_ps(rows[c] + k0, km) : _mm256_setzero_ps();
            hi[c] = c + 8 < nr ? _mm256_maskload_ps(rows[c + 8] + k0, km) : _mm256_setzero_ps();
            check_f32(&bad, lo[c]);
            check_f32(&bad, hi[c]);
        }
        transpose8(lo);
        transpose8(hi);
        float *d = dst + (size_t)k0 * 16;
        for (int c = 0; c < kn; c++) {
            if (kn == 8) {
                _mm256_stream_ps(d + 16 * c, lo[c]);
                _mm256_stream_ps(d + 16 * c + 8, hi[c]);
            } else {
                _mm256_store_ps(d + 16 * c, lo[c]);
                _mm256_store_ps(d + 16 * c + 8, hi[c]);
            }
        }
    }
    return !_mm256_testz_si256(bad, bad);
}

/* 8 values of a 16-bit row from k (n ≤ 8 of them; zeros after), zero-extended to 32-bit lanes. */
static inline __m256 load16x8(const uint16_t *row, int n) {
    __m128i h;
    if (n == 8) {
        h = _mm_loadu_si128((const __m128i *)(const void *)row);
    } else {
        uint16_t tmp[8] = {0};
        memcpy(tmp, row, (size_t)n * sizeof *tmp);
        h = _mm_loadu_si128((const __m128i *)(const void *)tmp);
    }
    return _mm256_castsi256_ps(_mm256_cvtepu16_epi32(h));
}

/* The 8 low halves of v's 32-bit lanes (each < 65536) as 8 uint16. */
static inline __m128i narrow16(__m256 v) {
    __m256i p = _mm256_packus_epi32(_mm256_castps_si256(v), _mm256_castps_si256(v)); /* per 128-bit lane */
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(p, 0x08));                /* 64-bit parts 0 and 2 */
}

int attn_pack_panel_16_avx2(uint16_t *dst, const uint16_t *const *rows, int nr, int K, attn_wtype t) {
    const __m256i e = _mm256_set1_epi32(t == ATTN_W_BF16 ? 0x7F80 : 0x7C00);
    __m256i bad = _mm256_setzero_si256();
    for (int k0 = 0; k0 < K; k0 += 8) {
        int kn = K - k0 < 8 ? K - k0 : 8;
        __m256 lo[8], hi[8];
        for (int c = 0; c < 8; c++) {
            lo[c] = c < nr ? load16x8(rows[c] + k0, kn) : _mm256_setzero_ps();
            hi[c] = c + 8 < nr ? load16x8(rows[c + 8] + k0, kn) : _mm256_setzero_ps();
            bad = _mm256_or_si256(bad, _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(lo[c]), e), e));
            bad = _mm256_or_si256(bad, _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(hi[c]), e), e));
        }
        transpose8(lo);
        transpose8(hi);
        uint16_t *d = dst + (size_t)k0 * 16;
        for (int c = 0; c < kn; c++) {
            __m256i v = _mm256_set_m128i(narrow16(hi[c]), narrow16(lo[c]));
            if (kn == 8) _mm256_stream_si256((__m256i *)(void *)(d + 16 * c), v);
            else _mm256_store_si256((__m256i *)(void *)(d + 16 * c), v);
        }
    }
    return !_mm256_testz_si256(bad, bad);
}

/* Blocks of 32 values; the exact index is found by the reference in the block that failed. */
size_t attn_first_nonfinite_avx2(const void *p, size_t n, attn_wtype t) {
    const unsigned char *b = p;
    size_t i = 0;
    if (t == ATTN_W_F32) {
        const __m256i e = _mm256_set1_epi32(0x7F800000);
        for (; i + 32 <= n; i += 32) {
            const unsigned char *f = b + 4 * i;
            __m256i m = _mm256_setzero_si256();
            for (int j = 0; j < 4; j++)
                m = _mm256_or_si256(m, _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(const void *)(f + 32 * j)), e), e));
            if (!_mm256_testz_si256(m, m)) break;
        }
    } else {
        const __m256i e = _mm256_set1_epi16((short)(t == ATTN_W_BF16 ? 0x7F80 : 0x7C00));
        for (; i + 32 <= n; i += 32) {
            const unsigned char *h = b + 2 * i;
            __m256i m = _mm256_or_si256(
                _mm256_cmpeq_epi16(_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(const void *)h), e), e),
                _mm256_cmpeq_epi16(_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(const void *)(h + 32)), e), e));
            if (!_mm256_testz_si256(m, m)) break;
        }
    }
    return i + attn_first_nonfinite_ref(b + (t == ATTN_W_F32 ? 4 : 2) * i, n - i, t);
}
