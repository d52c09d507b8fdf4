/* tok_internal.h — the tokenizer pipeline shared by the files of src/tokenizer.
 *
 * The pipeline mirrors Hugging Face's `tokenizers` crate step by step, because byte-exact ids and
 * offsets depend on the order and granularity of each step:
 *   added tokens (raw) → normalizer → added tokens (normalized) → pre-tokenizer → model
 *   → truncation → post-processor.
 * Text travels as code points, each with the [start, end) range of original code points it came
 * from ("alignment"); offsets of a token are the first start and last end of its characters. */
#ifndef ATTN_TOK_INTERNAL_H
#define ATTN_TOK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* ---- unicode.c: character classes, as the Rust crate sees them ----------------------------- */
int tk_is_whitespace(uint32_t c);   /* Rust char::is_whitespace (White_Space property) */
int tk_is_bert_punct(uint32_t c);   /* ASCII punctuation or Unicode P* */
int tk_is_cjk(uint32_t c);          /* the CJK ideograph blocks BERT isolates */
int tk_is_bert_control(uint32_t c); /* removed by BertNormalizer clean_text */
int tk_is_letter(uint32_t c);       /* \p{L} */
int tk_is_number(uint32_t c);       /* \p{N} (Rust char::is_numeric) */
int tk_is_alnum(uint32_t c);        /* Rust char::is_alphanumeric, approximately L|N */
int tk_is_word_char(uint32_t c);    /* regex \w: L, M, N, Pc */
int tk_is_mark_nonspacing(uint32_t c);
int tk_combining_class(uint32_t c);
/* Full lowercase mapping of one char (Rust char::to_lowercase). Returns the count (1..3). */
int tk_lower(uint32_t c, uint32_t out[3]);
/* Canonical (compat=0) or compatibility decomposition of one char. Returns the count. */
int tk_decompose(uint32_t c, int compat, uint32_t *out, int cap);
/* UTF-8 helpers. tk_utf8_put writes 1..4 bytes and returns the count. */
int tk_utf8_put(uint32_t c, char *out);
/* Decodes valid UTF-8 (checked beforehand) into code points; returns the count. */
size_t tk_utf8_decode(const char *s, size_t len, uint32_t *out);

/* ---- strmap.c: string → int32 and (int32,int32) → (rank,id) hash maps ----------------------- */
typedef struct tk_strmap_entry {
    const char *key; /* not owned */
    uint32_t len;
    uint32_t hash;
    int32_t val;
} tk_strmap_entry;
typedef struct tk_strmap {
    tk_strmap_entry *slots;
    size_t cap, count; /* cap is a power of two */
} tk_strmap;
uint32_t tk_hash(const char *s, size_t len);
/* Inserts or replaces (ATTN_E_NOMEM when out of memory). key must outlive the map. */
attn_status tk_strmap_put(tk_strmap *m, const char *key, size_t len, int32_t val);
int32_t tk_strmap_get(const tk_strmap *m, const char *key, size_t len); /* -1 if absent */
void tk_strmap_free(tk_strmap *m);

typedef struct tk_pairmap_entry {
    uint64_t key; /* (a << 32 | b) + 1; 0 = empty */
    int32_t rank, id;
} tk_pairmap_entry;
typedef struct tk_pairmap {
    tk_pairmap_entry *slots;
    size_t cap, count;
} tk_pairmap;
attn_status tk_pairmap_put(tk_pairmap *m, int32_t a, int32_t b, int32_t rank, int32_t id);
const tk_pairmap_entry *tk_pairmap_get(const tk_pairmap *m, int32_t a, int32_t b);
void tk_pairmap_free(tk_pairmap *m);

/* A vocabulary: id → token string and token string → id. */
typedef struct tk_vocab {
    char **tokens; /* [n] malloc'ed strings, NULL for ids that have none */
    int32_t n;
    size_t cap;    /* slots allocated in tokens */
    tk_strmap map;
    size_t max_len; /* longest token in bytes */
} tk_vocab;
/* Sets id's string (grows the table); a later id for the same string wins the lookup.
 * ATTN_E_FORMAT when id already has another string, ATTN_E_INVALID for a negative id. */
