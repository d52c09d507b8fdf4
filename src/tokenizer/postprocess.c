/* postprocess.c — truncation and post-processors (special tokens, type ids, offset trimming),
 * following TokenizerImpl::post_process of the Rust crate. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

attn_status tk_truncate(tk_seq *a, tk_seq *b, int32_t max_length, attn_truncation strategy) {
    if (max_length <= 0) {
        a->n = 0;
        if (b) b->n = 0;
        return ATTN_OK;
    }
    int32_t total = a->n + (b ? b->n : 0);
    if (total <= max_length) return ATTN_OK;
    int32_t to_remove = total - max_length;
    if (strategy == ATTN_TRUNC_LONGEST_FIRST) {
        if (!b) {
            a->n = max_length;
            return ATTN_OK;
        }
        int32_t n1 = a->n, n2 = b->n;
        int swap = n1 > n2;
        if (swap) n1 = b->n, n2 = a->n;
        if (n1 > max_length) n2 = n1;
        else n2 = n1 > max_length - n1 ? n1 : max_length - n1;
        if (n1 + n2 > max_length) {
            n1 = max_length / 2;
            n2 = n1 + max_length % 2;
        }
        if (swap) {
            int32_t x = n1;
            n1 = n2, n2 = x;
        }
        if (a->n > n1) a->n = n1;
        if (b->n > n2) b->n = n2;
        return ATTN_OK;
    }
    tk_seq *target = strategy == ATTN_TRUNC_ONLY_FIRST ? a : b;
    if (!target) return attn_fail(ATTN_E_INVALID, "truncation only_second needs a pair of texts");
    if (target->n <= to_remove)
        return attn_fail(ATTN_E_INVALID, "truncation to %d tokens: the %s sequence is too short to remove %d tokens",
                         max_length, strategy == ATTN_TRUNC_ONLY_FIRST ? "first" : "second", to_remove);
    target->n -= to_remove;
    return ATTN_OK;
}

int tk_post_added(const tk_post *p, int pair) {
    if (!p) return 0;
    switch (p->kind) {
    case TK_POST_BERT: return pair ? 3 : 2;
    case TK_POST_ROBERTA: return pair ? 4 : 2;
    case TK_POST_BYTELEVEL: return 0;
    case TK_POST_TEMPLATE: {
        const tk_piece *pc = pair ? p->pair : p->single;
        int n = pair ? p->n_pair : p->n_single, k = 0;
        for (int i = 0; i < n; i++)
            if (pc[i].special) k += p->specials[pc[i].index].n;
        return k;
    }
    case TK_POST_SEQUENCE: {
        int k = 0;
        for (int i = 0; i < p->n_items; i++) k += tk_post_added(&p->items[i], pair);
        return k;
    }
    }
    return 0;
}

static const char *tok_str(const tk_seq *q, const tk_tok *t) { return t->str ? t->str : q->arena->buf + t->str_off; }

static int is_space_char(uint32_t c) { return c == 0x120 || tk_is_whitespace(c); }

static uint32_t decode_at(const char *s, size_t i, size_t len, size_t *next) {
    uint32_t c;
    uint8_t b = (uint8_t)s[i];
    size_t l = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (i + l > len) l = len - i;
    tk_utf8_decode(s + i, l, &c);
    *next = i + l;
    return c;
}

/* process_offsets of the ByteLevel/Roberta processors: spaces (Ġ or whitespace) at either end of a
 * token's string are cut from its offsets (counted in chars, on char offsets). */
static void trim_offsets(tk_seq *q, int add_prefix_space) {
    for (int32_t i = 0; i < q->n; i++) {
        tk_tok *t = &q->v[i];
        const char *s = tok_str(q, t);
        size_t len = strlen(s), pos = 0, next;
        int32_t lead = 0, trail = 0, total = 0, run = 0;
        int leading = 1;
        while (pos < len) {
            uint32_t c = decode_at(s, pos, len, &next);
            pos = next, total++;
            if (is_space_char(c)) {
                run++;
                if (leading) lead++;
            } else {
                leading = 0, run = 0;
            }
        }
        trail = run;
        if (!total) continue;
        if (lead > 0) {
            int is_first = i == 0 || t->start == 0;
            if (is_first && add_prefix_space && lead == 1) lead = 0;
            t->start = t->start + lead < t->end ? t->start + lead : t->end;
        }
        if (trail > 0 && t->end >= trail) t->end = t->end - trail > t->start ? t->end - trail : t->start;
    }
}

static attn_status append_special(tk_seq *out, int32_t id, const char *str, int32_t type_id) {
    tk_tok *t = tk_seq_push(out);
    if (!t) return ATTN_E_NOMEM;
    t->id = id, t->str = str, t->type_id = type_id, t->special = 1;
    return ATTN_OK;
}

