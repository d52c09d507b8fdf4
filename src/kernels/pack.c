/* pack.c — the scalar references of the loader's kernels: packing one panel of a linear weight
 * (with the fused Inf/NaN check), the Inf/NaN scan, and the 16-bit weight products (naive
 * reference and the portable set's share). The AVX-512 versions are in pack_avx512.c; dispatch.c
 * chooses. */
#include <string.h>

#include "kernels.h"

static int f32_nonfinite(float v) {
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x7F800000u) == 0x7F800000u;
}

/* Exponent bits of a 16-bit float: all set = Inf or NaN. */
static uint16_t exp16(attn_wtype t) { return t == ATTN_W_BF16 ? 0x7F80u : 0x7C00u; }

int attn_pack_panel_f32_ref(float *dst, const float *const *rows, int nr, int K) {
    int bad = 0;
    for (int k = 0; k < K; k++)
        for (int c = 0; c < 16; c++) {
            float v = 0.0f;
            if (c < nr) memcpy(&v, rows[c] + k, sizeof v); /* rows need not be aligned */
            bad |= f32_nonfinite(v);
            dst[(size_t)k * 16 + c] = v;
        }
    return bad;
}

int attn_pack_panel_16_ref(uint16_t *dst, const uint16_t *const *rows, int nr, int K, attn_wtype t) {
    uint16_t e = exp16(t);
    int bad = 0;
    for (int k = 0; k < K; k++)
        for (int c = 0; c < 16; c++) {
            uint16_t v = 0;
            if (c < nr) memcpy(&v, rows[c] + k, sizeof v);
            bad |= (v & e) == e;
            dst[(size_t)k * 16 + c] = v;
        }
    return bad;
}

size_t attn_first_nonfinite_ref(const void *p, size_t n, attn_wtype t) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        if (t == ATTN_W_F32) {
            float v;
            memcpy(&v, b + 4 * i, sizeof v);
            if (f32_nonfinite(v)) return i;
        } else {
            uint16_t v;
            memcpy(&v, b + 2 * i, sizeof v);
            if ((v & exp16(t)) == exp16(t)) return i;
        }
    }
    return n;
}

void attn_matmul16_ref(float *y, const float *x, const uint16_t *w, attn_wtype t, const float *b, int M, int K, int N) {
    for (int i = 0; i < M; i++)
        for (int n = 0; n < N; n++) {
            const float *xi = x + (size_t)i * K;
            const uint16_t *wn = w + (size_t)n * K;
            float acc = 0.0f;
            for (int k = 0; k < K; k++) acc += xi[k] * attn_w16_to_f32(wn[k], t);
            y[(size_t)i * N + n] = acc + (b ? b[n] : 0.0f);
        }
}

#define LANES 8 /* as matmul.c's dot: fixed partial sums, so the compiler may vectorise */
#define KB 256  /* weights widened this many at a time into a stack buffer */

/* Portable share of the 16-bit product: a unit is 32 weight rows (as matmul.c); each row is
 * widened KB values at a time (scalar) and dotted with every x row. */
void attn_matmul16_portable_part(float *y, const float *x, const uint16_t *w, attn_wtype t, const float *b, int M, int K,
                                 int N, int ldx, int ldy, int act, int tid, int nt, atomic_int *next) {
    attn_units units = attn_units_of(next, (N + 31) / 32, tid, nt);
    float wf[KB];
    for (int u; (u = attn_units_take(&units)) >= 0;) {
        int n1 = 32 * u + 32 < N ? 32 * u + 32 : N;
        for (int n = 32 * u; n < n1; n++) {
            const uint16_t *wn = w + (size_t)n * K;
            for (int i = 0; i < M; i++) y[(size_t)i * ldy + n] = b ? b[n] : 0.0f;
            for (int k0 = 0; k0 < K; k0 += KB) {
                int kn = K - k0 < KB ? K - k0 : KB;
                for (int k = 0; k < kn; k++) wf[k] = attn_w16_to_f32(wn[k0 + k], t);
                for (int i = 0; i < M; i++) {
                    const float *xi = x + (size_t)i * ldx + k0;
                    float acc[LANES] = {0}, s = 0.0f;
                    int k = 0;
                    for (; k + LANES <= kn; k += LANES)
                        for (int l = 0; l < LANES; l++) acc[l] += xi[k + l] * wf[k + l];
                    for (int l = 0; l < LANES; l++) s += acc[l];
                    for (; k < kn; k++) s += xi[k] * wf[k];
                    y[(size_t)i * ldy + n] += s;
                }
            }
        }
        if (act >= 0) attn_activation_block(y, M, ldy, 32 * u, n1, (attn_activation)act);
    }
}
