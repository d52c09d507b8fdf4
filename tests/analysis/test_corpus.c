/* test_corpus.c — the corpus readers (every format, quoting, BOM, CRLF, every bad input with its file
 * and line), the AG News cleaning, word counts, and merging study sums. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char tmpdir[] = "/tmp/attn_corpus_XXXXXX";

static const char *write_tmp(const char *name, const char *data, size_t n) {
    static char path[8][512];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
    return p;
}
#define TMP(name, s) write_tmp(name, s, sizeof(s) - 1)

/* Reads a whole corpus: "label|text\n" per sentence into buf. Returns the status. */
static attn_status read_all(const char *path, const attn_corpus_options *o, char *buf, size_t size) {
    attn_corpus *c;
    buf[0] = '\0';
    attn_status st = attn_corpus_open(path, o, &c);
    attn_sentence s;
    size_t used = 0;
    while (st == ATTN_OK && (st = attn_corpus_next(c, &s)) == ATTN_OK && s.text)
        used += (size_t)snprintf(buf + used, size - used, "%s|%s@%lld\n", s.label, s.text, (long long)s.line);
    attn_corpus_free(c);
    return st;
}

static void expect_corpus(const char *path, const attn_corpus_options *o, const char *want) {
    char got[4096];
    attn_status st = read_all(path, o, got, sizeof got);
    CHECKF(st == ATTN_OK, "%s: %s", path, attn_last_error());
    CHECKF(strcmp(got, want) == 0, "%s: got\n%s\nwant\n%s", path, got, want);
}

static void expect_error(const char *path, const attn_corpus_options *o, const char *needle) {
    char got[4096];
    attn_status st = read_all(path, o, got, sizeof got);
    CHECKF(st != ATTN_OK, "%s: accepted (%s)", path, got);
    CHECKF(strstr(attn_last_error(), needle) != NULL, "%s: message \"%s\" lacks \"%s\"", path, attn_last_error(), needle);
    CHECKF(strstr(attn_last_error(), path) != NULL, "%s: message \"%s\" does not name the file", path, attn_last_error());
}

static void test_formats(void) {
    expect_corpus(TMP("a.txt", "\xEF\xBB\xBFOne line.\r\n\n  \nTwo line.\n"), NULL, "all|One line.@1\nall|Two line.@4\n");
    expect_corpus(TMP("a.csv", "id,text,label\n1,\"Hello, \"\"world\"\"\",World\n2,\"two\nlines\",Sports\n3,plain,X\n"), NULL,
                  "World|Hello, \"world\"@2\nSports|two\nlines@3\nX|plain@5\n");
    expect_corpus(TMP("a.tsv", "domain\ttext\nWorld\tA, b.\n"), NULL, "World|A, b.@2\n");
    expect_corpus(TMP("a.jsonl", "{\"text\": \"x y\", \"label\": \"W\"}\n\n{\"text\": \"z\", \"label\": 3}\n"), NULL,
                  "W|x y@1\n3|z@3\n");
    attn_corpus_options o;
    attn_corpus_options_init(&o);
    o.text_column = "body", o.label_column = "topic";
    expect_corpus(TMP("b.csv", "topic,body\nT,b\n"), &o, "T|b@2\n");
    attn_corpus_options_init(&o);
    o.format = ATTN_CORPUS_TEXT;
    expect_corpus(TMP("noext", "x\n"), &o, "all|x@1\n");
    CHECK(attn_corpus_format_parse("agnews") == ATTN_CORPUS_AGNEWS && attn_corpus_format_parse("xml") == -1);
}

