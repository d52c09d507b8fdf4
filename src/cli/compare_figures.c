/* compare_figures.c — `attnscope compare ... --figures svg,png,pdf`: the study's charts as files. */
#include <stdio.h>

#include "compare.h"

typedef struct figure_sink {
    const cli_figure_opts *o;
    int written, failed;
} figure_sink;

static attn_status save_figure(void *user, const char *stem, const char *title, attn_figure *f) {
    figure_sink *fs = user;
    (void)title;
    if (cli_figure_save(fs->o, f, stem) != 0) return fs->failed = 1, ATTN_E_IO; /* printed */
    fs->written++;
    return ATTN_OK;
}

int compare_figures_write(const cli_figure_opts *o, const attn_study_sums *s, int *written) {
    *written = 0;
    if (!o->formats) return 0;
    figure_sink fs = {o, 0, 0};
    attn_status st = attn_study_figures(s, &o->style, save_figure, &fs);
    if (fs.failed) return 1;
    if (st != ATTN_OK) return cli_lib_error();
    *written = fs.written;
    return 0;
}
