/* metrics.c — the five per-sentence attention metrics of the seed study, in the seed's formulas
 * (quirks included) and corrected (docs/analysis.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "analysis.h"
#include "common.h"
#include "metrics_internal.h"

static const char *const metric_names[ATTN_M_COUNT] = {
    "CLS_Attention_Max", "CLS_Attention_Mean", "Self_Attention_Mean", "Content_Function_Ratio",
    "Attention_Entropy", "CLS_Attention_From_Max", "Attention_Entropy_Norm"};

static const char *const seed_function_words[] = {"the", "a", "an", "is", "are", "was", "were", "of", "in", "on", "at"};

const char *attn_metric_name(int k) { return k >= 0 && k < ATTN_M_COUNT ? metric_names[k] : "?"; }

int attn_metric_count(attn_metrics_mode mode) { return mode == ATTN_METRICS_SEED ? 5 : ATTN_M_COUNT; }

size_t *attn_cp_byte_offsets(const char *text, int32_t *n_cp) {
    size_t len = strlen(text), n = 0;
    size_t *at = malloc((len + 1) * sizeof *at);
    if (!at) return NULL;
    for (size_t b = 0; b < len; b++)
        if (((unsigned char)text[b] & 0xC0) != 0x80) at[n++] = b;
    at[n] = len;
    *n_cp = (int32_t)n;
    return at;
}

/* Lower-cased copy of s[0..n) (code point by code point, as Python's str.lower for all but a few). */
static char *lower_copy(const char *s, size_t n) {
    attn_strbuf sb = {0};
    attn_sb_puts(&sb, "");
    utf8proc_ssize_t used;
    utf8proc_int32_t c;
    for (size_t i = 0; i < n; i += used > 0 ? (size_t)used : 1) {
        used = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (used <= 0) continue;
        uint8_t b[4];
        attn_sb_append(&sb, (const char *)b, (size_t)utf8proc_encode_char(utf8proc_tolower(c), b));
    }
    return attn_sb_take(&sb);
}

static int in_list(const char *w, const attn_sentence_tokens *st) {
    const char *const *list = st->function_words ? st->function_words : seed_function_words;
    int n = st->function_words ? st->n_function_words : (int)(sizeof seed_function_words / sizeof *seed_function_words);
    for (int i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0) return 1;
    return 0;
}

/* The seed: skip "##…" and the strings [CLS]/[SEP]/[PAD]; function when token.lower() is listed.
 * cls[t]: 0 skipped, 1 content, 2 function. */
static attn_status classify_seed(const attn_sentence_tokens *st, uint8_t *cls) {
    for (int t = 0; t < st->enc->n; t++) {
        const char *tok = st->enc->tokens[t];
        if (strncmp(tok, "##", 2) == 0 || !strcmp(tok, "[CLS]") || !strcmp(tok, "[SEP]") || !strcmp(tok, "[PAD]")) {
            cls[t] = 0;
            continue;
        }
        char *low = lower_copy(tok, strlen(tok));
        if (!low) return attn_fail(ATTN_E_NOMEM, "out of memory");
        cls[t] = in_list(low, st) ? 2 : 1;
        free(low);
    }
    return ATTN_OK;
}

/* Corrected: specials from the mask; a token is a function token when its whole word (the span of
 * all tokens with its word id, in the original text) lower-cased is listed. */
static attn_status classify_words(const attn_sentence_tokens *st, uint8_t *cls) {
    const attn_encoding *e = st->enc;
    int32_t n_cp;
    size_t *at = attn_cp_byte_offsets(st->text, &n_cp);
    if (!at) return attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int t = 0; t < e->n; t++) {
        cls[t] = 0;
        if (e->special_tokens_mask[t]) continue;
        int32_t b = e->offsets[2 * t], en = e->offsets[2 * t + 1];
        for (int u = 0; e->word_ids[t] >= 0 && u < e->n; u++)
            if (e->word_ids[u] == e->word_ids[t] && !e->special_tokens_mask[u] && e->sequence_ids[u] == e->sequence_ids[t]) {
                if (e->offsets[2 * u] < b) b = e->offsets[2 * u];
                if (e->offsets[2 * u + 1] > en) en = e->offsets[2 * u + 1];
            }
        if (b < 0) b = 0;
        if (en > n_cp) en = n_cp;
        char *low = en > b ? lower_copy(st->text + at[b], at[en] - at[b]) : attn_strdup("");
        if (!low) {
            free(at);
            return attn_fail(ATTN_E_NOMEM, "out of memory");
        }
        cls[t] = in_list(low, st) ? 2 : 1;
        free(low);
    }
    free(at);
    return ATTN_OK;
}

/* Mean of a[i][j] over all rows i and the columns j of class k; *any = whether such columns exist. */
static double column_class_mean(const double *a, int T, const uint8_t *cls, int k, int *any) {
    double s = 0.0;
    int cols = 0;
    for (int j = 0; j < T; j++) {
        if (cls[j] != k) continue;
        cols++;
        for (int i = 0; i < T; i++) s += a[(size_t)i * T + j];
    }
    *any = cols > 0;
    return cols ? s / ((double)cols * T) : 0.0;
}

