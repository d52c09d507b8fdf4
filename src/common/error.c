/* error.c — per-thread error messages and status names. */
#include <stdio.h>
#include <string.h>

#include "common.h"

#define ERRMSG_CAP 1024

static _Thread_local char errmsg[ERRMSG_CAP];

const char *attn_status_str(attn_status s) {
    switch (s) {
    case ATTN_OK: return "ok";
    case ATTN_E_INVALID: return "invalid argument";
    case ATTN_E_IO: return "input/output error";
    case ATTN_E_FORMAT: return "malformed file";
    case ATTN_E_UNSUPPORTED: return "unsupported";
    case ATTN_E_NOMEM: return "out of memory";
    case ATTN_E_NOT_FOUND: return "not found";
    case ATTN_E_NETWORK: return "network error";
    case ATTN_E_AUTH: return "not authorized";
    case ATTN_E_CHECKSUM: return "checksum mismatch";
    case ATTN_E_OFFLINE: return "offline";
    }
    return "unknown status";
}

const char *attn_last_error(void) { return errmsg; }

void attn_clear_error(void) { errmsg[0] = '\0'; }

attn_status attn_fail(attn_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    return s;
}

attn_status attn_fail_prefix(attn_status s, const char *fmt, ...) {
    char prefix[ERRMSG_CAP];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix - 2, fmt, ap);
    va_end(ap);
    if (n < 0) return s;
    size_t plen = strlen(prefix);
    memcpy(prefix + plen, ": ", 3);
    plen += 2;
    size_t old = strnlen(errmsg, ERRMSG_CAP - 1);
    if (plen + old >= ERRMSG_CAP) old = ERRMSG_CAP - 1 - plen;
    memmove(errmsg + plen, errmsg, old);
    memcpy(errmsg, prefix, plen);
    errmsg[plen + old] = '\0';
    return s;
}
