/* strmap.c — open-addressing hash maps for vocabularies (string → id) and BPE merges
 * ((left id, right id) → rank, merged id), plus the vocabulary table built on them. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

uint32_t tk_hash(const char *s, size_t len) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h ? h : 1;
}

static attn_status strmap_grow(tk_strmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    tk_strmap_entry *slots = attn_calloc(cap, sizeof *slots);
    if (!slots) return ATTN_E_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        tk_strmap_entry *e = &m->slots[i];
        if (!e->hash) continue;
        size_t j = e->hash & (cap - 1);
        while (slots[j].hash) j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    free(m->slots);
    m->slots = slots, m->cap = cap;
    return ATTN_OK;
}

attn_status tk_strmap_put(tk_strmap *m, const char *key, size_t len, int32_t val) {
    if ((m->count + 1) * 2 > m->cap && strmap_grow(m)) return ATTN_E_NOMEM;
    uint32_t h = tk_hash(key, len);
    size_t j = h & (m->cap - 1);
    for (;; j = (j + 1) & (m->cap - 1)) {
        tk_strmap_entry *e = &m->slots[j];
        if (!e->hash) {
            *e = (tk_strmap_entry){key, (uint32_t)len, h, val};
            m->count++;
            return ATTN_OK;
        }
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) {
            e->key = key, e->val = val;
            return ATTN_OK;
        }
    }
}

int32_t tk_strmap_get(const tk_strmap *m, const char *key, size_t len) {
    if (!m->cap) return -1;
    uint32_t h = tk_hash(key, len);
    for (size_t j = h & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        const tk_strmap_entry *e = &m->slots[j];
        if (!e->hash) return -1;
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) return e->val;
    }
}

void tk_strmap_free(tk_strmap *m) {
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static uint64_t pair_key(int32_t a, int32_t b) { return (((uint64_t)(uint32_t)a << 32) | (uint32_t)b) + 1; }

static size_t pair_slot(uint64_t k, size_t cap) {
    k ^= k >> 33, k *= 0xff51afd7ed558ccdULL, k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static attn_status pairmap_grow(tk_pairmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 1024;
    tk_pairmap_entry *slots = attn_calloc(cap, sizeof *slots);
    if (!slots) return ATTN_E_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key) continue;
        size_t j = pair_slot(m->slots[i].key, cap);
        while (slots[j].key) j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots, m->cap = cap;
    return ATTN_OK;
}

/* The first occurrence of a pair keeps its rank, like the merges HashMap of the Rust crate built
 * from an iterator (later duplicates overwrite: we follow that). */
attn_status tk_pairmap_put(tk_pairmap *m, int32_t a, int32_t b, int32_t rank, int32_t id) {
    if ((m->count + 1) * 2 > m->cap && pairmap_grow(m)) return ATTN_E_NOMEM;
    uint64_t k = pair_key(a, b);
    for (size_t j = pair_slot(k, m->cap);; j = (j + 1) & (m->cap - 1)) {
        tk_pairmap_entry *e = &m->slots[j];
        if (!e->key) {
            *e = (tk_pairmap_entry){k, rank, id};
            m->count++;
            return ATTN_OK;
        }
        if (e->key == k) {
            e->rank = rank, e->id = id;
            return ATTN_OK;
        }
    }
}

const tk_pairmap_entry *tk_pairmap_get(const tk_pairmap *m, int32_t a, int32_t b) {
    if (!m->cap) return NULL;
    uint64_t k = pair_key(a, b);
    for (size_t j = pair_slot(k, m->cap);; j = (j + 1) & (m->cap - 1)) {
        const tk_pairmap_entry *e = &m->slots[j];
        if (!e->key) return NULL;
        if (e->key == k) return e;
    }
}

void tk_pairmap_free(tk_pairmap *m) {
    free(m->slots);
    memset(m, 0, sizeof *m);
}

attn_status tk_vocab_set(tk_vocab *v, int32_t id, const char *s, size_t len) {
    if (id < 0 || id >= TK_MAX_ID) return ATTN_E_INVALID; /* the table is dense: a huge id is no vocabulary */
    if (id >= v->n) { /* grown geometrically: a vocabulary read in id order reallocates log n times, not n */
        size_t old = v->cap;
        if (!attn_grow((void **)&v->tokens, &v->cap, (size_t)id + 1, sizeof *v->tokens)) return ATTN_E_NOMEM;
        for (size_t i = old; i < v->cap; i++) v->tokens[i] = NULL;
        v->n = id + 1;
    }
    if (v->tokens[id]) return strlen(v->tokens[id]) == len && memcmp(v->tokens[id], s, len) == 0 ? ATTN_OK : ATTN_E_FORMAT;
    char *copy = attn_strndup(s, len);
    if (!copy) return ATTN_E_NOMEM;
    v->tokens[id] = copy;
    if (len > v->max_len) v->max_len = len;
    return tk_strmap_put(&v->map, copy, len, id);
}

int32_t tk_vocab_get(const tk_vocab *v, const char *s, size_t len) { return tk_strmap_get(&v->map, s, len); }

void tk_vocab_free(tk_vocab *v) {
    for (int32_t i = 0; i < v->n; i++) free(v->tokens[i]);
    free(v->tokens);
    tk_strmap_free(&v->map);
    memset(v, 0, sizeof *v);
}
