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
};

typedef struct attn_output {
    int32_t len;          /* T: tokens of this sequence (unpadded) */
    int32_t layers, heads, hidden;
    float *attentions;    /* [layers][heads][T][T] or NULL if not requested */
    float *hidden_states; /* [layers+1][T][hidden] (embedding output first) or NULL */
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
 * is prefixed, so several figures can be inlined in one HTML page without id clashes. */
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

#ifdef __cplusplus
}
#endif
#endif /* ATTNSCOPE_H */
