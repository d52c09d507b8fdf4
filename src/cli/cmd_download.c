/* cmd_download.c — `attnscope download MODEL_ID [--revision R]`: fetch into the shared cache. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void) {
    puts("usage: attnscope download MODEL_ID [--revision R] [--quiet]\n\n"
         "Fetches what a model needs (config.json, the tokenizer files, the weights: model.safetensors\n"
         "or its shards, else pytorch_model.bin) into the Hugging Face cache shared with Python's\n"
         "huggingface_hub, and prints the snapshot folder. Files already cached are not fetched again.\n\n"
         "  MODEL_ID        bert-base-uncased, org/name, or org/name@revision\n"
         "  --revision R    branch, tag or commit (default main)\n"
         "  --quiet         no progress on stderr\n\n"
         "environment: HF_HUB_CACHE, HF_HOME, HF_ENDPOINT, HF_TOKEN, HF_TOKEN_PATH, HF_HUB_OFFLINE,\n"
         "HF_HUB_ETAG_TIMEOUT, HF_HUB_DOWNLOAD_TIMEOUT (see docs/hub.md)");
}

int cmd_download(int argc, char **argv) {
    const char *revision = NULL;
    int quiet = 0;
    static const struct option opts[] = {
        {"revision", required_argument, 0, 'r'}, {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:qh", opts, NULL)) != -1) {
        if (c == 'r') revision = optarg;
        else if (c == 'q') quiet = 1;
        else if (c == 'h') { help(); return 0; }
        else return cli_usage_error("download", "unknown option");
    }
    if (optind != argc - 1) return cli_usage_error("download", "expects one MODEL_ID");
    const char *id = argv[optind];
    if (revision && strchr(id, '@')) return cli_usage_error("download", "give the revision either as @R or as --revision");
    if (!*id || id[0] == '/' || id[0] == '.') return cli_usage_error("download", "expects a Hub model id, not a folder");
    char *model = revision ? malloc(strlen(id) + strlen(revision) + 2) : strdup(id);
    if (!model) return cli_error("out of memory");
    if (revision) sprintf(model, "%s@%s", id, revision);
    char *dir = cli_model_dir(model, quiet);
    free(model);
    if (!dir) return 1;
    printf("%s\n", dir);
    free(dir);
    return 0;
}
