/* fault_alloc.c — allocation failures on demand, without touching the library: the fault test is
 * linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup, so every
 * call the static library (and this test) makes goes through these wrappers. Not covered:
 * allocations inside shared libraries (jansson, utf8proc_map, libgomp, libzip, libc's own
 * fopen/getline buffers). Jansson could be routed here with json_set_alloc_funcs, but 2.14 does
 * not survive it: a failed strbuffer_append_byte while lexing a string ends in assert(0) in
 * lex_scan_string (load.c:442), so its allocations are left alone. */
#include <stddef.h>
#include <string.h>

#include "fault_alloc.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

static long fail_at; /* 0: never */
static long calls;

void fault_alloc_at(long n) {
    __atomic_store_n(&calls, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fail_at, n, __ATOMIC_SEQ_CST);
}

long fault_alloc_calls(void) { return __atomic_load_n(&calls, __ATOMIC_SEQ_CST); }

/* One-shot: only the n-th allocation fails, so that the code after a handled failure runs too. */
static int fail_now(void) {
    long k = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    return k == __atomic_load_n(&fail_at, __ATOMIC_SEQ_CST);
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return fail_now() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return fail_now() ? NULL : __real_strndup(s, n); }
