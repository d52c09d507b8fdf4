/* test_torch_bin.c — pytorch_model.bin loads to exactly the safetensors weights and runs like them;
 * with a folder from make_bins.py: unusual layouts load, malicious or broken files are refused.
 * usage: test_torch_bin [GENERATED_DIR] */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tensors.h"
#include "testutil.h"

static void check_same_tensors(const attn_tensor_set *got, const attn_tensor_set *want, int exact_bytes) {
    CHECKF(got->n == want->n, "%d tensors, want %d", got->n, want->n);
    for (int i = 0; i < want->n; i++) {
        const attn_tensor *w = &want->items[i];
        const attn_tensor *g = tensor_set_find(got, w->name);
        if (!CHECKF(g != NULL, "tensor %s present", w->name)) continue;
        int same_shape = g->ndim == w->ndim && memcmp(g->shape, w->shape, (size_t)w->ndim * sizeof w->shape[0]) == 0;
        CHECKF(same_shape && g->dtype == w->dtype, "%s: same dtype and shape", w->name);
        if (!same_shape) continue;
        if (exact_bytes) {
            CHECKF(g->nbytes == w->nbytes && memcmp(g->data, w->data, w->nbytes) == 0, "%s: same bytes", w->name);
        } else {
            size_t n = (size_t)tensor_numel(w);
            float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
            tensor_to_f32(g, a);
            tensor_to_f32(w, b);
            CHECKF(memcmp(a, b, n * sizeof *a) == 0, "%s: same values", w->name);
            free(a);
            free(b);
        }
    }
}

/* type_ids of line `line` of inputs.jsonl (pairs have ones), or NULL. */
static int32_t *type_ids_of(const char *dir, int line, int32_t T) {
    char *path = attn_path_join(dir, "inputs.jsonl");
    FILE *f = fopen(path, "r");
    free(path);
    if (!f) return NULL;
    char buf[1 << 16];
    int32_t *out = NULL;
    for (int i = 0; fgets(buf, sizeof buf, f); i++) {
        if (i != line) continue;
        json_t *o = json_loads(buf, 0, NULL);
        json_t *a = json_object_get(o, "type_ids");
        if (json_is_array(a) && (int32_t)json_array_size(a) == T) {
            out = malloc((size_t)T * sizeof *out);
            for (int32_t t = 0; t < T; t++) out[t] = (int32_t)json_integer_value(json_array_get(a, (size_t)t));
        }
        json_decref(o);
        break;
    }
    fclose(f);
    return out;
}

static void check_forward(const char *dir) {
    attn_model *m = NULL;
    if (!CHECK_OK(attn_model_open(dir, &m))) return;
    attn_tensor_set ex = {0};
    char *path = attn_path_join(dir, "expected.safetensors");
    if (CHECK_OK(safetensors_load(&ex, path))) {
        const attn_config *cfg = attn_model_config(m);
        for (int s = 0;; s++) {
            char name[64];
            snprintf(name, sizeof name, "input_ids.%d", s);
            const attn_tensor *ids = tensor_set_find(&ex, name);
            if (!ids) {
                CHECK(s > 0);
                break;
            }
            int32_t T = (int32_t)ids->shape[0];
            int32_t *tok = malloc((size_t)T * sizeof *tok);
            for (int32_t t = 0; t < T; t++) tok[t] = (int32_t)tensor_get_f32(ids, (size_t)t);
            int32_t *types = type_ids_of(dir, s, T);
            attn_input in = {tok, types, T};
            attn_output out;
            if (CHECK_OK(attn_model_forward(m, &in, 1, ATTN_OUT_ALL, &out))) {
                snprintf(name, sizeof name, "attentions.%d", s);
                const attn_tensor *att = tensor_set_find(&ex, name);
                snprintf(name, sizeof name, "hidden_states.%d", s);
                const attn_tensor *hid = tensor_set_find(&ex, name);
                if (CHECK(att && hid)) {
                    size_t na = (size_t)tensor_numel(att), nh = (size_t)tensor_numel(hid);
                    float *wa = malloc(na * sizeof *wa), *wh = malloc(nh * sizeof *wh);
                    tensor_to_f32(att, wa);
                    tensor_to_f32(hid, wh);
                    snprintf(name, sizeof name, "attentions.%d", s);
                    tu_check_close(name, out.attentions, wa, na, 1e-5f, 0);
                    snprintf(name, sizeof name, "hidden_states.%d", s);
                    for (size_t v = 0; v + (size_t)cfg->hidden <= nh; v += (size_t)cfg->hidden)
                        if (!tu_check_close(name, out.hidden_states + v, wh + v, (size_t)cfg->hidden, 0, 1e-4f)) break;
                    free(wa);
                    free(wh);
                }
                attn_output_free(&out);
            }
            free(tok);
            free(types);
        }
    }
    free(path);
    tensor_set_free(&ex);
    attn_model_free(m);
}

static void check_generated(const char *gen, const attn_tensor_set *reference) {
    char *good = attn_path_join(gen, "good_variants.bin");
    attn_tensor_set ts = {0};
    if (CHECK_OK(torch_bin_load(&ts, good))) check_same_tensors(&ts, reference, 0);
    tensor_set_free(&ts);
    free(good);

    char *list = attn_path_join(gen, "evil.txt");
    FILE *f = fopen(list, "r");
    CHECKF(f != NULL, "%s readable", list);
    char line[512];
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = '\0';
        char *word = tab + 1;
        word[strcspn(word, "\n")] = '\0';
        char *path = attn_path_join(gen, line);
        attn_tensor_set bad = {0};
        attn_status s = torch_bin_load(&bad, path);
        CHECKF(s != ATTN_OK && strstr(attn_last_error(), word) != NULL, "%s refused naming \"%s\": %s", line, word,
               s ? attn_last_error() : "loaded");
        tensor_set_free(&bad);
        free(path);
        n++;
    }
    if (f) fclose(f);
    CHECKF(n >= 10, "%d malicious files tried", n);
    free(list);
}

int main(int argc, char **argv) {
    attn_tensor_set bin = {0}, st = {0};
    CHECK_OK(tensor_set_open_dir(&bin, tu_data("models/bert-tiny-bin")));
    CHECK_OK(safetensors_load(&st, tu_data("models/bert-tiny/model.safetensors")));
    CHECK(strcmp(attn_weights_file(tu_data("models/bert-tiny-bin")), "pytorch_model.bin") == 0);
    check_same_tensors(&bin, &st, 1);
    tensor_set_free(&bin);
    check_forward(tu_data("models/bert-tiny-bin"));
    if (argc > 1) check_generated(argv[1], &st);
    tensor_set_free(&st);
    return tu_done("torch_bin");
}
