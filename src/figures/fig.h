/* fig.h — the drawing layer shared by every chart (src/figures/): a canvas (cairo recording
 * surface + pango context), text placed by measured extents, axes and ticks, colours, legends.
 *
 * A chart first measures (text extents need only the pango context), then fixes its size with
 * fig_canvas_begin and draws once, through a tee, into a recording surface and an SVG surface;
 * output.c replays the recording into PDF or PNG and hands out the SVG bytes. Hinting and glyph-position rounding are off, so text metrics are the
 * same for every output and every scale. Units are points; y grows downwards. */
#ifndef ATTN_FIG_H
#define ATTN_FIG_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include "common.h"

/* ---- sizes (points) ----------------------------------------------------------------------- */
#define FIG_FONT_TITLE 15.0 /* figure title */
#define FIG_FONT_PANEL 12.0 /* panel title */
#define FIG_FONT_LABEL 10.5 /* axis titles */
#define FIG_FONT_TICK 9.0   /* tick labels, legends */
#define FIG_FONT_MIN 6.5    /* smallest font used for many token labels */
#define FIG_PAD 6.0

typedef struct fig_rgb {
    double r, g, b;
} fig_rgb;

typedef struct fig_rect {
    double x, y, w, h;
} fig_rect;

typedef struct fig_margins {
    double l, r, t, b;
} fig_margins;

struct attn_figure {
    cairo_surface_t *rec; /* recording surface, extents (0, 0, w, h): replayed into PNG and PDF */
    char *svg;            /* the SVG document, drawn at the same time (cairo's SVG backend leaks a
                             document per replayed recording surface in 1.16, so SVG is not replayed) */
    size_t svg_len;
    char *hover;          /* the marks' values as SVG <rect><title> (hover.c), or NULL */
    double w, h;          /* points */
    int dpi;
};

typedef struct fig_canvas {
    PangoContext *pango;
    cairo_surface_t *rec, *svg, *tee; /* NULL while measuring; drawing goes to tee = rec + svg */
    attn_strbuf svg_bytes;
    attn_strbuf hover; /* fig_hover's rectangles */
    int n_hover;
    cairo_t *cr;
    attn_figure_style style;
    double w, h;
} fig_canvas;

/* ---- canvas (canvas.c) -------------------------------------------------------------------- */
/* Measuring state: text can be measured, nothing drawn yet. s NULL = defaults. */
attn_status fig_canvas_init(fig_canvas *c, const attn_figure_style *s);
/* Fixes the size (rounded up to whole points), paints the white background. */
attn_status fig_canvas_begin(fig_canvas *c, double w, double h);
/* Hands the drawing to a new figure; releases the canvas in every case. */
attn_status fig_canvas_finish(fig_canvas *c, attn_figure **out);
void fig_canvas_free(fig_canvas *c);
/* Pixel size of the figure's PNG at its dpi (output.c). */
void fig_png_size(const attn_figure *f, int *pw, int *ph);

/* ---- values on hover (hover.c) ------------------------------------------------------------ */
/* Records the value of the mark drawn in the user-space box (x, y, w, h) while drawing (nothing
 * while measuring); printf-style text. */
void fig_hover(fig_canvas *c, double x, double y, double w, double h, const char *fmt, ...) ATTN_PRINTF(6, 7);
/* svg with <g class="attn-values">values</g> before its closing tag (malloc'ed; NULL: no memory). */
char *fig_svg_with_values(const char *svg, const char *values);

/* ---- colours (color.c) -------------------------------------------------------------------- */
fig_rgb fig_hex(uint32_t rgb);
void fig_set(fig_canvas *c, fig_rgb col, double alpha);
fig_rgb fig_model_color(const fig_canvas *c, int i);
/* Colour of head h in the head view (a 12-colour qualitative palette, cycled). */
fig_rgb fig_head_color(int h);
/* viridis at t in [0, 1] (clamped; NaN → light grey). */
fig_rgb fig_viridis(double t);
#define FIG_INK fig_hex(0x222222)
#define FIG_GRID fig_hex(0xDDDDDD)
#define FIG_MUTED fig_hex(0x555555)
#define FIG_ACCENT fig_hex(0xE69F00)

