/* test_words.c — the word-level analyses on small hand-made cases whose answers are worked out by
 * hand: words and their tokens, word-level attention, rollout, focus, finding a word, agreement. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* An encoding of n tokens with the given offsets; specials where offsets are 0,0. */
static attn_encoding hand_encoding(int32_t n, const int32_t *offsets, const uint8_t *special) {
    attn_encoding e = {0};
    e.n = n;
    e.offsets = (int32_t *)offsets;
    e.special_tokens_mask = (uint8_t *)special;
    return e;
}

static void test_words_map(void) {
    /* U+00A0, U+3000, U+0085 and U+001C split words like str.split(); U+200B does not. */
    const char *text = "  Hi\xc2\xa0there\xe3\x80\x80\xc2\x85 friend\xe2\x80\x8b \x1c end";
    /* code points: 0,1 spaces; Hi 2-4; nbsp 4; there 5-10; 10 ideographic, 11 NEL, 12 space;
     * friend+ZWSP 13-20; 20 space; 21 FS; 22 space; end 23-26 */
    const int32_t off[] = {0, 0, 2, 4, 5, 10, 13, 16, 16, 19, 19, 20, 0, 0};
    const uint8_t sp[] = {1, 0, 0, 0, 0, 0, 1};
    attn_encoding e = hand_encoding(7, off, sp);
    attn_words w;
    if (!CHECK_OK(attn_words_map(text, &e, &w))) return;
    CHECK(w.n == 4);
    if (w.n == 4) {
        CHECK(strcmp(w.words[0], "Hi") == 0 && strcmp(w.words[1], "there") == 0);
        CHECK(strcmp(w.words[2], "friend\xe2\x80\x8b") == 0 && strcmp(w.words[3], "end") == 0);
        CHECK(w.spans[0] == 2 && w.spans[1] == 4 && w.spans[4] == 13 && w.spans[5] == 20 && w.spans[6] == 23 && w.spans[7] == 26);
        CHECK(w.pieces[0] == 1 && w.pieces[1] == 1 && w.pieces[2] == 3 && w.pieces[3] == 0);
    }
    const int32_t want_tw[] = {-1, 0, 1, 2, 2, 2, -1};
    CHECK(w.n_tokens == 7 && memcmp(w.token_word, want_tw, sizeof want_tw) == 0);
    attn_words_free(&w);
    attn_words_free(&w); /* idempotent */
    CHECK_OK(attn_words_map("", NULL, &w));
    CHECK(w.n == 0 && w.token_word == NULL);
    attn_words_free(&w);
    CHECK(attn_words_map("bad \xff", NULL, &w) == ATTN_E_INVALID);
    CHECK(strstr(attn_last_error(), "text: not valid UTF-8 (byte 4)") != NULL);
}

/* T = 4 tokens: [S] a1 a2 b; words a = {a1, a2}, b = {b}. One layer, two heads. */
static const float hand_attn[2][4][4] = {
    {{0.25f, 0.25f, 0.25f, 0.25f}, {0.4f, 0.1f, 0.2f, 0.3f}, {0.2f, 0.2f, 0.2f, 0.4f}, {0.5f, 0.1f, 0.1f, 0.3f}},
    {{0.25f, 0.25f, 0.25f, 0.25f}, {0.1f, 0.6f, 0.2f, 0.1f}, {0.1f, 0.3f, 0.3f, 0.3f}, {0.1f, 0.1f, 0.1f, 0.7f}},
};

