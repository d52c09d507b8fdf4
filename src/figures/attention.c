/* attention.c — attention views of one sequence: a head's T×T matrix, a layer's grid of heads,
 * and the whole model as layers × heads thumbnails. */
#include <math.h>
#include <stdlib.h>

#include "fig.h"

#define GRID_LABELS_MAX_T 32 /* a layer grid labels its tokens up to this length */

attn_status fig_check_attention(const attn_fig_attention *a) {
    attn_status s = fig_check(a, "attention data");
    if (s == ATTN_OK) s = fig_check_count(a->layers, 1, 256, "layers");
    if (s == ATTN_OK) s = fig_check_count(a->heads, 1, 256, "heads");
    if (s == ATTN_OK) s = fig_check_count(a->len, 1, 4096, "len");
    if (s == ATTN_OK) s = fig_check(a->attentions, "attentions");
    if (s == ATTN_OK) s = fig_check(a->tokens, "tokens");
    for (int i = 0; s == ATTN_OK && i < a->len; i++)
        if (!a->tokens[i]) s = attn_fail(ATTN_E_INVALID, "figure: tokens[%d] is missing", i);
    return s;
}

attn_status fig_check_layer(const attn_fig_attention *a, int layer) {
    if (layer < 0 || layer >= a->layers)
        return attn_fail(ATTN_E_INVALID, "figure: layer %d out of range (the model has %d: 0..%d)", layer, a->layers, a->layers - 1);
    return ATTN_OK;
}

static attn_status check_head(const attn_fig_attention *a, int head) {
    if (head < 0 || head >= a->heads)
        return attn_fail(ATTN_E_INVALID, "figure: head %d out of range (the model has %d: 0..%d)", head, a->heads, a->heads - 1);
    return ATTN_OK;
}

static const float *head_matrix(const attn_fig_attention *a, int l, int h) { /* [T][T] */
    size_t T = (size_t)a->len;
    return a->attentions + ((size_t)l * a->heads + h) * T * T;
}

static char *view_title(const attn_fig_attention *a, const char *what) {
    return a->title && *a->title ? attn_asprintf("%s: %s", a->title, what) : attn_strdup(what);
}

attn_status attn_figure_attention_head(const attn_fig_attention *a, int layer, int head, const attn_figure_style *style,
                                       attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check_attention(a);
    if (s == ATTN_OK) s = fig_check_layer(a, layer);
    if (s == ATTN_OK) s = check_head(a, head);
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    char what[64];
    snprintf(what, sizeof what, "layer %d, head %d", layer, head);
    char *title = view_title(a, what);
    char **tokens = fig_strings(a->tokens, a->len, 0);
    fig_heat_panel p = {.x_label = "Attended to (key)", .y_label = "Attending (query)", .value_label = "Attention",
                        .rows = a->len, .cols = a->len, .f = head_matrix(a, layer, head),
                        .row_labels = tokens, .col_labels = tokens, .colorbar = 1};
    if (!title || !tokens) {
        s = attn_fail(ATTN_E_NOMEM, "figure: out of memory");
        fig_canvas_free(&c);
    } else {
        fig_heat_scale(&p, 0, 0);
        double font, cell = fig_slot_for(a->len, fmin(a->len * 26.0, 520), FIG_FONT_TICK, &font);
        fig_panel panel = {fig_heat_panel_measure, fig_heat_panel_draw, &p};
        s = fig_grid_render(&c, title, &panel, 1, 1, cell * a->len, cell * a->len, NULL, out);
    }
    free(title);
    fig_strings_free(tokens, a->len);
    return s;
}

attn_status attn_figure_attention_layer(const attn_fig_attention *a, int layer, const attn_figure_style *style,
                                        attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check_attention(a);
    if (s == ATTN_OK) s = fig_check_layer(a, layer);
    if (s != ATTN_OK) return s;
    int H = a->heads, cols = (int)ceil(sqrt((double)H)), labels = a->len <= GRID_LABELS_MAX_T;
    fig_heat_panel *hp = attn_calloc((size_t)H, sizeof *hp);
    fig_panel *panels = attn_calloc((size_t)H, sizeof *panels);
    char **tokens = fig_strings(a->tokens, a->len, 0), **names = attn_calloc((size_t)H, sizeof *names);
    char what[64];
    snprintf(what, sizeof what, "layer %d, all heads", layer);
    char *title = view_title(a, what);
    fig_canvas c;
    if (!hp || !panels || !tokens || !names || !title) s = attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    if (s == ATTN_OK && (s = fig_canvas_init(&c, style)) == ATTN_OK) {
        double vmax = 0; /* one colour scale for the layer, so heads compare */
        size_t n = (size_t)a->len * a->len;
        for (int h = 0; h < H; h++)
            for (size_t i = 0; i < n; i++) vmax = fmax(vmax, head_matrix(a, layer, h)[i]);
        for (int h = 0; h < H && s == ATTN_OK; h++) {
            if (!(names[h] = attn_asprintf("Head %d", h))) s = attn_fail(ATTN_E_NOMEM, "figure: out of memory");
            hp[h] = (fig_heat_panel){.title = names[h], .rows = a->len, .cols = a->len, .f = head_matrix(a, layer, h),
                                     .row_labels = labels && h % cols == 0 ? tokens : NULL,
                                     .col_labels = labels && h + cols >= H ? tokens : NULL,
                                     .colorbar = h % cols == cols - 1 || h == H - 1, .value_label = "Attention"};
            fig_heat_scale(&hp[h], 0, vmax > 0 ? vmax : 1);
            panels[h] = (fig_panel){fig_heat_panel_measure, fig_heat_panel_draw, &hp[h]};
        }
        double font, cell = labels ? fig_slot_for(a->len, fmin(a->len * 14.0, 200), FIG_FONT_TICK, &font) : 200.0 / a->len;
        if (s == ATTN_OK) s = fig_grid_render(&c, title, panels, H, cols, cell * a->len, cell * a->len, NULL, out);
        else fig_canvas_free(&c);
    }
    for (int h = 0; names && h < H; h++) free(names[h]);
    free(names), free(title), free(hp), free(panels);
    fig_strings_free(tokens, a->len);
    return s;
}

