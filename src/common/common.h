/* common.h — internal helpers shared by every layer of the library: errors, files, strings. */
#ifndef ATTN_COMMON_H
#define ATTN_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "attnscope.h"

#if defined(__GNUC__)
#define ATTN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ATTN_PRINTF(a, b)
#endif

/* Records the message of a failure on this thread and returns s, so that code reads
 *     return attn_fail(ATTN_E_FORMAT, "%s: header is not JSON", path);             */
attn_status attn_fail(attn_status s, const char *fmt, ...) ATTN_PRINTF(2, 3);
/* Prepends "prefix: " to the current message (adds context on the way up). Returns s. */
attn_status attn_fail_prefix(attn_status s, const char *fmt, ...) ATTN_PRINTF(2, 3);
void attn_clear_error(void);

/* ---- memory ---------------------------------------------------------------------------- */
/* calloc of n*size with overflow check; NULL on failure (caller reports ATTN_E_NOMEM). */
void *attn_calloc(size_t n, size_t size);
char *attn_strdup(const char *s);
char *attn_strndup(const char *s, size_t n);
/* malloc'ed printf. NULL on failure. */
char *attn_asprintf(const char *fmt, ...) ATTN_PRINTF(1, 2);
/* a/b joined with one '/'. malloc'ed. */
char *attn_path_join(const char *a, const char *b);
/* Grows the array *p (of elements of size elem, capacity *cap) to hold at least need elements,
 * geometrically. 1 on success; 0 on overflow or allocation failure (*p, *cap unchanged). */
int attn_grow(void **p, size_t *cap, size_t need, size_t elem);

/* ---- large blocks (pages.c) ------------------------------------------------------------ */
/* A zeroed anonymous mapping of bytes rounded up to 4 KB, starting on a 2 MB boundary and advised
 * to use 2 MB pages; *mapped receives its size for attn_pages_free. NULL when out of memory. */
void *attn_pages_alloc(size_t bytes, size_t *mapped);
void attn_pages_free(void *p, size_t mapped);
/* A block handed to a caller, who gives it back through the library (attn_output_free): 64-byte
 * aligned; a mapping of 2 MB pages from ATTN_BLOCK_PAGES bytes on, where malloc would map it anew
 * 4 KB at a time on every call (glibc maps every block above 32 MB), else from the heap. Free with
 * attn_block_free only, which keeps the last mapped block for the next attn_block_alloc of about
 * its size. Contents undefined. NULL when out of memory. */
#define ATTN_BLOCK_PAGES ((size_t)32 << 20)
void *attn_block_alloc(size_t bytes);
void attn_block_free(void *p);

/* ---- files ----------------------------------------------------------------------------- */
int attn_file_exists(const char *path);
int attn_dir_exists(const char *path);
/* json_load_file, refusing what is not a regular file (a FIFO would block the open for ever):
 * err->text then says why. */
typedef struct json_t json_t;
typedef struct json_error_t json_error_t;
json_t *attn_json_load_file(const char *path, size_t flags, json_error_t *err);
/* Reads a whole file into a malloc'ed buffer with a NUL appended (not counted in *len). */
attn_status attn_read_file(const char *path, char **data, size_t *len);

/* A read-only memory map of a whole file. */
typedef struct attn_mmap {
    const uint8_t *data;
    size_t size;
} attn_mmap;
attn_status attn_mmap_open(const char *path, attn_mmap *m);
void attn_mmap_close(attn_mmap *m);

/* Atomic output files (attn_atomic_open, ...) are public: see attnscope.h. */
/* errno of the first failed write to af (0 if none), for messages. */
int attn_atomic_error(const attn_atomic_file *af);

/* ---- fault injection (fault.c) --------------------------------------------------------- */
/* Called before every write(2) of an output file: 1 = fail this write (see attn_fault_write_at). */
int attn_fault_write(void);

/* ---- string builder (length-tracked, grows geometrically) -------------------------------- */
typedef struct attn_strbuf {
    char *buf; /* always NUL-terminated when non-NULL */
    size_t len, cap;
    int oom;   /* set once an allocation failed; later appends do nothing */
} attn_strbuf;
void attn_sb_append(attn_strbuf *sb, const char *s, size_t n);
void attn_sb_puts(attn_strbuf *sb, const char *s);
void attn_sb_putc(attn_strbuf *sb, char c);
void attn_sb_printf(attn_strbuf *sb, const char *fmt, ...) ATTN_PRINTF(2, 3);
/* One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF. */
void attn_sb_csv_field(attn_strbuf *sb, const char *s);
/* Hands the buffer to the caller (malloc'ed, "" if empty); NULL if an allocation failed. */
char *attn_sb_take(attn_strbuf *sb);
void attn_sb_free(attn_strbuf *sb);

/* ---- UTF-8 ----------------------------------------------------------------------------- */
/* Returns -1 if s[0..len) is valid UTF-8, else the byte offset of the first invalid sequence. */
ptrdiff_t attn_utf8_invalid_at(const char *s, size_t len);

/* ---- numbers ---------------------------------------------------------------------------- */
float attn_f16_to_f32(uint16_t h);
float attn_bf16_to_f32(uint16_t h);
size_t attn_dtype_size(attn_dtype t);
/* Parses "F32", "BF16", ... Returns -1 if unknown. */
int attn_dtype_parse(const char *s);

#endif
