/* test_atomic.c — the atomic writer and the output checks: a regular file replaced whole or not at
 * all, written through a symlink (the link stays), the umask and an existing file's mode kept,
 * devices, FIFOs and stdout written directly with their write errors reported, a directory and a
 * missing folder refused before anything is written. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "testutil.h"

static char dir[256];

static const char *in_dir(const char *name) {
    static char buf[4][512];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static char *slurp(const char *path) {
    char *data = NULL;
    return attn_read_file(path, &data, NULL) == ATTN_OK ? data : NULL;
}

static int temp_files_left(void) {
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp-")) n++;
    if (d) closedir(d);
    return n;
}

static mode_t mode_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_mode & 07777 : 0;
}

static void test_regular_and_modes(void) {
    const char *p = in_dir("new.txt");
    mode_t old = umask(027);
    CHECK_OK(attn_write_file_atomic(p, "one", 3));
    umask(old);
    char *s = slurp(p);
    CHECKF(s && strcmp(s, "one") == 0, "new file content");
    free(s);
    CHECKF(mode_of(p) == 0640, "new file honours the umask 027: mode %o", (unsigned)mode_of(p));
    CHECK(chmod(p, 0604) == 0);
    CHECK_OK(attn_write_file_atomic(p, "two", 3));
    CHECKF(mode_of(p) == 0604, "a replaced file keeps its mode 0604: %o", (unsigned)mode_of(p));
    /* abort: the old content stays, no temp file */
    attn_atomic_file af;
    CHECK_OK(attn_atomic_open(&af, p));
    fputs("half-writ", af.f);
    attn_atomic_abort(&af);
    s = slurp(p);
    CHECKF(s && strcmp(s, "two") == 0, "abort keeps the old file");
    free(s);
    CHECKF(temp_files_left() == 0, "no temp file after abort");
}

static void test_symlink(void) {
    const char *target = in_dir("target.txt"), *link = in_dir("link.txt");
    CHECK_OK(attn_write_file_atomic(target, "old", 3));
    CHECK(symlink("target.txt", link) == 0);
    CHECK_OK(attn_write_file_atomic(link, "new", 3));
    struct stat st;
    CHECKF(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the symlink is still a symlink");
    char *s = slurp(target);
    CHECKF(s && strcmp(s, "new") == 0, "the symlink's target got the new content");
    free(s);
    const char *dangling = in_dir("dangling.txt");
    CHECK(symlink("made-through-link.txt", dangling) == 0);
    CHECK_OK(attn_write_file_atomic(dangling, "x", 1));
    CHECKF(attn_file_exists(in_dir("made-through-link.txt")), "a dangling symlink's target is created");
}

static void test_refusals(void) {
    CHECKF(attn_output_check(dir) == ATTN_E_INVALID && strstr(attn_last_error(), "is a directory"), "directory refused: %s",
           attn_last_error());
    attn_atomic_file af;
    CHECKF(attn_atomic_open(&af, dir) != ATTN_OK, "atomic_open refuses a directory");
    CHECKF(attn_output_check(in_dir("no/such/folder/x")) == ATTN_E_IO && strstr(attn_last_error(), "does not exist"),
           "missing folder: %s", attn_last_error());
    CHECK_OK(attn_write_file_atomic(in_dir("plain"), "x", 1));
    CHECKF(attn_output_check(in_dir("plain/x")) != ATTN_OK, "a file as folder: %s", attn_last_error());
    CHECKF(attn_output_check("") == ATTN_E_INVALID, "empty path");
    CHECK_OK(attn_output_check("-"));
    CHECK_OK(attn_output_check(in_dir("fresh.txt")));
    CHECKF(!attn_file_exists(in_dir("fresh.txt")) && temp_files_left() == 0, "output_check leaves nothing behind");
    CHECK_OK(attn_output_dir_check(dir));
    CHECK_OK(attn_output_dir_check(in_dir("to-be-made")));
    CHECKF(attn_output_dir_check(in_dir("a/b")) != ATTN_OK, "output folder without a parent: %s", attn_last_error());
    CHECKF(attn_output_dir_check(in_dir("plain")) != ATTN_OK, "output folder that is a file");
}

static void test_devices(void) {
    if (access("/dev/full", W_OK) == 0) {
        CHECK_OK(attn_output_check("/dev/full"));
        attn_status s = attn_write_file_atomic("/dev/full", "x", 1);
        CHECKF(s == ATTN_E_IO && strstr(attn_last_error(), "No space left"), "/dev/full: %s", attn_last_error());
        struct stat st;
        CHECKF(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode), "/dev/full is still a device");
    }
    CHECK_OK(attn_write_file_atomic("/dev/null", "x", 1));
    /* a FIFO is written directly: a child reads what we write */
    const char *fifo = in_dir("fifo");
    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        char buf[64] = {0};
        int fd = open(fifo, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        _exit(n == 5 && memcmp(buf, "piped", 5) == 0 ? 0 : 1);
    }
    CHECK_OK(attn_write_file_atomic(fifo, "piped", 5));
    int status = 0;
    waitpid(pid, &status, 0);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the FIFO's reader got the bytes");
    struct stat st;
    CHECKF(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO is still a FIFO");
}

static void test_write_faults(void) {
    const char *p = in_dir("faulty.txt");
    CHECK_OK(attn_write_file_atomic(p, "intact", 6));
    attn_fault_write_at(1);
    attn_status s = attn_write_file_atomic(p, "replacement", 11);
    long writes = attn_fault_write_at(0);
    CHECKF(s == ATTN_E_IO && strstr(attn_last_error(), "No space left"), "write fault: %s", attn_last_error());
    CHECKF(writes >= 1, "the hook counted the write");
    char *c = slurp(p);
    CHECKF(c && strcmp(c, "intact") == 0, "the old file is intact after a failed write");
    free(c);
    CHECKF(temp_files_left() == 0, "no temp file after a failed write");
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/attn_atomic_%d", (int)getpid());
    if (!CHECK(mkdir(dir, 0700) == 0)) return tu_done("atomic");
    test_regular_and_modes();
    test_symlink();
    test_refusals();
    test_devices();
    test_write_faults();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return tu_done("atomic");
}