/* ---- model view ---------------------------------------------------------------------------- */
static void draw_model_view(fig_canvas *c, const attn_fig_attention *a, const char *title, fig_axis *scale,
                            double thumb, double gap, double x0, double y0) {
    char buf[32];
    fig_draw_title(c, title);
    fig_text(c, "one thumbnail per head: rows attend to columns", FIG_FONT_TICK, 0, 0, c->w / 2, y0 - 34, 0.5, 1, 0, FIG_MUTED);
    for (int h = 0; h < a->heads; h++) {
        snprintf(buf, sizeof buf, "%d", h);
        fig_text(c, buf, FIG_FONT_TICK, 0, 0, x0 + h * (thumb + gap) + thumb / 2, y0 - 3, 0.5, 1, 0, FIG_INK);
    }
    for (int l = 0; l < a->layers; l++) {
        double y = y0 + l * (thumb + gap);
        snprintf(buf, sizeof buf, "%d", l);
        fig_text(c, buf, FIG_FONT_TICK, 0, 0, x0 - 4, y + thumb / 2, 1, 0.5, 0, FIG_INK);
        for (int h = 0; h < a->heads; h++) {
            fig_rect r = {x0 + h * (thumb + gap), y, thumb, thumb};
            fig_matrix_paint(c, r, a->len, a->len, head_matrix(a, l, h), NULL, scale->lo, scale->hi);
        }
    }
    double grid_h = a->layers * (thumb + gap) - gap;
    fig_rect plot = {x0, y0, a->heads * (thumb + gap) - gap, grid_h};
    fig_text(c, "Head", FIG_FONT_LABEL, 0, 0, plot.x + plot.w / 2, y0 - 16, 0.5, 1, 0, FIG_INK);
    fig_draw_y_title(c, plot, "Layer", x0 - 20 - fig_text_width(c, "000", FIG_FONT_TICK, 0) + 8);
    fig_colorbar_draw(c, scale, "Attention", plot.x + plot.w + 12, y0, fmax(fmin(grid_h, 240), 90));
}

attn_status attn_figure_model_view(const attn_fig_attention *a, const attn_figure_style *style, attn_figure **out) {
    *out = NULL;
    attn_status s = fig_check_attention(a);
    if (s != ATTN_OK) return s;
    fig_canvas c;
    if ((s = fig_canvas_init(&c, style)) != ATTN_OK) return s;
    char *title = view_title(a, "model view");
    if (!title) {
        fig_canvas_free(&c);
        return attn_fail(ATTN_E_NOMEM, "figure: out of memory");
    }
    fig_axis scale;
    fig_axis_nice(&scale, 0, 1, 5, 0);
    double thumb = fmin(72, fmax(36, 640.0 / a->heads)), gap = 4;
    double top = fig_title_height(&c, title) + 40, left = FIG_PAD + 20 + fig_text_width(&c, "000", FIG_FONT_TICK, 0);
    double grid_w = a->heads * (thumb + gap) - gap, grid_h = a->layers * (thumb + gap) - gap;
    double body = left + grid_w + 12 + fig_colorbar_width(&c, &scale, "Attention") + FIG_PAD;
    double w = fmax(fmax(body, fig_text_width(&c, title, FIG_FONT_TITLE, 1) + 4 * FIG_PAD),
                    fig_text_width(&c, "one thumbnail per head: rows attend to columns", FIG_FONT_TICK, 0) + 4 * FIG_PAD);
    left += (w - body) / 2; /* centre the grid */
    double h = top + fmax(grid_h, 90) + 2 * FIG_PAD;
    if ((s = fig_canvas_begin(&c, w, h)) == ATTN_OK) {
        draw_model_view(&c, a, title, &scale, thumb, gap, left, top);
        s = fig_canvas_finish(&c, out);
    } else {
        fig_canvas_free(&c);
    }
    free(title);
    return s;
}