/* Token ids are below TK_MAX_ID (2^24; the largest published vocabularies hold about 2^18):
 * tk_vocab_set refuses others with ATTN_E_INVALID, a token given two ids with ATTN_E_FORMAT. */
#define TK_MAX_ID (1 << 24)
attn_status tk_vocab_set(tk_vocab *v, int32_t id, const char *s, size_t len);
int32_t tk_vocab_get(const tk_vocab *v, const char *s, size_t len);
void tk_vocab_free(tk_vocab *v);

/* ---- text with alignments ------------------------------------------------------------------- */
typedef struct tk_text {
    uint32_t *cp;
    int32_t *os, *oe; /* original [start, end) of each char, in code points of the input */
    int32_t n, cap;
} tk_text;
attn_status tk_text_reserve(tk_text *t, int32_t extra); /* ATTN_E_NOMEM past INT32_MAX or OOM */
static inline void tk_text_push(tk_text *t, uint32_t c, int32_t s, int32_t e) {
    t->cp[t->n] = c, t->os[t->n] = s, t->oe[t->n] = e, t->n++;
}
void tk_text_free(tk_text *t);

/* A piece of the text being tokenized: chars [s, e) of the current text; id >= 0 once it is an
 * added token. base is the original position a char inserted before everything aligns to. */
typedef struct tk_split {
    int32_t s, e;
    int32_t id;
    int32_t base;
} tk_split;
typedef struct tk_splits {
    tk_split *v;
    int32_t n;
    size_t cap;
} tk_splits;
attn_status tk_splits_push(tk_splits *l, int32_t s, int32_t e, int32_t id, int32_t base);

/* ---- normalizer.c ---------------------------------------------------------------------------- */
typedef enum tk_norm_kind {
    TK_NORM_BERT, TK_NORM_LOWERCASE, TK_NORM_NFD, TK_NORM_NFKD, TK_NORM_NFC, TK_NORM_NFKC,
    TK_NORM_STRIP_ACCENTS, TK_NORM_STRIP, TK_NORM_REPLACE, TK_NORM_PREPEND, TK_NORM_SEQUENCE,
} tk_norm_kind;
typedef struct tk_normalizer {
    tk_norm_kind kind;
    int clean_text, chinese, strip_accents, lowercase; /* BertNormalizer */
    int left, right;                                  /* Strip */
    uint32_t *pattern; int32_t pattern_n;              /* Replace (literal string) */
    uint32_t *content; int32_t content_n;              /* Replace, Prepend */
    struct tk_normalizer *items; int n_items;         /* Sequence */
} tk_normalizer;
/* Appends the normalized form of in[s, e) to out (ATTN_E_NOMEM when out of memory). */
attn_status tk_normalize(const tk_normalizer *n, const tk_text *in, int32_t s, int32_t e, int32_t base, tk_text *out);
void tk_normalizer_free(tk_normalizer *n);

/* ---- pretokenizer.c -------------------------------------------------------------------------- */
typedef enum tk_split_behavior {
    TK_REMOVED, TK_ISOLATED, TK_MERGED_WITH_PREVIOUS, TK_MERGED_WITH_NEXT, TK_CONTIGUOUS,
} tk_split_behavior;
typedef enum tk_pretok_kind {
    TK_PRE_BERT, TK_PRE_BYTELEVEL, TK_PRE_WHITESPACE, TK_PRE_WHITESPACE_SPLIT, TK_PRE_PUNCTUATION,
    TK_PRE_DIGITS, TK_PRE_SPLIT, TK_PRE_SEQUENCE,
} tk_pretok_kind;
typedef struct tk_pretok {
    tk_pretok_kind kind;
    tk_split_behavior behavior;      /* Punctuation, Split */
    int add_prefix_space, use_regex; /* ByteLevel */
    int individual_digits;           /* Digits */
    uint32_t *pattern; int32_t pattern_n; int gpt2_regex; int invert; /* Split */
    struct tk_pretok *items; int n_items;
} tk_pretok;

