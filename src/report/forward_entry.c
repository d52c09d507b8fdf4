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

attn_status attn_report_add_forward(attn_report *r, int sentence, int model, attn_model *m, const attn_tokenizer *tok) {
    json_t *s = json_array_get(r->sentences, (size_t)sentence);
    if (!s) return attn_fail(ATTN_E_INVALID, "report: no sentence %d", sentence);
    const char *text = json_string_value(json_object_get(s, "text")), *pair = json_string_value(json_object_get(s, "pair"));
    attn_encoding e;
    attn_status st = attn_tokenizer_encode(tok, text, pair, NULL, &e);
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
        for (int32_t t = 0; display && t < e.n; t++) free(display[t]);
        free(display);
    }
    attn_words_free(&w);
    attn_output_free(&out);
    free(segments);
    attn_encoding_free(&e);
    return st;
}
