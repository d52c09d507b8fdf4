/* cmd_tokenize.c — `attnscope tokenize MODEL TEXT` (a table) or `--input IN.jsonl --output OUT.jsonl`. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli.h"

static void help(void) {
    puts("usage: attnscope tokenize MODEL TEXT [--pair TEXT] [options]\n"
         "       attnscope tokenize MODEL --input IN.jsonl --output OUT.jsonl [options]\n\n"
         "Tokenizes exactly like Hugging Face's fast tokenizer of the model (tokenizer.json, or the\n"
         "legacy vocab.txt / vocab.json + merges.txt). MODEL may also be a tokenizer.json file.\n\n"
         "  --pair TEXT            second sequence of a pair (with TEXT)\n"
         "  --input IN.jsonl       one {\"text\": \"...\", \"text_pair\": \"...\"?} per line ('-' = stdin)\n"
         "  --output OUT.jsonl     one encoding per line: ids, tokens, offsets, type_ids,\n"
         "                         special_tokens_mask, attention_mask, word_ids, sequence_ids\n"
         "                         ('-' = stdout; a file is replaced atomically)\n"
         "  --no-special-tokens    do not add [CLS]/[SEP], <s>/</s>, ...\n"
         "  --max-length N         truncate to N tokens (special tokens included)\n"
         "  --truncation S         longest_first (default), only_first or only_second\n"
         "  --quiet                no download progress\n\n"
         "Offsets count Unicode code points of their own text; special tokens get 0:0.");
}

static json_t *int_array(const int32_t *v, int n, int null_below_zero) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, null_below_zero && v[i] < 0 ? json_null() : json_integer(v[i]));
    return a;
}

static json_t *encoding_json(const attn_encoding *e) {
    json_t *o = json_object(), *toks = json_array(), *offs = json_array(), *stm = json_array(), *am = json_array();
    for (int i = 0; i < e->n; i++) {
        json_array_append_new(toks, json_stringn(e->tokens[i], strlen(e->tokens[i])));
        json_array_append_new(offs, json_pack("[ii]", e->offsets[2 * i], e->offsets[2 * i + 1]));
        json_array_append_new(stm, json_integer(e->special_tokens_mask[i]));
        json_array_append_new(am, json_integer(e->attention_mask[i]));
    }
    json_object_set_new(o, "ids", int_array(e->ids, e->n, 0));
    json_object_set_new(o, "tokens", toks);
    json_object_set_new(o, "offsets", offs);
    json_object_set_new(o, "type_ids", int_array(e->type_ids, e->n, 0));
    json_object_set_new(o, "special_tokens_mask", stm);
    json_object_set_new(o, "attention_mask", am);
    json_object_set_new(o, "word_ids", int_array(e->word_ids, e->n, 1));
    json_object_set_new(o, "sequence_ids", int_array(e->sequence_ids, e->n, 1));
    return o;
}

/* Byte offset of code point cp in s (clamped to len). */
/* A text with a remembered (code point, byte) position: offsets mostly grow, so finding each one
 * from the last keeps the table linear in the text (from the start it was quadratic: minutes for
 * a 60 kB text). */
typedef struct text_cursor {
    const char *s;
    size_t len, byte;
    int32_t cp;
} text_cursor;

/* Byte offset of code point cp (clamped to len). */
static size_t cp_to_byte(text_cursor *c, int32_t cp) {
    if (cp < c->cp) c->cp = 0, c->byte = 0;
    while (c->byte < c->len && c->cp < cp) {
        c->byte++;
        while (c->byte < c->len && ((unsigned char)c->s[c->byte] & 0xC0) == 0x80) c->byte++;
        c->cp++;
    }
    return c->byte;
}

static void print_span(text_cursor *c, int32_t a, int32_t z) {
    const char *s = c->s;
    size_t from = cp_to_byte(c, a), to = cp_to_byte(c, z);
    putchar('"');
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20 || c == 0x7F) printf("\\x%02x", c);
        else putchar(c);
    }
    putchar('"');
}

static void print_table(const attn_encoding *e, const char *text, const char *pair) {
    text_cursor cur[2] = {{text, text ? strlen(text) : 0, 0, 0}, {pair, pair ? strlen(pair) : 0, 0, 0}};
    printf("%5s  %8s  %-20s  %-11s  %4s  %s\n", "#", "id", "token", "offsets", "type", "text");
    for (int i = 0; i < e->n; i++) {
        char off[32];
        snprintf(off, sizeof off, "%d:%d", e->offsets[2 * i], e->offsets[2 * i + 1]);
        /* pad by characters, not bytes, so multi-byte tokens keep the columns aligned */
        int chars = 0;
        for (const unsigned char *p = (const unsigned char *)e->tokens[i]; *p; p++) chars += (*p & 0xC0) != 0x80;
        printf("%5d  %8d  %s%*s  %-11s  %4d  ", i, e->ids[i], e->tokens[i], chars < 20 ? 20 - chars : 0, "", off, e->type_ids[i]);
        text_cursor *c = &cur[e->sequence_ids[i] == 1];
        if (e->special_tokens_mask[i] && e->sequence_ids[i] < 0) printf("(special)");
        else if (c->s) print_span(c, e->offsets[2 * i], e->offsets[2 * i + 1]);
        putchar('\n');
    }
    printf("%d tokens\n", e->n);
}

