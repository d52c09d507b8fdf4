/* fuzz_legacy.c — the legacy tokenizer builders on arbitrary bytes: byte 0 picks the file the rest
 * becomes — vocab.txt (WordPiece, with a fixed BERT config), vocab.json or merges.txt (byte-level
 * BPE, the other file fixed). Loading must fail cleanly or give a tokenizer that encodes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static void put(const char *dir, const char *name, const void *data, size_t size) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fwrite(data, 1, size, f);
    fclose(f);
}

static void drop(const char *dir, const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static const char small_vocab[] = "{\"<s>\":0,\"</s>\":1,\"<unk>\":2,\"<pad>\":3,\"<mask>\":4,\"a\":5,\"b\":6,\"\xc4\xa0\":7,\"ab\":8}";
static const char small_merges[] = "#version: 0.2\na b\n\xc4\xa0 a\n";

static char dir[64];

static void remove_dir(void) {
    drop(dir, "vocab.txt"), drop(dir, "vocab.json"), drop(dir, "merges.txt");
    drop(dir, "config.json"), drop(dir, "tokenizer_config.json");
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/attn_fuzz_legacy_%d", (int)getpid());
        mkdir(dir, 0700);
        atexit(remove_dir);
    }
    if (size < 1) return 0;
    const uint8_t *body = data + 1;
    size_t n = size - 1;
    static const char bert_cfg[] = "{\"model_type\": \"bert\"}", roberta_cfg[] = "{\"model_type\": \"roberta\"}";
    static const char tok_cfg[] = "{\"do_lower_case\": true}";
    put(dir, "tokenizer_config.json", tok_cfg, sizeof tok_cfg - 1);
    switch (data[0] % 3) {
    case 0:
        put(dir, "config.json", bert_cfg, sizeof bert_cfg - 1);
        put(dir, "vocab.txt", body, n);
        break;
    case 1:
        put(dir, "config.json", roberta_cfg, sizeof roberta_cfg - 1);
        put(dir, "vocab.json", body, n);
        put(dir, "merges.txt", small_merges, sizeof small_merges - 1);
        break;
    default:
        put(dir, "config.json", roberta_cfg, sizeof roberta_cfg - 1);
        put(dir, "vocab.json", small_vocab, sizeof small_vocab - 1);
        put(dir, "merges.txt", body, n);
        break;
    }
    attn_tokenizer *t = NULL;
    if (attn_tokenizer_open(dir, &t) == ATTN_OK) {
        attn_encoding e;
        if (attn_tokenizer_encode(t, "Hello ab, caf\xc3\xa9 \xe4\xb8\x80 [UNK] <mask>!", "b a", NULL, &e) != ATTN_OK) abort();
        for (int i = 0; i < e.n; i++)
            if (e.ids[i] < 0 || !e.tokens[i]) abort();
        attn_encoding_free(&e);
        attn_tokenizer_free(t);
    }
    drop(dir, "vocab.txt"), drop(dir, "vocab.json"), drop(dir, "merges.txt");
    return 0;
}
