/* xy.c — charts on two value axes: the similarity line chart, the seed's 2×2 performance figure
 * (three bar panels and a labelled scatter) and the MDS head map. */
#include <math.h>
#include <stdlib.h>

#include "fig.h"

static double line_height(fig_canvas *c, double font) {
    double w, h;
    fig_text_size(c, "Ag", font, 0, 0, &w, &h);
    return h;
}

/* A plot with a value axis on each side; `content` draws inside it. */
typedef struct xy_panel {
    const char *title, *x_label, *y_label;
    fig_axis x, y;
    fig_margins m;
    void (*content)(fig_canvas *c, struct xy_panel *p, fig_rect plot);
    const void *data;
    double extra_r; /* room on the right (a colour scale) */
} xy_panel;

static void xy_measure(fig_canvas *c, void *self, double plot_w, double plot_h, fig_margins *m) {
    xy_panel *p = self;
    (void)plot_h;
    double lh = line_height(c, FIG_FONT_LABEL), th = line_height(c, FIG_FONT_TICK);
    m->t = fig_panel_title_height(c, p->title) + FIG_PAD;
    m->l = FIG_PAD + (p->y_label ? lh + 6 : 0) + fig_axis_label_width(c, &p->y) + 6;
    m->b = fig_x_tick_gap(c) + th + (p->x_label ? lh + 8 : 0) + FIG_PAD;
    double last = fig_text_width(c, "0000000", FIG_FONT_TICK, 0) / 2; /* last x tick label overhangs */
    m->r = fmax(2 * FIG_PAD, last) + p->extra_r;
    fig_fit_title(c, p->title, plot_w, m);
    p->m = *m;
}

static void xy_draw(fig_canvas *c, void *self, fig_rect r) {
    xy_panel *p = self;
    fig_draw_panel_title(c, r, p->title);
    fig_draw_axes(c, r, &p->x, &p->y);
    cairo_save(c->cr);
    p->content(c, p, r);
    cairo_restore(c->cr);
    double lh = line_height(c, FIG_FONT_LABEL), th = line_height(c, FIG_FONT_TICK);
    fig_draw_x_title(c, r, p->x_label, r.y + r.h + fig_x_tick_gap(c) + th + 6);
    fig_draw_y_title(c, r, p->y_label, r.x - p->m.l + FIG_PAD + lh / 2);
}

static void padded_axis(fig_axis *a, double lo, double hi, int target, double pad) {
    double d = hi - lo;
    if (d <= 0) d = fabs(hi) > 0 ? fabs(hi) : 1;
    fig_axis_nice(a, lo - d * pad, hi + d * pad, target, 0);
}

/* ---- line chart ---------------------------------------------------------------------------- */
static void lines_content(fig_canvas *c, xy_panel *p, fig_rect r) {
    const attn_fig_lines *d = p->data;
    cairo_t *cr = c->cr;
    for (int s = 0; s < d->n_series; s++) {
        fig_set(c, fig_model_color(c, s), 1);
        cairo_set_line_width(cr, 2);
        int pen = 0;
        for (int i = 0; i < d->n_points[s]; i++) {
            double v = d->y[s][i];
            if (!isfinite(v)) { pen = 0; continue; }
            double x = fig_axis_map(&p->x, i, r.x, r.x + r.w), y = fig_axis_map(&p->y, v, r.y + r.h, r.y);
            if (pen) cairo_line_to(cr, x, y);
            else cairo_move_to(cr, x, y);
            pen = 1;
        }
        cairo_stroke(cr);
        for (int i = 0; i < d->n_points[s]; i++) {
            if (!isfinite(d->y[s][i])) continue;
            fig_marker(cr, 0, fig_axis_map(&p->x, i, r.x, r.x + r.w), fig_axis_map(&p->y, d->y[s][i], r.y + r.h, r.y), 3);
            cairo_fill(cr);
            fig_hover(c, fig_axis_map(&p->x, i, r.x, r.x + r.w) - 5, fig_axis_map(&p->y, d->y[s][i], r.y + r.h, r.y) - 5, 10, 10,
                      "%s, %s %d: %.3f", d->series_names[s], d->x_label ? d->x_label : "x", i, d->y[s][i]);
        }
    }
}

