/* compare_scale.c — `compare --resume` and `--shard K/N`: the run's description (what its
 * fingerprint covers) and the checkpointed run around the study. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"

int compare_parse_shard(const char *v, compare_scale *sc) {
    int k, n, used = 0;
    if (sscanf(v, "%d/%d%n", &k, &n, &used) != 2 || v[used] != '\0' || n < 1 || n > 1000000 || k < 0 || k >= n)
        return cli_usage_error("compare", "--shard is K/N with 0 <= K < N (e.g. 0/4)"), 0;
    sc->shard = k, sc->n_shards = n;
    return 1;
}

/* Everything that changes the outputs, as text (threads do not; batch size and window do). */
static char *describe(const attn_corpus_options *co, const attn_study_options *so, const compare_model *models, int n) {
    char *d = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&d, &len);
    if (!f) return NULL;
    fprintf(f, "attnscope compare v1\nmode %d layer %d batch %d window %d\n", so->mode, so->layer, so->batch_size, so->window);
    fprintf(f, "format %d text %s label %s words %d-%d chars %d per-label %d seed %llu\n", co->format,
            co->text_column ? co->text_column : "-", co->label_column ? co->label_column : "-", co->min_words,
            co->max_words, co->min_chars, co->per_label, (unsigned long long)co->seed);
    for (int i = 0; so->function_words && i < so->n_function_words; i++) fprintf(f, "fw %s\n", so->function_words[i]);
    for (int m = 0; m < n; m++) fprintf(f, "model %s\n", models[m].label);
    return fclose(f) == 0 ? d : (free(d), NULL);
}

attn_status compare_run_open(const char *corpus, const attn_corpus_options *co, const attn_study_options *so,
                             const char *out, const compare_model *models, int n, attn_study *study,
                             const attn_config *const *cfg, int64_t total, const compare_scale *sc,
                             attn_run_sentence_fn on_sentence, void *user, attn_run **run) {
    char *desc = describe(co, so, models, n);
    const char **dirs = calloc((size_t)n, sizeof *dirs);
    if (!desc || !dirs) {
        free(desc), free(dirs);
        return ATTN_E_NOMEM;
    }
    for (int m = 0; m < n; m++) dirs[m] = models[m].dir;
    attn_run_options o = {out, desc, corpus, dirs, sc->resume, sc->shard, sc->n_shards, total, on_sentence, user};
    attn_status st = attn_run_open(study, cfg, &o, run);
    free(desc), free(dirs);
    return st;
}
