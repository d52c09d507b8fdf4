/* heatmap.c — heatmap panels (cells, row and column labels, colour scale) and the charts made of
 * them: a labelled heatmap (model agreement, layer × token focus) and head-statistics grids. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fig.h"

#define MAX_LABEL_W 110.0

static double line_height(fig_canvas *c, double font) {
    double w, h;
    fig_text_size(c, "Ag", font, 0, 0, &w, &h);
    return h;
}

void fig_heat_scale(fig_heat_panel *p, double vmin, double vmax) {
    if (!(vmin < vmax)) {
        size_t n = (size_t)p->rows * p->cols;
        int any = 0;
        for (size_t i = 0; i < n; i++) {
            double v = p->f ? (double)p->f[i] : p->d[i];
            if (!isfinite(v)) continue;
            if (!any || v < vmin) vmin = v;
            if (!any || v > vmax) vmax = v;
            any = 1;
        }
        if (!any) vmin = 0, vmax = 1;
    }
    fig_axis_nice(&p->scale, vmin, vmax, 5, 0);
}

void fig_heat_panel_measure(fig_canvas *c, void *self, double plot_w, double plot_h, fig_margins *m) {
    fig_heat_panel *p = self;
    double lh = line_height(c, FIG_FONT_LABEL);
    p->xl = (fig_labels){0};
    if (p->col_labels) fig_labels_plan(c, (const char *const *)p->col_labels, p->cols, plot_w / p->cols, FIG_FONT_TICK, &p->xl);
    double slot = plot_h / p->rows;
    p->yfont = slot < FIG_FONT_TICK * 1.3 ? fmax(FIG_FONT_MIN, slot / 1.3) : FIG_FONT_TICK;
    double rw = p->row_labels ? fig_labels_width(c, (const char *const *)p->row_labels, p->rows, p->yfont, MAX_LABEL_W) + 4 : 0;
    m->t = fig_panel_title_height(c, p->title) + FIG_PAD / 2;
    m->l = FIG_PAD + (p->y_label ? lh + 6 : 0) + rw + 2;
    m->b = (p->col_labels ? 4 + p->xl.extent : 0) + (p->x_label ? lh + 8 : 0) + FIG_PAD;
    m->r = p->colorbar ? 10 + fig_colorbar_width(c, &p->scale, p->value_label) + FIG_PAD : FIG_PAD;
    double bar_h = fmax(plot_h, 90); /* the scale needs room for its numbers even beside 2 rows */
    if (p->colorbar && bar_h > plot_h + m->b) m->b = bar_h - plot_h;
    fig_fit_title(c, p->title, plot_w, m);
    p->m = *m;
}

void fig_heat_panel_draw(fig_canvas *c, void *self, fig_rect r) {
    fig_heat_panel *p = self;
    fig_draw_panel_title(c, r, p->title);
    fig_matrix_paint(c, r, p->rows, p->cols, p->f, p->d, p->scale.lo, p->scale.hi);
    double cw = r.w / p->cols, ch = r.h / p->rows;
    for (int i = 0; i < p->rows; i++) /* the cells' values on hover */
        for (int j = 0; j < p->cols; j++) {
            double v = p->f ? p->f[(size_t)i * p->cols + j] : p->d[(size_t)i * p->cols + j];
            if (!isfinite(v)) continue;
            char rl[16], cl[16]; /* "entropy: Layer 0, Head 2: 0.028" */
            snprintf(rl, sizeof rl, "%d", i), snprintf(cl, sizeof cl, "%d", j);
            fig_hover(c, r.x + j * cw, r.y + i * ch, cw, ch, "%s%s%s%s%s, %s%s%s: %.3f", p->title ? p->title : "", p->title ? ": " : "",
                      p->y_label ? p->y_label : "", p->y_label ? " " : "", p->row_labels ? p->row_labels[i] : rl,
                      p->x_label ? p->x_label : "", p->x_label ? " " : "", p->col_labels ? p->col_labels[j] : cl, v);
        }
    fig_set(c, FIG_INK, 1);
    cairo_set_line_width(c->cr, 0.6);
    cairo_rectangle(c->cr, r.x, r.y, r.w, r.h);
    cairo_stroke(c->cr);
    if (p->col_labels) fig_labels_draw_x(c, &p->xl, (const char *const *)p->col_labels, p->cols, r.x, r.w / p->cols, r.y + r.h + 4);
    if (p->row_labels)
        fig_labels_draw_y(c, p->yfont, MAX_LABEL_W, (const char *const *)p->row_labels, p->rows, r.x - 4, r.y, r.h / p->rows);
    double lh = line_height(c, FIG_FONT_LABEL);
    fig_draw_x_title(c, r, p->x_label, r.y + r.h + (p->col_labels ? 4 + p->xl.extent : 0) + 6);
    fig_draw_y_title(c, r, p->y_label, r.x - p->m.l + FIG_PAD + lh / 2);
    if (p->colorbar) fig_colorbar_draw(c, &p->scale, p->value_label, r.x + r.w + 10, r.y, fmax(r.h, 90));
}

