/* files.c — reading and mapping files (writing is atomic.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common.h"

int attn_file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int attn_dir_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

json_t *attn_json_load_file(const char *path, size_t flags, json_error_t *err) {
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        memset(err, 0, sizeof *err);
        snprintf(err->text, sizeof err->text, "%s", S_ISDIR(st.st_mode) ? "is a folder, not a file" : "not a regular file");
        return NULL;
    }
    return json_load_file(path, flags, err);
}

/* Opens a regular file for reading; *size is its length. O_NONBLOCK: a FIFO without a writer in
 * place of a file is refused at once instead of blocking the open forever (reads of a regular file
 * ignore the flag). */
static attn_status open_regular(const char *path, int *fd, size_t *size) {
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (*fd < 0) return attn_fail(errno == ENOENT ? ATTN_E_NOT_FOUND : ATTN_E_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(*fd);
        return attn_fail(ATTN_E_IO, "%s: not a regular file", path);
    }
    *size = (size_t)st.st_size;
    return ATTN_OK;
}

attn_status attn_read_file(const char *path, char **data, size_t *len) {
    *data = NULL;
    if (len) *len = 0;
    int fd;
    size_t size;
    attn_status s = open_regular(path, &fd, &size);
    if (s) return s;
    /* read to the end of file, not to st_size: /proc and /sys files say 0 bytes and hold more */
    char *buf = NULL;
    size_t cap = 0, got = 0;
    for (;;) {
        /* room for one more byte and the NUL: the file's size at first, doubling past it */
        if (got + 1 >= cap && !attn_grow((void **)&buf, &cap, got + 2 > size + 1 ? got + 2 : size + 1, 1)) {
            free(buf);
            close(fd);
            return attn_fail(ATTN_E_NOMEM, "%s: cannot allocate %zu bytes", path, got + 2);
        }
        ssize_t r = read(fd, buf + got, cap - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) break;
        if (r < 0) {
            int err = errno;
            free(buf);
            close(fd);
            return attn_fail(ATTN_E_IO, "%s: read error at byte %zu: %s", path, got, strerror(err));
        }
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    if (len) *len = got;
    return ATTN_OK;
}

attn_status attn_mmap_open(const char *path, attn_mmap *m) {
    m->data = NULL;
    m->size = 0;
    int fd;
    size_t size;
    attn_status s = open_regular(path, &fd, &size);
    if (s) return s;
    if (size == 0) {
        close(fd);
        return ATTN_OK;
    }
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return attn_fail(ATTN_E_IO, "%s: mmap failed: %s", path, strerror(errno));
    m->data = p;
    m->size = size;
    return ATTN_OK;
}

void attn_mmap_close(attn_mmap *m) {
    if (m->data && m->size) munmap((void *)m->data, m->size);
    m->data = NULL;
    m->size = 0;
}

