/* error.c — per-thread error messages and status names. */
#include <stddef.h>
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

/* A message is one line of valid UTF-8 whatever the input quoted in it held (a file name with a
 * newline, jansson's "near '...'" with raw bytes, a cut multi-byte character): control characters
 * become spaces, bytes that are not UTF-8 become '?'. */
static void one_line(char *m) {
    size_t n = strlen(m), at = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)m[i] < 0x20 || m[i] == 0x7f) m[i] = ' ';
    for (ptrdiff_t bad; at < n && (bad = attn_utf8_invalid_at(m + at, n - at)) >= 0; at += (size_t)bad + 1)
        m[at + (size_t)bad] = '?';
}

attn_status attn_fail(attn_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    one_line(errmsg);
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
    one_line(errmsg);
    return s;
}
