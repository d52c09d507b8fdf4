/* test_forward.c — the forward pass against the Hugging Face reference dump of one fixture folder.
 *
 *   test_forward MODEL_DIR
 * For every line of MODEL_DIR/inputs.jsonl: attentions within 1e-5 absolute and hidden states within
 * 1e-4 relative to the largest magnitude of each vector, run alone, as one padded batch of all
 * lines, and in batches of 3 (mixing lengths).
 *   test_forward MODEL_DIR --bf16
 * the same in bf16 precision, within its documented tolerance (ATTN_BF16_*, below). */
#define ATTN_BF16_ATT_TOL 2e-2f     /* see docs/performance.md, "bf16" */
#define ATTN_BF16_HIDDEN_RTOL 5e-2f
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kernels.h"
#include "tensors.h"
#include "testutil.h"

typedef struct sample {
    int32_t *ids, *type_ids;
    int len;
} sample;

static int load_inputs(const char *path, sample **out) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    int n = 0;
    *out = NULL;
    while (getline(&line, &cap, f) != -1) {
        json_t *o = json_loads(line, JSON_ALLOW_NUL, NULL);
        json_t *ids = json_object_get(o, "ids"), *tt = json_object_get(o, "type_ids");
        *out = realloc(*out, (size_t)(n + 1) * sizeof **out);
        sample *s = &(*out)[n++];
        s->len = (int)json_array_size(ids);
        s->ids = calloc((size_t)s->len + 1, sizeof(int32_t));
        s->type_ids = tt ? calloc((size_t)s->len + 1, sizeof(int32_t)) : NULL;
        for (int i = 0; i < s->len; i++) {
            s->ids[i] = (int32_t)json_integer_value(json_array_get(ids, (size_t)i));
            if (tt) s->type_ids[i] = (int32_t)json_integer_value(json_array_get(tt, (size_t)i));
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return n;
}

/* --bf16: the documented tolerance of the bf16 precision (docs/performance.md) instead of the fp32 one. */
static float att_tol = 1e-5f, hidden_rtol = 1e-4f;
static double worst_att, worst_hidden; /* largest deviations seen, printed at the end */

/* Hidden states: tolerance 1e-4 relative to the largest magnitude of each hidden vector. */
static int check_hidden(const char *what, const float *got, const float *want, int vectors, int C) {
    int ok = 1;
    for (int v = 0; v < vectors && ok; v++) {
        char label[160];
        snprintf(label, sizeof label, "%s vector %d", what, v);
        ok = tu_check_close(label, got + (size_t)v * C, want + (size_t)v * C, (size_t)C, 0.0f, hidden_rtol);
    }
    return ok;
}


static void track_worst(const float *got, const float *want, size_t n, int C) {
    for (size_t v = 0; v < n / (size_t)(C > 0 ? C : 1); v++) {
        double mx = 0, d = 0;
        for (int j = 0; j < C; j++) {
            mx = fmax(mx, fabs(want[v * C + j]));
            d = fmax(d, fabs((double)got[v * C + j] - want[v * C + j]));
        }
        if (C > 0 && mx > 0 && d / mx > worst_hidden) worst_hidden = d / mx;
    }
}

static void compare(const char *mode, int i, const attn_output *o, const attn_tensor_set *ref, const attn_config *c) {
    char name[64], what[128];
    snprintf(name, sizeof name, "attentions.%d", i);
    const attn_tensor *ta = tensor_set_find(ref, name);
    snprintf(name, sizeof name, "hidden_states.%d", i);
    const attn_tensor *th = tensor_set_find(ref, name);
    if (!CHECKF(ta && th, "reference tensors for input %d missing", i)) return;
    int T = o->len;
    if (!CHECKF(ta->shape[0] == c->layers && ta->shape[1] == c->heads && ta->shape[2] == T && ta->shape[3] == T,
                "input %d: reference attention shape differs (T=%d)", i, T)) return;
    float *want = malloc(ta->nbytes > th->nbytes ? ta->nbytes : th->nbytes);
    tensor_to_f32(ta, want);
    snprintf(what, sizeof what, "%s input %d attentions", mode, i);
    tu_check_close(what, o->attentions, want, (size_t)tensor_numel(ta), att_tol, 0.0f);
    for (int64_t k = 0; k < tensor_numel(ta); k++) worst_att = fmax(worst_att, fabs((double)o->attentions[k] - want[k]));
    tensor_to_f32(th, want);
    snprintf(what, sizeof what, "%s input %d hidden_states", mode, i);
    check_hidden(what, o->hidden_states, want, (c->layers + 1) * T, c->hidden);
    track_worst(o->hidden_states, want, (size_t)tensor_numel(th), c->hidden);
    free(want);
}

static void run_batches(attn_model *m, const sample *s, int n, int batch, const attn_tensor_set *ref, const char *mode) {
    attn_input *in = calloc((size_t)batch, sizeof *in);
    attn_output *out = calloc((size_t)batch, sizeof *out);
    for (int start = 0; start < n; start += batch) {
        int nb = n - start < batch ? n - start : batch;
        for (int b = 0; b < nb; b++) in[b] = (attn_input){s[start + b].ids, s[start + b].type_ids, s[start + b].len};
        if (!CHECK_OK(attn_model_forward(m, in, nb, ATTN_OUT_ALL, out))) break;
        for (int b = 0; b < nb; b++) {
            compare(mode, start + b, &out[b], ref, attn_model_config(m));
            attn_output_free(&out[b]);
        }
    }
    free(in);
    free(out);
}

/* Under ATTN_KERNELS=NAME (one ctest entry per kernel set): 77, ctest's "skipped", with the reason,
 * when this CPU cannot run that set; else 0. */
static int skip_unsupported_kernels(void) {
    const char *want = getenv("ATTN_KERNELS");
    if (!want || !*want || attn_kernels_supported(want)) return 0;
    printf("SKIPPED: ATTN_KERNELS=%s, but this CPU (or the OS) does not support that kernel set\n", want);
    return 77;
}

/* Two application threads running forwards on one model at once: one uses the model's activation
 * arena, the other gets a block of its own; both results must still match the reference. */
typedef struct job {
    attn_model *m;
    attn_input in;
    attn_output out;
    attn_status s;
} job;

static void *run_job(void *p) {
    job *j = p;
    for (int r = 0; r < 10 && !j->s; r++) {
        if (r) attn_output_free(&j->out);
        j->s = attn_model_forward(j->m, &j->in, 1, ATTN_OUT_ALL, &j->out);
    }
    return NULL;
}

static void run_concurrently(attn_model *m, const sample *s, int n, const attn_tensor_set *ref) {
    if (n < 2) return;
    job jobs[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        jobs[i] = (job){.m = m, .in = {s[i].ids, s[i].type_ids, s[i].len}};
        CHECK(pthread_create(&th[i], NULL, run_job, &jobs[i]) == 0);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        if (CHECK_OK(jobs[i].s)) compare("concurrent", i, &jobs[i].out, ref, attn_model_config(m));
        attn_output_free(&jobs[i].out);
    }
}

int main(int argc, char **argv) {
    int bf16 = argc == 3 && !strcmp(argv[2], "--bf16");
    if (argc != 2 && !bf16) {
        fprintf(stderr, "usage: test_forward MODEL_DIR [--bf16]\n");
        return 2;
    }
    if (skip_unsupported_kernels()) return 77;
    const char *dir = argv[1];
    char path[4096];
    attn_model *m = NULL;
    if (!CHECK_OK(attn_model_open(dir, &m))) return tu_done(dir);
    if (bf16) {
        if (attn_model_set_precision(m, ATTN_PRECISION_BF16) != ATTN_OK) {
            printf("SKIPPED: %s\n", attn_last_error());
            attn_model_free(m);
            return 77;
        }
        att_tol = ATTN_BF16_ATT_TOL, hidden_rtol = ATTN_BF16_HIDDEN_RTOL;
    }
    snprintf(path, sizeof path, "%s/inputs.jsonl", dir);
    sample *s = NULL;
    int n = load_inputs(path, &s);
    CHECKF(n > 0, "%s: no inputs", path);
    snprintf(path, sizeof path, "%s/expected.safetensors", dir);
    attn_tensor_set ref;
    memset(&ref, 0, sizeof ref);
    CHECK_OK(safetensors_load(&ref, path));

    int runnable = 0;
    sample *r = calloc((size_t)n + 1, sizeof *r);
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "attentions.%d", i);
        if (tensor_set_find(&ref, name)) r[runnable++] = s[i];
    }
    CHECKF(runnable == n, "%d of %d inputs have reference outputs", runnable, n);

    run_batches(m, r, runnable, 1, &ref, "alone");
    run_batches(m, r, runnable, runnable, &ref, "one batch");
    run_batches(m, r, runnable, 3, &ref, "batches of 3");

    run_concurrently(m, r, runnable, &ref);

    /* threads do not change the result beyond tolerance */
    attn_model_set_threads(m, 1);
    run_batches(m, r, runnable < 4 ? runnable : 4, 2, &ref, "1 thread");

    printf("%s%s: largest deviation from the reference: attentions %.3g absolute (tolerance %.3g), hidden states %.3g "
           "relative (tolerance %.3g)\n", dir, bf16 ? " (bf16)" : "", worst_att, (double)att_tol, worst_hidden, (double)hidden_rtol);
    tensor_set_free(&ref);
    for (int i = 0; i < n; i++) free(s[i].ids), free(s[i].type_ids);
    free(s), free(r);
    attn_model_free(m);
    return tu_done(dir);
}