/* Scratch space of one encode call (the tokenizer itself stays read-only and thread-safe). */
typedef struct tk_work {
    tk_text text, tmp, tmp2;
    tk_splits splits, splits2;
    int32_t *bounds; size_t bounds_cap; /* match lists */
    char *bytes; size_t bytes_cap;       /* UTF-8 scratch */
    int32_t *ibuf; size_t ibuf_cap;      /* model scratch */
    void *heap; size_t heap_cap;         /* BPE merge queue */
    void *syms; size_t syms_cap;         /* BPE symbols */
} tk_work;
/* Pre-tokenizes every split of w->splits that is not an added token, in place (ATTN_E_NOMEM when out of memory). */
attn_status tk_pretokenize(const tk_pretok *p, tk_work *w);
void tk_pretok_free(tk_pretok *p);
/* The GPT-2 regex, hand-compiled: length of the match starting at cp[i] (cp[i..n) nonempty). */
int32_t tk_gpt2_match(const uint32_t *cp, int32_t i, int32_t n);
extern const uint32_t tk_byte_to_char[256];
int tk_char_to_byte(uint32_t c); /* -1 if c is not a byte-level char */

/* ---- tokens of one sequence ------------------------------------------------------------------ */
typedef struct tk_tok {
    int32_t id, start, end, word, type_id, seq;
    uint8_t special;
    const char *str;  /* token string owned by the tokenizer, or NULL: str_off in the arena */
    int32_t str_off;
} tk_tok;
typedef struct tk_seq {
    tk_tok *v;
    int32_t n;
    size_t cap;
    attn_strbuf *arena; /* token strings that are not in any vocabulary */
} tk_seq;
tk_tok *tk_seq_push(tk_seq *q);

/* ---- models ---------------------------------------------------------------------------------- */
typedef struct tk_wordpiece {
    char *unk; int32_t unk_id;
    char *prefix; size_t prefix_len;
    int32_t max_chars;
} tk_wordpiece;
typedef struct tk_bpe {
    tk_pairmap merges;
    char *unk; int32_t unk_id; /* unk NULL: unknown chars are dropped */
    char *prefix, *suffix;     /* continuing_subword_prefix, end_of_word_suffix */
    int fuse_unk, byte_fallback, ignore_merges;
    int32_t char_ids[512];     /* fast path without prefix/suffix: id of each char below U+0200, -1 none */
} tk_bpe;
typedef enum { TK_MODEL_WORDPIECE, TK_MODEL_BPE } tk_model_kind;

/* ---- post-processor -------------------------------------------------------------------------- */
typedef struct tk_special_tokens {
    char *name;
    int32_t *ids;
    char **tokens;
    int n;
} tk_special_tokens;
typedef struct tk_piece {
    int special;     /* 1: special_tokens[index]; 0: sequence index (0 = A, 1 = B) */
    int index;
    int32_t type_id;
} tk_piece;
typedef enum { TK_POST_BERT, TK_POST_ROBERTA, TK_POST_TEMPLATE, TK_POST_BYTELEVEL, TK_POST_SEQUENCE } tk_post_kind;
typedef struct tk_post {
    tk_post_kind kind;
    char *cls, *sep; int32_t cls_id, sep_id;
    int trim_offsets, add_prefix_space;
    tk_piece *single, *pair; int n_single, n_pair;
    tk_special_tokens *specials; int n_specials;
    struct tk_post *items; int n_items;
} tk_post;
void tk_post_free(tk_post *p);
/* Special tokens the processor adds to a single sequence or a pair. */
int tk_post_added(const tk_post *p, int pair);

/* ---- decoder --------------------------------------------------------------------------------- */
typedef enum { TK_DEC_WORDPIECE, TK_DEC_BYTELEVEL, TK_DEC_REPLACE, TK_DEC_FUSE, TK_DEC_STRIP,
               TK_DEC_BPE, TK_DEC_BYTE_FALLBACK, TK_DEC_SEQUENCE } tk_dec_kind;
