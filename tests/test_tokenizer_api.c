/* test_tokenizer_api.c — the tokenizer API beyond the reference cases: the model fixtures'
 * inputs (both layouts), truncation, batch padding, decode, lookups and the errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tok_cases.h"

static attn_tokenizer *open_dir(const char *rel) {
    attn_tokenizer *t = NULL;
    CHECK_OK(attn_tokenizer_open(tu_data(rel), &t));
    return t;
}

/* inputs.jsonl of a model fixture: ids, tokens (and type_ids where given) of every line. */
static void check_fixture(const char *model) {
    char rel[256];
    snprintf(rel, sizeof rel, "models/%s", model);
    attn_tokenizer *t = open_dir(rel);
    snprintf(rel, sizeof rel, "models/%s/inputs.jsonl", model);
    json_t *cases = tok_cases_load(tu_data(rel));
    if (!t || !CHECK(cases != NULL)) {
        attn_tokenizer_free(t);
        return;
    }
    int bad = 0;
    for (size_t i = 0; i < json_array_size(cases); i++) {
        json_t *c = json_array_get(cases, i), *text = json_object_get(c, "text"), *pair = json_object_get(c, "text_pair");
        attn_encoding e;
        if (!CHECK_OK(attn_tokenizer_encode_n(t, json_string_value(text), json_string_length(text),
                                              json_is_string(pair) ? json_string_value(pair) : NULL,
                                              json_is_string(pair) ? json_string_length(pair) : 0, NULL, &e)))
            continue;
        json_t *ids = json_object_get(c, "ids"), *toks = json_object_get(c, "tokens"), *tt = json_object_get(c, "type_ids");
        int ok = (size_t)e.n == json_array_size(ids);
        for (int k = 0; ok && k < e.n; k++) {
            ok = e.ids[k] == json_integer_value(json_array_get(ids, k));
            if (ok && toks) ok = strcmp(e.tokens[k], json_string_value(json_array_get(toks, k))) == 0;
            if (ok && json_is_array(tt)) ok = e.type_ids[k] == json_integer_value(json_array_get(tt, k));
        }
        if (!ok && bad++ < 3) fprintf(stderr, "%s line %zu differs\n", model, i + 1);
        attn_encoding_free(&e);
    }
    CHECKF(bad == 0, "%s: %d of %zu inputs.jsonl lines differ", model, bad, json_array_size(cases));
    json_decref(cases);
    attn_tokenizer_free(t);
}

static void test_truncation(const attn_tokenizer *t) {
    const char *a = "one two three four five six seven eight nine ten", *b = "alpha beta gamma delta";
    attn_encoding full_a, full_b, e;
    attn_encode_options o;
    attn_encode_options_init(&o);
    o.add_special_tokens = 0;
    CHECK_OK(attn_tokenizer_encode(t, a, NULL, &o, &full_a));
    CHECK_OK(attn_tokenizer_encode(t, b, NULL, &o, &full_b));
    CHECK(full_a.n == 10 && full_b.n == 4);

    /* longest_first, budget 11 - 3 specials = 8: the short side keeps 4, the long side 4 */
    attn_encode_options_init(&o);
    o.max_length = 11;
    CHECK_OK(attn_tokenizer_encode(t, a, b, &o, &e));
    CHECK(e.n == 11);
    CHECK(e.ids[0] == 101 && e.ids[5] == 102 && e.ids[10] == 102);
    for (int k = 0; k < 4 && e.n == 11; k++) CHECK(e.ids[1 + k] == full_a.ids[k] && e.ids[6 + k] == full_b.ids[k]);
    attn_encoding_free(&e);

    /* budget 5: both over half of it → the longer sequence keeps 3, the shorter 2 */
    o.max_length = 8;
    CHECK_OK(attn_tokenizer_encode(t, a, b, &o, &e));
    CHECK(e.n == 8 && e.ids[3] == full_a.ids[2] && e.ids[4] == 102 && e.sequence_ids[5] == 1 && e.ids[5] == full_b.ids[0]);
    attn_encoding_free(&e);

    o.max_length = 9, o.truncation = ATTN_TRUNC_ONLY_FIRST;
    CHECK_OK(attn_tokenizer_encode(t, a, b, &o, &e));
    CHECK(e.n == 9 && e.ids[3] == 102 && e.ids[4] == full_b.ids[0]);
    attn_encoding_free(&e);

    o.truncation = ATTN_TRUNC_ONLY_SECOND;
    CHECK(attn_tokenizer_encode(t, a, b, &o, &e) == ATTN_E_INVALID); /* b is too short to lose 8 */
    CHECK(attn_tokenizer_encode(t, a, NULL, &o, &e) == ATTN_E_INVALID);

    o.truncation = ATTN_TRUNC_LONGEST_FIRST, o.max_length = 5;
    CHECK_OK(attn_tokenizer_encode(t, a, NULL, &o, &e));
    CHECK(e.n == 5 && e.ids[0] == 101 && e.ids[4] == 102 && e.ids[3] == full_a.ids[2]);
    attn_encoding_free(&e);
    o.max_length = 1;
    CHECK(attn_tokenizer_encode(t, a, NULL, &o, &e) == ATTN_E_INVALID);
    o.add_special_tokens = 0, o.max_length = 3;
    CHECK_OK(attn_tokenizer_encode(t, a, NULL, &o, &e));
    CHECK(e.n == 3 && e.ids[2] == full_a.ids[2]);
    attn_encoding_free(&e);
    attn_encoding_free(&full_a), attn_encoding_free(&full_b);
}

