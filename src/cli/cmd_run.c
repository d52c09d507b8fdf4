/* cmd_run.c — `attnscope run MODEL (--text TEXT | --ids LIST | --input FILE.jsonl) [--dump OUT.safetensors [--qk]]`. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "run_figures.h"

typedef struct run_seq {
    int32_t *ids;
    int32_t *type_ids; /* NULL = zeros */
    int len;
    int line; /* line of the input file, 0 for --ids */
    char *text, *pair; /* to tokenize with the model's tokenizer (ids NULL until then) */
    size_t text_len, pair_len;
    int untruncated; /* tokens before truncation to the model's positions; 0 = not truncated */
} run_seq;

typedef struct run_inputs {
    run_seq *items;
    int n, cap;
} run_inputs;

static void inputs_free(run_inputs *in) {
    for (int i = 0; i < in->n; i++)
        free(in->items[i].ids), free(in->items[i].type_ids), free(in->items[i].text), free(in->items[i].pair);
    free(in->items);
    memset(in, 0, sizeof *in);
}

static run_seq *inputs_add(run_inputs *in) {
    if (in->n == in->cap) {
        int cap = in->cap ? in->cap * 2 : 16;
        run_seq *p = realloc(in->items, (size_t)cap * sizeof *p);
        if (!p) return NULL;
        in->items = p, in->cap = cap;
    }
    run_seq *s = &in->items[in->n++];
    memset(s, 0, sizeof *s);
    return s;
}

/* A JSON array of integers → malloc'ed int32 array. 0 if not such an array. */
static int json_int_array(json_t *a, int32_t **out, int *n) {
    *out = NULL, *n = 0;
    if (!json_is_array(a)) return 0;
    size_t len = json_array_size(a);
    int32_t *v = malloc((len ? len : 1) * sizeof *v);
    if (!v) return 0;
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(a, i);
        if (!json_is_integer(e) || json_integer_value(e) < INT32_MIN || json_integer_value(e) > INT32_MAX) {
            free(v);
            return 0;
        }
        v[i] = (int32_t)json_integer_value(e);
    }
    *out = v, *n = (int)len;
    return 1;
}

static char *dup_bytes(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (p) memcpy(p, s, n), p[n] = '\0';
    return p;
}

/* {"text": "...", "text_pair": "..."?}: kept for tokenizing once the model folder is known. */
static int read_text(const char *path, int lineno, json_t *o, run_seq *s) {
    json_t *text = json_object_get(o, "text"), *pair = json_object_get(o, "text_pair");
    if (!json_is_string(text)) return !cli_error("%s:%d: \"text\" is not a string", path, lineno);
    if (pair && !json_is_null(pair) && !json_is_string(pair)) return !cli_error("%s:%d: \"text_pair\" is not a string", path, lineno);
    s->text_len = json_string_length(text);
    s->text = dup_bytes(json_string_value(text), s->text_len);
    if (json_is_string(pair)) {
        s->pair_len = json_string_length(pair);
        s->pair = dup_bytes(json_string_value(pair), s->pair_len);
    }
    if (!s->text || (json_is_string(pair) && !s->pair)) return !cli_error("out of memory");
    return 1;
}

/* "FILE:LINE" or "--text", naming an input in messages. */
static const char *input_name(const char *input_path, const run_seq *s, char *buf, size_t size) {
    if (!input_path) return "--text";
    snprintf(buf, size, "%s:%d", input_path, s->line);
    return buf;
}

