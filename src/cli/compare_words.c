/* compare_words.c — `compare ... --similarity WORD --focus WORD [--words-corpus FILE]`: seed 003's
 * "bank" studies over the compare run's models, put into DIR/report.html (and DIR/figures with
 * --figures) by the same code as `similarity --report` and `focus --report`. The sentences are
 * the first ones of the corpus (or of --words-corpus) that contain the word. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "words_cli.h"

void compare_words_free(compare_words *w) {
    free(w->sim_text[0]), free(w->sim_text[1]), free(w->focus_text);
    w->sim_text[0] = w->sim_text[1] = w->focus_text = NULL;
}

/* Does text hold word (as attn_find_word finds it, through tok's tokens, within the positions of
 * the model of cfg: a word a cut would drop is not there)? */
static int has_word(const attn_tokenizer *tok, const attn_config *cfg, const char *text, const char *word) {
    attn_encoding e;
    if (attn_encode_to_fit(tok, cfg, text, strlen(text), NULL, 0, &e, NULL) != ATTN_OK) return 0;
    int32_t *pieces = NULL, np = 0;
    int found = attn_find_word(text, &e, word, 1, &pieces, &np) == ATTN_OK;
    free(pieces);
    attn_encoding_free(&e);
    return found;
}

/* The first sentences with the words: two distinct ones for --similarity, one for --focus. */
static attn_status scan(compare_words *w, attn_corpus *c, const attn_tokenizer *tok, const attn_config *cfg) {
    attn_sentence s;
    attn_status st = ATTN_OK;
    int need_sim = w->similarity != NULL, need_focus = w->focus != NULL;
    while ((need_sim || need_focus) && (st = attn_corpus_next(c, &s)) == ATTN_OK && s.text) {
        if (need_sim && (!w->sim_text[0] || strcmp(w->sim_text[0], s.text) != 0) && has_word(tok, cfg, s.text, w->similarity)) {
            char **slot = &w->sim_text[w->sim_text[0] ? 1 : 0];
            if (!(*slot = strdup(s.text))) return ATTN_E_NOMEM;
            need_sim = !w->sim_text[1];
        }
        if (need_focus && has_word(tok, cfg, s.text, w->focus)) {
            if (!(w->focus_text = strdup(s.text))) return ATTN_E_NOMEM;
            need_focus = 0;
        }
    }
    return need_sim || need_focus ? st : ATTN_OK;
}

int compare_words_find(compare_words *w, const char *corpus, const attn_corpus_options *co, const attn_tokenizer *tok,
                       const attn_config *cfg) {
    if (!w->similarity && !w->focus) return 0;
    attn_corpus_options defaults;
    attn_corpus_options_init(&defaults);
    const char *path = w->corpus ? w->corpus : corpus;
    attn_corpus *c = NULL;
    attn_status st = attn_corpus_open(path, w->corpus ? &defaults : co, &c);
    if (st == ATTN_OK) st = scan(w, c, tok, cfg);
    attn_corpus_free(c);
    if (st == ATTN_E_NOMEM) return cli_error("out of memory");
    if (st != ATTN_OK) return cli_lib_error();
    if (w->similarity && !w->sim_text[1])
        return cli_error("%s: %s sentence%s with the word \"%s\"; --similarity needs two (--words-corpus FILE gives others)",
                         path, w->sim_text[0] ? "only one" : "no", w->sim_text[0] ? "" : "s", w->similarity);
    if (w->focus && !w->focus_text)
        return cli_error("%s: no sentence with the word \"%s\" (--focus; --words-corpus FILE gives others)", path, w->focus);
    return 0;
}

