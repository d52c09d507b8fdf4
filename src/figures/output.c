/* output.c — replays a figure's recording into SVG, PDF or PNG: to a file (atomically) or to
 * memory. The same recording feeds every format, so all three show the same drawing. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cairo-pdf.h>

#include "fig.h"

static const struct {
    attn_figure_format fmt;
    const char *ext;
} formats[] = {{ATTN_FIG_SVG, "svg"}, {ATTN_FIG_PNG, "png"}, {ATTN_FIG_PDF, "pdf"}};

const char *attn_figure_format_ext(attn_figure_format f) {
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i].fmt == f) return formats[i].ext;
    return NULL;
}

attn_status attn_figure_formats_parse(const char *list, unsigned *out) {
    *out = 0;
    if (!list || !*list) return attn_fail(ATTN_E_INVALID, "no figure format given (svg, png, pdf)");
    unsigned set = 0;
    for (const char *p = list;;) {
        size_t n = strcspn(p, ",");
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
            if (n == strlen(formats[i].ext) && strncasecmp(p, formats[i].ext, n) == 0) bit = formats[i].fmt;
        if (!bit) return attn_fail(ATTN_E_INVALID, "unknown figure format '%.*s' (svg, png, pdf)", (int)n, p);
        set |= bit;
        if (!p[n]) break;
        p += n + 1;
    }
    *out = set;
    return ATTN_OK;
}

void fig_png_size(const attn_figure *f, int *pw, int *ph) {
    /* w, h are whole points: ceil(w · dpi / 72) in integers, free of rounding */
    *pw = (int)(((long)f->w * f->dpi + 71) / 72);
    *ph = (int)(((long)f->h * f->dpi + 71) / 72);
}

/* ---- byte sinks ---------------------------------------------------------------------------- */
static cairo_status_t sink_file(void *closure, const unsigned char *data, unsigned int len) {
    return fwrite(data, 1, len, (FILE *)closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static void replay(cairo_surface_t *target, const attn_figure *f, double scale) {
    cairo_t *cr = cairo_create(target);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, f->rec, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
}

/* Renders PDF or PNG into the sink (SVG was drawn with the figure: canvas.c). */
static cairo_status_t render(const attn_figure *f, attn_figure_format fmt, cairo_write_func_t sink, void *closure) {
    cairo_surface_t *s = NULL;
    if (fmt == ATTN_FIG_PDF) {
        s = cairo_pdf_surface_create_for_stream(sink, closure, f->w, f->h);
        /* cairo stamps the current time unless told otherwise: a fixed date keeps PDFs reproducible */
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "attnscope " ATTNSCOPE_VERSION);
    } else {
        double scale = f->dpi / 72.0;
        int pw, ph;
        fig_png_size(f, &pw, &ph);
        s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw, ph);
        replay(s, f, scale);
        cairo_status_t st = cairo_surface_status(s);
        if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_write_to_png_stream(s, sink, closure);
        cairo_surface_destroy(s);
        return st;
    }
    replay(s, f, 1.0);
    cairo_surface_finish(s);
    cairo_status_t st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    return st;
}

attn_status attn_figure_write(const attn_figure *f, attn_figure_format format, const char *path) {
    if (!f || !path) return attn_fail(ATTN_E_INVALID, "attn_figure_write: no figure or path");
    if (!attn_figure_format_ext(format)) return attn_fail(ATTN_E_INVALID, "%s: not one figure format (%u)", path, (unsigned)format);
    if (format == ATTN_FIG_SVG) {
        char *svg;
        size_t len;
        attn_status s = attn_figure_svg(f, NULL, &svg, &len);
        if (s == ATTN_OK) s = attn_write_file_atomic(path, svg, len);
        free(svg);
        return s;
    }
    attn_atomic_file af;
    attn_status s = attn_atomic_open(&af, path);
    if (s != ATTN_OK) return s;
    cairo_status_t cs = render(f, format, sink_file, af.f);
    if (cs != CAIRO_STATUS_SUCCESS) {
        attn_atomic_abort(&af);
        return attn_fail(cs == CAIRO_STATUS_NO_MEMORY ? ATTN_E_NOMEM : ATTN_E_IO, "%s: cannot write the figure: %s", path,
                         cairo_status_to_string(cs));
    }
    return attn_atomic_commit(&af);
}

