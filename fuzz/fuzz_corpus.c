/* fuzz_corpus.c — the corpus readers on arbitrary bytes: the first byte picks the format (text,
 * CSV, TSV, JSONL, AG News), the rest is the file. Never a crash; every sentence read is valid
 * UTF-8, and counting agrees with reading. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const attn_corpus_format formats[] = {ATTN_CORPUS_TEXT, ATTN_CORPUS_CSV, ATTN_CORPUS_TSV, ATTN_CORPUS_JSONL,
                                             ATTN_CORPUS_AGNEWS};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/attn_fuzz_corpus_%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    attn_corpus_options o;
    attn_corpus_options_init(&o);
    o.format = formats[data[0] % (sizeof formats / sizeof formats[0])];
    o.per_label = data[0] & 0x80 ? 0 : 2; /* AG News: every sentence, or a seeded draw */
    attn_corpus *c;
    int64_t read = 0, counted = -1;
    if (attn_corpus_open(path, &o, &c) == ATTN_OK) {
        attn_sentence s;
        attn_status st;
        while ((st = attn_corpus_next(c, &s)) == ATTN_OK && s.text) {
            if (attn_utf8_invalid_at(s.text, strlen(s.text)) >= 0 || !s.label) abort();
            read++;
        }
        attn_corpus_free(c);
        if (st == ATTN_OK && attn_corpus_count(path, &o, &counted) == ATTN_OK && counted != read) abort();
    }
    unlink(path);
    return 0;
}
