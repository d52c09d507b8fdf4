/* locate.c — find a word in a text and the tokens that spell it. */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "common.h"
#include "words_internal.h"

/* Letters, marks and digits: a match may not continue into them. */
static int is_word_char(uint32_t c) {
    int cat = utf8proc_category((utf8proc_int32_t)c);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO;
}

static uint32_t fold(uint32_t c) { return (uint32_t)utf8proc_tolower((utf8proc_int32_t)c); }

/* Start of the occurrence-th match of q[nq] in t[nt] (case-insensitive, not inside a longer run
 * of word characters), or -1; *found counts the matches seen. */
static ptrdiff_t nth_match(const uint32_t *t, size_t nt, const uint32_t *q, size_t nq, int occurrence, int *found) {
    *found = 0;
    for (size_t i = 0; i + nq <= nt; i++) {
        size_t k = 0;
        while (k < nq && fold(t[i + k]) == fold(q[k])) k++;
        if (k < nq) continue;
        if (i > 0 && is_word_char(q[0]) && is_word_char(t[i - 1])) continue;
        if (i + nq < nt && is_word_char(q[nq - 1]) && is_word_char(t[i + nq])) continue;
        if (++*found == occurrence) return (ptrdiff_t)i;
    }
    return -1;
}

/* Tokens of enc (first text only, no specials) overlapping [a, z). */
static attn_status overlapping_tokens(const attn_encoding *enc, int32_t a, int32_t z, int32_t **pieces, int32_t *n) {
    *pieces = attn_calloc((size_t)enc->n + 1, sizeof **pieces);
    if (!*pieces) return attn_fail(ATTN_E_NOMEM, "out of memory");
    *n = 0;
    for (int32_t i = 0; i < enc->n; i++) {
        int32_t s = enc->offsets[2 * i], e = enc->offsets[2 * i + 1];
        if (enc->special_tokens_mask[i] || e <= s || (enc->sequence_ids && enc->sequence_ids[i] != 0)) continue;
        if (s < z && e > a) (*pieces)[(*n)++] = i;
    }
    return ATTN_OK;
}

attn_status attn_find_word(const char *text, const attn_encoding *enc, const char *word, int occurrence,
                           int32_t **pieces, int32_t *n_pieces) {
    *pieces = NULL, *n_pieces = 0;
    if (!word || !*word) return attn_fail(ATTN_E_INVALID, "the word to find is empty");
    if (occurrence < 1) return attn_fail(ATTN_E_INVALID, "occurrence %d: occurrences count from 1", occurrence);
    uint32_t *t = NULL, *q = NULL;
    size_t *tb = NULL, *qb = NULL, nt, nq;
    attn_status s = attn_utf8_decode_all(text, &t, &tb, &nt);
    if (s != ATTN_OK) s = attn_fail_prefix(s, "text");
    else if ((s = attn_utf8_decode_all(word, &q, &qb, &nq)) != ATTN_OK) s = attn_fail_prefix(s, "word");
    if (s == ATTN_OK) {
        int found;
        ptrdiff_t at = nth_match(t, nt, q, nq, occurrence, &found);
        if (at < 0 && found == 0) s = attn_fail(ATTN_E_INVALID, "word \"%s\" does not occur in \"%s\"", word, text);
        else if (at < 0)
            s = attn_fail(ATTN_E_INVALID, "word \"%s\" occurs %d time%s in \"%s\"; there is no occurrence %d", word, found,
                          found == 1 ? "" : "s", text, occurrence);
        else s = overlapping_tokens(enc, (int32_t)at, (int32_t)(at + (ptrdiff_t)nq), pieces, n_pieces);
        if (s == ATTN_OK && *n_pieces == 0) {
            s = attn_fail(ATTN_E_INVALID, "word \"%s\" in \"%s\" has no token (truncated?)", word, text);
            free(*pieces), *pieces = NULL;
        }
    }
    free(t), free(tb), free(q), free(qb);
    return s;
}
