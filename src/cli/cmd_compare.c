/* cmd_compare.c — `attnscope compare [LABEL=]MODEL... --corpus FILE --out DIR`: the seed study
 * (five attention metrics per sentence, by domain), head statistics and head distances. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compare.h"

typedef struct compare_args {
    const char *corpus, *out, *function_words;
    attn_corpus_options corpus_opts;
    attn_study_options study;
    int json, quiet, threads;
    cli_figure_opts fig;        /* --figures ... (compare_figures.c) */
    int no_report, report_max;  /* report.html (compare_report.c) */
    compare_scale scale;        /* --resume, --shard K/N */
    compare_words words;        /* --similarity, --focus, --words-corpus (compare_words.c) */
} compare_args;

static void help(void) {
    puts("usage: attnscope compare [LABEL=]MODEL... --corpus FILE --out DIR [options]\n\n"
         "Runs every MODEL over the corpus and writes, each as .csv and .json, to DIR: architecture,\n"
         "dataset_sentences, metrics_by_sentence, metrics_by_domain, head_stats, head_distances.\n"
         "Prints the architecture, the overall averages per model and the domain x model table.\n"
         "LABEL defaults to the MODEL's base name (BERT=bert-base-uncased gives the notebook's label).\n\n"
         "  --corpus FILE          .txt (a sentence a line), .csv/.tsv (header with text and\n"
         "                         label/domain), .jsonl ({\"text\", \"label\"}); or --format agnews\n"
         "  --out DIR              created when missing\n"
         "  --metrics MODE         corrected (default) or seed (the notebook's formulas, quirks included)\n"
         "  --layer L              last (default), all (adds a Layer column) or a 0-based layer\n"
         "  --function-words FILE  one word a line, instead of the notebook's 11\n"
         "  --format F             text, csv, tsv, jsonl or agnews (default: from the extension)\n"
         "  --text-column NAME     (default text)   --label-column NAME (default label, else domain)\n"
         "  AG News preparation:   --min-words N (10) --max-words N (20) --per-label N (25, 0 = all)\n"
         "                         --seed N (42)\n"
         "  --batch-size N         sequences per forward pass (default 8)\n"
         "  --threads N            threads (default: all cores)\n"
         "  --json                 a JSON summary on stdout instead of the tables\n"
         "  --quiet                no progress on stderr\n"
         "  --no-report            do not write DIR/report.html (the study as one offline HTML page)\n"
         "  --report-max-sentences N  sentences whose attention the report embeds (default 500;\n"
         "                         later ones are only in its tables and charts)\n"
         "  --resume               continue a killed run from its last checkpoint (DIR/.attnscope-state)\n"
         "  --shard K/N            only shard K of N (contiguous windows); combine with attnscope merge\n"
         "                         (with --resume or --shard no report.html: it needs every sentence's\n"
         "                         attention in one process)\n"
         "  --similarity WORD      also seed 003's \"bank\" study in the report: WORD's cosine between the\n"
         "                         first two sentences holding it, per hidden state, one line per model\n"
         "  --focus WORD           also where WORD attends (per layer, mean over heads) in the first\n"
         "                         sentence holding it, per model: bars and layer x token heatmap\n"
         "  --focus-layer N        the rows of `focus --layer N`: one per head of layer N (with\n"
         "  --focus-head H         --focus-head H: that head only; alone: head H at every layer)\n"
         "  --focus-rollout        attention rollout rows, as `focus --rollout` (with --focus-layer N:\n"
         "                         that layer only)\n"
         "  --words-corpus FILE    where --similarity and --focus look for their word (default --corpus;\n"
         "                         e.g. examples/corpus/bank.txt); results go to report.html and --figures");
    cli_figure_opts_help();
    puts("                         (default folder DIR/figures)");
}

