/* matrix.c — paints a matrix of values as coloured cells (viridis). */
#include <math.h>
#include <stdlib.h>

#include "fig.h"

#define VECTOR_CELLS 2500 /* up to this many cells as rectangles; beyond, one image */

static double value_at(const float *f, const double *d, size_t i) { return f ? (double)f[i] : d[i]; }

static double norm(double v, double vmin, double vmax) {
    if (isnan(v)) return NAN;
    return vmax > vmin ? (v - vmin) / (vmax - vmin) : 0.5;
}

static void paint_cells(fig_canvas *c, fig_rect r, int rows, int cols, const float *f, const double *d,
                        double vmin, double vmax) {
    double cw = r.w / cols, ch = r.h / rows;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            fig_set(c, fig_viridis(norm(value_at(f, d, (size_t)i * cols + j), vmin, vmax)), 1);
            /* a hair of overlap so anti-aliased edges show no seams between cells */
            double ox = j + 1 < cols ? 0.3 : 0, oy = i + 1 < rows ? 0.3 : 0;
            cairo_rectangle(c->cr, r.x + j * cw, r.y + i * ch, cw + ox, ch + oy);
            cairo_fill(c->cr);
        }
}

/* Each cell k×k pixels (k from the cell size), drawn without smoothing. */
static void paint_image(fig_canvas *c, fig_rect r, int rows, int cols, const float *f, const double *d,
                        double vmin, double vmax) {
    double cell = fmin(r.w / cols, r.h / rows);
    int k = (int)ceil(cell * 3);
    if (k < 1) k = 1;
    if (k > 16) k = 16;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, cols * k, rows * k);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return;
    }
    cairo_surface_flush(img);
    unsigned char *px = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            fig_rgb col = fig_viridis(norm(value_at(f, d, (size_t)i * cols + j), vmin, vmax));
            uint32_t v = (uint32_t)lround(col.r * 255) << 16 | (uint32_t)lround(col.g * 255) << 8 | (uint32_t)lround(col.b * 255);
            for (int y = 0; y < k; y++) {
                uint32_t *row = (uint32_t *)(px + (size_t)(i * k + y) * stride) + (size_t)j * k;
                for (int x = 0; x < k; x++) row[x] = v;
            }
        }
    cairo_surface_mark_dirty(img);
    cairo_t *cr = c->cr;
    cairo_save(cr);
    cairo_translate(cr, r.x, r.y);
    cairo_scale(cr, r.w / (cols * k), r.h / (rows * k));
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, 0, 0, cols * k, rows * k);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
}

void fig_matrix_paint(fig_canvas *c, fig_rect r, int rows, int cols, const float *f, const double *d,
                      double vmin, double vmax) {
    if ((size_t)rows * cols <= VECTOR_CELLS) paint_cells(c, r, rows, cols, f, d, vmin, vmax);
    else paint_image(c, r, rows, cols, f, d, vmin, vmax);
}
