/* cmd_merge.c — `attnscope merge DIR... --out DIR`: the outputs of `compare --shard K/N` runs
 * combined into exactly the files one `compare` over the whole corpus writes. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"

static void help(void) {
    puts("usage: attnscope merge SHARD_DIR... --out DIR\n\n"
         "Combines the --out folders of `attnscope compare ... --shard K/N` (all N shards of one run,\n"
         "any order) into DIR: architecture, dataset_sentences, metrics_by_sentence, metrics_by_domain,\n"
         "head_stats, head_distances and model_agreement (.csv and .json), byte-identical to one run\n"
         "over the whole corpus. Aggregates come from the shards' exact sums, not from their means.\n"
         "Shards of different runs, a missing or a repeated shard are refused before anything is written.\n");
    cli_figure_opts_help();
    puts("                         the study's charts from the merged sums, the files `compare --figures`\n"
         "                         draws over the whole corpus (default folder DIR/figures)");
}

/* DIR: made when missing (*made = 1), else must be a writable folder. */
static int out_folder(const char *dir, int *made) {
    struct stat st;
    *made = 0;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT || mkdir(dir, 0777) != 0) return !cli_error("%s: cannot create the output folder", dir);
        *made = 1;
    } else if (!S_ISDIR(st.st_mode)) {
        return !cli_error("%s: not a folder", dir);
    }
    if (access(dir, W_OK | X_OK) != 0) return !cli_error("%s: output folder is not writable", dir);
    return 1;
}

/* Options into *out and fig; 0 = go on, else the exit code (-1: --help printed). */
static int parse_args(int argc, char **argv, const char **out, cli_figure_opts *fig) {
    static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
                                         CLI_FIGURE_LONG_OPTIONS, {0, 0, 0, 0}};
    int c, r;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if ((r = cli_figure_opt(fig, "merge", c, optarg)) != 0) {
            if (r < 0) return 2;
        } else if (c == 'h') {
            return help(), -1;
        } else if (c == 'o') {
            *out = optarg;
        } else {
            return cli_usage_error("merge", "unknown option");
        }
    }
    if (!*out || optind >= argc) return cli_usage_error("merge", "expects SHARD_DIR... --out DIR");
    return 0;
}

static int merge_main(int argc, char **argv, cli_figure_opts *fig) {
    const char *out = NULL;
    int made, rc = parse_args(argc, argv, &out, fig);
    if (rc) return rc < 0 ? 0 : rc;
    char *fig_dir = NULL;
    rc = asprintf(&fig_dir, "%s/figures", out) < 0 ? cli_error("out of memory") : cli_figure_opts_ready(fig, "merge", fig_dir);
    free(fig_dir);
    if (rc) return rc;
    if (!out_folder(out, &made)) return 1;
    attn_study_sums *sums = NULL;
    int n = argc - optind, figures = 0;
    if (attn_merge_runs((const char *const *)argv + optind, n, out, &sums) != ATTN_OK) {
        rc = cli_lib_error();
        if (made) rmdir(out);
        return rc;
    }
    rc = compare_figures_write(fig, sums, &figures);
    if (!rc)
        printf("merged %d shards (%lld sentences) into %s: the tables of one run (the report, drawn from single\n"
               "sentences' attentions, is not reproduced: the shards do not keep attentions)\n", n, (long long)sums->sentences, out);
    if (!rc && figures) printf("wrote %d figures to %s/\n", figures, fig->dir);
    attn_study_sums_free(sums);
    free(sums);
    return rc;
}

int cmd_merge(int argc, char **argv) {
    cli_figure_opts fig;
    cli_figure_opts_init(&fig);
    int rc = merge_main(argc, argv, &fig);
    cli_figure_opts_free(&fig);
    return rc;
}
