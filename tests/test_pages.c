/* Large blocks (src/common/pages.c): attn_pages_alloc maps zeroed memory on a 2 MB boundary in
 * whole 4 KB pages; attn_block_alloc hands out 64-byte aligned blocks from the heap below
 * ATTN_BLOCK_PAGES and from such mappings above, keeps the last mapped block freed and gives it to
 * the next request of about its size (never one it would waste half of), and two threads
 * allocating, filling and freeing at once never get the same block. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)

static int all_zero(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i += 4096)
        if (p[i]) return 0;
    return p[n - 1] == 0;
}

static void test_pages(void) {
    const size_t sizes[] = {1, 4096, 4097, 2 * MB - 1, 2 * MB, 5 * MB + 123};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t mapped = 0;
        unsigned char *p = attn_pages_alloc(sizes[i], &mapped);
        if (!CHECKF(p != NULL, "attn_pages_alloc(%zu) failed", sizes[i])) continue;
        CHECKF(((uintptr_t)p & (2 * MB - 1)) == 0, "attn_pages_alloc(%zu) is not 2 MB aligned", sizes[i]);
        CHECKF(mapped >= sizes[i] && mapped % 4096 == 0 && mapped - sizes[i] < 4096,
               "attn_pages_alloc(%zu) mapped %zu bytes, want whole 4 KB pages", sizes[i], mapped);
        CHECKF(all_zero(p, mapped), "attn_pages_alloc(%zu) is not zeroed", sizes[i]);
        memset(p, 0xA5, mapped);
        attn_pages_free(p, mapped);
    }
    size_t mapped = 1;
    CHECK(attn_pages_alloc(SIZE_MAX - 1, &mapped) == NULL && mapped == 1);
    attn_pages_free(NULL, 0);
}

static void test_blocks(void) {
    const size_t small[] = {0, 1, 63, 64, 4096, 1 * MB, ATTN_BLOCK_PAGES - 65};
    for (size_t i = 0; i < sizeof small / sizeof *small; i++) {
        unsigned char *p = attn_block_alloc(small[i]);
        if (!CHECKF(p != NULL, "attn_block_alloc(%zu) failed", small[i])) continue;
        CHECKF(((uintptr_t)p & 63) == 0, "attn_block_alloc(%zu) is not 64-byte aligned", small[i]);
        memset(p, 0x5A, small[i]);
        attn_block_free(p);
    }
    attn_block_free(NULL);
    CHECK(attn_block_alloc(SIZE_MAX - 10) == NULL);

    /* mapped blocks: the spare is reused for a request of about its size only */
    size_t big = 100 * MB;
    unsigned char *a = attn_block_alloc(big);
    if (!CHECK(a != NULL)) return;
    CHECK(((uintptr_t)a & 63) == 0);
    memset(a, 1, big);
    attn_block_free(a);
    unsigned char *b = attn_block_alloc(big - 4 * MB);
    CHECKF(b == a, "a freed 100 MB block was not reused for 96 MB");
    memset(b, 2, big - 4 * MB);
    attn_block_free(b);
    unsigned char *c = attn_block_alloc(ATTN_BLOCK_PAGES); /* 32 MB: less than half of the spare */
    CHECKF(c != NULL && c != b, "a 32 MB request took the 100 MB spare");
    if (c) memset(c, 3, ATTN_BLOCK_PAGES);
    unsigned char *d = attn_block_alloc(big); /* the spare is still there */
    CHECKF(d == b, "the spare was dropped by a request it did not fit");
    attn_block_free(c); /* c becomes the spare, d stays in use */
    unsigned char *e = attn_block_alloc(big);
    CHECKF(e != NULL && e != d && e != c, "a block in use (or too small) was handed out twice");
    if (e) memset(e, 4, big);
    attn_block_free(d), attn_block_free(e);
}

typedef struct worker {
    unsigned char tag;
    int errors;
} worker;

static void *churn(void *arg) {
    worker *w = arg;
    for (int it = 0; it < 60; it++) {
        size_t n = ATTN_BLOCK_PAGES + (size_t)(it % 3) * 4 * MB + (it % 2 ? 0 : 4096);
        unsigned char *p = attn_block_alloc(n);
        if (!p) { w->errors++; continue; }
        for (size_t i = 0; i < n; i += 4096) p[i] = w->tag;
        p[n - 1] = w->tag;
        for (size_t i = 0; i < n; i += 4096)
            if (p[i] != w->tag) { w->errors++; break; }
        if (p[n - 1] != w->tag) w->errors++;
        attn_block_free(p);
    }
    return NULL;
}

static void test_threads(void) {
    worker w[2] = {{0x11, 0}, {0x22, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, churn, &w[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    CHECKF(w[0].errors == 0 && w[1].errors == 0, "two threads shared a block (%d and %d errors)", w[0].errors, w[1].errors);
}

int main(void) {
    test_pages();
    test_blocks();
    test_threads();
    return tu_done("test_pages");
}
