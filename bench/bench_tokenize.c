/* bench_tokenize.c — tokenizer throughput (MB/s of UTF-8 input, one thread).
 *   bench_tokenize TOKENIZER [TEXT_FILE] [--repeat N]
 * TOKENIZER is a tokenizer.json or a model folder. Without TEXT_FILE the text is the reference
 * cases of tests/data/tokenizers (all scripts, emoji, long words) repeated to about 8 MB, written
 * to /tmp/attnscope-bench-text.txt so bench/hf_tokenize_bench.js can read the same bytes.
 * Two measures: the whole text in one encode call, and every line encoded separately. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "attnscope.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    if (s) s[n] = '\0', *len = (size_t)n;
    return s;
}

/* The texts of the reference cases (NULs and newlines made spaces), one per line, repeated. */
static char *default_text(const char *data, size_t target, size_t *len) {
    size_t cap = target + (1 << 20), n = 0;
    char *out = malloc(cap);
    const char *names[] = {"bert-base-uncased", "roberta-style"};
    while (out && n < target) {
        size_t before = n;
        for (int k = 0; k < 2 && n < target; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/tokenizers/%s/cases.jsonl", data, names[k]);
            FILE *f = fopen(path, "rb");
            char *line = NULL;
            size_t lcap = 0;
            while (f && getline(&line, &lcap, f) > 0 && n < target) {
                json_t *o = json_loads(line, JSON_ALLOW_NUL, NULL);
                json_t *t = json_object_get(o, "text");
                size_t tl = json_string_length(t);
                if (tl && n + tl + 1 < cap) {
                    for (size_t i = 0; i < tl; i++) {
                        char c = json_string_value(t)[i];
                        out[n++] = (c == '\0' || c == '\n' || c == '\r') ? ' ' : c;
                    }
                    out[n++] = '\n';
                }
                json_decref(o);
            }
            free(line);
            if (f) fclose(f);
        }
        if (n == before) break;
    }
    if (out) out[n] = '\0', *len = n;
    return out;
}

int main(int argc, char **argv) {
    const char *tok_path = NULL, *text_path = NULL;
    int repeat = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!tok_path) tok_path = argv[i];
        else text_path = argv[i];
    }
    if (!tok_path) {
        fprintf(stderr, "usage: bench_tokenize TOKENIZER [TEXT_FILE] [--repeat N]\n");
        return 2;
    }
    struct stat st;
    attn_tokenizer *tok = NULL;
    attn_status s = stat(tok_path, &st) == 0 && S_ISDIR(st.st_mode) ? attn_tokenizer_open(tok_path, &tok)
                                                                    : attn_tokenizer_from_file(tok_path, &tok);
    if (s) {
        fprintf(stderr, "%s\n", attn_last_error());
        return 1;
    }
    size_t len = 0;
    char *text;
    if (text_path) {
        text = read_all(text_path, &len);
    } else {
        const char *data = getenv("ATTN_TEST_DATA");
        text = default_text(data ? data : "tests/data", 8u << 20, &len);
        FILE *f = fopen("/tmp/attnscope-bench-text.txt", "wb");
        if (f) fwrite(text, 1, len, f), fclose(f);
        text_path = "/tmp/attnscope-bench-text.txt";
    }
    if (!text || !len) {
        fprintf(stderr, "no text\n");
        return 1;
    }
    double best_whole = 1e30, best_lines = 1e30;
    long tokens = 0, lines = 0;
    for (int r = 0; r < repeat; r++) {
        attn_encoding e;
        double t0 = now();
        if (attn_tokenizer_encode_n(tok, text, len, NULL, 0, NULL, &e)) {
            fprintf(stderr, "%s\n", attn_last_error());
            return 1;
        }
        double t1 = now();
        tokens = e.n;
        attn_encoding_free(&e);
        if (t1 - t0 < best_whole) best_whole = t1 - t0;

        t0 = now();
        lines = 0;
        for (const char *p = text, *end = text + len; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (attn_tokenizer_encode_n(tok, p, l, NULL, 0, NULL, &e) == ATTN_OK) attn_encoding_free(&e);
            lines++;
            p += l + 1;
        }
        t1 = now();
        if (t1 - t0 < best_lines) best_lines = t1 - t0;
    }
    double mb = (double)len / 1e6;
    printf("attnscope  %-40s %.2f MB (%s), %ld tokens, %ld lines\n", tok_path, mb, text_path, tokens, lines);
    printf("  whole text : %8.2f MB/s  (%.3f s)\n", mb / best_whole, best_whole);
    printf("  line by line: %8.2f MB/s  (%.3f s)\n", mb / best_lines, best_lines);
    free(text);
    attn_tokenizer_free(tok);
    return 0;
}