/* ---- text (text.c) ------------------------------------------------------------------------ */
/* Logical extents of one line of text; max_w > 0 ellipsizes to that width. */
void fig_text_size(fig_canvas *c, const char *text, double size, int bold, double max_w, double *w, double *h);
double fig_text_width(fig_canvas *c, const char *text, double size, int bold);
/* Bounding box of a w×h box rotated by deg degrees. */
void fig_rotated_size(double w, double h, double deg, double *bw, double *bh);
/* Draws text so that the point (ax, ay) of its box (0..1 of width, height, in the text's own
 * frame) lands on (x, y), rotated counter-clockwise by deg degrees about that point. */
void fig_text(fig_canvas *c, const char *text, double size, int bold, double max_w, double x, double y,
              double ax, double ay, double deg, fig_rgb col);

/* ---- ticks and axes (axes.c) -------------------------------------------------------------- */
#define FIG_MAX_TICKS 24
typedef struct fig_axis {
    double lo, hi; /* axis range (the ticks' span, extended to nice numbers) */
    double step;
    int n;
    double v[FIG_MAX_TICKS];
    int integer; /* ticks at whole numbers only */
} fig_axis;
/* Nice ticks (1, 2, 5 × 10^k) over [lo, hi], about `target` of them; extends lo/hi to ticks. */
void fig_axis_nice(fig_axis *a, double lo, double hi, int target, int integer);
/* Range of the finite values of v[n] (and 0 when with_zero). 0 if none is finite. */
int fig_range(const double *v, size_t n, int with_zero, double *lo, double *hi);
/* Tick label: decimals from the step, thousands as k/M/B. */
void fig_tick_label(const fig_axis *a, double v, char *buf, size_t size);
double fig_axis_label_width(fig_canvas *c, const fig_axis *a);
double fig_axis_map(const fig_axis *a, double v, double p0, double p1);
/* Frame, grid lines and tick labels on the left (y) and, if x non-NULL, the bottom, starting
 * fig_x_tick_gap below the plot. */
double fig_x_tick_gap(fig_canvas *c);
void fig_draw_axes(fig_canvas *c, fig_rect plot, const fig_axis *x, const fig_axis *y);
/* Axis titles: x centred under the plot at y_top; y rotated, centred on the plot, at x_left. */
void fig_draw_x_title(fig_canvas *c, fig_rect plot, const char *title, double y_top);
void fig_draw_y_title(fig_canvas *c, fig_rect plot, const char *title, double x_left);

/* Category labels under (or beside) equal slots: horizontal when they fit, else 45° or 90°;
 * the font shrinks (down to FIG_FONT_MIN) before labels would overlap. */
typedef struct fig_labels {
    double font, deg, extent; /* extent: the space the labels need across the axis */
    double max_w;             /* labels longer than this are ellipsized */
} fig_labels;
void fig_labels_plan(fig_canvas *c, const char *const *labels, int n, double slot, double font, fig_labels *p);
/* Slot size for n labels within `want` points: at least one line of text per slot. */
double fig_slot_for(int n, double want, double font, double *font_out);
void fig_labels_draw_x(fig_canvas *c, const fig_labels *p, const char *const *labels, int n, double x0,
                       double slot, double y);
/* Row labels right-aligned to x, slot i centred at y0 + (i + 0.5) * slot. */
void fig_labels_draw_y(fig_canvas *c, double font, double max_w, const char *const *labels, int n, double x,
                       double y0, double slot);
double fig_labels_width(fig_canvas *c, const char *const *labels, int n, double font, double max_w);

/* Legend: one coloured swatch and name per entry, in rows no wider than max_w. */
typedef struct fig_legend {
    int n;
    const char *const *names;
    const fig_rgb *colors;
    int marker; /* 0 = square swatch, 1 = line with dot, 2 = marker shape i (fig_marker) */
    double w, h, row_h; /* set by measure */
} fig_legend;
void fig_legend_measure(fig_canvas *c, fig_legend *l, double max_w);
void fig_legend_draw(fig_canvas *c, const fig_legend *l, double x, double y);

/* ---- colour scale (colorbar.c) ------------------------------------------------------------ */
#define FIG_COLORBAR_W 12.0
/* Width a vertical colour bar with its tick labels (and rotated title) needs. */
double fig_colorbar_width(fig_canvas *c, const fig_axis *a, const char *title);
void fig_colorbar_draw(fig_canvas *c, const fig_axis *a, const char *title, double x, double y, double h);

/* ---- matrices (matrix.c) ------------------------------------------------------------------ */
/* Paints rows × cols cells into r with viridis over [vmin, vmax]; exactly one of f, d is given
 * ([rows][cols]). Small matrices as rectangles, large ones as one image (integer upscaled). */
