/* unicode.c — character classes and mappings as Hugging Face's Rust tokenizers see them, on top of
 * utf8proc. The only hand-written ranges are rules of the tokenizers themselves (BERT's CJK blocks,
 * the White_Space list Rust's char::is_whitespace uses, and the frozen tables below). */
#include <stdlib.h>

#include <utf8proc.h>

#include "tok_internal.h"

/* The crate's BERT normalizer and pre-tokenizer take punctuation (P*), format (Cf) and nonspacing
 * marks (Mn) from the unicode_categories crate, whose tables stop at Unicode 8.0. These are the
 * P/Cf/Mn code points assigned later (found by running every such code point through the genuine
 * library): there they are ordinary characters. Sorted, disjoint. */
static const uint32_t after_unicode8[][2] = {
    {0x61D, 0x61D}, {0x7FD, 0x7FD}, {0x890, 0x891}, {0x898, 0x89F}, {0x8CA, 0x8E2}, {0x9FD, 0x9FE}, {0xA76,
    0xA76}, {0xAFA, 0xAFF}, {0xB55, 0xB55}, {0xC04, 0xC04}, {0xC3C, 0xC3C}, {0xC77, 0xC77}, {0xC84, 0xC84},
    {0xD00, 0xD00}, {0xD3B, 0xD3C}, {0xD81, 0xD81}, {0xEBA, 0xEBA}, {0xECE, 0xECE}, {0x180F, 0x180F}, {0x1885,
    0x1886}, {0x1ABF, 0x1ACE}, {0x1B7D, 0x1B7E}, {0x1DF6, 0x1DFB}, {0x2E43, 0x2E4F}, {0x2E52, 0x2E5D}, {0xA82C,
    0xA82C}, {0xA8C5, 0xA8C5}, {0xA8FF, 0xA8FF}, {0xA9BD, 0xA9BD}, {0x10D24, 0x10D27}, {0x10EAB, 0x10EAD},
    {0x10EFD, 0x10EFF}, {0x10F46, 0x10F50}, {0x10F55, 0x10F59}, {0x10F82, 0x10F89}, {0x11070, 0x11070},
    {0x11073, 0x11074}, {0x110C2, 0x110C2}, {0x110CD, 0x110CD}, {0x111C9, 0x111C9}, {0x111CF, 0x111CF},
    {0x1123E, 0x1123E}, {0x11241, 0x11241}, {0x1133B, 0x1133B}, {0x11438, 0x1143F}, {0x11442, 0x11444},
    {0x11446, 0x11446}, {0x1144B, 0x1144F}, {0x1145A, 0x1145B}, {0x1145D, 0x1145E}, {0x11660, 0x1166C},
    {0x116B9, 0x116B9}, {0x1182F, 0x11837}, {0x11839, 0x1183B}, {0x1193B, 0x1193C}, {0x1193E, 0x1193E},
    {0x11943, 0x11946}, {0x119D4, 0x119D7}, {0x119DA, 0x119DB}, {0x119E0, 0x119E0}, {0x119E2, 0x119E2},
    {0x11A01, 0x11A0A}, {0x11A33, 0x11A38}, {0x11A3B, 0x11A47}, {0x11A51, 0x11A56}, {0x11A59, 0x11A5B},
    {0x11A8A, 0x11A96}, {0x11A98, 0x11A9C}, {0x11A9E, 0x11AA2}, {0x11B00, 0x11B09}, {0x11C30, 0x11C36},
    {0x11C38, 0x11C3D}, {0x11C3F, 0x11C3F}, {0x11C41, 0x11C45}, {0x11C70, 0x11C71}, {0x11C92, 0x11CA7},
    {0x11CAA, 0x11CB0}, {0x11CB2, 0x11CB3}, {0x11CB5, 0x11CB6}, {0x11D31, 0x11D36}, {0x11D3A, 0x11D3A},
    {0x11D3C, 0x11D3D}, {0x11D3F, 0x11D45}, {0x11D47, 0x11D47}, {0x11D90, 0x11D91}, {0x11D95, 0x11D95},
    {0x11D97, 0x11D97}, {0x11EF3, 0x11EF4}, {0x11EF7, 0x11EF8}, {0x11F00, 0x11F01}, {0x11F36, 0x11F3A},
    {0x11F40, 0x11F40}, {0x11F42, 0x11F4F}, {0x11FFF, 0x11FFF}, {0x12FF1, 0x12FF2}, {0x13430, 0x13440},
    {0x13447, 0x13455}, {0x16E97, 0x16E9A}, {0x16F4F, 0x16F4F}, {0x16FE2, 0x16FE2}, {0x16FE4, 0x16FE4},
    {0x1CF00, 0x1CF2D}, {0x1CF30, 0x1CF46}, {0x1E000, 0x1E006}, {0x1E008, 0x1E018}, {0x1E01B, 0x1E021},
    {0x1E023, 0x1E024}, {0x1E026, 0x1E02A}, {0x1E08F, 0x1E08F}, {0x1E130, 0x1E136}, {0x1E2AE, 0x1E2AE},
    {0x1E2EC, 0x1E2EF}, {0x1E4EC, 0x1E4EF}, {0x1E944, 0x1E94A}, {0x1E95E, 0x1E95F}
};

