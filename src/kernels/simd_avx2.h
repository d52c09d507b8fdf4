/* simd_avx2.h — small helpers shared by the AVX2 files (include only from *_avx2.c, which are
 * compiled with -mavx2 -mfma -mf16c). */
#ifndef ATTN_SIMD_AVX2_H
#define ATTN_SIMD_AVX2_H

#include <immintrin.h>
#include <stdint.h>

/* Lanes 0..n-1 set (n clamped to 0..8): masked loads and stores at a row's end. */
static inline __m256i attn_lanes8(int n) {
    static const int32_t bits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    n = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_loadu_si256((const __m256i *)(const void *)(bits + 8 - n));
}

/* The erf GELU of 8 floats (ops_avx2.c; also matmul_avx2.c's fused epilogue). */
__m256 attn_gelu8_avx2(__m256 x);

#endif
