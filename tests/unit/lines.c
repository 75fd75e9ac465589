/* lines.c's unit test: integers as selections read them, lines and CSV records
 * as lines_each and lines_records_each hand them over, and their one-line errors. */
#include "lines.h"
#include "unit.h"

static void integers(unit *u)
{
    static const struct {
        const char *s;
        int is;
        long long v;
    } t[] = {
        {"0", 1, 0}, {"42", 1, 42}, {"-12", 1, -12}, {"007", 1, 7}, {"9223372036854775807", 1, 9223372036854775807LL},
        {"-9223372036854775808", 1, -9223372036854775807LL - 1}, {"9223372036854775808", 0, 0}, {"+1", 0, 0},
        {"", 0, 0}, {"-", 0, 0}, {"1a", 0, 0}, {" 1", 0, 0}, {"1 ", 0, 0}, {"--1", 0, 0}, {"1.0", 0, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        long long v = 0;
        int is = lines_is_integer(t[i].s, &v);
        CHECK_INT(is, t[i].is);
        if (is && t[i].is) CHECK_INT(v, t[i].v);
        if (is != t[i].is) printf("  for '%s'\n", t[i].s);
    }
    CHECK_STR(lines_shown("-"), "stdin");
    CHECK_STR(lines_shown("a.tsv"), "a.tsv");
}

/* Every call of a line_fn, "shown:line:text|" after one another; stops (-1) at text "stop". */
typedef struct seen {
    char text[512];
} seen;

static int collect(void *ctx, const char *shown, size_t line, char *text, mc_err *e)
{
    seen *s = ctx;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s:%zu:%s|", shown, line, text);
    if (!strcmp(text, "stop")) return mc_err_fail(e, "%s:%zu: stopped", shown, line);
    return 0;
}

/* Write BYTES (N of them) to PATH, run EACH over it, check the calls and the status and error. */
static void each(unit *u, int (*each)(const char *, line_fn, void *, mc_err *), const char *path, const char *bytes,
                 size_t n, const char *calls, int rc, const char *msg, int line)
{
    seen s = {{0}};
    mc_err e = {{0}};
    CHECK_INT(unit_spill(path, bytes, n), 0);
    int got = each(path, collect, &s, &e);
    unit_check(u, got == rc && !strcmp(s.text, calls) && (rc == 0 || !strcmp(e.msg, msg)), __FILE__, line, path);
    if (got != rc || strcmp(s.text, calls) || (rc && strcmp(e.msg, msg)))
        printf("  status %d, calls '%s', error '%s'\n", got, s.text, rc ? e.msg : "");
}
#define EACH(fn, path, bytes, calls, rc, msg) each(u, fn, path, bytes, sizeof bytes - 1, calls, rc, msg, __LINE__)

static void lines(unit *u)
{
    /* '\r\n' and '\n' ends, an empty line, a last line without its end */
    EACH(lines_each, "a.txt", "a\r\nb\n\nc", "a.txt:1:a|a.txt:2:b|a.txt:3:|a.txt:4:c|", 0, "");
    EACH(lines_each, "e.txt", "", "", 0, "");
    EACH(lines_each, "s.txt", "x\nstop\ny\n", "s.txt:1:x|s.txt:2:stop|", -1, "s.txt:2: stopped");
    EACH(lines_each, "z.txt", "x\nab\0c\n", "z.txt:1:x|", -1, "z.txt:2: NUL byte in the line");
    seen s = {{0}};
    mc_err e = {{0}};
    CHECK_INT(lines_each("missing.txt", collect, &s, &e), -1);
    CHECK_STR(e.msg, "missing.txt: cannot open: No such file or directory");
}

static void records(unit *u)
{
    /* .csv: fields parsed (quotes as pandas writes them) and joined by TABs */
    EACH(lines_records_each, "g.csv", ",group\n\"a,b\",x\n\"say \"\"hi\"\"\",\n",
         "g.csv:1:\tgroup|g.csv:2:a,b\tx|g.csv:3:say \"hi\"\t|", 0, "");
    /* any other name: a first line with a comma and no TAB makes it CSV, else lines as they are */
    EACH(lines_records_each, "g.txt", "name,group\nc,1\n", "g.txt:1:name\tgroup|g.txt:2:c\t1|", 0, "");
    EACH(lines_records_each, "g.tsv", "a\tb,c\n\"q\",1\n", "g.tsv:1:a\tb,c|g.tsv:2:\"q\",1|", 0, "");
    EACH(lines_records_each, "t.csv", "a,b\n\"x\ty\",1\n", "t.csv:1:a\tb|", -1, "t.csv:2: a CSV field holds a TAB");
    EACH(lines_records_each, "q.csv", "a,b\n\"x,1\n", "q.csv:1:a\tb|", -1,
         "q.csv:2: malformed CSV (a quote not closed on its line, or a stray quote)");
    EACH(lines_records_each, "r.csv", "a,b\nx\"y\",1\n", "r.csv:1:a\tb|", -1,
         "r.csv:2: malformed CSV (a quote not closed on its line, or a stray quote)");
}

int main(void)
{
    unit t = {0}, *u = &t;
    integers(u);
    lines(u);
    records(u);
    return unit_done(u, "lines");
}
