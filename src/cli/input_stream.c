/* input_stream.c — the line-by-line inputs of run and tokenize (--input FILE.jsonl, '-' = stdin).
 *
 * They may be pipes, FIFOs or devices, not only regular files, so two things are guarded here:
 * a FIFO nobody writes to must not block the open for ever (opened O_NONBLOCK, a writer given 2 s to
 * connect, then made blocking: with no writer a read is the end of the file), and an endless line (/dev/zero, a binary
 * file) must not grow memory without bound (a raw NUL byte or a line over CLI_MAX_LINE is an error). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define CLI_MAX_LINE ((size_t)256 << 20)

FILE *cli_open_input(const char *path) {
    if (strcmp(path, "-") == 0) return stdin;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0) {
        cli_error("%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        cli_error("%s: %s", path, S_ISDIR(st.st_mode) ? "is a folder, not an input file" : strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISFIFO(st.st_mode)) { /* a writer being started gets 2 s to connect (its first line, or its end) */
        struct pollfd p = {fd, POLLIN, 0};
        poll(&p, 1, 2000);
    }
    int flags = fcntl(fd, F_GETFL);
    FILE *f = flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        cli_error("%s: cannot open: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

ssize_t cli_read_line(FILE *f, const char *path, int lineno, char **line, size_t *cap) {
    size_t len = 0;
    int c;
    while ((c = getc_unlocked(f)) != EOF) {
        if (c == '\0') {
            cli_error("%s:%d: NUL byte in the line (not a text file)", path, lineno);
            return -2;
        }
        if (len + 2 > *cap) {
            if (len >= CLI_MAX_LINE) {
                cli_error("%s:%d: line longer than %zu MiB", path, lineno, CLI_MAX_LINE >> 20);
                return -2;
            }
            size_t ncap = *cap ? 2 * *cap : 4096;
            char *p = realloc(*line, ncap);
            if (!p) {
                cli_error("%s:%d: out of memory", path, lineno);
                return -2;
            }
            *line = p, *cap = ncap;
        }
        (*line)[len++] = (char)c;
        if (c == '\n') break;
    }
    if (len == 0) return -1;
    (*line)[len] = '\0';
    return (ssize_t)len;
}
