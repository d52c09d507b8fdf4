/* test_report.c — the report writer's API: content checks, escaping, atomic output. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "testutil.h"

static char *slurp(const char *path) {
    char *d = NULL;
    size_t n;
    return attn_read_file(path, &d, &n) == ATTN_OK ? d : NULL;
}

static void test_validation(void) {
    attn_report *r;
    CHECK(attn_report_create("t", &r) == ATTN_OK);
    attn_report_sentence s = {.text = "a b", .domain = "World"};
    int si = -1, mi = -1;
    CHECK(attn_report_add_sentence(r, &s, &si) == ATTN_OK && si == 0);
    CHECK(attn_report_add_model(r, "M", NULL, &mi) == ATTN_OK && mi == 0);
    CHECK(attn_report_add_model(r, "M", NULL, NULL) == ATTN_E_INVALID);
    const char *tok[2] = {"a", "b"};
    float a[4] = {0.25f, 0.75f, 1.0f, 0.0f};
    attn_report_attention at = {.n_tokens = 2, .tokens = tok, .layers = 1, .heads = 1, .attentions = a};
    CHECK(attn_report_add_attention(r, 1, 0, &at) == ATTN_E_INVALID); /* no sentence 1 */
    CHECK(attn_report_add_attention(r, 0, 3, &at) == ATTN_E_INVALID); /* no model 3 */
    a[1] = 1.5f;
    CHECK(attn_report_add_attention(r, 0, 0, &at) == ATTN_E_INVALID && strstr(attn_last_error(), "not a probability"));
    a[1] = 0.0f / 0.0f;
    CHECK(attn_report_add_attention(r, 0, 0, &at) == ATTN_E_INVALID);
    a[1] = 0.75f;
    const char *badtok[2] = {"a", "\xff"};
    at.tokens = badtok;
    CHECK(attn_report_add_attention(r, 0, 0, &at) == ATTN_E_INVALID && strstr(attn_last_error(), "UTF-8"));
    at.tokens = tok;
    CHECK(attn_report_add_attention(r, 0, 0, &at) == ATTN_OK);
    CHECK(attn_report_add_attention(r, 0, 0, &at) == ATTN_E_INVALID); /* twice */
    CHECK(attn_report_add_table(r, "x", "[{\"a\": 1}, {\"a\": [1]}]", NULL) == ATTN_E_FORMAT);
    CHECK(attn_report_add_table(r, "x", "{\"columns\": [\"a\", \"b\"], \"rows\": [[1]]}", NULL) == ATTN_E_FORMAT);
    CHECK(attn_report_add_table(r, "x", "not json", NULL) == ATTN_E_FORMAT && strstr(attn_last_error(), "bad JSON"));
    CHECK(attn_report_add_table(r, "x", "[{\"sentence\": 0, \"v\": 0.5}, {\"w\": \"z\"}]", "sentence") == ATTN_OK);
    CHECK(attn_report_add_svg(r, "c", "no svg here") == ATTN_E_INVALID);
    CHECK(attn_report_set_scale(r, 255) == ATTN_E_INVALID);
    CHECK(attn_report_check_output("/nonexistent-folder/x.html") == ATTN_E_IO);
    CHECK(attn_report_check_output("") == ATTN_E_INVALID);
    attn_report_free(r);
}

/* The written page: escaped text, quantized values, table normalized to columns/rows. */
static void test_written(const char *dir) {
    attn_report *r;
    CHECK(attn_report_create("<b>title</b>", &r) == ATTN_OK);
    attn_report_sentence s = {.text = "x</script><script>alert(1)</script>\xe2\x80\xa8", .id = "&id"};
    CHECK(attn_report_add_sentence(r, &s, NULL) == ATTN_OK);
    CHECK(attn_report_add_model(r, "\"><img src=x onerror=alert(1)>", NULL, NULL) == ATTN_OK);
    const char *tok[2] = {"<s>", "</s>"};
    float a[4] = {0.1234f, 0.8766f, 1.0f, 0.0f};
    attn_report_attention at = {.n_tokens = 2, .tokens = tok, .layers = 1, .heads = 1, .attentions = a};
    CHECK(attn_report_add_attention(r, 0, 0, &at) == ATTN_OK);
    CHECK(attn_report_add_table(r, "t", "[{\"sentence\": 0, \"v\": 0.5}, {\"w\": \"<z>\"}]", "sentence") == ATTN_OK);
    char *path = attn_path_join(dir, "r.html");
    CHECK(attn_report_write(r, path) == ATTN_OK);
    char *html = slurp(path);
    CHECK(html != NULL);
    if (html) {
        CHECK(strstr(html, "<title>&lt;b&gt;title&lt;/b&gt;</title>") != NULL);
        CHECK(strstr(html, "alert(1)</script>") == NULL);
        CHECK(strstr(html, "<img") == NULL);
        CHECK(strstr(html, "\xe2\x80\xa8") == NULL);
        CHECK(strstr(html, "x\\u003c/script\\u003e") != NULL);
        CHECK(strstr(html, "\"\\u0026id\"") != NULL);
        CHECK(strstr(html, "\"columns\":[\"sentence\",\"v\",\"w\"],\"rows\":[[0,0.5,null],[null,null,\"\\u003cz\\u003e\"]]") != NULL);
        CHECK(strstr(html, "\"shape\":[1,1,2,2]") != NULL && strstr(html, "\"scale\":65535") != NULL);
        CHECK(strstr(html, "default-src 'none'; script-src 'sha256-") != NULL);
    }
    free(html);
    free(path);
    attn_report_free(r);
}

