/* bpe.c — byte-pair encoding: start from one symbol per char and apply the lowest-ranked merge
 * first (leftmost on ties), with a binary heap like the crate's Word::merge_all, so long words
 * stay O(n log n). */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

typedef struct sym {
    int32_t id, start, end; /* chars of the word */
    int32_t prev, next;
} sym;

typedef struct merge {
    int32_t rank, pos, id;
} merge;

static int less(const merge *a, const merge *b) { return a->rank != b->rank ? a->rank < b->rank : a->pos < b->pos; }

static void heap_push(merge *h, int32_t *n, merge m) {
    int32_t i = (*n)++;
    while (i > 0) {
        int32_t p = (i - 1) / 2;
        if (!less(&m, &h[p])) break;
        h[i] = h[p], i = p;
    }
    h[i] = m;
}

static merge heap_pop(merge *h, int32_t *n) {
    merge top = h[0], last = h[--(*n)];
    int32_t i = 0;
    for (;;) {
        int32_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && less(&h[c + 1], &h[c])) c++;
        if (!less(&h[c], &last)) break;
        h[i] = h[c], i = c;
    }
    if (*n > 0) h[i] = last;
    return top;
}

/* Id of the initial symbol for chars [k, k+1) of an n-char word: prefix before all but the first,
 * suffix after the last. -1 if not in the vocabulary. */
static int32_t char_id(const attn_tokenizer *t, const uint32_t *cp, int32_t k, int32_t n, char *buf) {
    const tk_bpe *b = &t->bpe;
    if (!b->prefix && !b->suffix && cp[k] < 512) return b->char_ids[cp[k]];
    size_t len = 0;
    if (k > 0 && b->prefix) {
        size_t pl = strlen(b->prefix);
        memcpy(buf, b->prefix, pl), len = pl;
    }
    len += (size_t)tk_utf8_put(cp[k], buf + len);
    if (k == n - 1 && b->suffix) {
        size_t sl = strlen(b->suffix);
        memcpy(buf + len, b->suffix, sl), len += sl;
    }
    return tk_vocab_get(&t->vocab, buf, len);
}

attn_status tk_bpe_tokenize(const attn_tokenizer *t, tk_work *w, const uint32_t *cp, int32_t n,
                    attn_status (*emit)(void *u, int32_t id, const char *str, int32_t s, int32_t e), void *u) {
    const tk_bpe *b = &t->bpe;
    if (n == 0) return ATTN_OK;
    size_t extra = (b->prefix ? strlen(b->prefix) : 0) + (b->suffix ? strlen(b->suffix) : 0) + 8;
    if (!attn_grow((void **)&w->bytes, &w->bytes_cap, (size_t)n * 4 + extra, 1)) return ATTN_E_NOMEM;
    if (b->ignore_merges) {
        size_t len = 0;
        for (int32_t k = 0; k < n; k++) len += (size_t)tk_utf8_put(cp[k], w->bytes + len);
        int32_t id = tk_vocab_get(&t->vocab, w->bytes, len);
        if (id >= 0) return emit(u, id, t->vocab.tokens[id], 0, n);
    }
    if (!attn_grow(&w->syms, &w->syms_cap, (size_t)n * 4 * sizeof(sym), 1)) return ATTN_E_NOMEM;
    sym *s = w->syms;
    int32_t ns = 0, unk_start = -1, unk_end = -1;
    for (int32_t k = 0; k < n; k++) {
        int32_t id = char_id(t, cp, k, n, w->bytes);
        if (id >= 0) {
            if (unk_start >= 0) s[ns++] = (sym){b->unk_id, unk_start, unk_end, 0, 0}, unk_start = -1;
            s[ns++] = (sym){id, k, k + 1, 0, 0};
            continue;
        }
        if (b->byte_fallback) {
            char buf[8], key[8];
            int nb = tk_utf8_put(cp[k], buf), ok = 1;
            int32_t ids[4];
            for (int q = 0; q < nb && ok; q++) {
                static const char hex[] = "0123456789ABCDEF";
                uint8_t v = (uint8_t)buf[q];
                key[0] = '<', key[1] = '0', key[2] = 'x', key[3] = hex[v >> 4], key[4] = hex[v & 15], key[5] = '>';
                ids[q] = tk_vocab_get(&t->vocab, key, 6);
                ok = ids[q] >= 0;
            }
            if (ok) {
                /* byte pieces of one char share its span */
                for (int q = 0; q < nb; q++) s[ns++] = (sym){ids[q], k, k + 1, 0, 0};
                continue;
            }
        }
        if (!b->unk) continue; /* no unknown token: the char is dropped */
        if (unk_start >= 0 && b->fuse_unk) {
            unk_end = k + 1;
        } else {
            if (unk_start >= 0) s[ns++] = (sym){b->unk_id, unk_start, unk_end, 0, 0};
            unk_start = k, unk_end = k + 1;
        }
    }
    if (unk_start >= 0) s[ns++] = (sym){b->unk_id, unk_start, unk_end, 0, 0};
    for (int32_t i = 0; i < ns; i++) s[i].prev = i - 1, s[i].next = i + 1 < ns ? i + 1 : -1;
    if (!attn_grow(&w->heap, &w->heap_cap, ((size_t)ns * 3 + 4) * sizeof(merge), 1)) return ATTN_E_NOMEM;
    merge *heap = w->heap;

    int32_t nh = 0;
    for (int32_t i = 0; i + 1 < ns; i++) {
        const tk_pairmap_entry *m = tk_pairmap_get(&b->merges, s[i].id, s[i + 1].id);
        if (m) heap_push(heap, &nh, (merge){m->rank, i, m->id});
    }
    while (nh > 0) {
        merge top = heap_pop(heap, &nh);
        sym *cur = &s[top.pos];
        if (cur->end == cur->start || cur->next < 0) continue; /* removed, or last */
        sym *right = &s[cur->next];
        const tk_pairmap_entry *m = tk_pairmap_get(&b->merges, cur->id, right->id);
        if (!m || m->id != top.id) continue; /* stale entry */
        cur->id = top.id, cur->end = right->end;
        int32_t rnext = right->next;
        right->end = right->start; /* removed */
        cur->next = rnext;
        if (rnext >= 0) s[rnext].prev = top.pos;
        if (cur->prev >= 0) {
            m = tk_pairmap_get(&b->merges, s[cur->prev].id, cur->id);
            if (m) heap_push(heap, &nh, (merge){m->rank, cur->prev, m->id});
        }
        if (rnext >= 0) {
            m = tk_pairmap_get(&b->merges, cur->id, s[rnext].id);
            if (m) heap_push(heap, &nh, (merge){m->rank, top.pos, m->id});
        }
    }
    for (int32_t i = 0; i < ns; i = s[i].next) {
        if (emit(u, s[i].id, t->vocab.tokens[s[i].id], s[i].start, s[i].end)) return ATTN_E_NOMEM;
        if (s[i].next < 0) break;
    }
    return ATTN_OK;
}
