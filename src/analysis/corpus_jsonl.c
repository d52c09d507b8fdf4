/* corpus_jsonl.c — JSON Lines corpora: {"text": "...", "label": "..."} a line (label may be a number). */
#include <string.h>

#include <jansson.h>

#include "corpus_internal.h"

static attn_status copy_label(attn_corpus *c, json_t *label) {
    c->label.len = 0;
    attn_sb_puts(&c->label, "");
    if (json_is_string(label)) attn_sb_append(&c->label, json_string_value(label), json_string_length(label));
    else if (json_is_integer(label)) attn_sb_printf(&c->label, "%lld", (long long)json_integer_value(label));
    else if (label && !json_is_null(label))
        return attn_fail(ATTN_E_FORMAT, "%s:%lld: the label is neither a string nor an integer", c->path,
                         (long long)c->lineno);
    else attn_sb_puts(&c->label, "all");
    return ATTN_OK;
}

static attn_status parse_line(attn_corpus *c, attn_sentence *s) {
    json_error_t err;
    json_t *o = json_loadb(c->line, c->line_len, 0, &err);
    const char *tkey = c->o.text_column ? c->o.text_column : "text";
    attn_status st = ATTN_OK;
    if (!json_is_object(o)) {
        st = attn_fail(ATTN_E_FORMAT, "%s:%lld: not a JSON object (%s)", c->path, (long long)c->lineno,
                       o ? "another JSON value" : err.text);
        json_decref(o);
        return st;
    }
    json_t *text = json_object_get(o, tkey);
    json_t *label = c->o.label_column ? json_object_get(o, c->o.label_column) : json_object_get(o, "label");
    if (!label && !c->o.label_column) label = json_object_get(o, "domain");
    if (!json_is_string(text)) st = attn_fail(ATTN_E_FORMAT, "%s:%lld: no \"%s\" string", c->path, (long long)c->lineno, tkey);
    else if (c->o.label_column && !label)
        st = attn_fail(ATTN_E_FORMAT, "%s:%lld: no \"%s\" field", c->path, (long long)c->lineno, c->o.label_column);
    else if (strlen(json_string_value(text)) != json_string_length(text))
        st = attn_fail(ATTN_E_FORMAT, "%s:%lld: NUL character in the text", c->path, (long long)c->lineno);
    else if (json_string_value(text)[strspn(json_string_value(text), " \t\r\n")] == '\0')
        st = attn_fail(ATTN_E_FORMAT, "%s:%lld: empty text", c->path, (long long)c->lineno);
    if (st == ATTN_OK) st = copy_label(c, label);
    if (st == ATTN_OK) {
        c->text.len = 0;
        attn_sb_puts(&c->text, json_string_value(text));
        if (c->text.oom || c->label.oom) st = attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    json_decref(o);
    if (st != ATTN_OK) return st;
    s->text = c->text.buf;
    s->label = c->label.buf;
    s->line = c->lineno;
    return ATTN_OK;
}

attn_status corpus_jsonl_next(attn_corpus *c, attn_sentence *s) {
    int r;
    while ((r = corpus_read_line(c)) == 1 && c->line[strspn(c->line, " \t")] == '\0') {}
    if (r <= 0) return r < 0 ? ATTN_E_FORMAT : ATTN_OK;
    return parse_line(c, s);
}
