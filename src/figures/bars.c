/* bars.c — bar panels and the charts made of them: metric bars per model (the seed's 2×2),
 * grouped bars per domain with a legend, and one token's attention over the tokens. */
#include <math.h>
#include <stdlib.h>

#include "fig.h"

static double line_height(fig_canvas *c, double font) {
    double w, h;
    fig_text_size(c, "Ag", font, 0, 0, &w, &h);
    return h;
}

void fig_bar_panel_measure(fig_canvas *c, void *self, double plot_w, double plot_h, fig_margins *m) {
    fig_bar_panel *p = self;
    size_t n = (size_t)p->n_groups * p->n_series;
    double lo, hi;
    fig_range(p->values, n, 1, &lo, &hi);
    for (size_t i = 0; p->errors && i < n; i++)
        if (isfinite(p->values[i]) && isfinite(p->errors[i])) {
            hi = fmax(hi, p->values[i] + fabs(p->errors[i]));
            lo = fmin(lo, p->values[i] - fabs(p->errors[i]));
        }
    fig_axis_nice(&p->y, lo, hi, (int)fmax(3, plot_h / 35), 0);
    fig_labels_plan(c, p->groups, p->n_groups, plot_w / p->n_groups, FIG_FONT_TICK, &p->labels);
    double lh = line_height(c, FIG_FONT_LABEL);
    m->t = fig_panel_title_height(c, p->title) + FIG_PAD;
    m->l = (p->y_label ? lh + 4 : 0) + fig_axis_label_width(c, &p->y) + 8 + FIG_PAD;
    m->b = 4 + p->labels.extent + (p->x_label ? lh + 6 : 0) + 2 * FIG_PAD;
    m->r = 2 * FIG_PAD;
    fig_fit_title(c, p->title, plot_w, m);
    p->m = *m;
}

static fig_rgb bar_color(fig_canvas *c, const fig_bar_panel *p, int g, int s) {
    if (g == p->highlight) return FIG_ACCENT;
    return fig_model_color(c, p->color_by_group ? g : s);
}

void fig_bar_panel_draw(fig_canvas *c, void *self, fig_rect r) {
    fig_bar_panel *p = self;
    cairo_t *cr = c->cr;
    fig_draw_panel_title(c, r, p->title);
    fig_draw_axes(c, r, NULL, &p->y);
    double slot = r.w / p->n_groups, bw = slot * 0.8 / p->n_series;
    double base = fig_axis_map(&p->y, fmax(p->y.lo, fmin(0, p->y.hi)), r.y + r.h, r.y);
    for (int g = 0; g < p->n_groups; g++)
        for (int s = 0; s < p->n_series; s++) {
            double v = p->values[(size_t)g * p->n_series + s];
            if (!isfinite(v)) continue;
            double x = r.x + g * slot + slot * 0.1 + s * bw, y = fig_axis_map(&p->y, v, r.y + r.h, r.y);
            fig_set(c, bar_color(c, p, g, s), 1);
            cairo_rectangle(cr, x, fmin(y, base), bw * (p->n_series > 1 ? 0.94 : 1), fabs(base - y));
            cairo_fill(cr);
            fig_hover(c, x, fmin(y, base) - (fabs(base - y) < 3 ? 3 : 0), bw, fmax(fabs(base - y), 3), "%s%s%s: %.3f",
                      p->groups[g], p->series ? ", " : "", p->series ? p->series[s] : "", v);
            double e = p->errors ? fabs(p->errors[(size_t)g * p->n_series + s]) : NAN;
            if (isfinite(e) && e > 0) {
                double y0 = fig_axis_map(&p->y, v - e, r.y + r.h, r.y), y1 = fig_axis_map(&p->y, v + e, r.y + r.h, r.y);
                double cx = x + bw / 2;
                fig_set(c, FIG_INK, 1);
                cairo_set_line_width(cr, 0.9);
                cairo_move_to(cr, cx, y0), cairo_line_to(cr, cx, y1);
                cairo_move_to(cr, cx - bw / 5, y0), cairo_line_to(cr, cx + bw / 5, y0);
                cairo_move_to(cr, cx - bw / 5, y1), cairo_line_to(cr, cx + bw / 5, y1);
                cairo_stroke(cr);
            }
        }
    fig_set(c, FIG_INK, 1);
    cairo_set_line_width(cr, 0.9);
    cairo_move_to(cr, r.x, base), cairo_line_to(cr, r.x + r.w, base), cairo_stroke(cr);
    fig_labels_draw_x(c, &p->labels, p->groups, p->n_groups, r.x, slot, r.y + r.h + 4);
    double lh = line_height(c, FIG_FONT_LABEL);
    fig_draw_x_title(c, r, p->x_label, r.y + r.h + 4 + p->labels.extent + 6);
    fig_draw_y_title(c, r, p->y_label, r.x - p->m.l + FIG_PAD + lh / 2);
}

