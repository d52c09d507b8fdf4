/* cli.h — the command-line tool: one file per command, all thin clients of libattnscope. */
#ifndef ATTN_CLI_H
#define ATTN_CLI_H

#include <stdint.h>

#include "attnscope.h"

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

typedef int (*cli_command_fn)(int argc, char **argv);

int cmd_inspect(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_download(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Prints "attnscope: <message>" to stderr; returns the exit code 1 (2 for usage errors below). */
int cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
int cli_usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);
/* Prints the library's last error; returns 1. */
int cli_lib_error(void);

/* MODEL argument (folder or Hub id) → local folder, downloading as needed (progress on stderr).
 * NULL after printing the error. free() the result. */
char *cli_model_dir(const char *model, int quiet);

/* "109,482,240" into buf. */
const char *cli_thousands(int64_t v, char *buf, int size);

/* Parses a whole decimal integer within [lo, hi]. 0 if malformed or out of range. */
int cli_parse_int(const char *s, long lo, long hi, int *out);

/* Parses "1,2,3" into a malloc'ed int array. 0 on a malformed list. */
int cli_parse_int_list(const char *s, int32_t **out, int *n);

#endif
