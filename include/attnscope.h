/*
 * attnscope.h — the public API of libattnscope.
 *
 * attnscope loads Hugging Face encoder checkpoints (BERT, DistilBERT, RoBERTa), tokenizes text
 * exactly like the Hugging Face fast tokenizers, runs the encoder on the CPU and exposes every
 * layer's attention probabilities and hidden states.
 *
 * Conventions
 *  - Every function that can fail returns an attn_status. ATTN_OK is 0. On failure a one-line
 *    message (naming the file and the problem) is kept per thread: attn_last_error().
 *    The library never prints and never exits.
 *  - Handles are opaque; each *_open/_create has a matching *_free that accepts NULL.
 *  - Memory returned inside result structs is owned by that struct and released by its *_free.
 *  - Enums only grow at the end.
 *
 * Typical use
 *     attn_model *m;  attn_tokenizer *tok;
 *     if (attn_model_open(dir, &m) != ATTN_OK) fprintf(stderr, "%s\n", attn_last_error());
 *     attn_tokenizer_open(dir, &tok);
 *     attn_encoding enc;  attn_tokenizer_encode(tok, "Hello world", NULL, NULL, &enc);
 *     attn_input in = { enc.ids, enc.type_ids, enc.n };
 *     attn_output out;    attn_model_forward(m, &in, 1, ATTN_OUT_ALL, &out);
 *     ... out.attentions [layers][heads][T][T], out.hidden_states [layers+1][T][hidden] ...
 *     attn_output_free(&out); attn_encoding_free(&enc); attn_tokenizer_free(tok); attn_model_free(m);
 */
#ifndef ATTNSCOPE_H
#define ATTNSCOPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ATTN_API __attribute__((visibility("default")))
#else
#define ATTN_API
#endif

#define ATTNSCOPE_VERSION "0.1.0"

/* ------------------------------------------------------------------------------------------ */
/* Status and errors                                                                          */
/* ------------------------------------------------------------------------------------------ */

typedef enum attn_status {
    ATTN_OK = 0,
    ATTN_E_INVALID,     /* bad argument or bad input data (e.g. token id out of range) */
    ATTN_E_IO,          /* a file could not be opened, read or written */
    ATTN_E_FORMAT,      /* a file is malformed (safetensors, JSON, pickle, ...) */
    ATTN_E_UNSUPPORTED, /* well-formed but not supported (model_type, tokenizer component, ...) */
    ATTN_E_NOMEM,       /* allocation failed */
    ATTN_E_NOT_FOUND,   /* a file, tensor, repository or revision does not exist */
    ATTN_E_NETWORK,     /* connection failed, timed out, or the server answered 5xx */
    ATTN_E_AUTH,        /* 401/403: gated or private repository */
    ATTN_E_CHECKSUM,    /* downloaded bytes do not match the announced size or sha256 */
    ATTN_E_OFFLINE,     /* HF_HUB_OFFLINE is set and the file is not cached */
} attn_status;

/* A static English name for a status ("invalid argument", ...). */
ATTN_API const char *attn_status_str(attn_status s);

/* The message of the last failure on this thread ("" if none). Valid until the next failing call
 * on the same thread. */
ATTN_API const char *attn_last_error(void);

/* ------------------------------------------------------------------------------------------ */
/* Configuration (config.json)                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef enum attn_arch {
    ATTN_ARCH_BERT = 0,    /* bert */
    ATTN_ARCH_DISTILBERT,  /* distilbert */
    ATTN_ARCH_ROBERTA,     /* roberta, xlm-roberta, camembert */
} attn_arch;

typedef enum attn_activation {
    ATTN_ACT_GELU = 0,  /* exact erf GELU ("gelu") */
    ATTN_ACT_GELU_TANH, /* "gelu_new", "gelu_pytorch_tanh", "gelu_fast" */
    ATTN_ACT_RELU,      /* "relu" */
} attn_activation;

typedef struct attn_config {
    attn_arch arch;
    char model_type[32];       /* as written in config.json */
    int32_t layers;            /* num_hidden_layers / n_layers */
    int32_t hidden;            /* hidden_size / dim */
    int32_t heads;             /* num_attention_heads / n_heads */
    int32_t intermediate;      /* intermediate_size / hidden_dim */
    int32_t vocab;             /* vocab_size */
    int32_t max_positions;     /* max_position_embeddings */
    int32_t type_vocab;        /* type_vocab_size (0 for DistilBERT) */
    int32_t pad_token_id;
    attn_activation activation;
    double layer_norm_eps;     /* 1e-12 for DistilBERT, which has no such key */
    int sinusoidal_pos;        /* DistilBERT sinusoidal_pos_embds */
    int64_t parameters;        /* what AutoModel.from_pretrained reports: base model + pooler */
} attn_config;

/* Reads a config.json file (or a folder holding one) and validates it. */
ATTN_API attn_status attn_config_read(const char *path, attn_config *out);

/* Parameter count of the base model (embeddings, encoder, pooler where the architecture has one). */
ATTN_API int64_t attn_config_parameter_count(const attn_config *cfg);

/* ------------------------------------------------------------------------------------------ */
/* Model                                                                                      */
/* ------------------------------------------------------------------------------------------ */

typedef enum attn_dtype {
    ATTN_DTYPE_F32 = 0,
    ATTN_DTYPE_F16,
    ATTN_DTYPE_BF16,
    ATTN_DTYPE_F64,
    ATTN_DTYPE_I64,
    ATTN_DTYPE_I32,
    ATTN_DTYPE_I16,
    ATTN_DTYPE_I8,
    ATTN_DTYPE_U8,
    ATTN_DTYPE_BOOL,
} attn_dtype;

/* "F32", "F16", ... as safetensors spells them. */
ATTN_API const char *attn_dtype_name(attn_dtype t);

typedef struct attn_model attn_model;

/* Opens a checkpoint folder: config.json plus model.safetensors, sharded safetensors with
 * model.safetensors.index.json, or pytorch_model.bin. */
ATTN_API attn_status attn_model_open(const char *dir, attn_model **out);
ATTN_API void attn_model_free(attn_model *m);
/* Name of the weights file attn_model_open would read in dir ("model.safetensors",
 * "model.safetensors.index.json", "pytorch_model.bin", ...), or NULL if there is none. */
ATTN_API const char *attn_weights_file(const char *dir);

ATTN_API const attn_config *attn_model_config(const attn_model *m);
/* dtype the weights were stored in (the forward pass always computes in F32) */
ATTN_API attn_dtype attn_model_weight_dtype(const attn_model *m);
/* parameters counted from the tensors actually loaded (base model incl. pooler when present) */
ATTN_API int64_t attn_model_loaded_parameters(const attn_model *m);
ATTN_API int attn_model_has_pooler(const attn_model *m);
/* Number of threads for the forward pass (0 = all cores; default 0). */
ATTN_API void attn_model_set_threads(attn_model *m, int n);

typedef struct attn_input {
    const int32_t *ids;      /* [len] token ids */
    const int32_t *type_ids; /* [len] token type ids, or NULL for all zeros */
    int32_t len;
} attn_input;

enum {
    ATTN_OUT_ATTENTIONS = 1 << 0,
    ATTN_OUT_HIDDEN = 1 << 1,
    ATTN_OUT_ALL = ATTN_OUT_ATTENTIONS | ATTN_OUT_HIDDEN,
    /* per-head queries and keys: the q and k of each head after the projection and its bias,
     * before any scaling (DistilBERT's q is returned unscaled too) */
    ATTN_OUT_QK = 1 << 2,
};

typedef struct attn_output {
    int32_t len;          /* T: tokens of this sequence (unpadded) */
    int32_t layers, heads, hidden;
    float *attentions;    /* [layers][heads][T][T] or NULL if not requested */
    float *hidden_states; /* [layers+1][T][hidden] (embedding output first) or NULL */
    float *queries;       /* [layers][heads][T][hidden/heads] with ATTN_OUT_QK, else NULL */
    float *keys;          /* [layers][heads][T][hidden/heads] with ATTN_OUT_QK, else NULL */
} attn_output;

/* Checks one sequence against the model (ids in the vocabulary, type ids, length within the
 * positions) without running it. ATTN_E_INVALID with a message naming the token otherwise. */
ATTN_API attn_status attn_model_check_input(const attn_model *m, const attn_input *in);

/* Runs n sequences as one padded batch. out[i] receives sequence i's unpadded results; each
 * equals what a run of that sequence alone gives. Free each out[i] with attn_output_free (and
 * only with it: an array of 32 MB or more, such as a long sequence's attentions, is a mapping of
 * 2 MB pages, and the last one freed is kept for the next forward instead of unmapped). */
ATTN_API attn_status attn_model_forward(attn_model *m, const attn_input *in, int n,
                                        unsigned outputs, attn_output *out);
ATTN_API void attn_output_free(attn_output *o);

