/* pages.c — large anonymous mappings on 2 MB pages, and the blocks the library hands to callers.
 *
 * A mapping advised MADV_HUGEPAGE takes one page fault (and one 2 MB clear) per 2 MB instead of
 * 512: for the packed weights at load, and for outputs such as a 512-token forward's attentions
 * (151 MB for bert-base), whose 37 000 faults of 4 KB cost 7 % of the forward.
 *
 * The last such block freed is kept for the next of about its size (one slot): a loop of long
 * forwards then writes into pages already there instead of having the kernel clear 151 MB again
 * each time (about as much again). */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "common.h"

#define HUGE_PAGE ((size_t)2 << 20)

void *attn_pages_alloc(size_t bytes, size_t *mapped) {
    if (bytes > SIZE_MAX - 2 * HUGE_PAGE) return NULL;
    /* whole 4 KB pages only: a tail short of 2 MB stays in small pages instead of being faulted in
     * as a whole 2 MB page (the bf16 copy of a 768 × 768 layer is 1.2 MB) */
    size_t size = (bytes + 4095) / 4096 * 4096, span = size + HUGE_PAGE;
    char *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    /* keep the 2 MB aligned part, so that every page of it can be a whole 2 MB page */
    char *p = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (p > m) munmap(m, (size_t)(p - m));
    if (m + span > p + size) munmap(p + size, (size_t)(m + span - (p + size)));
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE); /* advice only: 4 KB pages where the system has none */
#endif
    *mapped = size;
    return p;
}

void attn_pages_free(void *p, size_t mapped) {
    if (p) munmap(p, mapped);
}

/* Each block starts with a header of one cache line, so that the data stays 64-byte aligned. */
#define HEADER 64
typedef struct block_header {
    size_t mapped; /* the mapping's size, 0 for a block from aligned_alloc */
} block_header;
_Static_assert(sizeof(block_header) <= HEADER, "the header fits its cache line");

static _Atomic(block_header *) attn_block_spare; /* the last mapped block freed, or NULL */

/* The spare block if it holds total bytes without wasting more than half of it, else NULL (then
 * left in its slot, or unmapped if another was put there meanwhile). */
static block_header *take_spare(size_t total) {
    block_header *h = atomic_exchange(&attn_block_spare, NULL);
    if (!h || (h->mapped >= total && h->mapped / 2 <= total)) return h;
    block_header *none = NULL;
    if (!atomic_compare_exchange_strong(&attn_block_spare, &none, h)) attn_pages_free(h, h->mapped);
    return NULL;
}

void *attn_block_alloc(size_t bytes) {
    if (bytes > SIZE_MAX - 2 * HEADER - 2 * HUGE_PAGE) return NULL;
    size_t total = (bytes + HEADER + HEADER - 1) / HEADER * HEADER;
    block_header *h;
    if (total < ATTN_BLOCK_PAGES) {
        if (!(h = aligned_alloc(HEADER, total))) return NULL;
        h->mapped = 0;
    } else if (!(h = take_spare(total))) {
        size_t mapped;
        if (!(h = attn_pages_alloc(total, &mapped))) return NULL;
        h->mapped = mapped;
    }
    return (char *)h + HEADER;
}

void attn_block_free(void *p) {
    if (!p) return;
    block_header *h = (block_header *)(void *)((char *)p - HEADER);
    if (!h->mapped) {
        free(h);
        return;
    }
    block_header *old = atomic_exchange(&attn_block_spare, h); /* the newest is kept */
    if (old) attn_pages_free(old, old->mapped);
}
