/* table_writer.c — one table as NAME.csv (RFC 4180) and NAME.json (an array of row objects) side by
 * side, streamed row by row through the atomic writer: both appear only on commit. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common.h"
#include "study_state_internal.h"

struct attn_table_writer {
    attn_atomic_file csv, json;
    FILE *part_csv, *part_json; /* part mode (study_state.c): rows only, appended */
    EVP_MD_CTX *md[2];          /* running SHA-256 of each part (its mark, see attn_table_sync_part) */
    char **columns;
    char *part_name; /* "STATE_DIR/NAME" of the parts, for messages */
    int n, rows;
};

void attn_table_abort(attn_table_writer *w) {
    if (!w) return;
    attn_atomic_abort(&w->csv);
    attn_atomic_abort(&w->json);
    if (w->part_csv) fclose(w->part_csv);
    if (w->part_json) fclose(w->part_json);
    EVP_MD_CTX_free(w->md[0]);
    EVP_MD_CTX_free(w->md[1]);
    free(w->part_name);
    for (int i = 0; w->columns && i < w->n; i++) free(w->columns[i]);
    free(w->columns);
    free(w);
}

static attn_status open_files(attn_table_writer *w, const char *dir, const char *name) {
    char *csv = attn_asprintf("%s/%s.csv", dir, name), *json = attn_asprintf("%s/%s.json", dir, name);
    attn_status st = csv && json ? attn_atomic_open(&w->csv, csv) : attn_fail(ATTN_E_NOMEM, "out of memory");
    if (st == ATTN_OK) st = attn_atomic_open(&w->json, json);
    free(csv);
    free(json);
    return st;
}

attn_status attn_table_open(const char *dir, const char *name, const char *const *columns, int n,
                            attn_table_writer **out) {
    *out = NULL;
    attn_table_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->columns = attn_calloc((size_t)n, sizeof *w->columns))) {
        free(w);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    w->n = n;
    attn_strbuf sb = {0};
    for (int i = 0; i < n; i++) {
        if (!(w->columns[i] = attn_strdup(columns[i]))) sb.oom = 1;
        if (i) attn_sb_putc(&sb, ',');
        attn_sb_csv_field(&sb, columns[i]);
    }
    attn_sb_putc(&sb, '\n');
    attn_status st = sb.oom ? attn_fail(ATTN_E_NOMEM, "out of memory") : open_files(w, dir, name);
    if (st == ATTN_OK && (fputs(sb.buf, w->csv.f) < 0 || fputs("[", w->json.f) < 0))
        st = attn_fail(ATTN_E_IO, "%s: write failed", w->csv.path);
    attn_sb_free(&sb);
    if (st != ATTN_OK) {
        attn_table_abort(w);
        return st;
    }
    *out = w;
    return ATTN_OK;
}

/* A numeric cell as a JSON number: an integer when it reads as one, else a real. */
static json_t *json_number(const char *s) {
    char *end;
    long long i = strtoll(s, &end, 10);
    if (*end == '\0') return json_integer(i);
    return json_real(strtod(s, NULL));
}

static char *row_json(const attn_table_writer *w, const char *const *cells, const int *numeric) {
    json_t *o = json_object();
    for (int i = 0; o && i < w->n; i++) {
        json_t *v = !cells[i] ? json_null() : numeric && numeric[i] ? json_number(cells[i]) : json_string(cells[i]);
        json_object_set_new(o, w->columns[i], v ? v : json_null());
    }
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(o);
    return s;
}

/* n bytes appended to part i (0: CSV, 1: JSON Lines) and to its running digest. */
static int part_put(attn_table_writer *w, int i, const char *p, size_t n) {
    FILE *f = i ? w->part_json : w->part_csv;
    return fwrite(p, 1, n, f) == n && EVP_DigestUpdate(w->md[i], p, n) == 1;
}

attn_status attn_table_row(attn_table_writer *w, const char *const *cells, const int *numeric) {
    attn_strbuf sb = {0};
    for (int i = 0; i < w->n; i++) {
        if (i) attn_sb_putc(&sb, ',');
        attn_sb_csv_field(&sb, cells[i] ? cells[i] : "");
    }
    attn_sb_putc(&sb, '\n');
    char *js = row_json(w, cells, numeric);
    attn_status st = ATTN_OK;
    if (sb.oom || !js) st = attn_fail(ATTN_E_NOMEM, "out of memory");
    else if (w->part_csv) {
        if (!part_put(w, 0, sb.buf, sb.len) || !part_put(w, 1, js, strlen(js)) || !part_put(w, 1, "\n", 1))
            st = attn_fail(ATTN_E_IO, "%s.csv.part: write failed: %s", w->part_name, strerror(errno ? errno : EIO));
    } else if (fputs(sb.buf, w->csv.f) < 0 || fprintf(w->json.f, "%s\n  %s", w->rows ? "," : "", js) < 0)
        st = attn_fail(ATTN_E_IO, "%s: write failed", w->csv.path);
    w->rows++;
    attn_sb_free(&sb);
    free(js);
    return st;
}