attn_status attn_figure_lines(const attn_fig_lines *d, const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check(d, "line chart data");
    if (s == ATTN_OK) s = fig_check_count(d->n_series, 1, 16, "n_series");
    if (s == ATTN_OK) s = fig_check(d->series_names, "series_names");
    if (s == ATTN_OK) s = fig_check(d->n_points, "n_points");
    if (s == ATTN_OK) s = fig_check(d->y, "y");
    int maxn = 1;
    double lo = 0, hi = 0;
    int any = 0;
    for (int k = 0; s == ATTN_OK && k < d->n_series; k++) {
        s = fig_check_count(d->n_points[k], 1, 4096, "n_points");
        if (s == ATTN_OK) s = fig_check(d->y[k], "y[series]");
        if (s == ATTN_OK) s = fig_check(d->series_names[k], "series_names[series]");
        if (s != ATTN_OK) break;
        double a, b;
        if (fig_range(d->y[k], (size_t)d->n_points[k], 0, &a, &b)) {
            lo = any ? fmin(lo, a) : a, hi = any ? fmax(hi, b) : b;
            any = 1;
        }
        if (d->n_points[k] > maxn) maxn = d->n_points[k];
    }
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    xy_panel p = {.x_label = d->x_label, .y_label = d->y_label, .content = lines_content, .data = d};
    fig_axis_nice(&p.x, 0, maxn > 1 ? maxn - 1 : 1, maxn < 12 ? maxn : 10, 1);
    p.x.lo -= 0.3 * p.x.step, p.x.hi += 0.3 * p.x.step; /* markers at the ends stay inside the frame */
    padded_axis(&p.y, lo, hi, 6, 0.05);
    fig_rgb colors[16];
    for (int k = 0; k < d->n_series; k++) colors[k] = fig_model_color(&c, k);
    fig_legend legend = {.n = d->n_series, .names = d->series_names, .colors = colors, .marker = 1};
    fig_panel panel = {xy_measure, xy_draw, &p};
    return fig_grid_render(&c, d->title, &panel, 1, 1, fmax(320, maxn * 40.0), 230, &legend, out);
}

/* ---- performance 2×2 ----------------------------------------------------------------------- */
static void bench_scatter(fig_canvas *c, xy_panel *p, fig_rect r) {
    const attn_fig_bench *d = p->data;
    double th = line_height(c, FIG_FONT_TICK);
    for (int i = 0; i < d->n_models; i++) {
        if (!isfinite(d->time_ms[i]) || !isfinite(d->parameters[i])) continue;
        double x = fig_axis_map(&p->x, d->time_ms[i], r.x, r.x + r.w), y = fig_axis_map(&p->y, d->parameters[i], r.y + r.h, r.y);
        fig_set(c, fig_model_color(c, i), 1);
        fig_marker(c->cr, 0, x, y, 7);
        cairo_fill(c->cr);
        /* label above the point, kept inside the plot */
        double w = fmin(fig_text_width(c, d->model_names[i], FIG_FONT_TICK, 0), r.w);
        double lx = fmin(fmax(x, r.x + w / 2), r.x + r.w - w / 2), ly = y - 9 - th;
        if (ly < r.y) ly = y + 9;
        fig_text(c, d->model_names[i], FIG_FONT_TICK, 0, r.w, lx, ly, 0.5, 0, 0, FIG_INK);
    }
}

attn_status attn_figure_bench(const attn_fig_bench *d, const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check(d, "bench data");
    if (s == ATTN_OK) s = fig_check_count(d->n_models, 1, 64, "n_models");
    if (s == ATTN_OK) s = fig_check(d->model_names, "model_names");
    for (int i = 0; s == ATTN_OK && i < d->n_models; i++) s = fig_check(d->model_names[i], "model_names[i]");
    if (s == ATTN_OK) s = fig_check(d->time_ms, "time_ms");
    if (s == ATTN_OK) s = fig_check(d->memory_mb, "memory_mb");
    if (s == ATTN_OK) s = fig_check(d->parameters, "parameters");
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    const char *const *names = d->model_names;
    fig_bar_panel bp[3] = {
        {.title = "Inference Time", .x_label = "Models", .y_label = "Time (ms)", .n_groups = d->n_models, .n_series = 1,
         .groups = names, .values = d->time_ms, .errors = d->time_std_ms, .color_by_group = 1, .highlight = -1},
        {.title = "Memory Usage", .x_label = "Models", .y_label = "Memory (MB)", .n_groups = d->n_models, .n_series = 1,
         .groups = names, .values = d->memory_mb, .color_by_group = 1, .highlight = -1},
        {.title = "Parameter Count", .x_label = "Models", .y_label = "Parameters", .n_groups = d->n_models, .n_series = 1,
         .groups = names, .values = d->parameters, .color_by_group = 1, .highlight = -1},
    };
    xy_panel sp = {.title = "Speed vs Parameters", .x_label = "Time (ms)", .y_label = "Parameters",
                   .content = bench_scatter, .data = d};
    double x0, x1, y0, y1;
    fig_range(d->time_ms, (size_t)d->n_models, 0, &x0, &x1);
    fig_range(d->parameters, (size_t)d->n_models, 0, &y0, &y1);
    padded_axis(&sp.x, x0, x1, 5, 0.15);
    padded_axis(&sp.y, y0, y1, 5, 0.2);
    fig_panel panels[4] = {{fig_bar_panel_measure, fig_bar_panel_draw, &bp[0]},
                           {fig_bar_panel_measure, fig_bar_panel_draw, &bp[1]},
                           {fig_bar_panel_measure, fig_bar_panel_draw, &bp[2]},
                           {xy_measure, xy_draw, &sp}};
    return fig_grid_render(&c, d->title ? d->title : "Transformer Models Performance", panels, 4, 2,
                           fmax(220, d->n_models * 48.0), 190, NULL, out);
}

