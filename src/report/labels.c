/* labels.c — what a reader expects to see for each token: the tokenizer's own decoding of it
 * ("Ġbank" → " bank"), and for byte-level pieces of one character (an emoji or a CJK character
 * split over several tokens) that character on the first piece and a continuation mark on the
 * others, instead of the mojibake of the raw pieces ("ĠðŁ", "¤", "Ĺ"). */
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD: what decoding gives for an incomplete UTF-8 sequence */
#define MAX_RUN 4                  /* a character is at most 4 bytes, so at most 4 byte pieces */

/* ids[0..k) decoded together; NULL when that fails or still holds U+FFFD. */
static char *clean_decode(const attn_tokenizer *t, const int32_t *ids, int k) {
    char *s = NULL;
    if (attn_tokenizer_decode(t, ids, k, 0, &s) != ATTN_OK) return NULL;
    if (s && !strstr(s, REPLACEMENT)) return s;
    free(s);
    return NULL;
}

void attn_token_labels_free(char **labels, int32_t n) {
    for (int32_t i = 0; labels && i < n; i++) free(labels[i]);
    free(labels);
}

attn_status attn_token_labels(const attn_tokenizer *t, const int32_t *ids, const uint8_t *special, int32_t n,
                              char ***out) {
    *out = NULL;
    char **l = attn_calloc((size_t)n + 1, sizeof *l);
    if (!l) return attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int32_t i = 0; i < n;) {
        int k = 1;
        char *s = clean_decode(t, ids + i, 1);
        /* pieces of one character: the shortest run from here that decodes cleanly */
        while (!s && k < MAX_RUN && i + k < n && !(special && (special[i] || special[i + k]))) {
            k++;
            s = clean_decode(t, ids + i, k);
        }
        if (!s) { /* never whole: the raw token */
            const char *raw = attn_tokenizer_id_to_token(t, ids[i]);
            s = attn_strdup(raw ? raw : "");
            k = 1;
        }
        l[i] = s;
        for (int m = 1; m < k; m++) l[i + m] = attn_strdup(ATTN_TOKEN_CONTINUATION);
        for (int m = 0; m < k; m++)
            if (!l[i + m]) {
                attn_token_labels_free(l, n);
                return attn_fail(ATTN_E_NOMEM, "out of memory");
            }
        i += k;
    }
    *out = l;
    return ATTN_OK;
}