/* Tokenizes the inputs given as text with the tokenizer of the model folder. 0 after printing. */
static int tokenize_texts(const char *dir, const char *input_path, const attn_config *cfg, run_inputs *in) {
    attn_tokenizer *tok = NULL;
    int ok = 1, first_text = 0;
    while (first_text < in->n && !in->items[first_text].text) first_text++;
    for (int i = 0; ok && i < in->n; i++) {
        run_seq *s = &in->items[i];
        if (!s->text) continue;
        if (!tok && attn_tokenizer_open(dir, &tok) != ATTN_OK) return !cli_lib_error();
        if (i == first_text && attn_tokenizer_check_model(tok, cfg, dir) != ATTN_OK) { /* once, before any sentence */
            ok = !cli_lib_error();
            break;
        }
        attn_encoding e;
        attn_truncation_info cut;
        char name[4096];
        /* longer than the model's positions: cut as truncation=True, with a warning naming it */
        if (!cli_encode_to_fit(input_name(input_path, s, name, sizeof name), tok, cfg, s->text, s->text_len, s->pair,
                               s->pair_len, &e, &cut)) {
            ok = 0;
            break;
        }
        s->untruncated = cut.tokens;
        s->ids = malloc(((size_t)e.n + 1) * sizeof *s->ids);
        s->type_ids = malloc(((size_t)e.n + 1) * sizeof *s->type_ids);
        if (!s->ids || !s->type_ids) {
            ok = !cli_error("out of memory");
        } else {
            memcpy(s->ids, e.ids, (size_t)e.n * sizeof *s->ids);
            memcpy(s->type_ids, e.type_ids, (size_t)e.n * sizeof *s->type_ids);
            s->len = e.n;
            if (s->len == 0) ok = !cli_error("%s: the text gives no tokens", input_name(input_path, s, name, sizeof name));
        }
        attn_encoding_free(&e);
    }
    attn_tokenizer_free(tok);
    return ok;
}

/* One JSON line: {"ids": [...], "type_ids": [...]?} or {"text": "...", "text_pair": "..."?}.
 * Returns 0 after printing the error. */
static int read_line(const char *path, int lineno, const char *line, run_inputs *in) {
    json_error_t jerr;
    json_t *o = json_loads(line, JSON_ALLOW_NUL, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return !cli_error("%s:%d: not a JSON object (%s)", path, lineno, jerr.text);
    }
    run_seq *s = inputs_add(in);
    int ok = s != NULL;
    if (!ok) cli_error("out of memory");
    else s->line = lineno;
    json_t *ids = json_object_get(o, "ids");
    if (ok && !ids && json_object_get(o, "text")) {
        ok = read_text(path, lineno, o, s);
        json_decref(o);
        return ok;
    }
    if (ok && !ids) ok = !cli_error("%s:%d: no \"ids\" array or \"text\"", path, lineno);
    if (ok && !json_int_array(ids, &s->ids, &s->len)) ok = !cli_error("%s:%d: \"ids\" is not an array of integers", path, lineno);
    json_t *tt = json_object_get(o, "type_ids");
    if (ok && tt && !json_is_null(tt)) {
        int n;
        if (!json_int_array(tt, &s->type_ids, &n)) ok = !cli_error("%s:%d: \"type_ids\" is not an array of integers", path, lineno);
        else if (n != s->len) ok = !cli_error("%s:%d: %d type_ids for %d ids", path, lineno, n, s->len);
    }
    if (ok && s->len == 0) ok = !cli_error("%s:%d: empty \"ids\"", path, lineno);
    json_decref(o);
    return ok;
}

