/* atomic.c — output files: checked before any work, written atomically, never half-written.
 *
 * A regular file (or a new one) is written to a temp file in the folder of its real target
 * (symlinks resolved), fsynced, renamed over the target, and the folder fsynced: readers see the
 * old file or the new one, never a mix. The temp file is created with mode 0666 through open(), so
 * the umask applies as to any new file; an existing file's mode is kept. Stdout ("-"), character
 * devices and FIFOs cannot be renamed over: they are written directly, and write errors (ENOSPC on
 * /dev/full, EPIPE, ...) are reported. Every byte goes through io_write, where the fault hook
 * can make the n-th write fail (fault.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

typedef struct atomic_io {
    int fd;
    int close_fd; /* 0 for stdout */
    int err;      /* errno of the first failed write */
} atomic_io;

static ssize_t io_write(void *cookie, const char *buf, size_t n) {
    atomic_io *io = cookie;
    size_t done = 0;
    while (!io->err && done < n) {
        if (attn_fault_write()) {
            io->err = ENOSPC;
            break;
        }
        ssize_t w = write(io->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) io->err = w < 0 ? errno : EIO;
        else done += (size_t)w;
    }
    if (!io->err) return (ssize_t)n;
    errno = io->err;
    return -1;
}

static int io_close(void *cookie) {
    atomic_io *io = cookie;
    return io->close_fd && close(io->fd) != 0 ? -1 : 0;
}

/* dirname of path, malloc'ed ("." for a bare name). */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return attn_strdup(".");
    if (slash == path) return attn_strdup("/");
    return attn_strndup(path, (size_t)(slash - path));
}

/* path with its symlinks followed to the file they name (which may not exist yet). */
static attn_status resolve_target(const char *path, char **out) {
    char *p = attn_strdup(path);
    for (int hops = 0; p; hops++) {
        struct stat st;
        if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode)) break;
        if (hops == 40) {
            free(p);
            return attn_fail(ATTN_E_IO, "%s: too many levels of symbolic links", path);
        }
        char link[4096];
        ssize_t n = readlink(p, link, sizeof link - 1);
        if (n < 0) {
            attn_status s = attn_fail(ATTN_E_IO, "%s: cannot read link: %s", path, strerror(errno));
            free(p);
            return s;
        }
        link[n] = '\0';
        char *next = NULL;
        if (link[0] == '/') {
            next = attn_strdup(link);
        } else {
            char *d = dir_of(p);
            next = d ? attn_path_join(d, link) : NULL;
            free(d);
        }
        free(p);
        p = next;
    }
    *out = p;
    return p ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "%s: out of memory", path);
}

