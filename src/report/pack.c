/* pack.c — attention arrays as compact text: 16-bit fixed point, byte planes, deflate, base64. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "report.h"

/* deflate (zlib wrapper, what DecompressionStream("deflate") reads) then base64. */
static char *deflate_base64(const uint8_t *raw, size_t n) {
    uLongf zcap = compressBound((uLong)n);
    uint8_t *z = malloc(zcap ? zcap : 1);
    if (!z) return NULL;
    if (compress2(z, &zcap, raw, (uLong)n, 9) != Z_OK) {
        free(z);
        return NULL;
    }
    size_t b64len = 4 * ((zcap + 2) / 3);
    char *b64 = malloc(b64len + 1);
    if (b64) EVP_EncodeBlock((unsigned char *)b64, z, (int)zcap);
    free(z);
    return b64;
}

static json_t *add_blob(attn_report *r, char *b64, const char *dtype, int planes, const int64_t *shape, int ndim) {
    if (!b64 || !attn_grow((void **)&r->blobs, &r->cap_blobs, r->nblobs + 1, sizeof *r->blobs)) {
        free(b64);
        return NULL;
    }
    json_t *sh = json_array();
    for (int i = 0; i < ndim; i++) json_array_append_new(sh, json_integer(shape[i]));
    json_t *d = json_pack("{s:I, s:s, s:i, s:s, s:o}", "blob", (json_int_t)r->nblobs, "dtype", dtype, "shuffle", planes,
                          "codec", "deflate", "shape", sh);
    if (!d) {
        free(b64);
        return NULL;
    }
    r->blobs[r->nblobs++] = b64;
    return d;
}

/* The 3 decimals the page shows for q: it reads q / scale into a Float32Array and prints
 * toFixed(3) (the nearest, ties up). */
static double shown_milli(uint16_t q, int scale) {
    float s = (float)((double)q * (1.0 / (double)scale));
    return floor((double)s * 1000.0 + 0.5);
}

/* MILLI: x's 3 decimals. U16: round(x·scale), moved by one step where that shows other 3 decimals than x's own: at 16 bits
 * a step is 1.5e-5, so the page's 3 decimals are always x's (x·1000 is exact in a double). */
static uint16_t quantize(float x, int scale) {
    double want = floor((double)x * 1000.0 + 0.5);
    if (scale == ATTN_REPORT_SCALE_MILLI) return (uint16_t)want;
    uint16_t q = (uint16_t)lrintf(x * (float)scale);
    double got = shown_milli(q, scale);
    if (got == want) return q;
    if (got > want && q > 0 && shown_milli((uint16_t)(q - 1), scale) == want) return (uint16_t)(q - 1);
    if (got < want && q < scale && shown_milli((uint16_t)(q + 1), scale) == want) return (uint16_t)(q + 1);
    return q;
}

json_t *report_pack_unit(attn_report *r, const float *v, size_t n, const int64_t *shape, int ndim) {
    uint8_t *raw = malloc(2 * n + 1);
    if (!raw) return NULL;
    for (size_t i = 0; i < n; i++) { /* plane 0: low bytes; plane 1: high bytes (mostly 0) */
        float x = v[i] < 0.0f ? 0.0f : v[i] > 1.0f ? 1.0f : v[i];
        uint16_t q = quantize(x, r->scale);
        raw[i] = (uint8_t)(q & 0xff), raw[n + i] = (uint8_t)(q >> 8);
    }
    char *b64 = deflate_base64(raw, 2 * n);
    free(raw);
    json_t *d = add_blob(r, b64, "u16", 2, shape, ndim);
    if (d) json_object_set_new(d, "scale", json_integer(r->scale));
    return d;
}

json_t *report_pack_f32(attn_report *r, const float *v, size_t n, const int64_t *shape, int ndim) {
    uint8_t *raw = malloc(4 * n + 1);
    if (!raw) return NULL;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        for (int b = 0; b < 4; b++) raw[(size_t)b * n + i] = (uint8_t)(u >> (8 * b));
    }
    char *b64 = deflate_base64(raw, 4 * n);
    free(raw);
    return add_blob(r, b64, "f32", 4, shape, ndim);
}
