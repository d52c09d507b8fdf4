/* test_fault.c — fault injection over the library (sqlite's fault-simulation walk): for each
 * scenario (a model load, a tokenizer load, an encode, a forward, an output write) it counts the
 * K allocations (or writes) a clean run makes, then re-runs it with allocation n failing, for n
 * over 1..K (every n up to a bound, then evenly spaced samples). Each run must either fail
 * cleanly — a status, a one-line message, no temp file, the old output intact — or succeed with
 * exactly the clean run's result. Leaks are caught by the sanitizer build (detect_leaks=1) and
 * valgrind. Allocation failures come from link-time wrappers (fault_alloc.c), write failures from
 * the library's own hook (attn_fault_write_at). */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fault_alloc.h"
#include "testutil.h"

static const char bert_json[] =
    "{\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\",\"special\":true},{\"id\":1,\"content\":\"[UNK]\",\"special\":true},"
    "{\"id\":2,\"content\":\"[CLS]\",\"special\":true},{\"id\":3,\"content\":\"[SEP]\",\"special\":true}],"
    "\"normalizer\":{\"type\":\"BertNormalizer\",\"lowercase\":true},\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
    "\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",3],\"cls\":[\"[CLS]\",2]},"
    "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\"},"
    "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"vocab\":{\"[PAD]\":0,"
    "\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,\"a\":4,\"b\":5,\"##a\":6,\"##b\":7,\"ab\":8}}}";

static const char bpe_json[] =
    "{\"added_tokens\":[{\"id\":0,\"content\":\"<s>\",\"special\":true},{\"id\":1,\"content\":\"</s>\",\"special\":true},"
    "{\"id\":2,\"content\":\"<mask>\",\"special\":true,\"lstrip\":true}],"
    "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"}]},"
    "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true},"
    "\"post_processor\":{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",1],\"cls\":[\"<s>\",0],\"trim_offsets\":true},"
    "\"decoder\":{\"type\":\"ByteLevel\"},"
    "\"model\":{\"type\":\"BPE\",\"vocab\":{\"<s>\":0,\"</s>\":1,\"<mask>\":2,\"a\":3,\"b\":4,\"\xc4\xa0\":5,\"ab\":6,\"\xc4\xa0" "a\":7},"
    "\"merges\":[\"a b\",\"\xc4\xa0 a\"]}}";

static char work[256];               /* a temp folder for the write scenarios */
static attn_tokenizer *bert_tok, *bpe_tok;
static attn_model *bert_model;
static const char *arg_dir;          /* folder argument of the current scenario */
static uint64_t result;              /* the scenario's result, compared with the clean run's */

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/* ---- scenarios: do the work, free everything, set result ------------------------------- */

static attn_status sc_model_open(void) {
    attn_model *m = NULL;
    attn_status s = attn_model_open(arg_dir, &m);
    if (!s) result = (uint64_t)attn_model_loaded_parameters(m);
    attn_model_free(m);
    return s;
}

static attn_status sc_tokenizer_open(void) {
    attn_tokenizer *t = NULL;
    attn_status s = attn_tokenizer_open(arg_dir, &t);
    if (!s) result = (uint64_t)attn_tokenizer_vocab_size(t) ^ (uint64_t)attn_tokenizer_token_to_id(t, "the");
    attn_tokenizer_free(t);
    return s;
}

static attn_status load_json(const char *json, attn_tokenizer **t) {
    char path[300];
    snprintf(path, sizeof path, "%s/tok.json", work);
    FILE *f = fopen(path, "wb");
    if (!f) return attn_fail(ATTN_E_IO, "%s: cannot create", path);
    fputs(json, f);
    fclose(f);
    return attn_tokenizer_from_file(path, t);
}

static attn_status sc_tokenizer_json(const char *json) {
    attn_tokenizer *t = NULL;
    attn_status s = load_json(json, &t);
    if (!s) result = (uint64_t)attn_tokenizer_vocab_size(t);
    attn_tokenizer_free(t);
    return s;
}
static attn_status sc_tokenizer_bert_json(void) { return sc_tokenizer_json(bert_json); }
static attn_status sc_tokenizer_bpe_json(void) { return sc_tokenizer_json(bpe_json); }

static uint64_t encoding_hash(const attn_encoding *e) {
    uint64_t h = fnv(1469598103934665603ULL, e->ids, (size_t)e->n * sizeof *e->ids);
    h = fnv(h, e->offsets, (size_t)e->n * 2 * sizeof *e->offsets);
    for (int i = 0; i < e->n; i++) h = fnv(h, e->tokens[i], strlen(e->tokens[i]));
    return h;
}