void fig_matrix_paint(fig_canvas *c, fig_rect r, int rows, int cols, const float *f, const double *d,
                      double vmin, double vmax);

/* ---- panels in a grid (grid.c) ------------------------------------------------------------ */
/* A panel measures the margins its labels need around a plot of the given size, then draws. */
typedef struct fig_panel {
    void (*measure)(fig_canvas *c, void *self, double plot_w, double plot_h, fig_margins *m);
    void (*draw)(fig_canvas *c, void *self, fig_rect plot);
    void *self;
} fig_panel;
/* Lays n panels out `cols` per row with equal margins (so plots line up), the title and an
 * optional legend on top; sizes the canvas to fit everything; draws; returns the figure. */
attn_status fig_grid_render(fig_canvas *c, const char *title, const fig_panel *panels, int n, int cols,
                            double plot_w, double plot_h, fig_legend *legend, attn_figure **out);

/* ---- bar panels (bars.c) ------------------------------------------------------------------ */
typedef struct fig_bar_panel {
    const char *title, *x_label, *y_label;
    int n_groups, n_series;
    const char *const *groups; /* [n_groups] x labels */
    const char *const *series; /* [n_series] names for the values on hover, or NULL */
    const double *values;      /* [n_groups][n_series] */
    const double *errors;      /* [n_groups][n_series] ± bars, or NULL */
    int color_by_group;        /* bar colour = model colour of its group (else of its series) */
    int highlight;             /* group in the accent colour, -1 = none */
    fig_axis y;                /* set by measure */
    fig_labels labels;
    fig_margins m;
} fig_bar_panel;
void fig_bar_panel_measure(fig_canvas *c, void *self, double plot_w, double plot_h, fig_margins *m);
void fig_bar_panel_draw(fig_canvas *c, void *self, fig_rect plot);
/* Space a panel title takes above a plot. */
double fig_panel_title_height(fig_canvas *c, const char *title);
void fig_draw_panel_title(fig_canvas *c, fig_rect plot, const char *title);
/* Widens the side margins so a panel title wider than its plot stays within the panel. */
void fig_fit_title(fig_canvas *c, const char *title, double plot_w, fig_margins *m);
/* Marker shapes: 0 circle, 1 square, 2 triangle, 3 diamond (a path; fill or stroke it). */
void fig_marker(cairo_t *cr, int shape, double x, double y, double r);

/* ---- heatmap panels (heatmap.c) ----------------------------------------------------------- */
typedef struct fig_heat_panel {
    const char *title, *x_label, *y_label, *value_label;
    int rows, cols;
    const float *f;          /* [rows][cols], or */
    const double *d;         /* [rows][cols] */
    char **row_labels;       /* [rows] or NULL (none drawn) */
    char **col_labels;       /* [cols] or NULL */
    fig_axis scale;          /* colour scale range and ticks (fig_heat_scale) */
    int colorbar;            /* draw the colour scale on the right */
    fig_labels xl;           /* set by measure */
    double yfont;
    fig_margins m;
} fig_heat_panel;
/* The colour scale over [vmin, vmax], or over the finite data when vmin >= vmax. */
void fig_heat_scale(fig_heat_panel *p, double vmin, double vmax);
void fig_heat_panel_measure(fig_canvas *c, void *self, double plot_w, double plot_h, fig_margins *m);
void fig_heat_panel_draw(fig_canvas *c, void *self, fig_rect plot);

/* ---- shared chart pieces ------------------------------------------------------------------ */
/* Figure title centred at the top; returns the height it takes. */
double fig_title_height(fig_canvas *c, const char *title);
void fig_draw_title(fig_canvas *c, const char *title);
/* A copy of the texts (NULL entries → ""), or default labels "0", "1", ... when src is NULL.
 * Free with fig_strings_free. NULL on allocation failure. */
char **fig_strings(const char *const *src, int n, int first);
void fig_strings_free(char **s, int n);
/* Checks that an array is given and counts are in range; ATTN_E_INVALID naming `what`. */
attn_status fig_check(const void *p, const char *what);
attn_status fig_check_count(int n, int lo, int hi, const char *what);
/* attention.c: the attention data of a figure is complete and consistent; the layer exists. */
attn_status fig_check_attention(const attn_fig_attention *a);
attn_status fig_check_layer(const attn_fig_attention *a, int layer);

#endif
