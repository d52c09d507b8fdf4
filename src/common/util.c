/* util.c — memory helpers, the string builder, UTF-8 validation, number conversions. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

void *attn_calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

char *attn_strndup(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *attn_strdup(const char *s) { return attn_strndup(s, strlen(s)); }

char *attn_asprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p) return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *attn_path_join(const char *a, const char *b) {
    size_t la = strlen(a);
    while (la > 1 && a[la - 1] == '/') la--;
    return attn_asprintf("%.*s/%s", (int)la, a, b);
}

int attn_grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 1;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2) return 0;
        c *= 2;
    }
    if (elem && c > SIZE_MAX / elem) return 0;
    void *q = realloc(*p, c * elem);
    if (!q) return 0;
    *p = q;
    *cap = c;
    return 1;
}

/* ---- string builder --------------------------------------------------------------------- */

static int sb_reserve(attn_strbuf *sb, size_t extra) {
    if (sb->oom) return 0;
    if (sb->len + extra + 1 <= sb->cap) return 1;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1) {
        if (cap > SIZE_MAX / 2) { sb->oom = 1; return 0; }
        cap *= 2;
    }
    char *p = realloc(sb->buf, cap);
    if (!p) { sb->oom = 1; return 0; }
    sb->buf = p;
    sb->cap = cap;
    return 1;
}

void attn_sb_append(attn_strbuf *sb, const char *s, size_t n) {
    if (!sb_reserve(sb, n)) return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void attn_sb_puts(attn_strbuf *sb, const char *s) { attn_sb_append(sb, s, strlen(s)); }

void attn_sb_putc(attn_strbuf *sb, char c) { attn_sb_append(sb, &c, 1); }

void attn_sb_printf(attn_strbuf *sb, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sb_reserve(sb, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void attn_sb_csv_field(attn_strbuf *sb, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        attn_sb_puts(sb, s);
        return;
    }
    attn_sb_putc(sb, '"');
    for (; *s; s++) {
        if (*s == '"') attn_sb_putc(sb, '"');
        attn_sb_putc(sb, *s);
    }
    attn_sb_putc(sb, '"');
}

char *attn_sb_take(attn_strbuf *sb) {
    if (sb->oom) { attn_sb_free(sb); return NULL; }
    char *p = sb->buf ? sb->buf : attn_strdup("");
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void attn_sb_free(attn_strbuf *sb) {
    free(sb->buf);
    memset(sb, 0, sizeof *sb);
}

/* ---- UTF-8 ------------------------------------------------------------------------------- */

ptrdiff_t attn_utf8_invalid_at(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        uint32_t cp, min;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; min = 0x10000; }
        else return (ptrdiff_t)i;
        if (i + n > len) return (ptrdiff_t)i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return (ptrdiff_t)i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return (ptrdiff_t)i;
        i += n;
    }
    return -1;
}

/* ---- numbers ----------------------------------------------------------------------------- */

float attn_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F;
    uint32_t man = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            exp = 127 - 15 + 1;
            while (!(man & 0x400)) { man <<= 1; exp--; }
            man &= 0x3FF;
            bits = sign | (exp << 23) | (man << 13);
        }
    } else if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

float attn_bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static const struct { const char *name; size_t size; } dtypes[] = {
    [ATTN_DTYPE_F32] = {"F32", 4}, [ATTN_DTYPE_F16] = {"F16", 2}, [ATTN_DTYPE_BF16] = {"BF16", 2},
    [ATTN_DTYPE_F64] = {"F64", 8}, [ATTN_DTYPE_I64] = {"I64", 8}, [ATTN_DTYPE_I32] = {"I32", 4},
    [ATTN_DTYPE_I16] = {"I16", 2}, [ATTN_DTYPE_I8] = {"I8", 1},   [ATTN_DTYPE_U8] = {"U8", 1},
    [ATTN_DTYPE_BOOL] = {"BOOL", 1},
};

const char *attn_dtype_name(attn_dtype t) {
    return (unsigned)t < sizeof dtypes / sizeof dtypes[0] ? dtypes[t].name : "?";
}

size_t attn_dtype_size(attn_dtype t) {
    return (unsigned)t < sizeof dtypes / sizeof dtypes[0] ? dtypes[t].size : 0;
}

int attn_dtype_parse(const char *s) {
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (strcmp(s, dtypes[i].name) == 0) return (int)i;
    return -1;
}
