/* tokenizer.c — loading tokenizer.json (every component the crate can serialize that attnscope
 * supports; anything else is a clear error naming it) and the public lookup/decode API. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tok_internal.h"

#define GPT2_REGEX "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

typedef struct loader {
    const char *path;
    attn_tokenizer *t;
} loader;

static attn_status unsupported(const loader *L, const char *what, const char *type) {
    return attn_fail(ATTN_E_UNSUPPORTED, "%s: %s \"%s\" is not supported", L->path, what, type ? type : "?");
}

static attn_status malformed(const loader *L, const char *what) {
    return attn_fail(ATTN_E_FORMAT, "%s: malformed %s", L->path, what);
}

static int jbool(json_t *o, const char *key, int def) {
    json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

static const char *jstr(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

/* A JSON string → malloc'ed code points (NUL allowed); not a string: "malformed WHAT". */
static attn_status jcps(const loader *L, json_t *s, uint32_t **out, int32_t *n, const char *what) {
    const char *v = json_string_value(s);
    size_t len = json_string_length(s);
    *out = NULL, *n = 0;
    if (!v) return malformed(L, what);
    *out = attn_calloc(len + 1, sizeof **out);
    if (!*out) return attn_fail(ATTN_E_NOMEM, "%s: out of memory", L->path);
    *n = (int32_t)tk_utf8_decode(v, len, *out);
    return ATTN_OK;
}

static const char *type_of(json_t *o) { return jstr(o, "type"); }

/* ---- normalizers ------------------------------------------------------------------------------ */
static attn_status load_normalizer(const loader *L, json_t *o, tk_normalizer *n) {
    const char *type = type_of(o);
    memset(n, 0, sizeof *n);
    if (!type) return malformed(L, "normalizer (no type)");
    if (!strcmp(type, "BertNormalizer")) {
        n->kind = TK_NORM_BERT;
        n->clean_text = jbool(o, "clean_text", 1);
        n->chinese = jbool(o, "handle_chinese_chars", 1);
        json_t *sa = json_object_get(o, "strip_accents");
        n->strip_accents = json_is_boolean(sa) ? json_is_true(sa) : -1;
        n->lowercase = jbool(o, "lowercase", 1);
    } else if (!strcmp(type, "Lowercase")) n->kind = TK_NORM_LOWERCASE;
    else if (!strcmp(type, "NFD")) n->kind = TK_NORM_NFD;
    else if (!strcmp(type, "NFKD")) n->kind = TK_NORM_NFKD;
    else if (!strcmp(type, "NFC")) n->kind = TK_NORM_NFC;
    else if (!strcmp(type, "NFKC")) n->kind = TK_NORM_NFKC;
    else if (!strcmp(type, "StripAccents")) n->kind = TK_NORM_STRIP_ACCENTS;
    else if (!strcmp(type, "Strip")) {
        n->kind = TK_NORM_STRIP;
        n->left = jbool(o, "strip_left", 1);
        n->right = jbool(o, "strip_right", 1);
    } else if (!strcmp(type, "Replace")) {
        n->kind = TK_NORM_REPLACE;
        json_t *pat = json_object_get(o, "pattern");
        json_t *lit = json_object_get(pat, "String");
        if (!lit) return unsupported(L, "normalizer Replace with pattern", json_is_object(pat) && json_object_get(pat, "Regex") ? "Regex" : "?");
        attn_status st = jcps(L, lit, &n->pattern, &n->pattern_n, "normalizer Replace");
        if (st == ATTN_OK) st = jcps(L, json_object_get(o, "content"), &n->content, &n->content_n, "normalizer Replace");
        if (st != ATTN_OK) return st;
    } else if (!strcmp(type, "Prepend")) {
        n->kind = TK_NORM_PREPEND;
        return jcps(L, json_object_get(o, "prepend"), &n->content, &n->content_n, "normalizer Prepend");
    } else if (!strcmp(type, "Sequence")) {
        n->kind = TK_NORM_SEQUENCE;
        json_t *items = json_object_get(o, "normalizers");
        if (!json_is_array(items)) return malformed(L, "normalizer Sequence");
        n->items = attn_calloc(json_array_size(items) + 1, sizeof *n->items);
        if (!n->items) return attn_fail(ATTN_E_NOMEM, "out of memory");
        for (size_t i = 0; i < json_array_size(items); i++) {
            attn_status s = load_normalizer(L, json_array_get(items, i), &n->items[n->n_items]);
            n->n_items++;
            if (s) return s;
        }
    } else {
        return unsupported(L, "normalizer", type);
    }
    return ATTN_OK;
}