static attn_status encode_decode(const attn_tokenizer *t, const char *text, const char *pair) {
    attn_encoding e;
    attn_status s = attn_tokenizer_encode(t, text, pair, NULL, &e);
    if (s) return s;
    result = encoding_hash(&e);
    char *back = NULL;
    s = attn_tokenizer_decode(t, e.ids, e.n, 1, &back);
    if (!s) result = fnv(result, back, strlen(back));
    free(back);
    attn_encoding_free(&e);
    return s;
}

static attn_status sc_encode_bert(void) {
    return encode_decode(bert_tok, "The bank raised interest rates, caf\xc3\xa9 \xe4\xb8\x80 unaffable!", "On the river bank.");
}
static attn_status sc_encode_bpe(void) { return encode_decode(bpe_tok, "ab a <mask> b\xc3\xa9  aab", "x"); }

static attn_status sc_encode_batch(void) {
    const char *texts[3] = {"hello world", "the bank", "a much longer sentence of several words"};
    attn_encoding e[3];
    attn_status s = attn_tokenizer_encode_batch(bert_tok, texts, NULL, 3, NULL, e);
    if (s) return s;
    result = 0;
    for (int i = 0; i < 3; i++) result ^= encoding_hash(&e[i]) + (uint64_t)i, attn_encoding_free(&e[i]);
    return s;
}

static attn_status sc_forward(void) {
    static const int32_t a[] = {101, 7592, 2088, 102}, b[] = {101, 1996, 2924, 1010, 2003, 102};
    attn_input in[2] = {{a, NULL, 4}, {b, NULL, 6}};
    attn_output out[2];
    attn_status s = attn_model_forward(bert_model, in, 2, ATTN_OUT_ALL, out);
    if (s) return s;
    result = 1469598103934665603ULL;
    for (int i = 0; i < 2; i++) {
        size_t T = (size_t)out[i].len;
        result = fnv(result, out[i].attentions, (size_t)out[i].layers * (size_t)out[i].heads * T * T * sizeof(float));
        result = fnv(result, out[i].hidden_states, (size_t)(out[i].layers + 1) * T * (size_t)out[i].hidden * sizeof(float));
        attn_output_free(&out[i]);
    }
    return s;
}

static const char old_bytes[] = "the old output, which a failed write must leave as it was";

static attn_status sc_write_safetensors(void) {
    static const float x[6] = {1, 2, 3, 4, 5, 6};
    static const int64_t ids[3] = {101, 7, 102};
    attn_tensor_view v[2] = {
        {.name = "x", .dtype = ATTN_DTYPE_F32, .ndim = 2, .shape = {2, 3}, .data = x},
        {.name = "ids", .dtype = ATTN_DTYPE_I64, .ndim = 1, .shape = {3}, .data = ids},
    };
    char path[300];
    snprintf(path, sizeof path, "%s/out.safetensors", work);
    attn_status s = attn_safetensors_write(path, v, 2);
    attn_mmap m; /* read back without allocating */
    if (!s && attn_mmap_open(path, &m) == ATTN_OK) {
        result = fnv(1469598103934665603ULL, m.data, m.size);
        attn_mmap_close(&m);
    }
    return s;
}

/* A file big enough for several write(2) calls, through the streaming writer. */
static attn_status sc_write_large(void) {
    enum { N = 50000 };
    static float big[N];
    for (int i = 0; i < N; i++) big[i] = (float)i;
    attn_tensor_view v = {.name = "big", .dtype = ATTN_DTYPE_F32, .ndim = 1, .shape = {N}};
    char path[300];
    snprintf(path, sizeof path, "%s/out.safetensors", work);
    attn_st_writer *w = NULL;
    attn_status s = attn_st_writer_open(path, &v, 1, &w);
    if (s) return s;
    if ((s = attn_st_writer_put(w, big))) {
        attn_st_writer_abort(w);
        return s;
    }
    s = attn_st_writer_commit(w);
    result = s ? 0 : N;
    return s;
}

