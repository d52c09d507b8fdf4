/* test_figures.c — renders every figure kind in every format from fixed data into OUTDIR and
 * checks what C can check: PNGs decode (cairo's reader) to the size the dpi gives and are not
 * blank; the in-memory SVG equals the file; a second rendering is byte-identical; bad input is
 * refused with a message. check_figures.py then checks the files themselves.
 *   test_figures OUTDIR */
#include <math.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "common.h"
#include "fixtures.h"
#include "testutil.h"

static const unsigned ALL = ATTN_FIG_SVG | ATTN_FIG_PNG | ATTN_FIG_PDF;

static char *read_all(const char *path, size_t *len) {
    char *data = NULL;
    if (attn_read_file(path, &data, len) != ATTN_OK) return NULL;
    return data;
}

/* Luminance variance of an ARGB32 PNG; width and height out. -1 if unreadable. */
static double png_variance(const char *path, int *w, int *h) {
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return -1;
    }
    *w = cairo_image_surface_get_width(s), *h = cairo_image_surface_get_height(s);
    const unsigned char *px = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    double sum = 0, sum2 = 0, n = (double)*w * *h;
    for (int y = 0; y < *h; y++)
        for (int x = 0; x < *w; x++) {
            uint32_t v = ((const uint32_t *)(px + (size_t)y * stride))[x];
            double lum = 0.299 * ((v >> 16) & 255) + 0.587 * ((v >> 8) & 255) + 0.114 * (v & 255);
            sum += lum, sum2 += lum * lum;
        }
    cairo_surface_destroy(s);
    return sum2 / n - (sum / n) * (sum / n);
}

/* Removes DIR/NAME.{svg,png,pdf} left by an earlier run, so a figure that fails now cannot
 * pass check_figures.py on old files. */
static void fresh(const char *dir, const char *name) {
    static const char *const ext[3] = {"svg", "png", "pdf"};
    for (int i = 0; i < 3; i++) {
        char *p = attn_asprintf("%s/%s.%s", dir, name, ext[i]);
        if (p) remove(p);
        free(p);
    }
}

static void check_figure(const char *dir, const fixture_figure *fx) {
    attn_figure *f = NULL, *again = NULL;
    fresh(dir, fx->name);
    if (!CHECK_OK(fx->build(NULL, &f))) return;
    double w, h;
    attn_figure_size(f, &w, &h);
    CHECKF(w >= 100 && h >= 100 && w < 5000 && h < 5000, "%s: size %.0f x %.0f pt", fx->name, w, h);
    CHECK_OK(attn_figure_write_all(f, ALL, dir, fx->name));
    char *svg_path = attn_asprintf("%s/%s.svg", dir, fx->name), *png_path = attn_asprintf("%s/%s.png", dir, fx->name);
    char *pdf_path = attn_asprintf("%s/%s.pdf", dir, fx->name);
    size_t flen = 0, mlen = 0, plen = 0, plen2 = 0;
    char *file_svg = read_all(svg_path, &flen), *mem_svg = NULL, *pdf = read_all(pdf_path, &plen);
    CHECK_OK(attn_figure_svg(f, NULL, &mem_svg, &mlen));
    CHECKF(file_svg && mem_svg && flen == mlen && memcmp(file_svg, mem_svg, flen) == 0, "%s: in-memory SVG differs from the file", fx->name);
    /* the same input drawn again in this process: the same bytes */
    CHECK_OK(fx->build(NULL, &again));
    char *svg2 = NULL, *tmp_pdf = attn_asprintf("%s/%s.again.pdf", dir, fx->name);
    if (again) {
        CHECK_OK(attn_figure_svg(again, NULL, &svg2, NULL));
        CHECK_OK(attn_figure_write(again, ATTN_FIG_PDF, tmp_pdf));
    }
    char *pdf2 = read_all(tmp_pdf, &plen2);
    CHECKF(svg2 && mem_svg && strcmp(svg2, mem_svg) == 0, "%s: second SVG rendering differs", fx->name);
    CHECKF(pdf && pdf2 && plen == plen2 && memcmp(pdf, pdf2, plen) == 0, "%s: second PDF rendering differs", fx->name);
    remove(tmp_pdf);
    int pw = 0, ph = 0;
    double var = png_variance(png_path, &pw, &ph);
    CHECKF(w == floor(w) && h == floor(h) && pw == ((long)w * 150 + 71) / 72 && ph == ((long)h * 150 + 71) / 72, "%s: PNG %dx%d for %.0fx%.0f pt at 150 dpi", fx->name, pw, ph, w, h);
    CHECKF(var > 100, "%s: PNG looks blank (luminance variance %.1f)", fx->name, var);
    free(file_svg), free(mem_svg), free(svg2), free(pdf), free(pdf2);
    free(svg_path), free(png_path), free(pdf_path), free(tmp_pdf);
    attn_figure_free(f), attn_figure_free(again);
}

