/* main.c — `attnscope COMMAND ...`: dispatch to one command. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    cli_command_fn fn;
    const char *summary;
} commands[] = {
    {"inspect", cmd_inspect, "architecture table of a checkpoint (layers, sizes, parameters)"},
    {"view", cmd_view, "one offline HTML file: model, head and neuron views of one or several models"},
    {"run", cmd_run, "run the encoder; dump attentions and hidden states"},
    {"tokenize", cmd_tokenize, "tokens, ids and offsets exactly as Hugging Face's fast tokenizer"},
    {"download", cmd_download, "fetch a Hub model into the shared Hugging Face cache; print its folder"},
    {"compare", cmd_compare, "the seed study: attention metrics of several models over a corpus, head statistics"},
    {"merge", cmd_merge, "combine the outputs of compare --shard K/N runs into one run's files"},
    {"similarity", cmd_similarity, "cosine of one word's vector between two sentences at every hidden state"},
    {"focus", cmd_focus, "where a word attends: per layer, per head, or rolled out"},
    {"align", cmd_align, "word-level attention of several models on one sentence, and their distance"},
    {"bench", cmd_bench, "latency, throughput and peak memory of models on a corpus (table, JSON, CSV)"},
};

static void usage(FILE *f) {
    fprintf(f, "attnscope %s — see and compare how transformer encoders pay attention\n\n", ATTNSCOPE_VERSION);
    fprintf(f, "usage: attnscope COMMAND [options]   (attnscope COMMAND --help for its options)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nMODEL is a checkpoint folder or a Hugging Face Hub id (bert-base-uncased, org/name@revision).\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("attnscope %s\n", ATTNSCOPE_VERSION);
        return 0;
    }
    opterr = 0, cli_argv = argv + 1; /* getopt prints nothing: cli_usage_error names the bad option, one line */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            int rc = commands[i].fn(argc - 1, argv + 1);
            if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0) /* e.g. stdout on a full disk */
                rc = cli_error("stdout: write failed: %s", strerror(errno ? errno : EIO));
            return rc;
        }
    fprintf(stderr, "attnscope: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
