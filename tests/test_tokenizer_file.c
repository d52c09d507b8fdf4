/* test_tokenizer_file.c — checks any cases file in the cases.jsonl format against a tokenizer
 * (a tokenizer.json file or a model folder); used by the differential test with generated texts.
 *   test_tokenizer_file TOKENIZER CASES.jsonl                                                  */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "tok_cases.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_tokenizer_file TOKENIZER CASES.jsonl\n");
        return 2;
    }
    struct stat st;
    attn_tokenizer *tok = NULL;
    int is_dir = stat(argv[1], &st) == 0 && S_ISDIR(st.st_mode);
    if (!CHECK_OK(is_dir ? attn_tokenizer_open(argv[1], &tok) : attn_tokenizer_from_file(argv[1], &tok))) return tu_done("tokenizer_file");
    json_t *cases = tok_cases_load(argv[2]);
    CHECK(cases && json_array_size(cases) > 0);
    int matched = 0, shown = 0, total = cases ? (int)json_array_size(cases) : 0;
    for (int i = 0; i < total; i++) {
        char why[512];
        json_t *c = json_array_get(cases, i);
        if (tok_case_matches(tok, c, why, sizeof why)) matched++;
        else if (shown++ < 10) {
            char *text = json_dumps(json_object_get(c, "text"), JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
            fprintf(stderr, "line %d %.200s: %s\n", i + 1, text ? text : "?", why);
            free(text);
        }
    }
    printf("%s: %d/%d cases match\n", argv[2], matched, total);
    CHECKF(matched == total, "%d of %d cases differ", total - matched, total);
    json_decref(cases);
    attn_tokenizer_free(tok);
    return tu_done("tokenizer_file");
}