/* attn_token_labels through roberta-tiny (byte-level BPE): an emoji and CJK characters split over
 * byte pieces show the character on the first piece and the continuation mark on the rest; the
 * labels, marks left out, spell exactly what the tokenizer decodes for the whole sentence. */
static void test_token_labels(void) {
    const char *data = getenv("ATTN_TEST_DATA");
    char *dir = data ? attn_path_join(data, "models/roberta-tiny") : NULL;
    attn_tokenizer *t = NULL;
    CHECK(dir && attn_tokenizer_open(dir, &t) == ATTN_OK);
    free(dir);
    if (!t) return;
    const char *text = "I love \xf0\x9f\xa4\x97 and \xe6\x9d\xb1\xe4\xba\xac caf\xc3\xa9 <b>x</b>";
    attn_encoding e;
    CHECK(attn_tokenizer_encode(t, text, NULL, NULL, &e) == ATTN_OK);
    char **l = NULL;
    CHECK(attn_token_labels(t, e.ids, e.special_tokens_mask, e.n, &l) == ATTN_OK);
    static const char *const want[] = {"<s>", "I", " love", " \xf0\x9f\xa4\x97", ATTN_TOKEN_CONTINUATION,
                                       ATTN_TOKEN_CONTINUATION, " and", " \xe6\x9d\xb1", ATTN_TOKEN_CONTINUATION,
                                       ATTN_TOKEN_CONTINUATION, "\xe4\xba\xac", ATTN_TOKEN_CONTINUATION};
    int n_want = (int)(sizeof want / sizeof want[0]);
    CHECK(l && e.n > n_want);
    for (int i = 0; l && i < n_want && i < e.n; i++)
        CHECKF(strcmp(l[i], want[i]) == 0, "token %d: label '%s', want '%s'", i, l[i], want[i]);
    /* the labels spell the decoded text: the first text's tokens, continuation marks left out */
    attn_strbuf sb = {0};
    attn_sb_append(&sb, "", 0);
    int32_t *ids = calloc((size_t)e.n, sizeof *ids), k = 0;
    for (int i = 0; l && ids && i < e.n; i++)
        if (!e.special_tokens_mask[i]) {
            ids[k++] = e.ids[i];
            if (strcmp(l[i], ATTN_TOKEN_CONTINUATION) != 0) attn_sb_puts(&sb, l[i]);
        }
    char *whole = NULL, *spelled = attn_sb_take(&sb);
    CHECK(ids && attn_tokenizer_decode(t, ids, k, 1, &whole) == ATTN_OK);
    CHECK(whole && spelled && strcmp(whole, spelled) == 0 && strstr(whole, "\xef\xbf\xbd") == NULL);
    /* a lone continuation byte never decodes whole: its raw token */
    int32_t lone = e.ids[4];
    char **r = NULL;
    CHECK(attn_token_labels(t, &lone, NULL, 1, &r) == ATTN_OK && r && strcmp(r[0], attn_tokenizer_id_to_token(t, lone)) == 0);
    attn_token_labels_free(r, 1);
    free(whole), free(spelled), free(ids);
    attn_token_labels_free(l, e.n);
    attn_encoding_free(&e);
    attn_tokenizer_free(t);
}

int main(void) {
    char dir[] = "/tmp/attn-report-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    test_validation();
    test_written(dir);
    test_token_labels();
    char *p = attn_path_join(dir, "r.html");
    remove(p);
    free(p);
    rmdir(dir);
    return tu_done("report");
}
