/* metrics_internal.h — per-sentence pieces shared by metrics.c, head_stats.c and study.c. */
#ifndef ATTN_METRICS_INTERNAL_H
#define ATTN_METRICS_INTERNAL_H

#include "attnscope.h"

/* Byte offset of every code point of text, plus one past the end: [n_cp + 1]. malloc'ed. */
size_t *attn_cp_byte_offsets(const char *text, int32_t *n_cp);

/* Per token flags for the head statistics: separator / end tokens (special tokens after the first
 * position) and punctuation (a non-empty span of the text made only of punctuation). */
attn_status attn_token_classes(const char *text, const attn_encoding *enc, uint8_t *is_sep, uint8_t *is_punct);

/* Head statistics of one layer: attn [heads][T][T] → out [heads][ATTN_HS_COUNT] (NAN = undefined). */
void attn_head_stats_layer(const float *attn, int heads, int T, const uint8_t *is_sep, const uint8_t *is_punct,
                           double *out);

/* Adds, for every pair of heads a < b of a sentence's attentions [n_heads][T][T] (n_heads = layers*heads),
 * the mean over query rows of the Jensen-Shannon distance into dist[a][b] and dist[b][a]. */
attn_status attn_head_distances_add(const float *attn, int n_heads, int T, int threads, double *dist);

#endif
