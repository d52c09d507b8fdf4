/* test_fit.c — text and tokenizer fitted to a model (src/tokenizer/fit.c): the vocab check, the
 * cut to the model's positions against the tokenizer's own truncation, a word past the cut, and
 * the report entry's note. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* "w w w ..." n times (malloc'ed). */
static char *repeat(const char *w, int n) {
    size_t len = strlen(w) + 1;
    char *s = malloc(len * (size_t)n + 1);
    for (int i = 0; i < n; i++) memcpy(s + len * (size_t)i, w, len - 1), s[len * (size_t)i + len - 1] = ' ';
    s[len * (size_t)n - 1] = '\0';
    return s;
}

static void test_check_model(const attn_tokenizer *t, const attn_config *cfg) {
    CHECK_OK(attn_tokenizer_check_model(t, cfg, "bert-tiny"));
    attn_config small = *cfg;
    small.vocab = 30000; /* a model of fewer rows than the tokenizer's 30522 ids */
    CHECK(attn_tokenizer_check_model(t, &small, "some/folder") == ATTN_E_FORMAT);
    CHECKF(strstr(attn_last_error(), "some/folder: the tokenizer's largest token id is 30521 but the model's vocab_size is 30000") != NULL,
           "message: %s", attn_last_error());
    small.vocab = 30522; /* exactly as many: fits */
    CHECK_OK(attn_tokenizer_check_model(t, &small, "x"));
}

/* attn_encode_to_fit = plain encode when it fits; = the tokenizer's max_length truncation when not. */
static void test_encode(const attn_tokenizer *t, const attn_config *cfg) {
    int32_t max = attn_config_max_tokens(cfg);
    char *long_text = repeat("bank", 600), *pair = repeat("river", 100);
    attn_encoding e, want;
    attn_truncation_info cut = {-1, -1};
    CHECK_OK(attn_encode_to_fit(t, cfg, "the bank", 8, NULL, 0, &e, &cut));
    CHECK(cut.tokens == 0 && cut.kept == 0 && e.n == 4);
    attn_encoding_free(&e);
    attn_encode_options o;
    attn_encode_options_init(&o);
    o.max_length = max;
    const struct { const char *text, *pair; int32_t tokens; } cases[] = {{long_text, NULL, 602}, {long_text, pair, 703}};
    for (int c = 0; c < 2; c++) {
        const char *p = cases[c].pair;
        CHECK_OK(attn_encode_to_fit(t, cfg, cases[c].text, strlen(cases[c].text), p, p ? strlen(p) : 0, &e, &cut));
        CHECK_OK(attn_tokenizer_encode(t, cases[c].text, p, &o, &want));
        CHECKF(cut.tokens == cases[c].tokens && cut.kept == max && e.n == max, "case %d: cut %d -> %d, n %d", c, cut.tokens,
               cut.kept, e.n);
        CHECK(e.n == want.n && !memcmp(e.ids, want.ids, (size_t)e.n * sizeof *e.ids) &&
              !memcmp(e.type_ids, want.type_ids, (size_t)e.n * sizeof *e.type_ids));
        attn_encoding_free(&e), attn_encoding_free(&want);
    }
    CHECK(attn_encode_to_fit(t, cfg, "\xff", 1, NULL, 0, &e, &cut) == ATTN_E_INVALID && cut.tokens == 0);
    free(long_text), free(pair);
}

