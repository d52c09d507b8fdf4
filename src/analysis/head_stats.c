/* head_stats.c — per-head statistics after Clark et al. 2019 ("What Does BERT Look At?"): where each
 * head's attention goes (first token, separators, punctuation, itself, neighbours), its entropy, a
 * pattern label (the Jensen-Shannon distance between heads: head_distance.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "analysis.h"
#include "common.h"
#include "metrics_internal.h"

static const char *const stat_names[ATTN_HS_COUNT] = {"to_first", "to_sep",  "to_punct", "to_self",
                                                      "to_next",  "to_prev", "entropy",  "entropy_norm"};

const char *attn_head_stat_name(int k) { return k >= 0 && k < ATTN_HS_COUNT ? stat_names[k] : "?"; }

/* The thresholds of the pattern rule (docs/analysis.md). */
#define PATTERN_SHARE 0.5  /* attention mass that makes a head vertical or diagonal */
#define PATTERN_BROAD 0.75 /* normalised entropy above which a head is a broad block */

const char *attn_head_pattern(const double *st) {
    double vertical = st[ATTN_HS_TO_FIRST] + st[ATTN_HS_TO_SEP];
    double diagonal = st[ATTN_HS_TO_SELF] + st[ATTN_HS_TO_NEXT] + st[ATTN_HS_TO_PREV];
    if (vertical >= PATTERN_SHARE || diagonal >= PATTERN_SHARE) return vertical >= diagonal ? "vertical" : "diagonal";
    if (st[ATTN_HS_ENTROPY_NORM] >= PATTERN_BROAD) return "block";
    return "heterogeneous";
}

/* BERT's notion of punctuation: ASCII non-alphanumeric printable characters and Unicode P*. */
static int is_punct_cp(utf8proc_int32_t c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return 1;
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

static int span_is_punct(const char *s, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t used = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (used <= 0 || !is_punct_cp(c)) return 0;
        i += (size_t)used;
    }
    return 1;
}

attn_status attn_token_classes(const char *text, const attn_encoding *enc, uint8_t *is_sep, uint8_t *is_punct) {
    int32_t n_cp;
    size_t *at = attn_cp_byte_offsets(text, &n_cp);
    if (!at) return attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int t = 0; t < enc->n; t++) {
        int special = enc->special_tokens_mask[t] != 0;
        is_sep[t] = special && t > 0;
        int32_t b = enc->offsets[2 * t], e = enc->offsets[2 * t + 1];
        is_punct[t] = !special && b >= 0 && e <= n_cp && e > b && span_is_punct(text + at[b], at[e] - at[b]);
    }
    free(at);
    return ATTN_OK;
}

/* One head [T][T] → out[ATTN_HS_COUNT]. */
static void head_stats(const float *p, int T, const uint8_t *is_sep, const uint8_t *is_punct, double *out) {
    double s[ATTN_HS_COUNT] = {0};
    for (int i = 0; i < T; i++) {
        const float *row = p + (size_t)i * T;
        s[ATTN_HS_TO_FIRST] += row[0];
        for (int j = 0; j < T; j++) {
            if (is_sep[j]) s[ATTN_HS_TO_SEP] += row[j];
            if (is_punct[j]) s[ATTN_HS_TO_PUNCT] += row[j];
        }
        s[ATTN_HS_TO_SELF] += row[i];
        if (i < T - 1) s[ATTN_HS_TO_NEXT] += row[i + 1];
        if (i > 0) s[ATTN_HS_TO_PREV] += row[i - 1];
        s[ATTN_HS_ENTROPY] += attn_entropy(row, (size_t)T);
    }
    for (int k = 0; k < ATTN_HS_COUNT; k++) out[k] = s[k] / T;
    out[ATTN_HS_TO_NEXT] = T > 1 ? s[ATTN_HS_TO_NEXT] / (T - 1) : NAN;
    out[ATTN_HS_TO_PREV] = T > 1 ? s[ATTN_HS_TO_PREV] / (T - 1) : NAN;
    out[ATTN_HS_ENTROPY_NORM] = T > 1 ? out[ATTN_HS_ENTROPY] / log((double)T) : NAN;
}

void attn_head_stats_layer(const float *attn, int heads, int T, const uint8_t *is_sep, const uint8_t *is_punct,
                           double *out) {
    for (int h = 0; h < heads; h++) head_stats(attn + (size_t)h * T * T, T, is_sep, is_punct, out + (size_t)h * ATTN_HS_COUNT);
}
