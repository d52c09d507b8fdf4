/* http.c — the few HTTP requests the Hub client makes (libcurl): metadata HEAD and resumable GET.
 *
 * Redirects are followed here, not by curl, so that each hop decides on its own whether the token
 * may go with it: only to the endpoint's origin, and only over HTTPS (or to loopback, for tests).
 * The LFS redirect to the CDN therefore never carries it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "hub.h"

#define MAX_REDIRECTS 10

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

void http_meta_free(http_meta *m) {
    free(m->commit);
    free(m->etag);
    free(m->location);
    free(m->error_code);
    memset(m, 0, sizeof *m);
    m->size = -1;
}

char *http_quote(const char *s, int keep_slash) {
    static const char hex[] = "0123456789ABCDEF";
    attn_strbuf sb = {0};
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '.' || *p == '_' || *p == '~' || (keep_slash && *p == '/')) {
            attn_sb_putc(&sb, (char)*p);
        } else {
            attn_sb_putc(&sb, '%');
            attn_sb_putc(&sb, hex[*p >> 4]);
            attn_sb_putc(&sb, hex[*p & 15]);
        }
    }
    return attn_sb_take(&sb);
}

/* scheme, host and port (with the scheme's default) of an absolute URL. */
typedef struct url_origin {
    char *scheme, *host, *port;
} url_origin;

static int parse_origin(const char *url, url_origin *o) {
    memset(o, 0, sizeof *o);
    CURLU *u = curl_url();
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &o->host, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_PORT, &o->port, CURLU_DEFAULT_PORT) == CURLUE_OK;
    curl_url_cleanup(u);
    return ok;
}

static void origin_free(url_origin *o) {
    curl_free(o->scheme);
    curl_free(o->host);
    curl_free(o->port);
}

static int is_loopback(const char *host) {
    return strcmp(host, "127.0.0.1") == 0 || strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0;
}

int http_token_allowed(const char *endpoint, const char *url) {
    url_origin a, b;
    int ok = parse_origin(endpoint, &a) && parse_origin(url, &b) && strcasecmp(a.scheme, b.scheme) == 0 &&
             strcasecmp(a.host, b.host) == 0 && strcmp(a.port, b.port) == 0 &&
             (strcasecmp(b.scheme, "https") == 0 || is_loopback(b.host));
    origin_free(&a);
    origin_free(&b);
    return ok;
}

/* Location resolved against the URL it came from; NULL unless http(s). */
static char *resolve_location(const char *base, const char *location) {
    CURLU *u = curl_url();
    char *out = NULL, *scheme = NULL, *full = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0) &&
        curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK)
        out = attn_strdup(full);
    curl_free(scheme);
    curl_free(full);
    curl_url_cleanup(u);
    return out;
}

static int is_absolute_url(const char *s) { return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0; }