typedef struct tk_decoder {
    tk_dec_kind kind;
    char *prefix; int cleanup;      /* WordPiece */
    char *pattern, *content;        /* Replace */
    char *suffix;                   /* BPEDecoder */
    int strip_char, start, stop;    /* Strip */
    struct tk_decoder *items; int n_items;
} tk_decoder;
void tk_decoder_free(tk_decoder *d);

/* ---- added tokens ---------------------------------------------------------------------------- */
typedef struct tk_added {
    char *content;
    uint32_t *cps; int32_t n_cps;   /* content as matched (normalized if `normalized`) */
    int32_t id;
    uint8_t special, lstrip, rstrip, single_word, normalized;
} tk_added;

/* ---- the tokenizer ------------------------------------------------------------------------------ */
struct attn_tokenizer {
    char *path; /* for messages */
    tk_model_kind model;
    tk_vocab vocab; /* the model's vocabulary */
    tk_wordpiece wp;
    tk_bpe bpe;
    tk_added *added; int n_added; size_t added_cap;
    uint8_t added_first[2][256]; /* [normalized?][first byte of cp & 255]: some added token may start here */
    tk_normalizer *normalizer;
    tk_pretok *pretok;
    tk_post *post;
    tk_decoder *decoder;
    int32_t trunc_max_length; attn_truncation trunc_strategy; /* from tokenizer.json; 0 = none */
    int32_t pad_id; char *pad_token;
};

/* added_tokens.c */
/* Sets up the match tables after t->added and the normalizer are known. */
attn_status tk_added_prepare(attn_tokenizer *t);
/* Splits w->splits[i] (indices >= first... all non-token splits) on added tokens: raw (normalized=0)
 * or normalized ones (ATTN_E_NOMEM when out of memory). */
attn_status tk_added_split(const attn_tokenizer *t, tk_work *w, int normalized);
const tk_added *tk_added_by_id(const attn_tokenizer *t, int32_t id);
const tk_added *tk_added_by_content(const attn_tokenizer *t, const char *s);

/* wordpiece.c / bpe.c: tokens of one word (chars cp[0..n)), offsets in chars of the word. */
attn_status tk_wordpiece_tokenize(const attn_tokenizer *t, tk_work *w, const uint32_t *cp, int32_t n,
                          attn_status (*emit)(void *u, int32_t id, const char *str, int32_t s, int32_t e), void *u);
attn_status tk_bpe_tokenize(const attn_tokenizer *t, tk_work *w, const uint32_t *cp, int32_t n,
                    attn_status (*emit)(void *u, int32_t id, const char *str, int32_t s, int32_t e), void *u);

/* postprocess.c */
attn_status tk_truncate(tk_seq *a, tk_seq *b, int32_t max_length, attn_truncation strategy);
/* Combines a (and b) into out with the post-processor (or the default one). */
attn_status tk_post_process(const attn_tokenizer *t, tk_seq *a, tk_seq *b, int add_special, tk_seq *out);

/* tokenizer.c / legacy.c */
attn_status tk_load_json(attn_tokenizer *t, const char *path);
attn_status tk_load_legacy(attn_tokenizer *t, const char *dir);
/* Adds the BPE merge a+b with this rank (the first rank of a repeated merge wins). */
attn_status tk_bpe_add_merge(attn_tokenizer *t, const char *path, const char *a, size_t al, const char *b, size_t bl,
                             int32_t rank);
/* Completes a BPE model once its vocabulary is known (fast char table, unk id). */
void tk_bpe_finish(attn_tokenizer *t);
/* Picks the padding token: name if known, else [PAD] / <pad> / <|endoftext|>, else id 0. */
attn_status tk_choose_pad(attn_tokenizer *t, const char *name);

/* decoder.c */
attn_status tk_decode(const attn_tokenizer *t, const tk_decoder *d, char **tokens, int n, char **out);

/* Token string of an id: added tokens first, then the model's vocabulary. */
const char *tk_id_to_token(const attn_tokenizer *t, int32_t id);

#endif