static void test_batch(const attn_tokenizer *t, int32_t pad_id) {
    const char *texts[] = {"short", "a somewhat longer text here", ""};
    const char *pairs[] = {NULL, "with a pair", NULL};
    attn_encoding e[3];
    CHECK_OK(attn_tokenizer_encode_batch(t, texts, pairs, 3, NULL, e));
    int n = e[1].n;
    for (int i = 0; i < 3; i++) {
        attn_encoding one;
        CHECK_OK(attn_tokenizer_encode(t, texts[i], pairs[i], NULL, &one));
        CHECKF(e[i].n == n, "batch item %d has %d tokens, want %d", i, e[i].n, n);
        for (int k = 0; k < n && e[i].n == n; k++) {
            if (k < one.n) {
                CHECK(e[i].ids[k] == one.ids[k] && e[i].attention_mask[k] == 1 && strcmp(e[i].tokens[k], one.tokens[k]) == 0);
            } else {
                CHECK(e[i].ids[k] == pad_id && e[i].attention_mask[k] == 0 && e[i].special_tokens_mask[k] == 1);
                CHECK(e[i].word_ids[k] == -1 && e[i].sequence_ids[k] == -1 && e[i].offsets[2 * k + 1] == 0);
            }
        }
        attn_encoding_free(&one);
        attn_encoding_free(&e[i]);
    }
}

static void check_decode(const attn_tokenizer *t, const char *text, int skip, const char *want) {
    attn_encoding e;
    char *s = NULL;
    if (!CHECK_OK(attn_tokenizer_encode(t, text, NULL, NULL, &e))) return;
    if (CHECK_OK(attn_tokenizer_decode(t, e.ids, e.n, skip, &s)))
        CHECKF(strcmp(s, want) == 0, "decode(%s) = \"%s\", want \"%s\"", text, s, want);
    free(s);
    attn_encoding_free(&e);
}

