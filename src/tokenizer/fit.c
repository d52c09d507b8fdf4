/* fit.c — text and tokenizer fitted to a model: sequences cut to its positions, ids checked
 * against its vocabulary once, before any sentence is run. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

attn_status attn_encode_to_fit(const attn_tokenizer *t, const attn_config *cfg, const char *text, size_t text_len,
                               const char *pair, size_t pair_len, attn_encoding *out, attn_truncation_info *cut) {
    if (cut) *cut = (attn_truncation_info){0, 0};
    attn_status s = attn_tokenizer_encode_n(t, text, text_len, pair, pair_len, NULL, out);
    int32_t max_tokens = attn_config_max_tokens(cfg);
    if (s != ATTN_OK || out->n <= max_tokens) return s;
    /* encoded again with the cut: the tokenizer's truncation keeps the special tokens and the
     * longest_first balance of a pair, exactly as Hugging Face does */
    int32_t untruncated = out->n;
    attn_encoding_free(out);
    attn_encode_options o;
    attn_encode_options_init(&o);
    o.max_length = max_tokens;
    s = attn_tokenizer_encode_n(t, text, text_len, pair, pair_len, &o, out);
    if (s == ATTN_E_INVALID && strstr(attn_last_error(), "special tokens it must hold")) /* a config with 1 or 2 positions */
        return attn_fail(ATTN_E_FORMAT, "config.json: the model's %d positions (max_position_embeddings) cannot hold even the "
                         "special tokens of one sequence", max_tokens);
    if (s != ATTN_OK) return s;
    if (cut) *cut = (attn_truncation_info){untruncated, out->n};
    return ATTN_OK;
}

attn_status attn_tokenizer_check_model(const attn_tokenizer *t, const attn_config *cfg, const char *dir) {
    int32_t n = attn_tokenizer_vocab_size(t);
    if (n <= cfg->vocab) return ATTN_OK;
    return attn_fail(ATTN_E_FORMAT,
                     "%s: the tokenizer's largest token id is %d but the model's vocab_size is %d (config.json): "
                     "the tokenizer does not belong to this model",
                     dir, n - 1, cfg->vocab);
}

/* Code points of valid UTF-8 text: the bytes that do not continue a character. */
static int32_t code_points(const char *s) {
    int32_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

attn_status attn_find_word_fit(const char *text, const attn_encoding *enc, attn_truncation_info cut, const char *word,
                               int occurrence, int32_t **pieces, int32_t *n_pieces) {
    attn_status s = attn_find_word(text, enc, word, occurrence, pieces, n_pieces);
    if (s == ATTN_OK || !cut.tokens) return s;
    /* was the occurrence there before the cut? One token spanning the whole text finds it if so */
    int32_t offsets[2] = {0, code_points(text)}, type_id = 0, seq_id = 0;
    uint8_t special = 0;
    attn_encoding whole = {.n = 1, .offsets = offsets, .type_ids = &type_id, .special_tokens_mask = &special,
                           .sequence_ids = &seq_id};
    int32_t *p = NULL, np = 0;
    char *why = attn_strdup(attn_last_error());
    if (attn_find_word(text, &whole, word, occurrence, &p, &np) != ATTN_OK) { /* not a matter of the cut */
        s = attn_fail(s, "%s", why ? why : "out of memory");
    } else {
        s = attn_fail(ATTN_E_INVALID, "word \"%s\" (occurrence %d) lies past the model's %d positions: the sentence's %d tokens were truncated to %d",
                      word, occurrence, cut.kept, cut.tokens, cut.kept);
    }
    free(p), free(why);
    return s;
}