static void test_word_attention(void) {
    const char *text = "aa b";
    const int32_t off[] = {0, 0, 0, 1, 1, 2, 3, 4};
    const uint8_t sp[] = {1, 0, 0, 0};
    attn_encoding e = hand_encoding(4, off, sp);
    attn_words w;
    if (!CHECK_OK(attn_words_map(text, &e, &w))) return;
    attn_output o = {.len = 4, .layers = 1, .heads = 2, .hidden = 0, .attentions = (float *)hand_attn};
    float got[4];
    /* head 0: a → (0.3+0.4)/2 to a and to b → ½, ½; b → 0.2 : 0.3 */
    const float h0[4] = {0.5f, 0.5f, 0.4f, 0.6f};
    CHECK_OK(attn_word_attention(&o, &w, 0, 0, got));
    tu_check_close("word attention head 0", got, h0, 4, 1e-6f, 0);
    const float h1[4] = {7.f / 9, 2.f / 9, 2.f / 9, 7.f / 9};
    CHECK_OK(attn_word_attention(&o, &w, 0, 1, got));
    tu_check_close("word attention head 1", got, h1, 4, 1e-6f, 0);
    /* the mean over heads is taken on tokens, before the words: a → 0.525 : 0.275, b → 0.2 : 0.5 */
    const float hm[4] = {0.65625f, 0.34375f, 2.f / 7, 5.f / 7};
    CHECK_OK(attn_word_attention(&o, &w, 0, -1, got));
    tu_check_close("word attention mean", got, hm, 4, 1e-6f, 0);
    CHECK(attn_word_attention(&o, &w, 1, -1, got) == ATTN_E_INVALID);
    CHECK(attn_word_attention(&o, &w, 0, 2, got) == ATTN_E_INVALID);
    CHECK(strstr(attn_last_error(), "head 2 does not exist") != NULL);

    /* focus on word a (tokens 1, 2) */
    const int32_t a[] = {1, 2};
    const float fm[4] = {0.2f, 0.3f, 0.225f, 0.275f}, fh1[4] = {0.1f, 0.45f, 0.25f, 0.2f};
    float rows[8];
    CHECK_OK(attn_focus(&o, a, 2, ATTN_FOCUS_LAYERS, 0, rows));
    tu_check_close("focus layers", rows, fm, 4, 1e-6f, 0);
    CHECK_OK(attn_focus(&o, a, 2, ATTN_FOCUS_HEADS, 0, rows));
    tu_check_close("focus head 1", rows + 4, fh1, 4, 1e-6f, 0);
    const int32_t bad[] = {4};
    CHECK(attn_focus(&o, bad, 1, ATTN_FOCUS_LAYERS, 0, rows) == ATTN_E_INVALID);
    CHECK(attn_focus(&o, a, 2, ATTN_FOCUS_HEADS, 3, rows) == ATTN_E_INVALID);
    attn_words_free(&w);
}

static void test_rollout(void) {
    /* A0 = [[1,0],[.5,.5]] → A'0 = [[1,0],[.25,.75]]; A1 = [[0,1],[1,0]] → A'1 = all ½;
     * rolled1 = A'1 · A'0 = [[.625,.375],[.625,.375]] */
    const float att[2][1][2][2] = {{{{1, 0}, {0.5f, 0.5f}}}, {{{0, 1}, {1, 0}}}};
    attn_output o = {.len = 2, .layers = 2, .heads = 1, .attentions = (float *)att};
    float got[8];
    const float want[8] = {1, 0, 0.25f, 0.75f, 0.625f, 0.375f, 0.625f, 0.375f};
    CHECK_OK(attn_rollout(&o, got));
    tu_check_close("rollout", got, want, 8, 1e-6f, 0);
    const int32_t tok[] = {1};
    const float fr[4] = {0.25f, 0.75f, 0.625f, 0.375f};
    CHECK_OK(attn_focus(&o, tok, 1, ATTN_FOCUS_ROLLOUT, 0, got));
    tu_check_close("focus rollout", got, fr, 4, 1e-6f, 0);
    attn_output none = {.len = 2, .layers = 2, .heads = 1};
    CHECK(attn_rollout(&none, got) == ATTN_E_INVALID);
}

