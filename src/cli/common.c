/* common.c — error printing and argument helpers shared by the commands. */
#define _GNU_SOURCE /* vasprintf */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    for (int i = 0; i < n; i++) /* one line, whatever an argument (a file name) holds */
        if ((unsigned char)msg[i] < 0x20) msg[i] = ' ';
    fprintf(stderr, "attnscope: %s\n", n >= 0 ? msg : "out of memory");
    if (n >= 0) free(msg);
    return 1;
}

char **cli_argv;

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "attnscope %s: ", cmd);
    /* getopt's own message is off (opterr = 0): the option it stopped at is argv[optind - 1] */
    if (!strcmp(fmt, "unknown option") && cli_argv && optind > 0 && cli_argv[optind - 1])
        fprintf(stderr, "unknown option, or an option without its value: '%s'", cli_argv[optind - 1]);
    else
        vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'attnscope %s --help')\n", cmd);
    va_end(ap);
    return 2;
}

int cli_lib_error(void) { return cli_error("%s", attn_last_error()); }

/* Byte offset of the first byte that does not start a well-formed UTF-8 sequence (no overlongs,
 * surrogates or code points past U+10FFFF), or -1. */
static long utf8_invalid_at(const unsigned char *s) {
    for (const unsigned char *p = s; *p;) {
        int n = *p < 0x80 ? 0 : *p >= 0xC2 && *p <= 0xDF ? 1 : *p >= 0xE0 && *p <= 0xEF ? 2 : *p >= 0xF0 && *p <= 0xF4 ? 3 : -1;
        if (n < 0) return (long)(p - s);
        unsigned lo = 0x80, hi = 0xBF; /* the second byte's range */
        if (*p == 0xE0) lo = 0xA0;
        else if (*p == 0xED) hi = 0x9F;
        else if (*p == 0xF0) lo = 0x90;
        else if (*p == 0xF4) hi = 0x8F;
        for (int i = 1; i <= n; i++)
            if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xBF)) return (long)(p - s);
        p += n + 1;
    }
    return -1;
}

int cli_utf8_arg(const char *what, const char *text) {
    long bad = text ? utf8_invalid_at((const unsigned char *)text) : -1;
    if (bad >= 0) cli_error("%s: not valid UTF-8 (byte offset %ld)", what, bad);
    return bad < 0;
}

/* ---- download progress ---------------------------------------------------------------------
 * On a terminal: one redrawn line per file (bytes, rate, ETA), at most 10 times a second.
 * Otherwise: a line when a file starts and one when it is complete (logs stay readable). */
typedef struct progress_state {
    int tty;
    char file[256];
    double start, last_draw;
    int64_t start_done;   /* a resumed download starts above 0: the rate counts only new bytes */
    int line_open;        /* a bar is drawn without its final newline */
} progress_state;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *human_bytes(double b, char *buf, size_t size) {
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1000.0 && u < 4) { b /= 1000.0; u++; }
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", b, units[u]);
    return buf;
}

static void draw_bar(progress_state *p, int64_t done, int64_t total, double t) {
    char a[32], b[32], r[32], eta[32] = "";
    double elapsed = t - p->start, rate = elapsed > 0 ? (double)(done - p->start_done) / elapsed : 0;
    char bar[32];
    int width = (int)sizeof bar - 1, filled = total > 0 ? (int)((double)done / (double)total * width) : 0;
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    if (total > 0 && rate > 0 && done < total) {
        long s = (long)((double)(total - done) / rate);
        snprintf(eta, sizeof eta, " ETA %ld:%02ld", s / 60, s % 60);
    }
    fprintf(stderr, "\r\033[K%-28.28s %3d%% [%s] %s/%s %s/s%s", p->file, total > 0 ? (int)(100 * done / total) : 0, bar,
            human_bytes((double)done, a, sizeof a), total >= 0 ? human_bytes((double)total, b, sizeof b) : "?",
            human_bytes(rate, r, sizeof r), eta);
    p->line_open = 1;
}

static void on_progress(void *user, const char *file, int64_t done, int64_t total) {
    progress_state *p = user;
    double t = now_seconds();
    if (strncmp(p->file, file, sizeof p->file - 1) != 0) { /* a new file */
        if (p->line_open) fputc('\n', stderr);
        p->line_open = 0;
        snprintf(p->file, sizeof p->file, "%s", file);
        p->start = t;
        p->start_done = done;
        p->last_draw = 0;
        if (!p->tty) {
            char b[32];
            fprintf(stderr, "downloading %s (%s)%s\n", file, total >= 0 ? human_bytes((double)total, b, sizeof b) : "size unknown",
                    done > 0 ? ", resuming" : "");
        }
    }
    int complete = total >= 0 && done >= total;
    if (p->tty && (complete || t - p->last_draw >= 0.1)) {
        draw_bar(p, done, total, t);
        p->last_draw = t;
    }
    if (complete) {
        if (p->tty) {
            fputc('\n', stderr);
            p->line_open = 0;
        } else {
            char a[32], r[32];
            double elapsed = t - p->start;
            fprintf(stderr, "downloaded %s: %s in %.1f s (%s/s)\n", file, human_bytes((double)done, a, sizeof a), elapsed,
                    human_bytes(elapsed > 0 ? (double)(done - p->start_done) / elapsed : 0, r, sizeof r));
        }
        p->file[0] = '\0';
    }
}

char *cli_model_dir(const char *model, int quiet) {
    attn_hub_options o;
    attn_hub_options_init(&o);
    progress_state p = {.tty = isatty(STDERR_FILENO)};
    if (!quiet) {
        o.progress = on_progress;
        o.progress_user = &p;
    }
    struct stat st; /* a local link that leads nowhere (dangling, a loop) is not a Hub id */
    if (lstat(model, &st) == 0 && stat(model, &st) != 0) {
        cli_error("%s: %s", model, strerror(errno));
        return NULL;
    }
    char *dir = NULL;
    attn_status s = attn_hub_resolve(model, &o, &dir);
    if (p.line_open) fputc('\n', stderr);
    if (s != ATTN_OK) {
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
        /* strict: no blanks (strtol skips leading ones), no empty or trailing element */
        if (end == p || errno || v < INT32_MIN || v > INT32_MAX || (*end && *end != ',') || isspace((unsigned char)*p) ||
            (*end == ',' && !end[1])) {
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

int cli_parse_int(const char *s, long lo, long hi, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) return 0;
    *out = (int)v;
    return 1;
}
