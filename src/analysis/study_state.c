/* study_state.c — checkpointed, resumable, sharded study runs: OUT/.attnscope-state holds the
 * per-sentence part files and `checkpoint` (the exact sums, the sentences done, the parts'
 * lengths, the run's fingerprint), rewritten atomically after every window. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "study_internal.h"
#include "study_state_internal.h"

#define STATE_DIR ".attnscope-state"
#define STATE_MAGIC "attnscope-state-2\n" /* 2: part marks carry a SHA-256 */

/* ---- encoding ------------------------------------------------------------------------------ */
void study_put_i64(attn_strbuf *sb, int64_t v) { attn_sb_append(sb, (const char *)&v, sizeof v); }

void study_put_str(attn_strbuf *sb, const char *s) {
    study_put_i64(sb, (int64_t)strlen(s));
    attn_sb_append(sb, s, strlen(s));
}

void study_get_bytes(study_reader *r, void *dst, size_t n) {
    if (r->bad || n > r->n - r->at) {
        r->bad = 1;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p + r->at, n);
    r->at += n;
}

int64_t study_get_i64(study_reader *r) {
    int64_t v;
    study_get_bytes(r, &v, sizeof v);
    return v;
}

char *study_get_str(study_reader *r) {
    int64_t n = study_get_i64(r);
    if (r->bad || n < 0 || (uint64_t)n > r->n - r->at) return r->bad = 1, NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    study_get_bytes(r, s, (size_t)n);
    s[n] = '\0';
    return s;
}

attn_status study_reader_fail(study_reader *r, const char *what) {
    r->bad = 1;
    return attn_fail(ATTN_E_FORMAT, "%s: not a valid attnscope state (%s)", r->path, what);
}

/* ---- the sums ------------------------------------------------------------------------------ */
static void sums_save(const attn_study_sums *s, attn_strbuf *sb) {
    study_put_i64(sb, s->mode), study_put_i64(sb, s->layer_option), study_put_i64(sb, s->n_models);
    for (int m = 0; m < s->n_models; m++) {
        const attn_model_sums *ms = &s->models[m];
        size_t nh = (size_t)ms->layers * (size_t)ms->heads;
        study_put_str(sb, ms->label);
        study_put_i64(sb, ms->layers), study_put_i64(sb, ms->heads), study_put_i64(sb, ms->sentences);
        attn_sb_append(sb, (const char *)ms->head_count, nh * ATTN_HS_COUNT * sizeof *ms->head_count);
        attn_sb_append(sb, (const char *)s->exact->head[m], nh * ATTN_HS_COUNT * sizeof *s->exact->head[m]);
        attn_sb_append(sb, (const char *)s->exact->dist[m], nh * nh * sizeof *s->exact->dist[m]);
    }
    study_put_i64(sb, s->n_domains);
    for (int d = 0; d < s->n_domains; d++) study_put_str(sb, s->domains[d]);
    study_put_i64(sb, s->n_cells);
    for (int i = 0; i < s->n_cells; i++) {
        const attn_domain_cell *c = &s->cells[i];
        study_put_i64(sb, c->domain), study_put_i64(sb, c->model), study_put_i64(sb, c->layer);
        attn_sb_append(sb, (const char *)c->count, sizeof c->count);
        attn_sb_append(sb, (const char *)&s->exact->cells[(size_t)i * ATTN_M_COUNT], ATTN_M_COUNT * sizeof(attn_fixed));
    }
    study_put_i64(sb, s->sentences);
    study_put_i64(sb, s->agreement != NULL);
    if (s->agreement) study_agreement_save(s->agreement, sb);
}

