/* test_config.c — config.json reading, parameter counts of the real configs, and clean errors for
 * bad configs and bad checkpoints (never a crash, always a message naming the file). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tensors.h"
#include "testutil.h"

static char tmpdir[256];

static const char *tmp_path(const char *name) {
    static char buf[4][512];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", tmpdir, name);
    return b;
}

static void write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

static void write_text(const char *path, const char *s) { write_file(path, s, strlen(s)); }

/* Expects status `want` and a message that mentions `needle`. */
static void expect_error(attn_status got, attn_status want, const char *needle, const char *what) {
    CHECKF(got == want, "%s: status %s, expected %s (%s)", what, attn_status_str(got), attn_status_str(want), attn_last_error());
    CHECKF(strstr(attn_last_error(), needle) != NULL, "%s: message \"%s\" lacks \"%s\"", what, attn_last_error(), needle);
}

static void test_real_configs(void) {
    static const struct { const char *file; int64_t params; int layers, hidden, heads, vocab; } want[] = {
        {"configs/bert-base-uncased.json", 109482240, 12, 768, 12, 30522},
        {"configs/distilbert-base-uncased.json", 66362880, 6, 768, 12, 30522},
        {"configs/roberta-base.json", 124645632, 12, 768, 12, 50265},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        attn_config c;
        if (!CHECK_OK(attn_config_read(tu_data(want[i].file), &c))) continue;
        CHECKF(c.parameters == want[i].params, "%s: %lld parameters, want %lld", want[i].file, (long long)c.parameters,
               (long long)want[i].params);
        CHECK(c.layers == want[i].layers && c.hidden == want[i].hidden && c.heads == want[i].heads && c.vocab == want[i].vocab);
        CHECK(c.intermediate == 3072);
    }
}