static void backoff(const hub_ctx *c, int attempt) {
    long ms = c->backoff_ms;
    for (int i = 0; i < attempt && ms < 8000; i++) ms *= 2;
    if (ms > 8000) ms = 8000;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

typedef struct request {
    CURL *h;
    struct curl_slist *headers;
} request;

static void request_free(request *r) {
    if (r->h) curl_easy_cleanup(r->h);
    /* the Authorization header holds the token: wipe it before freeing */
    for (struct curl_slist *p = r->headers; p; p = p->next) memset(p->data, 0, strlen(p->data));
    curl_slist_free_all(r->headers);
    memset(r, 0, sizeof *r);
}

static attn_status request_init(request *r, const hub_ctx *c, const char *url) {
    pthread_once(&curl_once, curl_init_once);
    memset(r, 0, sizeof *r);
    r->h = curl_easy_init();
    if (!r->h) return attn_fail(ATTN_E_NOMEM, "%s: cannot create an HTTP request", url);
    curl_easy_setopt(r->h, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(r->h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(r->h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(r->h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(r->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(r->h, CURLOPT_USERAGENT, "attnscope/" ATTNSCOPE_VERSION);
    curl_easy_setopt(r->h, CURLOPT_CONNECTTIMEOUT, c->etag_timeout);
    if (c->token && http_token_allowed(c->endpoint, url)) {
        char *auth = attn_asprintf("Authorization: Bearer %s", c->token);
        struct curl_slist *l = auth ? curl_slist_append(r->headers, auth) : NULL;
        if (auth) {
            memset(auth, 0, strlen(auth));
            free(auth);
        }
        if (!l) {
            request_free(r);
            return attn_fail(ATTN_E_NOMEM, "out of memory");
        }
        r->headers = l;
    }
    return ATTN_OK;
}

static char *header(CURL *h, const char *name) {
    struct curl_header *hd;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK) return NULL;
    return attn_strdup(hd->value);
}

/* W/"abc" -> abc */
static char *normalize_etag(char *e) {
    if (!e) return NULL;
    const char *p = e;
    if (strncmp(p, "W/", 2) == 0) p += 2;
    size_t n = strlen(p);
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
        p++;
        n -= 2;
    }
    char *out = attn_strndup(p, n);
    free(e);
    return out;
}

static int64_t parse_size(char *s) {
    if (!s) return -1;
    char *end;
    long long v = strtoll(s, &end, 10);
    int ok = end != s && *end == '\0' && v >= 0;
    free(s);
    return ok ? (int64_t)v : -1;
}

attn_status http_status_error(const http_meta *m, const char *what) {
    const char *code = m->error_code ? m->error_code : "";
    if (strcmp(code, "GatedRepo") == 0 || m->status == 403)
        return attn_fail(ATTN_E_AUTH,
                         "%s: access denied (HTTP %ld): the repository is gated or private; accept the licence "
                         "on its Hub page and set HF_TOKEN",
                         what, m->status);
    if (strcmp(code, "RepoNotFound") == 0)
        return attn_fail(ATTN_E_NOT_FOUND, "%s: no such repository (HTTP %ld); if it is private or gated, set HF_TOKEN",
                         what, m->status);
    if (m->status == 401)
        return attn_fail(ATTN_E_AUTH, "%s: unauthorized (HTTP 401): missing or invalid token; set HF_TOKEN", what);
    if (strcmp(code, "RevisionNotFound") == 0)
        return attn_fail(ATTN_E_NOT_FOUND, "%s: no such revision (HTTP %ld)", what, m->status);
    if (strcmp(code, "EntryNotFound") == 0 || m->status == 404)
        return attn_fail(ATTN_E_NOT_FOUND, "%s: no such file in the repository (HTTP %ld)", what, m->status);
    if (m->status >= 500) return attn_fail(ATTN_E_NETWORK, "%s: server error (HTTP %ld)", what, m->status);
    return attn_fail(ATTN_E_NETWORK, "%s: unexpected HTTP status %ld", what, m->status);
}

/* ---- HEAD ----------------------------------------------------------------------------------- */

static attn_status head_once(const hub_ctx *c, const char *url, http_meta *m) {
    request r;
    attn_status s = request_init(&r, c, url);
    if (s) return s;
    struct curl_slist *l = curl_slist_append(r.headers, "Accept-Encoding: identity");
    if (!l) {
        request_free(&r);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    r.headers = l;
    curl_easy_setopt(r.h, CURLOPT_HTTPHEADER, r.headers);
    curl_easy_setopt(r.h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(r.h, CURLOPT_TIMEOUT, c->etag_timeout);
    CURLcode rc = curl_easy_perform(r.h);
    if (rc != CURLE_OK) {
        s = attn_fail(ATTN_E_NETWORK, "%s: %s", url, curl_easy_strerror(rc));
        request_free(&r);
        return s;
    }
    http_meta_free(m);
    curl_easy_getinfo(r.h, CURLINFO_RESPONSE_CODE, &m->status);
    m->commit = header(r.h, "X-Repo-Commit");
    m->etag = normalize_etag(header(r.h, "X-Linked-Etag"));
    if (!m->etag) m->etag = normalize_etag(header(r.h, "ETag"));
    m->size = parse_size(header(r.h, "X-Linked-Size"));
    if (m->size < 0) m->size = parse_size(header(r.h, "Content-Length"));
    m->location = header(r.h, "Location");
    m->error_code = header(r.h, "X-Error-Code");
    request_free(&r);
    return ATTN_OK;
}

attn_status http_head(const hub_ctx *c, const char *url, http_meta *m) {
    memset(m, 0, sizeof *m);
    m->size = -1;
    char *cur = attn_strdup(url);
    if (!cur) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_status s = ATTN_OK;
    for (int hop = 0;; hop++) {
        for (int attempt = 0;; attempt++) {
            s = head_once(c, cur, m);
            int transient = s == ATTN_E_NETWORK || (!s && m->status >= 500);
            if (!transient || attempt >= c->max_retries) break;
            backoff(c, attempt);
        }
        if (s || m->status < 300 || m->status >= 400 || !m->location) break;
        if (is_absolute_url(m->location)) { /* LFS: the CDN URL is where the bytes are */
            char *loc = resolve_location(cur, m->location);
            free(m->location);
            m->location = loc;
            if (!loc) s = attn_fail(ATTN_E_NETWORK, "%s: redirect to a non-HTTP location", cur);
            break;
        }
        /* relative: a renamed repository on the same host; ask again there */
        if (hop >= MAX_REDIRECTS) {
            s = attn_fail(ATTN_E_NETWORK, "%s: too many redirects", url);
            break;
        }
        char *next = resolve_location(cur, m->location);
        free(cur);
        cur = next;
        if (!cur) {
            s = attn_fail(ATTN_E_NETWORK, "%s: bad redirect", url);
            break;
        }
    }
    if (!s && m->status >= 300 && m->status < 400 && !m->location)
        s = attn_fail(ATTN_E_NETWORK, "%s: redirect without a Location", url);
    free(cur);
    if (s) http_meta_free(m);
    return s;
}

/* ---- GET ------------------------------------------------------------------------------------ */

typedef struct download {
    const hub_ctx *c;
    CURL *h;
    FILE *f;
    int64_t *have, expected;
    const char *name;
    long status;
    int started;      /* first body byte of this response seen */
    int too_much, io_error, bad_range;
} download;

/* "bytes START-END/TOTAL" */
static int64_t content_range_start(CURL *h) {
    char *v = header(h, "Content-Range");
    long long start = -1;
    if (v && sscanf(v, "bytes %lld-", &start) != 1) start = -1;
    free(v);
    return start;
}

static int restart_file(download *d) {
    if (fflush(d->f) != 0 || ftruncate(fileno(d->f), 0) != 0 || fseek(d->f, 0, SEEK_SET) != 0) return 0;
    *d->have = 0;
    return 1;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user) {
    download *d = user;
    size_t n = size * nmemb;
    if (!d->started) {
        d->started = 1;
        curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &d->status);
        if (d->status == 200 && *d->have > 0 && !restart_file(d)) { /* the server ignored the Range */
            d->io_error = 1;
            return 0;
        }
        if (d->status == 206 && content_range_start(d->h) != *d->have) {
            d->bad_range = 1;
            return 0;
        }
    }
    if (d->status != 200 && d->status != 206) return n; /* an error page or a redirect body */
    if (d->expected >= 0 && (int64_t)n > d->expected - *d->have) {
        d->too_much = 1;
        return 0;
    }
    if (fwrite(data, 1, n, d->f) != n) {
        d->io_error = 1;
        return 0;
    }
    *d->have += (int64_t)n;
    if (d->c->progress) d->c->progress(d->c->progress_user, d->name, *d->have, d->expected);
    return n;
}

attn_status http_download(const hub_ctx *c, const char *url, FILE *f, int64_t *have, int64_t expected,
                          const char *display_name) {
    char *cur = attn_strdup(url);
    if (!cur) return attn_fail(ATTN_E_NOMEM, "out of memory");
    if (c->progress) c->progress(c->progress_user, display_name, *have, expected);
    attn_status s = ATTN_OK;
    int failures = 0, redirects = 0;
    char reason[256] = "";
    while (!(expected >= 0 && *have == expected && expected > 0)) {
        request r;
        s = request_init(&r, c, cur);
        if (s) break;
        download d = {.c = c, .h = r.h, .f = f, .have = have, .expected = expected, .name = display_name};
        char range[48];
        if (*have > 0) {
            snprintf(range, sizeof range, "%lld-", (long long)*have);
            curl_easy_setopt(r.h, CURLOPT_RANGE, range);
        }
        curl_easy_setopt(r.h, CURLOPT_HTTPHEADER, r.headers);
        curl_easy_setopt(r.h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(r.h, CURLOPT_WRITEDATA, &d);
        curl_easy_setopt(r.h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(r.h, CURLOPT_LOW_SPEED_TIME, c->download_timeout);
        int64_t before = *have;
        CURLcode rc = curl_easy_perform(r.h);
        long status = 0;
        curl_easy_getinfo(r.h, CURLINFO_RESPONSE_CODE, &status);
        if (d.too_much) {
            s = attn_fail(ATTN_E_CHECKSUM, "%s: the server sent more than the announced %lld bytes", cur, (long long)expected);
        } else if (d.io_error) {
            s = attn_fail(ATTN_E_IO, "%s: cannot write the download", display_name);
        } else if (rc == CURLE_OK && status >= 300 && status < 400) {
            char *loc = header(r.h, "Location");
            char *next = loc ? resolve_location(cur, loc) : NULL;
            free(loc);
            if (!next || ++redirects > MAX_REDIRECTS) {
                free(next);
                s = attn_fail(ATTN_E_NETWORK, "%s: bad or too many redirects", cur);
            } else {
                free(cur);
                cur = next;
                request_free(&r);
                continue;
            }
        } else if (rc == CURLE_OK && (status == 200 || status == 206) && (expected < 0 || *have == expected)) {
            request_free(&r);
            break; /* complete */
        } else if (rc == CURLE_OK && status == 416) {
            snprintf(reason, sizeof reason, "range not satisfiable");
            if (!restart_file(&d)) s = attn_fail(ATTN_E_IO, "%s: cannot restart the download", display_name);
        } else if (rc == CURLE_OK && status >= 400 && status < 500) {
            http_meta m = {.status = status, .size = -1, .error_code = header(r.h, "X-Error-Code")};
            s = http_status_error(&m, cur);
            http_meta_free(&m);
        } else if (rc != CURLE_OK) {
            snprintf(reason, sizeof reason, "%s", d.bad_range ? "wrong Content-Range" : curl_easy_strerror(rc));
        } else if (status >= 500) {
            snprintf(reason, sizeof reason, "server error (HTTP %ld)", status);
        } else if (status == 200 || status == 206) {
            snprintf(reason, sizeof reason, "connection closed after %lld of %lld bytes", (long long)*have, (long long)expected);
        } else {
            s = attn_fail(ATTN_E_NETWORK, "%s: unexpected HTTP status %ld", cur, status);
        }
        request_free(&r);
        if (s) break;
        /* transient: resume where the file ends */
        if (*have > before) failures = 0;
        if (++failures > c->max_retries) {
            s = attn_fail(ATTN_E_NETWORK, "%s: %s (gave up after %d attempts)", cur, reason, failures);
            break;
        }
        backoff(c, failures - 1);
    }
    if (!s && fflush(f) != 0) s = attn_fail(ATTN_E_IO, "%s: cannot write the download", display_name);
    free(cur);
    return s;
}
