/* hover.c — the values of a chart for the HTML report: while a chart draws, each bar, cell or
 * point leaves a transparent rectangle whose <title> is its value (the browser's tooltip, and
 * the report's status line). They go only into the SVG that attn_figure_svg gives with an id
 * prefix (the report's); the figure files keep exactly the drawing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fig.h"

#define FIG_MAX_HOVERS 4096 /* a chart with more marks gets values for its first 4096 */

static void xml_escape(attn_strbuf *sb, const char *s) {
    for (; *s; s++) {
        if (*s == '<') attn_sb_puts(sb, "&lt;");
        else if (*s == '>') attn_sb_puts(sb, "&gt;");
        else if (*s == '&') attn_sb_puts(sb, "&amp;");
        else if (*s == '"') attn_sb_puts(sb, "&quot;");
        else attn_sb_putc(sb, *s);
    }
}

void fig_hover(fig_canvas *c, double x, double y, double w, double h, const char *fmt, ...) {
    if (!c->cr || c->n_hover >= FIG_MAX_HOVERS) return;
    double x0 = x, y0 = y, x1 = x + w, y1 = y + h; /* user → device (points of the SVG) */
    cairo_user_to_device(c->cr, &x0, &y0);
    cairo_user_to_device(c->cr, &x1, &y1);
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    attn_sb_printf(&c->hover, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#000\" fill-opacity=\"0\"><title>",
                   x0 < x1 ? x0 : x1, y0 < y1 ? y0 : y1, x1 > x0 ? x1 - x0 : x0 - x1, y1 > y0 ? y1 - y0 : y0 - y1);
    xml_escape(&c->hover, text);
    attn_sb_puts(&c->hover, "</title></rect>\n");
    c->n_hover++;
}

char *fig_svg_with_values(const char *svg, const char *values) {
    const char *end = values && *values ? strstr(svg, "</svg>") : NULL;
    for (const char *p = end; p; p = strstr(p + 1, "</svg>")) end = p; /* the last one */
    attn_strbuf sb = {0};
    if (!end) {
        attn_sb_puts(&sb, svg);
        return attn_sb_take(&sb);
    }
    attn_sb_append(&sb, svg, (size_t)(end - svg));
    attn_sb_puts(&sb, "<g class=\"attn-values\">\n");
    attn_sb_puts(&sb, values);
    attn_sb_puts(&sb, "</g>\n");
    attn_sb_puts(&sb, end);
    return attn_sb_take(&sb);
}