/* ---- a labelled heatmap ------------------------------------------------------------------- */
/* Cell size for n cells along an axis: 28 pt each, but at least `least` and at most `most` points
 * in all, and at least a line of text per cell. */
static double cell_for(int n, double least, double most, double *font) {
    return fig_slot_for(n, fmin(most, fmax(least, n * 28.0)), FIG_FONT_TICK, font);
}

static attn_status check_labels(const char *const *l, int n, const char *what) {
    for (int i = 0; l && i < n; i++)
        if (!l[i]) return attn_fail(ATTN_E_INVALID, "figure: %s[%d] is missing", what, i);
    return ATTN_OK;
}

attn_status attn_figure_heatmap(const attn_fig_heatmap *d, const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check(d, "heatmap data");
    if (s == ATTN_OK) s = fig_check_count(d->rows, 1, 4096, "rows");
    if (s == ATTN_OK) s = fig_check_count(d->cols, 1, 4096, "cols");
    if (s == ATTN_OK) s = fig_check(d->values, "values");
    if (s == ATTN_OK) s = check_labels(d->row_labels, d->rows, "row_labels");
    if (s == ATTN_OK) s = check_labels(d->col_labels, d->cols, "col_labels");
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    fig_heat_panel p = {.x_label = d->x_label, .y_label = d->y_label, .value_label = d->value_label,
                        .rows = d->rows, .cols = d->cols, .d = d->values, .colorbar = 1};
    p.row_labels = fig_strings(d->row_labels, d->rows, 0);
    p.col_labels = fig_strings(d->col_labels, d->cols, 0);
    if (!p.row_labels || !p.col_labels) s = attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    if (s == ATTN_OK) {
        fig_heat_scale(&p, d->vmin, d->vmax);
        double fx, fy, cw = cell_for(d->cols, 160, 560, &fx), ch = cell_for(d->rows, 110, 420, &fy);
        fig_panel panel = {fig_heat_panel_measure, fig_heat_panel_draw, &p};
        s = fig_grid_render(&c, d->title, &panel, 1, 1, cw * d->cols, ch * d->rows, NULL, out);
    } else {
        fig_canvas_free(&c);
    }
    fig_strings_free(p.row_labels, d->rows);
    fig_strings_free(p.col_labels, d->cols);
    return s;
}

/* ---- head-statistics grids ------------------------------------------------------------------ */
attn_status attn_figure_head_grids(const attn_fig_head_grids *d, const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check(d, "head grids data");
    if (s == ATTN_OK) s = fig_check_count(d->layers, 1, 256, "layers");
    if (s == ATTN_OK) s = fig_check_count(d->heads, 1, 256, "heads");
    if (s == ATTN_OK) s = fig_check_count(d->n_stats, 1, 16, "n_stats");
    if (s == ATTN_OK) s = fig_check(d->stat_names, "stat_names");
    if (s == ATTN_OK) s = check_labels(d->stat_names, d->n_stats, "stat_names");
    if (s == ATTN_OK) s = fig_check(d->values, "values");
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    char **rows = fig_strings(NULL, d->layers, 0), **cols = fig_strings(NULL, d->heads, 0);
    fig_heat_panel hp[16];
    fig_panel panels[16];
    if (!rows || !cols) s = attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    for (int k = 0; s == ATTN_OK && k < d->n_stats; k++) {
        hp[k] = (fig_heat_panel){.title = d->stat_names[k], .x_label = "Head", .y_label = "Layer",
                                 .rows = d->layers, .cols = d->heads, .d = d->values + (size_t)k * d->layers * d->heads,
                                 .row_labels = rows, .col_labels = cols, .colorbar = 1};
        fig_heat_scale(&hp[k], 0, 0);
        panels[k] = (fig_panel){fig_heat_panel_measure, fig_heat_panel_draw, &hp[k]};
    }
    if (s == ATTN_OK) {
        /* small grids (2 layers) still get panels big enough for their colour scale */
        double f, cw = fig_slot_for(d->heads, fmin(fmax(d->heads * 20.0, 120), 300), FIG_FONT_TICK, &f);
        double ch = fig_slot_for(d->layers, fmin(fmax(d->layers * 20.0, 100), 300), FIG_FONT_TICK, &f);
        int ncols = d->n_stats <= 4 ? 2 : 3;
        if (d->n_stats == 1) ncols = 1;
        s = fig_grid_render(&c, d->title ? d->title : "Head statistics", panels, d->n_stats, ncols, cw * d->heads,
                            ch * d->layers, NULL, out);
    } else {
        fig_canvas_free(&c);
    }
    fig_strings_free(rows, d->layers);
    fig_strings_free(cols, d->heads);
    return s;
}