attn_status attn_table_commit(attn_table_writer *w) {
    attn_status st = fputs(w->rows ? "\n]\n" : "]\n", w->json.f) < 0 ? attn_fail(ATTN_E_IO, "%s: write failed", w->json.path)
                                                                      : ATTN_OK;
    if (st == ATTN_OK) st = attn_atomic_commit(&w->csv);
    if (st == ATTN_OK) st = attn_atomic_commit(&w->json);
    attn_table_abort(w);
    return st;
}

/* ---- part mode: rows appended to NAME.csv.part (CSV lines) and NAME.jsonl.part (one compact
 * object a line) in a state folder, cut back to a checkpoint's lengths; assembled at the end. ---- */
/* The first n bytes of f (from its start) into md; *got: how many there were. 0 on a read error. */
static int digest_prefix(FILE *f, int64_t n, EVP_MD_CTX *md, int64_t *got) {
    char buf[65536];
    *got = 0;
    if (fseeko(f, 0, SEEK_SET) != 0) return 0;
    while (*got < n) {
        size_t want = n - *got < (int64_t)sizeof buf ? (size_t)(n - *got) : sizeof buf;
        size_t r = fread(buf, 1, want, f);
        if (r && EVP_DigestUpdate(md, buf, r) != 1) return 0;
        *got += (int64_t)r;
        if (r < want) return !ferror(f);
    }
    return 1;
}

/* The SHA-256 of what md has seen so far, md left running. */
static int digest_now(const EVP_MD_CTX *md, unsigned char out[32]) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned len = 0;
    int ok = c && EVP_MD_CTX_copy_ex(c, md) == 1 && EVP_DigestFinal_ex(c, out, &len) == 1 && len == 32;
    EVP_MD_CTX_free(c);
    return ok;
}

/* f (at path) against mark: same length, same SHA-256. The digest so far stays in md (NULL: a
 * private one). whole: the file must end there too (a merge), else it may go on (a resume cuts it). */
static attn_status check_mark(FILE *f, const char *path, const study_part_mark *mark, EVP_MD_CTX *md, int whole,
                              const char *what) {
    EVP_MD_CTX *own = md ? NULL : EVP_MD_CTX_new();
    if (!md) md = own;
    int64_t got = 0;
    unsigned char sha[32];
    struct stat sb;
    attn_status st = ATTN_OK;
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) st = attn_fail(ATTN_E_NOMEM, "out of memory");
    else if (!digest_prefix(f, mark->len, md, &got)) st = attn_fail(ATTN_E_IO, "%s: %s", path, strerror(errno ? errno : EIO));
    else if (got == mark->len && whole && fstat(fileno(f), &sb) == 0) got = (int64_t)sb.st_size;
    if (st == ATTN_OK && got != mark->len)
        st = attn_fail(ATTN_E_FORMAT, "%s: the part has %lld bytes %s than its checkpoint recorded (%lld, not %lld): %s", path,
                       (long long)llabs((long long)(got - mark->len)), got < mark->len ? "fewer" : "more", (long long)got,
                       (long long)mark->len, what);
    else if (st == ATTN_OK && !digest_now(md, sha)) st = attn_fail(ATTN_E_NOMEM, "out of memory");
    else if (st == ATTN_OK && memcmp(sha, mark->sha256, sizeof sha) != 0)
        st = attn_fail(ATTN_E_FORMAT, "%s: the part's %lld bytes differ from what its checkpoint recorded (SHA-256): %s", path,
                       (long long)mark->len, what);
    EVP_MD_CTX_free(own);
    return st;
}

attn_status study_part_check(const char *path, const study_part_mark *mark, const char *what) {
    FILE *f = fopen(path, "rb");
    if (!f) return attn_fail(ATTN_E_FORMAT, "%s: %s (%s)", path, strerror(errno), what);
    attn_status st = check_mark(f, path, mark, NULL, 1, what);
    fclose(f);
    return st;
}