/* Checks that the folder of target exists and accepts new files. */
static attn_status check_folder(const char *path, const char *target) {
    char *dir = dir_of(target);
    if (!dir) return attn_fail(ATTN_E_NOMEM, "%s: out of memory", path);
    struct stat st;
    attn_status s = ATTN_OK;
    if (stat(dir, &st) != 0 && errno == ENOENT)
        s = attn_fail(ATTN_E_IO, "%s: cannot create: folder %s does not exist", path, dir);
    else if (stat(dir, &st) != 0)
        s = attn_fail(ATTN_E_IO, "%s: cannot create: folder %s: %s", path, dir, strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        s = attn_fail(ATTN_E_IO, "%s: cannot create: %s is not a folder", path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        s = attn_fail(ATTN_E_IO, "%s: cannot create: folder %s is not writable: %s", path, dir, strerror(errno));
    free(dir);
    return s;
}

/* The checks of attn_output_check on an already resolved target; *st_out/exists describe it. */
static attn_status check_target(const char *path, const char *target, struct stat *st, int *exists) {
    *exists = stat(target, st) == 0;
    if (!*exists && errno != ENOENT) return attn_fail(ATTN_E_IO, "%s: %s", path, strerror(errno));
    if (*exists && S_ISDIR(st->st_mode)) return attn_fail(ATTN_E_INVALID, "%s: is a directory, not an output file", path);
    if (*exists && !S_ISREG(st->st_mode)) {
        if (!S_ISCHR(st->st_mode) && !S_ISFIFO(st->st_mode))
            return attn_fail(ATTN_E_INVALID, "%s: not a regular file, device or FIFO", path);
        if (access(target, W_OK) != 0) return attn_fail(ATTN_E_IO, "%s: not writable: %s", path, strerror(errno));
        return ATTN_OK;
    }
    return check_folder(path, target);
}

static int create_temp(const char *target, const struct stat *old, char **tmp_path);

/* Creates and removes a temp file next to target: the only sure test that a new file can be
 * made there (a read-only file system, or root on a folder it may not write). */
static attn_status probe_create(const char *path, const char *target) {
    char *tmp = NULL;
    int fd = create_temp(target, NULL, &tmp);
    if (fd < 0) return attn_fail(ATTN_E_IO, "%s: cannot create: %s", path, strerror(errno));
    close(fd);
    unlink(tmp);
    free(tmp);
    return ATTN_OK;
}

attn_status attn_output_check(const char *path) {
    if (!path || !*path) return attn_fail(ATTN_E_INVALID, "empty output path");
    if (strcmp(path, "-") == 0) return ATTN_OK;
    char *target;
    attn_status s = resolve_target(path, &target);
    if (s) return s;
    struct stat st;
    int exists;
    s = check_target(path, target, &st, &exists);
    if (!s && (!exists || S_ISREG(st.st_mode))) s = probe_create(path, target);
    free(target);
    return s;
}

attn_status attn_output_dir_check(const char *dir) {
    if (!dir || !*dir) return attn_fail(ATTN_E_INVALID, "empty output folder");
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return attn_fail(ATTN_E_INVALID, "%s: exists and is not a folder", dir);
        if (access(dir, W_OK | X_OK) != 0) return attn_fail(ATTN_E_IO, "%s: cannot write in this folder: %s", dir, strerror(errno));
        return ATTN_OK;
    }
    if (errno != ENOENT) return attn_fail(ATTN_E_IO, "%s: %s", dir, strerror(errno));
    char *probe = attn_path_join(dir, "x"); /* the folder will be created: its parent must accept it */
    char *parent = probe ? dir_of(dir) : NULL;
    attn_status s = !parent ? attn_fail(ATTN_E_NOMEM, "%s: out of memory", dir) : ATTN_OK;
    if (!s && (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode)))
        s = attn_fail(ATTN_E_IO, "%s: parent folder %s does not exist", dir, parent);
    else if (!s && access(parent, W_OK | X_OK) != 0)
        s = attn_fail(ATTN_E_IO, "%s: cannot create it in %s: %s", dir, parent, strerror(errno));
    free(probe);
    free(parent);
    return s;
}

/* Creates "<target>.tmp-XXXXXX" with O_EXCL and mode 0666 (less the umask), or the mode of the
 * file it will replace. */
static int create_temp(const char *target, const struct stat *old, char **tmp_path) {
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long long r = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)getpid() << 20) ^ (uintptr_t)tmp_path;
    for (int attempt = 0; attempt < 100; attempt++) {
        char suffix[7];
        for (int i = 0; i < 6; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            suffix[i] = digits[(r >> 33) % (sizeof digits - 1)];
        }
        suffix[6] = '\0';
        char *p = attn_asprintf("%s.tmp-%s", target, suffix);
        if (!p) {
            errno = ENOMEM;
            return -1;
        }
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            if (old) {
                if (fchown(fd, old->st_uid, old->st_gid) != 0) { /* keep ours if we may not give it away */ }
                if (fchmod(fd, old->st_mode & 07777) != 0) { /* the new file keeps the umask's mode */ }
            }
            *tmp_path = p;
            return fd;
        }
        free(p);
        if (errno != EEXIST) return -1;
    }
    return -1;
}

static void atomic_release(attn_atomic_file *af) {
    free(af->path);
    free(af->tmp_path);
    free(af->target);
    free(af->io);
    memset(af, 0, sizeof *af);
}

/* Opens fd for writing into af->f through io_write. Closes fd on failure. */
static attn_status attach_stream(attn_atomic_file *af, int fd, int close_fd) {
    atomic_io *io = attn_calloc(1, sizeof *io);
    cookie_io_functions_t fns = {.write = io_write, .close = io_close};
    if (io) {
        io->fd = fd, io->close_fd = close_fd;
        af->f = fopencookie(io, "w", fns);
    }
    if (!io || !af->f) {
        free(io);
        if (close_fd) close(fd);
        if (af->tmp_path) unlink(af->tmp_path);
        return attn_fail(ATTN_E_NOMEM, "%s: out of memory", af->path);
    }
    af->io = io;
    return ATTN_OK;
}

