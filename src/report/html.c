/* html.c — the page: template from web/ with the CSP, styles, data and script filled in. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "report.h"

/* web/ files, compiled in by cmake/embed.cmake (NUL-terminated). */
extern const unsigned char attn_web_report_js[], attn_web_report_css[], attn_web_template_html[];
extern const size_t attn_web_report_js_len, attn_web_report_css_len, attn_web_template_html_len;

char *report_json_for_script(const json_t *j) {
    char *raw = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII); /* U+2028/2029 become \u2028/\u2029 */
    if (!raw) return NULL;
    attn_strbuf sb = {0};
    for (const char *p = raw; *p; p++) { /* '<' '>' '&' occur only inside strings, where \u is valid */
        if (*p == '<') attn_sb_puts(&sb, "\\u003c");
        else if (*p == '>') attn_sb_puts(&sb, "\\u003e");
        else if (*p == '&') attn_sb_puts(&sb, "\\u0026");
        else attn_sb_putc(&sb, *p);
    }
    free(raw);
    return attn_sb_take(&sb);
}

static void html_escape(attn_strbuf *sb, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': attn_sb_puts(sb, "&lt;"); break;
        case '>': attn_sb_puts(sb, "&gt;"); break;
        case '&': attn_sb_puts(sb, "&amp;"); break;
        case '"': attn_sb_puts(sb, "&quot;"); break;
        case '\'': attn_sb_puts(sb, "&#39;"); break;
        default: attn_sb_putc(sb, *s);
        }
    }
}

/* 'sha256-<base64>' of an inline element's exact text, as CSP wants it. */
static void csp_hash(attn_strbuf *sb, const unsigned char *text, size_t n) {
    unsigned char md[32];
    unsigned int mdlen = 0;
    char b64[48];
    EVP_Digest(text, n, md, &mdlen, EVP_sha256(), NULL);
    EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
    attn_sb_printf(sb, "'sha256-%s'", b64);
}

static char *csp(void) {
    attn_strbuf sb = {0};
    attn_sb_puts(&sb, "default-src 'none'; script-src ");
    csp_hash(&sb, attn_web_report_js, attn_web_report_js_len);
    attn_sb_puts(&sb, "; style-src ");
    csp_hash(&sb, attn_web_report_css, attn_web_report_css_len);
    attn_sb_puts(&sb, "; img-src data:; base-uri 'none'; form-action 'none'");
    return attn_sb_take(&sb);
}

static char *meta_json(const attn_report *r) {
    json_t *m = json_pack("{s:s, s:i, s:s, s:s, s:O, s:O, s:O, s:O, s:I}", "format", "attnscope-report", "version", 1,
                          "generator", "attnscope " ATTNSCOPE_VERSION, "title", r->title, "models", r->models,
                          "sentences", r->sentences, "tables", r->tables, "charts", r->charts, "blobs",
                          (json_int_t)r->nblobs);
    char *s = m ? report_json_for_script(m) : NULL;
    json_decref(m);
    return s;
}

/* Each blob as its own JSON string element, read only when its sentence is shown. */
static void write_blobs(FILE *f, const attn_report *r) {
    for (size_t i = 0; i < r->nblobs; i++)
        fprintf(f, "<script type=\"application/json\" id=\"attn-blob-%zu\">\"%s\"</script>\n", i, r->blobs[i]);
}

/* Writes the template with each @@NAME@@ replaced. 0 on an unknown name. */
static int fill_template(FILE *f, const attn_report *r, const char *csp_text, const char *meta, const char *title) {
    const char *p = (const char *)attn_web_template_html;
    for (;;) {
        const char *at = strstr(p, "@@");
        if (!at) break;
        fwrite(p, 1, (size_t)(at - p), f);
        const char *end = strstr(at + 2, "@@");
        if (!end) return 0;
        size_t n = (size_t)(end - at - 2);
        if (n == 3 && !memcmp(at + 2, "CSP", 3)) fputs(csp_text, f);
        else if (n == 5 && !memcmp(at + 2, "TITLE", 5)) fputs(title, f);
        else if (n == 5 && !memcmp(at + 2, "STYLE", 5)) fwrite(attn_web_report_css, 1, attn_web_report_css_len, f);
        else if (n == 6 && !memcmp(at + 2, "SCRIPT", 6)) fwrite(attn_web_report_js, 1, attn_web_report_js_len, f);
        else if (n == 4 && !memcmp(at + 2, "META", 4)) fputs(meta, f);
        else if (n == 5 && !memcmp(at + 2, "BLOBS", 5)) write_blobs(f, r);
        else return 0;
        p = end + 2;
    }
    fputs(p, f);
    return 1;
}

attn_status attn_report_write(const attn_report *r, const char *path) {
    attn_status s = attn_report_check_output(path);
    if (s) return s;
    if (strstr((const char *)attn_web_report_js, "</script") || strstr((const char *)attn_web_report_css, "</style"))
        return attn_fail(ATTN_E_INVALID, "report: web/ assets contain a closing tag"); /* a build mistake */
    attn_strbuf tb = {0};
    html_escape(&tb, r->title);
    char *title = attn_sb_take(&tb), *csp_text = csp(), *meta = meta_json(r);
    if (!title || !csp_text || !meta) {
        free(title), free(csp_text), free(meta);
        return attn_fail(ATTN_E_NOMEM, "report: out of memory");
    }
    attn_atomic_file af;
    if ((s = attn_atomic_open(&af, path)) == ATTN_OK) {
        if (!fill_template(af.f, r, csp_text, meta, title)) {
            attn_atomic_abort(&af);
            s = attn_fail(ATTN_E_INVALID, "report: web/template.html has an unknown @@ placeholder");
        } else {
            s = attn_atomic_commit(&af);
        }
    }
    free(title), free(csp_text), free(meta);
    return s;
}