/* ---- pre-tokenizers ----------------------------------------------------------------------------- */
static attn_status behavior(const loader *L, json_t *o, tk_split_behavior def, tk_split_behavior *b) {
    const char *s = jstr(o, "behavior");
    *b = def;
    if (!s) return ATTN_OK;
    if (!strcmp(s, "Removed")) *b = TK_REMOVED;
    else if (!strcmp(s, "Isolated")) *b = TK_ISOLATED;
    else if (!strcmp(s, "MergedWithPrevious")) *b = TK_MERGED_WITH_PREVIOUS;
    else if (!strcmp(s, "MergedWithNext")) *b = TK_MERGED_WITH_NEXT;
    else if (!strcmp(s, "Contiguous")) *b = TK_CONTIGUOUS;
    else return unsupported(L, "split behavior", s);
    return ATTN_OK;
}

static int regex_is_literal(const char *r) {
    for (; *r; r++)
        if (strchr("\\^$.|?*+()[]{}", *r)) return 0;
    return 1;
}

static attn_status load_pretok(const loader *L, json_t *o, tk_pretok *p) {
    const char *type = type_of(o);
    memset(p, 0, sizeof *p);
    if (!type) return malformed(L, "pre_tokenizer (no type)");
    if (!strcmp(type, "BertPreTokenizer")) p->kind = TK_PRE_BERT;
    else if (!strcmp(type, "ByteLevel")) {
        p->kind = TK_PRE_BYTELEVEL;
        p->add_prefix_space = jbool(o, "add_prefix_space", 1);
        p->use_regex = jbool(o, "use_regex", 1);
    } else if (!strcmp(type, "Whitespace")) p->kind = TK_PRE_WHITESPACE;
    else if (!strcmp(type, "WhitespaceSplit")) p->kind = TK_PRE_WHITESPACE_SPLIT;
    else if (!strcmp(type, "Punctuation")) {
        p->kind = TK_PRE_PUNCTUATION;
        return behavior(L, o, TK_ISOLATED, &p->behavior);
    } else if (!strcmp(type, "Digits")) {
        p->kind = TK_PRE_DIGITS;
        p->individual_digits = jbool(o, "individual_digits", 0);
    } else if (!strcmp(type, "Split")) {
        p->kind = TK_PRE_SPLIT;
        p->invert = jbool(o, "invert", 0);
        json_t *pat = json_object_get(o, "pattern");
        json_t *lit = json_object_get(pat, "String"), *re = json_object_get(pat, "Regex");
        if (json_is_string(re)) {
            if (!strcmp(json_string_value(re), GPT2_REGEX)) p->gpt2_regex = 1;
            else if (regex_is_literal(json_string_value(re))) lit = re;
            else return attn_fail(ATTN_E_UNSUPPORTED, "%s: pre_tokenizer Split with Regex \"%s\" is not supported (only the GPT-2 pattern)",
                                  L->path, json_string_value(re));
        }
        if (!p->gpt2_regex) {
            attn_status st = jcps(L, lit, &p->pattern, &p->pattern_n, "pre_tokenizer Split"); /* lit NULL: malformed */
            if (st != ATTN_OK) return st;
        }
        return behavior(L, o, TK_REMOVED, &p->behavior);
    } else if (!strcmp(type, "Sequence")) {
        p->kind = TK_PRE_SEQUENCE;
        json_t *items = json_object_get(o, "pretokenizers");
        if (!json_is_array(items)) return malformed(L, "pre_tokenizer Sequence");
        p->items = attn_calloc(json_array_size(items) + 1, sizeof *p->items);
        if (!p->items) return attn_fail(ATTN_E_NOMEM, "out of memory");
        for (size_t i = 0; i < json_array_size(items); i++) {
            attn_status s = load_pretok(L, json_array_get(items, i), &p->items[p->n_items]);
            p->n_items++;
            if (s) return s;
        }
    } else {
        return unsupported(L, "pre_tokenizer", type);
    }
    return ATTN_OK;
}

