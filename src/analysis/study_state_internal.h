/* study_state_internal.h — what the checkpoint / shard state (study_state.c) shares with the sums,
 * the agreement and the per-sentence writers: a little binary encoder and reader. */
#ifndef ATTN_STUDY_STATE_INTERNAL_H
#define ATTN_STUDY_STATE_INTERNAL_H

#include "attnscope.h"
#include "common.h"

typedef struct study_reader {
    const unsigned char *p;
    size_t n, at;
    int bad;           /* set when a read ran past the end */
    const char *path;  /* for messages */
} study_reader;

void study_put_i64(attn_strbuf *sb, int64_t v);
void study_put_str(attn_strbuf *sb, const char *s);
int64_t study_get_i64(study_reader *r);
void study_get_bytes(study_reader *r, void *dst, size_t n);
char *study_get_str(study_reader *r); /* malloc'd; NULL when bad */
/* "PATH: not a valid attnscope state (what)" */
attn_status study_reader_fail(study_reader *r, const char *what);

struct attn_agreement;
void study_agreement_save(const struct attn_agreement *a, attn_strbuf *sb);
attn_status study_agreement_load(struct attn_agreement *a, study_reader *r);

/* Per-sentence tables as part files in a state folder (study_write.c, table_writer.c). A part's
mark is what a checkpoint records of it: its length and the SHA-256 of those bytes, so that a resume
and a merge notice a part changed since (cut, grown, or altered in place). */
typedef struct study_part_mark {
    int64_t len;
    unsigned char sha256[32];
} study_part_mark;
/* keep: the two parts (CSV, JSON Lines) are checked against their marks and cut back to them
 * (len 0: started empty). */
attn_status attn_table_open_part(const char *state_dir, const char *name, const char *const *columns, int n,
                                 const study_part_mark keep[2], attn_table_writer **out);
attn_status attn_table_sync_part(attn_table_writer *w, study_part_mark mark[2]);
/* Whether the file at path holds exactly mark's bytes; else fails with a message naming path and
 * what differs, ending in "(WHAT)". */
attn_status study_part_check(const char *path, const study_part_mark *mark, const char *what);
attn_status attn_table_assemble(const char *out_dir, const char *name, const char *const *columns, int n,
                                const char *const *state_dirs, int n_dirs);
attn_status study_sentence_parts_open(const char *state_dir, attn_metrics_mode mode, int layer_column,
                                      const study_part_mark keep[4], attn_sentence_writer **out);
attn_status study_sentence_parts_sync(attn_sentence_writer *w, study_part_mark mark[4]);
attn_status study_sentence_parts_assemble(const char *out_dir, attn_metrics_mode mode, int layer_column,
                                          const char *const *state_dirs, int n_dirs);

#endif
