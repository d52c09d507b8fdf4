/* words_internal.h — helpers shared by the word-level analyses (words.c, locate.c, focus.c, ...). */
#ifndef ATTN_WORDS_INTERNAL_H
#define ATTN_WORDS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "attnscope.h"

/* Python's str.isspace() for one code point. */
int attn_py_isspace(uint32_t c);

/* Decodes NUL-terminated UTF-8 into code points cps [n] and byte_at [n+1] (byte offset of each
 * code point, then the length). ATTN_E_INVALID on invalid UTF-8. free() both. */
attn_status attn_utf8_decode_all(const char *s, uint32_t **cps, size_t **byte_at, size_t *n);

/* out holds attentions of n_tokens tokens, and layer (and head, -1 = mean) exist. */
attn_status attn_check_attentions(const attn_output *out, int32_t n_tokens, int layer, int head);

#endif
