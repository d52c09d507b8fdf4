/* label.c — where LABEL ends in a "LABEL=MODEL" argument (view, compare, similarity, focus, align). */
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* A Hub id as a MODEL: name or owner/name, optionally @revision. */
static int hub_shaped(const char *s) {
    const char *p = s;
    int slashes = 0;
    if (!*p || *p == '.' || *p == '-') return 0;
    for (; *p && *p != '@'; p++) {
        if (*p == '/' && ++slashes > 1) return 0;
        if (*p != '/' && *p != '.' && *p != '-' && *p != '_' && !(*p >= '0' && *p <= '9') && !((*p | 32) >= 'a' && (*p | 32) <= 'z'))
            return 0;
    }
    return p[-1] != '/' && (!*p || p[1]);
}

static int no_slash_before(const char *arg, const char *eq) { return !memchr(arg, '/', (size_t)(eq - arg)); }

const char *cli_label_end(const char *arg) {
    struct stat st;
    if (stat(arg, &st) == 0) return NULL; /* an existing path is a MODEL, '=' or not */
    for (const char *eq = strchr(arg, '='); eq; eq = strchr(eq + 1, '='))
        if (eq > arg && eq[1] && stat(eq + 1, &st) == 0) return eq; /* the label may hold '=' and '/' */
    for (const char *eq = strchr(arg, '='); eq; eq = strchr(eq + 1, '='))
        if (eq > arg && no_slash_before(arg, eq) && hub_shaped(eq + 1)) return eq;
    const char *eq = strchr(arg, '=');
    return eq && eq > arg && no_slash_before(arg, eq) ? eq : NULL;
}
