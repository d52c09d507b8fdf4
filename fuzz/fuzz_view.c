/* fuzz_view.c — the inputs of `attnscope view --attentions FILE.safetensors --tokens FILE.json`
 * (attn_report_add_dump) on arbitrary bytes: the input is the tokens file, a NUL byte, then the
 * safetensors file (no NUL: the tokens file alone, with an empty safetensors file). What is
 * accepted is written as a report, whose page must not let a token or a text close a <script>
 * element: every "</script" the page holds closes one of its own "<script" elements. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attnscope.h"

static char tokens_path[64], st_path[64], html_path[64];

static int write_bytes(const char *path, const uint8_t *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
    return n;
}

/* The written page: as many "<script" as "</script" (an injected closing tag would add one). */
static void check_page(void) {
    FILE *f = fopen(html_path, "rb");
    if (!f) abort(); /* a report that says it was written must exist */
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *html = malloc((size_t)n + 1);
    if (!html || fread(html, 1, (size_t)n, f) != (size_t)n) abort();
    fclose(f);
    html[n] = 0;
    if (count(html, "<script") != count(html, "</script") || strlen(html) != (size_t)n) abort();
    free(html);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!tokens_path[0]) {
        int pid = (int)getpid();
        snprintf(tokens_path, sizeof tokens_path, "/tmp/attn_fuzz_view_%d.json", pid);
        snprintf(st_path, sizeof st_path, "/tmp/attn_fuzz_view_%d.safetensors", pid);
        snprintf(html_path, sizeof html_path, "/tmp/attn_fuzz_view_%d.html", pid);
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t tok_len = nul ? (size_t)(nul - data) : size;
    if (!write_bytes(tokens_path, data, tok_len) ||
        !write_bytes(st_path, nul ? nul + 1 : data, nul ? size - tok_len - 1 : 0))
        return 0;
    attn_report *r = NULL;
    if (attn_report_create("fuzz", &r) == ATTN_OK) {
        /* the same files twice, as two models: the second finds its sentences present */
        attn_status s = attn_report_add_dump(r, "a", st_path, tokens_path);
        if (s == ATTN_OK && (size & 1)) s = attn_report_add_dump(r, "b", st_path, tokens_path);
        const char *msg = attn_last_error();
        if (s != ATTN_OK && (!msg[0] || strchr(msg, '\n'))) abort(); /* one line, always */
        if (s == ATTN_OK && attn_report_write(r, html_path) == ATTN_OK) check_page();
        attn_report_free(r);
    }
    unlink(tokens_path), unlink(st_path), unlink(html_path);
    return 0;
}
