/* wordpiece.c — WordPiece: greedy longest-match-first from the start of the word, "##" before
 * every piece but the first; one unknown piece makes the whole word [UNK]. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

attn_status tk_wordpiece_tokenize(const attn_tokenizer *t, tk_work *w, const uint32_t *cp, int32_t n,
                          attn_status (*emit)(void *u, int32_t id, const char *str, int32_t s, int32_t e), void *u) {
    const tk_wordpiece *wp = &t->wp;
    if (n > wp->max_chars) return emit(u, wp->unk_id, wp->unk, 0, n);
    size_t plen = wp->prefix_len;
    if (!attn_grow((void **)&w->bytes, &w->bytes_cap, (size_t)n * 8 + plen + 8, 1) ||
        !attn_grow((void **)&w->ibuf, &w->ibuf_cap, (size_t)n * 4 + 4, sizeof *w->ibuf))
        return ATTN_E_NOMEM;
    char *word = w->bytes, *key = w->bytes + (size_t)n * 4 + 4;
    int32_t *cpos = w->ibuf, *pieces = w->ibuf + n + 1;
    size_t len = 0;
    for (int32_t i = 0; i < n; i++) cpos[i] = (int32_t)len, len += (size_t)tk_utf8_put(cp[i], word + len);
    cpos[n] = (int32_t)len;
    memcpy(key, wp->prefix, plen);

    size_t maxlen = t->vocab.max_len;
    int32_t np = 0;
    for (int32_t start = 0; start < n;) {
        size_t room = start > 0 ? (maxlen > plen ? maxlen - plen : 0) : maxlen;
        int32_t end = n, id = -1;
        while (end > start && (size_t)(cpos[end] - cpos[start]) > room) end--;
        for (; end > start; end--) {
            size_t sl = (size_t)(cpos[end] - cpos[start]);
            if (start > 0) {
                memcpy(key + plen, word + cpos[start], sl);
                id = tk_vocab_get(&t->vocab, key, plen + sl);
            } else {
                id = tk_vocab_get(&t->vocab, word, sl);
            }
            if (id >= 0) break;
        }
        if (id < 0) return emit(u, wp->unk_id, wp->unk, 0, n);
        pieces[3 * np] = id, pieces[3 * np + 1] = start, pieces[3 * np + 2] = end, np++;
        start = end;
    }
    for (int32_t k = 0; k < np; k++)
        if (emit(u, pieces[3 * k], t->vocab.tokens[pieces[3 * k]], pieces[3 * k + 1], pieces[3 * k + 2])) return ATTN_E_NOMEM;
    return ATTN_OK;
}
