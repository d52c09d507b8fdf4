/* test_load.c — the loader's Inf/NaN check through its parallel pass (src/model/load_pack.c).
 *
 * For an F32, an F16 and a BF16 fixture, copies of the checkpoint with one weight poisoned (Inf or
 * NaN patched into the file's bytes at a chosen element, sometimes twice in the same tensor) must
 * fail to load with the message naming that tensor and the first poisoned element, whichever
 * path checks it: the word embeddings (in place, checked in chunks on both threads, or 16-bit kept
 * as stored), a query/key/value weight (packed with the fused check, or joined), the
 * intermediate weight, a joined bias and a LayerNorm vector (checked on the spot). The pristine
 * copy must load. Then the same checkpoints with every tensor moved off its alignment (the JSON
 * header padded so the data starts 1 or 2 bytes past a 4-byte boundary: 16-bit weights at odd
 * addresses, F32 ones not 4-byte aligned; safetensors allows it) must give the same forward as
 * the original (those weights are copied or widened instead of read in place, or packed from
 * unaligned rows). Run once per kernel set (tests/load.cmake). */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "kernels.h"
#include "tensors.h"
#include "testutil.h"

static int copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, n, out) == n;
    if (in) fclose(in);
    if (out && fclose(out)) ok = 0;
    return ok;
}

/* The tensor of `fixture` whose name ends with `suffix`. */
static const attn_tensor *find_suffix(const attn_tensor_set *ts, const char *suffix) {
    size_t ls = strlen(suffix);
    for (int i = 0; i < ts->n; i++) {
        size_t ln = strlen(ts->items[i].name);
        if (ln >= ls && !strcmp(ts->items[i].name + ln - ls, suffix)) return &ts->items[i];
    }
    return NULL;
}

/* Writes Inf (kind 0) or NaN (kind 1) of t's dtype at element e into the file f. */
static int poison(FILE *f, const attn_tensor_set *ts, const attn_tensor *t, size_t e, int kind) {
    size_t esize = t->dtype == ATTN_DTYPE_F32 ? 4 : 2;
    long offset = (long)(t->data - ts->maps[0].data) + (long)(e * esize);
    unsigned char bytes[4];
    uint32_t f32 = kind ? 0x7FC00001u : 0xFF800000u;
    uint16_t h = t->dtype == ATTN_DTYPE_F16 ? (kind ? 0x7E01 : 0x7C00) : (kind ? 0x7FC1 : 0xFF80);
    if (esize == 4) memcpy(bytes, &f32, 4);
    else memcpy(bytes, &h, 2);
    return fseek(f, offset, SEEK_SET) == 0 && fwrite(bytes, 1, esize, f) == esize;
}

typedef struct poison_case {
    const char *suffix;
    double at, again; /* fractions of the tensor's elements; again < 0: poisoned once */
} poison_case;