static void test_find_word(void) {
    attn_tokenizer *t;
    if (!CHECK_OK(attn_tokenizer_open(tu_data("models/bert-tiny"), &t))) return;
    const char *text = "Banking: the BANK's bank-side, riverbank bank";
    attn_encoding e;
    if (!CHECK_OK(attn_tokenizer_encode(t, text, NULL, NULL, &e))) return;
    int32_t *p, n;
    const char *want[] = {"BANK", "bank-side", "bank"};
    const int32_t want_start[] = {13, 20, 41};
    for (int occ = 1; occ <= 3; occ++) {
        if (!CHECK_OK(attn_find_word(text, &e, "bank", occ, &p, &n))) continue;
        CHECKF(n == 1 && e.offsets[2 * p[0]] == want_start[occ - 1], "occurrence %d (%s): %d tokens from %d", occ,
               want[occ - 1], n, n ? e.offsets[2 * p[0]] : -1);
        free(p);
    }
    CHECK(attn_find_word(text, &e, "bank", 4, &p, &n) == ATTN_E_INVALID && p == NULL && n == 0);
    CHECK(strstr(attn_last_error(), "occurs 3 times") && strstr(attn_last_error(), "no occurrence 4"));
    CHECK(attn_find_word(text, &e, "bankin", 1, &p, &n) == ATTN_E_INVALID);
    CHECK(strstr(attn_last_error(), "does not occur") != NULL);
    CHECK(attn_find_word(text, &e, "", 1, &p, &n) == ATTN_E_INVALID);
    CHECK(attn_find_word(text, &e, "bank", 0, &p, &n) == ATTN_E_INVALID);
    /* several words and several pieces: every overlapping token */
    if (CHECK_OK(attn_find_word(text, &e, "Riverbank BANK", 1, &p, &n))) {
        CHECK(n >= 2 && strcmp(e.tokens[p[n - 1]], "bank") == 0 && e.offsets[2 * p[0]] == 31);
        free(p);
    }
    CHECK(attn_find_word(text, &e, "bank\xff", 1, &p, &n) == ATTN_E_INVALID);
    CHECK(strstr(attn_last_error(), "word: not valid UTF-8 (byte 4)") != NULL);
    attn_encoding_free(&e);
    /* the BERT normalizer deletes U+200B: the word is in the text but has no token */
    const char *zw = "a \xe2\x80\x8b b";
    if (CHECK_OK(attn_tokenizer_encode(t, zw, NULL, NULL, &e))) {
        CHECK(attn_find_word(zw, &e, "\xe2\x80\x8b", 1, &p, &n) == ATTN_E_INVALID && p == NULL);
        CHECK(strstr(attn_last_error(), "has no token") != NULL);
        attn_encoding_free(&e);
    }
    attn_tokenizer_free(t);
}