/* The shapes of the saved sums, then the sums themselves into a fresh *s. */
static attn_status sums_load(study_reader *r, attn_study_sums *s) {
    int64_t mode = study_get_i64(r), layer_option = study_get_i64(r), n = study_get_i64(r);
    if (r->bad || n < 1 || n > 1024) return study_reader_fail(r, "models");
    char **labels = attn_calloc((size_t)n, sizeof *labels);
    int32_t *shape = attn_calloc((size_t)n * 2, sizeof *shape);
    int64_t *sentences = attn_calloc((size_t)n, sizeof *sentences);
    attn_status st = labels && shape && sentences ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    size_t at = r->at;
    for (int m = 0; st == ATTN_OK && m < n; m++) { /* first pass: labels and shapes */
        labels[m] = study_get_str(r);
        int64_t L = study_get_i64(r), H = study_get_i64(r);
        sentences[m] = study_get_i64(r);
        if (r->bad || L < 1 || H < 1 || L > 4096 || H > 4096) st = study_reader_fail(r, "model shape");
        else shape[m] = (int32_t)L, shape[n + m] = (int32_t)H;
        size_t nh = (size_t)L * (size_t)H;
        if (st == ATTN_OK) r->at += nh * ATTN_HS_COUNT * (sizeof(int64_t) + sizeof(attn_fixed)) + nh * nh * sizeof(attn_fixed);
        if (r->at > r->n) st = study_reader_fail(r, "truncated");
    }
    if (st == ATTN_OK) st = study_sums_alloc(s, (int)n, (const char *const *)labels, shape, shape + n);
    s->mode = (attn_metrics_mode)mode, s->layer_option = (int)layer_option;
    r->at = at;
    for (int m = 0; st == ATTN_OK && m < n; m++) { /* second pass: the arrays */
        attn_model_sums *ms = &s->models[m];
        size_t nh = (size_t)ms->layers * (size_t)ms->heads;
        free(study_get_str(r));
        r->at += 3 * sizeof(int64_t);
        ms->sentences = sentences[m];
        study_get_bytes(r, ms->head_count, nh * ATTN_HS_COUNT * sizeof *ms->head_count);
        study_get_bytes(r, s->exact->head[m], nh * ATTN_HS_COUNT * sizeof *s->exact->head[m]);
        study_get_bytes(r, s->exact->dist[m], nh * nh * sizeof *s->exact->dist[m]);
    }
    int64_t nd = st == ATTN_OK ? study_get_i64(r) : 0;
    for (int64_t d = 0; st == ATTN_OK && d < nd && !r->bad; d++) {
        char *name = study_get_str(r);
        if (!name || study_sums_domain(s, name) < 0) st = r->bad ? study_reader_fail(r, "domains") : ATTN_E_NOMEM;
        free(name);
    }
    int64_t nc = st == ATTN_OK ? study_get_i64(r) : 0;
    for (int64_t i = 0; st == ATTN_OK && i < nc && !r->bad; i++) {
        int64_t d = study_get_i64(r), m = study_get_i64(r), l = study_get_i64(r);
        if (r->bad || d < 0 || d >= s->n_domains || m < 0 || m >= n || l < 0 || l >= shape[m]) {
            st = study_reader_fail(r, "cells");
            break;
        }
        attn_domain_cell *c = study_sums_cell(s, (int)d, (int)m, (int)l);
        if (!c) st = ATTN_E_NOMEM;
        else study_get_bytes(r, c->count, sizeof c->count), study_get_bytes(r, &s->exact->cells[(size_t)(c - s->cells) * ATTN_M_COUNT], ATTN_M_COUNT * sizeof(attn_fixed));
    }
    if (st == ATTN_OK) s->sentences = study_get_i64(r);
    if (st == ATTN_OK && study_get_i64(r) != (s->agreement != NULL)) st = study_reader_fail(r, "agreement");
    if (st == ATTN_OK && s->agreement) st = study_agreement_load(s->agreement, r);
    if (st == ATTN_OK && r->bad) st = study_reader_fail(r, "truncated");
    if (st == ATTN_OK) study_sums_settle(s);
    for (int m = 0; labels && m < n; m++) free(labels[m]);
    free(labels), free(shape), free(sentences);
    return st;
}

/* ---- the checkpoint ------------------------------------------------------------------------ */
typedef struct run_header {
    char *fingerprint;
    int64_t shard, n_shards, first, end, next, complete, layer_column, window;
    study_part_mark part[4];
    int64_t n_models;
    attn_config *configs; /* [n_models] */
} run_header;

struct attn_run {
    attn_study *study;
    char *out, *state;
    run_header h;
    attn_sentence_writer *writer;
    int lock_fd;     /* flock'ed STATE/lock: one run per folder at a time */
    int checkpoints; /* written by this process (for the test hook) */
    attn_run_sentence_fn on_sentence;
    void *user;
};

static void header_free(run_header *h) {
    free(h->fingerprint), free(h->configs);
    memset(h, 0, sizeof *h);
}