static void seed_metrics(const double *a, int T, const uint8_t *cls, double *out) {
    double mx = a[0], sum = 0.0, diag = 0.0, ent = 0.0;
    for (int j = 0; j < T; j++) mx = a[j] > mx ? a[j] : mx, sum += a[j];
    for (int i = 0; i < T; i++) diag += a[(size_t)i * T + i];
    for (size_t k = 0; k < (size_t)T * T; k++) ent -= a[k] * log(a[k] + 1e-10);
    int any_c, any_f;
    double c = column_class_mean(a, T, cls, 1, &any_c), f = column_class_mean(a, T, cls, 2, &any_f);
    out[ATTN_M_CLS_MAX] = mx;
    out[ATTN_M_CLS_MEAN] = sum / T;
    out[ATTN_M_SELF_MEAN] = diag / T;
    out[ATTN_M_CF_RATIO] = c / (f > 0.001 ? f : 0.001);
    out[ATTN_M_ENTROPY] = ent;
    out[ATTN_M_CLS_FROM_MAX] = out[ATTN_M_ENTROPY_NORM] = NAN;
}

static void corrected_metrics(const double *a, int T, const uint8_t *cls, double *out) {
    double to_max = a[0], to_sum = 0.0, from_max = a[0], diag = 0.0, ent = 0.0;
    for (int i = 0; i < T; i++) {
        const double *row = a + (size_t)i * T;
        to_max = row[0] > to_max ? row[0] : to_max;
        to_sum += row[0];
        from_max = a[i] > from_max ? a[i] : from_max;
        diag += row[i];
        for (int j = 0; j < T; j++)
            if (row[j] > 0.0) ent -= row[j] * log(row[j]);
    }
    int any_c, any_f;
    double c = column_class_mean(a, T, cls, 1, &any_c), f = column_class_mean(a, T, cls, 2, &any_f);
    out[ATTN_M_CLS_MAX] = to_max;
    out[ATTN_M_CLS_MEAN] = to_sum / T;
    out[ATTN_M_SELF_MEAN] = diag / T;
    out[ATTN_M_CF_RATIO] = any_f && f > 0.0 ? c / f : NAN;
    out[ATTN_M_ENTROPY] = ent / T;
    out[ATTN_M_CLS_FROM_MAX] = from_max;
    out[ATTN_M_ENTROPY_NORM] = T > 1 ? ent / T / log((double)T) : NAN;
}

attn_status attn_sentence_metrics(attn_metrics_mode mode, const attn_sentence_tokens *st, const float *attn,
                                  int heads, double *out) {
    int T = st->enc->n;
    if (T < 1 || heads < 1) return attn_fail(ATTN_E_INVALID, "metrics: empty attention");
    double *a = attn_calloc((size_t)T * T, sizeof *a); /* [T][T] averaged over heads */
    uint8_t *cls = malloc((size_t)T);
    if (!a || !cls) {
        free(a), free(cls);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    for (int h = 0; h < heads; h++)
        for (size_t k = 0; k < (size_t)T * T; k++) a[k] += attn[(size_t)h * T * T + k];
    for (size_t k = 0; k < (size_t)T * T; k++) a[k] /= heads;
    attn_status s = mode == ATTN_METRICS_SEED ? classify_seed(st, cls) : classify_words(st, cls);
    if (s == ATTN_OK && mode == ATTN_METRICS_SEED) seed_metrics(a, T, cls, out);
    else if (s == ATTN_OK) corrected_metrics(a, T, cls, out);
    free(a);
    free(cls);
    return s;
}

void attn_function_words_free(char **words, int n) {
    for (int i = 0; words && i < n; i++) free(words[i]);
    free(words);
}

/* One word a line; blank lines and lines starting with '#' skipped; surrounding spaces trimmed. */
attn_status attn_function_words_read(const char *path, char ***words, int *n) {
    *words = NULL, *n = 0;
    char *data;
    size_t len, cap = 0;
    attn_status st = attn_read_file(path, &data, &len);
    if (st != ATTN_OK) return st;
    if (attn_utf8_invalid_at(data, len) >= 0) st = attn_fail(ATTN_E_FORMAT, "%s: invalid UTF-8", path);
    else if (memchr(data, '\0', len)) st = attn_fail(ATTN_E_FORMAT, "%s: NUL byte (not a text file of words)", path);
    for (char *line = data, *next; st == ATTN_OK && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        size_t b = strspn(line, " \t\r"), e = strlen(line);
        while (e > b && strchr(" \t\r", line[e - 1])) e--;
        if (e == b || line[b] == '#') continue;
        char *w = lower_copy(line + b, e - b);
        if (!w || !attn_grow((void **)words, &cap, (size_t)*n + 1, sizeof **words)) {
            free(w);
            st = attn_fail(ATTN_E_NOMEM, "out of memory");
        } else {
            (*words)[(*n)++] = w;
        }
    }
    free(data);
    if (st == ATTN_OK && *n == 0) st = attn_fail(ATTN_E_FORMAT, "%s: no words (one word a line)", path);
    if (st != ATTN_OK) {
        attn_function_words_free(*words, *n);
        *words = NULL, *n = 0;
    }
    return st;
}