static int read_jsonl(const char *path, run_inputs *in) {
    FILE *f = cli_open_input(path);
    if (!f) return 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, ok = 1;
    while (ok && (len = cli_read_line(f, path, lineno + 1, &line, &cap)) != -1) {
        lineno++;
        if (len < 0) {
            ok = 0;
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (strspn(line, " \t") == (size_t)len) continue;
        ok = read_line(path, lineno, line, in);
    }
    if (ok && ferror(f)) ok = !cli_error("%s: read error: %s", path, strerror(errno));
    if (ok && in->n == 0) ok = !cli_error("%s: no input lines", path);
    free(line);
    if (f != stdin) fclose(f);
    return ok;
}

/* "0:602,3:700" — input index and untruncated length of each truncated input; NULL on OOM. */
static char *truncation_note(const run_inputs *in) {
    size_t cap = (size_t)in->n * 24 + 1, len = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    s[0] = '\0';
    for (int i = 0; i < in->n; i++)
        if (in->items[i].untruncated)
            len += (size_t)snprintf(s + len, cap - len, "%s%d:%d", len ? "," : "", i, in->items[i].untruncated);
    return s;
}

static void help(void) {
    puts("usage: attnscope run MODEL (--text TEXT [--text-pair TEXT] | --ids LIST [--type-ids LIST] |\n"
         "                     --input FILE.jsonl)\n"
         "                     [--dump OUT.safetensors] [--batch-size N] [--threads N] [--quiet]\n\n"
         "Runs the encoder and returns every layer's attention probabilities and hidden states.\n\n"
         "  --text TEXT            one text, tokenized with the model's tokenizer\n"
         "  --text-pair TEXT       the second text of a pair (with --text)\n"
         "  --ids 101,7592,102     one sequence of token ids\n"
         "  --type-ids 0,0,0       its token type ids (default all 0)\n"
         "  --input FILE.jsonl     one {\"ids\": [...], \"type_ids\": [...]} or\n"
         "                         {\"text\": \"...\", \"text_pair\": \"...\"} per line ('-' = stdin)\n"
         "  --batch-size N         sequences run together as one padded batch (default 8)\n"
         "  --dump OUT.safetensors ('-' = stdout) for input i: attentions.i F32 [layers, heads, T, T],\n"
         "                         hidden_states.i F32 [layers+1, T, hidden] (embeddings first),\n"
         "                         input_ids.i I64 [T]\n"
         "  --qk                   with --dump, also queries.i and keys.i F32 [layers, heads, T, head_dim]:\n"
         "                         each head's q and k after the projection and bias, before scaling\n"
         "  --threads N            threads (default: all cores)\n\n"
         "A text longer than the model's positions is truncated (like truncation=True), with a\n"
         "warning naming it; the dump's metadata lists such inputs: \"truncated\": \"i:tokens,...\".");
    run_figures_help();
}

typedef struct run_args {
    const char *ids, *types, *input, *dump, *text, *pair, *model;
    int batch, threads, quiet, qk;
} run_args;

/* Parses the command line into a; 0 to go on, else the exit code (-1 = help shown, exit 0). */
static int parse_args(int argc, char **argv, run_args *a, run_figures *rf) {
    static const struct option opts[] = {
        {"ids", required_argument, 0, 'i'},        {"type-ids", required_argument, 0, 't'},
        {"input", required_argument, 0, 'f'},      {"dump", required_argument, 0, 'd'},
        {"batch-size", required_argument, 0, 'b'}, {"threads", required_argument, 0, 'j'},
        {"quiet", no_argument, 0, 'q'},            {"help", no_argument, 0, 'h'},
        {"text", required_argument, 0, 'T'},       {"text-pair", required_argument, 0, 'P'},
        {"qk", no_argument, 0, 'Q'},               RUN_FIGURE_LONG_OPTIONS,
        {0, 0, 0, 0}};
    *a = (run_args){.batch = 8};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:t:f:d:b:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': a->ids = optarg; break;
        case 't': a->types = optarg; break;
        case 'f': a->input = optarg; break;
        case 'd': a->dump = optarg; break;
        case 'b':
            if (!cli_parse_int(optarg, 1, 4096, &a->batch)) return cli_usage_error("run", "--batch-size must be 1..4096");
            break;
        case 'j':
            if (!cli_parse_int(optarg, 0, 1024, &a->threads)) return cli_usage_error("run", "--threads must be 0..1024 (0 = all cores)");
            break;
        case 'q': a->quiet = 1; break;
        case 'Q': a->qk = 1; break;
        case 'T': a->text = optarg; break;
        case 'P': a->pair = optarg; break;
        case 'h': help(); return -1;
        default: {
            int taken = run_figures_opt(rf, c, optarg);
            if (taken <= 0) return taken < 0 ? 2 : cli_usage_error("run", "unknown option");
        }
        }
    }
    if (optind != argc - 1) return cli_usage_error("run", "expects one MODEL");
    a->model = argv[optind];
    if ((a->ids != NULL) + (a->input != NULL) + (a->text != NULL) != 1)
        return cli_usage_error("run", "give exactly one of --text, --ids or --input");
    if (a->pair && !a->text) return cli_usage_error("run", "--text-pair goes with --text");
    if (!cli_utf8_arg("--text-pair", a->pair)) return 1;
    if (a->types && !a->ids) return cli_usage_error("run", "--type-ids goes with --ids");
    if (a->dump && attn_output_check(a->dump) != ATTN_OK) return cli_lib_error(); /* before any work */
    if (a->dump && strcmp(a->dump, "-") == 0) a->quiet = 1;                       /* stdout carries the dump */
    if (a->qk && !a->dump) return cli_usage_error("run", "--qk goes with --dump");
    return 0;
}

