/* common.c — error printing and argument helpers shared by the commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("attnscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "attnscope %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'attnscope %s --help')\n", cmd);
    va_end(ap);
    return 2;
}

int cli_lib_error(void) { return cli_error("%s", attn_last_error()); }

static void progress_plain(void *user, const char *file, int64_t done, int64_t total) {
    (void)user;
    if (total > 0) fprintf(stderr, "downloading %s: %lld / %lld bytes\n", file, (long long)done, (long long)total);
    else fprintf(stderr, "downloading %s: %lld bytes\n", file, (long long)done);
}

char *cli_model_dir(const char *model, int quiet) {
    attn_hub_options o;
    attn_hub_options_init(&o);
    if (!quiet) o.progress = progress_plain;
    char *dir = NULL;
    if (attn_hub_resolve(model, &o, &dir) != ATTN_OK) {
        cli_lib_error();
        return NULL;
    }
    return dir;
}

const char *cli_thousands(int64_t v, char *buf, int size) {
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    int n = (int)strlen(digits), o = 0;
    if (v < 0 && o < size - 1) buf[o++] = '-';
    for (int i = 0; i < n && o < size - 1; i++) {
        if (i > 0 && (n - i) % 3 == 0 && o < size - 1) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

int cli_parse_int_list(const char *s, int32_t **out, int *n) {
    *out = NULL;
    *n = 0;
    int cap = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < INT32_MIN || v > INT32_MAX || (*end && *end != ',')) {
            free(*out);
            *out = NULL;
            return 0;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            int32_t *q = realloc(*out, (size_t)cap * sizeof *q);
            if (!q) { free(*out); *out = NULL; return 0; }
            *out = q;
        }
        (*out)[(*n)++] = (int32_t)v;
        p = *end ? end + 1 : end;
    }
    return *n > 0;
}
