/* test_tokenizer_cases.c — every case of tests/data/tokenizers/<NAME>/cases.jsonl (ids, tokens,
 * offsets, type_ids, masks, word_ids, sequence_ids and the encoding without special tokens) from
 * both file layouts: tokenizer.json, and the legacy vocabulary files alone.
 *   test_tokenizer_cases NAME LEGACY_FILE...                                                  */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "tok_cases.h"

static void run(const char *name, const char *layout, const attn_tokenizer *tok, json_t *cases) {
    int matched = 0, shown = 0, total = (int)json_array_size(cases);
    for (int i = 0; i < total; i++) {
        json_t *c = json_array_get(cases, i);
        char why[512];
        if (tok_case_matches(tok, c, why, sizeof why)) {
            matched++;
        } else if (shown++ < 5) {
            fprintf(stderr, "%s [%s] case %s: %s\n", name, layout, json_string_value(json_object_get(c, "id")), why);
        }
    }
    printf("%s [%s]: %d/%d cases match\n", name, layout, matched, total);
    CHECKF(total > 0 && matched == total, "%s [%s]: %d of %d cases differ from Hugging Face", name, layout, total - matched, total);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_tokenizer_cases NAME LEGACY_FILE...\n");
        return 2;
    }
    const char *name = argv[1];
    char rel[512];
    snprintf(rel, sizeof rel, "tokenizers/%s", name);
    const char *dir = tu_data(rel);
    snprintf(rel, sizeof rel, "tokenizers/%s/cases.jsonl", name);
    json_t *cases = tok_cases_load(tu_data(rel));
    CHECK(cases != NULL);
    if (!cases) return tu_done("tokenizer_cases");

    attn_tokenizer *tok = NULL;
    snprintf(rel, sizeof rel, "tokenizers/%s/tokenizer.json", name);
    if (CHECK_OK(attn_tokenizer_from_file(tu_data(rel), &tok))) run(name, "tokenizer.json", tok, cases);
    attn_tokenizer_free(tok);

    char *legacy = tok_tmpdir_with(dir, (const char *const *)(argv + 2));
    CHECK(legacy != NULL);
    tok = NULL;
    if (legacy && CHECK_OK(attn_tokenizer_open(legacy, &tok))) run(name, "legacy files", tok, cases);
    attn_tokenizer_free(tok);
    tok_tmpdir_remove(legacy);
    json_decref(cases);
    return tu_done("tokenizer_cases");
}