/* PNG size follows --dpi; the SVG does not change with it. */
static void check_dpi(const char *dir) {
    attn_figure_style s;
    attn_figure_style_init(&s);
    s.dpi = 72;
    attn_figure *f = NULL;
    if (!CHECK_OK(fixture_figures[0].build(&s, &f))) return;
    double w, h;
    attn_figure_size(f, &w, &h);
    char *path = attn_asprintf("%s/dpi72.png", dir);
    CHECK_OK(attn_figure_write(f, ATTN_FIG_PNG, path));
    int pw, ph;
    png_variance(path, &pw, &ph);
    CHECKF(pw == (int)w && ph == (int)h, "72 dpi PNG is %dx%d for %.0fx%.0f pt", pw, ph, w, h);
    free(path);
    attn_figure_free(f);
}

/* --colors: the bars take the given colours (cairo writes fill:rgb(r%,g%,b%)). */
static void check_colors(void) {
    attn_figure_style s;
    attn_figure_style_init(&s);
    CHECK_OK(attn_figure_colors_parse("#123456,#ABCDEF", &s));
    attn_figure *f = NULL, *d = NULL;
    char *svg = NULL, *def = NULL;
    if (CHECK_OK(fixture_figures[1].build(&s, &f))) CHECK_OK(attn_figure_svg(f, NULL, &svg, NULL));
    if (CHECK_OK(fixture_figures[1].build(NULL, &d))) CHECK_OK(attn_figure_svg(d, NULL, &def, NULL));
    const char *c0 = "fill:rgb(7.058824%,20.392157%,33.72549%)", *seed = "fill:rgb(100%,41.960784%,41.960784%)";
    CHECKF(svg && strstr(svg, c0) && !strstr(svg, seed), "--colors #123456 not used for the first model");
    CHECKF(svg && strstr(svg, "fill:rgb(67.058824%,80.392157%,93.72549%)"), "second colour not used");
    int n0 = 0, n1 = 0; /* 3 models, 2 colours: the third reuses the first */
    for (const char *p = svg; p && (p = strstr(p, c0)); p++) n0++;
    for (const char *p = svg; p && (p = strstr(p, "fill:rgb(67.058824%,80.392157%,93.72549%)")); p++) n1++;
    CHECKF(n1 > 0 && n0 == 2 * n1, "colour uses %d and %d: the third model does not cycle to the first colour", n0, n1);
    CHECKF(def && strstr(def, seed) && !strstr(def, c0), "default colours are not the seed's");
    free(svg), free(def);
    attn_figure_free(f), attn_figure_free(d);
}

static void check_prefix(void) {
    attn_figure *f = NULL;
    if (!CHECK_OK(fixture_figures[1].build(NULL, &f))) return;
    char *plain = NULL, *pre = NULL;
    CHECK_OK(attn_figure_svg(f, NULL, &plain, NULL));
    CHECK_OK(attn_figure_svg(f, "fig2-", &pre, NULL));
    int ids = 0, pids = 0, refs = 0, prefs = 0;
    for (const char *p = plain; p && (p = strstr(p, " id=\"")); p++) ids++;
    for (const char *p = pre; p && (p = strstr(p, " id=\"fig2-")); p++) pids++;
    for (const char *p = plain; p && (p = strstr(p, "href=\"#")); p++) refs++;
    for (const char *p = pre; p && (p = strstr(p, "href=\"#fig2-")); p++) prefs++;
    CHECKF(ids > 0 && ids == pids && refs > 0 && refs == prefs, "id prefix: %d/%d ids, %d/%d refs", pids, ids, prefs, refs);
    /* the report's copy carries every bar's value (4 metrics x 4 domains x 3 models), the file none */
    int values = 0;
    for (const char *p = pre; p && (p = strstr(p, "<title>")); p++) values++;
    CHECKF(!strstr(plain, "attn-values") && strstr(pre, "<g class=\"attn-values\">") && values == 48 &&
               strstr(pre, "<title>Business, BERT: 0.111</title>") && strstr(pre, "<title>World, RoBERTa: 54.705</title>"),
           "values on hover: %d titles", values);
    free(plain), free(pre);
    CHECK(attn_figure_svg(f, "1bad prefix", &pre, NULL) == ATTN_E_INVALID && pre == NULL);
    attn_figure_free(f);
}

