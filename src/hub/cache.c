/* cache.c — the huggingface_hub cache layout: repository folders, refs, snapshot links, .no_exist. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub.h"

char *hub_repo_dir(const hub_ctx *c, const char *repo_id) {
    attn_strbuf sb = {0};
    attn_sb_printf(&sb, "%s/models--", c->cache_dir);
    for (const char *p = repo_id; *p; p++) {
        if (*p == '/') attn_sb_puts(&sb, "--");
        else attn_sb_putc(&sb, *p);
    }
    return attn_sb_take(&sb);
}

attn_status hub_mkdirs(const char *path, int parent_only) {
    char *p = attn_strdup(path);
    if (!p) return attn_fail(ATTN_E_NOMEM, "out of memory");
    size_t n = strlen(p);
    if (parent_only) {
        while (n > 0 && p[n - 1] != '/') n--;
        p[n] = '\0';
    }
    for (char *q = p + 1; ; q++) {
        if (*q == '/' || *q == '\0') {
            char saved = *q;
            *q = '\0';
            if (*p && mkdir(p, 0777) != 0 && errno != EEXIST) {
                attn_status s = attn_fail(ATTN_E_IO, "%s: cannot create folder: %s", p, strerror(errno));
                free(p);
                return s;
            }
            *q = saved;
            if (!saved) break;
        }
    }
    free(p);
    return ATTN_OK;
}

char *hub_read_ref(const char *repo_dir, const char *revision) {
    char *path = attn_asprintf("%s/refs/%s", repo_dir, revision);
    char *data = NULL;
    char *out = NULL;
    /* checked first so that a missing ref leaves the current error message alone */
    if (path && attn_file_exists(path) && attn_read_file(path, &data, NULL) == ATTN_OK) {
        size_t n = strlen(data);
        while (n && (data[n - 1] == '\n' || data[n - 1] == '\r' || data[n - 1] == ' ')) data[--n] = '\0';
        if (hub_is_commit_hash(data)) out = attn_strdup(data);
    }
    free(data);
    free(path);
    return out;
}

attn_status hub_write_ref(const char *repo_dir, const char *revision, const char *commit) {
    char *existing = hub_read_ref(repo_dir, revision);
    int same = existing && strcmp(existing, commit) == 0;
    free(existing);
    if (same) return ATTN_OK;
    char *path = attn_asprintf("%s/refs/%s", repo_dir, revision);
    if (!path) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_status s = hub_mkdirs(path, 1);
    if (!s) s = attn_write_file_atomic(path, commit, strlen(commit)); /* no newline, as huggingface_hub */
    free(path);
    return s;
}

attn_status hub_link_snapshot(const char *repo_dir, const char *commit, const char *filename, const char *etag) {
    char *pointer = attn_asprintf("%s/snapshots/%s/%s", repo_dir, commit, filename);
    if (!pointer) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_strbuf target = {0};
    attn_sb_puts(&target, "../../");
    for (const char *p = filename; *p; p++)
        if (*p == '/') attn_sb_puts(&target, "../");
    attn_sb_printf(&target, "blobs/%s", etag);
    char *tmp = attn_asprintf("%s.tmp-link-%ld", pointer, (long)getpid());
    attn_status s = target.oom || !tmp ? attn_fail(ATTN_E_NOMEM, "out of memory") : hub_mkdirs(pointer, 1);
    if (!s) {
        unlink(tmp);
        /* a new link renamed over the old one: readers never see a missing file */
        if (symlink(target.buf, tmp) != 0 || rename(tmp, pointer) != 0) {
            s = attn_fail(ATTN_E_IO, "%s: cannot create link: %s", pointer, strerror(errno));
            unlink(tmp);
        }
    }
    attn_sb_free(&target);
    free(tmp);
    free(pointer);
    return s;
}

/* Call before setting the error message: a failure here is ignored but overwrites the message. */
void hub_mark_missing(const char *repo_dir, const char *commit, const char *filename) {
    char *path = attn_asprintf("%s/.no_exist/%s/%s", repo_dir, commit, filename);
    if (path && hub_mkdirs(path, 1) == ATTN_OK) {
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) close(fd);
    }
    free(path);
}

int hub_known_missing(const char *repo_dir, const char *commit, const char *filename) {
    char *path = attn_asprintf("%s/.no_exist/%s/%s", repo_dir, commit, filename);
    int yes = path && attn_file_exists(path);
    free(path);
    return yes;
}