/* ---- post-processors ------------------------------------------------------------------------------ */
/* A special token's id must name a token (the model would read past its embeddings otherwise). */
static attn_status special_id(const loader *L, const char *token, json_t *v, int32_t *id) {
    json_int_t x = json_integer_value(v);
    int32_t n = attn_tokenizer_vocab_size(L->t);
    if (!json_is_integer(v) || x < 0 || x >= n)
        return attn_fail(ATTN_E_FORMAT, "%s: post_processor token \"%s\" has no id in the vocabulary (0..%d)", L->path,
                         token, n - 1);
    *id = (int32_t)x;
    return ATTN_OK;
}

static attn_status token_pair(const loader *L, json_t *a, char **tok, int32_t *id) {
    if (!json_is_array(a) || json_array_size(a) != 2 || !json_is_string(json_array_get(a, 0)) ||
        !json_is_integer(json_array_get(a, 1)))
        return malformed(L, "post_processor token");
    attn_status s = special_id(L, json_string_value(json_array_get(a, 0)), json_array_get(a, 1), id);
    if (s) return s;
    *tok = attn_strdup(json_string_value(json_array_get(a, 0)));
    return *tok ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
}

static attn_status template_pieces(const loader *L, json_t *arr, tk_post *p, tk_piece **out, int *n) {
    if (!json_is_array(arr)) return malformed(L, "TemplateProcessing template");
    *out = attn_calloc(json_array_size(arr) + 1, sizeof **out);
    if (!*out) return attn_fail(ATTN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i), *sp = json_object_get(e, "SpecialToken"), *sq = json_object_get(e, "Sequence");
        tk_piece *pc = &(*out)[(*n)++];
        json_t *body = sp ? sp : sq;
        json_t *type_id = json_object_get(body, "type_id");
        const char *id = jstr(body, "id");
        if (!id || (type_id && (!json_is_integer(type_id) || json_integer_value(type_id) < 0 ||
                                json_integer_value(type_id) > INT32_MAX)))
            return malformed(L, "TemplateProcessing piece");
        if (sq && strcmp(id, "A") != 0 && strcmp(id, "B") != 0)
            return attn_fail(ATTN_E_FORMAT, "%s: TemplateProcessing sequence \"%s\" (only A and B exist)", L->path, id);
        pc->type_id = (int32_t)json_integer_value(type_id);
        if (sq) {
            pc->index = !strcmp(id, "B") ? 1 : 0;
            continue;
        }
        pc->special = 1, pc->index = -1;
        for (int k = 0; k < p->n_specials; k++)
            if (!strcmp(p->specials[k].name, id)) pc->index = k;
        if (pc->index < 0)
            return attn_fail(ATTN_E_FORMAT, "%s: TemplateProcessing uses special token \"%s\" it does not define", L->path, id);
    }
    return ATTN_OK;
}