static int tokenize_file(const attn_tokenizer *tok, const char *in_path, const char *out_path, const attn_encode_options *o) {
    FILE *in = cli_open_input(in_path);
    if (!in) return 1;
    attn_atomic_file af; /* "-" is stdout, written directly */
    if (attn_atomic_open(&af, out_path) != ATTN_OK) {
        if (in != stdin) fclose(in);
        return cli_lib_error();
    }
    FILE *out = af.f;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0, count = 0;
    while (!rc && (len = cli_read_line(in, in_path, lineno + 1, &line, &cap)) != -1) {
        lineno++;
        if (len < 0) {
            rc = 1;
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (strspn(line, " \t") == (size_t)len) continue;
        json_error_t jerr;
        json_t *rec = json_loadb(line, (size_t)len, JSON_ALLOW_NUL, &jerr);
        json_t *text = json_object_get(rec, "text"), *pair = json_object_get(rec, "text_pair");
        if (!json_is_object(rec)) rc = cli_error("%s:%d: not a JSON object (%s)", in_path, lineno, jerr.text);
        else if (!json_is_string(text)) rc = cli_error("%s:%d: no \"text\" string", in_path, lineno);
        else if (pair && !json_is_null(pair) && !json_is_string(pair)) rc = cli_error("%s:%d: \"text_pair\" is not a string", in_path, lineno);
        if (!rc) {
            int has_pair = json_is_string(pair);
            attn_encoding e;
            if (attn_tokenizer_encode_n(tok, json_string_value(text), json_string_length(text),
                                        has_pair ? json_string_value(pair) : NULL, has_pair ? json_string_length(pair) : 0, o,
                                        &e) != ATTN_OK) {
                rc = cli_error("%s:%d: %s", in_path, lineno, attn_last_error());
            } else {
                json_t *j = encoding_json(&e);
                char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
                if (!s || fputs(s, out) == EOF || fputc('\n', out) == EOF) rc = cli_error("%s: write failed: %s", out_path, strerror(errno ? errno : EIO));
                free(s);
                json_decref(j);
                attn_encoding_free(&e);
                count++;
            }
        }
        json_decref(rec);
    }
    if (!rc && ferror(in)) rc = cli_error("%s: read error: %s", in_path, strerror(errno));
    if (!rc && count == 0) rc = cli_error("%s: no input lines", in_path);
    free(line);
    if (in != stdin) fclose(in);
    if (rc) attn_atomic_abort(&af);
    else if (attn_atomic_commit(&af) != ATTN_OK) rc = cli_lib_error();
    if (!rc && strcmp(out_path, "-") != 0) fprintf(stderr, "%d lines tokenized into %s\n", count, out_path);
    return rc;
}

static int open_tokenizer(const char *model, int quiet, attn_tokenizer **tok) {
    struct stat st;
    if (stat(model, &st) == 0 && S_ISREG(st.st_mode)) return attn_tokenizer_from_file(model, tok) == ATTN_OK ? 0 : cli_lib_error();
    char *dir = cli_model_dir(model, quiet);
    if (!dir) return 1;
    int rc = attn_tokenizer_open(dir, tok) == ATTN_OK ? 0 : cli_lib_error();
    free(dir);
    return rc;
}

int cmd_tokenize(int argc, char **argv) {
    const char *pair = NULL, *input = NULL, *output = NULL, *trunc = NULL;
    int quiet = 0;
    attn_encode_options o;
    attn_encode_options_init(&o);
    static const struct option opts[] = {
        {"pair", required_argument, 0, 'p'},       {"input", required_argument, 0, 'i'},
        {"output", required_argument, 0, 'o'},     {"no-special-tokens", no_argument, 0, 'n'},
        {"max-length", required_argument, 0, 'm'}, {"truncation", required_argument, 0, 't'},
        {"quiet", no_argument, 0, 'q'},            {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:i:o:nm:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pair = optarg; break;
        case 'i': input = optarg; break;
        case 'o': output = optarg; break;
        case 'n': o.add_special_tokens = 0; break;
        case 'm': {
            int v;
            if (!cli_parse_int(optarg, 1, INT32_MAX, &v)) return cli_usage_error("tokenize", "--max-length wants a positive integer");
            o.max_length = v;
            break;
        }
        case 't': trunc = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': help(); return 0;
        default: return cli_usage_error("tokenize", "unknown option");
        }
    }
    if (trunc) {
        if (!strcmp(trunc, "longest_first")) o.truncation = ATTN_TRUNC_LONGEST_FIRST;
        else if (!strcmp(trunc, "only_first")) o.truncation = ATTN_TRUNC_ONLY_FIRST;
        else if (!strcmp(trunc, "only_second")) o.truncation = ATTN_TRUNC_ONLY_SECOND;
        else return cli_usage_error("tokenize", "--truncation is longest_first, only_first or only_second");
    }
    int n_pos = argc - optind;
    if (!cli_utf8_arg("--pair", pair)) return 1;
    if (input) {
        if (n_pos != 1) return cli_usage_error("tokenize", "expects one MODEL with --input");
        if (!output) return cli_usage_error("tokenize", "--input needs --output");
        if (pair) return cli_usage_error("tokenize", "--pair goes with a TEXT argument, not --input");
    } else {
        if (n_pos != 2) return cli_usage_error("tokenize", "expects MODEL and TEXT (or --input)");
        if (output) return cli_usage_error("tokenize", "--output goes with --input");
    }
    if (output && attn_output_check(output) != ATTN_OK) return cli_lib_error(); /* before any work */
    attn_tokenizer *tok = NULL;
    int rc = open_tokenizer(argv[optind], quiet, &tok);
    if (rc) return rc;
    if (input) {
        rc = tokenize_file(tok, input, output, &o);
    } else {
        const char *text = argv[optind + 1];
        attn_encoding e;
        if (attn_tokenizer_encode(tok, text, pair, &o, &e) != ATTN_OK) rc = cli_error("TEXT argument: %s", attn_last_error());
        else {
            print_table(&e, text, pair);
            attn_encoding_free(&e);
        }
    }
    attn_tokenizer_free(tok);
    return rc;
}
