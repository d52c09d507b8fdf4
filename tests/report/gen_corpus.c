/* gen_corpus.c — a seed-sized study report through the public API, for the size/speed test:
 * 3 models (12×12, 6×12, 12×12 layers × heads) × N sentences of 18–32 tokens, attention drawn
 * like real heads (peaked on special tokens, positional, broad), 4 domains, a per-sentence table
 * whose rows open sentences, and one SVG chart.
 *     gen_corpus OUT.html [N_SENTENCES] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnscope.h"

static uint64_t rng = 88172645463325252ull;
static double uniform(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}
static double gauss(void) { return sqrt(-2.0 * log(uniform() + 1e-300)) * cos(6.283185307179586 * uniform()); }

/* One head's [T][T]: kind 0 peaked on [CLS]/[SEP], 1 next token, 2 broad. */
static void head(float *a, int T, int kind) {
    double *l = malloc((size_t)T * sizeof *l);
    for (int i = 0; i < T; i++) {
        double mx = -1e9, sum = 0;
        for (int j = 0; j < T; j++) {
            l[j] = gauss() * (kind == 2 ? 3.0 : kind == 1 ? 1.0 : 1.5);
            if (kind == 0) l[j] += (j == 0) * 6.0 + (j == T - 1) * 5.0;
            if (l[j] > mx) mx = l[j];
        }
        for (int j = 0; j < T; j++) sum += (l[j] = exp(l[j] - mx));
        for (int j = 0; j < T; j++) a[i * T + j] = (float)(l[j] / sum);
        if (kind == 1) {
            int nxt = i + 1 < T ? i + 1 : i;
            for (int j = 0; j < T; j++) a[i * T + j] *= 0.3f;
            a[i * T + nxt] += 0.7f;
        }
    }
    free(l);
}

static const char *const WORDS[] = {"the", "bank", "raised", "rates", "after", "markets", "fell", "sharply", "on", "news",
                                    "team", "won", "final", "match", "river", "flooded", "town", "new", "chip", "launch"};
static const char *const DOMAINS[] = {"World", "Sports", "Business", "Sci/Tech"};

static int add_sentence_entries(attn_report *r, int s, int T, const int *L, const int *H) {
    char **tok = malloc((size_t)T * sizeof *tok);
    for (int t = 0; t < T; t++) tok[t] = strdup(t == 0 ? "[CLS]" : t == T - 1 ? "[SEP]" : WORDS[(s * 7 + t * 3) % 20]);
    for (int m = 0; m < 3; m++) {
        size_t n = (size_t)L[m] * (size_t)H[m] * (size_t)T * (size_t)T;
        float *a = malloc(n * sizeof *a);
        for (int lh = 0; lh < L[m] * H[m]; lh++) head(a + (size_t)lh * T * T, T, (int)(uniform() * 4) % 3);
        attn_report_attention at = {.n_tokens = T, .tokens = (const char *const *)tok, .layers = L[m], .heads = H[m], .attentions = a};
        attn_status st = attn_report_add_attention(r, s, m, &at);
        free(a);
        if (st) return 0;
    }
    for (int t = 0; t < T; t++) free(tok[t]);
    free(tok);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) return fprintf(stderr, "usage: gen_corpus OUT.html [N]\n"), 2;
    int N = argc > 2 ? atoi(argv[2]) : 100;
    static const int L[3] = {12, 6, 12}, H[3] = {12, 12, 12};
    static const char *const names[3] = {"BERT", "DistilBERT", "RoBERTa"};
    attn_report *r;
    if (attn_report_create("Seed-sized study (synthetic attention)", &r) || attn_report_set_scale(r, ATTN_REPORT_SCALE_MILLI))
        return fprintf(stderr, "%s\n", attn_last_error()), 1;
    for (int m = 0; m < 3; m++) attn_report_add_model(r, names[m], "synthetic", NULL);
    char *table = malloc((size_t)N * 160 + 64), *p = table;
    p += sprintf(p, "[");
    for (int s = 0; s < N; s++) {
        char text[256];
        int T = 18 + (int)(uniform() * 15);
        snprintf(text, sizeof text, "Sentence %d about the %s %s", s, WORDS[s % 20], s == 7 ? "<script>alert(1)</script>" : "and more");
        attn_report_sentence sen = {.text = text, .domain = DOMAINS[s % 4]};
        if (attn_report_add_sentence(r, &sen, NULL) || !add_sentence_entries(r, s, T, L, H))
            return fprintf(stderr, "%s\n", attn_last_error()), 1;
        p += sprintf(p, "%s{\"sentence\": %d, \"domain\": \"%s\", \"tokens\": %d, \"entropy\": %.6f}", s ? "," : "", s,
                     DOMAINS[s % 4], T, 1.0 + uniform());
    }
    sprintf(p, "]");
    const char *svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"60\"><rect x=\"0\" y=\"0\" width=\"120\" "
                      "height=\"20\" fill=\"#4ECDC4\"><title>BERT 0.42</title></rect><script>alert(2)</script>"
                      "<rect x=\"0\" y=\"30\" width=\"80\" height=\"20\" style=\"fill:#FF6B6B\" onclick=\"alert(3)\"/></svg>";
    const char *heads = "{\"columns\": [\"model\", \"layer\", \"head\", \"entropy\"], \"rows\": [[\"BERT\", 3, 5, 1.5], [\"BERT\", 11, 0, 0.25]]}";
    if (attn_report_add_table(r, "Per-sentence metrics", table, "sentence") || attn_report_add_table(r, "Head statistics", heads, NULL) ||
        attn_report_add_svg(r, "Entropy by model", svg) ||
        attn_report_write(r, argv[1]))
        return fprintf(stderr, "%s\n", attn_last_error()), 1;
    free(table);
    attn_report_free(r);
    return 0;
}