static attn_status load_post(const loader *L, json_t *o, tk_post *p) {
    const char *type = type_of(o);
    memset(p, 0, sizeof *p);
    if (!type) return malformed(L, "post_processor (no type)");
    attn_status s;
    if (!strcmp(type, "BertProcessing") || !strcmp(type, "RobertaProcessing")) {
        p->kind = type[0] == 'B' ? TK_POST_BERT : TK_POST_ROBERTA;
        if ((s = token_pair(L, json_object_get(o, "sep"), &p->sep, &p->sep_id)) ||
            (s = token_pair(L, json_object_get(o, "cls"), &p->cls, &p->cls_id)))
            return s;
        p->trim_offsets = jbool(o, "trim_offsets", 1);
        p->add_prefix_space = jbool(o, "add_prefix_space", 1);
    } else if (!strcmp(type, "ByteLevel")) {
        p->kind = TK_POST_BYTELEVEL;
        p->trim_offsets = jbool(o, "trim_offsets", 1);
        p->add_prefix_space = jbool(o, "add_prefix_space", 1);
    } else if (!strcmp(type, "TemplateProcessing")) {
        p->kind = TK_POST_TEMPLATE;
        json_t *st = json_object_get(o, "special_tokens");
        if (!json_is_object(st)) return malformed(L, "TemplateProcessing special_tokens");
        p->specials = attn_calloc(json_object_size(st) + 1, sizeof *p->specials);
        if (!p->specials) return attn_fail(ATTN_E_NOMEM, "out of memory");
        const char *key;
        json_t *v;
        json_object_foreach(st, key, v) {
            tk_special_tokens *sp = &p->specials[p->n_specials++];
            json_t *ids = json_object_get(v, "ids"), *toks = json_object_get(v, "tokens");
            if (!json_is_array(ids) || !json_is_array(toks) || json_array_size(ids) != json_array_size(toks))
                return malformed(L, "TemplateProcessing special token");
            size_t n = json_array_size(ids);
            sp->name = attn_strdup(key);
            sp->ids = attn_calloc(n + 1, sizeof *sp->ids);
            sp->tokens = attn_calloc(n + 1, sizeof *sp->tokens);
            if (!sp->name || !sp->ids || !sp->tokens) return attn_fail(ATTN_E_NOMEM, "out of memory");
            for (size_t i = 0; i < n; i++) {
                const char *tk = json_string_value(json_array_get(toks, i));
                if ((s = special_id(L, tk ? tk : key, json_array_get(ids, i), &sp->ids[i]))) return s;
                if (!(sp->tokens[sp->n++] = attn_strdup(tk ? tk : ""))) return attn_fail(ATTN_E_NOMEM, "out of memory");
            }
        }
        if ((s = template_pieces(L, json_object_get(o, "single"), p, &p->single, &p->n_single)) ||
            (s = template_pieces(L, json_object_get(o, "pair"), p, &p->pair, &p->n_pair)))
            return s;
    } else if (!strcmp(type, "Sequence")) {
        p->kind = TK_POST_SEQUENCE;
        json_t *items = json_object_get(o, "processors");
        if (!json_is_array(items)) return malformed(L, "post_processor Sequence");
        p->items = attn_calloc(json_array_size(items) + 1, sizeof *p->items);
        if (!p->items) return attn_fail(ATTN_E_NOMEM, "out of memory");
        for (size_t i = 0; i < json_array_size(items); i++) {
            s = load_post(L, json_array_get(items, i), &p->items[p->n_items]);
            p->n_items++;
            if (s) return s;
        }
    } else {
        return unsupported(L, "post_processor", type);
    }
    return ATTN_OK;
}

/* ---- decoders ------------------------------------------------------------------------------------ */
static char *dupstr(json_t *o, const char *key, const char *def) {
    const char *v = jstr(o, key);
    return attn_strdup(v ? v : def);
}

static attn_status load_decoder(const loader *L, json_t *o, tk_decoder *d) {
    const char *type = type_of(o);
    memset(d, 0, sizeof *d);
    if (!type) return malformed(L, "decoder (no type)");
    if (!strcmp(type, "WordPiece")) {
        d->kind = TK_DEC_WORDPIECE;
        d->cleanup = jbool(o, "cleanup", 1);
        if (!(d->prefix = dupstr(o, "prefix", "##"))) return attn_fail(ATTN_E_NOMEM, "out of memory");
    } else if (!strcmp(type, "ByteLevel")) d->kind = TK_DEC_BYTELEVEL;
    else if (!strcmp(type, "Fuse")) d->kind = TK_DEC_FUSE;
    else if (!strcmp(type, "ByteFallback")) d->kind = TK_DEC_BYTE_FALLBACK;
    else if (!strcmp(type, "BPEDecoder")) {
        d->kind = TK_DEC_BPE;
        if (!(d->suffix = dupstr(o, "suffix", "</w>"))) return attn_fail(ATTN_E_NOMEM, "out of memory");
    } else if (!strcmp(type, "Replace")) {
        d->kind = TK_DEC_REPLACE;
        const char *lit = jstr(json_object_get(o, "pattern"), "String");
        if (!lit) return unsupported(L, "decoder Replace with pattern", "Regex");
        d->pattern = attn_strdup(lit);
        if (!d->pattern || !(d->content = dupstr(o, "content", ""))) return attn_fail(ATTN_E_NOMEM, "out of memory");
    } else if (!strcmp(type, "Strip")) {
        d->kind = TK_DEC_STRIP;
        const char *c = jstr(o, "content");
        d->strip_char = c && c[0] ? (unsigned char)c[0] : ' ';
        d->start = (int)json_integer_value(json_object_get(o, "start"));
        d->stop = (int)json_integer_value(json_object_get(o, "stop"));
    } else if (!strcmp(type, "Sequence")) {
        d->kind = TK_DEC_SEQUENCE;
        json_t *items = json_object_get(o, "decoders");
        if (!json_is_array(items)) return malformed(L, "decoder Sequence");
        d->items = attn_calloc(json_array_size(items) + 1, sizeof *d->items);
        if (!d->items) return attn_fail(ATTN_E_NOMEM, "out of memory");
        for (size_t i = 0; i < json_array_size(items); i++) {
            attn_status s = load_decoder(L, json_array_get(items, i), &d->items[d->n_items]);
            d->n_items++;
            if (s) return s;
        }
    } else {
        return unsupported(L, "decoder", type);
    }
    return ATTN_OK;
}

