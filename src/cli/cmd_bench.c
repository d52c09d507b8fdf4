/* cmd_bench.c — `attnscope bench [LABEL=]MODEL... [options]`: latency, throughput and peak memory of
 * each model (attn_bench_run, each in its own child process), as a table, JSON, or bench.csv/json. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static void help(void) {
    printf("usage: attnscope bench [LABEL=]MODEL... [--corpus FILE] [--threads N] [--batch N] [--precision fp32|bf16]\n"
           "                       [--runs N] [--warmup N] [--json] [--out DIR] [--quiet]\n"
           "                       [--figures svg,png,pdf [--figures-dir DIR] [--dpi N] [--colors ...]]\n\n"
           "Times each model on a corpus: latency per sentence (tokenization + forward, batch 1, attentions\n"
           "returned: mean, std, median), throughput (sentences/s, batches of --batch sorted by length),\n"
           "peak resident memory (each model runs in its own process), parameters and speed relative to the\n"
           "first model, with the CPU, kernel path, threads and build named.\n\n"
           "  --corpus FILE   read exactly as `compare --corpus` reads it: .txt (a sentence a line), .csv/.tsv\n"
           "                  (a header line naming the text column), .jsonl ({\"text\": ...}); default: 24\n"
           "                  built-in news sentences of about 20 tokens; the example corpus (100 sentences\n"
           "                  of 10-40 tokens) is --corpus examples/corpus/news.tsv\n"
           "  --format F      text, csv, tsv, jsonl or agnews (default: from the extension)\n"
           "  --text-column NAME  the column of the sentences in a CSV/TSV (default text)\n"
           "  --threads N     threads per forward (default 0 = all cores)\n"
           "  --batch N       sentences per forward in the throughput pass (default 8)\n"
           "  --precision P   fp32 (default) or bf16: linear layers in bf16 with f32 accumulation (AMX or AVX512-BF16);\n"
           "                  the largest deviation of attention probabilities from fp32 is printed\n"
           "  --runs N        timed passes over the corpus (default 5); --warmup N untimed ones first (default 1)\n"
           "  --json          print a JSON list, one object per model, instead of the table\n"
           "  --out DIR       also write DIR/bench.csv and DIR/bench.json (atomically)\n"
           "  --quiet         no progress on stderr\n");
    cli_figure_opts_help();
    printf("                         (the seed's 2x2 performance figure, bench.*; default folder: --out DIR, else ./figures)\n"
           "The environment variable ATTN_KERNELS=avx512|avx2|portable forces a kernel path.\n");
}

/* "LABEL=MODEL" → label and model; a MODEL that exists as a path is never split. */
static void split_label(char *arg, const char **label, const char **model) {
    char *eq = strchr(arg, '=');
    struct stat st;
    if (eq && eq != arg && stat(arg, &st) != 0) {
        *eq = '\0';
        *label = arg, *model = eq + 1;
        return;
    }
    const char *slash = strrchr(arg, '/');
    *label = slash && slash[1] ? slash + 1 : arg; /* a folder's name, or the Hub id */
    *model = arg;
}

