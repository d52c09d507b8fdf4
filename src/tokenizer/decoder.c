/* decoder.c — ids back to text: the decoders of tokenizer.json, each a step over the list of
 * token strings (decode_chain in the Rust crate), joined at the end. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

typedef struct strlist {
    char **v;
    int n;
} strlist;

static char *replace_all(const char *s, const char *pat, const char *with, int max) {
    size_t pl = strlen(pat);
    attn_strbuf sb = {0};
    int done = 0;
    while (*s) {
        if (pl && (max < 0 || done < max) && strncmp(s, pat, pl) == 0) {
            attn_sb_puts(&sb, with);
            s += pl, done++;
        } else {
            attn_sb_putc(&sb, *s++);
        }
    }
    return attn_sb_take(&sb);
}

static attn_status set(strlist *l, int i, char *s) {
    if (!s) return ATTN_E_NOMEM;
    free(l->v[i]);
    l->v[i] = s;
    return ATTN_OK;
}

static attn_status wordpiece_cleanup(strlist *l, int i) {
    static const char *const pairs[][2] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"},
        {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
        if (set(l, i, replace_all(l->v[i], pairs[k][0], pairs[k][1], -1))) return ATTN_E_NOMEM;
    return ATTN_OK;
}

/* Length of the maximal valid prefix of a UTF-8 sequence at s (>= 1), and whether it is complete. */
static size_t utf8_piece(const uint8_t *s, size_t n, int *complete) {
    uint8_t b = s[0];
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;
    *complete = 0;
    if (b < 0x80) { *complete = 1; return 1; }
    if (b >= 0xC2 && b <= 0xDF) need = 2;
    else if (b >= 0xE0 && b <= 0xEF) { need = 3; if (b == 0xE0) lo = 0xA0; if (b == 0xED) hi = 0x9F; }
    else if (b >= 0xF0 && b <= 0xF4) { need = 4; if (b == 0xF0) lo = 0x90; if (b == 0xF4) hi = 0x8F; }
    else return 1;
    size_t i = 1;
    for (; i < need && i < n; i++) {
        uint8_t c = s[i];
        if (c < lo || c > hi) return i;
        lo = 0x80, hi = 0xBF;
    }
    *complete = i == need;
    return i;
}

/* String::from_utf8_lossy: each maximal invalid piece becomes U+FFFD. */
static char *utf8_lossy(const uint8_t *s, size_t n) {
    attn_strbuf sb = {0};
    attn_sb_append(&sb, "", 0);
    for (size_t i = 0; i < n;) {
        int ok;
        size_t k = utf8_piece(s + i, n - i, &ok);
        if (ok) attn_sb_append(&sb, (const char *)s + i, k);
        else attn_sb_puts(&sb, "\xEF\xBF\xBD");
        i += k;
    }
    return attn_sb_take(&sb);
}

static attn_status byte_level(strlist *l) {
    attn_strbuf bytes = {0};
    attn_sb_append(&bytes, "", 0);
    for (int i = 0; i < l->n; i++) {
        const char *s = l->v[i];
        size_t len = strlen(s), start = bytes.len;
        uint32_t *cps = attn_calloc(len + 1, sizeof *cps);
        if (!cps) { attn_sb_free(&bytes); return ATTN_E_NOMEM; }
        size_t n = tk_utf8_decode(s, len, cps);
        int all = 1;
        for (size_t k = 0; k < n && all; k++) {
            int b = tk_char_to_byte(cps[k]);
            if (b < 0) all = 0;
            else attn_sb_putc(&bytes, (char)b);
        }
        free(cps);
        if (!all) {
            bytes.len = start;
            attn_sb_append(&bytes, s, len);
        }
    }
    if (bytes.oom) { attn_sb_free(&bytes); return ATTN_E_NOMEM; }
    char *joined = utf8_lossy((const uint8_t *)bytes.buf, bytes.len);
    attn_sb_free(&bytes);
    if (!joined) return ATTN_E_NOMEM;
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    l->v[0] = joined, l->n = 1;
    return ATTN_OK;
}

static attn_status fuse(strlist *l) {
    attn_strbuf sb = {0};
    attn_sb_append(&sb, "", 0);
    for (int i = 0; i < l->n; i++) attn_sb_puts(&sb, l->v[i]);
    char *s = attn_sb_take(&sb);
    if (!s) return ATTN_E_NOMEM;
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    l->v[0] = s, l->n = l->n ? 1 : 0;
    if (!l->n) free(s);
    return ATTN_OK;
}