/* ---- model ------------------------------------------------------------------------------------------ */
static attn_status load_vocab(const loader *L, json_t *vocab) {
    if (!json_is_object(vocab)) return malformed(L, "model vocab");
    const char *key;
    json_t *v;
    json_object_foreach(vocab, key, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= TK_MAX_ID)
            return attn_fail(ATTN_E_FORMAT, "%s: vocab entry \"%s\" has no valid id (an integer below %d)", L->path, key, TK_MAX_ID);
        attn_status rc = tk_vocab_set(&L->t->vocab, (int32_t)json_integer_value(v), key, strlen(key));
        if (rc == ATTN_E_FORMAT) return attn_fail(ATTN_E_FORMAT, "%s: vocab id %lld is given to two tokens", L->path, (long long)json_integer_value(v));
        if (rc) return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    return ATTN_OK;
}

attn_status tk_bpe_add_merge(attn_tokenizer *t, const char *path, const char *a, size_t al, const char *b, size_t bl, int32_t rank) {
    int32_t ia = tk_vocab_get(&t->vocab, a, al), ib = tk_vocab_get(&t->vocab, b, bl);
    char stack[256], *buf = al + bl <= sizeof stack ? stack : malloc(al + bl);
    if (!buf) return attn_fail(ATTN_E_NOMEM, "out of memory");
    memcpy(buf, a, al), memcpy(buf + al, b, bl);
    int32_t id = tk_vocab_get(&t->vocab, buf, al + bl);
    if (buf != stack) free(buf);
    if (ia < 0 || ib < 0 || id < 0)
        return attn_fail(ATTN_E_FORMAT, "%s: merge %d (\"%.*s\" \"%.*s\") uses a token that is not in the vocabulary", path,
                         rank + 1, (int)al, a, (int)bl, b);
    if (tk_pairmap_get(&t->bpe.merges, ia, ib)) return ATTN_OK; /* the first rank of a repeated merge wins */
    return tk_pairmap_put(&t->bpe.merges, ia, ib, rank, id) ? attn_fail(ATTN_E_NOMEM, "out of memory") : ATTN_OK;
}

void tk_bpe_finish(attn_tokenizer *t) {
    for (uint32_t c = 0; c < 512; c++) {
        char buf[4];
        int n = tk_utf8_put(c, buf);
        t->bpe.char_ids[c] = tk_vocab_get(&t->vocab, buf, (size_t)n);
    }
    if (t->bpe.unk) t->bpe.unk_id = tk_vocab_get(&t->vocab, t->bpe.unk, strlen(t->bpe.unk));
}