/* A report from scratch to its HTML file: two sentences, two models, a table and a chart. */
static attn_status report_content(attn_report *r) {
    static const char *const toks[3] = {"[CLS]", "bank", "[SEP]"};
    static const int32_t seg[3] = {0, 0, 1}, words[3] = {-1, 0, -1};
    float att[2 * 2 * 3 * 3], q[2 * 2 * 3 * 4], k[2 * 2 * 3 * 4];
    for (int i = 0; i < 36; i++) att[i] = (float)((i % 3) + 1) / 6.0f;
    for (int i = 0; i < 48; i++) q[i] = (float)i * 0.25f, k[i] = 1.0f - (float)i * 0.125f;
    attn_report_sentence s0 = {"s0", "the bank", NULL, "Business"}, s1 = {NULL, "a bank", "the river", NULL};
    attn_report_attention a = {.n_tokens = 3, .tokens = toks, .segments = seg, .word_ids = words, .layers = 2,
                               .heads = 2, .attentions = att};
    attn_status s;
    if ((s = attn_report_add_sentence(r, &s0, NULL)) || (s = attn_report_add_sentence(r, &s1, NULL)) ||
        (s = attn_report_add_model(r, "A", "model a", NULL)) || (s = attn_report_add_model(r, "B", NULL, NULL)) ||
        (s = attn_report_add_attention(r, 0, 0, &a)))
        return s;
    a.head_dim = 4, a.queries = q, a.keys = k;
    if ((s = attn_report_add_attention(r, 1, 1, &a))) return s;
    if ((s = attn_report_set_scale(r, ATTN_REPORT_SCALE_MILLI)) || (s = attn_report_add_attention(r, 0, 1, &a))) return s;
    if ((s = attn_report_add_table(r, "heads", "[{\"layer\": 0, \"head\": 1, \"x\": 0.5}, {\"layer\": 1, \"y\": \"<b>\"}]",
                                   "layer")))
        return s;
    return attn_report_add_svg(r, "chart", "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\"/></svg>");
}

static attn_status sc_write_report(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/out.html", work);
    attn_report *r = NULL;
    attn_status s = attn_report_create("fault <walk>", &r);
    if (!s) s = report_content(r);
    if (!s) s = attn_report_write(r, path);
    attn_report_free(r);
    attn_mmap m; /* read back without allocating */
    if (!s && attn_mmap_open(path, &m) == ATTN_OK) {
        result = fnv(1469598103934665603ULL, m.data, m.size);
        attn_mmap_close(&m);
    }
    return s;
}

/* ---- the walk ---------------------------------------------------------------------------- */

/* Resets the scenario's output (out.safetensors or out.html) to old_bytes. */
static void put_old_output(const char *out) {
    char path[300];
    snprintf(path, sizeof path, "%s/%s", work, out);
    FILE *f = fopen(path, "wb");
    if (f) fputs(old_bytes, f), fclose(f);
}

/* After a failure: no temp file in work/, and the output still holds old_bytes. */
static int output_intact(const char *out) {
    int ok = 1;
    DIR *d = opendir(work);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp-")) ok = 0;
    if (d) closedir(d);
    char path[300], *data = NULL;
    snprintf(path, sizeof path, "%s/%s", work, out);
    if (attn_read_file(path, &data, NULL) != ATTN_OK || strcmp(data, old_bytes) != 0) ok = 0;
    free(data);
    return ok;
}

typedef enum { FAULT_ALLOC, FAULT_WRITE } fault_kind;

/* Runs fn once with fault n (0 = none). */
static attn_status run_with_fault(attn_status (*fn)(void), fault_kind kind, long n, long *counted) {
    attn_clear_error();
    if (kind == FAULT_ALLOC) fault_alloc_at(n);
    else attn_fault_write_at(n);
    attn_status s = fn();
    *counted = kind == FAULT_ALLOC ? fault_alloc_calls() : attn_fault_write_at(0);
    fault_alloc_at(0);
    return s;
}

