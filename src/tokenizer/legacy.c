/* legacy.c — folders without tokenizer.json: build the fast tokenizer the way transformers'
 * convert_slow_tokenizer does (BertConverter for vocab.txt, RobertaConverter for
 * vocab.json + merges.txt), with the options of tokenizer_config.json. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "tok_internal.h"

static json_t *load_json_file(const char *dir, const char *name) {
    char *path = attn_path_join(dir, name);
    json_t *j = NULL;
    json_error_t err;
    if (path && attn_file_exists(path)) j = attn_json_load_file(path, JSON_ALLOW_NUL, &err);
    free(path);
    return j;
}

/* A special token name from tokenizer_config.json: a string or {"content": ...}. */
static const char *special_name(json_t *cfg, const char *key, const char *def) {
    json_t *v = json_object_get(cfg, key);
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_object(v) && json_is_string(json_object_get(v, "content"))) return json_string_value(json_object_get(v, "content"));
    return def;
}

static int cfg_bool(json_t *cfg, const char *key, int def) {
    json_t *v = json_object_get(cfg, key);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

static attn_status add_special(attn_tokenizer *t, const char *content, int lstrip) {
    if (!content || tk_added_by_content(t, content)) return ATTN_OK;
    int32_t id = tk_vocab_get(&t->vocab, content, strlen(content));
    if (id < 0) id = attn_tokenizer_vocab_size(t);
    if (!attn_grow((void **)&t->added, &t->added_cap, (size_t)t->n_added + 1, sizeof *t->added))
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    tk_added *a = &t->added[t->n_added];
    memset(a, 0, sizeof *a);
    if (!(a->content = attn_strdup(content))) return attn_fail(ATTN_E_NOMEM, "out of memory");
    t->n_added++;
    a->id = id, a->special = 1, a->lstrip = (uint8_t)lstrip;
    return ATTN_OK;
}

/* added_tokens_decoder of tokenizer_config.json overrides the flags of the special tokens. */
static attn_status apply_added_decoder(attn_tokenizer *t, json_t *cfg) {
    json_t *dec = json_object_get(cfg, "added_tokens_decoder");
    const char *key;
    json_t *v;
    json_object_foreach(dec, key, v) {
        const char *content = json_string_value(json_object_get(v, "content"));
        if (!content) continue;
        attn_status s = add_special(t, content, 0);
        if (s) return s;
        tk_added *a = (tk_added *)tk_added_by_content(t, content);
        a->special = (uint8_t)cfg_bool(v, "special", a->special);
        a->lstrip = (uint8_t)cfg_bool(v, "lstrip", a->lstrip);
        a->rstrip = (uint8_t)cfg_bool(v, "rstrip", a->rstrip);
        a->single_word = (uint8_t)cfg_bool(v, "single_word", a->single_word);
        a->normalized = (uint8_t)cfg_bool(v, "normalized", a->normalized);
    }
    return ATTN_OK;
}

static attn_status load_bert(attn_tokenizer *t, const char *dir, json_t *cfg) {
    char *path = attn_path_join(dir, "vocab.txt");
    char *data = NULL;
    size_t len = 0;
    attn_status s = path ? attn_read_file(path, &data, &len) : attn_fail(ATTN_E_NOMEM, "out of memory");
    if (s) {
        free(path);
        return s;
    }
    /* load_vocab: one token per line, only the "\n" stripped */
    int32_t id = 0;
    for (size_t i = 0; i < len && !s; id++) {
        size_t j = i;
        while (j < len && data[j] != '\n') j++;
        attn_status rc = tk_vocab_set(&t->vocab, id, data + i, j - i);
        if (rc) s = attn_fail(rc == ATTN_E_NOMEM ? ATTN_E_NOMEM : ATTN_E_FORMAT, "%s: cannot add line %d", path, id + 1);
        i = j + 1;
    }
    free(data);
    free(path);
    if (s) return s;

    const char *unk = special_name(cfg, "unk_token", "[UNK]"), *sep = special_name(cfg, "sep_token", "[SEP]"),
               *pad = special_name(cfg, "pad_token", "[PAD]"), *cls = special_name(cfg, "cls_token", "[CLS]"),
               *mask = special_name(cfg, "mask_token", "[MASK]");
    t->model = TK_MODEL_WORDPIECE;
    t->wp.unk = attn_strdup(unk);
    t->wp.prefix = attn_strdup("##");
    if (!t->wp.unk || !t->wp.prefix) return attn_fail(ATTN_E_NOMEM, "out of memory");
    t->wp.prefix_len = 2, t->wp.max_chars = 100;
    t->wp.unk_id = tk_vocab_get(&t->vocab, unk, strlen(unk));
    if (t->wp.unk_id < 0) return attn_fail(ATTN_E_FORMAT, "%s/vocab.txt: unk token \"%s\" is not in the vocabulary", dir, unk);

    t->normalizer = attn_calloc(1, sizeof *t->normalizer);
    t->pretok = attn_calloc(1, sizeof *t->pretok);
    t->post = attn_calloc(1, sizeof *t->post);
    t->decoder = attn_calloc(1, sizeof *t->decoder);
    if (!t->normalizer || !t->pretok || !t->post || !t->decoder) return attn_fail(ATTN_E_NOMEM, "out of memory");
    t->normalizer->kind = TK_NORM_BERT;
    t->normalizer->clean_text = 1;
    t->normalizer->chinese = cfg_bool(cfg, "tokenize_chinese_chars", 1);
    json_t *sa = json_object_get(cfg, "strip_accents");
    t->normalizer->strip_accents = json_is_boolean(sa) ? json_is_true(sa) : -1;
    t->normalizer->lowercase = cfg_bool(cfg, "do_lower_case", 1);
    t->pretok->kind = TK_PRE_BERT;
    t->post->kind = TK_POST_BERT;
    t->post->cls = attn_strdup(cls), t->post->sep = attn_strdup(sep);
    t->post->cls_id = tk_vocab_get(&t->vocab, cls, strlen(cls));
    t->post->sep_id = tk_vocab_get(&t->vocab, sep, strlen(sep));
    if (!t->post->cls || !t->post->sep) return attn_fail(ATTN_E_NOMEM, "out of memory");
    if (t->post->cls_id < 0 || t->post->sep_id < 0)
        return attn_fail(ATTN_E_FORMAT, "%s/vocab.txt: \"%s\" or \"%s\" is not in the vocabulary", dir, cls, sep);
    t->decoder->kind = TK_DEC_WORDPIECE;
    t->decoder->cleanup = 1;
    if (!(t->decoder->prefix = attn_strdup("##"))) return attn_fail(ATTN_E_NOMEM, "out of memory");
    const char *specials[] = {unk, sep, pad, cls, mask};
    for (int i = 0; i < 5; i++)
        if ((s = add_special(t, specials[i], 0))) return s;
    if ((s = apply_added_decoder(t, cfg))) return s;
    if ((s = tk_added_prepare(t))) return s;
    return tk_choose_pad(t, pad);
}

static attn_status load_roberta(attn_tokenizer *t, const char *dir, json_t *cfg) {
    char *vpath = attn_path_join(dir, "vocab.json"), *mpath = attn_path_join(dir, "merges.txt");
    attn_status s = ATTN_OK;
    json_t *vocab = NULL;
    char *data = NULL;
    size_t len = 0;
    if (!vpath || !mpath) {
        s = attn_fail(ATTN_E_NOMEM, "out of memory");
        goto done;
    }
    json_error_t jerr;
    vocab = attn_json_load_file(vpath, JSON_ALLOW_NUL, &jerr);
    if (!json_is_object(vocab)) {
        struct stat st;
        int present = stat(vpath, &st) == 0;
        s = attn_fail(present ? ATTN_E_FORMAT : ATTN_E_NOT_FOUND, "%s: %s", vpath,
                      attn_file_exists(vpath) ? "not a JSON object of token ids" : present ? "not a regular file" : "no such file");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(vocab, key, v) {
        json_int_t id = json_is_integer(v) ? json_integer_value(v) : -1;
        attn_status rc = id >= 0 && id < TK_MAX_ID ? tk_vocab_set(&t->vocab, (int32_t)id, key, strlen(key)) : ATTN_E_INVALID;
        if (rc) {
            s = rc == ATTN_E_NOMEM ? attn_fail(ATTN_E_NOMEM, "out of memory")
                : rc == ATTN_E_INVALID ? attn_fail(ATTN_E_FORMAT, "%s: entry \"%s\" has no valid id (an integer below %d)", vpath, key, TK_MAX_ID)
                                       : attn_fail(ATTN_E_FORMAT, "%s: bad entry \"%s\"", vpath, key);
            goto done;
        }
    }
    if ((s = attn_read_file(mpath, &data, &len))) goto done;
    t->model = TK_MODEL_BPE;
    /* RobertaTokenizer: read().split("\n")[1:-1] — the first line is the version header, the
     * last is what follows the final newline. */
    size_t nlines = 0, start = 0;
    int32_t rank = 0;
    for (size_t i = 0; i <= len && !s; i++) {
        if (i < len && data[i] != '\n') continue;
        size_t a = start, z = i;
        start = i + 1;
        if (nlines++ == 0 || i == len) continue;
        while (a < z && (data[a] == ' ' || data[a] == '\r' || data[a] == '\t')) a++;
        while (z > a && (data[z - 1] == ' ' || data[z - 1] == '\r' || data[z - 1] == '\t')) z--;
        size_t sp = a;
        while (sp < z && data[sp] != ' ') sp++;
        if (sp >= z) {
            s = attn_fail(ATTN_E_FORMAT, "%s: line %zu is not two tokens", mpath, nlines);
            break;
        }
        size_t b = sp;
        while (b < z && data[b] == ' ') b++;
        s = tk_bpe_add_merge(t, mpath, data + a, sp - a, data + b, z - b, rank++);
    }
    if (s) goto done;
    tk_bpe_finish(t);

    int prefix_space = cfg_bool(cfg, "add_prefix_space", 0), trim = cfg_bool(cfg, "trim_offsets", 1);
    const char *bos = special_name(cfg, "bos_token", "<s>"), *eos = special_name(cfg, "eos_token", "</s>"),
               *unk = special_name(cfg, "unk_token", "<unk>"), *sep = special_name(cfg, "sep_token", "</s>"),
               *pad = special_name(cfg, "pad_token", "<pad>"), *cls = special_name(cfg, "cls_token", "<s>"),
               *mask = special_name(cfg, "mask_token", "<mask>");
    t->pretok = attn_calloc(1, sizeof *t->pretok);
    t->post = attn_calloc(1, sizeof *t->post);
    t->decoder = attn_calloc(1, sizeof *t->decoder);
    if (!t->pretok || !t->post || !t->decoder) {
        s = attn_fail(ATTN_E_NOMEM, "out of memory");
        goto done;
    }
    t->pretok->kind = TK_PRE_BYTELEVEL;
    t->pretok->add_prefix_space = prefix_space, t->pretok->use_regex = 1;
    t->decoder->kind = TK_DEC_BYTELEVEL;
    const char *specials[] = {bos, eos, unk, sep, pad, cls};
    for (int i = 0; i < 6 && !s; i++) s = add_special(t, specials[i], 0);
    if (!s) s = add_special(t, mask, 1);
    if (!s) s = apply_added_decoder(t, cfg);
    if (s) goto done;
    t->post->kind = TK_POST_ROBERTA;
    t->post->trim_offsets = trim, t->post->add_prefix_space = prefix_space;
    t->post->cls = attn_strdup(cls), t->post->sep = attn_strdup(sep);
    t->post->cls_id = attn_tokenizer_token_to_id(t, cls);
    t->post->sep_id = attn_tokenizer_token_to_id(t, sep);
    if (!t->post->cls || !t->post->sep) {
        s = attn_fail(ATTN_E_NOMEM, "out of memory");
        goto done;
    }
    if ((s = tk_added_prepare(t))) goto done;
    s = tk_choose_pad(t, pad);
done:
    json_decref(vocab);
    free(data), free(vpath), free(mpath);
    return s;
}

attn_status tk_load_legacy(attn_tokenizer *t, const char *dir) {
    json_t *config = load_json_file(dir, "config.json"), *cfg = load_json_file(dir, "tokenizer_config.json");
    const char *model_type = json_string_value(json_object_get(config, "model_type"));
    char *vocab_txt = attn_path_join(dir, "vocab.txt"), *vocab_json = attn_path_join(dir, "vocab.json");
    attn_status s;
    if (!vocab_txt || !vocab_json) s = attn_fail(ATTN_E_NOMEM, "out of memory");
    else if (model_type && (!strcmp(model_type, "bert") || !strcmp(model_type, "distilbert")))
        s = load_bert(t, dir, cfg);
    else if (model_type && !strcmp(model_type, "roberta"))
        s = load_roberta(t, dir, cfg);
    else if (model_type)
        s = attn_fail(ATTN_E_UNSUPPORTED, "%s: no tokenizer.json, and model_type \"%s\" has no legacy tokenizer attnscope can build",
                      dir, model_type);
    else if (attn_file_exists(vocab_txt))
        s = load_bert(t, dir, cfg);
    else if (attn_file_exists(vocab_json))
        s = load_roberta(t, dir, cfg);
    else
        s = attn_fail(ATTN_E_NOT_FOUND, "%s: no tokenizer.json, vocab.txt or vocab.json", dir);
    free(vocab_txt), free(vocab_json);
    json_decref(config), json_decref(cfg);
    return s;
}