/* ------------------------------------------------------------------------------------------ */
/* Tokenizer                                                                                  */
/* ------------------------------------------------------------------------------------------ */

typedef struct attn_tokenizer attn_tokenizer;

/* Opens the tokenizer of a model folder: tokenizer.json, else the legacy files (vocab.txt with
 * tokenizer_config.json for BERT/DistilBERT; vocab.json + merges.txt for RoBERTa), chosen from
 * config.json's model_type. */
ATTN_API attn_status attn_tokenizer_open(const char *dir, attn_tokenizer **out);
/* Loads one tokenizer.json file. */
ATTN_API attn_status attn_tokenizer_from_file(const char *tokenizer_json, attn_tokenizer **out);
ATTN_API void attn_tokenizer_free(attn_tokenizer *t);

typedef enum attn_truncation {
    ATTN_TRUNC_LONGEST_FIRST = 0,
    ATTN_TRUNC_ONLY_FIRST,
    ATTN_TRUNC_ONLY_SECOND,
} attn_truncation;

typedef struct attn_encode_options {
    int add_special_tokens;      /* default 1 */
    int32_t max_length;          /* 0 = no truncation */
    attn_truncation truncation;  /* default longest_first */
} attn_encode_options;

ATTN_API void attn_encode_options_init(attn_encode_options *o);

typedef struct attn_encoding {
    int32_t n;                    /* number of tokens */
    int32_t *ids;                 /* [n] */
    char **tokens;                /* [n] UTF-8 token strings */
    int32_t *offsets;             /* [n][2] start,end in Unicode code points of its own text */
    int32_t *type_ids;            /* [n] */
    uint8_t *special_tokens_mask; /* [n] */
    uint8_t *attention_mask;      /* [n] */
    int32_t *word_ids;            /* [n], -1 = none */
    int32_t *sequence_ids;        /* [n], -1 = none (special tokens), 0 or 1 */
} attn_encoding;

/* Encodes text (and pair, or NULL). opts NULL = defaults. Text must be valid UTF-8; otherwise
 * ATTN_E_INVALID with the byte offset in the message. */
ATTN_API attn_status attn_tokenizer_encode(const attn_tokenizer *t, const char *text,
                                           const char *pair, const attn_encode_options *opts,
                                           attn_encoding *out);
/* Same for texts of explicit byte length (may contain NUL bytes). */
ATTN_API attn_status attn_tokenizer_encode_n(const attn_tokenizer *t, const char *text,
                                             size_t text_len, const char *pair, size_t pair_len,
                                             const attn_encode_options *opts, attn_encoding *out);
/* Encodes n texts (pairs may be NULL, or hold NULL entries) and pads all to the longest with the
 * tokenizer's pad token (attention_mask 0, special_tokens_mask 1 on padding). */
ATTN_API attn_status attn_tokenizer_encode_batch(const attn_tokenizer *t, const char *const *texts,
                                                 const char *const *pairs, int n,
                                                 const attn_encode_options *opts,
                                                 attn_encoding *out /* [n] */);
ATTN_API void attn_encoding_free(attn_encoding *e);

/* Decodes ids to text with the tokenizer's decoder. *out is malloc'ed; free() it. */
ATTN_API attn_status attn_tokenizer_decode(const attn_tokenizer *t, const int32_t *ids, int n,
                                           int skip_special_tokens, char **out);
ATTN_API int32_t attn_tokenizer_vocab_size(const attn_tokenizer *t);
/* Token string of an id, or NULL if out of range. */
ATTN_API const char *attn_tokenizer_id_to_token(const attn_tokenizer *t, int32_t id);
/* Id of a token string, or -1. */
ATTN_API int32_t attn_tokenizer_token_to_id(const attn_tokenizer *t, const char *token);

/* ------------------------------------------------------------------------------------------ */
/* Hugging Face Hub                                                                           */
/* ------------------------------------------------------------------------------------------ */

/* Progress of one file download; total is -1 when unknown. */
typedef void (*attn_progress_fn)(void *user, const char *file, int64_t done, int64_t total);

typedef struct attn_hub_options {
    const char *revision;  /* NULL = "main" (or the @revision of the id) */
    const char *cache_dir; /* NULL = HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub */
    const char *endpoint;  /* NULL = HF_ENDPOINT, else https://huggingface.co */
    const char *token;     /* NULL = HF_TOKEN, else the saved token file */
    int offline;           /* 1 = no network; -1 = from HF_HUB_OFFLINE (default) */
    attn_progress_fn progress;
    void *progress_user;
} attn_hub_options;

ATTN_API void attn_hub_options_init(attn_hub_options *o);

/* MODEL is a local folder, or a Hub id ("bert-base-uncased", "org/name", "org/name@rev").
 * Resolves it to a local folder holding config.json, the tokenizer files and the weights,
 * downloading into the shared Hugging Face cache when needed. *dir is malloc'ed; free() it. */
ATTN_API attn_status attn_hub_resolve(const char *model, const attn_hub_options *opts, char **dir);

/* One file of a Hub repository ("org/name" or "org/name@rev"), like huggingface_hub's
 * hf_hub_download: *path is its snapshot path in the cache (malloc'ed; free() it), downloaded
 * first when needed. ATTN_E_NOT_FOUND when the repository has no such file at that revision. */
ATTN_API attn_status attn_hub_file(const char *repo_id, const char *filename, const attn_hub_options *opts,
                                   char **path);

/* The cache folder these options use (opts may be NULL). *dir is malloc'ed; free() it. */
ATTN_API attn_status attn_hub_cache_dir(const attn_hub_options *opts, char **dir);

/* ------------------------------------------------------------------------------------------ */
/* Output files                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* Atomic output. A regular file (new or existing) is written to "<target>.tmp-XXXXXX" in the
 * folder of its target (a symlink is followed: the file it names is replaced, the link stays),
 * then fsynced and renamed over the target, and the folder is fsynced. The temp file gets mode
 * 0666 less the umask, or the existing file's mode. "-" (stdout), character devices and FIFOs
 * are written directly. On any failure the temp file is removed and an old file is untouched;
 * write errors (ENOSPC, EPIPE, ...) are reported by attn_atomic_commit. A directory is refused. */
