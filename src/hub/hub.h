/* hub.h — internals of the Hugging Face Hub client: settings, names, cache layout, HTTP, download.
 *
 * The cache is huggingface_hub's, byte for byte, so that Python and attnscope share downloads:
 *     {cache}/models--org--name/blobs/{etag}                      file contents
 *     {cache}/models--org--name/snapshots/{commit}/{filename}    -> ../../blobs/{etag}
 *     {cache}/models--org--name/refs/{revision}                  commit hash
 *     {cache}/models--org--name/.no_exist/{commit}/{filename}    empty: the file is known missing
 *     {cache}/.locks/models--org--name/{etag}.lock               held while downloading */
#ifndef ATTN_HUB_H
#define ATTN_HUB_H

#include "common.h"

/* Settings of one resolve/download call, from the options and the environment. */
typedef struct hub_ctx {
    char *cache_dir;
    char *endpoint;          /* no trailing '/' */
    char *token;             /* NULL = anonymous; never printed */
    int offline;
    attn_progress_fn progress;
    void *progress_user;
    long etag_timeout;       /* seconds, HF_HUB_ETAG_TIMEOUT */
    long download_timeout;   /* seconds without a byte before giving up, HF_HUB_DOWNLOAD_TIMEOUT */
    long backoff_ms;         /* first retry wait; doubles up to 8 s */
    int max_retries;
} hub_ctx;

attn_status hub_ctx_init(hub_ctx *c, const attn_hub_options *o);
void hub_ctx_free(hub_ctx *c);
/* The cache folder of the environment: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
char *hub_default_cache_dir(void);
/* Reads the saved token: $HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token. */
char *hub_saved_token(void);
/* Whether HF_HUB_OFFLINE (or an equivalent) is set to a true value. */
int hub_env_offline(void);

/* ---- names (validate.c) — everything that becomes a path is checked here ------------------ */
/* "name" or "org/name" as huggingface_hub's validate_repo_id accepts. */
int hub_valid_repo_id(const char *id);
/* branch, tag or commit: [A-Za-z0-9._-] components joined by '/', no "..". */
int hub_valid_revision(const char *rev);
/* a relative path inside a repository: no absolute path, no empty, "." or ".." component. */
int hub_valid_filename(const char *name);
/* a commit hash: 40 lowercase hex digits. */
int hub_is_commit_hash(const char *s);
/* an etag usable as a blob file name. */
int hub_valid_etag(const char *s);

/* ---- cache layout (cache.c) ------------------------------------------------------------- */
/* {cache}/models--org--name */
char *hub_repo_dir(const hub_ctx *c, const char *repo_id);
/* Creates every missing folder of path (not the last component when parent_only). */
attn_status hub_mkdirs(const char *path, int parent_only);
/* Commit of refs/{revision}, or NULL. */
char *hub_read_ref(const char *repo_dir, const char *revision);
attn_status hub_write_ref(const char *repo_dir, const char *revision, const char *commit);
/* snapshots/{commit}/{filename} -> ../../blobs/{etag} (one more "../" per subfolder), atomically. */
attn_status hub_link_snapshot(const char *repo_dir, const char *commit, const char *filename, const char *etag);
/* .no_exist/{commit}/{filename} */
void hub_mark_missing(const char *repo_dir, const char *commit, const char *filename);
int hub_known_missing(const char *repo_dir, const char *commit, const char *filename);

/* ---- HTTP (http.c) --------------------------------------------------------------------- */
typedef struct http_meta {
    long status;
    char *commit;       /* X-Repo-Commit */
    char *etag;         /* X-Linked-Etag, else ETag; quotes and W/ removed */
    int64_t size;       /* X-Linked-Size, else Content-Length; -1 if absent */
    char *location;     /* absolute URL of a redirect */
    char *error_code;   /* X-Error-Code (RepoNotFound, EntryNotFound, RevisionNotFound, GatedRepo) */
} http_meta;
void http_meta_free(http_meta *m);

/* HEAD url, following only same-host (relative) redirects, with retries on connection errors and
 * 5xx. Returns ATTN_OK with any final status in m->status; ATTN_E_NETWORK when no answer came. */
attn_status http_head(const hub_ctx *c, const char *url, http_meta *m);
/* GET url into f, which already holds *have bytes (sent as a Range request). Follows redirects;
 * the token goes only to the endpoint's own origin. Retries connection errors and 5xx, resuming.
 * Stops with ATTN_E_CHECKSUM if the server sends more than expected bytes. */
attn_status http_download(const hub_ctx *c, const char *url, FILE *f, int64_t *have, int64_t expected,
                          const char *display_name);
/* Whether the token may be sent to url: same origin as the endpoint, over HTTPS or to loopback. */
int http_token_allowed(const char *endpoint, const char *url);
/* Percent-encodes s; '/' is kept when keep_slash. malloc'ed. */
char *http_quote(const char *s, int keep_slash);
/* Message for a failing status of the resolve endpoint. */
attn_status http_status_error(const http_meta *m, const char *what);

/* ---- download (download.c) ------------------------------------------------------------- */
/* hf_hub_download: the snapshot path of one file, downloading it when it is not cached.
 * ATTN_E_NOT_FOUND with *missing = 1 when the repository has no such file at that revision
 * (for optional files); *commit (if not NULL) receives the resolved commit. */
attn_status hub_download_file(const hub_ctx *c, const char *repo_id, const char *revision, const char *filename,
                              char **path, char **commit, int *missing);

#endif
