/* figure_opts.c — --figures, --dpi, --figures-dir, --colors: parsed and checked before any
 * work, shared by every command that draws. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void cli_figure_opts_init(cli_figure_opts *o) {
    memset(o, 0, sizeof *o);
    attn_figure_style_init(&o->style);
}

void cli_figure_opts_free(cli_figure_opts *o) {
    free(o->dir);
    o->dir = NULL;
}

int cli_figure_opt(cli_figure_opts *o, const char *cmd, int c, const char *arg) {
    const char *bad = NULL; /* the option whose value is refused */
    switch (c) {
    case CLI_OPT_FIGURES:
        if (attn_figure_formats_parse(arg, &o->formats) != ATTN_OK) bad = "--figures";
        break;
    case CLI_OPT_DPI:
        if (!cli_parse_int(arg, 1, 2400, &o->style.dpi)) {
            cli_usage_error(cmd, "--dpi must be 1..2400, not '%s'", arg);
            return -1;
        }
        o->dpi_given = 1;
        break;
    case CLI_OPT_FIGURES_DIR:
        if (!*arg) {
            cli_usage_error(cmd, "--figures-dir is empty");
            return -1;
        }
        o->dir_arg = arg;
        break;
    case CLI_OPT_COLORS:
        if (attn_figure_colors_parse(arg, &o->style) != ATTN_OK) bad = "--colors";
        o->colors_given = 1;
        break;
    default: return 0;
    }
    if (bad) {
        cli_usage_error(cmd, "%s: %s", bad, attn_last_error());
        return -1;
    }
    return 1;
}

/* mkdir -p; *made: how many of its last components it created. 0 with errno set on failure */
static int make_dirs(const char *path, int *made) {
    char *p = strdup(path);
    *made = 0;
    if (!p) return 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s) continue;
        char keep = *s;
        *s = '\0';
        if (mkdir(p, 0777) == 0) ++*made;
        else if (errno != EEXIST) {
            free(p);
            return 0;
        }
        if (!keep) break;
        *s = keep;
    }
    free(p);
    return 1;
}

/* Removes the last `made` components of path that make_dirs created, while they are empty. */
static void unmake_dirs(const char *path, int made) {
    char *p = strdup(path);
    for (; p && made > 0; made--) {
        if (rmdir(p) != 0) break;
        char *slash = strrchr(p, '/');
        if (!slash) break;
        *slash = '\0';
    }
    free(p);
}

/* The folder exists and is writable, or the nearest folder above it that exists is writable
 * (so mkdir -p will work). 0 after printing the problem. */
static int dir_usable(const char *dir) {
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return !cli_error("%s: exists and is not a folder (--figures-dir)", dir);
        if (access(dir, W_OK) != 0) return !cli_error("%s: the figures folder is not writable", dir);
        return 1;
    }
    char *up = strdup(dir);
    if (!up) return !cli_error("out of memory");
    int ok = 1;
    for (;;) {
        char *slash = strrchr(up, '/');
        if (!slash) strcpy(up, ".");
        else if (slash == up) up[1] = '\0';
        else *slash = '\0';
        if (stat(up, &st) == 0) {
            if (!S_ISDIR(st.st_mode) || access(up, W_OK) != 0) ok = !cli_error("%s: cannot create the figures folder in %s", dir, up);
            break;
        }
        if (strcmp(up, ".") == 0 || strcmp(up, "/") == 0) break;
    }
    free(up);
    return ok;
}

int cli_figure_opts_ready(cli_figure_opts *o, const char *cmd, const char *default_dir) {
    if (!o->formats) {
        if (o->dpi_given || o->colors_given || o->dir_arg)
            return cli_usage_error(cmd, "--dpi, --colors and --figures-dir go with --figures svg,png,pdf");
        return 0;
    }
    const char *dir = o->dir_arg ? o->dir_arg : default_dir;
    if (!dir_usable(dir)) return 1;
    free(o->dir);
    o->dir = strdup(dir);
    return o->dir ? 0 : cli_error("out of memory");
}

int cli_figure_save(const cli_figure_opts *o, attn_figure *fig, const char *stem) {
    /* the folder is made only now, when there is a figure to put in it */
    int made;
    if (!make_dirs(o->dir, &made)) {
        attn_figure_free(fig);
        return cli_error("%s: cannot create the figures folder: %s", o->dir, strerror(errno));
    }
    attn_status s = attn_figure_write_all(fig, o->formats, o->dir, stem);
    attn_figure_free(fig);
    if (s == ATTN_OK) return 0;
    int rc = cli_lib_error();
    unmake_dirs(o->dir, made); /* a folder made for this figure alone goes with it */
    return rc;
}

void cli_figure_opts_help(void) {
    puts("  --figures svg,png,pdf  also draw figures, in any of these formats\n"
         "  --figures-dir DIR      where the figures go (created if needed)\n"
         "  --dpi N                PNG resolution (default 150)\n"
         "  --colors C1,C2,...     model colours as #RRGGBB (default #FF6B6B,#4ECDC4,#45B7D1, then Okabe-Ito)");
}
