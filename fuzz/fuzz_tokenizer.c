/* fuzz_tokenizer.c — the tokenizer on arbitrary bytes: never a crash, and every encoding is sane.
 * The first byte picks the target: 0 = the bytes are a tokenizer.json (loaded, then used on a
 * fixed text); 1 = text for a small BERT-style tokenizer; 2 = text for a small byte-level BPE one
 * (text_pair = the part after the first 0x01 byte). Encodings are checked: offsets in range and
 * ordered within a sequence, masks and ids consistent, decode works. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char bert_json[] =
    "{\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\",\"special\":true},{\"id\":1,\"content\":\"[UNK]\",\"special\":true},"
    "{\"id\":2,\"content\":\"[CLS]\",\"special\":true},{\"id\":3,\"content\":\"[SEP]\",\"special\":true},"
    "{\"id\":10,\"content\":\"zz\",\"normalized\":true,\"single_word\":true,\"rstrip\":true}],"
    "\"normalizer\":{\"type\":\"BertNormalizer\",\"lowercase\":true},\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
    "\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",3],\"cls\":[\"[CLS]\",2]},"
    "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\"},"
    "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"max_input_chars_per_word\":20,\"vocab\":{\"[PAD]\":0,"
    "\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,\"a\":4,\"b\":5,\"##a\":6,\"##b\":7,\"ab\":8,\"\xe4\xb8\x80\":9}}}";

static const char bpe_json[] =
    "{\"added_tokens\":[{\"id\":0,\"content\":\"<s>\",\"special\":true},{\"id\":1,\"content\":\"</s>\",\"special\":true},"
    "{\"id\":2,\"content\":\"<mask>\",\"special\":true,\"lstrip\":true}],"
    "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},{\"type\":\"Replace\",\"pattern\":{\"String\":\"aa\"},\"content\":\"b\"}]},"
    "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\",\"individual_digits\":true},"
    "{\"type\":\"ByteLevel\",\"add_prefix_space\":true}]},"
    "\"post_processor\":{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",1],\"cls\":[\"<s>\",0],\"trim_offsets\":true},"
    "\"decoder\":{\"type\":\"ByteLevel\"},"
    "\"model\":{\"type\":\"BPE\",\"vocab\":{\"<s>\":0,\"</s>\":1,\"<mask>\":2,\"a\":3,\"b\":4,\"\xc4\xa0\":5,\"ab\":6,\"\xc4\xa0" "a\":7},"
    "\"merges\":[\"a b\",\"\xc4\xa0 a\"]}}";

static attn_tokenizer *load(const void *data, size_t size) {
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/attn_fuzz_tokenizer_%d.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    fwrite(data, 1, size, f);
    fclose(f);
    attn_tokenizer *t = NULL;
    if (attn_tokenizer_from_file(path, &t) != ATTN_OK) t = NULL;
    unlink(path);
    return t;
}

static void check(const attn_tokenizer *t, const char *text, size_t len, const char *pair, size_t plen) {
    attn_encode_options o;
    attn_encode_options_init(&o);
    for (int round = 0; round < 3; round++) {
        o.add_special_tokens = round != 1;
        o.max_length = round == 2 ? 7 : 0;
        attn_encoding e;
        if (attn_tokenizer_encode_n(t, text, len, pair, plen, &o, &e) != ATTN_OK) {
            if (attn_utf8_invalid_at(text, len) < 0 && (!pair || attn_utf8_invalid_at(pair, plen) < 0) && round != 2) abort();
            continue;
        }
        if (o.max_length && e.n > o.max_length) abort();
        for (int i = 0; i < e.n; i++) {
            if (e.offsets[2 * i] < 0 || e.offsets[2 * i] > e.offsets[2 * i + 1]) abort();
            if (!e.tokens[i] || e.attention_mask[i] != 1) abort();
            if (e.special_tokens_mask[i] && e.sequence_ids[i] >= 0) abort();
        }
        char *s = NULL;
        if (attn_tokenizer_decode(t, e.ids, e.n, 1, &s) != ATTN_OK) abort();
        free(s);
        attn_encoding_free(&e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static attn_tokenizer *bert, *bpe;
    if (!bert) bert = load(bert_json, sizeof bert_json - 1);
    if (!bpe) bpe = load(bpe_json, sizeof bpe_json - 1);
    if (!bert || !bpe) abort();
    if (size < 1) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] % 3 == 0) {
        attn_tokenizer *t = load(text, len);
        if (t) check(t, "Hello world, \xe4\xb8\x80 caf\xc3\xa9 12", 18, "x", 1);
        attn_tokenizer_free(t);
        return 0;
    }
    const char *sep = memchr(text, 1, len);
    const char *pair = sep ? sep + 1 : NULL;
    size_t plen = sep ? len - (size_t)(sep + 1 - text) : 0;
    check(data[0] % 3 == 1 ? bert : bpe, text, sep ? (size_t)(sep - text) : len, pair, plen);
    return 0;
}