/* --text, --ids or --input into in (texts are tokenized once the model is known). 0 or exit code. */
static int collect_inputs(const run_args *a, run_inputs *in) {
    if (a->input) return read_jsonl(a->input, in) ? 0 : 1;
    run_seq *s = inputs_add(in);
    if (!s) return cli_error("out of memory");
    if (a->text) {
        if (!(s->text = strdup(a->text)) || (a->pair && !(s->pair = strdup(a->pair)))) return cli_error("out of memory");
        s->text_len = strlen(a->text), s->pair_len = a->pair ? strlen(a->pair) : 0;
        return 0;
    }
    if (!cli_parse_int_list(a->ids, &s->ids, &s->len)) return cli_usage_error("run", "--ids wants a comma-separated list of integers");
    int n;
    if (a->types && (!cli_parse_int_list(a->types, &s->type_ids, &n) || n != s->len))
        return cli_usage_error("run", "--type-ids wants as many integers as --ids");
    return 0;
}

/* Resolves the model, tokenizes the texts (cut to the model's positions) and opens the model. */
static int open_model(const run_args *a, run_inputs *in, char **dir, attn_model **m) {
    attn_config pre;
    *dir = cli_model_dir(a->model, a->quiet);
    if (!*dir) return 1;
    if (attn_config_read(*dir, &pre) != ATTN_OK) return cli_lib_error();
    if (!tokenize_texts(*dir, a->input, &pre, in)) return 1;
    if (attn_model_open(*dir, m) != ATTN_OK) return cli_lib_error();
    attn_model_set_threads(*m, a->threads);
    return 0;
}

/* Every input is checked before any output is started. */
static int check_inputs(const run_args *a, attn_model *m, const run_inputs *in, const char *dir) {
    for (int i = 0; i < in->n; i++) {
        attn_input one = {in->items[i].ids, in->items[i].type_ids, in->items[i].len};
        if (attn_model_check_input(m, &one) != ATTN_OK)
            return a->input      ? cli_error("%s:%d: %s", a->input, in->items[i].line, attn_last_error())
                   : in->items[i].text ? cli_error("--text: %s (the tokenizer of %s does not fit its model)", attn_last_error(), dir)
                                       : cli_error("--ids: %s", attn_last_error());
    }
    return 0;
}

/* The dump's layout: per input attentions.i, hidden_states.i, input_ids.i (+ queries.i, keys.i). */
static int open_dump(const run_args *a, const attn_config *cfg, const run_inputs *in, attn_st_writer **w) {
    int per = a->qk ? 5 : 3;
    attn_tensor_view *views = calloc((size_t)in->n * per, sizeof *views);
    char **names = calloc((size_t)in->n * per, sizeof *names);
    static const char *const kinds[5] = {"attentions", "hidden_states", "input_ids", "queries", "keys"};
    for (int i = 0; views && names && i < in->n; i++) {
        int64_t T = in->items[i].len;
        attn_tensor_view *v = views + (size_t)per * i;
        v[0] = (attn_tensor_view){.dtype = ATTN_DTYPE_F32, .ndim = 4, .shape = {cfg->layers, cfg->heads, T, T}};
        v[1] = (attn_tensor_view){.dtype = ATTN_DTYPE_F32, .ndim = 3, .shape = {cfg->layers + 1, T, cfg->hidden}};
        v[2] = (attn_tensor_view){.dtype = ATTN_DTYPE_I64, .ndim = 1, .shape = {T}};
        for (int k = 3; k < per; k++)
            v[k] = (attn_tensor_view){.dtype = ATTN_DTYPE_F32, .ndim = 4, .shape = {cfg->layers, cfg->heads, T, cfg->hidden / cfg->heads}};
        for (int k = 0; k < per; k++) {
            names[per * i + k] = malloc(32);
            if (names[per * i + k]) snprintf(names[per * i + k], 32, "%s.%d", kinds[k], i);
            v[k].name = names[per * i + k] ? names[per * i + k] : "";
        }
    }
    /* inputs cut to the model's positions are named in the header: "truncated": "i:tokens,..." */
    char *truncated = truncation_note(in);
    const char *meta[2] = {"truncated", truncated};
    int rc = 0;
    if (!views || !names) rc = cli_error("out of memory");
    else if (attn_st_writer_open_meta(a->dump, views, in->n * per, meta, truncated && *truncated ? 1 : 0, w) != ATTN_OK)
        rc = cli_lib_error();
    free(truncated);
    for (int i = 0; names && i < in->n * per; i++) free(names[i]);
    free(names);
    free(views);
    return rc;
}

