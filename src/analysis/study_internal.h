/* study_internal.h — the study's state (study.c runs it, study_sums.c keeps its sums). */
#ifndef ATTN_STUDY_INTERNAL_H
#define ATTN_STUDY_INTERNAL_H

#include "attnscope.h"
#include "fixed_sum.h"

typedef struct study_item { /* one queued sentence */
    char *domain, *text;
    int64_t index;
    int word_count;
} study_item;

struct attn_study {
    attn_study_options o;
    char **fwords; /* the function-word list (copied), or NULL for the seed's */
    int n_models;
    attn_study_model *models; /* labels copied */
    int max_metric_layers;    /* widest [first, last] range over the models */
    study_item *queue;        /* [o.window] */
    int n_queued;
    double *values;           /* [window][n_models][max_metric_layers][ATTN_M_COUNT] */
    int32_t *tokens;          /* [window][n_models][2]: tokens the model read, and before the cut (0: it fit) */
    /* with several models: each queued sentence's word-level attention per model, [L_m][W][W]
     * (head-averaged), kept until every model has run the window, for the agreement */
    float **word_attn;        /* [window][n_models] */
    int32_t *n_words;         /* [window] */
    attn_study_sums sums;
    int64_t next_index;
    int64_t runs_done; /* sentence-model forward runs, for on_progress */
};

/* The exact sums behind the doubles of attn_study_sums (fixed_sum.h). */
struct attn_sums_exact {
    attn_fixed **head, **dist; /* [n_models] -> as head_sum, dist_sum */
    attn_fixed *cells;         /* [cells_cap][ATTN_M_COUNT] as cells[].sum */
};

/* Sums: set up for the models (shapes from their configs). */
attn_status study_sums_init(attn_study_sums *s, const attn_study *st);
/* Index of a domain name, added when new; -1 on allocation failure (set). */
int study_sums_domain(attn_study_sums *s, const char *name);
/* The cell of (domain, model, layer), added when new; NULL on allocation failure (set). */
attn_domain_cell *study_sums_cell(attn_study_sums *s, int domain, int model, int layer);

/* Sums: empty, for models of these labels and shapes (what study_sums_init does from the models). */
attn_status study_sums_alloc(attn_study_sums *s, int n_models, const char *const *labels, const int32_t *layers,
                             const int32_t *heads);
/* The doubles (head_sum, dist_sum, cells[].sum) from the exact sums. */
void study_sums_settle(attn_study_sums *s);

#endif
