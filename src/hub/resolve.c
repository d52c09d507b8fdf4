/* resolve.c — MODEL argument → local folder: a folder as it is, or a Hub id resolved to a snapshot
 * holding what from_pretrained would fetch: config.json, the tokenizer files, the weights. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hub.h"

void attn_hub_options_init(attn_hub_options *o) {
    memset(o, 0, sizeof *o);
    o->offline = -1;
}

static const char *const tokenizer_files[] = {
    "tokenizer.json", "tokenizer_config.json", "vocab.txt", "vocab.json", "merges.txt", "special_tokens_map.json",
};

/* Weight layouts in from_pretrained's order of preference. */
static const struct {
    const char *file;
    int is_index;
} weight_files[] = {
    {"model.safetensors", 0},
    {"model.safetensors.index.json", 1},
    {"pytorch_model.bin", 0},
    {"pytorch_model.bin.index.json", 1},
};

/* "org/name@rev" → id and revision (opts->revision wins only if they agree). */
static attn_status split_model_id(const char *model, const attn_hub_options *o, char **id, char **revision) {
    *id = *revision = NULL;
    const char *at = strchr(model, '@');
    const char *rev = at ? at + 1 : NULL;
    const char *opt_rev = o ? o->revision : NULL;
    if (rev && opt_rev && strcmp(rev, opt_rev) != 0)
        return attn_fail(ATTN_E_INVALID, "%s: revision given twice (@%s and %s)", model, rev, opt_rev);
    if (!rev) rev = opt_rev ? opt_rev : "main";
    *id = at ? attn_strndup(model, (size_t)(at - model)) : attn_strdup(model);
    *revision = attn_strdup(rev);
    if (!*id || !*revision) {
        free(*id);
        free(*revision);
        *id = *revision = NULL;
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    if (!hub_valid_repo_id(*id) || !hub_valid_revision(*revision)) {
        attn_status s = !hub_valid_repo_id(*id)
                            ? attn_fail(ATTN_E_NOT_FOUND, "%s: no such folder, and not a valid Hub model id", model)
                            : attn_fail(ATTN_E_INVALID, "%s: not a valid revision", *revision);
        free(*id);
        free(*revision);
        *id = *revision = NULL;
        return s;
    }
    return ATTN_OK;
}

static int looks_like_path(const char *m) {
    size_t n = strlen(m);
    int slashes = 0;
    for (const char *p = m; *p && *p != '@'; p++) slashes += *p == '/';
    return m[0] == '/' || m[0] == '.' || m[0] == '~' || (n && m[n - 1] == '/') || slashes > 1;
}

/* An optional file: missing in the repository (or, offline, not cached) is fine. */
static attn_status fetch_optional(const hub_ctx *c, const char *id, const char *commit, const char *file, int *got) {
    char *path = NULL;
    int missing = 0;
    attn_status s = hub_download_file(c, id, commit, file, &path, NULL, &missing);
    free(path);
    *got = s == ATTN_OK;
    if ((s == ATTN_E_NOT_FOUND && missing) || s == ATTN_E_OFFLINE) {
        attn_clear_error();
        return ATTN_OK;
    }
    return s;
}

static attn_status fetch_shards(const hub_ctx *c, const char *id, const char *commit, const char *index_path) {
    json_error_t jerr;
    json_t *root = json_load_file(index_path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) return attn_fail(ATTN_E_FORMAT, "%s: invalid JSON at line %d: %s", index_path, jerr.line, jerr.text);
    json_t *map = json_object_get(root, "weight_map");
    attn_status s = json_is_object(map) && json_object_size(map) ? ATTN_OK
                                                                 : attn_fail(ATTN_E_FORMAT, "%s: no \"weight_map\" object", index_path);
    const char *key;
    json_t *val;
    json_object_foreach(map, key, val) {
        if (s) break;
        const char *file = json_string_value(val);
        if (!file || !hub_valid_filename(file)) {
            s = attn_fail(ATTN_E_FORMAT, "%s: bad shard file name for tensor \"%s\"", index_path, key);
            break;
        }
        char *path = NULL;
        s = hub_download_file(c, id, commit, file, &path, NULL, NULL); /* each shard once: then it is cached */
        free(path);
    }
    json_decref(root);
    return s;
}

static attn_status fetch_weights(const hub_ctx *c, const char *id, const char *commit) {
    int offline_gap = 0;
    for (size_t i = 0; i < sizeof weight_files / sizeof weight_files[0]; i++) {
        char *path = NULL;
        int missing = 0;
        attn_status s = hub_download_file(c, id, commit, weight_files[i].file, &path, NULL, &missing);
        if (s == ATTN_E_OFFLINE) offline_gap = 1;
        if ((s == ATTN_E_NOT_FOUND && missing) || s == ATTN_E_OFFLINE) continue;
        if (!s && weight_files[i].is_index) s = fetch_shards(c, id, commit, path);
        free(path);
        return s;
    }
    if (offline_gap)
        return attn_fail(ATTN_E_OFFLINE, "%s@%s: HF_HUB_OFFLINE is set and no weights of this model are in the cache (%s)",
                         id, commit, c->cache_dir);
    return attn_fail(ATTN_E_NOT_FOUND, "%s@%s: the repository has no model.safetensors, pytorch_model.bin or their index",
                     id, commit);
}

static attn_status resolve_id(const hub_ctx *c, const char *id, const char *revision, char **dir) {
    char *config = NULL, *commit = NULL;
    attn_status s = hub_download_file(c, id, revision, "config.json", &config, &commit, NULL);
    free(config);
    /* the other files come from the same commit, even if the branch moves meanwhile */
    for (size_t i = 0; !s && i < sizeof tokenizer_files / sizeof tokenizer_files[0]; i++) {
        int got;
        s = fetch_optional(c, id, commit, tokenizer_files[i], &got);
    }
    if (!s) s = fetch_weights(c, id, commit);
    if (!s) {
        char *repo = hub_repo_dir(c, id);
        *dir = repo ? attn_asprintf("%s/snapshots/%s", repo, commit) : NULL;
        free(repo);
        if (!*dir) s = attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    free(commit);
    return s;
}

attn_status attn_hub_resolve(const char *model, const attn_hub_options *opts, char **dir) {
    *dir = NULL;
    if (!model || !*model) return attn_fail(ATTN_E_INVALID, "empty model name");
    if (attn_dir_exists(model)) {
        *dir = attn_strdup(model);
        return *dir ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    if (looks_like_path(model)) return attn_fail(ATTN_E_NOT_FOUND, "%s: no such folder", model);
    char *id, *revision;
    attn_status s = split_model_id(model, opts, &id, &revision);
    if (s) return s;
    hub_ctx c;
    s = hub_ctx_init(&c, opts);
    if (!s) s = resolve_id(&c, id, revision, dir);
    hub_ctx_free(&c);
    free(id);
    free(revision);
    return s;
}

attn_status attn_hub_file(const char *repo_id, const char *filename, const attn_hub_options *opts, char **path) {
    *path = NULL;
    char *id, *revision;
    attn_status s = split_model_id(repo_id, opts, &id, &revision);
    if (s) return s;
    hub_ctx c;
    s = hub_ctx_init(&c, opts);
    if (!s) s = hub_download_file(&c, id, revision, filename, path, NULL, NULL);
    hub_ctx_free(&c);
    free(id);
    free(revision);
    return s;
}

attn_status attn_hub_cache_dir(const attn_hub_options *opts, char **dir) {
    *dir = opts && opts->cache_dir ? attn_strdup(opts->cache_dir) : hub_default_cache_dir();
    return *dir ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
}
