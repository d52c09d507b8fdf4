/* fixtures.h — every figure kind built from small fixed data (see fixtures.c). */
#ifndef ATTN_TEST_FIG_FIXTURES_H
#define ATTN_TEST_FIG_FIXTURES_H

#include "attnscope.h"

typedef struct fixture_figure {
    const char *name;
    attn_status (*build)(const attn_figure_style *s, attn_figure **out);
} fixture_figure;

extern const fixture_figure fixture_figures[]; /* ends with {NULL, NULL} */

/* [L][H][T][T] attention rows (each sums to 1) with a fixed pattern per head; malloc'ed. */
float *fixture_attention(int L, int H, int T);

#endif
