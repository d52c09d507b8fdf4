/* text.c — one line of text through pango: measured before it is placed, so labels can be sized
 * and positioned to stay on the canvas. Font fallback (fontconfig) covers other scripts/emoji. */
#include <math.h>
#include <string.h>

#include "fig.h"

/* Valid UTF-8 (invalid bytes → U+FFFD) with control characters made visible and kept on one
 * line: newline ↵, tab →, others U+FFFD (the installed fonts lack the Control Pictures block).
 * g_free the result. */
static char *clean_text(const char *s) {
    char *valid = g_utf8_make_valid(s ? s : "", -1);
    GString *out = g_string_sized_new(strlen(valid) + 8);
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar u = g_utf8_get_char(p);
        if (u == '\n') g_string_append_unichar(out, 0x21B5);
        else if (u == '\t') g_string_append_unichar(out, 0x2192);
        else if (u < 0x20 || u == 0x7F) g_string_append_unichar(out, 0xFFFD);
        else g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
    g_free(valid);
    return g_string_free(out, FALSE);
}

static PangoLayout *make_layout(fig_canvas *c, const char *text, double size, int bold, double max_w) {
    PangoLayout *l = pango_layout_new(c->pango);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, c->style.font);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    char *t = clean_text(text);
    pango_layout_set_text(l, t, -1);
    g_free(t);
    pango_layout_set_single_paragraph_mode(l, TRUE);
    pango_layout_set_auto_dir(l, FALSE); /* right-to-left tokens stay aligned like the others */
    if (max_w > 0) {
        pango_layout_set_width(l, (int)(max_w * PANGO_SCALE));
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    }
    return l;
}

static void layout_size(PangoLayout *l, double *w, double *h) {
    PangoRectangle ink, logical;
    pango_layout_get_extents(l, &ink, &logical);
    /* the box that holds both, relative to the layout origin */
    double x0 = fmin(ink.x, logical.x), x1 = fmax(ink.x + ink.width, logical.x + logical.width);
    *w = (x1 - (x0 < 0 ? x0 : 0)) / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
}

void fig_text_size(fig_canvas *c, const char *text, double size, int bold, double max_w, double *w, double *h) {
    PangoLayout *l = make_layout(c, text, size, bold, max_w);
    layout_size(l, w, h);
    if (max_w > 0 && *w > max_w) *w = max_w;
    g_object_unref(l);
}

double fig_text_width(fig_canvas *c, const char *text, double size, int bold) {
    double w, h;
    fig_text_size(c, text, size, bold, 0, &w, &h);
    return w;
}

void fig_rotated_size(double w, double h, double deg, double *bw, double *bh) {
    double a = deg * M_PI / 180, cs = fabs(cos(a)), sn = fabs(sin(a));
    *bw = w * cs + h * sn;
    *bh = w * sn + h * cs;
}

void fig_text(fig_canvas *c, const char *text, double size, int bold, double max_w, double x, double y,
              double ax, double ay, double deg, fig_rgb col) {
    if (!text || !*text) return;
    PangoLayout *l = make_layout(c, text, size, bold, max_w);
    double w, h;
    layout_size(l, &w, &h);
    if (max_w > 0 && w > max_w) w = max_w;
    cairo_t *cr = c->cr;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (deg != 0) cairo_rotate(cr, -deg * M_PI / 180);
    cairo_move_to(cr, -ax * w, -ay * h);
    fig_set(c, col, 1);
    pango_cairo_show_layout(cr, l);
    cairo_restore(cr);
    g_object_unref(l);
}