static void test_bad_input(void) {
    attn_corpus_options o;
    attn_corpus_options_init(&o);
    expect_error(TMP("e1.csv", "label,body\nW,x\n"), NULL, ":1: no column 'text'");
    o.label_column = "topic";
    expect_error(TMP("e2.csv", "label,text\nW,x\n"), &o, ":1: no column 'topic'");
    expect_error(TMP("e3.csv", "text,label\na,b\nc,d,e\n"), NULL, ":3: 3 fields, the header has 2");
    expect_error(TMP("e4.csv", "text,label\n\"open,b\n"), NULL, ":2: quoted field not closed");
    expect_error(TMP("e5.txt", "good\nbad \xC3\x28 byte\n"), NULL, ":2: invalid UTF-8");
    expect_error(TMP("e6.txt", ""), NULL, "empty file");
    expect_error(TMP("e7.txt", "\n  \n"), NULL, "no sentences");
    expect_error(TMP("e8.csv", "text,label\n"), NULL, "no sentences");
    expect_error(TMP("e9.jsonl", "{\"text\": \"a\"}\nnot json\n"), NULL, ":2: not a JSON object");
    expect_error(TMP("e10.jsonl", "{\"label\": \"a\"}\n"), NULL, ":1: no \"text\" string");
    expect_error(TMP("e11.jsonl", "[1, 2]\n"), NULL, ":1: not a JSON object");
    expect_error(TMP("e12.csv", "text,label\n,W\n"), NULL, ":2: empty text");
    expect_error(TMP("e13.xml", "x"), NULL, "unknown corpus format");
    attn_corpus_options_init(&o);
    o.format = ATTN_CORPUS_AGNEWS;
    expect_error(TMP("e14.csv", "\"5\",\"t\",\"d\"\n"), &o, ":1: class index '5' is not 1-4");
    expect_error(TMP("e15.csv", "\"1\",\"t\"\n"), &o, ":1: 2 fields, AG News has 3");
    expect_error("/nonexistent/corpus.txt", NULL, "cannot open");
    o.per_label = 0;
    expect_corpus(TMP("ag.csv", "\"Class Index\",\"Title\",\"Description\"\n\"3\",\"Shares &amp; bonds\",\"Markets rose "
                              "on Monday as <b>investors</b> cheered the news.\"\n\"1\",\"Too\",\"short\"\n"),
                  &o, "Business|Shares & bonds Markets rose on Monday as investors cheered the news.@2\n");
    int64_t n = -1;
    CHECK(attn_corpus_count(TMP("c.txt", "a\nb\n\nc\n"), NULL, &n) == ATTN_OK && n == 3);
}

static void expect_clean(const char *in, const char *want) {
    char *got = attn_clean_news_text(in);
    CHECKF(got && strcmp(got, want) == 0, "clean(\"%s\") = \"%s\", want \"%s\"", in, got ? got : "(null)", want);
    free(got);
}

static void test_cleaning(void) {
    /* expectations from Python: re.sub(r'\s+',' ',re.sub(r'<[^>]+>','',html.unescape(s))).strip() */
    expect_clean("AT&amp;T &lt;b&gt;bold&lt;/b&gt; news", "AT&T bold news");
    expect_clean("it&#39;s &#x27;q&#X27; &quot;x&quot;", "it's 'q' \"x\"");
    expect_clean("caf&eacute; &copy &ampx &amp;&amp; &unknown; &apos;", "caf\xC3\xA9 \xC2\xA9 &x && &unknown; '");
    expect_clean("&#150; &#128; &#0; &#xD800; &#1;x", "\xE2\x80\x93 \xE2\x82\xAC \xEF\xBF\xBD \xEF\xBF\xBD x");
    expect_clean("  a\t\tb \n<a href=\"x\">c</a>  <> d ", "a b c <> d");
    expect_clean("x&nbsp;y", "x y");
    CHECK(attn_word_count(" a  b\tc\xC2\xA0" "d \xE2\x80\x83 e ") == 5);
    CHECK(attn_word_count("") == 0);
}

int main(void) {
    if (!mkdtemp(tmpdir)) return 1;
    test_formats();
    test_bad_input();
    test_cleaning();
    int rc = tu_done("test_corpus");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