/* ---- head map (MDS) ------------------------------------------------------------------------ */
typedef struct head_map {
    const attn_fig_head_map *d;
    const double *xy; /* [n][2] */
    fig_axis layers;  /* colour scale */
} head_map;

static void head_map_content(fig_canvas *c, xy_panel *p, fig_rect r) {
    const head_map *hm = p->data;
    const attn_fig_head_map *d = hm->d;
    cairo_t *cr = c->cr;
    cairo_set_line_width(cr, 0.5);
    for (int i = 0; i < d->n; i++) {
        double x = fig_axis_map(&p->x, hm->xy[2 * i], r.x, r.x + r.w), y = fig_axis_map(&p->y, hm->xy[2 * i + 1], r.y + r.h, r.y);
        double t = (d->layer[i] - hm->layers.lo) / (hm->layers.hi - hm->layers.lo);
        fig_marker(cr, d->model ? d->model[i] : 0, x, y, 4.5);
        fig_hover(c, x - 5, y - 5, 10, 10, "%s%slayer %d", d->model_names ? d->model_names[d->model ? d->model[i] : 0] : "",
                  d->model_names ? ", " : "", d->layer[i]);
        fig_set(c, fig_viridis(t), 1);
        cairo_fill_preserve(cr);
        fig_set(c, fig_hex(0xFFFFFF), 1);
        cairo_stroke(cr);
    }
    fig_colorbar_draw(c, &hm->layers, "Layer", r.x + r.w + 14, r.y, r.h);
}

attn_status attn_figure_head_map(const attn_fig_head_map *d, const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check(d, "head map data");
    if (s == ATTN_OK) s = fig_check_count(d->n, 2, 4096, "n");
    if (s == ATTN_OK) s = fig_check(d->distances, "distances");
    if (s == ATTN_OK) s = fig_check(d->layer, "layer");
    int n_models = d && d->model ? d->n_models : 1;
    if (s == ATTN_OK) s = fig_check_count(n_models, 1, 4, "n_models");
    for (int i = 0; s == ATTN_OK && d->model && i < d->n; i++)
        if (d->model[i] < 0 || d->model[i] >= n_models) s = attn_fail(ATTN_E_INVALID, "figure: model[%d] = %d is not 0..%d", i, d->model[i], n_models - 1);
    if (s != ATTN_OK) return s;
    double *xy = attn_calloc((size_t)d->n * 2, sizeof *xy);
    if (!xy) return attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    if ((s = attn_mds(d->distances, d->n, 2, xy, NULL)) != ATTN_OK) {
        free(xy);
        return s;
    }
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) {
        free(xy);
        return s;
    }
    head_map hm = {.d = d, .xy = xy};
    int lmin = d->layer[0], lmax = d->layer[0];
    for (int i = 1; i < d->n; i++) lmin = d->layer[i] < lmin ? d->layer[i] : lmin, lmax = d->layer[i] > lmax ? d->layer[i] : lmax;
    fig_axis_nice(&hm.layers, lmin, lmax > lmin ? lmax : lmin + 1, 6, 1);
    xy_panel p = {.x_label = "MDS dimension 1", .y_label = "MDS dimension 2", .content = head_map_content, .data = &hm};
    double x0, x1, y0, y1, *col = attn_calloc((size_t)d->n, sizeof *col);
    if (!col) {
        free(xy), fig_canvas_free(&c);
        return attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    }
    for (int i = 0; i < d->n; i++) col[i] = xy[2 * i];
    fig_range(col, (size_t)d->n, 0, &x0, &x1);
    for (int i = 0; i < d->n; i++) col[i] = xy[2 * i + 1];
    fig_range(col, (size_t)d->n, 0, &y0, &y1);
    free(col);
    padded_axis(&p.x, x0, x1, 6, 0.06);
    padded_axis(&p.y, y0, y1, 6, 0.06);
    p.extra_r = 14 + fig_colorbar_width(&c, &hm.layers, "Layer");
    fig_rgb colors[4] = {FIG_MUTED, FIG_MUTED, FIG_MUTED, FIG_MUTED};
    fig_legend legend = {.n = n_models, .names = d->model_names, .colors = colors, .marker = 2};
    fig_panel panel = {xy_measure, xy_draw, &p};
    s = fig_grid_render(&c, d->title ? d->title : "Head map (classical MDS of head distances)", &panel, 1, 1, 360, 360,
                        d->model_names && n_models > 1 ? &legend : NULL, out);
    free(xy);
    return s;
}
