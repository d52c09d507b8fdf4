/* tok_cases.c — field-by-field comparison of attnscope encodings with Hugging Face's. */
#include "tok_cases.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

json_t *tok_cases_load(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return NULL;
    }
    json_t *arr = json_array();
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (len <= 1) continue;
        json_error_t err;
        json_t *o = json_loadb(line, (size_t)len, JSON_ALLOW_NUL, &err);
        if (!json_is_object(o)) {
            fprintf(stderr, "%s:%d: %s\n", path, lineno, err.text);
            json_decref(o);
            json_decref(arr);
            arr = NULL;
            break;
        }
        json_array_append_new(arr, o);
    }
    free(line);
    fclose(f);
    return arr;
}

static int int_or_null(json_t *v) { return json_is_null(v) ? -1 : (int)json_integer_value(v); }

static int compare(const attn_encoding *e, json_t *ids, json_t *tokens, json_t *offsets, json_t *c, int full, char *why,
                   size_t ws) {
    size_t n = json_array_size(ids);
    if ((size_t)e->n != n) {
        snprintf(why, ws, "%d tokens, want %zu", e->n, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *tk = json_array_get(tokens, i), *of = json_array_get(offsets, i);
        const char *want_tok = json_string_value(tk);
        size_t want_len = json_string_length(tk);
        if (e->ids[i] != json_integer_value(json_array_get(ids, i))) {
            snprintf(why, ws, "token %zu: id %d, want %lld", i, e->ids[i], (long long)json_integer_value(json_array_get(ids, i)));
            return 0;
        }
        if (!want_tok || strlen(e->tokens[i]) != want_len || memcmp(e->tokens[i], want_tok, want_len) != 0) {
            snprintf(why, ws, "token %zu: string \"%s\", want \"%s\"", i, e->tokens[i], want_tok ? want_tok : "?");
            return 0;
        }
        if (e->offsets[2 * i] != json_integer_value(json_array_get(of, 0)) ||
            e->offsets[2 * i + 1] != json_integer_value(json_array_get(of, 1))) {
            snprintf(why, ws, "token %zu (%s): offsets [%d,%d], want [%lld,%lld]", i, e->tokens[i], e->offsets[2 * i],
                     e->offsets[2 * i + 1], (long long)json_integer_value(json_array_get(of, 0)),
                     (long long)json_integer_value(json_array_get(of, 1)));
            return 0;
        }
        if (!full) continue;
        static const char *const fields[] = {"type_ids", "special_tokens_mask", "attention_mask", "word_ids", "sequence_ids"};
        for (int f = 0; f < 5; f++) {
            int got = f == 0 ? e->type_ids[i] : f == 1 ? e->special_tokens_mask[i] : f == 2 ? e->attention_mask[i]
                    : f == 3 ? e->word_ids[i] : e->sequence_ids[i];
            json_t *arr = json_object_get(c, fields[f]);
            if (!json_is_array(arr) || json_array_size(arr) != n) {
                snprintf(why, ws, "case has no %s of %zu entries", fields[f], n);
                return 0;
            }
            int want = int_or_null(json_array_get(arr, i));
            if (got != want) {
                snprintf(why, ws, "token %zu (%s): %s %d, want %d", i, e->tokens[i], fields[f], got, want);
                return 0;
            }
        }
    }
    return 1;
}

int tok_case_matches(const attn_tokenizer *tok, json_t *c, char *why, size_t ws) {
    json_t *text = json_object_get(c, "text"), *pair = json_object_get(c, "text_pair");
    if (!json_is_string(text)) {
        snprintf(why, ws, "case has no text");
        return 0;
    }
    attn_encode_options o;
    attn_encode_options_init(&o);
    for (int pass = 0; pass < 2; pass++) {
        o.add_special_tokens = pass == 0;
        attn_encoding e;
        attn_status s = attn_tokenizer_encode_n(tok, json_string_value(text), json_string_length(text),
                                                pair ? json_string_value(pair) : NULL, pair ? json_string_length(pair) : 0, &o, &e);
        if (s) {
            snprintf(why, ws, "encode failed: %s", attn_last_error());
            return 0;
        }
        json_t *ref = pass == 0 ? c : json_object_get(c, "no_special");
        int ok = compare(&e, json_object_get(ref, "ids"), json_object_get(ref, "tokens"), json_object_get(ref, "offsets"), c,
                         pass == 0, why, ws);
        attn_encoding_free(&e);
        if (!ok) {
            if (pass == 1) {
                size_t l = strlen(why);
                snprintf(why + l, ws - l, " (without special tokens)");
            }
            return 0;
        }
    }
    return 1;
}

char *tok_tmpdir_with(const char *src, const char *const *files) {
    char tmpl[] = "/tmp/attn-tok-XXXXXX";
    if (!mkdtemp(tmpl)) return NULL;
    char *dir = strdup(tmpl);
    for (int i = 0; dir && files[i]; i++) {
        char from[4096], to[4096];
        snprintf(from, sizeof from, "%s/%s", src, files[i]);
        snprintf(to, sizeof to, "%s/%s", dir, files[i]);
        if (symlink(from, to) != 0) fprintf(stderr, "cannot link %s\n", to);
    }
    return dir;
}

void tok_tmpdir_remove(char *dir) {
    if (!dir) return;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        unlink(p);
    }
    if (d) closedir(d);
    rmdir(dir);
    free(dir);
}