static void test_errors(const attn_tokenizer *t) {
    attn_encoding e;
    CHECK(attn_tokenizer_encode_n(t, "abc\xff", 4, NULL, 0, NULL, &e) == ATTN_E_INVALID);
    CHECKF(strstr(attn_last_error(), "byte offset 3") != NULL, "message: %s", attn_last_error());
    CHECK(attn_tokenizer_encode(t, "ok", "x\xc3(", NULL, &e) == ATTN_E_INVALID);
    CHECKF(strstr(attn_last_error(), "text_pair") && strstr(attn_last_error(), "byte offset 1"), "message: %s", attn_last_error());
    /* NUL bytes are text like any other (the BERT normalizer drops them) */
    CHECK_OK(attn_tokenizer_encode_n(t, "a\0b", 3, NULL, 0, NULL, &e));
    CHECK(e.n == 3 && strcmp(e.tokens[1], "ab") == 0 && e.offsets[3] == 3);
    attn_encoding_free(&e);

    static const struct { const char *json, *name; } bad[] = {
        {"{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0},\"unk_token\":\"[UNK]\"},\"normalizer\":{\"type\":\"Precompiled\"}}", "Precompiled"},
        {"{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0},\"unk_token\":\"[UNK]\"},\"pre_tokenizer\":{\"type\":\"Metaspace\"}}", "Metaspace"},
        {"{\"model\":{\"type\":\"Unigram\",\"vocab\":[]}}", "Unigram"},
        {"{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0},\"unk_token\":\"[UNK]\"},\"decoder\":{\"type\":\"CTC\"}}", "CTC"},
        {"{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0},\"unk_token\":\"[UNK]\"},\"post_processor\":{\"type\":\"Mystery\"}}", "Mystery"},
        {"{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]},\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\d+\"},\"behavior\":\"Isolated\"}}", "Regex"},
    };
    char path[] = "/tmp/attn-tokjson-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(bad[i].json, f);
        fclose(f);
        attn_tokenizer *x = NULL;
        CHECKF(attn_tokenizer_from_file(path, &x) == ATTN_E_UNSUPPORTED, "%s: not reported as unsupported", bad[i].name);
        CHECKF(strstr(attn_last_error(), bad[i].name) != NULL, "message does not name %s: %s", bad[i].name, attn_last_error());
        CHECK(x == NULL);
    }
    FILE *f = fopen(path, "w");
    fputs("{\"model\": [", f);
    fclose(f);
    attn_tokenizer *x = NULL;
    CHECK(attn_tokenizer_from_file(path, &x) == ATTN_E_FORMAT);
    unlink(path);
    CHECK(attn_tokenizer_open(tu_data("models/no-such-model"), &x) == ATTN_E_NOT_FOUND);
}

int main(void) {
    static const char *const fixtures[] = {"bert-tiny", "bert-tiny-bin", "bert-tiny-plain-f16", "bert-tiny-posids",
                                           "distilbert-tiny", "distilbert-tiny-sharded", "roberta-tiny", "roberta-tiny-bf16"};
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) check_fixture(fixtures[i]);

    attn_tokenizer *bert = NULL, *roberta = NULL;
    CHECK_OK(attn_tokenizer_from_file(tu_data("tokenizers/bert-base-uncased/tokenizer.json"), &bert));
    CHECK_OK(attn_tokenizer_from_file(tu_data("tokenizers/roberta-style/tokenizer.json"), &roberta));
    if (!bert || !roberta) return tu_done("tokenizer_api");

    test_truncation(bert);
    test_batch(bert, 0);
    test_batch(roberta, 1);
    test_errors(bert);

    /* the WordPiece cleanup works token by token, so " ' " between tokens stays (as in Hugging Face) */
    check_decode(bert, "Hello, World! I don't know.", 1, "hello, world! i don ' t know.");
    check_decode(bert, "Hello", 0, "[CLS] hello [SEP]");
    check_decode(roberta, "Hello, World! Ünïcödé 👍 <mask>.", 1, "Hello, World! Ünïcödé 👍.");
    check_decode(roberta, "Hello, World! Ünïcödé 👍 <mask>.", 0, "<s>Hello, World! Ünïcödé 👍<mask>.</s>");

    CHECK(attn_tokenizer_vocab_size(bert) == 30522 && attn_tokenizer_vocab_size(roberta) == 50262);
    CHECK(attn_tokenizer_token_to_id(bert, "[CLS]") == 101 && attn_tokenizer_token_to_id(bert, "hello") == 7592);
    CHECK(attn_tokenizer_token_to_id(bert, "no-such-token") == -1);
    CHECK(strcmp(attn_tokenizer_id_to_token(roberta, 50261), "<mask>") == 0);
    CHECK(attn_tokenizer_id_to_token(bert, 30522) == NULL && attn_tokenizer_id_to_token(bert, -1) == NULL);
    attn_tokenizer_free(bert);
    attn_tokenizer_free(roberta);
    attn_tokenizer_free(NULL);
    return tu_done("tokenizer_api");
}
