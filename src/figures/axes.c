/* axes.c — nice ticks, value axes with grid lines, category labels that never overlap, legends. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fig.h"

#define LINE_H 1.3 /* slot per line of text, in font sizes (DejaVu Sans lines are 1.164) */

int fig_range(const double *v, size_t n, int with_zero, double *lo, double *hi) {
    int any = 0;
    *lo = *hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) continue;
        if (!any || v[i] < *lo) *lo = v[i];
        if (!any || v[i] > *hi) *hi = v[i];
        any = 1;
    }
    if (with_zero) *lo = fmin(*lo, 0), *hi = fmax(*hi, 0);
    return any;
}

void fig_axis_nice(fig_axis *a, double lo, double hi, int target, int integer) {
    memset(a, 0, sizeof *a);
    a->integer = integer;
    if (!isfinite(lo) || !isfinite(hi)) lo = 0, hi = 1;
    if (hi < lo) { double t = lo; lo = hi, hi = t; }
    if (hi - lo < 1e-12 * fmax(1, fabs(hi))) { /* a constant: a range around it (0 → 0..1) */
        if (lo == 0) hi = 1;
        else lo -= fabs(lo) * 0.1, hi += fabs(hi) * 0.1;
    }
    if (target < 2) target = 2;
    for (;;) {
        double raw = (hi - lo) / target, mag = pow(10, floor(log10(raw))), norm = raw / mag;
        double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
        if (integer && step < 1) step = 1;
        double a0 = floor(lo / step + 1e-9) * step, a1 = ceil(hi / step - 1e-9) * step;
        int n = (int)floor((a1 - a0) / step + 0.5) + 1;
        if (n <= FIG_MAX_TICKS) {
            a->lo = a0, a->hi = a1, a->step = step, a->n = n;
            for (int i = 0; i < n; i++) {
                a->v[i] = a0 + i * step;
                if (fabs(a->v[i]) < step * 1e-9) a->v[i] = 0;
            }
            return;
        }
        target = target * 2 / 3;
    }
}

void fig_tick_label(const fig_axis *a, double v, char *buf, size_t size) {
    double big = fmax(fabs(a->lo), fabs(a->hi)), scale = 1;
    const char *suffix = "";
    if (big >= 1e9) scale = 1e9, suffix = "B";
    else if (big >= 1e6) scale = 1e6, suffix = "M";
    else if (big >= 1e4) scale = 1e3, suffix = "k";
    double step = a->step / scale;
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 8) dec = 8;
    if (v == 0) suffix = "";
    snprintf(buf, size, "%.*f%s", dec, v / scale, suffix);
}

double fig_axis_label_width(fig_canvas *c, const fig_axis *a) {
    double w = 0;
    char buf[64];
    for (int i = 0; i < a->n; i++) {
        fig_tick_label(a, a->v[i], buf, sizeof buf);
        w = fmax(w, fig_text_width(c, buf, FIG_FONT_TICK, 0));
    }
    return w;
}

double fig_axis_map(const fig_axis *a, double v, double p0, double p1) {
    return p0 + (v - a->lo) / (a->hi - a->lo) * (p1 - p0);
}

double fig_x_tick_gap(fig_canvas *c) {
    double w, h;
    fig_text_size(c, "Ag", FIG_FONT_TICK, 0, 0, &w, &h);
    return 4 + h / 2; /* below the lowest y tick label, which is centred on the x axis */
}

void fig_draw_axes(fig_canvas *c, fig_rect r, const fig_axis *x, const fig_axis *y) {
    cairo_t *cr = c->cr;
    char buf[64];
    cairo_set_line_width(cr, 0.6);
    for (int i = 0; y && i < y->n; i++) {
        double py = fig_axis_map(y, y->v[i], r.y + r.h, r.y);
        fig_set(c, FIG_GRID, 1);
        cairo_move_to(cr, r.x, py), cairo_line_to(cr, r.x + r.w, py), cairo_stroke(cr);
        fig_tick_label(y, y->v[i], buf, sizeof buf);
        fig_text(c, buf, FIG_FONT_TICK, 0, 0, r.x - 4, py, 1, 0.5, 0, FIG_MUTED);
    }
    for (int i = 0; x && i < x->n; i++) {
        double px = fig_axis_map(x, x->v[i], r.x, r.x + r.w);
        fig_set(c, FIG_GRID, 1);
        cairo_move_to(cr, px, r.y), cairo_line_to(cr, px, r.y + r.h), cairo_stroke(cr);
        fig_tick_label(x, x->v[i], buf, sizeof buf);
        fig_text(c, buf, FIG_FONT_TICK, 0, 0, px, r.y + r.h + fig_x_tick_gap(c), 0.5, 0, 0, FIG_MUTED);
    }
    fig_set(c, FIG_INK, 1);
    cairo_set_line_width(cr, 0.9);
    cairo_move_to(cr, r.x, r.y), cairo_line_to(cr, r.x, r.y + r.h), cairo_line_to(cr, r.x + r.w, r.y + r.h);
    cairo_stroke(cr);
}

void fig_draw_x_title(fig_canvas *c, fig_rect plot, const char *title, double y_top) {
    if (title && *title) fig_text(c, title, FIG_FONT_LABEL, 0, plot.w + 40, plot.x + plot.w / 2, y_top, 0.5, 0, 0, FIG_INK);
}

void fig_draw_y_title(fig_canvas *c, fig_rect plot, const char *title, double x_left) {
    if (title && *title)
        fig_text(c, title, FIG_FONT_LABEL, 0, plot.h + 40, x_left, plot.y + plot.h / 2, 0.5, 0, 90, FIG_INK);
}

