/* download.c — one file into the cache, as huggingface_hub's hf_hub_download:
 * metadata HEAD -> refs/{revision} -> blob (downloaded under a lock to blobs/{etag}.incomplete,
 * resumed, size- and hash-checked, renamed) -> snapshots/{commit}/{filename} link.
 * Without network (offline, or the Hub unreachable) the cache answers alone. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hub.h"

typedef struct file_ref {
    const hub_ctx *c;
    const char *repo_id, *revision, *filename;
    char *repo_dir;
    char *what;         /* "org/name/filename@revision", for messages */
} file_ref;

static int is_hex(const char *s, size_t n) {
    if (strlen(s) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

/* LFS etags are the sha256 of the contents; other etags are git blob ids: sha1("blob <size>\0" + contents).
 * Etags of any other shape (a mirror's own) are not checked beyond the size. */
static attn_status check_hash(const char *path, const char *etag, int64_t size, const char *what) {
    const EVP_MD *md = is_hex(etag, 64) ? EVP_sha256() : is_hex(etag, 40) ? EVP_sha1() : NULL;
    if (!md) return ATTN_OK;
    FILE *f = fopen(path, "rb");
    if (!f) return attn_fail(ATTN_E_IO, "%s: cannot reopen the download: %s", path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);
    if (ok && md == EVP_sha1()) {
        char prefix[48];
        int n = snprintf(prefix, sizeof prefix, "blob %lld", (long long)size);
        ok = EVP_DigestUpdate(ctx, prefix, (size_t)n + 1); /* with its NUL */
    }
    enum { CHUNK = 1 << 16 };
    unsigned char *buf = malloc(CHUNK);
    size_t got;
    if (!buf) ok = 0;
    while (ok && (got = fread(buf, 1, CHUNK, f)) > 0) ok = EVP_DigestUpdate(ctx, buf, got);
    free(buf);
    if (ferror(f)) ok = 0;
    fclose(f);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    if (ok) ok = EVP_DigestFinal_ex(ctx, digest, &dlen);
    EVP_MD_CTX_free(ctx);
    if (!ok) return attn_fail(ATTN_E_IO, "%s: cannot hash the download", path);
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < dlen; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    if (strcmp(hex, etag) != 0)
        return attn_fail(ATTN_E_CHECKSUM, "%s: downloaded bytes do not match the checksum (expected %s, got %s); nothing was cached",
                         what, etag, hex);
    return ATTN_OK;
}

/* The blob, downloaded once by whichever process takes the lock first. */
static attn_status fetch_blob(const file_ref *fr, const char *url, const char *etag, int64_t size) {
    const hub_ctx *c = fr->c;
    char *blob = attn_asprintf("%s/blobs/%s", fr->repo_dir, etag);
    char *incomplete = attn_asprintf("%s/blobs/%s.incomplete", fr->repo_dir, etag);
    const char *base = strrchr(fr->repo_dir, '/');
    char *lock = attn_asprintf("%s/.locks/%s/%s.lock", c->cache_dir, base ? base + 1 : fr->repo_dir, etag);
    attn_status s = blob && incomplete && lock ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    int lock_fd = -1;
    FILE *f = NULL;
    if (!s) s = hub_mkdirs(blob, 1);
    if (!s) s = hub_mkdirs(lock, 1);
    if (!s) {
        lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (lock_fd < 0) s = attn_fail(ATTN_E_IO, "%s: cannot create lock: %s", lock, strerror(errno));
    }
    while (!s && flock(lock_fd, LOCK_EX) != 0)
        if (errno != EINTR) s = attn_fail(ATTN_E_IO, "%s: cannot lock: %s", lock, strerror(errno));
    if (!s && attn_file_exists(blob)) goto done; /* another process finished it while we waited */
    if (!s) {
        f = fopen(incomplete, "ab");
        if (!f) s = attn_fail(ATTN_E_IO, "%s: cannot open: %s", incomplete, strerror(errno));
    }
    int64_t have = 0;
    if (!s) {
        struct stat st;
        if (fstat(fileno(f), &st) == 0) have = st.st_size;
        if (size >= 0 && have > size) { /* not a prefix of this file: start again */
            if (ftruncate(fileno(f), 0) != 0) s = attn_fail(ATTN_E_IO, "%s: cannot truncate", incomplete);
            have = 0;
        }
    }
    if (!s) s = http_download(c, url, f, &have, size, fr->filename);
    if (f && fclose(f) != 0 && !s) s = attn_fail(ATTN_E_IO, "%s: write failed: %s", incomplete, strerror(errno));
    if (!s && have != size)
        s = attn_fail(ATTN_E_CHECKSUM, "%s: got %lld bytes, expected %lld; nothing was cached", fr->what, (long long)have,
                      (long long)size);
    if (!s) s = check_hash(incomplete, etag, size, fr->what);
    if (s == ATTN_E_CHECKSUM) unlink(incomplete); /* wrong bytes must not be resumed either */
    /* fopen created it 0666 & ~umask, the mode huggingface_hub gives blobs */
    if (!s && rename(incomplete, blob) != 0) s = attn_fail(ATTN_E_IO, "%s: cannot rename into place: %s", blob, strerror(errno));
done:
    if (lock_fd >= 0) close(lock_fd); /* releases the lock */
    free(blob);
    free(incomplete);
    free(lock);
    return s;
}

static char *snapshot_path(const file_ref *fr, const char *commit) {
    return attn_asprintf("%s/snapshots/%s/%s", fr->repo_dir, commit, fr->filename);
}

/* What the cache alone says; err is returned when it does not know. */
static attn_status from_cache(const file_ref *fr, attn_status err, char **path, char **commit_out, int *missing) {
    char *commit = hub_is_commit_hash(fr->revision) ? attn_strdup(fr->revision) : hub_read_ref(fr->repo_dir, fr->revision);
    if (!commit) return err;
    char *p = snapshot_path(fr, commit);
    attn_status s = err;
    if (p && attn_file_exists(p)) {
        *path = p;
        p = NULL;
        s = ATTN_OK;
    } else if (hub_known_missing(fr->repo_dir, commit, fr->filename)) {
        *missing = 1;
        s = attn_fail(ATTN_E_NOT_FOUND, "%s: no such file in the repository", fr->what);
    }
    free(p);
    if (!s && commit_out) *commit_out = commit;
    else free(commit);
    return s;
}

static attn_status download_file(file_ref *fr, char **path, char **commit_out, int *missing) {
    const hub_ctx *c = fr->c;
    /* a commit hash never moves: if the file is there, it is the right one */
    if (hub_is_commit_hash(fr->revision)) {
        attn_status s = from_cache(fr, ATTN_E_NOT_FOUND, path, commit_out, missing);
        if (s != ATTN_E_NOT_FOUND || *missing) return s;
    }
    if (c->offline)
        return from_cache(fr, attn_fail(ATTN_E_OFFLINE, "%s: HF_HUB_OFFLINE is set and the file is not in the cache (%s)",
                                        fr->what, c->cache_dir),
                          path, commit_out, missing);

    char *qrev = http_quote(fr->revision, 0), *qfile = http_quote(fr->filename, 1);
    char *url = qrev && qfile ? attn_asprintf("%s/%s/resolve/%s/%s", c->endpoint, fr->repo_id, qrev, qfile) : NULL;
    free(qrev);
    free(qfile);
    if (!url) return attn_fail(ATTN_E_NOMEM, "out of memory");

    http_meta m;
    attn_status s = http_head(c, url, &m);
    if (!s && m.status >= 400) {
        int entry_missing = m.error_code && strcmp(m.error_code, "EntryNotFound") == 0;
        if (entry_missing && m.commit && hub_is_commit_hash(m.commit)) hub_mark_missing(fr->repo_dir, m.commit, fr->filename);
        s = http_status_error(&m, fr->what);
        if (entry_missing) {
            *missing = 1;
            goto done;
        }
        if (m.error_code && strcmp(m.error_code, "RevisionNotFound") == 0) goto done;
    }
    if (s) { /* unreachable, refused or failing: what is cached still serves */
        s = from_cache(fr, s, path, commit_out, missing);
        goto done;
    }
    if (!m.commit || !hub_is_commit_hash(m.commit)) {
        s = attn_fail(ATTN_E_NETWORK, "%s: the server did not send a valid X-Repo-Commit; is HF_ENDPOINT (%s) a Hugging Face Hub?",
                      url, c->endpoint);
        goto done;
    }
    if (!m.etag || !hub_valid_etag(m.etag)) {
        s = attn_fail(ATTN_E_NETWORK, "%s: the server sent no usable ETag", url);
        goto done;
    }
    if (m.size < 0) {
        s = attn_fail(ATTN_E_NETWORK, "%s: the server sent no file size", url);
        goto done;
    }
    if (strcmp(fr->revision, m.commit) != 0 && (s = hub_write_ref(fr->repo_dir, fr->revision, m.commit))) goto done;
    char *pointer = snapshot_path(fr, m.commit);
    char *blob = attn_asprintf("%s/blobs/%s", fr->repo_dir, m.etag);
    if (!pointer || !blob) s = attn_fail(ATTN_E_NOMEM, "out of memory");
    if (!s && !attn_file_exists(pointer)) {
        if (!attn_file_exists(blob)) s = fetch_blob(fr, m.location ? m.location : url, m.etag, m.size);
        if (!s) s = hub_link_snapshot(fr->repo_dir, m.commit, fr->filename, m.etag);
    }
    free(blob);
    if (!s) {
        *path = pointer;
        if (commit_out) *commit_out = attn_strdup(m.commit);
    } else {
        free(pointer);
    }
done:
    http_meta_free(&m);
    free(url);
    return s;
}

attn_status hub_download_file(const hub_ctx *c, const char *repo_id, const char *revision, const char *filename,
                              char **path, char **commit, int *missing) {
    *path = NULL;
    if (commit) *commit = NULL;
    int dummy;
    if (!missing) missing = &dummy;
    *missing = 0;
    if (!hub_valid_repo_id(repo_id)) return attn_fail(ATTN_E_INVALID, "%s: not a valid Hub repository id", repo_id);
    if (!hub_valid_revision(revision)) return attn_fail(ATTN_E_INVALID, "%s: not a valid revision", revision);
    if (!hub_valid_filename(filename)) return attn_fail(ATTN_E_INVALID, "%s: not a valid file name in a repository", filename);
    file_ref fr = {.c = c, .repo_id = repo_id, .revision = revision, .filename = filename};
    fr.repo_dir = hub_repo_dir(c, repo_id);
    fr.what = attn_asprintf("%s/%s@%s", repo_id, filename, revision);
    attn_status s = fr.repo_dir && fr.what ? download_file(&fr, path, commit, missing) : attn_fail(ATTN_E_NOMEM, "out of memory");
    free(fr.repo_dir);
    free(fr.what);
    return s;
}