enum { O_CORPUS = 256, O_OUT, O_METRICS, O_LAYER, O_FWORDS, O_FORMAT, O_TEXTCOL, O_LABELCOL, O_MINW, O_MAXW,
       O_PERLABEL, O_SEED, O_BATCH, O_THREADS, O_JSON, O_QUIET, O_HELP,
       O_NO_REPORT, O_REPORT_MAX, O_RESUME, O_SHARD, O_SIMILARITY, O_FOCUS, O_WORDS_CORPUS, O_FOCUS_LAYER,
       O_FOCUS_HEAD, O_FOCUS_ROLLOUT };

static int parse_layer(const char *v, int *layer) {
    if (strcmp(v, "last") == 0) return *layer = ATTN_LAYER_LAST, 1;
    if (strcmp(v, "all") == 0) return *layer = ATTN_LAYER_ALL, 1;
    return cli_parse_int(v, 0, 10000, layer);
}

/* The option whose value v is ("--batch-size" of "--batch-size 0"; all of "--batch-size=0"). */
static const char *option_of(const char *v) {
    if (!cli_argv || optind < 2) return "an option";
    return cli_argv[optind - 1] == v ? cli_argv[optind - 2] : cli_argv[optind - 1];
}

static int parse_number(int c, const char *v, compare_args *a) {
    int n, ok = cli_parse_int(v, c == O_THREADS || c == O_PERLABEL ? 0 : c == O_BATCH ? 1 : 0, 1000000000, &n);
    if (!ok) return cli_usage_error("compare", "%s: bad number '%s'", option_of(v), v), 0;
    switch (c) {
    case O_MINW: a->corpus_opts.min_words = n; break;
    case O_MAXW: a->corpus_opts.max_words = n; break;
    case O_PERLABEL: a->corpus_opts.per_label = n; break;
    case O_SEED: a->corpus_opts.seed = (uint64_t)n; break;
    case O_BATCH: a->study.batch_size = n; break;
    default: a->threads = a->study.threads = n; break;
    }
    return 1;
}

/* One option; 0 after printing a usage error, -1 for --help. */
static int parse_option(int c, const char *v, compare_args *a) {
    switch (c) {
    case O_CORPUS: a->corpus = v; return 1;
    case O_OUT: a->out = v; return 1;
    case O_FWORDS: a->function_words = v; return 1;
    case O_TEXTCOL: a->corpus_opts.text_column = v; return 1;
    case O_LABELCOL: a->corpus_opts.label_column = v; return 1;
    case O_JSON: a->json = 1; return 1;
    case O_QUIET: a->quiet = 1; return 1;
    case O_HELP: return -1;
    case O_NO_REPORT: a->no_report = 1; return 1;
    case O_REPORT_MAX:
        if (!cli_parse_int(v, 0, 1000000000, &a->report_max))
            return cli_usage_error("compare", "%s: bad number '%s'", option_of(v), v), 0;
        return 1;
    case O_RESUME: a->scale.resume = 1; return 1;
    case O_SHARD: return compare_parse_shard(v, &a->scale);
    case O_SIMILARITY: a->words.similarity = v; return 1;
    case O_FOCUS: a->words.focus = v; return 1;
    case O_WORDS_CORPUS: a->words.corpus = v; return 1;
    case O_FOCUS_ROLLOUT: a->words.focus_rollout = 1; return 1;
    case O_FOCUS_LAYER:
    case O_FOCUS_HEAD:
        if (!cli_parse_int(v, 0, 1 << 20, c == O_FOCUS_LAYER ? &a->words.focus_layer : &a->words.focus_head))
            return cli_usage_error("compare", "%s wants a number from 0", c == O_FOCUS_LAYER ? "--focus-layer" : "--focus-head"), 0;
        return 1;
    case O_METRICS:
        if (strcmp(v, "seed") && strcmp(v, "corrected")) return cli_usage_error("compare", "--metrics is corrected or seed"), 0;
        a->study.mode = strcmp(v, "seed") == 0 ? ATTN_METRICS_SEED : ATTN_METRICS_CORRECTED;
        return 1;
    case O_LAYER:
        if (!parse_layer(v, &a->study.layer)) return cli_usage_error("compare", "--layer is last, all or a layer number"), 0;
        return 1;
    case O_FORMAT: {
        int f = attn_corpus_format_parse(v);
        if (f < 0) return cli_usage_error("compare", "--format is text, csv, tsv, jsonl or agnews"), 0;
        a->corpus_opts.format = (attn_corpus_format)f;
        return 1;
    }
    case O_MINW: case O_MAXW: case O_PERLABEL: case O_SEED: case O_BATCH: case O_THREADS: return parse_number(c, v, a);
    }
    int fig = cli_figure_opt(&a->fig, "compare", c, v);
    if (fig) return fig > 0;
    return cli_usage_error("compare", "unknown option"), 0;
}

