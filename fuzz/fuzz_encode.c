/* fuzz_encode.c — encode and decode of arbitrary bytes with the tokenizers the tests ship (the
 * full bert-base-uncased WordPiece and the RoBERTa byte-level BPE, from tokenizer.json and from
 * the legacy files). Byte 0 picks the tokenizer and the options; the text pair is what follows
 * the first 0x01 byte. Valid UTF-8 must encode; every encoding must be consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#ifndef ATTN_FUZZ_DATA
#define ATTN_FUZZ_DATA "tests/data"
#endif

static const char *const dirs[4] = {
    ATTN_FUZZ_DATA "/models/bert-tiny",           /* tokenizer.json, WordPiece */
    ATTN_FUZZ_DATA "/models/roberta-tiny",        /* tokenizer.json, byte-level BPE */
    ATTN_FUZZ_DATA "/models/bert-tiny-plain-f16", /* vocab.txt */
    ATTN_FUZZ_DATA "/models/roberta-tiny-bf16",   /* vocab.json + merges.txt */
};

static void check(const attn_tokenizer *t, const char *text, size_t len, const char *pair, size_t plen, unsigned opt) {
    attn_encode_options o;
    attn_encode_options_init(&o);
    o.add_special_tokens = !(opt & 1);
    o.max_length = opt & 2 ? (int32_t)(opt >> 4) + 1 : 0;
    o.truncation = (attn_truncation)((opt >> 2) % 3);
    attn_encoding e;
    attn_status s = attn_tokenizer_encode_n(t, text, len, pair, plen, &o, &e);
    int valid = attn_utf8_invalid_at(text, len) < 0 && (!pair || attn_utf8_invalid_at(pair, plen) < 0);
    if (s != ATTN_OK) {
        /* only invalid UTF-8, or truncation that cannot fit the special tokens, may fail */
        if (valid && !o.max_length) abort();
        return;
    }
    if (!valid) abort();
    if (o.max_length && e.n > o.max_length) abort();
    int32_t vocab = attn_tokenizer_vocab_size(t);
    for (int i = 0; i < e.n; i++) {
        if (e.ids[i] < 0 || e.ids[i] >= vocab || !e.tokens[i]) abort();
        if (e.offsets[2 * i] < 0 || e.offsets[2 * i] > e.offsets[2 * i + 1]) abort();
        if (e.special_tokens_mask[i] && e.sequence_ids[i] >= 0) abort();
        if (e.sequence_ids[i] > (pair ? 1 : 0)) abort();
    }
    char *back = NULL;
    if (attn_tokenizer_decode(t, e.ids, e.n, (int)(opt & 1), &back) != ATTN_OK) abort();
    free(back);
    attn_encoding_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static attn_tokenizer *toks[4];
    if (size < 1) return 0;
    int which = data[0] % 4;
    if (!toks[which] && attn_tokenizer_open(dirs[which], &toks[which]) != ATTN_OK) abort();
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    const char *sep = memchr(text, 1, len);
    check(toks[which], text, sep ? (size_t)(sep - text) : len, sep ? sep + 1 : NULL,
          sep ? len - (size_t)(sep + 1 - text) : 0, data[0] >> 2);
    return 0;
}
