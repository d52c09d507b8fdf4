/* team.h — the barrier between the steps of the forward's parallel region.
 *
 * libgomp's barrier under OMP_WAIT_POLICY=PASSIVE puts a waiting thread to sleep at once, and a
 * sleeping (halted, on a VM) core takes tens of microseconds to wake: with 7 barriers per layer
 * that is milliseconds per forward. This one spins briefly (the threads of a step finish within
 * microseconds of each other on a quiet machine), then yields the core, so an oversubscribed
 * machine is not made worse. Sense by phase counter; release/acquire order makes every write
 * before the barrier visible after it. */
#ifndef ATTN_TEAM_H
#define ATTN_TEAM_H

#include <sched.h>
#include <stdatomic.h>

typedef struct team_barrier {
    atomic_int arrived;
    atomic_int phase;
    int n; /* threads of the team */
} team_barrier;

#define TEAM_SPINS 2000 /* ~50-100 µs of pause instructions before yielding */

static inline void team_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static inline void team_wait(team_barrier *b) {
    int phase = atomic_load_explicit(&b->phase, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) == b->n - 1) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        atomic_store_explicit(&b->phase, phase + 1, memory_order_release);
        return;
    }
    for (int spins = 0; atomic_load_explicit(&b->phase, memory_order_acquire) == phase; spins++) {
        if (spins < TEAM_SPINS) team_relax();
        else sched_yield();
    }
}

#endif