/* A device, or a FIFO: a FIFO without a reader would block the open for ever, so it is opened
 * O_NONBLOCK, giving a reader that is being started a moment (2 s), then written blocking. */
static int open_direct(const char *target, const struct stat *st) {
    if (!S_ISFIFO(st->st_mode)) return open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 20; tries++) {
        fd = open(target, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 && errno != ENXIO) return -1;
        if (fd < 0) nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    }
    if (fd < 0) {
        errno = ENXIO;
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

attn_status attn_atomic_open(attn_atomic_file *af, const char *path) {
    memset(af, 0, sizeof *af);
    if (!path || !*path) return attn_fail(ATTN_E_INVALID, "empty output path");
    if (!(af->path = attn_strdup(path))) return attn_fail(ATTN_E_NOMEM, "%s: out of memory", path);
    if (strcmp(path, "-") == 0) {
        fflush(stdout); /* what the caller printed before comes first */
        attn_status s = attach_stream(af, STDOUT_FILENO, 0);
        if (s) atomic_release(af);
        return s;
    }
    attn_status s = resolve_target(path, &af->target);
    struct stat st;
    int exists = 0;
    if (!s) s = check_target(path, af->target, &st, &exists);
    if (s) {
        atomic_release(af);
        return s;
    }
    int fd, direct = exists && !S_ISREG(st.st_mode);
    if (direct) fd = open_direct(af->target, &st);
    else fd = create_temp(af->target, exists ? &st : NULL, &af->tmp_path);
    if (fd < 0) {
        if (direct && errno == ENXIO) s = attn_fail(ATTN_E_IO, "%s: a FIFO that nobody reads (start its reader first)", path);
        else s = attn_fail(ATTN_E_IO, "%s: cannot create: %s", path, strerror(errno));
        atomic_release(af);
        return s;
    }
    s = attach_stream(af, fd, 1);
    if (s) atomic_release(af);
    return s;
}

/* Makes the rename durable: fsync of the folder holding the target. Best effort: the file itself
 * is complete and fsynced, and some file systems refuse fsync on a folder. */
static void fsync_folder(int dir_fd) {
    if (dir_fd < 0) return;
    if (fsync(dir_fd) != 0) { /* nothing more to do: the rename has happened */ }
    close(dir_fd);
}

attn_status attn_atomic_commit(attn_atomic_file *af) {
    if (!af->f) {
        atomic_release(af);
        return attn_fail(ATTN_E_INVALID, "output file is not open");
    }
    atomic_io *io = af->io;
    int err = fflush(af->f) != 0 || ferror(af->f) ? (io->err ? io->err : EIO) : 0;
    if (!err && af->tmp_path && fsync(io->fd) != 0) err = errno;
    if (fclose(af->f) != 0 && !err) err = errno ? errno : EIO;
    af->f = NULL;
    attn_status s = ATTN_OK;
    if (err) {
        s = attn_fail(ATTN_E_IO, "%s: write failed: %s", af->path, strerror(err));
        if (af->tmp_path) unlink(af->tmp_path);
    } else if (af->tmp_path) {
        char *dir = dir_of(af->target); /* opened before the rename: nothing can fail after it */
        int dir_fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        free(dir);
        if (rename(af->tmp_path, af->target) != 0) {
            s = attn_fail(ATTN_E_IO, "%s: cannot rename into place: %s", af->path, strerror(errno));
            unlink(af->tmp_path);
        }
        fsync_folder(dir_fd);
    }
    atomic_release(af);
    return s;
}

void attn_atomic_abort(attn_atomic_file *af) {
    if (af->f) fclose(af->f); /* a direct output keeps what was written; a temp file goes */
    if (af->tmp_path) unlink(af->tmp_path);
    atomic_release(af);
}

attn_status attn_write_file_atomic(const char *path, const void *data, size_t len) {
    attn_atomic_file af;
    attn_status s = attn_atomic_open(&af, path);
    if (s) return s;
    if (len && fwrite(data, 1, len, af.f) != len) {
        int err = ((atomic_io *)af.io)->err;
        attn_atomic_abort(&af);
        return attn_fail(ATTN_E_IO, "%s: write failed: %s", path, strerror(err ? err : EIO));
    }
    return attn_atomic_commit(&af);
}

int attn_atomic_error(const attn_atomic_file *af) {
    const atomic_io *io = af->io;
    return io ? io->err : 0;
}
