/* colorbar.c — the vertical viridis colour scale with its numbers, beside every heatmap. */
#include <math.h>
#include <stdio.h>

#include "fig.h"

double fig_colorbar_width(fig_canvas *c, const fig_axis *a, const char *title) {
    double w = FIG_COLORBAR_W + 4 + fig_axis_label_width(c, a);
    if (title && *title) {
        double tw, th;
        fig_text_size(c, title, FIG_FONT_TICK, 0, 0, &tw, &th);
        w += 6 + th;
    }
    return w;
}

void fig_colorbar_draw(fig_canvas *c, const fig_axis *a, const char *title, double x, double y, double h) {
    cairo_t *cr = c->cr;
    cairo_pattern_t *g = cairo_pattern_create_linear(0, y + h, 0, y);
    for (int i = 0; i <= 10; i++) {
        fig_rgb col = fig_viridis(i / 10.0);
        cairo_pattern_add_color_stop_rgb(g, i / 10.0, col.r, col.g, col.b);
    }
    cairo_rectangle(cr, x, y, FIG_COLORBAR_W, h);
    cairo_set_source(cr, g);
    cairo_fill(cr);
    cairo_pattern_destroy(g);
    fig_set(c, FIG_INK, 1);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, x, y, FIG_COLORBAR_W, h);
    cairo_stroke(cr);
    char buf[64];
    double lw = 0;
    for (int i = 0; i < a->n; i++) {
        double py = fig_axis_map(a, a->v[i], y + h, y);
        cairo_move_to(cr, x + FIG_COLORBAR_W, py), cairo_line_to(cr, x + FIG_COLORBAR_W + 3, py), cairo_stroke(cr);
        fig_tick_label(a, a->v[i], buf, sizeof buf);
        fig_text(c, buf, FIG_FONT_TICK, 0, 0, x + FIG_COLORBAR_W + 4, py, 0, 0.5, 0, FIG_MUTED);
        lw = fmax(lw, fig_text_width(c, buf, FIG_FONT_TICK, 0));
    }
    if (title && *title) {
        double tw, th;
        fig_text_size(c, title, FIG_FONT_TICK, 0, 0, &tw, &th);
        fig_text(c, title, FIG_FONT_TICK, 0, h, x + FIG_COLORBAR_W + 4 + lw + 6, y + h / 2, 0.5, 0, 90, FIG_INK);
    }
}