/* ---- category labels ----------------------------------------------------------------------- */
double fig_slot_for(int n, double want, double font, double *font_out) {
    double slot = want / (n > 0 ? n : 1);
    if (slot < font * LINE_H) font = fmax(FIG_FONT_MIN, slot / LINE_H);
    if (slot < font * LINE_H) slot = font * LINE_H;
    *font_out = font;
    return slot;
}

double fig_labels_width(fig_canvas *c, const char *const *labels, int n, double font, double max_w) {
    double w = 0;
    for (int i = 0; i < n; i++) {
        double tw, th;
        fig_text_size(c, labels[i], font, 0, max_w, &tw, &th);
        w = fmax(w, tw);
    }
    return w;
}

void fig_labels_plan(fig_canvas *c, const char *const *labels, int n, double slot, double font, fig_labels *p) {
    if (slot < font * LINE_H) font = fmax(FIG_FONT_MIN, slot / LINE_H);
    p->font = font;
    p->max_w = 110;
    double w = fig_labels_width(c, labels, n, font, p->max_w), lw, lh;
    fig_text_size(c, "Ag", font, 0, 0, &lw, &lh);
    if (w <= slot * 0.92) p->deg = 0, p->extent = lh;
    else p->deg = 90, p->extent = w;
}

void fig_labels_draw_x(fig_canvas *c, const fig_labels *p, const char *const *labels, int n, double x0,
                       double slot, double y) {
    for (int i = 0; i < n; i++) {
        double cx = x0 + (i + 0.5) * slot;
        if (p->deg == 0) fig_text(c, labels[i], p->font, 0, p->max_w, cx, y, 0.5, 0, 0, FIG_INK);
        else fig_text(c, labels[i], p->font, 0, p->max_w, cx, y, 1, 0.5, 90, FIG_INK);
    }
}

void fig_labels_draw_y(fig_canvas *c, double font, double max_w, const char *const *labels, int n, double x,
                       double y0, double slot) {
    for (int i = 0; i < n; i++) fig_text(c, labels[i], font, 0, max_w, x, y0 + (i + 0.5) * slot, 1, 0.5, 0, FIG_INK);
}

/* ---- legends -------------------------------------------------------------------------------- */
#define SWATCH 10.0
#define ENTRY_GAP 14.0

static double entry_width(fig_canvas *c, const fig_legend *l, int i) {
    double tw, th;
    fig_text_size(c, l->names[i], FIG_FONT_TICK, 0, 160, &tw, &th);
    return SWATCH + (l->marker == 1 ? 8 : 0) + 5 + tw + ENTRY_GAP;
}

/* Entries flow left to right and wrap at max_w (l->w, set by measure). */
static void legend_flow(fig_canvas *c, const fig_legend *l, double max_w, double x, double y, int draw, double *w, double *h) {
    double cx = 0, cy = 0, widest = 0;
    for (int i = 0; i < l->n; i++) {
        double ew = entry_width(c, l, i);
        if (cx > 0 && cx + ew - ENTRY_GAP > max_w) cx = 0, cy += l->row_h;
        if (draw) {
            double ex = x + cx, mid = y + cy + l->row_h / 2;
            cairo_t *cr = c->cr;
            fig_set(c, l->colors[i], 1);
            if (l->marker == 2) {
                fig_marker(cr, i, ex + SWATCH / 2, mid, SWATCH / 2 - 0.5);
                cairo_fill(cr);
            } else if (l->marker) {
                cairo_set_line_width(cr, 2);
                cairo_move_to(cr, ex, mid), cairo_line_to(cr, ex + SWATCH + 8, mid), cairo_stroke(cr);
                cairo_arc(cr, ex + (SWATCH + 8) / 2, mid, 3, 0, 2 * M_PI), cairo_fill(cr);
            } else {
                cairo_rectangle(cr, ex, mid - SWATCH / 2, SWATCH, SWATCH), cairo_fill(cr);
            }
            fig_text(c, l->names[i], FIG_FONT_TICK, 0, 160, ex + SWATCH + (l->marker == 1 ? 8 : 0) + 5, mid, 0, 0.5, 0, FIG_INK);
        }
        cx += ew;
        widest = fmax(widest, cx - ENTRY_GAP);
    }
    *w = widest, *h = cy + l->row_h;
}

void fig_legend_measure(fig_canvas *c, fig_legend *l, double max_w) {
    double tw, th;
    fig_text_size(c, "Ag", FIG_FONT_TICK, 0, 0, &tw, &th);
    l->row_h = fmax(th, SWATCH) + 4;
    legend_flow(c, l, max_w, 0, 0, 0, &l->w, &l->h);
}

void fig_legend_draw(fig_canvas *c, const fig_legend *l, double x, double y) {
    double w, h;
    legend_flow(c, l, l->w, x, y, 1, &w, &h);
}

void fig_marker(cairo_t *cr, int shape, double x, double y, double r) {
    switch (shape % 4) {
    case 0: cairo_arc(cr, x, y, r, 0, 2 * M_PI); break;
    case 1: cairo_rectangle(cr, x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8); break;
    case 2:
        cairo_move_to(cr, x, y - r * 1.15), cairo_line_to(cr, x + r, y + r * 0.75), cairo_line_to(cr, x - r, y + r * 0.75);
        cairo_close_path(cr);
        break;
    default:
        cairo_move_to(cr, x, y - r * 1.2), cairo_line_to(cr, x + r, y), cairo_line_to(cr, x, y + r * 1.2), cairo_line_to(cr, x - r, y);
        cairo_close_path(cr);
    }
}

