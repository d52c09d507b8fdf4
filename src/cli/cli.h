/* cli.h — the command-line tool: one file per command, all thin clients of libattnscope. */
#ifndef ATTN_CLI_H
#define ATTN_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "attnscope.h"

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

typedef int (*cli_command_fn)(int argc, char **argv);

int cmd_view(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_download(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_similarity(int argc, char **argv);
int cmd_focus(int argc, char **argv);
int cmd_align(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* The command's argv (set by main), for cli_usage_error("unknown option") to name the argument. */
extern char **cli_argv;
/* Prints "attnscope: <message>" to stderr; returns the exit code 1 (2 for usage errors below). */
int cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
int cli_usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);
/* Prints the library's last error; returns 1. */
int cli_lib_error(void);
/* 1 when a text argument is valid UTF-8 (NULL is); else prints "<what>: not valid UTF-8 ..." and returns 0. */
int cli_utf8_arg(const char *what, const char *text);

/* --input FILE of run/tokenize ('-' = stdin; a FIFO without writer is empty, not a hang), NULL after
 * printing the error; its lines: -1 at the end, -2 after printing an error (NUL byte, endless line). */
FILE *cli_open_input(const char *path);
ssize_t cli_read_line(FILE *f, const char *path, int lineno, char **line, size_t *cap);

/* MODEL argument (folder or Hub id) → local folder, downloading as needed (progress on stderr).
 * NULL after printing the error. free() the result. */
char *cli_model_dir(const char *model, int quiet);

/* The '=' ending LABEL in "LABEL=MODEL", or NULL: an existing path is never split; else the first '='
 * followed by an existing path (a label may hold '=', '/', markup), else by a Hub id, else the
 * first '=' with no '/' before it (label.c). */
const char *cli_label_end(const char *arg);

/* "109,482,240" into buf. */
const char *cli_thousands(int64_t v, char *buf, int size);

/* Parses a whole decimal integer within [lo, hi]. 0 if malformed or out of range. */
int cli_parse_int(const char *s, long lo, long hi, int *out);

/* Token labels in figures: attn_token_labels without byte-level BPE's leading space ("Ġbank" ->
 * "bank"; one emoji's pieces -> the emoji, then continuation marks), "##" pieces raw; [n] malloc'ed
 * (attn_token_labels_free), NULL when out of memory (run_figures.c). special may be NULL. */
char **cli_token_labels(const attn_tokenizer *tok, const int32_t *ids, const uint8_t *special, int n);

/* Parses "1,2,3" into a malloc'ed int array. 0 on a malformed list. */
int cli_parse_int_list(const char *s, int32_t **out, int *n);

/* ---- a text longer than the model's positions (truncation.c) -------------------------------
 * Every command cuts it (attn_encode_to_fit) and warns once, naming it:
 * attnscope: warning: NAME ("first 40 bytes..."): N tokens exceed the model's P positions; truncated to K
 * The --json outputs note it as "truncated": {"tokens": N, "kept": K} (null when it fit). */
void cli_truncation_warning(const char *name, const char *text, size_t text_len, int32_t positions,
                            attn_truncation_info cut);
/* attn_encode_to_fit with that warning; *cut may be NULL. 0 after printing the error. */
int cli_encode_to_fit(const char *name, const attn_tokenizer *tok, const attn_config *cfg, const char *text,
                      size_t text_len, const char *pair, size_t pair_len, attn_encoding *e, attn_truncation_info *cut);

/* ---- figure options, shared by the commands that draw (figure_opts.c) ----------------------
 * Put CLI_FIGURE_LONG_OPTIONS in the command's getopt_long table, pass every option getopt
 * returns to cli_figure_opt, then call cli_figure_opts_ready before any work. */
enum { CLI_OPT_FIGURES = 0x1000, CLI_OPT_DPI, CLI_OPT_FIGURES_DIR, CLI_OPT_COLORS };
#define CLI_FIGURE_LONG_OPTIONS                                                                      \
    {"figures", required_argument, 0, CLI_OPT_FIGURES}, {"dpi", required_argument, 0, CLI_OPT_DPI}, \
    {"figures-dir", required_argument, 0, CLI_OPT_FIGURES_DIR}, {"colors", required_argument, 0, CLI_OPT_COLORS}
typedef struct cli_figure_opts {
    unsigned formats;         /* attn_figure_format bits; 0 = no figures */
    const char *dir_arg;      /* --figures-dir, or NULL */
    char *dir;                /* the folder figures go to (set by cli_figure_opts_ready) */
    attn_figure_style style;  /* --dpi, --colors */
    int dpi_given, colors_given;
} cli_figure_opts;
void cli_figure_opts_init(cli_figure_opts *o);
void cli_figure_opts_free(cli_figure_opts *o);
/* 1 = a figure option, taken; 0 = not one; -1 = bad value (usage error printed: exit 2). */
int cli_figure_opt(cli_figure_opts *o, const char *cmd, int c, const char *arg);
/* Checks the combination (--dpi, --colors, --figures-dir need --figures) and that the folder
 * (--figures-dir, else default_dir, e.g. OUT/figures) is or can be made writable; it is created
 * by the first cli_figure_save. 0 = ready; else the exit code (printed). */
int cli_figure_opts_ready(cli_figure_opts *o, const char *cmd, const char *default_dir);
/* Makes the folder if needed, writes DIR/STEM.<ext> for each format, frees fig. 0, or 1 (printed). */
int cli_figure_save(const cli_figure_opts *o, attn_figure *fig, const char *stem);
/* The help lines of these options. */
void cli_figure_opts_help(void);

#endif
