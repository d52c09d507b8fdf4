/* testutil.h — a minimal test harness: checks that count failures and a main that returns them. */
#ifndef ATTN_TESTUTIL_H
#define ATTN_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "attnscope.h"

extern int tu_failures;
extern int tu_checks;

#define CHECK(cond) tu_check((cond), #cond, __FILE__, __LINE__)
#define CHECKF(cond, ...) tu_checkf((cond), __FILE__, __LINE__, __VA_ARGS__)
/* Fails (and prints the library's message) when a call does not return ATTN_OK. */
#define CHECK_OK(call) tu_check_ok((call), #call, __FILE__, __LINE__)

int tu_check(int ok, const char *expr, const char *file, int line);
int tu_checkf(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int tu_check_ok(attn_status s, const char *expr, const char *file, int line);

/* Path under the test data folder ($ATTN_TEST_DATA). Returns a static buffer (rotating, 8 deep). */
const char *tu_data(const char *rel);

/* Compares got[n] with want[n]: |got-want| <= atol + rtol*scale where scale is max|want| over the
 * vector (or 1 if rtol is 0). Prints the worst element on failure. Returns 1 if within tolerance. */
int tu_check_close(const char *what, const float *got, const float *want, size_t n, float atol,
                   float rtol);

/* Prints the summary and returns the process exit code. */
int tu_done(const char *name);

#endif
