/* text_clean.c — the seed's AG News cleaning: html.unescape, tags stripped, whitespace collapsed;
 * and Python's len(s.split()). */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <utf8proc.h>

#include "attnscope.h"
#include "common.h"

/* Python's html._invalid_charrefs for 0x80..0x9F: Windows-1252 (undefined bytes map to themselves). */
static const uint16_t cp1252[32] = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

/* Python's html._invalid_codepoints: these references decode to nothing. */
static int invalid_codepoint(long c) {
    return (c >= 0x1 && c <= 0x8) || c == 0xB || (c >= 0xE && c <= 0x1F) || (c >= 0x7F && c <= 0x9F) ||
           (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

static void put_codepoint(attn_strbuf *sb, long c) {
    uint8_t b[4];
    utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)c, b);
    attn_sb_append(sb, (const char *)b, (size_t)n);
}

/* &#NNN; / &#xHH; at s (s[0] == '&', s[1] == '#'). Returns bytes consumed, 0 if not a reference. */
static size_t numeric_ref(const char *s, attn_strbuf *sb) {
    int hex = s[2] == 'x' || s[2] == 'X';
    const char *p = s + 2 + hex, *digits = p;
    long v = 0;
    while (hex ? strchr("0123456789abcdefABCDEF", *p) && *p : (*p >= '0' && *p <= '9')) {
        int d = *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;
        if (v <= 0x10FFFF) v = v * (hex ? 16 : 10) + d; /* saturates above the Unicode range */
        p++;
    }
    if (p == digits) return 0;
    if (*p == ';') p++;
    if (v >= 0x80 && v <= 0x9F) put_codepoint(sb, cp1252[v - 0x80]);
    else if (v == 0 || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) put_codepoint(sb, 0xFFFD);
    else if (v == 0xD) attn_sb_putc(sb, '\r');
    else if (!invalid_codepoint(v)) put_codepoint(sb, v);
    return (size_t)(p - s);
}

/* &name; at s. HTML 4 names (libxml2's table); without ';' the longest prefix that is one of the
 * legacy Latin-1 names, as Python does. Returns bytes consumed, 0 if none matched. */
static size_t named_ref(const char *s, attn_strbuf *sb) {
    char name[33];
    size_t n = 0;
    while (n < 32 && s[1 + n] && !strchr("\t\n\f <&#;", s[1 + n])) name[n] = s[1 + n], n++;
    name[n] = '\0';
    if (n == 0) return 0;
    const htmlEntityDesc *e = s[1 + n] == ';' ? htmlEntityLookup((const xmlChar *)name) : NULL;
    if (e) {
        put_codepoint(sb, (long)e->value);
        return n + 2;
    }
    for (size_t k = n; k > 0; k--) {
        name[k] = '\0';
        e = htmlEntityLookup((const xmlChar *)name);
        if (e && e->value < 256 && strcmp(name, "apos") != 0) {
            put_codepoint(sb, (long)e->value);
            return k + 1;
        }
    }
    return 0;
}

static char *html_unescape(const char *s) {
    attn_strbuf sb = {0};
    attn_sb_puts(&sb, "");
    while (*s) {
        size_t used = 0;
        if (*s == '&') used = s[1] == '#' ? numeric_ref(s, &sb) : named_ref(s, &sb);
        if (used) s += used;
        else attn_sb_putc(&sb, *s++);
    }
    return attn_sb_take(&sb);
}

/* Python's str.isspace for one code point (what \s and str.split() use). */
static int is_space(utf8proc_int32_t c) {
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85) return 1;
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_ZS || k == UTF8PROC_CATEGORY_ZL || k == UTF8PROC_CATEGORY_ZP;
}

/* Length of the code point at s (1 for a byte that does not start valid UTF-8); its value in *c. */
static size_t next_cp(const char *s, utf8proc_int32_t *c) {
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, c);
    if (n <= 0) {
        *c = (unsigned char)*s;
        return 1;
    }
    return (size_t)n;
}

/* re.sub(r'<[^>]+>', '', s), then re.sub(r'\s+', ' ', s).strip(). */
static char *strip_tags_and_space(const char *s) {
    attn_strbuf sb = {0};
    attn_sb_puts(&sb, "");
    int pending_space = 0;
    while (*s) {
        const char *close = s[0] == '<' && s[1] && s[1] != '>' ? strchr(s + 1, '>') : NULL;
        if (close) {
            s = close + 1;
            continue;
        }
        utf8proc_int32_t c;
        size_t n = next_cp(s, &c);
        if (is_space(c)) {
            pending_space = sb.len > 0;
        } else {
            if (pending_space) attn_sb_putc(&sb, ' ');
            pending_space = 0;
            attn_sb_append(&sb, s, n);
        }
        s += n;
    }
    return attn_sb_take(&sb);
}

char *attn_clean_news_text(const char *s) {
    char *u = html_unescape(s);
    if (!u) return NULL;
    char *out = strip_tags_and_space(u);
    free(u);
    return out;
}

int attn_word_count(const char *s) {
    int words = 0, in_word = 0;
    while (*s) {
        utf8proc_int32_t c;
        s += next_cp(s, &c);
        int sp = is_space(c);
        if (!sp && !in_word) words++;
        in_word = !sp;
    }
    return words;
}