/* Part NAME.EXT in dir, checked against keep and cut back to it; md: its running digest. */
static FILE *open_part(const char *dir, const char *name, const char *ext, const study_part_mark *keep, EVP_MD_CTX *md,
                       attn_status *st) {
    char *path = attn_asprintf("%s/%s.%s.part", dir, name, ext);
    if (!path) {
        *st = attn_fail(ATTN_E_NOMEM, "out of memory");
        return NULL;
    }
    FILE *f = fopen(path, keep->len ? "r+b" : "wb");
    *st = f ? ATTN_OK : attn_fail(ATTN_E_IO, "%s: %s", path, strerror(errno));
    if (f && keep->len)
        *st = check_mark(f, path, keep, md, 0, "a damaged state folder (run without --resume to start over)");
    else if (f && EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        *st = attn_fail(ATTN_E_NOMEM, "out of memory");
    if (*st == ATTN_OK && (fseeko(f, (off_t)keep->len, SEEK_SET) != 0 || ftruncate(fileno(f), (off_t)keep->len) != 0))
        *st = attn_fail(ATTN_E_IO, "%s: %s", path, strerror(errno));
    if (*st != ATTN_OK && f) fclose(f), f = NULL;
    free(path);
    return f;
}

attn_status attn_table_open_part(const char *state_dir, const char *name, const char *const *columns, int n,
                                 const study_part_mark keep[2], attn_table_writer **out) {
    *out = NULL;
    attn_table_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->columns = attn_calloc((size_t)n, sizeof *w->columns))) {
        free(w);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    w->n = n;
    if (!(w->part_name = attn_asprintf("%s/%s", state_dir, name))) {
        attn_table_abort(w);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++)
        if (!(w->columns[i] = attn_strdup(columns[i]))) {
            attn_table_abort(w);
            return attn_fail(ATTN_E_NOMEM, "out of memory");
        }
    if (!(w->md[0] = EVP_MD_CTX_new()) || !(w->md[1] = EVP_MD_CTX_new())) {
        attn_table_abort(w);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    attn_status st = ATTN_OK;
    if (!(w->part_csv = open_part(state_dir, name, "csv", &keep[0], w->md[0], &st)) ||
        !(w->part_json = open_part(state_dir, name, "jsonl", &keep[1], w->md[1], &st))) {
        attn_table_abort(w);
        return st;
    }
    *out = w;
    return ATTN_OK;
}

attn_status attn_table_sync_part(attn_table_writer *w, study_part_mark mark[2]) {
    FILE *f[2] = {w->part_csv, w->part_json};
    for (int i = 0; i < 2; i++) {
        if (fflush(f[i]) != 0 || fsync(fileno(f[i])) != 0)
            return attn_fail(ATTN_E_IO, "%s.%s.part: write failed: %s", w->part_name, i ? "jsonl" : "csv", strerror(errno));
        mark[i].len = (int64_t)ftello(f[i]);
        if (!digest_now(w->md[i], mark[i].sha256)) return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    return ATTN_OK;
}

static attn_status copy_lines(FILE *from, const char *from_path, FILE *to, const char *to_path, int json, int *rows) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    attn_status st = ATTN_OK;
    while (st == ATTN_OK && (n = getline(&line, &cap, from)) > 0) {
        if (line[n - 1] != '\n') st = attn_fail(ATTN_E_FORMAT, "%s: truncated row", from_path);
        else if (json) {
            line[n - 1] = '\0';
            if (fprintf(to, "%s\n  %s", *rows ? "," : "", line) < 0)
                st = attn_fail(ATTN_E_IO, "%s: write failed: %s", to_path, strerror(errno ? errno : EIO));
        } else if (fwrite(line, 1, (size_t)n, to) != (size_t)n)
            st = attn_fail(ATTN_E_IO, "%s: write failed: %s", to_path, strerror(errno ? errno : EIO));
        (*rows)++;
    }
    if (st == ATTN_OK && ferror(from)) st = attn_fail(ATTN_E_IO, "%s: %s", from_path, strerror(errno));
    free(line);
    return st;
}

/* NAME.csv and NAME.json in out_dir from the parts in each of state_dirs, in order. */
attn_status attn_table_assemble(const char *out_dir, const char *name, const char *const *columns, int n,
                                const char *const *state_dirs, int n_dirs) {
    attn_table_writer *w;
    attn_status st = attn_table_open(out_dir, name, columns, n, &w);
    for (int pass = 0; st == ATTN_OK && pass < 2; pass++) {
        int rows = 0;
        for (int d = 0; st == ATTN_OK && d < n_dirs; d++) {
            char *path = attn_asprintf("%s/%s.%s.part", state_dirs[d], name, pass ? "jsonl" : "csv");
            FILE *f = path ? fopen(path, "rb") : NULL;
            if (!f) st = path ? attn_fail(ATTN_E_IO, "%s: %s", path, strerror(errno)) : attn_fail(ATTN_E_NOMEM, "out of memory");
            else st = copy_lines(f, path, pass ? w->json.f : w->csv.f, pass ? w->json.path : w->csv.path, pass, &rows);
            if (f) fclose(f);
            free(path);
        }
        if (pass) w->rows = rows;
    }
    if (st != ATTN_OK) {
        attn_table_abort(w);
        return st;
    }
    return attn_table_commit(w);
}
