/* headview.c — a static head view (after bertviz): the tokens in two columns, a line from token i
 * on the left (attending) to token j on the right (attended to) with opacity = weight, one colour
 * per head. */
#include <math.h>
#include <stdlib.h>

#include "fig.h"

#define GAP 170.0        /* between the two token columns, where the lines run */
#define MIN_WEIGHT 0.01  /* lighter lines are invisible; skipping them keeps files small */
#define MAX_LABEL_W 120.0

typedef struct head_view {
    const attn_fig_attention *a;
    int layer, n_heads;
    const int32_t *heads;
    double font, slot, label_w;
} head_view;

static void draw_lines(fig_canvas *c, const head_view *v, double xl, double xr, double y0) {
    cairo_t *cr = c->cr;
    size_t T = (size_t)v->a->len;
    cairo_set_line_width(cr, 1.4);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (int k = 0; k < v->n_heads; k++) {
        int h = v->heads ? v->heads[k] : k;
        const float *m = v->a->attentions + ((size_t)v->layer * v->a->heads + h) * T * T; /* [T][T] */
        fig_rgb col = fig_head_color(h);
        for (size_t i = 0; i < T; i++)
            for (size_t j = 0; j < T; j++) {
                double w = m[i * T + j];
                if (!(w >= MIN_WEIGHT)) continue;
                fig_set(c, col, fmin(1, w));
                cairo_move_to(cr, xl, y0 + (i + 0.5) * v->slot);
                cairo_line_to(cr, xr, y0 + (j + 0.5) * v->slot);
                cairo_stroke(cr);
            }
    }
}

static void draw_columns(fig_canvas *c, const head_view *v, double xl, double xr, double y0) {
    for (int i = 0; i < v->a->len; i++) {
        double y = y0 + (i + 0.5) * v->slot;
        fig_text(c, v->a->tokens[i], v->font, 0, MAX_LABEL_W, xl - 5, y, 1, 0.5, 0, FIG_INK);
        fig_text(c, v->a->tokens[i], v->font, 0, MAX_LABEL_W, xr + 5, y, 0, 0.5, 0, FIG_INK);
    }
    fig_text(c, "attending", FIG_FONT_TICK, 1, 0, xl - 5, y0 - 4, 1, 1, 0, FIG_MUTED);
    fig_text(c, "attended to", FIG_FONT_TICK, 1, 0, xr + 5, y0 - 4, 0, 1, 0, FIG_MUTED);
}

static attn_status render(fig_canvas *c, head_view *v, const char *title, attn_figure **out) {
    fig_rgb colors[256];
    char **names = attn_calloc((size_t)v->n_heads, sizeof *names);
    attn_status s = names ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    for (int k = 0; s == ATTN_OK && k < v->n_heads; k++) {
        int h = v->heads ? v->heads[k] : k;
        colors[k] = fig_head_color(h);
        if (!(names[k] = attn_asprintf("Head %d", h))) s = attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    }
    if (s == ATTN_OK) {
        v->slot = fig_slot_for(v->a->len, fmin(v->a->len * 16.0, 900), FIG_FONT_TICK, &v->font);
        v->label_w = fig_labels_width(c, v->a->tokens, v->a->len, v->font, MAX_LABEL_W);
        double colw = fmax(v->label_w, fig_text_width(c, "attended to", FIG_FONT_TICK, 1)) + 5;
        double body_w = 2 * colw + GAP;
        fig_legend legend = {.n = v->n_heads, .names = (const char *const *)names, .colors = colors, .marker = 1};
        fig_legend_measure(c, &legend, fmax(body_w, 300));
        double w = fmax(fmax(body_w, legend.w) + 2 * FIG_PAD, fig_text_width(c, title, FIG_FONT_TITLE, 1) + 4 * FIG_PAD);
        double top = fig_title_height(c, title) + legend.h + FIG_PAD + 18;
        double h = top + v->slot * v->a->len + 2 * FIG_PAD;
        if ((s = fig_canvas_begin(c, w, h)) == ATTN_OK) {
            double xl = (c->w - body_w) / 2 + colw, xr = xl + GAP;
            fig_draw_title(c, title);
            fig_legend_draw(c, &legend, (c->w - legend.w) / 2, top - legend.h - FIG_PAD - 18);
            draw_lines(c, v, xl, xr, top);
            draw_columns(c, v, xl, xr, top);
            s = fig_canvas_finish(c, out);
        } else {
            fig_canvas_free(c);
        }
    } else {
        fig_canvas_free(c);
    }
    for (int k = 0; names && k < v->n_heads; k++) free(names[k]);
    free(names);
    return s;
}

attn_status attn_figure_head_view(const attn_fig_attention *a, int layer, const int32_t *heads, int n_heads,
                                  const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check_attention(a);
    if (s == ATTN_OK) s = fig_check_layer(a, layer);
    if (!heads) n_heads = a->heads;
    if (s == ATTN_OK) s = fig_check_count(n_heads, 1, a->heads, "number of heads");
    for (int k = 0; s == ATTN_OK && heads && k < n_heads; k++)
        if (heads[k] < 0 || heads[k] >= a->heads)
            s = attn_fail(ATTN_E_INVALID, "figure: head %d out of range (the model has %d: 0..%d)", heads[k], a->heads, a->heads - 1);
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    char what[64];
    snprintf(what, sizeof what, "head view, layer %d", layer);
    char *title = a->title && *a->title ? attn_asprintf("%s: %s", a->title, what) : attn_strdup(what);
    if (!title) {
        fig_canvas_free(&c);
        return attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    }
    head_view v = {.a = a, .layer = layer, .n_heads = n_heads, .heads = heads};
    s = render(&c, &v, title, out);
    free(title);
    return s;
}
