/* color.c — model colours (the seed's three, then Okabe–Ito), head colours, viridis. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fig.h"

/* The seed notebook's BERT / DistilBERT / RoBERTa colours, then the colour-blind-safe Okabe–Ito
 * palette (without its black). */
static const uint32_t default_colors[] = {0xFF6B6B, 0x4ECDC4, 0x45B7D1, 0xE69F00, 0x009E73,
                                          0x0072B2, 0xD55E00, 0xCC79A7, 0xF0E442, 0x56B4E9};
#define N_DEFAULT ((int)(sizeof default_colors / sizeof default_colors[0]))

void attn_figure_style_init(attn_figure_style *s) {
    memset(s, 0, sizeof *s);
    s->dpi = 150;
    s->font = NULL;
}

uint32_t attn_figure_color(const attn_figure_style *s, int i) {
    if (i < 0) i = -i;
    if (s && s->n_colors > 0 && s->n_colors <= ATTN_FIG_MAX_COLORS) return s->colors[i % s->n_colors] & 0xFFFFFF;
    return default_colors[i % N_DEFAULT];
}

static int parse_hex_color(const char *p, size_t n, uint32_t *out) {
    if (n > 0 && p[0] == '#') p++, n--;
    if (n != 6 && n != 3) return 0;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)p[i])) return 0;
        int d = isdigit((unsigned char)p[i]) ? p[i] - '0' : tolower((unsigned char)p[i]) - 'a' + 10;
        v = n == 6 ? v << 4 | (uint32_t)d : v << 8 | (uint32_t)(d * 17);
    }
    *out = v;
    return 1;
}

attn_status attn_figure_colors_parse(const char *list, attn_figure_style *s) {
    if (!list || !*list) return attn_fail(ATTN_E_INVALID, "no colours given (#RRGGBB,...)");
    uint32_t colors[ATTN_FIG_MAX_COLORS];
    int n = 0;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        if (n == ATTN_FIG_MAX_COLORS) return attn_fail(ATTN_E_INVALID, "more than %d colours", ATTN_FIG_MAX_COLORS);
        if (!parse_hex_color(p, len, &colors[n]))
            return attn_fail(ATTN_E_INVALID, "colour '%.*s' is not #RRGGBB (or #RGB)", (int)len, p);
        n++;
        if (!p[len]) break;
        p += len + 1;
    }
    memcpy(s->colors, colors, (size_t)n * sizeof colors[0]);
    s->n_colors = n;
    return ATTN_OK;
}

fig_rgb fig_hex(uint32_t c) {
    return (fig_rgb){((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0, (c & 255) / 255.0};
}

void fig_set(fig_canvas *c, fig_rgb col, double alpha) {
    if (alpha >= 1) cairo_set_source_rgb(c->cr, col.r, col.g, col.b);
    else cairo_set_source_rgba(c->cr, col.r, col.g, col.b, alpha);
}

fig_rgb fig_model_color(const fig_canvas *c, int i) { return fig_hex(attn_figure_color(&c->style, i)); }

fig_rgb fig_head_color(int h) {
    /* Tableau 10 + two Okabe–Ito, the qualitative scheme bertviz's d3 palette resembles */
    static const uint32_t p[] = {0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B,
                                 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF, 0x0072B2, 0xD55E00};
    return fig_hex(p[(h < 0 ? -h : h) % 12]);
}

fig_rgb fig_viridis(double t) {
    /* matplotlib's viridis at 0, 0.1, ..., 1 */
    static const uint32_t stops[11] = {0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C,
                                       0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725};
    if (isnan(t)) return fig_hex(0xEEEEEE);
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    double x = t * 10;
    int i = (int)x;
    if (i >= 10) i = 9;
    double u = x - i;
    fig_rgb a = fig_hex(stops[i]), b = fig_hex(stops[i + 1]);
    return (fig_rgb){a.r + (b.r - a.r) * u, a.g + (b.g - a.g) * u, a.b + (b.b - a.b) * u};
}