/* out: the file the scenario replaces (kept as old_bytes before each run), or NULL. */
static void walk(const char *name, attn_status (*fn)(void), fault_kind kind, long full, long samples, const char *out) {
    long k;
    if (out) put_old_output(out);
    attn_status s = run_with_fault(fn, kind, 0, &k);
    uint64_t want = result;
    if (!CHECKF(s == ATTN_OK, "%s: clean run failed: %s", name, attn_last_error())) return;
    long tried = 0, failed = 0, bad = 0;
    for (long n = 1; n <= k; n++) {
        if (n > full) { /* sampled beyond the bound */
            long step = (k - full) / (samples > 0 ? samples : 1);
            if (step > 1 && (n - full) % step != 0) continue;
        }
        if (out) put_old_output(out);
        result = 0;
        long ignored;
        s = run_with_fault(fn, kind, n, &ignored);
        tried++;
        const char *msg = attn_last_error();
        if (s != ATTN_OK) {
            failed++;
            int clean = msg[0] && !strchr(msg, '\n') && (!out || output_intact(out));
            if (!clean && bad++ < 5)
                CHECKF(0, "%s: fault %ld: unclean failure (status %d, message \"%s\"%s)", name, n, (int)s, msg,
                       out && !output_intact(out) ? ", old output damaged or temp file left" : "");
        } else if (result != want && bad++ < 5) {
            CHECKF(0, "%s: fault %ld: success with a different result", name, n);
        }
    }
    s = run_with_fault(fn, kind, 0, &k); /* nothing a fault left behind changes a clean run */
    CHECKF(s == ATTN_OK && result == want, "%s: clean run after the faults differs", name);
    printf("%-28s %-5s %7ld calls, %5ld faults tried, %5ld failed cleanly, %ld bad\n", name,
           kind == FAULT_ALLOC ? "alloc" : "write", k, tried, failed, bad);
}

int main(int argc, char **argv) {
    /* scales the sampled walks over the checkpoint folders; 0 skips them (the valgrind run) */
    long budget = argc > 1 ? atol(argv[1]) : 1;
    snprintf(work, sizeof work, "/tmp/attn_fault_%d", (int)getpid());
    if (!CHECK(mkdir(work, 0700) == 0)) return tu_done("fault");
    CHECK_OK(load_json(bert_json, &bert_tok));
    CHECK_OK(load_json(bpe_json, &bpe_tok));
    CHECK_OK(attn_model_open(tu_data("models/bert-tiny"), &bert_model));
    if (!bert_tok || !bpe_tok || !bert_model) return tu_done("fault");
    attn_model_set_threads(bert_model, 1);

    walk("tokenizer.json (WordPiece)", sc_tokenizer_bert_json, FAULT_ALLOC, 100000, 0, NULL);
    walk("tokenizer.json (BPE)", sc_tokenizer_bpe_json, FAULT_ALLOC, 100000, 0, NULL);
    walk("encode+decode (WordPiece)", sc_encode_bert, FAULT_ALLOC, 100000, 0, NULL);
    walk("encode+decode (BPE)", sc_encode_bpe, FAULT_ALLOC, 100000, 0, NULL);
    walk("encode batch", sc_encode_batch, FAULT_ALLOC, 100000, 0, NULL);
    walk("forward (bert-tiny)", sc_forward, FAULT_ALLOC, 100000, 0, NULL);
    walk("write safetensors", sc_write_safetensors, FAULT_ALLOC, 100000, 0, "out.safetensors");
    walk("write safetensors", sc_write_safetensors, FAULT_WRITE, 100000, 0, "out.safetensors");
    walk("report write", sc_write_report, FAULT_ALLOC, 100000, 0, "out.html");
    walk("report write", sc_write_report, FAULT_WRITE, 100000, 0, "out.html");
    walk("write large safetensors", sc_write_large, FAULT_WRITE, 100000, 0, "out.safetensors");
    static const struct { const char *dir; int tokenizer; } dirs[] = {
        {"models/bert-tiny", 0}, {"models/bert-tiny-bin", 0}, {"models/distilbert-tiny-sharded", 0},
        {"models/roberta-tiny-bf16", 0}, {"models/bert-tiny", 1}, {"models/bert-tiny-plain-f16", 1},
        {"models/roberta-tiny-bf16", 1},
    };
    for (size_t i = 0; budget > 0 && i < sizeof dirs / sizeof dirs[0]; i++) {
        arg_dir = tu_data(dirs[i].dir);
        char name[96];
        snprintf(name, sizeof name, "%s %s", dirs[i].tokenizer ? "tokenizer" : "model", dirs[i].dir + 7);
        /* big vocabularies: every early fault (the structure), then samples through the bulk */
        walk(name, dirs[i].tokenizer ? sc_tokenizer_open : sc_model_open, FAULT_ALLOC, 20 * budget + 20, 20 * budget, NULL);
    }
    attn_model_free(bert_model);
    attn_tokenizer_free(bert_tok);
    attn_tokenizer_free(bpe_tok);
    char path[300];
    snprintf(path, sizeof path, "%s/out.safetensors", work);
    unlink(path);
    snprintf(path, sizeof path, "%s/tok.json", work);
    unlink(path);
    snprintf(path, sizeof path, "%s/out.html", work);
    unlink(path);
    rmdir(work);
    return tu_done("fault");
}