static attn_status load_model(const loader *L, json_t *m) {
    attn_tokenizer *t = L->t;
    if (!json_is_object(m)) return malformed(L, "model");
    const char *type = type_of(m);
    json_t *merges = json_object_get(m, "merges");
    if (!type) type = merges ? "BPE" : json_object_get(m, "continuing_subword_prefix") ? "WordPiece" : "?";
    attn_status s;
    if (!strcmp(type, "WordPiece")) {
        t->model = TK_MODEL_WORDPIECE;
        json_t *unk = json_object_get(m, "unk_token"), *pre = json_object_get(m, "continuing_subword_prefix"),
               *mx = json_object_get(m, "max_input_chars_per_word");
        if ((unk && !json_is_string(unk)) || (pre && !json_is_string(pre)))
            return malformed(L, "WordPiece unk_token or continuing_subword_prefix (not a string)");
        if (mx && (!json_is_integer(mx) || json_integer_value(mx) < 0 || json_integer_value(mx) > INT32_MAX))
            return malformed(L, "WordPiece max_input_chars_per_word (not a non-negative integer)");
        if ((s = load_vocab(L, json_object_get(m, "vocab")))) return s;
        t->wp.unk = dupstr(m, "unk_token", "[UNK]");
        t->wp.prefix = dupstr(m, "continuing_subword_prefix", "##");
        if (!t->wp.unk || !t->wp.prefix) return attn_fail(ATTN_E_NOMEM, "out of memory");
        t->wp.prefix_len = strlen(t->wp.prefix);
        t->wp.max_chars = json_is_integer(mx) ? (int32_t)json_integer_value(mx) : 100;
        t->wp.unk_id = tk_vocab_get(&t->vocab, t->wp.unk, strlen(t->wp.unk));
        if (t->wp.unk_id < 0) return attn_fail(ATTN_E_FORMAT, "%s: WordPiece unk_token \"%s\" is not in the vocabulary", L->path, t->wp.unk);
        return ATTN_OK;
    }
    if (strcmp(type, "BPE") != 0) return unsupported(L, "model", type);
    t->model = TK_MODEL_BPE;
    json_t *dropout = json_object_get(m, "dropout");
    if (json_is_number(dropout) && json_number_value(dropout) > 0)
        return attn_fail(ATTN_E_UNSUPPORTED, "%s: BPE dropout is not supported (it is random)", L->path);
    if ((s = load_vocab(L, json_object_get(m, "vocab")))) return s;
    const char *unk = jstr(m, "unk_token"), *pre = jstr(m, "continuing_subword_prefix"), *suf = jstr(m, "end_of_word_suffix");
    if ((unk && !(t->bpe.unk = attn_strdup(unk))) || (pre && *pre && !(t->bpe.prefix = attn_strdup(pre))) ||
        (suf && *suf && !(t->bpe.suffix = attn_strdup(suf))))
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    t->bpe.fuse_unk = jbool(m, "fuse_unk", 0);
    t->bpe.byte_fallback = jbool(m, "byte_fallback", 0);
    t->bpe.ignore_merges = jbool(m, "ignore_merges", 0);
    if (!json_is_array(merges)) return malformed(L, "BPE merges");
    for (size_t i = 0; i < json_array_size(merges); i++) {
        json_t *e = json_array_get(merges, i);
        const char *a, *b;
        size_t al, bl;
        if (json_is_string(e)) { /* "a b" */
            a = json_string_value(e);
            const char *sp = strchr(a, ' ');
            if (!sp) return attn_fail(ATTN_E_FORMAT, "%s: merge %zu \"%s\" is not two tokens", L->path, i + 1, a);
            al = (size_t)(sp - a), b = sp + 1, bl = strlen(b);
        } else if (json_is_array(e) && json_array_size(e) == 2 && json_is_string(json_array_get(e, 0)) &&
                   json_is_string(json_array_get(e, 1))) {
            a = json_string_value(json_array_get(e, 0)), al = strlen(a);
            b = json_string_value(json_array_get(e, 1)), bl = strlen(b);
        } else {
            return malformed(L, "BPE merges entry");
        }
        if ((s = tk_bpe_add_merge(t, L->path, a, al, b, bl, (int32_t)i))) return s;
    }
    if (t->bpe.unk && tk_vocab_get(&t->vocab, t->bpe.unk, strlen(t->bpe.unk)) < 0)
        return attn_fail(ATTN_E_FORMAT, "%s: BPE unk_token \"%s\" is not in the vocabulary", L->path, t->bpe.unk);
    tk_bpe_finish(t);
    return ATTN_OK;
}

/* ---- added tokens ----------------------------------------------------------------------------------- */
static attn_status load_added(const loader *L, json_t *arr) {
    attn_tokenizer *t = L->t;
    if (!arr || json_is_null(arr)) return ATTN_OK;
    if (!json_is_array(arr)) return malformed(L, "added_tokens");
    t->added = attn_calloc(json_array_size(arr) + 1, sizeof *t->added);
    t->added_cap = t->added ? json_array_size(arr) + 1 : 0;
    if (!t->added) return attn_fail(ATTN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *content = jstr(e, "content");
        json_t *id = json_object_get(e, "id");
        if (!content || !json_is_integer(id)) return malformed(L, "added_tokens entry");
        if (json_integer_value(id) < 0 || json_integer_value(id) > INT32_MAX)
            return attn_fail(ATTN_E_FORMAT, "%s: added token \"%s\" has id %lld, outside 0..2147483647", L->path, content,
                             (long long)json_integer_value(id));
        tk_added *a = &t->added[t->n_added++];
        if (!(a->content = attn_strdup(content))) return attn_fail(ATTN_E_NOMEM, "out of memory");
        int32_t in_vocab = tk_vocab_get(&t->vocab, content, strlen(content));
        a->id = in_vocab >= 0 ? in_vocab : (int32_t)json_integer_value(id);
        a->special = (uint8_t)jbool(e, "special", 0);
        a->lstrip = (uint8_t)jbool(e, "lstrip", 0);
        a->rstrip = (uint8_t)jbool(e, "rstrip", 0);
        a->single_word = (uint8_t)jbool(e, "single_word", 0);
        a->normalized = (uint8_t)jbool(e, "normalized", !a->special);
    }
    return ATTN_OK;
}

