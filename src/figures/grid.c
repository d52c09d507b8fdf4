/* grid.c — panels laid out in rows under a title (and legend), the canvas sized to hold them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fig.h"

double fig_panel_title_height(fig_canvas *c, const char *title) {
    if (!title || !*title) return FIG_PAD;
    double w, h;
    fig_text_size(c, title, FIG_FONT_PANEL, 1, 0, &w, &h);
    return h + FIG_PAD;
}

void fig_draw_panel_title(fig_canvas *c, fig_rect plot, const char *title) {
    if (!title || !*title) return;
    double w, h;
    fig_text_size(c, title, FIG_FONT_PANEL, 1, 0, &w, &h);
    fig_text(c, title, FIG_FONT_PANEL, 1, plot.w + 60, plot.x + plot.w / 2, plot.y - FIG_PAD / 2 - h, 0.5, 0, 0, FIG_INK);
}

/* Margins per column (left/right) and per row (top/bottom): the largest any panel there needs,
 * so plots line up without reserving one panel's labels around all the others. */
typedef struct grid_layout {
    double l[16], r[16], t[64], b[64];
    double w, h;
} grid_layout;

static void grid_measure(fig_canvas *c, const fig_panel *panels, int n, int cols, double plot_w, double plot_h,
                         grid_layout *g) {
    memset(g, 0, sizeof *g);
    for (int i = 0; i < n; i++) {
        fig_margins pm;
        panels[i].measure(c, panels[i].self, plot_w, plot_h, &pm);
        int col = i % cols, row = i / cols;
        g->l[col] = fmax(g->l[col], pm.l), g->r[col] = fmax(g->r[col], pm.r);
        g->t[row] = fmax(g->t[row], pm.t), g->b[row] = fmax(g->b[row], pm.b);
    }
    for (int col = 0; col < cols; col++) g->w += g->l[col] + plot_w + g->r[col];
    for (int row = 0; row < (n + cols - 1) / cols; row++) g->h += g->t[row] + plot_h + g->b[row];
}

attn_status fig_grid_render(fig_canvas *c, const char *title, const fig_panel *panels, int n, int cols,
                            double plot_w, double plot_h, fig_legend *legend, attn_figure **out) {
    *out = NULL;
    if (cols < 1) cols = 1;
    if (cols > n) cols = n;
    if (cols > 16 || (n + cols - 1) / cols > 64) {
        fig_canvas_free(c);
        return attn_fail(ATTN_E_INVALID, "figure: %d panels in %d columns is too many", n, cols);
    }
    grid_layout g;
    grid_measure(c, panels, n, cols, plot_w, plot_h, &g);
    double w = g.w + 2 * FIG_PAD;
    if (title && *title) w = fmax(w, fig_text_width(c, title, FIG_FONT_TITLE, 1) + 4 * FIG_PAD);
    double top = fig_title_height(c, title);
    if (legend) {
        fig_legend_measure(c, legend, fmax(g.w, 200));
        w = fmax(w, legend->w + 2 * FIG_PAD);
        top += legend->h + FIG_PAD;
    }
    attn_status s = fig_canvas_begin(c, w, top + g.h + FIG_PAD);
    if (s != ATTN_OK) {
        fig_canvas_free(c);
        return s;
    }
    fig_draw_title(c, title);
    if (legend) fig_legend_draw(c, legend, (c->w - legend->w) / 2, top - legend->h - FIG_PAD);
    double x0 = (c->w - g.w) / 2, y = top;
    for (int i = 0; i < n; i++) {
        int col = i % cols, row = i / cols;
        if (col == 0 && row > 0) y += g.t[row - 1] + plot_h + g.b[row - 1];
        double x = x0;
        for (int k = 0; k < col; k++) x += g.l[k] + plot_w + g.r[k];
        fig_rect plot = {x + g.l[col], y + g.t[row], plot_w, plot_h};
        panels[i].draw(c, panels[i].self, plot);
    }
    return fig_canvas_finish(c, out);
}

void fig_fit_title(fig_canvas *c, const char *title, double plot_w, fig_margins *m) {
    if (!title || !*title) return;
    double need = fig_text_width(c, title, FIG_FONT_PANEL, 1) + 2 * FIG_PAD, have = m->l + plot_w + m->r;
    if (need > have) m->l += (need - have) / 2, m->r += (need - have) / 2;
}