static void header_save(const run_header *h, attn_strbuf *sb) {
    attn_sb_puts(sb, STATE_MAGIC);
    study_put_str(sb, h->fingerprint);
    const int64_t v[] = {h->shard, h->n_shards, h->first, h->end, h->next, h->complete, h->layer_column, h->window};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) study_put_i64(sb, v[i]);
    for (int i = 0; i < 4; i++) {
        study_put_i64(sb, h->part[i].len);
        attn_sb_append(sb, (const char *)h->part[i].sha256, sizeof h->part[i].sha256);
    }
    study_put_i64(sb, h->n_models);
    attn_sb_append(sb, (const char *)h->configs, (size_t)h->n_models * sizeof *h->configs);
}

static attn_status header_load(study_reader *r, run_header *h) {
    memset(h, 0, sizeof *h);
    char magic[sizeof STATE_MAGIC - 1];
    study_get_bytes(r, magic, sizeof magic);
    if (!r->bad && memcmp(magic, STATE_MAGIC, sizeof magic - 2) == 0 && memcmp(magic, STATE_MAGIC, sizeof magic) != 0)
        return attn_fail(ATTN_E_INVALID, "%s: a state of another attnscope version (%.*s); run without --resume to start over",
                         r->path, (int)sizeof magic - 1, magic);
    if (r->bad || memcmp(magic, STATE_MAGIC, sizeof magic) != 0) return study_reader_fail(r, "bad magic");
    h->fingerprint = study_get_str(r);
    int64_t *v[] = {&h->shard, &h->n_shards, &h->first, &h->end, &h->next, &h->complete, &h->layer_column, &h->window};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) *v[i] = study_get_i64(r);
    for (int i = 0; i < 4; i++) {
        h->part[i].len = study_get_i64(r);
        study_get_bytes(r, h->part[i].sha256, sizeof h->part[i].sha256);
        if (h->part[i].len < 0) r->bad = 1;
    }
    h->n_models = study_get_i64(r);
    if (r->bad || !h->fingerprint || h->n_models < 1 || h->n_models > 1024 || h->first > h->next || h->next > h->end)
        return study_reader_fail(r, "header");
    h->configs = attn_calloc((size_t)h->n_models, sizeof *h->configs);
    if (!h->configs) return attn_fail(ATTN_E_NOMEM, "out of memory");
    study_get_bytes(r, h->configs, (size_t)h->n_models * sizeof *h->configs);
    return r->bad ? study_reader_fail(r, "truncated") : ATTN_OK;
}

/* Reads STATE/checkpoint: header, then (when sums is not NULL) the sums. */
static attn_status checkpoint_read(const char *state, run_header *h, attn_study_sums *sums) {
    char *path = attn_asprintf("%s/checkpoint", state), *data = NULL;
    size_t len = 0;
    if (!path) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_status st = attn_read_file(path, &data, &len);
    study_reader r = {(const unsigned char *)data, len, 0, 0, path};
    if (st == ATTN_OK) st = header_load(&r, h);
    if (st == ATTN_OK && sums) st = sums_load(&r, sums);
    if (st == ATTN_OK && sums && r.at != r.n) st = study_reader_fail(&r, "trailing bytes");
    free(data);
    free(path);
    return st;
}

/* Test hook: ATTN_TEST_KILL_AFTER_CHECKPOINT=k makes the process SIGKILL itself right after its
 * k-th checkpoint (the resume tests). */
static void maybe_die(const attn_run *r) {
    const char *k = getenv("ATTN_TEST_KILL_AFTER_CHECKPOINT");
    if (k && atoi(k) == r->checkpoints) raise(SIGKILL);
}

static attn_status checkpoint_write(attn_run *r) {
    attn_status st = study_sentence_parts_sync(r->writer, r->h.part);
    if (st != ATTN_OK) return st;
    attn_strbuf sb = {0};
    header_save(&r->h, &sb);
    sums_save(attn_study_sums_of(r->study), &sb);
    char *path = attn_asprintf("%s/checkpoint", r->state);
    st = sb.oom || !path ? attn_fail(ATTN_E_NOMEM, "out of memory") : attn_write_file_atomic(path, sb.buf, sb.len);
    free(path);
    attn_sb_free(&sb);
    r->checkpoints++;
    if (st == ATTN_OK) maybe_die(r);
    return st;
}

/* ---- the fingerprint: SHA-256 of the options, the corpus bytes and the models' files --------
 * (OpenSSL: with the CPU's SHA extensions about 2 GB/s, where a byte-wise FNV-1a spent ~2 s on
 * three base checkpoints.) */