/* Options into *a; returns the index of the first MODEL, 0 after a usage error, -1 for --help. */
static int parse_args(int argc, char **argv, compare_args *a) {
    static const struct option opts[] = {
        {"corpus", required_argument, 0, O_CORPUS}, {"out", required_argument, 0, O_OUT},
        {"metrics", required_argument, 0, O_METRICS}, {"layer", required_argument, 0, O_LAYER},
        {"function-words", required_argument, 0, O_FWORDS}, {"format", required_argument, 0, O_FORMAT},
        {"text-column", required_argument, 0, O_TEXTCOL}, {"label-column", required_argument, 0, O_LABELCOL},
        {"min-words", required_argument, 0, O_MINW}, {"max-words", required_argument, 0, O_MAXW},
        {"per-label", required_argument, 0, O_PERLABEL}, {"seed", required_argument, 0, O_SEED},
        {"batch-size", required_argument, 0, O_BATCH}, {"threads", required_argument, 0, O_THREADS},
        {"json", no_argument, 0, O_JSON}, {"quiet", no_argument, 0, O_QUIET}, {"help", no_argument, 0, O_HELP},
        {"no-report", no_argument, 0, O_NO_REPORT}, {"report-max-sentences", required_argument, 0, O_REPORT_MAX},
        {"resume", no_argument, 0, O_RESUME}, {"shard", required_argument, 0, O_SHARD},
        {"similarity", required_argument, 0, O_SIMILARITY}, {"focus", required_argument, 0, O_FOCUS},
        {"words-corpus", required_argument, 0, O_WORDS_CORPUS}, {"focus-layer", required_argument, 0, O_FOCUS_LAYER},
        {"focus-head", required_argument, 0, O_FOCUS_HEAD}, {"focus-rollout", no_argument, 0, O_FOCUS_ROLLOUT},
        CLI_FIGURE_LONG_OPTIONS, {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    attn_corpus_options_init(&a->corpus_opts);
    attn_study_options_init(&a->study);
    cli_figure_opts_init(&a->fig);
    a->report_max = 500;
    a->words.focus_layer = a->words.focus_head = -1;
    int c, r;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if ((r = parse_option(c == '?' ? -1 : c, optarg, a)) != 1) return r;
    if (optind >= argc) return cli_usage_error("compare", "expects at least one MODEL"), 0;
    if (!a->corpus || !a->out) return cli_usage_error("compare", "--corpus FILE and --out DIR are required"), 0;
    if ((a->words.similarity && !*a->words.similarity) || (a->words.focus && !*a->words.focus))
        return cli_usage_error("compare", "--similarity and --focus want a word"), 0;
    if (a->words.corpus && !a->words.similarity && !a->words.focus)
        return cli_usage_error("compare", "--words-corpus goes with --similarity WORD or --focus WORD"), 0;
    if (!a->words.focus && (a->words.focus_layer >= 0 || a->words.focus_head >= 0 || a->words.focus_rollout))
        return cli_usage_error("compare", "--focus-layer, --focus-head and --focus-rollout go with --focus WORD"), 0;
    if (a->words.focus_rollout && a->words.focus_head >= 0)
        return cli_usage_error("compare", "--focus-rollout mixes all heads; it takes no --focus-head"), 0;
    return optind;
}

/* --out: created (with its parents) when missing, else must be a writable folder. *created:
 * how many trailing path components this made (removed again by unmake_out after a failure). */
static int prepare_out(const char *dir, int *created) {
    char *path = strdup(dir);
    *created = 0;
    if (!path) return !cli_error("out of memory");
    for (char *p = path + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/') continue;
        *p = '\0';
        if (mkdir(path, 0777) == 0) ++*created;
        else if (errno != EEXIST) break;
        *p = '/';
    }
    int made = mkdir(path, 0777) == 0 ? ++*created : errno == EEXIST;
    free(path);
    struct stat st;
    if (!made || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return !cli_error("%s: cannot create the output folder", dir);
    if (access(dir, W_OK | X_OK) != 0) return !cli_error("%s: output folder is not writable", dir);
    return 1;
}

/* After a failure: the folders prepare_out made, when still empty (a killed run's checkpoint
 * keeps its folder for --resume). */
static void unmake_out(const char *dir, int created) {
    char *path = strdup(dir);
    for (int i = 0; path && i < created; i++) {
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/') path[--n] = '\0';
        if (rmdir(path) != 0) break;
        char *slash = strrchr(path, '/');
        if (!slash) break;
        *slash = '\0';
    }
    free(path);
}

/* "LABEL=MODEL" (cli_label_end) or MODEL, whose label is its base name without @revision. */
static char *model_label(const char *arg, const char **model) {
    const char *eq = cli_label_end(arg);
    if (eq) {
        *model = eq + 1;
        return strndup(arg, (size_t)(eq - arg));
    }
    *model = arg;
    size_t n = strlen(arg);
    while (n > 1 && arg[n - 1] == '/') n--;
    const char *base = arg;
    for (size_t i = 0; i < n; i++)
        if (arg[i] == '/' && i + 1 < n) base = arg + i + 1;
    size_t len = (size_t)(arg + n - base);
    const char *at = memchr(base, '@', len);
    return strndup(base, at ? (size_t)(at - base) : len);
}

static int load_models(char **args, int n, const compare_args *a, compare_model *models) {
    for (int i = 0; i < n; i++) {
        const char *model;
        compare_model *cm = &models[i];
        if (!(cm->label = model_label(args[i], &model))) return !cli_error("out of memory");
        for (int j = 0; j < i; j++)
            if (strcmp(models[j].label, cm->label) == 0)
                return !cli_usage_error("compare", "two models are labelled '%s' (use LABEL=MODEL)", cm->label);
        if (!(cm->dir = cli_model_dir(model, a->quiet))) return 0;
        if (attn_model_open(cm->dir, &cm->model) != ATTN_OK || attn_tokenizer_open(cm->dir, &cm->tok) != ATTN_OK ||
            attn_tokenizer_check_model(cm->tok, attn_model_config(cm->model), cm->dir) != ATTN_OK)
            return !cli_lib_error();
        attn_model_set_threads(cm->model, a->threads);
    }
    return 1;
}

static void free_models(compare_model *models, int n) {
    for (int i = 0; models && i < n; i++) {
        free(models[i].label), free(models[i].dir);
        attn_model_free(models[i].model);
        attn_tokenizer_free(models[i].tok);
    }
    free(models);
}

typedef struct row_sink {
    attn_sentence_writer *writer;
    compare_progress *progress;
    compare_report *report;
    int warned, warned_model;
    int64_t warned_sentence;
    const char *corpus;
} row_sink;

/* The study cuts a sentence longer than a model's positions (truncation=True), as every command
 * does, and its rows say so (Truncated_From); this names it once per sentence and model (the
 * first 20). */
static void warn_truncated(row_sink *sink, const attn_metric_row *row) {
    if (!row->truncated_from || (row->sentence == sink->warned_sentence && row->model == sink->warned_model)) return;
    sink->warned_sentence = row->sentence, sink->warned_model = row->model;
    if (sink->progress->line_open) fputc('\n', stderr), sink->progress->line_open = 0;
    if (++sink->warned <= 20) {
        char name[512];
        snprintf(name, sizeof name, "%s: %s: sentence S%lld", row->model_label, sink->corpus, (long long)row->sentence + 1);
        cli_truncation_warning(name, row->text, strlen(row->text), row->tokens,
                               (attn_truncation_info){row->truncated_from, row->tokens});
    } else if (sink->warned == 21) {
        fprintf(stderr, "attnscope: warning: more sentences exceed the models' positions and are truncated (not listed)\n");
    }
}

static attn_status on_row(void *user, const attn_metric_row *row) {
    row_sink *sink = user;
    warn_truncated(sink, row);
    attn_status st = attn_sentence_writer_row(sink->writer, row);
    if (st == ATTN_OK && sink->report->study) st = attn_study_report_row(sink->report->study, row);
    return st;
}

static attn_status on_attention(void *user, const attn_attention_view *v) {
    return attn_study_report_attention(((row_sink *)user)->report->study, v);
}

static void on_progress(void *user, int64_t runs_done) { compare_progress_update(((row_sink *)user)->progress, runs_done); }

/* Every sentence the run feeds to the study, in corpus order: the report's sentence list. */
static attn_status on_sentence(void *user, int64_t index, const char *domain, const char *text) {
    (void)index;
    attn_study_report *rep = ((row_sink *)user)->report->study;
    return rep ? attn_study_report_sentence(rep, domain, text) : ATTN_OK;
}

/* Streams the corpus through the checkpointed run (per-sentence parts, sums), then the final files. */
static attn_status feed_corpus(const compare_args *a, attn_run *run) {
    attn_corpus *corpus;
    attn_status st = attn_corpus_open(a->corpus, &a->corpus_opts, &corpus);
    if (st == ATTN_OK) st = attn_run_feed(run, corpus);
    attn_corpus_free(corpus);
    return st;
}

/* The study over loaded models: per-sentence files streamed, then the tables from the sums. */
static int run_study(compare_args *a, compare_model *models, int n, int64_t total, double t0, compare_report *rep) {
    attn_study_model *sm = calloc((size_t)n, sizeof *sm);
    const attn_config **cfg = calloc((size_t)n, sizeof *cfg);
    if (!sm || !cfg) {
        free(sm), free(cfg);
        return cli_error("out of memory");
    }
    for (int i = 0; i < n; i++) {
        sm[i] = (attn_study_model){models[i].label, models[i].model, models[i].tok};
        cfg[i] = attn_model_config(models[i].model);
    }
    compare_progress progress = {.quiet = a->quiet, .tty = isatty(STDERR_FILENO), .models = n, .total = total * n,
                                 .start = compare_now(), .next_report = 1};
    attn_run *run = NULL;
    row_sink sink = {.progress = &progress, .report = rep, .warned_model = -1, .warned_sentence = -1, .corpus = a->corpus};
    a->study.on_row = on_row, a->study.on_progress = on_progress, a->study.user = &sink;
    if (rep->study) a->study.on_attention = on_attention;
    attn_study *study = NULL;
    attn_status st = attn_study_create(sm, n, &a->study, &study);
    if (st == ATTN_OK) st = compare_run_open(a->corpus, &a->corpus_opts, &a->study, a->out, models, n, study, cfg, total,
                                             &a->scale, on_sentence, &sink, &run);
    if (st == ATTN_OK) sink.writer = attn_run_writer(run), progress.total = (attn_run_end(run) - attn_run_next(run)) * n;
    if (st == ATTN_OK) st = feed_corpus(a, run);
    compare_progress_end(&progress);
    if (st == ATTN_OK) st = attn_run_finish(run);
    attn_run_free(run);
    int rc = st == ATTN_OK ? 0 : cli_lib_error();
    int figures = 0;
    if (!rc) rc = compare_figures_write(&a->fig, attn_study_sums_of(study), &figures);
    if (!rc) rc = compare_report_finish(rep, attn_study_sums_of(study), cfg, &a->fig.style);
    if (!rc) rc = compare_words_add(&a->words, models, n, rep->study ? rep->report : NULL, &a->fig, &figures);
    if (!rc) rc = compare_report_write(rep);
    if (!rc && a->json) compare_print_json(attn_study_sums_of(study), models, a->out, compare_now() - t0);
    else if (!rc) {
        compare_print_tables(attn_study_sums_of(study), models);
        printf("\nwrote %s/{architecture,dataset_sentences,metrics_by_sentence,metrics_by_domain,head_stats,"
               "head_distances}.{csv,json}\n", a->out);
        compare_outputs_print(rep, &a->fig, figures);
        printf("wall time %.2f s\n", compare_now() - t0);
    }
    attn_study_free(study);
    free(sm), free(cfg);
    return rc;
}

int cmd_compare(int argc, char **argv) {
    double t0 = compare_now();
    compare_args a;
    int first = parse_args(argc, argv, &a);
    if (first < 0) return help(), 0;
    if (first == 0) return 2;
    char *fig_dir = NULL;
    int fig_rc = asprintf(&fig_dir, "%s/figures", a.out) < 0 ? cli_error("out of memory")
                                                               : cli_figure_opts_ready(&a.fig, "compare", fig_dir);
    free(fig_dir);
    if (fig_rc) return cli_figure_opts_free(&a.fig), fig_rc;
    if ((a.scale.resume || a.scale.n_shards) && !a.no_report) {
        if (!a.quiet) fprintf(stderr, "attnscope compare: no report.html with --resume or --shard (it needs every sentence's attention in one run)\n");
        a.no_report = 1;
    }
    if ((a.words.similarity || a.words.focus) && a.no_report && !a.fig.formats)
        return cli_figure_opts_free(&a.fig),
               cli_usage_error("compare", "--similarity and --focus go into report.html (not with --no-report, --resume or "
                                          "--shard) or --figures");
    int created = 0;
    if (!prepare_out(a.out, &created)) return unmake_out(a.out, created), cli_figure_opts_free(&a.fig), 1;
    compare_report rep = {0};
    char **words = NULL;
    int n_words = 0, n = argc - first, rc = 1;
    if (a.function_words && attn_function_words_read(a.function_words, &words, &n_words) != ATTN_OK)
        return unmake_out(a.out, created), cli_figure_opts_free(&a.fig), cli_lib_error();
    a.study.function_words = (const char *const *)words, a.study.n_function_words = n_words;
    int64_t total = 0;
    compare_model *models = NULL;
    if (attn_corpus_count(a.corpus, &a.corpus_opts, &total) != ATTN_OK) cli_lib_error();
    else if (!(models = calloc((size_t)n, sizeof *models))) cli_error("out of memory");
    else if (load_models(argv + first, n, &a, models) && !compare_words_check(&a.words, models, n) && !compare_words_find(&a.words, a.corpus, &a.corpus_opts, models[0].tok,
                                                                     attn_model_config(models[0].model)) &&
             (a.no_report || !compare_report_open(&rep, a.out, a.corpus, models, n, a.report_max)))
        rc = run_study(&a, models, n, total, t0, &rep);
    compare_report_free(&rep);
    compare_words_free(&a.words);
    cli_figure_opts_free(&a.fig);
    free_models(models, n);
    attn_function_words_free(words, n_words);
    if (rc) unmake_out(a.out, created);
    return rc;
}