static attn_status append_seq(tk_seq *out, const tk_seq *q, int set_type, int32_t type_id) {
    for (int32_t i = 0; i < q->n; i++) {
        tk_tok *t = tk_seq_push(out);
        if (!t) return ATTN_E_NOMEM;
        *t = q->v[i];
        if (set_type) t->type_id = type_id;
    }
    return ATTN_OK;
}

/* Applies one processor to (a, b). When it adds special tokens the result goes to out and *merged
 * is set; otherwise a and b are changed in place. */
static attn_status process(const tk_post *p, tk_seq *a, tk_seq *b, int add_special, tk_seq *out, int *merged) {
    switch (p->kind) {
    case TK_POST_BYTELEVEL:
        if (p->trim_offsets) {
            trim_offsets(a, p->add_prefix_space);
            if (b) trim_offsets(b, p->add_prefix_space);
        }
        return ATTN_OK;
    case TK_POST_ROBERTA:
        if (p->trim_offsets) {
            trim_offsets(a, p->add_prefix_space);
            if (b) trim_offsets(b, p->add_prefix_space);
        }
        if (!add_special) return ATTN_OK;
        *merged = 1;
        if (append_special(out, p->cls_id, p->cls, 0) || append_seq(out, a, 1, 0) || append_special(out, p->sep_id, p->sep, 0))
            return ATTN_E_NOMEM;
        if (b && (append_special(out, p->sep_id, p->sep, 0) || append_seq(out, b, 1, 0) || append_special(out, p->sep_id, p->sep, 0)))
            return ATTN_E_NOMEM;
        return ATTN_OK;
    case TK_POST_BERT:
        if (!add_special) return ATTN_OK;
        *merged = 1;
        if (append_special(out, p->cls_id, p->cls, 0) || append_seq(out, a, 0, 0) || append_special(out, p->sep_id, p->sep, 0))
            return ATTN_E_NOMEM;
        if (b && (append_seq(out, b, 0, 0) || append_special(out, p->sep_id, p->sep, 1))) return ATTN_E_NOMEM;
        return ATTN_OK;
    case TK_POST_TEMPLATE: {
        const tk_piece *pc = b ? p->pair : p->single;
        int n = b ? p->n_pair : p->n_single;
        *merged = 1;
        for (int i = 0; i < n; i++) {
            if (pc[i].special) {
                if (!add_special) continue;
                const tk_special_tokens *st = &p->specials[pc[i].index];
                for (int k = 0; k < st->n; k++)
                    if (append_special(out, st->ids[k], st->tokens[k], pc[i].type_id)) return ATTN_E_NOMEM;
            } else {
                const tk_seq *q = pc[i].index == 0 ? a : b;
                if (q && append_seq(out, q, 1, pc[i].type_id)) return ATTN_E_NOMEM;
            }
        }
        return ATTN_OK;
    }
    case TK_POST_SEQUENCE:
        for (int i = 0; i < p->n_items; i++) {
            if (*merged) {
                if (process(&p->items[i], out, NULL, 0, NULL, merged)) return ATTN_E_NOMEM;
            } else if (process(&p->items[i], a, b, add_special, out, merged)) {
                return ATTN_E_NOMEM;
            }
        }
        return ATTN_OK;
    }
    return ATTN_OK;
}

attn_status tk_post_process(const attn_tokenizer *t, tk_seq *a, tk_seq *b, int add_special, tk_seq *out) {
    for (int32_t i = 0; i < a->n; i++) a->v[i].seq = 0;
    if (b)
        for (int32_t i = 0; i < b->n; i++) b->v[i].seq = 1;
    int merged = 0;
    if (t->post && process(t->post, a, b, add_special, out, &merged)) return ATTN_E_NOMEM;
    if (merged) return ATTN_OK;
    if (append_seq(out, a, 0, 0)) return ATTN_E_NOMEM;
    if (b && append_seq(out, b, 0, 0)) return ATTN_E_NOMEM;
    return ATTN_OK;
}

void tk_post_free(tk_post *p) {
    if (!p) return;
    free(p->cls), free(p->sep), free(p->single), free(p->pair);
    for (int i = 0; i < p->n_specials; i++) {
        tk_special_tokens *s = &p->specials[i];
        free(s->name), free(s->ids);
        for (int k = 0; k < s->n; k++) free(s->tokens[k]);
        free(s->tokens);
    }
    free(p->specials);
    for (int i = 0; i < p->n_items; i++) tk_post_free(&p->items[i]);
    free(p->items);
    memset(p, 0, sizeof *p);
}