/* ---- the charts ---------------------------------------------------------------------------- */
static attn_status check_names(const char *const *names, int n, const char *what) {
    attn_status s = fig_check(names, what);
    for (int i = 0; s == ATTN_OK && i < n; i++) s = fig_check(names[i], what);
    return s;
}

attn_status attn_figure_metric_bars(const attn_fig_metric_bars *d, const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check(d, "metric bars data");
    if (s == ATTN_OK) s = fig_check_count(d->n_metrics, 1, 16, "n_metrics");
    if (s == ATTN_OK) s = fig_check_count(d->n_models, 1, 64, "n_models");
    if (s == ATTN_OK) s = check_names(d->metric_names, d->n_metrics, "metric_names");
    if (s == ATTN_OK) s = check_names(d->model_names, d->n_models, "model_names");
    if (s == ATTN_OK) s = fig_check(d->values, "values");
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    fig_bar_panel bp[16];
    fig_panel panels[16];
    for (int m = 0; m < d->n_metrics; m++) {
        bp[m] = (fig_bar_panel){.title = d->metric_names[m], .x_label = "Model", .n_groups = d->n_models, .n_series = 1,
                                .groups = d->model_names, .values = d->values + (size_t)m * d->n_models,
                                .color_by_group = 1, .highlight = -1};
        panels[m] = (fig_panel){fig_bar_panel_measure, fig_bar_panel_draw, &bp[m]};
    }
    double plot_w = fmax(200, d->n_models * 48);
    const char *title = d->title ? d->title : "Attention Patterns per Model (Overall Averages)";
    return fig_grid_render(&c, title, panels, d->n_metrics, 2, plot_w, 170, NULL, out);
}

attn_status attn_figure_domain_bars(const attn_fig_domain_bars *d, const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check(d, "domain bars data");
    if (s == ATTN_OK) s = fig_check_count(d->n_metrics, 1, 16, "n_metrics");
    if (s == ATTN_OK) s = fig_check_count(d->n_domains, 1, 64, "n_domains");
    if (s == ATTN_OK) s = fig_check_count(d->n_models, 1, 16, "n_models");
    if (s == ATTN_OK) s = check_names(d->metric_names, d->n_metrics, "metric_names");
    if (s == ATTN_OK) s = check_names(d->domain_names, d->n_domains, "domain_names");
    if (s == ATTN_OK) s = check_names(d->model_names, d->n_models, "model_names");
    if (s == ATTN_OK) s = fig_check(d->values, "values");
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    fig_bar_panel bp[16];
    fig_panel panels[16];
    size_t per = (size_t)d->n_domains * d->n_models;
    for (int m = 0; m < d->n_metrics; m++) {
        bp[m] = (fig_bar_panel){.title = d->metric_names[m], .x_label = "Domain", .n_groups = d->n_domains, .n_series = d->n_models,
                                .groups = d->domain_names, .series = d->model_names, .values = d->values + m * per,
                                .highlight = -1};
        panels[m] = (fig_panel){fig_bar_panel_measure, fig_bar_panel_draw, &bp[m]};
    }
    fig_rgb colors[16];
    for (int i = 0; i < d->n_models; i++) colors[i] = fig_model_color(&c, i);
    fig_legend legend = {.n = d->n_models, .names = d->model_names, .colors = colors};
    double plot_w = fmax(220, d->n_domains * (d->n_models * 13 + 14));
    const char *title = d->title ? d->title : "Attention Patterns by Domain";
    return fig_grid_render(&c, title, panels, d->n_metrics, 2, plot_w, 170, &legend, out);
}

attn_status attn_figure_token_bars(const attn_fig_token_bars *d, const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check(d, "token bars data");
    if (s == ATTN_OK) s = fig_check_count(d->n_tokens, 1, 4096, "n_tokens");
    if (s == ATTN_OK) s = check_names(d->tokens, d->n_tokens, "tokens");
    if (s == ATTN_OK) s = fig_check(d->values, "values");
    if (s == ATTN_OK && (d->highlight < -1 || d->highlight >= d->n_tokens))
        s = attn_fail(ATTN_E_INVALID, "figure: highlight %d is not a token (0..%d or -1)", d->highlight, d->n_tokens - 1);
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    double font;
    double slot = fig_slot_for(d->n_tokens, fmax(360, fmin(d->n_tokens * 22.0, 900)), FIG_FONT_TICK, &font);
    fig_bar_panel bp = {.x_label = "Token", .y_label = d->y_label ? d->y_label : "Attention", .n_groups = d->n_tokens,
                        .n_series = 1, .groups = d->tokens, .values = d->values, .highlight = d->highlight};
    fig_panel panel = {fig_bar_panel_measure, fig_bar_panel_draw, &bp};
    return fig_grid_render(&c, d->title, &panel, 1, 1, slot * d->n_tokens, 180, NULL, out);
}