typedef struct attn_atomic_file {
    FILE *f;        /* write here */
    char *path;     /* as given, for messages */
    char *tmp_path; /* the temp file; NULL when written directly */
    char *target;   /* path with symlinks resolved */
    void *io;       /* internal */
} attn_atomic_file;
ATTN_API attn_status attn_atomic_open(attn_atomic_file *af, const char *path);
/* Flushes, fsyncs and renames. Always releases af. */
ATTN_API attn_status attn_atomic_commit(attn_atomic_file *af);
/* Removes the temp file. Always releases af. Safe on a zeroed or already released af. */
ATTN_API void attn_atomic_abort(attn_atomic_file *af);
/* Writes a whole buffer atomically. */
ATTN_API attn_status attn_write_file_atomic(const char *path, const void *data, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Tensor files                                                                               */
/* ------------------------------------------------------------------------------------------ */

#define ATTN_MAX_DIMS 8

/* A named tensor living in memory the caller owns (row-major, little-endian). */
typedef struct attn_tensor_view {
    const char *name;
    attn_dtype dtype;
    int ndim;
    int64_t shape[ATTN_MAX_DIMS];
    const void *data;
} attn_tensor_view;

/* Writes tensors to a .safetensors file (readable by Python's safetensors), atomically. */
ATTN_API attn_status attn_safetensors_write(const char *path, const attn_tensor_view *tensors, int n);

/* Streaming writer, for outputs too large to hold at once: the header is written from the views'
 * names, dtypes and shapes (their data is ignored); then each tensor's data is given in order.
 * Nothing appears at path until attn_st_writer_commit succeeds. */
typedef struct attn_st_writer attn_st_writer;
ATTN_API attn_status attn_st_writer_open(const char *path, const attn_tensor_view *tensors, int n,
                                         attn_st_writer **out);
/* Data of the next tensor (exactly its byte size). */
ATTN_API attn_status attn_st_writer_put(attn_st_writer *w, const void *data);
/* All tensors must have been put. Frees w. */
ATTN_API attn_status attn_st_writer_commit(attn_st_writer *w);
/* Discards the file. Frees w; accepts NULL. */
ATTN_API void attn_st_writer_abort(attn_st_writer *w);

/* ------------------------------------------------------------------------------------------ */
/* Analysis: corpus study                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* A corpus is read one sentence at a time (memory stays bounded whatever its length), except the
 * AG News preparation, which keeps only the --per-label sample it draws. */
typedef enum attn_corpus_format {
    ATTN_CORPUS_AUTO = 0, /* from the extension: .txt, .csv, .tsv, .jsonl */
    ATTN_CORPUS_TEXT,     /* one sentence a line; blank lines skipped; label "all" */
    ATTN_CORPUS_CSV,      /* RFC 4180 with a header line */
    ATTN_CORPUS_TSV,      /* the same with tabs */
    ATTN_CORPUS_JSONL,    /* {"text": ..., "label": ...} a line */
    ATTN_CORPUS_AGNEWS,   /* the original AG News CSV (class 1-4, title, description; no header) */
} attn_corpus_format;

typedef struct attn_corpus_options {
    attn_corpus_format format;
    const char *text_column;  /* NULL = "text" */
    const char *label_column; /* NULL = "label", else "domain", else none (label "all") */
    /* AG News preparation (ignored by the other formats) */
    int min_words, max_words; /* default 10, 20 (whitespace-separated words, inclusive) */
    int min_chars;            /* kept when longer than this many characters; default 20 */
    int per_label;            /* sentences drawn per class; default 25; 0 = every sentence */
    uint64_t seed;            /* default 42 */
} attn_corpus_options;

ATTN_API void attn_corpus_options_init(attn_corpus_options *o);
/* "text", "csv", "tsv", "jsonl", "agnews" → format; -1 when unknown. */
ATTN_API int attn_corpus_format_parse(const char *name);

typedef struct attn_corpus attn_corpus;

typedef struct attn_sentence {
    const char *text;  /* NULL at the end of the corpus */
    const char *label; /* domain / class name */
    int64_t line;      /* line of the file where the sentence starts (1-based) */
} attn_sentence;

/* Opens a corpus. Errors (ATTN_E_FORMAT/ATTN_E_IO) name the file and, where it applies, the line:
 * missing column, ragged CSV row, invalid UTF-8, a line that is not JSON, empty file. */
ATTN_API attn_status attn_corpus_open(const char *path, const attn_corpus_options *o, attn_corpus **out);
/* The next sentence into *s (its strings stay valid until the next call); s->text NULL at the end. */
ATTN_API attn_status attn_corpus_next(attn_corpus *c, attn_sentence *s);
ATTN_API void attn_corpus_free(attn_corpus *c);
/* Reads a whole corpus once (validating every line) and counts its sentences. */
ATTN_API attn_status attn_corpus_count(const char *path, const attn_corpus_options *o, int64_t *n);

/* HTML unescape as Python's html.unescape for the named entities of HTML 4 and numeric references
 * (&#39; &#x27;, Windows-1252 for 128-159, U+FFFD for invalid ones), tags (<...>) removed, runs of
 * whitespace collapsed to one space, ends trimmed: the seed's AG News cleaning. malloc'ed. */
ATTN_API char *attn_clean_news_text(const char *s);
/* Python's len(s.split()): words separated by Unicode whitespace. */
ATTN_API int attn_word_count(const char *s);

/* ---- per-sentence metrics ---- */
typedef enum attn_metrics_mode {
    ATTN_METRICS_CORRECTED = 0, /* specials from the mask, function words per word, column 0 */
    ATTN_METRICS_SEED,          /* the seed notebook's formulas, quirks included */
} attn_metrics_mode;

enum { /* metric columns, in the order of metrics_by_sentence.csv */
    ATTN_M_CLS_MAX = 0, ATTN_M_CLS_MEAN, ATTN_M_SELF_MEAN, ATTN_M_CF_RATIO, ATTN_M_ENTROPY,
    ATTN_M_CLS_FROM_MAX, ATTN_M_ENTROPY_NORM, /* corrected mode only */
    ATTN_M_COUNT
};
/* Column name of metric k ("CLS_Attention_Max", ...). */
ATTN_API const char *attn_metric_name(int k);
/* 5 in seed mode, 7 in corrected mode. */
ATTN_API int attn_metric_count(attn_metrics_mode mode);

/* What the metrics need of one tokenized sentence. */
typedef struct attn_sentence_tokens {
    const char *text;                 /* the original text (offsets index its code points) */
    const attn_encoding *enc;
    const char *const *function_words; /* lower-case words; NULL = the seed's 11 */
    int n_function_words;
} attn_sentence_tokens;

/* The metrics of one layer: attn [heads][T][T] (T = enc->n). out[ATTN_M_COUNT]; a metric that is
 * undefined for this sentence (corrected ratio without function words, ...) is NAN. */
ATTN_API attn_status attn_sentence_metrics(attn_metrics_mode mode, const attn_sentence_tokens *st,
                                           const float *attn, int heads, double *out);

/* A function-word list: one word a line (blank lines and '#' lines skipped), lower-cased. Free with
 * attn_function_words_free. */
ATTN_API attn_status attn_function_words_read(const char *path, char ***words, int *n);
ATTN_API void attn_function_words_free(char **words, int n);

/* ---- head statistics (Clark et al. 2019) ---- */
enum {
    ATTN_HS_TO_FIRST = 0, ATTN_HS_TO_SEP, ATTN_HS_TO_PUNCT, ATTN_HS_TO_SELF, ATTN_HS_TO_NEXT,
    ATTN_HS_TO_PREV, ATTN_HS_ENTROPY, ATTN_HS_ENTROPY_NORM,
    ATTN_HS_COUNT
};
ATTN_API const char *attn_head_stat_name(int k); /* "to_first", ... */
/* "vertical", "diagonal", "block" or "heterogeneous" from a head's mean statistics [ATTN_HS_COUNT]
 * (rule in docs/analysis.md). */
ATTN_API const char *attn_head_pattern(const double *stats);

/* ---- the study: N models over one corpus ---- */
#define ATTN_LAYER_LAST (-1)
#define ATTN_LAYER_ALL (-2)

typedef struct attn_study_model {
    const char *label;               /* "BERT", ... (copied) */
    attn_model *model;               /* borrowed; must outlive the study */
    const attn_tokenizer *tokenizer; /* borrowed */
} attn_study_model;

/* One row of metrics_by_sentence: delivered in corpus order (sentence, then model, then layer). */
typedef struct attn_metric_row {
    int64_t sentence;    /* 0-based index in the corpus ("S1" is 0) */
    const char *domain;
    const char *text;
    int model;           /* index in the study's models */
    const char *model_label;
    int layer;           /* 0-based */
    int word_count;      /* Python's len(text.split()) */
    double v[ATTN_M_COUNT]; /* NAN = undefined */
    int32_t tokens;      /* tokens the model read (special tokens included) */
    int32_t truncated_from; /* the sentence's tokens before the cut to the model's positions; 0 = it fit */
} attn_metric_row;
/* A status other than ATTN_OK stops the study: attn_study_add/finish return it (the callback sets
 * the message with the library's error, e.g. from attn_sentence_writer_row). */
typedef attn_status (*attn_metric_row_fn)(void *user, const attn_metric_row *row);

/* One sentence's attentions for one model, lent to on_attention before they are freed. */
typedef struct attn_attention_view {
    int64_t sentence;           /* 0-based index in the corpus */
    int window_slot;            /* its place in the current window, 0 .. window-1 */
    int model;
    const char *text;
    const attn_encoding *enc;   /* the model's encoding of text (T = enc->n) */
    const attn_output *out;     /* out->attentions [layers][heads][T][T] */
} attn_attention_view;

typedef struct attn_study_options {
    attn_metrics_mode mode;            /* default corrected */
    int layer;                         /* ATTN_LAYER_LAST (default), ATTN_LAYER_ALL, or 0-based */
    const char *const *function_words; /* NULL = the seed's 11 (copied) */
    int n_function_words;
    int batch_size;                    /* sequences per forward pass; default 8 */
    int window;                        /* sentences buffered and sorted by length; default 64 */
    int threads;                       /* for the head distances; 0 = all cores */
    attn_metric_row_fn on_row;         /* may be NULL */
    /* after each forward batch: sentence-model runs done so far (the total is sentences × models) */
    void (*on_progress)(void *user, int64_t runs_done);
    /* Hooks for analyses that need the attentions themselves (e.g. cross-model agreement): each
     * sentence × model while its attentions live, then once per window when every model has run
     * it (a window's sentences are seen by all models before on_window_end, in any order). */
    attn_status (*on_attention)(void *user, const attn_attention_view *v);
    attn_status (*on_window_end)(void *user, int sentences_in_window);
    void *user;                        /* for every callback above */
} attn_study_options;
ATTN_API void attn_study_options_init(attn_study_options *o);

/* Sufficient statistics of a study: sums and counts only, so that studies of shards of a corpus
 * merge by addition (attn_study_sums_merge). Plain data; every array owned by the struct. */
typedef struct attn_domain_cell {
    int domain, model, layer;
    int64_t count[ATTN_M_COUNT]; /* sentences where the metric is defined */
    double sum[ATTN_M_COUNT];
} attn_domain_cell;

typedef struct attn_model_sums {
    char *label;
    int32_t layers, heads;
    int64_t sentences;
    int64_t *head_count;  /* [layers*heads][ATTN_HS_COUNT] sentences where the statistic is defined */
    double *head_sum;     /* [layers*heads][ATTN_HS_COUNT] */
    double *dist_sum;     /* [layers*heads][layers*heads] sum over sentences of the head distance */
} attn_model_sums;

typedef struct attn_study_sums {
    attn_metrics_mode mode;
    int layer_option;          /* as in the options */
    int n_models;
    attn_model_sums *models;   /* [n_models] */
    int n_domains;
    char **domains;            /* [n_domains] in order of first appearance */
    int n_cells;
    attn_domain_cell *cells;   /* [n_cells] one per (domain, model, layer) seen */
    int64_t sentences;
    size_t domains_cap, cells_cap;
    /* cross-model agreement on the same words (model_agreement.csv); NULL with one model */
    struct attn_agreement *agreement;
    /* the exact (fixed-point) sums behind head_sum, dist_sum and cells[].sum, which are their
     * nearest doubles: merging shards or resuming gives the same bits as one run (docs/scale.md) */
    struct attn_sums_exact *exact;
} attn_study_sums;

/* Adds src into dst: same models (labels, shapes) and mode; domains matched by name. */
ATTN_API attn_status attn_study_sums_merge(attn_study_sums *dst, const attn_study_sums *src);
ATTN_API void attn_study_sums_free(attn_study_sums *s);

typedef struct attn_study attn_study;
ATTN_API attn_status attn_study_create(const attn_study_model *models, int n, const attn_study_options *o,
                                       attn_study **out);
/* Queues one sentence; a full window is tokenized, sorted by length, run in batches, measured and
 * delivered to on_row, then dropped (only the sums stay). */
ATTN_API attn_status attn_study_add(attn_study *s, const char *domain, const char *text);
/* Runs what is still queued. Call once after the last attn_study_add. */
ATTN_API attn_status attn_study_finish(attn_study *s);
/* The study's sums (owned by it; valid until attn_study_free). Shards merge into one of them. */
ATTN_API attn_study_sums *attn_study_sums_of(attn_study *s);
ATTN_API void attn_study_free(attn_study *s);

/* ---- final tables from the sums ---- */
/* Mean of metric k over a domain's sentences for (model, layer); domain -1 = every domain. NAN
 * when no sentence defines it. */
ATTN_API double attn_sums_metric_mean(const attn_study_sums *s, int domain, int model, int layer, int k);
/* Mean statistics of head (layer, head) of a model into out[ATTN_HS_COUNT]. */
ATTN_API void attn_sums_head_stats(const attn_study_sums *s, int model, int layer, int head, double *out);
/* Mean Jensen-Shannon distance between heads a and b (index layer*heads + head) of a model. */
ATTN_API double attn_sums_head_distance(const attn_study_sums *s, int model, int a, int b);
/* Domain indices in byte order of their names (as the seed's pivot sorts them): order[n_domains]. */
ATTN_API void attn_sums_sorted_domains(const attn_study_sums *s, int *order);
/* Layers that carry metrics for a model: [first, last] inclusive. */
ATTN_API void attn_sums_metric_layers(const attn_study_sums *s, int model, int *first, int *last);

/* ---- output files (each CSV with a JSON array of row objects beside it, both atomic) ---- */
typedef struct attn_table_writer attn_table_writer;
/* Opens DIR/NAME.csv and DIR/NAME.json with these columns. */
ATTN_API attn_status attn_table_open(const char *dir, const char *name, const char *const *columns, int n,
                                     attn_table_writer **out);
/* One row: cells as text (NULL = empty / JSON null); numeric[i] non-zero writes cell i as a JSON
 * number. */
ATTN_API attn_status attn_table_row(attn_table_writer *w, const char *const *cells, const int *numeric);
ATTN_API attn_status attn_table_commit(attn_table_writer *w); /* frees w */
ATTN_API void attn_table_abort(attn_table_writer *w);         /* frees w; accepts NULL */

/* The study's files in dir: architecture, metrics_by_domain, head_stats, head_distances and, with
 * several models, model_agreement (.csv and .json). configs[n_models] give the architecture rows. */
ATTN_API attn_status attn_study_write_tables(const attn_study_sums *s, const attn_config *const *configs,
                                             const char *dir);
/* Streams dataset_sentences and metrics_by_sentence: open, feed rows (in on_row), commit. */
typedef struct attn_sentence_writer attn_sentence_writer;
ATTN_API attn_status attn_sentence_writer_open(const char *dir, attn_metrics_mode mode, int layer_column,
                                               attn_sentence_writer **out);
ATTN_API attn_status attn_sentence_writer_row(attn_sentence_writer *w, const attn_metric_row *row);
ATTN_API attn_status attn_sentence_writer_commit(attn_sentence_writer *w);
ATTN_API void attn_sentence_writer_abort(attn_sentence_writer *w);
/* Analysis: words, rollout, similarity, agreement                                            */
/* ------------------------------------------------------------------------------------------ */
/* Definitions in docs/analysis-words.md. Layers and heads are 0-based, as in Hugging Face's
 * `attentions` tuple; hidden state 0 is the embedding output. */

/* The words of a text — its whitespace-separated pieces, exactly Python's str.split() — and the
 * tokens of an encoding of that text that make up each word. A token belongs to the word its
 * offsets start in; special tokens, tokens with an empty span and tokens of a pair's second text
 * belong to none. */
typedef struct attn_words {
    int32_t n;           /* W: words of the text */
    char **words;        /* [W] UTF-8 */
    int32_t *spans;      /* [W][2] start,end in Unicode code points */
    int32_t *pieces;     /* [W] tokens of each word (0 = none, e.g. truncated away) */
    int32_t n_tokens;    /* T of the encoding (0 when mapped without one) */
    int32_t *token_word; /* [T] word of each token, -1 = none */
} attn_words;

/* enc may be NULL (words only). text must be the text enc was made from; valid UTF-8. */
ATTN_API attn_status attn_words_map(const char *text, const attn_encoding *enc, attn_words *out);
ATTN_API void attn_words_free(attn_words *w);

/* Word-level attention of one layer, dst [W][W]: attention from word u to word v is the mean
 * over u's tokens (rows) of the sum over v's tokens (columns), computed on head `head` or, with
 * head = -1, on the mean over heads; then each row is renormalised to sum 1 over the words (the
 * mass that went to special tokens is dropped). A row with no mass (a word without tokens) is
 * all zeros. out must hold attentions of the encoding words was mapped with. */
ATTN_API attn_status attn_word_attention(const attn_output *out, const attn_words *words, int layer, int head,
                                         float *dst);
/* The same, mean over heads, for every layer: dst [layers][W][W] (what attn_agreement_add_sentence takes). */
ATTN_API attn_status attn_word_attention_layers(const attn_output *out, const attn_words *words, float *dst);

/* Mean Jensen–Shannon distance (natural log) between the rows of two [W][W] word-level matrices,
 * over the words whose rows are non-zero in both; *n_rows gets their number (may be NULL).
 * 0 when no row is comparable. */
ATTN_API double attn_word_rows_js(const float *a, const float *b, int32_t n_words, int32_t *n_rows);

/* Attention rollout (Abnar & Zuidema 2020) with the residual correction: per layer
 * A'_l = rownorm(0.5 * mean_heads(A_l) + 0.5 * I); dst[l] = A'_l · A'_(l-1) ··· A'_0.
 * dst [layers][T][T]; row i of dst[l] is how much token i at layer l draws on each input token. */
ATTN_API attn_status attn_rollout(const attn_output *out, float *dst);

/* Token indices of the occurrence-th (1-based) appearance of word in text: case-insensitive,
 * not inside a longer run of letters/digits ("bank" matches "Bank," and "bank's", not
 * "banking"); the tokens of enc whose spans overlap it (all its pieces, whatever the subword
 * marking). *pieces is malloc'ed; free() it. ATTN_E_INVALID with a message when the word does
 * not occur, occurs fewer times, or has no token (truncated). */
ATTN_API attn_status attn_find_word(const char *text, const attn_encoding *enc, const char *word, int occurrence,
                                    int32_t **pieces, int32_t *n_pieces);

typedef enum attn_focus_kind {
    ATTN_FOCUS_LAYERS = 0, /* dst [layers][T]: each layer's row, mean over heads */
    ATTN_FOCUS_HEADS,      /* dst [heads][T]: each head's row at one layer */
    ATTN_FOCUS_ROLLOUT,    /* dst [layers][T]: the rows of attn_rollout */
} attn_focus_kind;

/* Where a word attends: the attention rows of its tokens (mean over its pieces), each output
 * row renormalised to sum 1 (seed 003's layer × token matrix). layer is used by HEADS only. */
ATTN_API attn_status attn_focus(const attn_output *out, const int32_t *pieces, int32_t n_pieces, attn_focus_kind kind,
                                int layer, float *dst);

/* Cosine similarity of a word's vector between two runs at every hidden state, cosine
 * [layers+1] (embedding output first); a word of several pieces is the mean of their vectors. */
ATTN_API attn_status attn_hidden_cosine(const attn_output *a, const int32_t *pieces_a, int32_t n_a,
                                        const attn_output *b, const int32_t *pieces_b, int32_t n_b, double *cosine);

typedef struct attn_similarity {
    attn_encoding enc[2]; /* the two sentences */
    int32_t n_pieces[2];
    int32_t *pieces[2];   /* [n_pieces[k]] token indices of the word in sentence k */
    int32_t n_states;     /* layers + 1 */
    double *cosine;       /* [n_states] */
    int32_t untruncated[2]; /* tokens of sentence k before the cut to the model's positions
                               (attn_encode_to_fit; enc[k].n were kept); 0 = it fit */
} attn_similarity;

/* Seed 003's study: encodes both sentences, runs them, finds word (occurrence[k] in sentence k,
 * 1-based; NULL = the first) and compares its vectors. Free with attn_similarity_free. */
ATTN_API attn_status attn_similarity_compute(attn_model *m, const attn_tokenizer *t, const char *word,
                                             const char *const sentences[2], const int occurrence[2],
                                             attn_similarity *out);
ATTN_API void attn_similarity_free(attn_similarity *s);

/* Cross-model agreement over a corpus: for every pair of models (a < b) and every pair of their
 * layers, the mean over sentences of attn_word_rows_js between their head-averaged word-level
 * matrices. Running sums: memory does not grow with the corpus, and accumulators of shards of
 * a corpus merge by addition. */
typedef struct attn_agreement attn_agreement;
ATTN_API attn_status attn_agreement_create(int n_models, const int32_t *layers, attn_agreement **out);
ATTN_API void attn_agreement_free(attn_agreement *a);
/* word_attn[m]: model m's [layers[m]][W][W] matrices (attn_word_attention, head -1) for one
 * sentence of n_words words. A layer pair with no comparable row does not count the sentence. */
ATTN_API attn_status attn_agreement_add_sentence(attn_agreement *a, int32_t n_words, const float *const *word_attn);
/* Adds from's sums into into (same models and layers). */
ATTN_API attn_status attn_agreement_merge(attn_agreement *into, const attn_agreement *from);
ATTN_API int attn_agreement_models(const attn_agreement *a);
ATTN_API int32_t attn_agreement_layers(const attn_agreement *a, int model);
/* Mean JS distance of model ma's layer la and model mb's layer lb (either order); NAN when no
 * sentence counted or an index is out of range. */
ATTN_API double attn_agreement_mean(const attn_agreement *a, int ma, int la, int mb, int lb);
ATTN_API int64_t attn_agreement_count(const attn_agreement *a, int ma, int la, int mb, int lb);
/* model_agreement rows — Model_A, Layer_A, Model_B, Layer_B, JS_Distance, Sentences — for every
 * a < b and layer pair with at least one sentence; labels[m] names model m. CSV (full
 * precision) or a JSON array of objects with those keys; written atomically. */
ATTN_API attn_status attn_agreement_write_csv(const attn_agreement *a, const char *const *labels, const char *path);
ATTN_API attn_status attn_agreement_write_json(const attn_agreement *a, const char *const *labels, const char *path);
/* Figures                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Every chart is drawn once (cairo + pango, fonts through fontconfig) into an attn_figure, which
 * then writes the same drawing as SVG, PNG or PDF, or returns the SVG as a string (for inline
 * SVG in HTML). The data structs hold plain arrays owned by the caller; the figure copies what
 * it needs, so they may be freed as soon as the attn_figure_* call returns. SVG and PDF output
 * is byte-identical for identical input (no timestamps). Text is plain UTF-8 (no markup); any
 * script or emoji the installed fonts cover renders through font fallback. Values that are NaN
 * are drawn as gaps (no bar, no point, a light grey cell). Sizes are in points (1/72 inch). */

typedef enum attn_figure_format {
    ATTN_FIG_SVG = 1 << 0,
    ATTN_FIG_PNG = 1 << 1,
    ATTN_FIG_PDF = 1 << 2,
} attn_figure_format;

/* "svg,png,pdf" (any subset, any order, case-insensitive) → bit set of attn_figure_format.
 * ATTN_E_INVALID "unknown figure format 'gif' (svg, png, pdf)" otherwise. */
ATTN_API attn_status attn_figure_formats_parse(const char *list, unsigned *formats);
/* "svg", "png", "pdf" (the file extension) of one format; NULL for anything else. */
ATTN_API const char *attn_figure_format_ext(attn_figure_format f);

#define ATTN_FIG_MAX_COLORS 16

typedef struct attn_figure_style {
    int dpi;                              /* PNG resolution, 1..2400 (default 150) */
    int n_colors;                         /* model colours given (0 = defaults) */
    uint32_t colors[ATTN_FIG_MAX_COLORS]; /* 0xRRGGBB: model/series i uses colors[i % n] */
    const char *font;                     /* font family; NULL = "DejaVu Sans" */
} attn_figure_style;

/* dpi 150, the seed's model colours (#FF6B6B, #4ECDC4, #45B7D1, then Okabe–Ito), DejaVu Sans. */
ATTN_API void attn_figure_style_init(attn_figure_style *s);
/* "#FF6B6B,4ecdc4,..." → s->colors / s->n_colors. ATTN_E_INVALID naming the bad entry. */
ATTN_API attn_status attn_figure_colors_parse(const char *list, attn_figure_style *s);
/* Colour of model/series i under s (s NULL = defaults), 0xRRGGBB. */
ATTN_API uint32_t attn_figure_color(const attn_figure_style *s, int i);

typedef struct attn_figure attn_figure;

/* Width and height of the drawing in points (the PNG is ceil(size * dpi / 72) pixels). */
ATTN_API void attn_figure_size(const attn_figure *f, double *width_pt, double *height_pt);
/* Writes one format to path, atomically. */
ATTN_API attn_status attn_figure_write(const attn_figure *f, attn_figure_format format, const char *path);
/* Writes DIR/STEM.svg, DIR/STEM.png, DIR/STEM.pdf for each format in the bit set (DIR must exist). */
ATTN_API attn_status attn_figure_write_all(const attn_figure *f, unsigned formats, const char *dir,
                                           const char *stem);
/* The SVG document in memory (*svg malloc'ed, NUL-terminated; free() it). id_prefix NULL or ""
 * gives exactly the bytes attn_figure_write writes; otherwise every id (and each reference to it)
 * is prefixed, so several figures can be inlined in one HTML page without id clashes, and the
 * values of the bars, cells and points come last as transparent <rect>s with a <title> each
 * ("BERT: 0.423"), in <g class="attn-values"> (the report's values on hover). */
ATTN_API attn_status attn_figure_svg(const attn_figure *f, const char *id_prefix, char **svg, size_t *len);
ATTN_API void attn_figure_free(attn_figure *f);

/* Panels of bars, two per row (4 metrics → the seed's 2×2 "Attention Patterns per Model"): in
 * panel m one bar per model, in the model's colour. */
typedef struct attn_fig_metric_bars {
    const char *title;               /* NULL = "Attention Patterns per Model (Overall Averages)" */
    int n_metrics;                   /* panels, 1..16 */
    const char *const *metric_names; /* [n_metrics] panel titles */
    int n_models;                    /* 1..64 */
    const char *const *model_names;  /* [n_models] */
    const double *values;            /* [n_metrics][n_models] */
} attn_fig_metric_bars;
ATTN_API attn_status attn_figure_metric_bars(const attn_fig_metric_bars *d, const attn_figure_style *s,
                                             attn_figure **out);

/* Panels of grouped bars (the seed's "Attention Patterns by Domain"): in panel m, one group per
 * domain on the x axis, one bar per model inside it; one legend of the models. */
typedef struct attn_fig_domain_bars {
    const char *title;               /* NULL = "Attention Patterns by Domain" */
    int n_metrics;                   /* panels, 1..16 */
    const char *const *metric_names; /* [n_metrics] */
    int n_domains;                   /* 1..64 */
    const char *const *domain_names; /* [n_domains] */
    int n_models;                    /* 1..16 */
    const char *const *model_names;  /* [n_models] */
    const double *values;            /* [n_metrics][n_domains][n_models] */
} attn_fig_domain_bars;
ATTN_API attn_status attn_figure_domain_bars(const attn_fig_domain_bars *d, const attn_figure_style *s,
                                             attn_figure **out);

/* One model's head statistics: one layers × heads heatmap per statistic, each with its colour
 * scale. */
typedef struct attn_fig_head_grids {
    const char *title;             /* e.g. "BERT: head statistics" (NULL = "Head statistics") */
    int layers, heads;             /* 1..256 each */
    int n_stats;                   /* panels, 1..16 */
    const char *const *stat_names; /* [n_stats] */
    const double *values;          /* [n_stats][layers][heads] */
} attn_fig_head_grids;
ATTN_API attn_status attn_figure_head_grids(const attn_fig_head_grids *d, const attn_figure_style *s,
                                            attn_figure **out);

/* Head map (Clark et al. 2019): the heads placed in 2-D by classical multidimensional scaling
 * of their distance matrix (attn_mds), coloured by layer; one marker shape per model. */
typedef struct attn_fig_head_map {
    const char *title;          /* NULL = "Head map (classical MDS of head distances)" */
    int n;                      /* heads (points), 2..4096 */
    const double *distances;    /* [n][n], symmetric, zero diagonal */
    const int32_t *layer;       /* [n] layer of each head (colour) */
    const int32_t *model;       /* [n] model index of each head (marker), or NULL = all 0 */
    int n_models;               /* 1..4 (markers: circle, square, triangle, diamond) */
    const char *const *model_names; /* [n_models], or NULL (no legend) */
} attn_fig_head_map;
ATTN_API attn_status attn_figure_head_map(const attn_fig_head_map *d, const attn_figure_style *s,
                                          attn_figure **out);

/* A labelled heatmap of rows × cols values with a colour scale (viridis): e.g. the model-agreement
 * heatmap (layers of A × layers of B), or focus's layer × token heatmap. */
typedef struct attn_fig_heatmap {
    const char *title;
    const char *x_label, *y_label;      /* axis titles, may be NULL */
    const char *value_label;            /* colour scale title, may be NULL */
    int rows, cols;                     /* 1..4096 each */
    const double *values;               /* [rows][cols] */
    const char *const *row_labels;      /* [rows], or NULL = 0, 1, ... */
    const char *const *col_labels;      /* [cols], or NULL = 0, 1, ... (rotated when needed) */
    double vmin, vmax;                  /* colour scale range; vmin >= vmax = from the data */
} attn_fig_heatmap;
ATTN_API attn_status attn_figure_heatmap(const attn_fig_heatmap *d, const attn_figure_style *s,
                                         attn_figure **out);

/* The seed's 2×2 performance figure: inference time, memory and parameter bars per model, and
 * time (x) against parameters (y), each point labelled with its model. */
typedef struct attn_fig_bench {
    const char *title;              /* NULL = "Transformer Models Performance" */
    int n_models;                   /* 1..64 */
    const char *const *model_names; /* [n_models] */
    const double *time_ms;          /* [n_models] mean time per input */
    const double *time_std_ms;      /* [n_models] error bars, or NULL */
    const double *memory_mb;        /* [n_models] */
    const double *parameters;       /* [n_models] */
} attn_fig_bench;
ATTN_API attn_status attn_figure_bench(const attn_fig_bench *d, const attn_figure_style *s,
                                       attn_figure **out);

/* Line chart, one line (with markers) per series at x = 0, 1, ...: e.g. the "bank" cosine per
 * hidden state, one line per model. Series may have different lengths. */
typedef struct attn_fig_lines {
    const char *title, *x_label, *y_label;
    int n_series;                    /* 1..16 */
    const char *const *series_names; /* [n_series] (legend) */
    const int32_t *n_points;         /* [n_series], each 1..4096 */
    const double *const *y;          /* [n_series][n_points[s]] */
} attn_fig_lines;
ATTN_API attn_status attn_figure_lines(const attn_fig_lines *d, const attn_figure_style *s,
                                       attn_figure **out);

/* One token's attention as bars over the tokens (seed 003: "Where 'bank' attends"). */
typedef struct attn_fig_token_bars {
    const char *title, *y_label;   /* y_label NULL = "Attention" */
    int n_tokens;                  /* 1..4096 */
    const char *const *tokens;     /* [n_tokens] */
    const double *values;          /* [n_tokens] */
    int highlight;                 /* token drawn in the accent colour (the query), -1 = none */
} attn_fig_token_bars;
ATTN_API attn_status attn_figure_token_bars(const attn_fig_token_bars *d, const attn_figure_style *s,
                                            attn_figure **out);

/* One sequence's attention, for the attention views below. */
typedef struct attn_fig_attention {
    const char *title;          /* prefix of the view titles, e.g. the model name; may be NULL */
    int layers, heads, len;     /* L, H, T (T 1..4096) */
    const float *attentions;    /* [L][H][T][T], rows = query (from), columns = key (to) */
    const char *const *tokens;  /* [T] */
} attn_fig_attention;
/* One head's T×T attention matrix. */
ATTN_API attn_status attn_figure_attention_head(const attn_fig_attention *a, int layer, int head,
                                                const attn_figure_style *s, attn_figure **out);
/* A layer's grid of heads (one T×T matrix each, shared colour scale). */
ATTN_API attn_status attn_figure_attention_layer(const attn_fig_attention *a, int layer,
                                                 const attn_figure_style *s, attn_figure **out);
/* The whole model: layers × heads thumbnails of the attention matrices. */
ATTN_API attn_status attn_figure_model_view(const attn_fig_attention *a, const attn_figure_style *s,
                                            attn_figure **out);
/* Static head view (bertviz style): the tokens twice, in two columns, a line from token i on the
 * left to token j on the right with opacity = attention weight, one colour per head. heads NULL =
 * all heads of the layer. */
ATTN_API attn_status attn_figure_head_view(const attn_fig_attention *a, int layer, const int32_t *heads,
                                           int n_heads, const attn_figure_style *s, attn_figure **out);

/* Classical (Torgerson) multidimensional scaling: the n points in `dims` dimensions whose
 * Euclidean distances best match dist [n][n] (double-centred squared distances, the top `dims`
 * eigenvectors scaled by √eigenvalue, via LAPACKE_dsyevd). coords [n][dims]; eigenvalues [dims]
 * (largest first; may be NULL). Each axis's sign is fixed so that its largest-magnitude
 * coordinate is positive (deterministic). Negative eigenvalues (non-Euclidean input) give 0. */
ATTN_API attn_status attn_mds(const double *dist, int n, int dims, double *coords, double *eigenvalues);
/* Report                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* One self-contained, offline HTML file: model view, head view, neuron view, several models side
 * by side, a sentence picker, tables and charts. Build a report, add content, write it once.
 * Attention is stored as 16-bit fixed point (round(p·65535)), deflate-compressed and base64'd,
 * and decoded per sentence in the browser. Format and views: docs/report.md. */
typedef struct attn_report attn_report;

/* title: shown at the top of the page (any text; escaped). */
ATTN_API attn_status attn_report_create(const char *title, attn_report **out);
ATTN_API void attn_report_free(attn_report *r);
/* Fixed-point scale of the attention added from now on: ATTN_REPORT_SCALE_U16 (default,
 * round(p·65535)) or ATTN_REPORT_SCALE_MILLI (round(p·1000): exactly the 3 decimals the page shows,
 * about half the file size; for corpus reports). */
#define ATTN_REPORT_SCALE_U16 65535
#define ATTN_REPORT_SCALE_MILLI 1000
ATTN_API attn_status attn_report_set_scale(attn_report *r, int scale);

typedef struct attn_report_sentence {
    const char *id;     /* short name in the picker, or NULL (then "#<index>") */
    const char *text;   /* the sentence, UTF-8 */
    const char *pair;   /* the second text of a pair, or NULL */
    const char *domain; /* group of the sentence picker, or NULL */
} attn_report_sentence;

/* *index (may be NULL) receives the sentence's number: 0, 1, ... */
ATTN_API attn_status attn_report_add_sentence(attn_report *r, const attn_report_sentence *s, int *index);
/* A model (one column of the side-by-side view). info: a line shown under its name, or NULL. */
ATTN_API attn_status attn_report_add_model(attn_report *r, const char *label, const char *info, int *index);
ATTN_API int attn_report_sentence_count(const attn_report *r);

/* One model's attention on one sentence. Only tokens, layers, heads and attentions are required. */
typedef struct attn_report_attention {
    int32_t n_tokens;              /* T */
    const char *const *tokens;     /* [T] UTF-8 */
    const char *const *display;    /* [T] labels shown instead (e.g. decoded byte-level BPE), or NULL */
    const int32_t *segments;       /* [T] 0 = first text, 1 = second text of a pair; NULL = all 0 */
    const int32_t *word_ids;       /* [T] word of each token, -1 = none; NULL = unknown */
    const int32_t *offsets;        /* [T][2] start, end in code points; NULL = unknown */
    int32_t layers, heads;
    const float *attentions;       /* [L][H][T][T] probabilities in [0, 1] */
    int32_t head_dim;              /* d of queries/keys; 0 = none given */
    const float *queries, *keys;   /* [L][H][T][d] each, or NULL: enables the neuron view */
    int32_t n_words;               /* W; 0 = no word-level attention */
    const char *const *words;      /* [W] */
    const float *word_attentions;  /* [L][H][W][W], or NULL with token_words: */
    const int32_t *token_words;    /* [T] word of each token (attn_words.token_word), -1 = none: the page
                                      derives the word-level attention from the tokens' (no second blob) */
} attn_report_attention;

/* Adds (packs and compresses at once; the caller's arrays may be freed afterwards). One entry per
 * (sentence, model). ATTN_E_INVALID for a bad index, shape or a value outside [0, 1]. */
ATTN_API attn_status attn_report_add_attention(attn_report *r, int sentence, int model,
                                               const attn_report_attention *a);

/* Runs model m (with its tokenizer) on the report's sentence (its text and pair) and adds the
 * result as the entry of report model `model`: tokens, segments, word ids, offsets, attention. */
ATTN_API attn_status attn_report_add_forward(attn_report *r, int sentence, int model, attn_model *m,
                                             const attn_tokenizer *tok);

/* A table. json: an array of objects (one per row) or {"columns": [names], "rows": [[cells]]};
 * cells are strings, numbers, booleans or null. link_column (or NULL) names a column holding a
 * sentence index: clicking such a row opens that sentence. Rows with integer "layer" and "head"
 * columns open that layer and head in the views. */
ATTN_API attn_status attn_report_add_table(attn_report *r, const char *title, const char *json,
                                           const char *link_column);
/* A chart drawn elsewhere: one <svg> element as text. Scripts, event attributes, foreign objects
 * and external references are dropped when it is shown. */
ATTN_API attn_status attn_report_add_svg(attn_report *r, const char *title, const char *svg);

/* Reads a safetensors file in the layout of `run --dump` (attentions.i F32 [L][H][T][T]; optional
 * queries.i and keys.i [L][H][T][d]) and its tokens JSON (docs/report.md) as model `label`.
 * Sentence i of the file is sentence i of the report; missing sentences are added from the JSON. */
ATTN_API attn_status attn_report_add_dump(attn_report *r, const char *label, const char *safetensors_path,
                                          const char *tokens_json_path);

/* Checks before any work that path can be written: not a folder, its folder exists, and a
 * temporary file can be created next to it (and is removed at once). */
ATTN_API attn_status attn_report_check_output(const char *path);

/* Token labels as a reader expects them (the report's `display`, the figures' tick labels): each
 * token decoded alone by the tokenizer ("Ġbank" → " bank"); pieces that only decode together
 * (byte-level BPE bytes of one emoji or CJK character) give the character on their first piece
 * and ATTN_TOKEN_CONTINUATION ("⋯") on the others; a piece that never decodes whole keeps its raw
 * token. ids[n] of one encoding in order; special[n] (or NULL) marks tokens never joined.
 * *labels: [n] malloc'ed strings, freed with attn_token_labels_free. */
#define ATTN_TOKEN_CONTINUATION "\xe2\x8b\xaf"
ATTN_API attn_status attn_token_labels(const attn_tokenizer *t, const int32_t *ids, const uint8_t *special, int32_t n,
                                       char ***labels);
ATTN_API void attn_token_labels_free(char **labels, int32_t n);
/* Writes the HTML file atomically. */
ATTN_API attn_status attn_report_write(const attn_report *r, const char *path);
/* Robustness: output checks and fault injection                                              */
/* ------------------------------------------------------------------------------------------ */

/* Checks, before any work, that path can be written as an output file: "-" (stdout); an existing
 * regular file, character device or FIFO; or a new file in an existing folder that accepts new
 * files. Symlinks are followed. A directory, a missing folder or a read-only one fail with
 * "<path>: <problem>" (ATTN_E_INVALID for a directory, ATTN_E_IO otherwise). Every command calls
 * it on each of its output paths before reading its inputs. */
ATTN_API attn_status attn_output_check(const char *path);
/* The same for an output folder: it exists and accepts new files, or it does not exist and its
 * parent folder does (the command creates it). */
ATTN_API attn_status attn_output_dir_check(const char *dir);

/* The longest sequence the model takes, special tokens included: max_position_embeddings (less
 * RoBERTa's padding offset, 514 -> 512). */
ATTN_API int32_t attn_config_max_tokens(const attn_config *cfg);

/* attn_st_writer_open with string metadata in the header's "__metadata__" (next to "format":
 * "pt"): meta holds n_meta key/value pairs (UTF-8). `run --dump` notes truncated inputs there. */
ATTN_API attn_status attn_st_writer_open_meta(const char *path, const attn_tensor_view *tensors, int n,
                                              const char *const *meta, int n_meta, attn_st_writer **out);

/* Fault injection for tests (after sqlite3FaultSim): from now on the n-th write(2) the library
 * makes to an output file (counting from 1) and every later one fail with ENOSPC, as on a full
 * disk; n = 0 turns it off. Returns the number of writes counted since the previous call. The
 * environment variable ATTN_FAULT_WRITE=N does the same for a whole process (tests of the CLI). */
ATTN_API long attn_fault_write_at(long n);
/* Speed: precision, kernels, benchmark (attnscope bench; see docs/performance.md)            */
/* ------------------------------------------------------------------------------------------ */

typedef enum attn_precision {
    ATTN_PRECISION_FP32 = 0, /* default: everything in f32 (matches Hugging Face within 1e-5) */
    ATTN_PRECISION_BF16,     /* linear layers with bf16 weights and inputs, f32 accumulation
                              * (AMX tiles where present, else AVX512-BF16; ATTN_BF16=avx512
                              * forces the latter); attention, softmax, GELU, LayerNorm stay f32.
                              * Attention probabilities then deviate by up to ~1e-2 (docs/performance.md) */
} attn_precision;
/* ATTN_E_UNSUPPORTED where the CPU (or a forced ATTN_KERNELS set) lacks AVX512-BF16. The first
 * switch to bf16 builds bf16 copies of the linear weights (half their f32 size, kept alongside);
 * not to be called while a forward runs on m. */
ATTN_API attn_status attn_model_set_precision(attn_model *m, attn_precision p);
ATTN_API attn_precision attn_model_precision(const attn_model *m);

typedef struct attn_bench_options {
    const char *corpus; /* a corpus file as attn_corpus_open reads it (`compare --corpus`: .txt, .csv,
                         * .tsv, .jsonl or a given format); NULL = the built-in 24 news sentences
                         * (about 20 tokens each) */
    const attn_corpus_options *corpus_options; /* how to read it; NULL = defaults */
    int threads;        /* 0 = all cores */
    int batch;          /* sentences per forward in the throughput pass (default 8) */
    int runs;           /* timed passes over the corpus (default 5) */
    int warmup;         /* untimed passes first (default 1) */
    int isolate;        /* 1 (default): run in a child process (fork + wait4) so that peak_rss_mb
                         * is this model's alone; call it before the process has run OpenMP work */
    attn_precision precision; /* default fp32 */
} attn_bench_options;
ATTN_API void attn_bench_options_init(attn_bench_options *o);

typedef struct attn_bench_result {
    char model_type[32];
    int64_t parameters;        /* as AutoModel reports them (config) */
    int sentences;             /* per pass */
    double tokens_mean;        /* tokens per sentence, special tokens included */
    double load_ms;            /* attn_model_open + attn_tokenizer_open */
    /* per sentence, batch 1: tokenization + forward with attentions returned (and freed) */
    double latency_mean_ms, latency_std_ms, latency_median_ms, latency_min_ms;
    double throughput_per_s;   /* sentences/s, sorted by length in batches of `batch`, median pass */
    double peak_rss_mb;        /* peak resident memory of the process that ran it */
    char kernels[32];          /* kernel set used (attn_kernel_path; "amx-bf16" / "avx512-bf16" in bf16) */
    attn_precision precision;
    double bf16_max_att_dev;   /* bf16 only: largest |p_bf16 - p_fp32| of attention probabilities
                                * over the corpus (every layer and head), else 0 */
    int threads, batch, runs, warmup;
    /* sentences longer than the model's positions (max_tokens), cut as `run` cuts them
     * (attn_encode_to_fit); the first of them (0-based, -1: none) and its untruncated tokens */
    int truncated, first_truncated, first_truncated_tokens, max_tokens;
} attn_bench_result;

/* Benchmarks the checkpoint folder dir (which must hold a tokenizer). */
ATTN_API attn_status attn_bench_run(const char *dir, const attn_bench_options *o, attn_bench_result *r);

/* The kernel set the forward pass uses on this machine ("avx512", "avx2", "portable"); the
 * environment variable ATTN_KERNELS=NAME forces one the machine supports. */
ATTN_API const char *attn_kernel_path(void);
/* The CPU's model name with its family and model numbers (/proc/cpuinfo), e.g. "AMD EPYC (family
 * 25, model 17)"; "unknown" if not found. */
ATTN_API const char *attn_cpu_name(void);
/* The CMake build type the library was compiled with ("Release", ...). */
ATTN_API const char *attn_build_type(void);

/* The results of n models (labels[i] names results[i]; speed relative to results[0]) as a JSON
 * list, CSV or a text table. malloc'ed; NULL when out of memory. */
ATTN_API char *attn_bench_json(const attn_bench_result *results, const char *const *labels, int n, const char *corpus);
ATTN_API char *attn_bench_csv(const attn_bench_result *results, const char *const *labels, int n, const char *corpus);
ATTN_API char *attn_bench_table(const attn_bench_result *results, const char *const *labels, int n, const char *corpus);
/* Writes DIR/bench.csv and DIR/bench.json atomically. */
ATTN_API attn_status attn_bench_write_dir(const char *dir, const attn_bench_result *results, const char *const *labels,
                                          int n, const char *corpus);

/* ------------------------------------------------------------------------------------------ */
/* Study figures and report: the corpus study (attn_study_sums) drawn and put in a report      */
/* ------------------------------------------------------------------------------------------ */

/* Every chart of a study, one call of fn each, in this order: "metrics_by_model" (the seed's
 * "Attention Patterns per Model"), "metrics_by_domain" ("Attention Patterns by Domain"), then per
 * model "head_stats_LABEL" and "head_map_LABEL" (needs 2 heads or more), then per pair of models
 * "agreement_A_B" (layers of A x layers of B; when the sums hold the agreement). The metric
 * charts use the last layer that carries metrics. stem is a file name stem (label characters
 * outside [A-Za-z0-9._-] become '_'); fn owns f (attn_figure_free it) and stops the walk by
 * returning an error. */
typedef attn_status (*attn_study_figure_fn)(void *user, const char *stem, const char *title, attn_figure *f);
ATTN_API attn_status attn_study_figures(const attn_study_sums *s, const attn_figure_style *style,
                                        attn_study_figure_fn fn, void *user);

/* A corpus report as the study runs: sentences (in corpus order) and, while each sentence's
 * attention lives, its attention per model with its words (a token -> word map: the page derives the
 * word level); at the end the study's tables
 * (architecture, domain pivot, per-sentence metrics whose rows open the sentence, head
 * statistics whose rows open the head, model agreement) and its charts as inline SVG. Only the
 * first max_sentences sentences are embedded (their rows stay in the per-sentence table), so the
 * report stays bounded whatever the corpus length. Uses ATTN_REPORT_SCALE_MILLI. */
typedef struct attn_study_report attn_study_report;
/* labels/infos/tokenizers [n_models] (infos may be NULL; tokenizers, borrowed, give the tokens'
 * display labels and may be NULL); the models are added to r in this order. r is borrowed. */
ATTN_API attn_status attn_study_report_create(attn_report *r, const char *const *labels, const char *const *infos,
                                              const attn_tokenizer *const *tokenizers, int n_models,
                                              int64_t max_sentences, attn_study_report **out);
/* Call once per attn_study_add, in the same order, with the same domain and text. */
ATTN_API attn_status attn_study_report_sentence(attn_study_report *sr, const char *domain, const char *text);
/* Hooks for attn_study_options.on_attention and .on_row (pass sr as the user pointer, or call
 * them from your own hooks). */
ATTN_API attn_status attn_study_report_attention(void *sr, const attn_attention_view *v);
ATTN_API attn_status attn_study_report_row(void *sr, const attn_metric_row *row);
/* Adds the tables and the charts (style NULL = defaults). configs[n_models] as for
 * attn_study_write_tables. */
ATTN_API attn_status attn_study_report_finish(attn_study_report *sr, const attn_study_sums *s,
                                              const attn_config *const *configs, const attn_figure_style *style);
ATTN_API void attn_study_report_free(attn_study_report *sr);

/* ------------------------------------------------------------------------------------------ */
/* Corpora past one machine: checkpointed, resumable and sharded study runs (docs/scale.md)   */
/* ------------------------------------------------------------------------------------------ */
/* A run keeps its state in OUT/.attnscope-state: the per-sentence rows as append-only part files
 * and, after every window, a checkpoint (written atomically) with the exact sums, the sentences
 * done, the part files' lengths and a fingerprint of the run. A resumed run cuts the parts back to
 * the checkpoint and goes on from the next window: its outputs are byte-identical to one
 * uninterrupted run. A shard K/N runs a contiguous range of whole windows; attn_merge_runs
 * combines the shards' states into exactly the files one run over the whole corpus writes. */
typedef struct attn_run_options {
    const char *out;                /* the output folder (exists) */
    const char *description;        /* the run's options as text: part of the fingerprint */
    const char *corpus;             /* its bytes are part of the fingerprint */
    const char *const *model_dirs;  /* [n_models] their files are part of the fingerprint */
    int resume;                     /* continue from the checkpoint when there is one */
    int shard, n_shards;            /* shard K of N (0 <= K < N); n_shards 0 = the whole corpus */
    int64_t corpus_sentences;       /* the corpus's length (attn_corpus_count) */
    /* may be NULL: sees each sentence attn_run_feed gives the study, just before it (index 0-based) */
    attn_status (*on_sentence)(void *user, int64_t index, const char *domain, const char *text);
    void *user;
} attn_run_options;
typedef attn_status (*attn_run_sentence_fn)(void *user, int64_t index, const char *domain, const char *text);
typedef struct attn_run attn_run;
/* Sets up (or, resuming, restores) the state for a study created with on_row writing through
 * attn_run_writer. configs[n_models] are kept for architecture.csv. A checkpoint of another run
 * is refused with ATTN_E_INVALID. */
ATTN_API attn_status attn_run_open(attn_study *study, const attn_config *const *configs, const attn_run_options *o,
                                   attn_run **out);
ATTN_API attn_sentence_writer *attn_run_writer(attn_run *r);
/* First sentence (0-based, corpus order) the run still has to do; its range ends at attn_run_end. */
ATTN_API int64_t attn_run_next(const attn_run *r);
ATTN_API int64_t attn_run_end(const attn_run *r);
/* Feeds the corpus (from its start) through the study, skipping what is done, checkpointing after
 * every window, then finishes the study. */
ATTN_API attn_status attn_run_feed(attn_run *r, attn_corpus *corpus);
/* Writes the final files into OUT (per-sentence tables from the parts, tables from the sums).
 * A shard keeps its state for attn_merge_runs; a whole run removes it. */
ATTN_API attn_status attn_run_finish(attn_run *r);
ATTN_API void attn_run_free(attn_run *r);

/* Merges the finished shards in dirs (any order; all N of one run, each once) into out: the
 * files one run over the whole corpus writes. Checks everything before writing anything. The
 * merged sums are returned in *sums (free with attn_study_sums_free, then free()). */
ATTN_API attn_status attn_merge_runs(const char *const *dirs, int n, const char *out, attn_study_sums **sums);
/* Queued sentences not yet run (0 right after a window). */
ATTN_API int attn_study_pending(const attn_study *s);

/* ------------------------------------------------------------------------------------------ */
/* Fitting text and tokenizer to a model: truncation to its positions, ids within its vocab   */
/* ------------------------------------------------------------------------------------------ */

/* What a cut to the model's positions left of a sequence: tokens before the cut and kept. */
typedef struct attn_truncation_info {
    int32_t tokens; /* 0 = the sequence fit (nothing cut) */
    int32_t kept;
} attn_truncation_info;

/* Encodes text (+ pair, or NULL with pair_len 0) as attn_tokenizer_encode_n, cut to the model's
 * positions (attn_config_max_tokens; as Hugging Face's truncation=True, longest_first). *cut (may
 * be NULL) tells whether and how much was cut. */
ATTN_API attn_status attn_encode_to_fit(const attn_tokenizer *t, const attn_config *cfg, const char *text,
                                        size_t text_len, const char *pair, size_t pair_len, attn_encoding *out,
                                        attn_truncation_info *cut);
/* attn_find_word on an encoding of attn_encode_to_fit cut as `cut` says: when the word's
 * occurrence is in the text but past the cut, ATTN_E_INVALID "word \"W\" (occurrence N) lies past
 * the model's K positions: ..."; other failures as attn_find_word. */
ATTN_API attn_status attn_find_word_fit(const char *text, const attn_encoding *enc, attn_truncation_info cut,
                                        const char *word, int occurrence, int32_t **pieces, int32_t *n_pieces);
/* Checks, once, that every id the tokenizer can produce (attn_tokenizer_vocab_size - 1 is the
 * largest) is a row of the model's embeddings (< cfg->vocab). ATTN_E_FORMAT with "<dir>: ..." naming
 * the largest id and the vocab_size otherwise. */
ATTN_API attn_status attn_tokenizer_check_model(const attn_tokenizer *t, const attn_config *cfg, const char *dir);
/* The cut the report's entry (sentence, model) was made with by attn_report_add_forward
 * (tokens 0 = none, or no such entry). */
ATTN_API attn_truncation_info attn_report_entry_truncation(const attn_report *r, int sentence, int model);

#ifdef __cplusplus
}
#endif
#endif /* ATTNSCOPE_H */
