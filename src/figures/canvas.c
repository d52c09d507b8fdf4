/* canvas.c — a chart's drawing surface: pango context for measuring, then (through a tee) a
 * recording surface of the final size, replayed later into PDF/PNG, and the SVG document. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-svg.h>
#include <cairo-tee.h>

#include "fig.h"

static PangoContext *new_pango_context(void) {
    PangoFontMap *fm = pango_cairo_font_map_get_default();
    PangoContext *ctx = pango_font_map_create_context(fm);
    if (!ctx) return NULL;
    /* No hinting and unrounded positions: identical metrics at every scale and in every format. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(ctx, fo);
    cairo_font_options_destroy(fo);
    pango_cairo_context_set_resolution(ctx, 72.0); /* font sizes are in user units (points) */
    pango_context_set_round_glyph_positions(ctx, FALSE);
    return ctx;
}

attn_status fig_canvas_init(fig_canvas *c, const attn_figure_style *s) {
    memset(c, 0, sizeof *c);
    if (s) c->style = *s;
    else attn_figure_style_init(&c->style);
    if (c->style.dpi < 1 || c->style.dpi > 2400) return attn_fail(ATTN_E_INVALID, "figure dpi %d is not 1..2400", c->style.dpi);
    if (c->style.n_colors < 0 || c->style.n_colors > ATTN_FIG_MAX_COLORS)
        return attn_fail(ATTN_E_INVALID, "figure style: %d colours (at most %d)", c->style.n_colors, ATTN_FIG_MAX_COLORS);
    if (!c->style.font || !*c->style.font) c->style.font = "DejaVu Sans";
    c->pango = new_pango_context();
    if (!c->pango) return attn_fail(ATTN_E_NOMEM, "figure: cannot create a pango context");
    return ATTN_OK;
}

static cairo_status_t sink_strbuf(void *closure, const unsigned char *data, unsigned int len) {
    attn_strbuf *sb = closure;
    attn_sb_append(sb, (const char *)data, len);
    return sb->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

attn_status fig_canvas_begin(fig_canvas *c, double w, double h) {
    if (!(w >= 1 && h >= 1 && w <= 1e6 && h <= 1e6))
        return attn_fail(ATTN_E_INVALID, "figure: size %.0f x %.0f pt is out of range", w, h);
    c->w = ceil(w), c->h = ceil(h);
    cairo_rectangle_t ext = {0, 0, c->w, c->h};
    c->rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &ext);
    c->svg = cairo_svg_surface_create_for_stream(sink_strbuf, &c->svg_bytes, c->w, c->h);
    cairo_svg_surface_restrict_to_version(c->svg, CAIRO_SVG_VERSION_1_1);
    c->tee = cairo_tee_surface_create(c->rec);
    cairo_tee_surface_add(c->tee, c->svg);
    c->cr = cairo_create(c->tee);
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS)
        return attn_fail(ATTN_E_NOMEM, "figure: %s", cairo_status_to_string(cairo_status(c->cr)));
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_paint(c->cr);
    cairo_set_line_join(c->cr, CAIRO_LINE_JOIN_MITER);
    return ATTN_OK;
}

attn_status fig_canvas_finish(fig_canvas *c, attn_figure **out) {
    *out = NULL;
    attn_status st = ATTN_OK;
    if (!c->cr) st = attn_fail(ATTN_E_INVALID, "figure: nothing drawn");
    else if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS)
        st = attn_fail(ATTN_E_NOMEM, "figure: drawing failed: %s", cairo_status_to_string(cairo_status(c->cr)));
    if (c->svg) {
        cairo_surface_finish(c->svg);
        if (st == ATTN_OK && cairo_surface_status(c->svg) != CAIRO_STATUS_SUCCESS)
            st = attn_fail(ATTN_E_NOMEM, "figure: SVG: %s", cairo_status_to_string(cairo_surface_status(c->svg)));
    }
    attn_figure *f = st == ATTN_OK ? calloc(1, sizeof *f) : NULL;
    if (st == ATTN_OK && !f) st = attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    if (f) {
        f->svg_len = c->svg_bytes.len;
        f->svg = attn_sb_take(&c->svg_bytes);
        if (!f->svg) {
            free(f);
            f = NULL;
            st = attn_fail(ATTN_E_NOMEM, "figure: out of memory");
        }
    }
    if (f) {
        f->hover = c->hover.len ? attn_sb_take(&c->hover) : NULL;
        f->rec = cairo_surface_reference(c->rec);
        f->w = c->w, f->h = c->h, f->dpi = c->style.dpi;
        *out = f;
    }
    fig_canvas_free(c);
    return st;
}

void fig_canvas_free(fig_canvas *c) {
    if (c->cr) cairo_destroy(c->cr);
    if (c->tee) cairo_surface_destroy(c->tee);
    if (c->svg) cairo_surface_destroy(c->svg);
    if (c->rec) cairo_surface_destroy(c->rec);
    attn_sb_free(&c->svg_bytes);
    attn_sb_free(&c->hover);
    if (c->pango) g_object_unref(c->pango);
    memset(c, 0, sizeof *c);
}

void attn_figure_size(const attn_figure *f, double *width_pt, double *height_pt) {
    if (width_pt) *width_pt = f ? f->w : 0;
    if (height_pt) *height_pt = f ? f->h : 0;
}

void attn_figure_free(attn_figure *f) {
    if (!f) return;
    cairo_surface_destroy(f->rec);
    free(f->svg);
    free(f->hover);
    free(f);
}

/* ---- small shared helpers ------------------------------------------------------------------ */
char **fig_strings(const char *const *src, int n, int first) {
    char **s = attn_calloc((size_t)(n > 0 ? n : 1), sizeof *s);
    if (!s) return NULL;
    for (int i = 0; i < n; i++) {
        s[i] = src ? attn_strdup(src[i] ? src[i] : "") : attn_asprintf("%d", first + i);
        if (!s[i]) {
            fig_strings_free(s, i);
            return NULL;
        }
    }
    return s;
}

void fig_strings_free(char **s, int n) {
    if (!s) return;
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

attn_status fig_check(const void *p, const char *what) {
    return p ? ATTN_OK : attn_fail(ATTN_E_INVALID, "figure: %s is missing", what);
}

attn_status fig_check_count(int n, int lo, int hi, const char *what) {
    if (n < lo || n > hi) return attn_fail(ATTN_E_INVALID, "figure: %s is %d (expected %d..%d)", what, n, lo, hi);
    return ATTN_OK;
}

double fig_title_height(fig_canvas *c, const char *title) {
    if (!title || !*title) return FIG_PAD;
    double w, h;
    fig_text_size(c, title, FIG_FONT_TITLE, 1, 0, &w, &h);
    return h + 2 * FIG_PAD + 4;
}

void fig_draw_title(fig_canvas *c, const char *title) {
    if (!title || !*title) return;
    fig_text(c, title, FIG_FONT_TITLE, 1, c->w - 2 * FIG_PAD, c->w / 2, FIG_PAD + 4, 0.5, 0, 0, FIG_INK);
}