/* One forward's results for sequence s: the progress line and, with a dump, its tensors. */
static int emit(const run_args *a, attn_st_writer *w, int index, const run_seq *s, const attn_output *o, int64_t **ids64) {
    if (!a->quiet && s->untruncated) printf("input %d: %d tokens (truncated from %d)\n", index, s->len, s->untruncated);
    else if (!a->quiet) printf("input %d: %d tokens\n", index, s->len);
    if (!w) return 0;
    int64_t *p = realloc(*ids64, (size_t)s->len * sizeof *p);
    if (!p) return cli_error("out of memory");
    *ids64 = p;
    for (int t = 0; t < s->len; t++) p[t] = s->ids[t];
    if (attn_st_writer_put(w, o->attentions) || attn_st_writer_put(w, o->hidden_states) || attn_st_writer_put(w, p) ||
        (a->qk && (attn_st_writer_put(w, o->queries) || attn_st_writer_put(w, o->keys))))
        return cli_lib_error();
    return 0;
}

/* Runs every input in batches; *first keeps the first output when figures are wanted. */
static int forward_all(const run_args *a, const run_figures *rf, attn_model *m, const run_inputs *in, attn_st_writer *w,
                       attn_output *first, long long *tokens) {
    attn_input *batch_in = calloc((size_t)a->batch, sizeof *batch_in);
    attn_output *batch_out = calloc((size_t)a->batch, sizeof *batch_out);
    int64_t *ids64 = NULL;
    int rc = !batch_in || !batch_out ? cli_error("out of memory") : 0;
    unsigned what = w ? ATTN_OUT_ALL | (a->qk ? ATTN_OUT_QK : 0) : ATTN_OUT_ATTENTIONS;
    for (int start = 0; !rc && start < in->n; start += a->batch) {
        int nb = in->n - start < a->batch ? in->n - start : a->batch;
        for (int b = 0; b < nb; b++) batch_in[b] = (attn_input){in->items[start + b].ids, in->items[start + b].type_ids, in->items[start + b].len};
        if (attn_model_forward(m, batch_in, nb, what, batch_out) != ATTN_OK) {
            rc = cli_lib_error();
            break;
        }
        for (int b = 0; b < nb && !rc; b++) {
            *tokens += in->items[start + b].len;
            rc = emit(a, w, start + b, &in->items[start + b], &batch_out[b], &ids64);
        }
        if (start == 0 && !rc && rf->fig.formats) { /* kept for the figures, drawn outside the timing */
            *first = batch_out[0];
            memset(&batch_out[0], 0, sizeof batch_out[0]);
        }
        for (int b = 0; b < nb; b++) attn_output_free(&batch_out[b]);
    }
    free(ids64);
    free(batch_in);
    free(batch_out);
    return rc;
}

static double elapsed_ms(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int run_main(int argc, char **argv, run_figures *rf) {
    run_args a;
    int rc = parse_args(argc, argv, &a, rf);
    if (rc) return rc < 0 ? 0 : rc;
    run_inputs in = {0};
    char *dir = NULL;
    attn_model *m = NULL;
    attn_st_writer *w = NULL;
    attn_output first = {0};
    long long tokens = 0;
    double ms = 0;
    rc = collect_inputs(&a, &in);
    if (!rc) rc = run_figures_ready(rf, a.dump);
    if (!rc) rc = open_model(&a, &in, &dir, &m);
    if (!rc) rc = run_figures_check(rf, attn_model_config(m));
    if (!rc) rc = check_inputs(&a, m, &in, dir);
    if (!rc && a.dump) rc = open_dump(&a, attn_model_config(m), &in, &w);
    if (!rc) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = forward_all(&a, rf, m, &in, w, &first, &tokens);
        ms = elapsed_ms(&t0);
    }
    if (w) {
        if (rc) attn_st_writer_abort(w);
        else if (attn_st_writer_commit(w) != ATTN_OK) rc = cli_lib_error();
    }
    if (!rc && !a.quiet)
        printf("%d sequences, %lld tokens, %.1f ms%s%s\n", in.n, tokens, ms, a.dump ? ", wrote " : "", a.dump ? a.dump : "");
    if (!rc && first.attentions) rc = run_figures_draw(rf, dir, a.model, in.items[0].ids, &first, a.quiet);
    attn_output_free(&first);
    attn_model_free(m);
    inputs_free(&in);
    free(dir);
    return rc;
}

int cmd_run(int argc, char **argv) {
    run_figures rf;
    run_figures_init(&rf);
    int rc = run_main(argc, argv, &rf);
    run_figures_free(&rf);
    return rc;
}