attn_status tk_choose_pad(attn_tokenizer *t, const char *name) {
    static const char *const guesses[] = {"[PAD]", "<pad>", "<|endoftext|>"};
    for (int i = -1; i < 3; i++) {
        const char *g = i < 0 ? name : guesses[i];
        if (!g) continue;
        const tk_added *a = tk_added_by_content(t, g);
        int32_t id = a ? a->id : tk_vocab_get(&t->vocab, g, strlen(g));
        if (id >= 0) {
            t->pad_id = id;
            return (t->pad_token = attn_strdup(g)) ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
        }
    }
    t->pad_id = 0;
    const char *s = tk_id_to_token(t, 0);
    return (t->pad_token = attn_strdup(s ? s : "")) ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
}

#define LOAD_PART(field, fn, key)                                                              \
    do {                                                                                      \
        json_t *o_ = json_object_get(root, key);                                              \
        if (o_ && !json_is_null(o_)) {                                                        \
            if (!(t->field = attn_calloc(1, sizeof *t->field))) s = attn_fail(ATTN_E_NOMEM, "out of memory"); \
            else s = fn(&L, o_, t->field);                                                    \
            if (s) goto done;                                                                 \
        }                                                                                     \
    } while (0)

attn_status tk_load_json(attn_tokenizer *t, const char *path) {
    char *data = NULL;
    size_t len = 0;
    attn_status s = attn_read_file(path, &data, &len);
    if (s) return s;
    json_error_t jerr;
    json_t *root = json_loadb(data, len, JSON_ALLOW_NUL, &jerr);
    free(data);
    if (!json_is_object(root)) {
        json_decref(root);
        return attn_fail(ATTN_E_FORMAT, "%s: not a JSON object (line %d: %s)", path, jerr.line, jerr.text);
    }
    loader L = {path, t};
    if ((s = load_model(&L, json_object_get(root, "model")))) goto done;
    if ((s = load_added(&L, json_object_get(root, "added_tokens")))) goto done;
    LOAD_PART(normalizer, load_normalizer, "normalizer");
    LOAD_PART(pretok, load_pretok, "pre_tokenizer");
    LOAD_PART(post, load_post, "post_processor");
    LOAD_PART(decoder, load_decoder, "decoder");
    json_t *tr = json_object_get(root, "truncation");
    if (json_is_object(tr)) {
        json_t *ml = json_object_get(tr, "max_length");
        if (!json_is_integer(ml) || json_integer_value(ml) < 0) {
            s = malformed(&L, "truncation max_length (not a non-negative integer)");
            goto done;
        }
        t->trunc_max_length = json_integer_value(ml) > INT32_MAX ? INT32_MAX : (int32_t)json_integer_value(ml);
        const char *st = jstr(tr, "strategy"), *dir = jstr(tr, "direction");
        t->trunc_strategy = st && !strcmp(st, "OnlyFirst") ? ATTN_TRUNC_ONLY_FIRST
                            : st && !strcmp(st, "OnlySecond") ? ATTN_TRUNC_ONLY_SECOND : ATTN_TRUNC_LONGEST_FIRST;
        if (dir && strcmp(dir, "Right") != 0) { s = unsupported(&L, "truncation direction", dir); goto done; }
        if (json_integer_value(json_object_get(tr, "stride")) != 0) { s = unsupported(&L, "truncation with stride", "stride"); goto done; }
    }
    if ((s = tk_added_prepare(t))) goto done;
    json_t *pad = json_object_get(root, "padding");
    s = tk_choose_pad(t, json_is_object(pad) ? jstr(pad, "pad_token") : NULL);
done:
    json_decref(root);
    return s;
}