/* --out DIR: created if absent, must be a writable folder. 0 after printing. */
/* *made: the folder was created here (removed again if the bench fails). */
static int check_out_dir(const char *dir, int *made) {
    struct stat st;
    *made = 0;
    if (stat(dir, &st) != 0 && !(*made = mkdir(dir, 0777) == 0)) return !cli_error("%s: cannot create the folder: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return !cli_error("%s: not a folder", dir);
    if (access(dir, W_OK) != 0) return !cli_error("%s: not writable: %s", dir, strerror(errno));
    return 1;
}

static int parse_options(int argc, char **argv, attn_bench_options *o, attn_corpus_options *co, int *json,
                         const char **out_dir, int *quiet, cli_figure_opts *fig) {
    static const struct option opts[] = {
        {"corpus", required_argument, 0, 'c'}, {"threads", required_argument, 0, 'j'}, {"batch", required_argument, 0, 'b'},
        {"precision", required_argument, 0, 'p'}, {"runs", required_argument, 0, 'r'}, {"warmup", required_argument, 0, 'w'},
        {"json", no_argument, 0, 'J'}, {"out", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {"format", required_argument, 0, 'F'}, {"text-column", required_argument, 0, 'T'},
        CLI_FIGURE_LONG_OPTIONS, {0, 0, 0, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o->corpus = optarg; break;
        case 'F': {
            int f = attn_corpus_format_parse(optarg);
            if (f < 0) return cli_usage_error("bench", "--format is text, csv, tsv, jsonl or agnews");
            co->format = (attn_corpus_format)f;
            break;
        }
        case 'T': co->text_column = optarg; break;
        case 'j':
            if (!cli_parse_int(optarg, 0, 1024, &o->threads)) return cli_usage_error("bench", "--threads must be 0..1024 (0 = all cores)");
            break;
        case 'b': if (!cli_parse_int(optarg, 1, 4096, &o->batch)) return cli_usage_error("bench", "--batch must be 1..4096"); break;
        case 'r': if (!cli_parse_int(optarg, 1, 100000, &o->runs)) return cli_usage_error("bench", "--runs must be 1..100000"); break;
        case 'w': if (!cli_parse_int(optarg, 0, 100000, &o->warmup)) return cli_usage_error("bench", "--warmup must be 0..100000"); break;
        case 'p':
            if (!strcmp(optarg, "fp32")) o->precision = ATTN_PRECISION_FP32;
            else if (!strcmp(optarg, "bf16")) o->precision = ATTN_PRECISION_BF16;
            else return cli_usage_error("bench", "--precision must be fp32 or bf16");
            break;
        case 'J': *json = 1; break;
        case 'o': *out_dir = optarg; break;
        case 'q': *quiet = 1; break;
        case 'h': help(); return -1;
        default: {
            int used = cli_figure_opt(fig, "bench", c, optarg);
            if (used < 0) return 2;
            if (!used) return cli_usage_error("bench", "unknown option");
        }
        }
    }
    if (optind >= argc) return cli_usage_error("bench", "expects at least one MODEL");
    if (!o->corpus && (co->format || co->text_column)) return cli_usage_error("bench", "--format and --text-column go with --corpus");
    return 0;
}

/* The seed's performance figure: time, memory and parameters per model. */
static int draw_figure(const cli_figure_opts *fig, const attn_bench_result *res, const char *const *labels, int n) {
    double *v = calloc((size_t)n * 4, sizeof *v);
    if (!v) return cli_error("out of memory");
    for (int i = 0; i < n; i++)
        v[i] = res[i].latency_mean_ms, v[n + i] = res[i].latency_std_ms, v[2 * n + i] = res[i].peak_rss_mb,
        v[3 * n + i] = (double)res[i].parameters;
    attn_fig_bench d = {.n_models = n, .model_names = labels, .time_ms = v, .time_std_ms = v + n,
                        .memory_mb = v + 2 * n, .parameters = v + 3 * n};
    attn_figure *f = NULL;
    int rc = attn_figure_bench(&d, &fig->style, &f) != ATTN_OK ? cli_lib_error() : cli_figure_save(fig, f, "bench");
    free(v);
    return rc;
}

static int run_bench(int argc, char **argv, cli_figure_opts *fig) {
    attn_bench_options o;
    attn_bench_options_init(&o);
    attn_corpus_options co;
    attn_corpus_options_init(&co);
    o.corpus_options = &co;
    int json = 0, quiet = 0;
    const char *out_dir = NULL;
    int rc = parse_options(argc, argv, &o, &co, &json, &out_dir, &quiet, fig);
    if (rc) return rc < 0 ? 0 : rc;
    if (argc - optind > 64 && fig->formats) return cli_usage_error("bench", "--figures draws at most 64 models");
    if ((rc = cli_figure_opts_ready(fig, "bench", out_dir ? out_dir : "figures"))) return rc;
    int64_t sentences; /* the whole corpus read once before any work, as compare does (FIFOs refused) */
    if (o.corpus && attn_corpus_count(o.corpus, &co, &sentences) != ATTN_OK) return cli_lib_error();
    int made = 0;
    if (out_dir && !check_out_dir(out_dir, &made)) return 1;

    int n = argc - optind;
    const char **labels = calloc((size_t)n, sizeof *labels);
    char **dirs = calloc((size_t)n, sizeof *dirs);
    attn_bench_result *res = calloc((size_t)n, sizeof *res);
    if (!labels || !dirs || !res) rc = cli_error("out of memory");
    for (int i = 0; !rc && i < n; i++) { /* every model resolved (downloaded) before any timing */
        const char *model;
        split_label(argv[optind + i], &labels[i], &model);
        if (!(dirs[i] = cli_model_dir(model, quiet))) rc = 1;
    }
    for (int i = 0; !rc && i < n; i++) {
        if (!quiet) fprintf(stderr, "bench: %s ...\n", labels[i]);
        if (attn_bench_run(dirs[i], &o, &res[i]) != ATTN_OK) rc = cli_error("%s: %s", labels[i], attn_last_error());
        else if (res[i].truncated) /* timed as run would cut them: say so, like every command */
            fprintf(stderr,
                    "attnscope: warning: %s: %d of %d sentences%s%s exceed the model's %d positions and were truncated "
                    "(the first: sentence %d, %d tokens)\n",
                    labels[i], res[i].truncated, res[i].sentences, o.corpus ? " of " : "", o.corpus ? o.corpus : "",
                    res[i].max_tokens, res[i].first_truncated + 1, res[i].first_truncated_tokens);
    }
    if (!rc) {
        char *text = json ? attn_bench_json(res, labels, n, o.corpus) : attn_bench_table(res, labels, n, o.corpus);
        if (!text) rc = cli_error("out of memory");
        else fputs(text, stdout);
        free(text);
    }
    if (!rc && out_dir) {
        if (attn_bench_write_dir(out_dir, res, labels, n, o.corpus) != ATTN_OK) rc = cli_lib_error();
        else if (!quiet) fprintf(stderr, "bench: wrote %s/bench.csv and %s/bench.json\n", out_dir, out_dir);
    }
    if (!rc && fig->formats) {
        rc = draw_figure(fig, res, labels, n);
        if (!rc && !quiet) fprintf(stderr, "bench: figure bench.* in %s/\n", fig->dir);
    }
    for (int i = 0; dirs && i < n; i++) free(dirs[i]);
    free(dirs), free(labels), free(res);
    if (rc && made) rmdir(out_dir); /* only when still empty */
    return rc;
}

int cmd_bench(int argc, char **argv) {
    cli_figure_opts fig;
    cli_figure_opts_init(&fig);
    int rc = run_bench(argc, argv, &fig);
    cli_figure_opts_free(&fig);
    return rc;
}
