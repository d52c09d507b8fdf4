/* corpus_agnews.c — the original AG News CSV (no header; class index 1-4, title, description) with
 * the seed's preparation (a first line whose class field is not a number is a header and skipped): text = title + " " + description, cleaned (attn_clean_news_text), kept
 * when within the word window and longer than min_chars characters, then per_label sentences per
 * class drawn by a seeded reservoir sample (docs/analysis.md). The sample is the only thing held. */
#include <stdlib.h>
#include <string.h>

#include "corpus_internal.h"

static const char *const agnews_labels[4] = {"World", "Sports", "Business", "Sci/Tech"};

/* splitmix64 (Steele, Lea & Flood 2014): tiny, seedable with any value, well mixed. */
static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int64_t code_points(const char *s) {
    int64_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int keep(const attn_corpus *c, const char *text) {
    int w = attn_word_count(text);
    return w >= c->o.min_words && w <= c->o.max_words && code_points(text) > c->o.min_chars;
}

/* Algorithm R: the n-th kept sentence of a class (0-based, seen[label] = n) replaces a random slot
 * of the reservoir with probability k/(n+1). */
static attn_status reservoir_offer(attn_corpus *c, corpus_pick *res, int64_t *seen, uint64_t *rng, int label,
                                   char *text, int64_t line) {
    int k = c->o.per_label;
    int64_t n = seen[label]++;
    int64_t slot = n < k ? n : (int64_t)(splitmix64(rng) % (uint64_t)(n + 1));
    if (k > 0 && slot >= k) {
        free(text);
        return ATTN_OK;
    }
    if (k == 0) { /* every sentence: grow the list */
        size_t cap = (size_t)c->n_picks;
        if (!attn_grow((void **)&c->picks, &cap, (size_t)c->n_picks + 1, sizeof *c->picks)) {
            free(text);
            return attn_fail(ATTN_E_NOMEM, "out of memory");
        }
        c->picks[c->n_picks++] = (corpus_pick){text, line, label};
        return ATTN_OK;
    }
    corpus_pick *p = &res[(size_t)label * (size_t)k + (size_t)slot];
    free(p->text);
    *p = (corpus_pick){text, line, label};
    return ATTN_OK;
}

/* One record → its class (0-3) and cleaned text (malloc'ed). */
static attn_status parse_record(attn_corpus *c, int64_t line, int *label, char **text) {
    if (c->n_fields != 3)
        return attn_fail(ATTN_E_FORMAT, "%s:%lld: %d fields, AG News has 3 (class, title, description)", c->path,
                         (long long)line, c->n_fields);
    const char *cls = c->fields[0].buf;
    if (strlen(cls) != 1 || cls[0] < '1' || cls[0] > '4')
        return attn_fail(ATTN_E_FORMAT, "%s:%lld: class index '%.20s' is not 1-4", c->path, (long long)line, cls);
    *label = cls[0] - '1';
    char *joined = attn_asprintf("%s %s", c->fields[1].buf, c->fields[2].buf);
    *text = joined ? attn_clean_news_text(joined) : NULL;
    free(joined);
    return *text ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
}

static int pick_order(const void *a, const void *b) {
    const corpus_pick *x = a, *y = b;
    if (x->label != y->label) return x->label - y->label;
    return (x->line > y->line) - (x->line < y->line);
}

/* Compacts the reservoir into c->picks sorted by class, then by line. */
static attn_status finish_sample(attn_corpus *c, corpus_pick *res) {
    if (c->o.per_label > 0) {
        int n = 0;
        for (int i = 0; i < 4 * c->o.per_label; i++)
            if (res[i].text) res[n++] = res[i];
        c->picks = res;
        c->n_picks = n;
    }
    if (c->n_picks > 1) qsort(c->picks, (size_t)c->n_picks, sizeof *c->picks, pick_order); /* picks may be NULL */
    return ATTN_OK;
}

static attn_status load_sample(attn_corpus *c) {
    int k = c->o.per_label > 0 ? c->o.per_label : 0;
    corpus_pick *res = k ? attn_calloc((size_t)4 * (size_t)k, sizeof *res) : NULL;
    if (k && !res) return attn_fail(ATTN_E_NOMEM, "out of memory");
    int64_t seen[4] = {0}, line = 0;
    uint64_t rng = c->o.seed;
    attn_status st = ATTN_OK;
    int r = 0;
    c->loaded = 1;
    while (st == ATTN_OK && (r = corpus_csv_record(c, &line)) == 1) {
        int label = 0;
        char *text = NULL;
        if (line == 1 && c->n_fields == 3 && (c->fields[0].buf[0] < '0' || c->fields[0].buf[0] > '9'))
            continue; /* a header line ("Class Index","Title","Description"), as some copies have */
        st = parse_record(c, line, &label, &text);
        if (st == ATTN_OK && keep(c, text)) st = reservoir_offer(c, res, seen, &rng, label, text, line);
        else if (st == ATTN_OK) free(text);
    }
    if (st == ATTN_OK && r < 0) st = ATTN_E_FORMAT;
    if (st != ATTN_OK) {
        for (int i = 0; res && i < 4 * k; i++) free(res[i].text);
        free(res);
        return st;
    }
    return finish_sample(c, res);
}

attn_status corpus_agnews_next(attn_corpus *c, attn_sentence *s) {
    if (!c->loaded) {
        attn_status st = load_sample(c);
        if (st != ATTN_OK) return st;
    }
    if (c->next_pick >= c->n_picks) return ATTN_OK;
    corpus_pick *p = &c->picks[c->next_pick++];
    s->text = p->text;
    s->label = agnews_labels[p->label];
    s->line = p->line;
    return ATTN_OK;
}

void corpus_agnews_free(attn_corpus *c) {
    for (int i = 0; i < c->n_picks; i++) free(c->picks[i].text);
    free(c->picks);
    c->picks = NULL;
    c->n_picks = 0;
}
