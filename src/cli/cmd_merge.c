/* cmd_merge.c — `attnscope merge DIR... --out DIR`: the outputs of `compare --shard K/N` runs
 * combined into exactly the files one `compare` over the whole corpus writes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static void help(void) {
    puts("usage: attnscope merge SHARD_DIR... --out DIR\n\n"
         "Combines the --out folders of `attnscope compare ... --shard K/N` (all N shards of one run,\n"
         "any order) into DIR: architecture, dataset_sentences, metrics_by_sentence, metrics_by_domain,\n"
         "head_stats, head_distances and model_agreement (.csv and .json), byte-identical to one run\n"
         "over the whole corpus. Aggregates come from the shards' exact sums, not from their means.\n"
         "Shards of different runs, a missing or a repeated shard are refused before anything is written.");
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

int cmd_merge(int argc, char **argv) {
    static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL;
    int c, made;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h') return help(), 0;
        if (c != 'o') return cli_usage_error("merge", "unknown option"), 2;
        out = optarg;
    }
    if (!out || optind >= argc) return cli_usage_error("merge", "expects SHARD_DIR... --out DIR"), 2;
    if (!out_folder(out, &made)) return 1;
    attn_study_sums *sums = NULL;
    int n = argc - optind;
    if (attn_merge_runs((const char *const *)argv + optind, n, out, &sums) != ATTN_OK) {
        int rc = cli_lib_error();
        if (made) rmdir(out);
        return rc;
    }
    printf("merged %d shards (%lld sentences) into %s: the tables of one run (figures and reports drawn from single\n"
           "sentences' attentions are not reproduced: the shards do not keep attentions)\n", n, (long long)sums->sentences, out);
    attn_study_sums_free(sums);
    free(sums);
    return 0;
}
