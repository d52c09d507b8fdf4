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
 * equals what a run of that sequence alone gives. Free each out[i] with attn_output_free. */
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

/* Atomic output: write to "<path>.tmp-XXXXXX" in the same folder, then rename over path.
 * On any failure the temp file is removed and the old file (if any) is left untouched. */
typedef struct attn_atomic_file {
    FILE *f;
    char *path;
    char *tmp_path;
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
    const char *corpus; /* sentences, one a line (or a TSV whose header has a "text" column);
                         * NULL = the built-in 24 news sentences (about 20 tokens each) */
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
} attn_bench_result;

/* Benchmarks the checkpoint folder dir (which must hold a tokenizer). */
ATTN_API attn_status attn_bench_run(const char *dir, const attn_bench_options *o, attn_bench_result *r);

/* The kernel set the forward pass uses on this machine ("avx512", "avx2", "portable"); the
 * environment variable ATTN_KERNELS=NAME forces one the machine supports. */
ATTN_API const char *attn_kernel_path(void);
/* The CPU's model name (/proc/cpuinfo), "unknown" if not found. */
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

#ifdef __cplusplus
}
#endif
#endif /* ATTNSCOPE_H */
