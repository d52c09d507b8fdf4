/* test_hub_names.c — validation of repo ids, revisions, file names and etags; cache paths from
 * the environment; where the token may go; URL quoting. */
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "testutil.h"

int main(void) {
    static const char *const good_ids[] = {"bert-base-uncased", "FacebookAI/roberta-base", "a/b", "x_y.z/w-1"};
    static const char *const bad_ids[] = {"", "../x", "a/../b", "a/b/c", "/abs", "a--b", "a..b", "-a", "a.", ".a/b",
                                          "a/b/", "a b", "a\\b", "a/.b"};
    for (size_t i = 0; i < sizeof good_ids / sizeof *good_ids; i++) CHECKF(hub_valid_repo_id(good_ids[i]), "id %s", good_ids[i]);
    for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++) CHECKF(!hub_valid_repo_id(bad_ids[i]), "bad id %s", bad_ids[i]);

    CHECK(hub_valid_revision("main") && hub_valid_revision("refs/pr/1") && hub_valid_revision("v1.0"));
    CHECK(!hub_valid_revision("") && !hub_valid_revision("..") && !hub_valid_revision("../x") &&
          !hub_valid_revision("a/../../b") && !hub_valid_revision("/abs") && !hub_valid_revision("a//b") &&
          !hub_valid_revision("a/") && !hub_valid_revision("a b"));
    CHECK(hub_valid_filename("config.json") && hub_valid_filename("onnx/model.onnx") && hub_valid_filename("a b.txt"));
    CHECK(!hub_valid_filename("../x") && !hub_valid_filename("/etc/passwd") && !hub_valid_filename("a/../../x") &&
          !hub_valid_filename("a\\..\\x") && !hub_valid_filename("./x") && !hub_valid_filename("a\nb"));
    CHECK(hub_is_commit_hash("0123456789abcdef0123456789abcdef01234567"));
    CHECK(!hub_is_commit_hash("main") && !hub_is_commit_hash("0123456789ABCDEF0123456789abcdef01234567"));
    CHECK(hub_valid_etag("0123abcd") && !hub_valid_etag("../x") && !hub_valid_etag("a/b") && !hub_valid_etag(".."));

    /* cache folder: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub */
    setenv("HOME", "/home/u", 1);
    unsetenv("HF_HUB_CACHE");
    unsetenv("HUGGINGFACE_HUB_CACHE");
    unsetenv("HF_HOME");
    unsetenv("XDG_CACHE_HOME");
    char *d = hub_default_cache_dir();
    CHECKF(strcmp(d, "/home/u/.cache/huggingface/hub") == 0, "default cache %s", d);
    free(d);
    setenv("HF_HOME", "/x/hf", 1);
    d = hub_default_cache_dir();
    CHECKF(strcmp(d, "/x/hf/hub") == 0, "HF_HOME cache %s", d);
    free(d);
    setenv("HF_HUB_CACHE", "~/c", 1);
    d = hub_default_cache_dir();
    CHECKF(strcmp(d, "/home/u/c") == 0, "HF_HUB_CACHE %s", d);
    free(d);

    hub_ctx c;
    attn_hub_options o;
    attn_hub_options_init(&o);
    o.cache_dir = "/tmp/cache";
    CHECK_OK(hub_ctx_init(&c, &o));
    d = hub_repo_dir(&c, "FacebookAI/roberta-base");
    CHECKF(strcmp(d, "/tmp/cache/models--FacebookAI--roberta-base") == 0, "repo dir %s", d);
    free(d);
    hub_ctx_free(&c);

    /* the token: same origin as the endpoint, HTTPS or loopback */
    CHECK(http_token_allowed("https://huggingface.co", "https://huggingface.co/a/resolve/main/x"));
    CHECK(!http_token_allowed("https://huggingface.co", "https://cdn-lfs.huggingface.co/x"));
    CHECK(!http_token_allowed("https://huggingface.co", "http://huggingface.co/x"));
    CHECK(!http_token_allowed("http://example.com", "http://example.com/x"));
    CHECK(http_token_allowed("http://127.0.0.1:8080", "http://127.0.0.1:8080/x"));
    CHECK(!http_token_allowed("http://127.0.0.1:8080", "http://127.0.0.1:8081/x"));
    CHECK(!http_token_allowed("https://huggingface.co", "https://huggingface.co.evil.com/x"));

    char *q = http_quote("refs/pr/1", 0);
    CHECKF(strcmp(q, "refs%2Fpr%2F1") == 0, "quote %s", q);
    free(q);
    q = http_quote("sub dir/a+b.json", 1);
    CHECKF(strcmp(q, "sub%20dir/a%2Bb.json") == 0, "quote %s", q);
    free(q);
    return tu_done("hub_names");
}