static void test_bad_configs(void) {
    attn_config c;
    write_text(tmp_path("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 2}");
    expect_error(attn_config_read(tmp_path("config.json"), &c), ATTN_E_UNSUPPORTED, "gpt2", "unknown model_type");
    write_text(tmp_path("config.json"), "{\"model_type\": \"bert\", \"hidden_size\": 30, \"num_attention_heads\": 4}");
    expect_error(attn_config_read(tmp_path("config.json"), &c), ATTN_E_FORMAT, "not divisible", "hidden % heads");
    write_text(tmp_path("config.json"), "{\"model_type\": \"bert\", ");
    expect_error(attn_config_read(tmp_path("config.json"), &c), ATTN_E_FORMAT, "config.json", "truncated JSON");
    write_text(tmp_path("config.json"), "{\"model_type\": \"bert\", \"hidden_act\": \"swish\"}");
    expect_error(attn_config_read(tmp_path("config.json"), &c), ATTN_E_UNSUPPORTED, "swish", "activation");
    write_text(tmp_path("config.json"), "{\"model_type\": \"bert\", \"num_hidden_layers\": -3}");
    expect_error(attn_config_read(tmp_path("config.json"), &c), ATTN_E_FORMAT, "config.json", "negative size");
    write_text(tmp_path("config.json"), "{\"model_type\": \"bert\", \"position_embedding_type\": \"relative_key\"}");
    expect_error(attn_config_read(tmp_path("config.json"), &c), ATTN_E_UNSUPPORTED, "relative_key", "relative positions");
    expect_error(attn_config_read(tmp_path("nothing.json"), &c), ATTN_E_NOT_FOUND, "nothing.json", "missing file");
    /* accepted spellings */
    write_text(tmp_path("config.json"), "{\"model_type\": \"xlm-roberta\", \"hidden_act\": \"gelu_new\"}");
    if (CHECK_OK(attn_config_read(tmp_path("config.json"), &c))) CHECK(c.arch == ATTN_ARCH_ROBERTA && c.activation == ATTN_ACT_GELU_TANH);
}

/* A checkpoint folder with the bert-tiny config and a hand-made model.safetensors. */
static attn_status open_with_weights(const void *st, size_t n) {
    char *cfg;
    size_t len;
    attn_read_file(tu_data("models/bert-tiny/config.json"), &cfg, &len);
    write_file(tmp_path("config.json"), cfg, len);
    free(cfg);
    write_file(tmp_path("model.safetensors"), st, n);
    attn_model *m = NULL;
    attn_status s = attn_model_open(tmpdir, &m);
    attn_model_free(m);
    return s;
}

static void test_bad_safetensors(void) {
    expect_error(open_with_weights("abc", 3), ATTN_E_FORMAT, "model.safetensors", "3-byte file");
    const char huge[16] = {(char)0xff, (char)0xff, (char)0xff, (char)0xff, 0, 0, 0, 0, '{', '}'};
    expect_error(open_with_weights(huge, sizeof huge), ATTN_E_FORMAT, "header length", "header longer than file");
    char buf[512];
    const char *hdr = "{\"x\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 400]}}";
    size_t hl = strlen(hdr);
    memset(buf, 0, sizeof buf);
    buf[0] = (char)hl;
    memcpy(buf + 8, hdr, hl);
    expect_error(open_with_weights(buf, 8 + hl + 16), ATTN_E_FORMAT, "data_offsets", "offsets outside data");
    hdr = "{\"x\": {\"dtype\": \"Q7\", \"shape\": [4], \"data_offsets\": [0, 16]}}";
    hl = strlen(hdr);
    buf[0] = (char)hl;
    memcpy(buf + 8, hdr, hl);
    expect_error(open_with_weights(buf, 8 + hl + 16), ATTN_E_UNSUPPORTED, "Q7", "unknown dtype");
    hdr = "{\"x\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}";
    hl = strlen(hdr);
    buf[0] = (char)hl;
    memcpy(buf + 8, hdr, hl);
    expect_error(open_with_weights(buf, 8 + hl + 16), ATTN_E_FORMAT, "missing weight", "valid file, wrong tensors");

    /* the real weights with one tensor declared in the wrong shape */
    char *st;
    size_t len;
    if (!CHECK_OK(attn_read_file(tu_data("models/bert-tiny/model.safetensors"), &st, &len))) return;
    char *p = strstr(st + 8, "\"bert.encoder.layer.1.intermediate.dense.weight\""); /* past the length prefix */
    char *shape = p ? strstr(p, "[64,32]") : NULL;
    if (CHECK(shape != NULL)) {
        memcpy(shape, "[32,64]", 7);
        expect_error(open_with_weights(st, len), ATTN_E_FORMAT, "expected [64, 32]", "mis-shaped tensor");
    }
    free(st);
}

static void test_roundtrip_writer(void) {
    float a[6] = {1, 2, 3, 4, 5, 6};
    int64_t b[3] = {7, 8, -9};
    attn_tensor_view v[2] = {{.name = "a", .dtype = ATTN_DTYPE_F32, .ndim = 2, .shape = {2, 3}, .data = a},
                             {.name = "b.0", .dtype = ATTN_DTYPE_I64, .ndim = 1, .shape = {3}, .data = b}};
    if (!CHECK_OK(attn_safetensors_write(tmp_path("out.safetensors"), v, 2))) return;
    attn_tensor_set ts;
    memset(&ts, 0, sizeof ts);
    if (CHECK_OK(safetensors_load(&ts, tmp_path("out.safetensors")))) {
        const attn_tensor *ta = tensor_set_find(&ts, "a"), *tb = tensor_set_find(&ts, "b.0");
        CHECK(ta && ta->ndim == 2 && ta->shape[1] == 3 && memcmp(ta->data, a, sizeof a) == 0);
        CHECK(tb && tb->dtype == ATTN_DTYPE_I64 && memcmp(tb->data, b, sizeof b) == 0);
    }
    tensor_set_free(&ts);
    /* a failed write leaves nothing behind */
    attn_tensor_view bad = {.name = "x", .dtype = ATTN_DTYPE_F32, .ndim = -1};
    CHECK(attn_safetensors_write(tmp_path("bad.safetensors"), &bad, 1) != ATTN_OK);
    CHECK(access(tmp_path("bad.safetensors"), F_OK) != 0);
}

/* attn_read_file: files of 0-4, 4097 and 8190 bytes read whole with a NUL after them, and a /proc
 * file, which says it holds 0 bytes. */
static void test_read_file(void) {
    for (size_t n = 0; n <= 9000; n += n < 4 ? 1 : 4093) {
        char *want = malloc(n + 1), *got = NULL;
        for (size_t i = 0; i < n; i++) want[i] = (char)('a' + i % 26);
        want[n] = '\0';
        write_text(tmp_path("read.txt"), want);
        size_t len = 1;
        if (CHECK_OK(attn_read_file(tmp_path("read.txt"), &got, &len)))
            CHECKF(len == n && got[n] == '\0' && memcmp(got, want, n) == 0, "attn_read_file of %zu bytes gave %zu", n, len);
        free(got), free(want);
    }
    char *st = NULL;
    size_t len = 0;
    if (CHECK_OK(attn_read_file("/proc/self/status", &st, &len)))
        CHECKF(len > 0 && strncmp(st, "Name:", 5) == 0 && strlen(st) == len, "/proc/self/status read as %zu bytes", len);
    free(st);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/attn_test_config_XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    test_real_configs();
    test_bad_configs();
    test_bad_safetensors();
    test_roundtrip_writer();
    test_read_file();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return tu_done("test_config");
}
