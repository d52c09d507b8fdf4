/* corpus.c — the sentences `attnscope bench` times: a corpus file (read by attn_corpus, as
 * `compare --corpus` reads it), or the built-in 24 news sentences
 * (the corpus of the reference fixtures, /work/shared/fixtures/metrics/corpus.tsv, also in
 * tests/data/metrics/corpus.tsv: about 20 tokens each, like the seed notebook's test sentences). */
#include <stdlib.h>
#include <string.h>

#include "bench_internal.h"

static const char *const builtin[] = {
    "Leaders of twelve nations met in Geneva on Monday to discuss a new treaty on river water rights.",
    "Flooding forced thousands of families from their homes along the coast, officials said late Sunday.",
    "The foreign minister arrived in Nairobi for talks on trade and regional security.",
    "Voters in the small island nation will choose a new parliament next month amid a debate on fishing quotas.",
    "Rescue teams searched the rubble through the night after the earthquake struck the mountain town.",
    "A ceasefire between the two factions held for a third day as aid convoys reached the border.",
    "The visiting team scored twice in the final ten minutes to win the league title on goal difference.",
    "Her serve was broken only once as she advanced to the semifinal without dropping a set.",
    "The veteran pitcher signed a two-year contract worth an estimated eighteen million dollars.",
    "Injuries to both starting guards left the coach with few options for the playoff opener.",
    "The marathon was won in record time despite strong winds along the lakefront course.",
    "Fans waited in the rain for hours to greet the cyclists at the finish line.",
    "Shares of the chipmaker fell sharply after it warned that quarterly sales would miss forecasts.",
    "The central bank left interest rates unchanged, citing steady growth and modest inflation.",
    "A merger of the two airlines would create the largest carrier in the region, analysts said.",
    "Oil prices climbed for a fourth straight session as supplies tightened ahead of winter.",
    "The retailer plans to close forty stores and expand its online delivery service next year.",
    "Profits at the ketchup maker were hurt by higher costs for packaging and transport.",
    "Researchers have built a battery that charges in minutes and lasts for thousands of cycles.",
    "The space agency delayed the launch of its lunar probe because of a fuel valve problem.",
    "A new version of the popular browser blocks trackers by default and loads pages faster.",
    "Astronomers spotted a comet that will pass close enough to Earth to be seen without a telescope.",
    "The software update fixes a flaw that let attackers read messages on older phones.",
    "Scientists sequenced the genome of a rare orchid found only on one mountain slope.",
};

static int push(bench_corpus *c, const char *s, size_t n) {
    if (!attn_grow((void **)&c->text, &c->cap, (size_t)c->n + 1, sizeof *c->text)) return 0;
    char *t = attn_strndup(s, n);
    if (!t) return 0;
    c->text[c->n++] = t;
    return 1;
}

attn_status bench_corpus_load(bench_corpus *c, const char *path) { return bench_corpus_read(c, path, NULL); }

attn_status bench_corpus_read(bench_corpus *c, const char *path, const attn_corpus_options *o) {
    memset(c, 0, sizeof *c);
    if (!path) {
        for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
            if (!push(c, builtin[i], strlen(builtin[i]))) return bench_corpus_free(c), attn_fail(ATTN_E_NOMEM, "out of memory");
        return ATTN_OK;
    }
    /* the reader of `compare --corpus`: the same formats, header and column rules, the same errors */
    attn_corpus *corpus = NULL;
    attn_status s = attn_corpus_open(path, o, &corpus);
    attn_sentence sent;
    while (s == ATTN_OK && (s = attn_corpus_next(corpus, &sent)) == ATTN_OK && sent.text)
        if (c->n == INT32_MAX || !push(c, sent.text, strlen(sent.text))) s = attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_corpus_free(corpus);
    if (s != ATTN_OK) bench_corpus_free(c);
    return s;
}

void bench_corpus_free(bench_corpus *c) {
    for (int i = 0; i < c->n; i++) free(c->text[i]);
    free(c->text);
    memset(c, 0, sizeof *c);
}

typedef struct len_idx {
    int len, idx;
} len_idx;
static int cmp_len(const void *a, const void *b) {
    const len_idx *x = a, *y = b;
    return x->len != y->len ? (x->len > y->len) - (x->len < y->len) : x->idx - y->idx;
}

attn_status bench_order_by_length(const int *len, int n, int *order) {
    len_idx *li = malloc((size_t)n * sizeof *li);
    if (!li) return attn_fail(ATTN_E_NOMEM, "bench: out of memory");
    for (int i = 0; i < n; i++) li[i] = (len_idx){len[i], i};
    qsort(li, (size_t)n, sizeof *li, cmp_len);
    for (int i = 0; i < n; i++) order[i] = li[i].idx;
    free(li);
    return ATTN_OK;
}

void bench_encode_options(const attn_config *c, attn_encode_options *eo) {
    attn_encode_options_init(eo);
    /* RoBERTa's positions start after the padding id */
    eo->max_length = c->max_positions - (c->arch == ATTN_ARCH_ROBERTA ? c->pad_token_id + 1 : 0);
}
