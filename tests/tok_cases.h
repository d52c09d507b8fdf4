/* tok_cases.h — reading cases.jsonl files (Hugging Face reference encodings) for the tokenizer tests. */
#ifndef ATTN_TOK_CASES_H
#define ATTN_TOK_CASES_H

#include <jansson.h>

#include "attnscope.h"

/* Compares one case (a parsed cases.jsonl line) with what tok produces, every field. Returns 1 on a
 * match; on a mismatch writes a one-line description into why. */
int tok_case_matches(const attn_tokenizer *tok, json_t *c, char *why, size_t why_size);

/* Reads a JSONL file into an array of objects. NULL on failure (message printed). */
json_t *tok_cases_load(const char *path);

/* A temporary folder holding symlinks to the given files of src (NULL-terminated list). malloc'ed;
 * remove with tok_tmpdir_remove. */
char *tok_tmpdir_with(const char *src, const char *const *files);
void tok_tmpdir_remove(char *dir);

#endif