static int digest(EVP_MD_CTX *h, const void *p, size_t n) { return EVP_DigestUpdate(h, p, n) == 1; }

static attn_status hash_file(EVP_MD_CTX *h, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return attn_fail(ATTN_E_IO, "%s: %s", path, strerror(errno));
    unsigned char *buf = malloc(1 << 20);
    size_t n;
    int ok = buf != NULL;
    while (ok && (n = fread(buf, 1, 1 << 20, f)) > 0) ok = digest(h, buf, n);
    int bad = ferror(f);
    fclose(f);
    free(buf);
    if (!ok) return attn_fail(ATTN_E_NOMEM, "%s: out of memory while hashing", path);
    return bad ? attn_fail(ATTN_E_IO, "%s: read failed", path) : ATTN_OK;
}

/* Every regular file of a model folder, by name. */
static attn_status hash_dir(EVP_MD_CTX *h, const char *dir) {
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) return attn_fail(ATTN_E_IO, "%s: %s", dir, strerror(errno));
    attn_status st = ATTN_OK;
    for (int i = 0; i < n; i++) {
        char *path = attn_asprintf("%s/%s", dir, names[i]->d_name);
        struct stat sb;
        if (st == ATTN_OK && path && names[i]->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            if (!digest(h, names[i]->d_name, strlen(names[i]->d_name) + 1)) st = attn_fail(ATTN_E_NOMEM, "out of memory");
            if (st == ATTN_OK) st = hash_file(h, path);
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return st;
}

static attn_status fingerprint(const attn_run_options *o, int n_models, char **out) {
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    if (!h || EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(h);
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    attn_status st = digest(h, o->description, strlen(o->description) + 1) ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    if (st == ATTN_OK) st = hash_file(h, o->corpus);
    for (int m = 0; st == ATTN_OK && m < n_models; m++) st = hash_dir(h, o->model_dirs[m]);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (st == ATTN_OK && (!digest(h, &o->corpus_sentences, sizeof o->corpus_sentences) || EVP_DigestFinal_ex(h, md, &len) != 1))
        st = attn_fail(ATTN_E_NOMEM, "out of memory");
    EVP_MD_CTX_free(h);
    if (st != ATTN_OK) return st;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < len; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    if (!(*out = attn_strdup(hex))) st = attn_fail(ATTN_E_NOMEM, "out of memory");
    return st;
}

/* ---- a run --------------------------------------------------------------------------------- */
/* The shard's sentences: whole windows, a contiguous block of them, so that a shard batches its
 * sentences exactly as the whole run does. */
static void shard_range(int64_t total, int64_t window, int k, int n, int64_t *first, int64_t *end) {
    int64_t windows = (total + window - 1) / window;
    *first = windows * k / n * window;
    *end = windows * (k + 1) / n * window;
    if (*first > total) *first = total;
    if (*end > total) *end = total;
}

/* The state folder, locked for this run (the lock goes with the process, even on SIGKILL). */
static attn_status state_folder(attn_run *r) {
    if (mkdir(r->state, 0777) != 0 && errno != EEXIST) return attn_fail(ATTN_E_IO, "%s: %s", r->state, strerror(errno));
    char *path = attn_asprintf("%s/lock", r->state);
    r->lock_fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666) : -1;
    free(path);
    if (r->lock_fd < 0) return attn_fail(ATTN_E_IO, "%s/lock: %s", r->state, strerror(errno));
    if (flock(r->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return attn_fail(ATTN_E_IO, "%s: another attnscope run is using this folder", r->out);
    return ATTN_OK;
}

/* Resuming: the checkpoint of this very run (else an error), the sums into the study. */
static attn_status restore(attn_run *r, int *found) {
    run_header old;
    attn_study_sums sums;
    memset(&sums, 0, sizeof sums);
    char *path = attn_asprintf("%s/checkpoint", r->state);
    *found = path && access(path, F_OK) == 0;
    free(path);
    if (!*found) return ATTN_OK;
    attn_status st = checkpoint_read(r->state, &old, &sums);
    if (st == ATTN_OK && (strcmp(old.fingerprint, r->h.fingerprint) != 0 || old.shard != r->h.shard ||
                          old.n_shards != r->h.n_shards || old.first != r->h.first || old.end != r->h.end))
        st = attn_fail(ATTN_E_INVALID, "%s: the checkpoint is of a different run (options, models, corpus or shard); "
                       "run without --resume to start over", r->state);
    attn_study_sums *mine = attn_study_sums_of(r->study);
    if (st == ATTN_OK && (sums.n_models != mine->n_models || sums.mode != mine->mode))
        st = attn_fail(ATTN_E_INVALID, "%s: the checkpoint's models differ", r->state);
    if (st == ATTN_OK) {
        attn_study_sums_free(mine);
        *mine = sums;
        memset(&sums, 0, sizeof sums);
        memcpy(r->h.part, old.part, sizeof old.part);
        r->h.next = old.next, r->h.complete = old.complete;
        r->study->next_index = old.next;
    }
    attn_study_sums_free(&sums);
    header_free(&old);
    return st;
}

/* Temp files a killed run's atomic writes left in folder: "NAME.csv.tmp-XXXXXX" of the study's tables
 * and "checkpoint.tmp-XXXXXX". */
static void remove_stale_temps(const char *folder) {
    static const char *const names[] = {"architecture.", "dataset_sentences.", "metrics_by_sentence.", "metrics_by_domain.",
                                        "head_stats.", "head_distances.", "model_agreement.", "checkpoint."};
    DIR *d = opendir(folder);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *tmp = strstr(e->d_name, ".tmp-");
        for (size_t i = 0; tmp && i < sizeof names / sizeof *names; i++) {
            if (strncmp(e->d_name, names[i], strlen(names[i])) != 0) continue;
            char *p = attn_asprintf("%s/%s", folder, e->d_name);
            if (p) unlink(p);
            free(p);
            break;
        }
    }
    if (d) closedir(d);
}

static void remove_state(const char *state);

attn_status attn_run_open(attn_study *study, const attn_config *const *configs, const attn_run_options *o,
                          attn_run **out) {
    *out = NULL;
    attn_run *r = attn_calloc(1, sizeof *r);
    if (!r) return attn_fail(ATTN_E_NOMEM, "out of memory");
    r->study = study;
    r->lock_fd = -1;
    r->out = attn_strdup(o->out);
    r->on_sentence = o->on_sentence, r->user = o->user;
    r->state = attn_asprintf("%s/" STATE_DIR, o->out);
    int n = study->n_models, found = 0;
    r->h.n_models = n, r->h.window = study->o.window, r->h.layer_column = study->o.layer == ATTN_LAYER_ALL;
    r->h.shard = o->n_shards ? o->shard : 0, r->h.n_shards = o->n_shards ? o->n_shards : 1;
    shard_range(o->corpus_sentences, study->o.window, (int)r->h.shard, (int)r->h.n_shards, &r->h.first, &r->h.end);
    r->h.next = r->h.first;
    r->h.configs = attn_calloc((size_t)n, sizeof *r->h.configs);
    attn_status st = r->out && r->state && r->h.configs ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    for (int m = 0; st == ATTN_OK && m < n; m++) r->h.configs[m] = *configs[m];
    if (st == ATTN_OK) st = fingerprint(o, n, &r->h.fingerprint);
    if (st == ATTN_OK) st = state_folder(r);
    if (st == ATTN_OK) remove_stale_temps(r->out), remove_stale_temps(r->state);
    if (st == ATTN_OK && o->resume) st = restore(r, &found);
    if (st == ATTN_OK) {
        study->next_index = r->h.next;
        st = study_sentence_parts_open(r->state, study->o.mode, (int)r->h.layer_column, r->h.part, &r->writer);
    }
    int fresh = st == ATTN_OK && !found; /* the state is this run's from here on */
    if (fresh) st = checkpoint_write(r); /* a fresh run replaces any old state */
    if (st != ATTN_OK) {
        if (fresh) { /* its first checkpoint failed (a full disk): leave nothing to resume from */
            attn_sentence_writer_abort(r->writer);
            r->writer = NULL;
            remove_state(r->state);
        }
        attn_run_free(r);
        return st;
    }
    *out = r;
    return ATTN_OK;
}

attn_sentence_writer *attn_run_writer(attn_run *r) { return r->writer; }
int64_t attn_run_next(const attn_run *r) { return r->h.next; }
int64_t attn_run_end(const attn_run *r) { return r->h.end; }

void attn_run_free(attn_run *r) {
    if (!r) return;
    attn_sentence_writer_abort(r->writer);
    if (r->lock_fd >= 0) close(r->lock_fd);
    header_free(&r->h);
    free(r->out), free(r->state);
    free(r);
}

static void remove_state(const char *state);

attn_status attn_run_feed(attn_run *r, attn_corpus *corpus) {
    attn_sentence s;
    attn_status st = ATTN_OK;
    int progress = r->h.next != r->h.first; /* a window done (now or by the run resumed) */
    for (int64_t i = 0; i < r->h.end && (st = attn_corpus_next(corpus, &s)) == ATTN_OK && s.text; i++) {
        if (i < r->h.next) continue;
        if (r->on_sentence && (st = r->on_sentence(r->user, i, s.label, s.text)) != ATTN_OK) break;
        if ((st = attn_study_add(r->study, s.label, s.text)) != ATTN_OK) break;
        if (attn_study_pending(r->study) == 0) {
            r->h.next = i + 1;
            if ((st = checkpoint_write(r)) != ATTN_OK) break;
            progress = 1;
        }
    }
    if (st == ATTN_OK && attn_study_pending(r->study)) {
        st = attn_study_finish(r->study);
        r->h.next = r->h.end;
    }
    if (st == ATTN_OK) {
        r->h.next = r->h.end, r->h.complete = 1;
        st = checkpoint_write(r);
    }
    if (st != ATTN_OK && !progress) { /* failed before any window was done: nothing to resume */
        attn_sentence_writer_abort(r->writer);
        r->writer = NULL;
        remove_state(r->state);
    }
    return st;
}

static const attn_config **config_list(const run_header *h) {
    const attn_config **c = attn_calloc((size_t)h->n_models, sizeof *c);
    for (int m = 0; c && m < h->n_models; m++) c[m] = &h->configs[m];
    return c;
}

/* The state folder's files, then the folder. */
static void remove_state(const char *state) {
    char *cp = attn_asprintf("%s/checkpoint", state); /* first: parts without it are never resumed */
    if (cp) unlink(cp);
    free(cp);
    DIR *d = opendir(state);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *p = attn_asprintf("%s/%s", state, e->d_name);
        if (p) unlink(p);
        free(p);
    }
    if (d) closedir(d);
    rmdir(state);
}

static attn_status write_outputs(const char *out, const run_header *h, const attn_study_sums *sums,
                                 const char *const *states, int n_states) {
    const attn_config **cfg = config_list(h);
    attn_status st = cfg ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    if (st == ATTN_OK) st = study_sentence_parts_assemble(out, sums->mode, (int)h->layer_column, states, n_states);
    if (st == ATTN_OK) st = attn_study_write_tables(sums, cfg, out);
    free(cfg);
    return st;
}

attn_status attn_run_finish(attn_run *r) {
    attn_sentence_writer_abort(r->writer); /* parts are complete and synced: close them */
    r->writer = NULL;
    const char *states[1] = {r->state};
    attn_status st = write_outputs(r->out, &r->h, attn_study_sums_of(r->study), states, 1);
    if (st == ATTN_OK && r->h.n_shards == 1) remove_state(r->state);
    return st;
}

/* ---- merging shards ------------------------------------------------------------------------ */
typedef struct shard_in {
    char *state;
    const char *dir;
    run_header h;
    attn_study_sums sums;
} shard_in;

/* A finished shard's parts hold exactly the bytes its checkpoint recorded: a part cut, grown or
 * altered since (a damaged or hand-edited shard) would merge into tables that silently lack, gain
 * or change rows. */
static attn_status check_parts(const shard_in *s) {
    static const char *const parts[4] = {"dataset_sentences.csv", "dataset_sentences.jsonl", "metrics_by_sentence.csv",
                                         "metrics_by_sentence.jsonl"};
    attn_status st = ATTN_OK;
    for (int i = 0; st == ATTN_OK && i < 4; i++) {
        char *path = attn_asprintf("%s/%s.part", s->state, parts[i]);
        st = path ? study_part_check(path, &s->h.part[i], "a damaged shard") : attn_fail(ATTN_E_NOMEM, "out of memory");
        free(path);
    }
    return st;
}

static attn_status read_shard(const char *dir, shard_in *s) {
    s->dir = dir;
    if (!(s->state = attn_asprintf("%s/" STATE_DIR, dir))) return attn_fail(ATTN_E_NOMEM, "out of memory");
    char *path = attn_asprintf("%s/checkpoint", s->state);
    int there = path && access(path, R_OK) == 0;
    free(path);
    if (!there) return attn_fail(ATTN_E_NOT_FOUND, "%s: not a shard's output (no " STATE_DIR "/checkpoint)", dir);
    attn_status st = checkpoint_read(s->state, &s->h, &s->sums);
    if (st == ATTN_OK && !s->h.complete)
        st = attn_fail(ATTN_E_INVALID, "%s: shard %lld/%lld is not finished (resume it first)", dir, (long long)s->h.shard,
                       (long long)s->h.n_shards);
    if (st == ATTN_OK) st = check_parts(s);
    return st;
}

/* All shards of one run, each once; *order [n] by shard index. */
static attn_status check_shards(const shard_in *in, int n, int *order) {
    int64_t N = in[0].h.n_shards;
    for (int i = 0; i < n; i++) {
        if (strcmp(in[i].h.fingerprint, in[0].h.fingerprint) != 0 || in[i].h.n_shards != N)
            return attn_fail(ATTN_E_INVALID, "%s: a shard of a different run than %s (options, models, corpus or shard count differ)",
                             in[i].dir, in[0].dir);
        order[i] = -1;
    }
    if (N < 2) return attn_fail(ATTN_E_INVALID, "%s: a whole run, not a shard", in[0].dir);
    for (int i = 0; i < n; i++) {
        int64_t k = in[i].h.shard;
        if (k < 0 || k >= N || k >= n) continue;
        if (order[k] >= 0)
            return attn_fail(ATTN_E_INVALID, "%s and %s are both shard %lld/%lld (overlapping shards)", in[order[k]].dir,
                             in[i].dir, (long long)k, (long long)N);
        order[k] = i;
    }
    for (int64_t k = 0; k < N; k++)
        if (k >= n || order[k] < 0) return attn_fail(ATTN_E_INVALID, "shard %lld/%lld is missing", (long long)k, (long long)N);
    if (n > N) return attn_fail(ATTN_E_INVALID, "%d outputs given for %lld shards", n, (long long)N);
    for (int k = 1; k < n; k++)
        if (in[order[k]].h.first != in[order[k - 1]].h.end)
            return attn_fail(ATTN_E_INVALID, "%s: shard ranges do not join", in[order[k]].dir);
    return ATTN_OK;
}

attn_status attn_merge_runs(const char *const *dirs, int n, const char *out, attn_study_sums **sums) {
    *sums = NULL;
    if (n < 1) return attn_fail(ATTN_E_INVALID, "merge: no shard folders");
    shard_in *in = attn_calloc((size_t)n, sizeof *in);
    int *order = attn_calloc((size_t)n, sizeof *order);
    const char **states = attn_calloc((size_t)n, sizeof *states);
    attn_study_sums *total = attn_calloc(1, sizeof *total);
    attn_status st = in && order && states && total ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    char *out_real = realpath(out, NULL); /* NULL when out does not exist yet */
    for (int i = 0; st == ATTN_OK && out_real && i < n; i++) {
        char *r = realpath(dirs[i], NULL);
        if (r && strcmp(r, out_real) == 0)
            st = attn_fail(ATTN_E_INVALID, "%s: --out is one of the shard folders (it would overwrite that shard)", out);
        free(r);
    }
    free(out_real);
    for (int i = 0; st == ATTN_OK && i < n; i++) st = read_shard(dirs[i], &in[i]);
    if (st == ATTN_OK) st = check_shards(in, n, order);
    if (st == ATTN_OK) {
        *total = in[order[0]].sums;
        memset(&in[order[0]].sums, 0, sizeof in[order[0]].sums);
    }
    for (int k = 1; st == ATTN_OK && k < n; k++) st = attn_study_sums_merge(total, &in[order[k]].sums);
    for (int k = 0; st == ATTN_OK && k < n; k++) states[k] = in[order[k]].state;
    if (st == ATTN_OK) st = write_outputs(out, &in[order[0]].h, total, states, n);
    for (int i = 0; in && i < n; i++) {
        free(in[i].state);
        header_free(&in[i].h);
        attn_study_sums_free(&in[i].sums);
    }
    free(in), free(order), free(states);
    if (st == ATTN_OK) *sums = total;
    else if (total) attn_study_sums_free(total), free(total);
    return st;
}