static void test_agreement(void) {
    attn_agreement *a, *b;
    const int32_t layers[2] = {1, 2};
    if (!CHECK_OK(attn_agreement_create(2, layers, &a)) || !CHECK_OK(attn_agreement_create(2, layers, &b))) return;
    /* sentence 1, two words: identical at layer 0 (distance 0 over 2 rows); model B layer 1 has
     * row 0 the opposite one-hot and row 1 empty (distance √ln2 over 1 row) */
    const float m0[4] = {1, 0, 0, 1}, m1[8] = {1, 0, 0, 1, 0, 1, 0, 0};
    const float *s1[2] = {m0, m1};
    CHECK_OK(attn_agreement_add_sentence(a, 2, s1));
    /* sentence 2, one word: B's layer 1 has no row: not counted there */
    const float n0[1] = {1}, n1[2] = {1, 0};
    const float *s2[2] = {n0, n1};
    CHECK_OK(attn_agreement_add_sentence(b, 1, s2));
    CHECK_OK(attn_agreement_merge(a, b));
    double r = sqrt(log(2.0));
    CHECK(attn_agreement_count(a, 0, 0, 1, 0) == 2 && attn_agreement_mean(a, 0, 0, 1, 0) == 0.0);
    CHECK(attn_agreement_count(a, 0, 0, 1, 1) == 1 && fabs(attn_agreement_mean(a, 0, 0, 1, 1) - r) < 1e-12);
    CHECK(attn_agreement_mean(a, 1, 1, 0, 0) == attn_agreement_mean(a, 0, 0, 1, 1)); /* either order */
    CHECK(isnan(attn_agreement_mean(a, 0, 1, 1, 0)) && isnan(attn_agreement_mean(a, 0, 0, 0, 0)));
    CHECK(attn_agreement_models(a) == 2 && attn_agreement_layers(a, 1) == 2 && attn_agreement_layers(a, 2) == 0);
    int32_t rows;
    CHECK(fabs(attn_word_rows_js(m0, m1 + 4, 2, &rows) - r) < 1e-12 && rows == 1);

    char dir[] = "/tmp/test_words.XXXXXX";
    if (CHECK(mkdtemp(dir) != NULL)) {
        char csv[64], json[64];
        snprintf(csv, sizeof csv, "%s/a.csv", dir);
        snprintf(json, sizeof json, "%s/a.json", dir);
        const char *labels[2] = {"A", "B,x"};
        CHECK_OK(attn_agreement_write_csv(a, labels, csv));
        CHECK_OK(attn_agreement_write_json(a, labels, json));
        char want[256], got[256] = "";
        snprintf(want, sizeof want, "Model_A,Layer_A,Model_B,Layer_B,JS_Distance,Sentences\nA,0,\"B,x\",0,0,2\nA,0,\"B,x\",1,%.17g,1\n", r);
        FILE *f = fopen(csv, "rb");
        if (f) got[fread(got, 1, sizeof got - 1, f)] = '\0', fclose(f);
        CHECKF(strcmp(got, want) == 0, "csv:\n%s\nwanted:\n%s", got, want);
        f = fopen(json, "rb");
        got[0] = '\0';
        if (f) got[fread(got, 1, sizeof got - 1, f)] = '\0', fclose(f);
        CHECK(strstr(got, "\"Model_B\": \"B,x\"") && strstr(got, "\"Sentences\": 2"));
        remove(csv), remove(json), rmdir(dir);
    }
    attn_agreement *c;
    const int32_t other[2] = {1, 3};
    if (CHECK_OK(attn_agreement_create(2, other, &c))) {
        CHECK(attn_agreement_merge(a, c) == ATTN_E_INVALID);
        attn_agreement_free(c);
    }
    CHECK(attn_agreement_create(1, other, &c) == ATTN_E_INVALID && c == NULL);
    attn_agreement_free(a), attn_agreement_free(b);
    attn_agreement_free(NULL);
}

static void test_similarity_errors(void) {
    attn_model *m;
    attn_tokenizer *t;
    if (!CHECK_OK(attn_model_open(tu_data("models/distilbert-tiny"), &m))) return;
    if (!CHECK_OK(attn_tokenizer_open(tu_data("models/distilbert-tiny"), &t))) return;
    const char *s[2] = {"The bank of the river was calm.", "She went to the bank to deposit money."};
    attn_similarity r;
    CHECK(attn_similarity_compute(m, t, "river", s, NULL, &r) == ATTN_E_INVALID && r.cosine == NULL);
    CHECK(strstr(attn_last_error(), "\"river\" does not occur in \"She went") != NULL);
    const int occ[2] = {1, 1};
    if (CHECK_OK(attn_similarity_compute(m, t, "BANK", s, occ, &r))) {
        CHECK(r.n_states == 3 && r.n_pieces[0] == 1 && r.pieces[0][0] == 2 && r.pieces[1][0] == 5);
        CHECK(fabs(r.cosine[0] - 0.6736000994922512) < 1e-4); /* the seed notebook's value */
        attn_similarity_free(&r);
    }
    attn_tokenizer_free(t);
    attn_model_free(m);
}

int main(void) {
    test_words_map();
    test_word_attention();
    test_rollout();
    test_find_word();
    test_agreement();
    test_similarity_errors();
    return tu_done("words_unit");
}