static int cmp_range(const void *k, const void *r) {
    uint32_t c = *(const uint32_t *)k;
    const uint32_t *e = r;
    return c < e[0] ? -1 : c > e[1] ? 1 : 0;
}

static int newer_than_unicode8(uint32_t c) {
    return c >= 0x600 && bsearch(&c, after_unicode8, sizeof after_unicode8 / sizeof after_unicode8[0],
                                 sizeof after_unicode8[0], cmp_range) != NULL;
}

int tk_is_whitespace(uint32_t c) {
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
    switch (c) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return 1;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

static int category(uint32_t c) { return utf8proc_category((utf8proc_int32_t)c); }

int tk_is_bert_punct(uint32_t c) {
    if (c < 0x80)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    int k = category(c);
    return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO && !newer_than_unicode8(c);
}

int tk_is_cjk(uint32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* The fast tokenizer's is_control deletes Cc, Cf and Co but keeps unassigned code points. */
int tk_is_bert_control(uint32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return 0;
    if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return 1;
    if (c < 0xA0) return 0;
    int k = category(c);
    return k == UTF8PROC_CATEGORY_CC || k == UTF8PROC_CATEGORY_CO || k == UTF8PROC_CATEGORY_CS ||
           (k == UTF8PROC_CATEGORY_CF && !newer_than_unicode8(c));
}

int tk_is_letter(uint32_t c) {
    if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    int k = category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

int tk_is_number(uint32_t c) {
    if (c < 0x80) return c >= '0' && c <= '9';
    int k = category(c);
    return k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO;
}

int tk_is_alnum(uint32_t c) { return tk_is_letter(c) || tk_is_number(c); }

int tk_is_word_char(uint32_t c) {
    if (c < 0x80) return tk_is_alnum(c) || c == '_';
    int k = category(c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_NO) || k == UTF8PROC_CATEGORY_PC;
}

int tk_is_mark_nonspacing(uint32_t c) {
    return c >= 0x300 && category(c) == UTF8PROC_CATEGORY_MN && !newer_than_unicode8(c);
}

int tk_combining_class(uint32_t c) {
    if (c < 0x300) return 0;
    return utf8proc_get_property((utf8proc_int32_t)c)->combining_class;
}

int tk_lower(uint32_t c, uint32_t out[3]) {
    if (c < 0x80) {
        out[0] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        return 1;
    }
    /* The one unconditional multi-char lowercase mapping of SpecialCasing.txt, which Rust applies
     * and utf8proc's simple mapping does not. */
    if (c == 0x130) {
        out[0] = 'i', out[1] = 0x307;
        return 2;
    }
    out[0] = (uint32_t)utf8proc_tolower((utf8proc_int32_t)c);
    return 1;
}

int tk_decompose(uint32_t c, int compat, uint32_t *out, int cap) {
    if (c < 0xA0) {
        out[0] = c;
        return 1;
    }
    int last = 0;
    utf8proc_option_t opt = (utf8proc_option_t)(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
    utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)c, (utf8proc_int32_t *)out, cap, opt, &last);
    if (n < 1 || n > cap) {
        out[0] = c;
        return 1;
    }
    return (int)n;
}

int tk_utf8_put(uint32_t c, char *o) {
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

size_t tk_utf8_decode(const char *str, size_t len, uint32_t *out) {
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0, n = 0;
    while (i < len) {
        uint8_t b = s[i];
        if (b < 0x80) {
            out[n++] = b, i++;
        } else if (b < 0xE0) {
            out[n++] = ((uint32_t)(b & 0x1F) << 6) | (s[i + 1] & 0x3F), i += 2;
        } else if (b < 0xF0) {
            out[n++] = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F), i += 3;
        } else {
            out[n++] = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
                       ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
            i += 4;
        }
    }
    return n;
}
