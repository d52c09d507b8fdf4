#include "testutil.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

int tu_failures = 0;
int tu_checks = 0;

int tu_check(int ok, const char *expr, const char *file, int line) {
    tu_checks++;
    if (!ok) {
        tu_failures++;
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
    }
    return ok;
}

int tu_checkf(int ok, const char *file, int line, const char *fmt, ...) {
    tu_checks++;
    if (!ok) {
        tu_failures++;
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "%s:%d: check failed: ", file, line);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
    return ok;
}

int tu_check_ok(attn_status s, const char *expr, const char *file, int line) {
    tu_checks++;
    if (s != ATTN_OK) {
        tu_failures++;
        fprintf(stderr, "%s:%d: %s failed: %s (%s)\n", file, line, expr, attn_status_str(s), attn_last_error());
        return 0;
    }
    return 1;
}

const char *tu_data(const char *rel) {
    static char bufs[8][4096];
    static int next = 0;
    const char *root = getenv("ATTN_TEST_DATA");
    if (!root) root = "tests/data";
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", root, rel);
    return b;
}

int tu_check_close(const char *what, const float *got, const float *want, size_t n, float atol, float rtol) {
    float scale = 0.0f;
    for (size_t i = 0; i < n; i++) scale = fmaxf(scale, fabsf(want[i]));
    double worst = 0.0, allowed = 0.0;
    size_t at = 0;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        double tol = atol + (double)rtol * scale;
        double d = fabs((double)got[i] - (double)want[i]);
        if (!(d <= tol)) ok = 0; /* also catches NaN */
        if (!(d <= worst)) { worst = d; at = i; allowed = tol; }
    }
    tu_checks++;
    if (!ok) {
        tu_failures++;
        fprintf(stderr, "%s: worst element %zu: got %.9g want %.9g (|diff| %.3g > %.3g)\n", what, at,
                (double)got[at], (double)want[at], worst, allowed);
    }
    return ok;
}

int tu_done(const char *name) {
    printf("%s: %d checks, %d failed\n", name, tu_checks, tu_failures);
    return tu_failures ? 1 : 0;
}
