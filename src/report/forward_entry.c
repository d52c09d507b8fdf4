/* forward_entry.c — a report entry straight from a model: tokenize the sentence, run, add. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* attn_token_labels of the encoding; NULL when every label equals its token (or out of memory). */
char **report_display_labels(const attn_tokenizer *tok, const attn_encoding *e) {
    char **d = NULL;
    if (attn_token_labels(tok, e->ids, e->special_tokens_mask, e->n, &d) != ATTN_OK) return NULL;
    for (int32_t t = 0; t < e->n; t++)
        if (strcmp(d[t], e->tokens[t]) != 0) return d;
    attn_token_labels_free(d, e->n);
    return NULL;
}

static json_t *entry_of(const attn_report *r, int sentence, int model) {
    json_t *entries = json_object_get(json_array_get(r->sentences, (size_t)sentence), "entries"), *e;
    size_t i;
    json_array_foreach(entries, i, e) if (json_integer_value(json_object_get(e, "model")) == model) return e;
    return NULL;
}

/* The entry's "truncated": {"tokens", "kept"}: the page shows a note on its panel. */
static attn_status note_truncation(attn_report *r, int sentence, int model, attn_truncation_info cut) {
    json_t *e = entry_of(r, sentence, model);
    json_t *note = json_pack("{s:i, s:i}", "tokens", cut.tokens, "kept", cut.kept);
    if (!e || !note || json_object_set_new(e, "truncated", note)) return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    return ATTN_OK;
}

attn_truncation_info attn_report_entry_truncation(const attn_report *r, int sentence, int model) {
    json_t *t = json_object_get(entry_of(r, sentence, model), "truncated");
    return (attn_truncation_info){(int32_t)json_integer_value(json_object_get(t, "tokens")),
                                  (int32_t)json_integer_value(json_object_get(t, "kept"))};
}

attn_status attn_report_add_forward(attn_report *r, int sentence, int model, attn_model *m, const attn_tokenizer *tok) {
    json_t *s = json_array_get(r->sentences, (size_t)sentence);
    if (!s) return attn_fail(ATTN_E_INVALID, "report: no sentence %d", sentence);
    const char *text = json_string_value(json_object_get(s, "text")), *pair = json_string_value(json_object_get(s, "pair"));
    attn_encoding e;
    attn_truncation_info cut; /* a sentence past the model's positions is cut, and the page says so */
    attn_status st = attn_encode_to_fit(tok, attn_model_config(m), text, strlen(text), pair, pair ? strlen(pair) : 0, &e, &cut);
    if (st) return st;
    attn_input in = {e.ids, e.type_ids, e.n};
    attn_output out = {0};
    int32_t *segments = attn_calloc((size_t)e.n + 1, sizeof *segments);
    if (!segments) st = attn_fail(ATTN_E_NOMEM, "out of memory");
    /* the second text starts at its first token; special tokens after it belong to it */
    for (int32_t t = 0, second = 0; segments && t < e.n; t++) segments[t] = second |= e.sequence_ids[t] == 1;
    if (!st) st = attn_model_check_input(m, &in);
    if (!st) st = attn_model_forward(m, &in, 1, ATTN_OUT_ATTENTIONS | ATTN_OUT_QK, &out); /* q, k: the neuron view */
    attn_words w = {0}; /* the first text's words: the page's word level, models side by side */
    if (!st) st = attn_words_map(text, &e, &w);
    if (!st) {
        char **display = report_display_labels(tok, &e);
        attn_report_attention a = {.n_tokens = e.n, .tokens = (const char *const *)e.tokens,
                                   .display = (const char *const *)display, .segments = segments,
                                   .word_ids = e.word_ids, .offsets = e.offsets, .layers = out.layers,
                                   .heads = out.heads, .attentions = out.attentions,
                                   .head_dim = out.heads ? out.hidden / out.heads : 0, .queries = out.queries,
                                   .keys = out.keys, .n_words = w.n <= 4096 ? w.n : 0,
                                   .words = (const char *const *)w.words, .token_words = w.token_word};
        st = attn_report_add_attention(r, sentence, model, &a);
        if (!st && cut.tokens) st = note_truncation(r, sentence, model, cut);
        for (int32_t t = 0; display && t < e.n; t++) free(display[t]);
        free(display);
    }
    attn_words_free(&w);
    attn_output_free(&out);
    free(segments);
    attn_encoding_free(&e);
    return st;
}
