/* settings.c — hub settings from options and the environment, as huggingface_hub's constants.py. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hub.h"

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* os.path.expanduser for a leading "~/" */
static char *expand_user(const char *path) {
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
        const char *home = env("HOME");
        return attn_asprintf("%s%s", home ? home : "", path + 1);
    }
    return attn_strdup(path);
}

static char *hf_home(void) {
    const char *h = env("HF_HOME");
    if (h) return expand_user(h);
    const char *xdg = env("XDG_CACHE_HOME");
    char *base = xdg ? attn_asprintf("%s/huggingface", xdg) : attn_strdup("~/.cache/huggingface");
    char *out = base ? expand_user(base) : NULL;
    free(base);
    return out;
}

char *hub_default_cache_dir(void) {
    const char *c = env("HF_HUB_CACHE");
    if (!c) c = env("HUGGINGFACE_HUB_CACHE"); /* the older name, still honoured by huggingface_hub */
    if (c) return expand_user(c);
    char *home = hf_home();
    char *out = home ? attn_path_join(home, "hub") : NULL;
    free(home);
    return out;
}

static int truthy(const char *v) {
    return v && (strcasecmp(v, "1") == 0 || strcasecmp(v, "on") == 0 || strcasecmp(v, "yes") == 0 ||
                 strcasecmp(v, "true") == 0);
}

int hub_env_offline(void) { return truthy(env("HF_HUB_OFFLINE")) || truthy(env("TRANSFORMERS_OFFLINE")); }

static char *trimmed(const char *s) {
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return n ? attn_strndup(s, n) : NULL;
}

char *hub_saved_token(void) {
    const char *p = env("HF_TOKEN_PATH");
    char *path = NULL;
    if (p) {
        path = expand_user(p);
    } else {
        char *home = hf_home();
        path = home ? attn_path_join(home, "token") : NULL;
        free(home);
    }
    if (!path) return NULL;
    char *data = NULL;
    char *token = NULL;
    if (attn_read_file(path, &data, NULL) == ATTN_OK) token = trimmed(data);
    attn_clear_error(); /* a missing token file is the normal case */
    free(data);
    free(path);
    return token;
}

static long env_long(const char *name, long def, long min, long max) {
    const char *v = env(name);
    if (!v) return def;
    char *end;
    double d = strtod(v, &end);
    if (end == v || d < min || d > max) return def;
    return (long)d;
}

attn_status hub_ctx_init(hub_ctx *c, const attn_hub_options *o) {
    attn_hub_options defaults;
    if (!o) {
        attn_hub_options_init(&defaults);
        o = &defaults;
    }
    memset(c, 0, sizeof *c);
    c->cache_dir = o->cache_dir ? attn_strdup(o->cache_dir) : hub_default_cache_dir();
    const char *endpoint = o->endpoint ? o->endpoint : env("HF_ENDPOINT");
    c->endpoint = attn_strdup(endpoint ? endpoint : "https://huggingface.co");
    if (o->token) c->token = trimmed(o->token);
    else if (env("HF_TOKEN")) c->token = trimmed(env("HF_TOKEN"));
    else if (env("HUGGING_FACE_HUB_TOKEN")) c->token = trimmed(env("HUGGING_FACE_HUB_TOKEN"));
    else c->token = hub_saved_token();
    c->offline = o->offline >= 0 ? o->offline != 0 : hub_env_offline();
    c->progress = o->progress;
    c->progress_user = o->progress_user;
    c->etag_timeout = env_long("HF_HUB_ETAG_TIMEOUT", 10, 1, 3600);
    c->download_timeout = env_long("HF_HUB_DOWNLOAD_TIMEOUT", 10, 1, 3600);
    c->backoff_ms = env_long("ATTN_HUB_BACKOFF_MS", 1000, 0, 60000);
    c->max_retries = 5;
    if (!c->cache_dir || !c->endpoint) {
        hub_ctx_free(c);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    size_t n = strlen(c->endpoint);
    while (n > 0 && c->endpoint[n - 1] == '/') c->endpoint[--n] = '\0';
    if (strncmp(c->endpoint, "https://", 8) != 0 && strncmp(c->endpoint, "http://", 7) != 0) {
        attn_status s = attn_fail(ATTN_E_INVALID, "%s: HF_ENDPOINT must be an http(s) URL", c->endpoint);
        hub_ctx_free(c);
        return s;
    }
    return ATTN_OK;
}

void hub_ctx_free(hub_ctx *c) {
    free(c->cache_dir);
    free(c->endpoint);
    if (c->token) {
        /* do not leave the secret lying around in freed memory */
        volatile char *t = c->token;
        for (size_t i = 0; t[i]; i++) t[i] = 0;
        free(c->token);
    }
    memset(c, 0, sizeof *c);
}