attn_status attn_figure_write_all(const attn_figure *f, unsigned formats_set, const char *dir, const char *stem) {
    if (!dir || !stem || !*stem) return attn_fail(ATTN_E_INVALID, "attn_figure_write_all: no folder or name");
    if (formats_set & ~(unsigned)(ATTN_FIG_SVG | ATTN_FIG_PNG | ATTN_FIG_PDF))
        return attn_fail(ATTN_E_INVALID, "%s: unknown figure format bits %#x", stem, formats_set);
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (!(formats_set & formats[i].fmt)) continue;
        char *path = attn_asprintf("%s/%s.%s", dir, stem, formats[i].ext);
        if (!path) return attn_fail(ATTN_E_NOMEM, "out of memory");
        attn_status s = attn_figure_write(f, formats[i].fmt, path);
        free(path);
        if (s != ATTN_OK) return s;
    }
    return ATTN_OK;
}

/* ---- SVG ids ------------------------------------------------------------------------------ */
/* cairo names its defs glyph0-1, clip1, ... per document, but the top-level group is
 * "surface<N>" with N from a process-wide counter: renumber surface ids by first appearance so
 * the bytes depend only on the drawing. With a prefix, every id="X", href="#X" and url(#X) gets
 * it, so several figures can be inlined in one HTML page. */
typedef struct svg_ids {
    long seen[64];
    int n;
} svg_ids;

static long surface_number(svg_ids *ids, long n) {
    for (int i = 0; i < ids->n; i++)
        if (ids->seen[i] == n) return i + 1;
    if (ids->n == 64) return n; /* cairo never nests this deep; keep the number */
    ids->seen[ids->n++] = n;
    return ids->n;
}

static char *normalize_svg(const char *svg, const char *prefix) {
    attn_strbuf sb = {0};
    svg_ids ids = {{0}, 0};
    static const char *const keys[] = {"id=\"", "href=\"#", "url(#"};
    for (const char *p = svg; *p;) {
        size_t klen = 0;
        for (size_t k = 0; k < 3 && !klen; k++) {
            size_t n = strlen(keys[k]);
            /* an attribute starts after a space (or "xlink:" for href) */
            if (strncmp(p, keys[k], n) == 0 && p > svg && (p[-1] == ' ' || p[-1] == ':' || k == 2)) klen = n;
        }
        if (!klen) {
            attn_sb_putc(&sb, *p++);
            continue;
        }
        attn_sb_append(&sb, p, klen);
        p += klen;
        if (prefix) attn_sb_puts(&sb, prefix);
        if (strncmp(p, "surface", 7) == 0 && isdigit((unsigned char)p[7])) {
            char *end;
            long n = strtol(p + 7, &end, 10);
            attn_sb_printf(&sb, "surface%ld", surface_number(&ids, n));
            p = end;
        }
    }
    return attn_sb_take(&sb);
}

static int valid_prefix(const char *p) {
    if (!isalpha((unsigned char)p[0]) && p[0] != '_') return 0;
    for (; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') return 0;
    return 1;
}

attn_status attn_figure_svg(const attn_figure *f, const char *id_prefix, char **svg, size_t *len) {
    *svg = NULL;
    if (len) *len = 0;
    if (!f) return attn_fail(ATTN_E_INVALID, "attn_figure_svg: no figure");
    if (id_prefix && *id_prefix && !valid_prefix(id_prefix))
        return attn_fail(ATTN_E_INVALID, "SVG id prefix '%s' is not a name (letters, digits, '-', '_')", id_prefix);
    char *text = normalize_svg(f->svg, id_prefix && *id_prefix ? id_prefix : NULL);
    if (text && id_prefix && *id_prefix && f->hover) { /* inlined in a report: the values on hover */
        char *with = fig_svg_with_values(text, f->hover);
        free(text);
        text = with;
    }
    if (!text) return attn_fail(ATTN_E_NOMEM, "figure SVG: out of memory");
    *svg = text;
    if (len) *len = strlen(text);
    return ATTN_OK;
}