/* ---- the public API ---------------------------------------------------------------------------------- */
static attn_tokenizer *tokenizer_new(const char *path) {
    attn_tokenizer *t = attn_calloc(1, sizeof *t);
    if (t && !(t->path = attn_strdup(path))) {
        free(t);
        t = NULL;
    }
    return t;
}

attn_status attn_tokenizer_from_file(const char *tokenizer_json, attn_tokenizer **out) {
    *out = NULL;
    attn_tokenizer *t = tokenizer_new(tokenizer_json);
    if (!t) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_status s = tk_load_json(t, tokenizer_json);
    if (s) {
        attn_tokenizer_free(t);
        return s;
    }
    *out = t;
    return ATTN_OK;
}

attn_status attn_tokenizer_open(const char *dir, attn_tokenizer **out) {
    *out = NULL;
    if (!attn_dir_exists(dir)) return attn_fail(ATTN_E_NOT_FOUND, "%s: no such folder", dir);
    char *json = attn_path_join(dir, "tokenizer.json");
    if (!json) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_status s;
    if (attn_file_exists(json)) {
        s = attn_tokenizer_from_file(json, out);
        free(json);
        return s;
    }
    free(json);
    attn_tokenizer *t = tokenizer_new(dir);
    if (!t) return attn_fail(ATTN_E_NOMEM, "out of memory");
    s = tk_load_legacy(t, dir);
    if (s) {
        attn_tokenizer_free(t);
        return s;
    }
    *out = t;
    return ATTN_OK;
}

void attn_tokenizer_free(attn_tokenizer *t) {
    if (!t) return;
    tk_vocab_free(&t->vocab);
    free(t->wp.unk), free(t->wp.prefix);
    tk_pairmap_free(&t->bpe.merges);
    free(t->bpe.unk), free(t->bpe.prefix), free(t->bpe.suffix);
    for (int i = 0; i < t->n_added; i++) free(t->added[i].content), free(t->added[i].cps);
    free(t->added);
    tk_normalizer_free(t->normalizer), free(t->normalizer);
    tk_pretok_free(t->pretok), free(t->pretok);
    tk_post_free(t->post), free(t->post);
    tk_decoder_free(t->decoder), free(t->decoder);
    free(t->pad_token);
    free(t->path);
    free(t);
}

const char *tk_id_to_token(const attn_tokenizer *t, int32_t id) {
    const tk_added *a = tk_added_by_id(t, id);
    if (a) return a->content;
    return id >= 0 && id < t->vocab.n ? t->vocab.tokens[id] : NULL;
}

int32_t attn_tokenizer_vocab_size(const attn_tokenizer *t) {
    int32_t n = t->vocab.n;
    for (int i = 0; i < t->n_added; i++)
        if (t->added[i].id >= n) n = t->added[i].id + 1;
    return n;
}

const char *attn_tokenizer_id_to_token(const attn_tokenizer *t, int32_t id) { return tk_id_to_token(t, id); }

int32_t attn_tokenizer_token_to_id(const attn_tokenizer *t, const char *token) {
    const tk_added *a = tk_added_by_content(t, token);
    if (a) return a->id;
    return tk_vocab_get(&t->vocab, token, strlen(token));
}

attn_status attn_tokenizer_decode(const attn_tokenizer *t, const int32_t *ids, int n, int skip_special_tokens, char **out) {
    *out = NULL;
    if (n < 0 || (n > 0 && !ids)) return attn_fail(ATTN_E_INVALID, "decode: bad id list");
    char **toks = attn_calloc((size_t)n + 1, sizeof *toks);
    if (!toks) return attn_fail(ATTN_E_NOMEM, "out of memory");
    int k = 0;
    for (int i = 0; i < n; i++) {
        const tk_added *a = tk_added_by_id(t, ids[i]);
        if (a && a->special && skip_special_tokens) continue;
        const char *s = a ? a->content : (ids[i] >= 0 && ids[i] < t->vocab.n ? t->vocab.tokens[ids[i]] : NULL);
        if (s) toks[k++] = (char *)s;
    }
    attn_status s = tk_decode(t, t->decoder, toks, k, out);
    free(toks);
    return s;
}
