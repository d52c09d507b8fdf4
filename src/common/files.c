/* files.c — reading, mapping and atomically writing files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

int attn_file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int attn_dir_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Opens a regular file for reading; *size is its length. */
static attn_status open_regular(const char *path, int *fd, size_t *size) {
    *fd = open(path, O_RDONLY | O_CLOEXEC);
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
    char *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return attn_fail(ATTN_E_NOMEM, "%s: cannot allocate %zu bytes", path, size);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            free(buf);
            close(fd);
            return attn_fail(ATTN_E_IO, "%s: short read at byte %zu", path, got);
        }
        got += (size_t)r;
    }
    close(fd);
    buf[size] = '\0';
    *data = buf;
    if (len) *len = size;
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

static void atomic_release(attn_atomic_file *af) {
    free(af->path);
    free(af->tmp_path);
    af->path = af->tmp_path = NULL;
    af->f = NULL;
}

attn_status attn_atomic_open(attn_atomic_file *af, const char *path) {
    memset(af, 0, sizeof *af);
    af->path = attn_strdup(path);
    af->tmp_path = attn_asprintf("%s.tmp-XXXXXX", path);
    if (!af->path || !af->tmp_path) {
        atomic_release(af);
        return attn_fail(ATTN_E_NOMEM, "%s: out of memory", path);
    }
    int fd = mkostemp(af->tmp_path, O_CLOEXEC);
    if (fd < 0) {
        attn_status s = attn_fail(ATTN_E_IO, "%s: cannot create: %s", path, strerror(errno));
        atomic_release(af);
        return s;
    }
    fchmod(fd, 0644);
    af->f = fdopen(fd, "wb");
    if (!af->f) {
        close(fd);
        unlink(af->tmp_path);
        atomic_release(af);
        return attn_fail(ATTN_E_IO, "%s: cannot open for writing", path);
    }
    return ATTN_OK;
}

attn_status attn_atomic_commit(attn_atomic_file *af) {
    attn_status s = ATTN_OK;
    int bad = ferror(af->f) != 0;
    if (fflush(af->f) != 0) bad = 1;
    if (!bad && fsync(fileno(af->f)) != 0) bad = 1;
    if (fclose(af->f) != 0) bad = 1;
    af->f = NULL;
    if (bad) {
        s = attn_fail(ATTN_E_IO, "%s: write failed: %s", af->path, strerror(errno ? errno : EIO));
        unlink(af->tmp_path);
    } else if (rename(af->tmp_path, af->path) != 0) {
        s = attn_fail(ATTN_E_IO, "%s: cannot rename into place: %s", af->path, strerror(errno));
        unlink(af->tmp_path);
    }
    atomic_release(af);
    return s;
}

void attn_atomic_abort(attn_atomic_file *af) {
    if (af->f) fclose(af->f);
    if (af->tmp_path) unlink(af->tmp_path);
    atomic_release(af);
}

attn_status attn_write_file_atomic(const char *path, const void *data, size_t len) {
    attn_atomic_file af;
    attn_status s = attn_atomic_open(&af, path);
    if (s) return s;
    if (len && fwrite(data, 1, len, af.f) != len) {
        attn_atomic_abort(&af);
        return attn_fail(ATTN_E_IO, "%s: write failed", path);
    }
    return attn_atomic_commit(&af);
}