static attn_status byte_fallback(strlist *l) {
    int out = 0;
    for (int i = 0; i < l->n;) {
        unsigned v;
        size_t len = strlen(l->v[i]);
        if (!(len == 6 && strncmp(l->v[i], "<0x", 3) == 0 && l->v[i][5] == '>' && sscanf(l->v[i] + 3, "%2x", &v) == 1)) {
            l->v[out++] = l->v[i++];
            continue;
        }
        uint8_t buf[256];
        size_t nb = 0;
        int j = i;
        while (j < l->n && nb < sizeof buf && strlen(l->v[j]) == 6 && strncmp(l->v[j], "<0x", 3) == 0 &&
               sscanf(l->v[j] + 3, "%2x", &v) == 1)
            buf[nb++] = (uint8_t)v, j++;
        int valid = attn_utf8_invalid_at((const char *)buf, nb) < 0;
        attn_strbuf sb = {0};
        attn_sb_append(&sb, "", 0);
        if (valid) attn_sb_append(&sb, (const char *)buf, nb);
        else
            for (size_t k = 0; k < nb; k++) attn_sb_puts(&sb, "\xEF\xBF\xBD");
        char *s = attn_sb_take(&sb);
        if (!s) return ATTN_E_NOMEM;
        for (int k = i; k < j; k++) free(l->v[k]);
        l->v[out++] = s;
        i = j;
    }
    l->n = out;
    return ATTN_OK;
}

static attn_status strip(strlist *l, const tk_decoder *d) {
    for (int i = 0; i < l->n; i++) {
        char *s = l->v[i];
        size_t len = strlen(s), a = 0, z = len;
        for (int k = 0; k < d->start && a < z && (unsigned char)s[a] == d->strip_char; k++) a++;
        for (int k = 0; k < d->stop && z > a && (unsigned char)s[z - 1] == d->strip_char; k++) z--;
        if (set(l, i, attn_strndup(s + a, z - a))) return ATTN_E_NOMEM;
    }
    return ATTN_OK;
}

static attn_status chain(const tk_decoder *d, strlist *l) {
    switch (d->kind) {
    case TK_DEC_WORDPIECE:
        for (int i = 0; i < l->n; i++) {
            if (i != 0) {
                size_t pl = strlen(d->prefix);
                char *s = strncmp(l->v[i], d->prefix, pl) == 0 ? replace_all(l->v[i], d->prefix, "", 1)
                                                               : attn_asprintf(" %s", l->v[i]);
                if (set(l, i, s)) return ATTN_E_NOMEM;
            }
            if (d->cleanup && wordpiece_cleanup(l, i)) return ATTN_E_NOMEM;
        }
        return ATTN_OK;
    case TK_DEC_BYTELEVEL: return byte_level(l);
    case TK_DEC_REPLACE:
        for (int i = 0; i < l->n; i++)
            if (set(l, i, replace_all(l->v[i], d->pattern, d->content, -1))) return ATTN_E_NOMEM;
        return ATTN_OK;
    case TK_DEC_FUSE: return fuse(l);
    case TK_DEC_STRIP: return strip(l, d);
    case TK_DEC_BPE:
        for (int i = 0; i < l->n; i++)
            if (set(l, i, replace_all(l->v[i], d->suffix, i == l->n - 1 ? "" : " ", -1))) return ATTN_E_NOMEM;
        return ATTN_OK;
    case TK_DEC_BYTE_FALLBACK: return byte_fallback(l);
    case TK_DEC_SEQUENCE:
        for (int k = 0; k < d->n_items; k++)
            if (chain(&d->items[k], l)) return ATTN_E_NOMEM;
        return ATTN_OK;
    }
    return ATTN_OK;
}

attn_status tk_decode(const attn_tokenizer *t, const tk_decoder *d, char **tokens, int n, char **out) {
    (void)t;
    strlist l = {attn_calloc((size_t)n + 1, sizeof(char *)), 0};
    if (!l.v) return attn_fail(ATTN_E_NOMEM, "out of memory");
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        if (!(l.v[l.n++] = attn_strdup(tokens[i]))) rc = -1;
    if (!rc && d) rc = chain(d, &l);
    attn_strbuf sb = {0};
    attn_sb_append(&sb, "", 0);
    for (int i = 0; i < l.n; i++) {
        if (!d && i > 0) attn_sb_putc(&sb, ' ');
        if (l.v[i]) attn_sb_puts(&sb, l.v[i]);
        free(l.v[i]);
    }
    free(l.v);
    *out = attn_sb_take(&sb);
    if (rc || !*out) {
        free(*out);
        *out = NULL;
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    return ATTN_OK;
}

void tk_decoder_free(tk_decoder *d) {
    if (!d) return;
    free(d->prefix), free(d->pattern), free(d->content), free(d->suffix);
    for (int i = 0; i < d->n_items; i++) tk_decoder_free(&d->items[i]);
    free(d->items);
    memset(d, 0, sizeof *d);
}