static void check_fixture(const char *fixture) {
    char src[4096], dir[] = "/tmp/attn_test_load_XXXXXX", path[4200], from[4200];
    snprintf(src, sizeof src, "%s", tu_data(fixture));
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    snprintf(from, sizeof from, "%s/config.json", src);
    snprintf(path, sizeof path, "%s/config.json", dir);
    CHECK(copy_file(from, path));
    snprintf(from, sizeof from, "%s/model.safetensors", src);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    attn_tensor_set ts;
    if (!CHECK_OK(tensor_set_open_dir(&ts, src))) return;
    static const poison_case cases[] = {
        {"embeddings.word_embeddings.weight", 0.51, 0.93}, {"embeddings.word_embeddings.weight", 0.999, -1},
        {"layer.0.attention.self.query.weight", 0.0, -1},  {"layer.1.attention.self.value.weight", 0.7, 0.9},
        {"layer.0.intermediate.dense.weight", 0.99, -1},   {"layer.1.output.dense.weight", 0.3, 0.31},
        {"layer.0.attention.self.key.bias", 0.5, -1},      {"layer.1.output.LayerNorm.", 0.95, -1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const attn_tensor *t = find_suffix(&ts, cases[c].suffix);
        if (!t && !strcmp(cases[c].suffix, "layer.1.output.LayerNorm.")) t = find_suffix(&ts, "layer.1.output.LayerNorm.weight");
        if (!t) t = find_suffix(&ts, "layer.1.output.LayerNorm.gamma");
        if (!CHECKF(t != NULL, "%s: no tensor %s", fixture, cases[c].suffix)) continue;
        size_t n = (size_t)tensor_numel(t), e = (size_t)(cases[c].at * (double)(n - 1));
        FILE *f;
        int ok = copy_file(from, path) && (f = fopen(path, "r+b")) != NULL;
        if (ok) {
            ok = poison(f, &ts, t, e, (int)(c % 2));
            if (cases[c].again >= 0) ok = ok && poison(f, &ts, t, (size_t)(cases[c].again * (double)(n - 1)), (int)(c + 1) % 2);
            ok = fclose(f) == 0 && ok;
        }
        if (!CHECKF(ok, "%s: cannot write %s", fixture, path)) continue;
        attn_model *m = NULL;
        attn_status s = attn_model_open(dir, &m);
        char want[512];
        snprintf(want, sizeof want, "\"%s\" holds a non-finite value at element %zu", t->name, e);
        CHECKF(s == ATTN_E_FORMAT && m == NULL && strstr(attn_last_error(), want),
               "%s (%s kernels): %s poisoned at %zu: status %d, message \"%s\", want \"%s\"", fixture, attn_kernels_name(),
               t->name, e, (int)s, s ? attn_last_error() : "", want);
        attn_model_free(m);
    }
    CHECK(copy_file(from, path));
    attn_model *m = NULL;
    CHECK_OK(attn_model_open(dir, &m));
    attn_model_free(m);
    tensor_set_free(&ts);
    unlink(path);
    snprintf(path, sizeof path, "%s/config.json", dir);
    unlink(path);
    rmdir(dir);
}

/* dir/model.safetensors = src's with the data starting `shift` bytes past a multiple of 4 (the
 * header JSON padded with spaces), dir/config.json copied. */
static int write_shifted(const char *src, const char *dir, int shift) {
    char path[4200];
    snprintf(path, sizeof path, "%s/config.json", src);
    char to[4200];
    snprintf(to, sizeof to, "%s/config.json", dir);
    if (!copy_file(path, to)) return 0;
    snprintf(path, sizeof path, "%s/model.safetensors", src);
    FILE *in = fopen(path, "rb");
    if (!in) return 0;
    unsigned char len8[8];
    uint64_t n = 0;
    int ok = fread(len8, 1, 8, in) == 8;
    for (int i = 7; i >= 0; i--) n = n << 8 | len8[i];
    char *json = ok && n < (1u << 24) ? malloc(n + 16) : NULL;
    ok = json && fread(json, 1, n, in) == n;
    size_t jl = ok ? n : 0;
    while (jl > 0 && json[jl - 1] == ' ') jl--;
    while ((8 + jl) % 4 != (size_t)shift) json[jl++] = ' ';
    snprintf(to, sizeof to, "%s/model.safetensors", dir);
    FILE *out = ok ? fopen(to, "wb") : NULL;
    if (out) {
        for (int i = 0; i < 8; i++) len8[i] = (unsigned char)(jl >> (8 * i));
        ok = fwrite(len8, 1, 8, out) == 8 && fwrite(json, 1, jl, out) == jl;
        char buf[65536];
        size_t r;
        while (ok && (r = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, r, out) == r;
        ok = fclose(out) == 0 && ok;
    } else {
        ok = 0;
    }
    fclose(in);
    free(json);
    return ok;
}

static void check_unaligned(const char *fixture) {
    static const int32_t ids[] = {0, 7, 100, 1000, 5, 2};
    attn_input in = {ids, NULL, 6};
    attn_model *m = NULL;
    attn_output want = {0};
    if (!CHECK_OK(attn_model_open(tu_data(fixture), &m)) || !CHECK_OK(attn_model_forward(m, &in, 1, ATTN_OUT_ALL, &want))) return;
    attn_model_free(m);
    for (int shift = 1; shift <= 2; shift++) {
        char dir[] = "/tmp/attn_test_load_XXXXXX", path[4200];
        if (!CHECK(mkdtemp(dir) != NULL) || !CHECK(write_shifted(tu_data(fixture), dir, shift))) continue;
        attn_tensor_set ts;
        if (CHECK_OK(tensor_set_open_dir(&ts, dir))) { /* really moved: no tensor 4-byte aligned */
            int aligned = 0;
            for (int i = 0; i < ts.n; i++) aligned += ((uintptr_t)ts.items[i].data & 3) == 0;
            CHECKF(aligned == 0 && ts.n > 0, "%s shifted by %d: %d tensors still aligned", fixture, shift, aligned);
            tensor_set_free(&ts);
        }
        attn_output got = {0};
        m = NULL;
        if (CHECK_OK(attn_model_open(dir, &m)) && CHECK_OK(attn_model_forward(m, &in, 1, ATTN_OUT_ALL, &got))) {
            char what[160];
            size_t na = (size_t)want.layers * want.heads * want.len * want.len;
            size_t nh = (size_t)(want.layers + 1) * want.len * want.hidden;
            snprintf(what, sizeof what, "%s shifted by %d (%s kernels): attentions", fixture, shift, attn_kernels_name());
            tu_check_close(what, got.attentions, want.attentions, na, 1e-6f, 0.0f);
            snprintf(what, sizeof what, "%s shifted by %d (%s kernels): hidden states", fixture, shift, attn_kernels_name());
            tu_check_close(what, got.hidden_states, want.hidden_states, nh, 0.0f, 1e-5f);
        }
        attn_output_free(&got);
        attn_model_free(m);
        snprintf(path, sizeof path, "%s/model.safetensors", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/config.json", dir);
        unlink(path);
        rmdir(dir);
    }
    attn_output_free(&want);
}

int main(void) {
    const char *want = getenv("ATTN_KERNELS");
    if (want && *want && !attn_kernels_supported(want)) {
        printf("SKIPPED: ATTN_KERNELS=%s, but this CPU (or the OS) does not support that kernel set\n", want);
        return 77;
    }
    printf("kernel set: %s\n", attn_kernels_name());
    check_fixture("models/bert-tiny");
    check_fixture("models/bert-tiny-plain-f16");
    check_fixture("models/roberta-tiny-bf16");
    check_unaligned("models/bert-tiny");
    check_unaligned("models/bert-tiny-plain-f16");
    check_unaligned("models/roberta-tiny-bf16");
    return tu_done("test_load");
}
