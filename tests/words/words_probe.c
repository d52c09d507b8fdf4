/* words_probe.c — runs the library's word-level analyses over a corpus and writes everything as
 * JSON, for words_check.py to compare with its own computation from `attnscope run --dump`.
 *   words_probe OUT.json AGREEMENT.csv AGREEMENT.json CORPUS.jsonl MODEL_DIR...
 * OUT.json: [sentence][model] {"words", "spans", "pieces", "token_word", "word_attention"
 * [L][H+1][W][W] (last = mean over heads), "rollout" [L][T][T]}. The agreement accumulator is fed
 * the sentences in two halves merged at the end (as sharded runs would). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attnscope.h"

static json_t *floats(const float *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, json_real(v[i]));
    return a;
}

static int die(const char *what) {
    fprintf(stderr, "words_probe: %s: %s\n", what, attn_last_error());
    return 1;
}

/* One model on one sentence: the JSON record and the head-averaged word matrices [L][W][W]. */
static int probe(attn_model *m, attn_tokenizer *t, const char *text, json_t **rec, float **mean_words, int32_t *W) {
    attn_encoding e;
    attn_output o;
    attn_words w;
    if (attn_tokenizer_encode(t, text, NULL, NULL, &e) != ATTN_OK) return die("encode");
    attn_input in = {e.ids, e.type_ids, e.n};
    if (attn_model_forward(m, &in, 1, ATTN_OUT_ATTENTIONS, &o) != ATTN_OK) return die("forward");
    if (attn_words_map(text, &e, &w) != ATTN_OK) return die("words");
    size_t L = (size_t)o.layers, H = (size_t)o.heads, T = (size_t)o.len, WW = (size_t)w.n * (size_t)w.n;
    float *wa = calloc(WW + 1, sizeof *wa), *roll = calloc(L * T * T, sizeof *roll);
    *mean_words = calloc(L * WW + 1, sizeof **mean_words);
    json_t *layers = json_array(), *rolls = json_array(), *words = json_array(), *spans = json_array(),
           *pieces = json_array(), *tw = json_array();
    for (size_t l = 0; l < L; l++) {
        json_t *heads = json_array();
        for (int h = 0; h <= (int)H; h++) {
            int head = h == (int)H ? -1 : h;
            if (attn_word_attention(&o, &w, (int)l, head, wa) != ATTN_OK) return die("word attention");
            json_array_append_new(heads, floats(wa, WW));
        }
        json_array_append_new(layers, heads);
    }
    /* the agreement is fed by the all-layers call; words_check.py compares it with the per-head means */
    if (attn_word_attention_layers(&o, &w, *mean_words) != ATTN_OK) return die("word attention layers");
    if (attn_rollout(&o, roll) != ATTN_OK) return die("rollout");
    for (size_t l = 0; l < L; l++) json_array_append_new(rolls, floats(roll + l * T * T, T * T));
    for (int32_t i = 0; i < w.n; i++) {
        json_array_append_new(words, json_string(w.words[i]));
        json_array_append_new(spans, json_pack("[ii]", w.spans[2 * i], w.spans[2 * i + 1]));
        json_array_append_new(pieces, json_integer(w.pieces[i]));
    }
    for (int32_t i = 0; i < w.n_tokens; i++) json_array_append_new(tw, json_integer(w.token_word[i]));
    *rec = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "words", words, "spans", spans, "pieces", pieces, "token_word", tw,
                     "word_attention", layers, "rollout", rolls);
    *W = w.n;
    free(wa), free(roll);
    attn_words_free(&w), attn_output_free(&o), attn_encoding_free(&e);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: words_probe OUT.json AGREEMENT.csv AGREEMENT.json CORPUS.jsonl MODEL_DIR MODEL_DIR...\n");
        return 2;
    }
    int n = argc - 5;
    attn_model **m = calloc((size_t)n, sizeof *m);
    attn_tokenizer **t = calloc((size_t)n, sizeof *t);
    int32_t *layers = calloc((size_t)n, sizeof *layers);
    const char **labels = calloc((size_t)n, sizeof *labels);
    float **mean = calloc((size_t)n, sizeof *mean);
    for (int i = 0; i < n; i++) {
        if (attn_model_open(argv[5 + i], &m[i]) != ATTN_OK || attn_tokenizer_open(argv[5 + i], &t[i]) != ATTN_OK) return die(argv[5 + i]);
        layers[i] = attn_model_config(m[i])->layers;
        labels[i] = strrchr(argv[5 + i], '/') ? strrchr(argv[5 + i], '/') + 1 : argv[5 + i];
    }
    attn_agreement *half[2];
    if (attn_agreement_create(n, layers, &half[0]) != ATTN_OK || attn_agreement_create(n, layers, &half[1]) != ATTN_OK)
        return die("agreement");
    FILE *f = fopen(argv[4], "rb");
    if (!f) return die(argv[4]);
    json_t *all = json_array();
    char line[65536];
    for (int s = 0; fgets(line, sizeof line, f); s++) {
        json_t *d = json_loads(line, 0, NULL);
        const char *text = json_string_value(json_object_get(d, "text"));
        if (!text) return die("corpus line without text");
        json_t *per_model = json_array();
        int32_t W = 0;
        for (int i = 0; i < n; i++) {
            json_t *rec;
            if (probe(m[i], t[i], text, &rec, &mean[i], &W)) return 1;
            json_array_append_new(per_model, rec);
        }
        if (attn_agreement_add_sentence(half[s % 2], W, (const float *const *)mean) != ATTN_OK) return die("add sentence");
        for (int i = 0; i < n; i++) free(mean[i]);
        json_array_append_new(all, per_model);
        json_decref(d);
    }
    fclose(f);
    if (attn_agreement_merge(half[0], half[1]) != ATTN_OK) return die("merge");
    if (json_dump_file(all, argv[1], JSON_REAL_PRECISION(17) | JSON_COMPACT) != 0) return die(argv[1]);
    if (attn_agreement_write_csv(half[0], labels, argv[2]) != ATTN_OK) return die(argv[2]);
    if (attn_agreement_write_json(half[0], labels, argv[3]) != ATTN_OK) return die(argv[3]);
    json_decref(all);
    for (int i = 0; i < n; i++) attn_model_free(m[i]), attn_tokenizer_free(t[i]);
    attn_agreement_free(half[0]), attn_agreement_free(half[1]);
    free(m), free(t), free(layers), free(labels), free(mean);
    return 0;
}