static void check_unicode_and_large(const char *dir) {
    static const char *const toks[8] = {"[CLS]", "東京", "Москва", "مرحبا", "😀", "line\nbreak", "naïve", "[SEP]"};
    static const char *const stems[] = {"unicode_head_view", "large_attention_head", "large_head_view", "large_focus_bars"};
    for (int i = 0; i < 4; i++) fresh(dir, stems[i]);
    float *a = fixture_attention(1, 2, 8);
    attn_fig_attention d = {"unicode", 1, 2, 8, a, toks};
    attn_figure *f = NULL;
    if (a && CHECK_OK(attn_figure_head_view(&d, 0, NULL, 0, NULL, &f))) CHECK_OK(attn_figure_write_all(f, ALL, dir, "unicode_head_view"));
    attn_figure_free(f);
    free(a);
    /* 128 tokens: the labels shrink but never below the minimum size, and the canvas grows */
    enum { T = 128 };
    char *names[T];
    for (int i = 0; i < T; i++) names[i] = attn_asprintf(i % 9 == 0 ? "token%d" : "w%d", i);
    a = fixture_attention(1, 2, T);
    attn_fig_attention big = {"128 tokens", 1, 2, T, a, (const char *const *)names};
    f = NULL;
    if (a && CHECK_OK(attn_figure_attention_head(&big, 0, 1, NULL, &f))) {
        double w, h;
        attn_figure_size(f, &w, &h);
        CHECKF(w >= T * 6.5 * 1.3 && h >= T * 6.5 * 1.3, "128-token matrix is only %.0fx%.0f pt", w, h);
        CHECK_OK(attn_figure_write_all(f, ALL, dir, "large_attention_head"));
    }
    attn_figure_free(f);
    f = NULL;
    if (a && CHECK_OK(attn_figure_head_view(&big, 0, NULL, 0, NULL, &f))) CHECK_OK(attn_figure_write_all(f, ALL, dir, "large_head_view"));
    attn_figure_free(f);
    double v[T];
    for (int i = 0; i < T; i++) v[i] = a ? a[(size_t)5 * T + i] : 0;
    attn_fig_token_bars tb = {"128 tokens", NULL, T, (const char *const *)names, v, 5};
    f = NULL;
    if (CHECK_OK(attn_figure_token_bars(&tb, NULL, &f))) CHECK_OK(attn_figure_write_all(f, ALL, dir, "large_focus_bars"));
    attn_figure_free(f);
    free(a);
    for (int i = 0; i < T; i++) free(names[i]);
}

static void check_errors(void) {
    unsigned set = 0;
    CHECK_OK(attn_figure_formats_parse("svg,PNG,pdf", &set));
    CHECK(set == ALL);
    CHECK(attn_figure_formats_parse("svg,gif", &set) == ATTN_E_INVALID);
    CHECKF(strstr(attn_last_error(), "unknown figure format 'gif'") != NULL, "message: %s", attn_last_error());
    CHECK(attn_figure_formats_parse("", &set) == ATTN_E_INVALID);
    CHECK(attn_figure_formats_parse("svg,", &set) == ATTN_E_INVALID);
    attn_figure_style s;
    attn_figure_style_init(&s);
    CHECK_OK(attn_figure_colors_parse("#112233,abc", &s));
    CHECK(s.n_colors == 2 && s.colors[0] == 0x112233 && s.colors[1] == 0xAABBCC);
    CHECK(attn_figure_color(&s, 3) == 0xAABBCC);
    CHECK(attn_figure_color(NULL, 0) == 0xFF6B6B && attn_figure_color(NULL, 2) == 0x45B7D1);
    CHECK(attn_figure_colors_parse("#12345g", &s) == ATTN_E_INVALID);
    CHECKF(strstr(attn_last_error(), "'#12345g'") != NULL, "message: %s", attn_last_error());
    float *a = fixture_attention(2, 2, 4);
    static const char *const toks[4] = {"a", "b", "c", "d"};
    attn_fig_attention d = {NULL, 2, 2, 4, a, toks};
    attn_figure *f = (attn_figure *)&d; /* must be reset to NULL on failure */
    CHECK(attn_figure_attention_head(&d, 2, 0, NULL, &f) == ATTN_E_INVALID && f == NULL);
    CHECKF(strstr(attn_last_error(), "layer 2 out of range") != NULL, "message: %s", attn_last_error());
    int32_t heads[1] = {5};
    CHECK(attn_figure_head_view(&d, 0, heads, 1, NULL, &f) == ATTN_E_INVALID);
    s.dpi = 0;
    CHECK(attn_figure_model_view(&d, &s, &f) == ATTN_E_INVALID);
    CHECK(attn_figure_metric_bars(NULL, NULL, &f) == ATTN_E_INVALID);
    attn_fig_metric_bars mb = {NULL, 1, NULL, 1, NULL, NULL};
    CHECK(attn_figure_metric_bars(&mb, NULL, &f) == ATTN_E_INVALID);
    CHECK(attn_figure_write(NULL, ATTN_FIG_SVG, "x.svg") == ATTN_E_INVALID);
    /* an unwritable path: ATTN_E_IO naming it, nothing left behind */
    f = NULL;
    if (CHECK_OK(fixture_figures[0].build(NULL, &f))) {
        CHECK(attn_figure_write(f, ATTN_FIG_PDF, "/nonexistent-dir/x.pdf") == ATTN_E_IO);
        CHECKF(strstr(attn_last_error(), "/nonexistent-dir/x.pdf") != NULL, "message: %s", attn_last_error());
        CHECK(attn_figure_write_all(f, ATTN_FIG_SVG | 8u, "/tmp", "x") == ATTN_E_INVALID);
    }
    attn_figure_free(f);
    free(a);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_figures OUTDIR\n");
        return 2;
    }
    mkdir(argv[1], 0777); /* may exist */
    for (const fixture_figure *fx = fixture_figures; fx->name; fx++) check_figure(argv[1], fx);
    check_dpi(argv[1]);
    check_prefix();
    check_colors();
    check_unicode_and_large(argv[1]);
    check_errors();
    return tu_done("test_figures");
}
