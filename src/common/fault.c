/* fault.c — fault injection for tests, after sqlite's sqlite3FaultSim: the n-th write to an output
 * file fails (ENOSPC, as on a full disk), and so does every later one, until reset.
 *
 * Allocation failures are injected without touching the library: the fault test links with
 * -Wl,--wrap=malloc,... (tests/fault/). Writes have one choke point, atomic.c's io_write, which
 * asks attn_fault_write() before each write(2). */
#include <stdlib.h>

#include "common.h"

static long fault_write_at = -1; /* -1: not yet read from the environment; 0: off */
static long fault_write_count;

static long env_fail_at(void) {
    const char *v = getenv("ATTN_FAULT_WRITE");
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && n > 0 ? n : 0;
}

long attn_fault_write_at(long n) {
    long counted = __atomic_exchange_n(&fault_write_count, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fault_write_at, n > 0 ? n : 0, __ATOMIC_SEQ_CST);
    return counted;
}

int attn_fault_write(void) {
    long at = __atomic_load_n(&fault_write_at, __ATOMIC_SEQ_CST);
    if (at < 0) {
        long env = env_fail_at();
        long expected = -1;
        __atomic_compare_exchange_n(&fault_write_at, &expected, env, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        at = __atomic_load_n(&fault_write_at, __ATOMIC_SEQ_CST);
    }
    long k = __atomic_add_fetch(&fault_write_count, 1, __ATOMIC_SEQ_CST);
    return at > 0 && k >= at;
}