/* File stem suffix from a label: characters outside [A-Za-z0-9._-] become '_'. */
static void stem_suffix(char *dst, size_t size, const char *label) {
    size_t i = 0;
    for (; label[i] && i + 1 < size; i++) {
        char ch = label[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("._-", ch);
        dst[i] = ok ? ch : '_';
    }
    dst[i] = '\0';
}

int compare_words_check(const compare_words *w, const compare_model *models, int n) {
    cli_focus_choice c = {w->focus_layer, w->focus_head, w->focus_rollout};
    for (int i = 0; w->focus && i < n; i++) {
        cli_model m = {models[i].label, models[i].model, models[i].tok};
        if (!cli_focus_check(&c, &m, "--focus-layer", "--focus-head")) return 1;
    }
    return 0;
}

/* One model's focus rows (as `focus` with the same --layer/--head/--rollout) into the report and the figures. */
static int focus_model(const compare_words *w, const cli_model *m, words_report *wr, const cli_figure_opts *fig) {
    attn_encoding e = {0};
    attn_output o = {0};
    int32_t *pieces = NULL, np = 0;
    attn_truncation_info cut;
    if (!cli_model_run((cli_model *)m, "--focus sentence", w->focus_text, ATTN_OUT_ATTENTIONS, &e, &o, &cut)) return 1;
    cli_focus_choice choice = {w->focus_layer, w->focus_head, w->focus_rollout};
    cli_focus_rows r = {0};
    int rc = 0;
    if (attn_find_word_fit(w->focus_text, &e, cut, w->focus, 1, &pieces, &np) != ATTN_OK)
        rc = cli_error("%s: --focus: %s", m->label, attn_last_error());
    else if (!cli_focus_compute(&o, pieces, np, &choice, &r))
        rc = 1;
    char suffix[128];
    stem_suffix(suffix, sizeof suffix, m->label);
    words_focus_fig d = {w->focus, r.mode, &e, m->tok, pieces ? pieces[0] : 0, r.n, r.w, r.layer, r.head, m->label, suffix};
    if (!rc && wr) rc = words_report_focus(wr, &d, w->focus_text);
    if (!rc && fig->formats) rc = words_figures_focus(fig, &d, 1);
    cli_focus_rows_free(&r);
    free(pieces);
    attn_output_free(&o);
    attn_encoding_free(&e);
    return rc;
}

int compare_words_add(const compare_words *w, const compare_model *models, int n, attn_report *r,
                      const cli_figure_opts *fig, int *figures) {
    if (!w->similarity && !w->focus) return 0;
    cli_model *m = calloc((size_t)n, sizeof *m); /* borrowed: never closed here */
    attn_similarity *sim = calloc((size_t)n, sizeof *sim);
    int rc = m && sim ? 0 : cli_error("out of memory");
    for (int i = 0; !rc && i < n; i++) m[i] = (cli_model){models[i].label, models[i].model, models[i].tok};
    words_report wr;
    if (r) words_report_init(&wr, r, &fig->style, m, n);
    for (int i = 0; !rc && w->similarity && i < n; i++)
        if (attn_similarity_compute(m[i].model, m[i].tok, w->similarity, (const char *const *)w->sim_text, NULL, &sim[i]) !=
            ATTN_OK)
            rc = cli_error("%s: --similarity: %s", m[i].label, attn_last_error());
        else
            for (int k = 0; k < 2; k++) {
                char name[512];
                snprintf(name, sizeof name, "%s: --similarity sentence %d", m[i].label, k + 1);
                cli_truncation_warning(name, w->sim_text[k], strlen(w->sim_text[k]),
                                       attn_config_max_tokens(attn_model_config(m[i].model)),
                                       (attn_truncation_info){sim[i].untruncated[k], sim[i].untruncated[k] ? sim[i].enc[k].n : 0});
            }
    if (!rc && w->similarity && r) rc = words_report_similarity(&wr, sim, w->similarity, w->sim_text);
    if (!rc && w->similarity && fig->formats && !(rc = words_figures_similarity(fig, m, sim, n, w->similarity, 1)))
        ++*figures;
    for (int i = 0; !rc && w->focus && i < n; i++)
        if (!(rc = focus_model(w, &m[i], r ? &wr : NULL, fig)) && fig->formats) *figures += 2;
    for (int i = 0; sim && i < n; i++) attn_similarity_free(&sim[i]);
    free(sim), free(m);
    return rc;
}
