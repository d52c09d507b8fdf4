/* validate.c — every name that comes from the user or the server and becomes part of a cache path
 * is checked here, so that nothing can escape the cache folder. */
#include <string.h>

#include "hub.h"

static int is_word(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* huggingface_hub: ^(\b[\w\-.]+\b/)?\b[\w\-.]+\b$, at most 96 characters, no "--" or "..". */
static int valid_repo_part(const char *s, size_t n) {
    if (n == 0 || !is_word(s[0]) || !is_word(s[n - 1])) return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_word(s[i]) && s[i] != '-' && s[i] != '.') return 0;
    return 1;
}

int hub_valid_repo_id(const char *id) {
    size_t n = strlen(id);
    if (n == 0 || n > 96 || strstr(id, "--") || strstr(id, "..")) return 0;
    const char *slash = strchr(id, '/');
    if (!slash) return valid_repo_part(id, n);
    if (strchr(slash + 1, '/')) return 0;
    return valid_repo_part(id, (size_t)(slash - id)) && valid_repo_part(slash + 1, strlen(slash + 1));
}

/* Components of [A-Za-z0-9._-] joined by single '/', none "." or "..". */
static int valid_components(const char *s, size_t max, int allow_any_char) {
    size_t n = strlen(s);
    if (n == 0 || n > max) return 0;
    const char *p = s;
    while (1) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) return 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char ch = (unsigned char)p[i];
            if (ch < 0x20 || ch == 0x7f || ch == '\\') return 0;
            if (!allow_any_char && !is_word((char)ch) && ch != '-' && ch != '.') return 0;
        }
        if (!e) return 1;
        p = e + 1;
    }
}

int hub_valid_revision(const char *rev) { return valid_components(rev, 256, 0); }

/* Repository files may have any printable name, in subfolders. */
int hub_valid_filename(const char *name) { return valid_components(name, 1024, 1); }

int hub_is_commit_hash(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return 0;
    return n == 40;
}

int hub_valid_etag(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 200 || s[0] == '.') return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_word(s[i]) && s[i] != '-' && s[i] != '.') return 0;
    return 1;
}