static void test_find_word(const attn_tokenizer *t, const attn_config *cfg) {
    char *base = repeat("bank", 600), *text = malloc(strlen(base) + 16);
    sprintf(text, "%s river", base);
    attn_encoding e;
    attn_truncation_info cut;
    int32_t *pieces = NULL, n = 0;
    CHECK_OK(attn_encode_to_fit(t, cfg, text, strlen(text), NULL, 0, &e, &cut));
    CHECK_OK(attn_find_word_fit(text, &e, cut, "bank", 510, &pieces, &n)); /* the last one kept */
    CHECK(n == 1 && pieces[0] == 510);
    free(pieces);
    CHECK(attn_find_word_fit(text, &e, cut, "bank", 511, &pieces, &n) == ATTN_E_INVALID && !pieces);
    CHECKF(!strcmp(attn_last_error(), "word \"bank\" (occurrence 511) lies past the model's 512 positions: the sentence's 603 "
                                      "tokens were truncated to 512"), "message: %s", attn_last_error());
    CHECK(attn_find_word_fit(text, &e, cut, "river", 1, &pieces, &n) == ATTN_E_INVALID);
    CHECK(strstr(attn_last_error(), "lies past the model's 512 positions") != NULL);
    CHECK(attn_find_word_fit(text, &e, cut, "money", 1, &pieces, &n) == ATTN_E_INVALID); /* not a matter of the cut */
    CHECKF(!strncmp(attn_last_error(), "word \"money\" does not occur in", 30), "message: %s", attn_last_error());
    CHECK(attn_find_word_fit(text, &e, cut, "bank", 601, &pieces, &n) == ATTN_E_INVALID);
    CHECKF(strstr(attn_last_error(), "occurs 600 times") != NULL, "message: %s", attn_last_error());
    attn_encoding_free(&e);
    free(base), free(text);
}

/* attn_report_add_forward cuts the sentence and notes it on the entry. */
static void test_report(void) {
    attn_model *m = NULL;
    attn_tokenizer *t = NULL;
    attn_report *r = NULL;
    CHECK_OK(attn_model_open(tu_data("models/bert-tiny"), &m));
    CHECK_OK(attn_tokenizer_open(tu_data("models/bert-tiny"), &t));
    CHECK_OK(attn_report_create("fit", &r));
    if (!m || !t || !r) return;
    char *long_text = repeat("river", 700);
    attn_report_sentence s0 = {.text = "the bank"}, s1 = {.text = long_text};
    CHECK_OK(attn_report_add_sentence(r, &s0, NULL));
    CHECK_OK(attn_report_add_sentence(r, &s1, NULL));
    CHECK_OK(attn_report_add_model(r, "b", NULL, NULL));
    CHECK_OK(attn_report_add_forward(r, 0, 0, m, t));
    CHECK_OK(attn_report_add_forward(r, 1, 0, m, t));
    attn_truncation_info a = attn_report_entry_truncation(r, 0, 0), b = attn_report_entry_truncation(r, 1, 0),
                         none = attn_report_entry_truncation(r, 5, 3);
    CHECK(a.tokens == 0 && b.tokens == 702 && b.kept == 512 && none.tokens == 0);
    free(long_text);
    attn_report_free(r);
    attn_tokenizer_free(t);
    attn_model_free(m);
}

int main(void) {
    attn_tokenizer *bert = NULL;
    attn_config cfg;
    CHECK_OK(attn_tokenizer_open(tu_data("models/bert-tiny"), &bert));
    CHECK_OK(attn_config_read(tu_data("models/bert-tiny"), &cfg));
    if (!bert) return tu_done("tokenizer_fit");
    test_check_model(bert, &cfg);
    test_encode(bert, &cfg);
    test_find_word(bert, &cfg);
    attn_tokenizer_free(bert);
    test_report();

    /* RoBERTa: 514 positions, 512 tokens (positions start after the padding index) */
    attn_tokenizer *rob = NULL;
    attn_config rcfg;
    CHECK_OK(attn_tokenizer_open(tu_data("models/roberta-tiny"), &rob));
    CHECK_OK(attn_config_read(tu_data("models/roberta-tiny"), &rcfg));
    if (rob) {
        CHECK_OK(attn_tokenizer_check_model(rob, &rcfg, "roberta-tiny"));
        char *text = repeat("bank", 600);
        attn_encoding e;
        attn_truncation_info cut;
        CHECK_OK(attn_encode_to_fit(rob, &rcfg, text, strlen(text), NULL, 0, &e, &cut));
        CHECKF(e.n == 512 && cut.kept == 512 && cut.tokens == 602, "roberta: %d -> %d", cut.tokens, e.n);
        attn_encoding_free(&e);
        free(text);
        attn_tokenizer_free(rob);
    }
    return tu_done("tokenizer_fit");
}
