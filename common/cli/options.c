/* options: a table-driven command line, one line for every usage error. */
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outdir.h"
#include "strvec.h"

#define HELP_COLUMN_MIN 21   /* where option help starts in --help, unless a name is longer */
#define HELP_COLUMN_MAX 29
#define MAX_MATCHES 8

/* The options every program has, handled here. */
enum { BUILTIN_PROGRESS = 1, BUILTIN_HELP, BUILTIN_VERSION };
static const option_spec builtins[] = {
    OPT_FLAG("progress", NULL, "report progress on stderr (default: when a terminal)"),
    OPT_FLAG("help", NULL, "print this help and exit"),
    OPT_FLAG("version", NULL, "print the version and exit"),
};
#define BUILTINS (sizeof builtins / sizeof *builtins)

/* --- --help ----------------------------------------------------------------------- */

static void print_usage_lines(const cli *c)
{
    const char *s = c->operands ? c->operands : "";
    for (int first = 1;; first = 0) {
        size_t n = strcspn(s, "\n");
        printf("%s %s [OPTION]... %.*s\n", first ? "Usage:" : "      ", c->tool, (int)n, s);
        if (!s[n]) break;
        s += n + 1;
    }
}

/* "  -o, --name ARG": its width. */
static int label_width(const option_spec *o)
{
    return 2 + (o->short_name ? 4 : 0) + 2 + (int)strlen(o->name) + (o->arg ? 1 + (int)strlen(o->arg) : 0);
}

/* The help column: past the longest label of the table, within bounds. */
static int help_column(const option_spec *opts)
{
    int col = HELP_COLUMN_MIN;
    for (const option_spec *o = opts; o->type != OPTION_END; o++)
        if (o->type != OPTION_GROUP && o->type != OPTION_RENAMED && label_width(o) + 2 > col) col = label_width(o) + 2;
    return col > HELP_COLUMN_MAX ? HELP_COLUMN_MAX : col;
}

static void print_option(const option_spec *o, int col)
{
    int w = printf("  ");
    if (o->short_name) w += printf("-%c, ", o->short_name);
    w += printf("--%s", o->name);
    if (o->arg) w += printf(" %s", o->arg);
    for (const char *h = o->help; h && *h;) {
        size_t n = strcspn(h, "\n");
        printf("%*s%.*s\n", w < col - 1 ? col - w : 2, "", (int)n, h);
        w = 0;
        h += n + (h[n] == '\n');
    }
}

static void print_help(const cli *c, const option_spec *opts)
{
    print_usage_lines(c);
    if (c->about) fputs(c->about, stdout);
    putchar('\n');
    int col = help_column(opts);
    for (const option_spec *o = opts; o->type != OPTION_END; o++) {
        if (o->type == OPTION_GROUP) printf("%s%s\n", o == opts ? "" : "\n", o->name);
        else if (o->type != OPTION_RENAMED) print_option(o, col);
    }
    for (size_t i = 0; i < BUILTINS; i++) print_option(&builtins[i], col);   /* under the last heading */
    if (c->more) printf("\n%s", c->more);
}

/* Print the help or the version; returns the exit status. */
static int print_builtin(const cli *c, const option_spec *opts, int id)
{
    if (id == BUILTIN_HELP) print_help(c, opts);
    else printf("%s %s\n", c->tool, MC_VERSION);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* --- one option --------------------------------------------------------------------- */

typedef struct parse_state {
    cli *c;
    const option_spec *opts;
    const char *stdin_option;   /* the option reading stdin, if any */
} parse_state;

/* The option named NAME (LEN bytes; a unique prefix will do); builtins give
 * BUILTIN_*, table entries their index + BUILTINS + 1. */
static int find_long(const parse_state *s, const char *name, size_t len)
{
    int found[MAX_MATCHES], n = 0;
    for (int i = 0; i < (int)BUILTINS; i++)
        if (!strncmp(builtins[i].name, name, len)) {
            if (!builtins[i].name[len]) return i + 1;
            if (n < MAX_MATCHES) found[n++] = i + 1;
        }
    for (int i = 0; s->opts[i].type != OPTION_END; i++) {
        const char *o = s->opts[i].name;
        if (s->opts[i].type == OPTION_GROUP || strncmp(o, name, len)) continue;
        if (!o[len]) return i + (int)BUILTINS + 1;
        if (n < MAX_MATCHES) found[n++] = i + (int)BUILTINS + 1;
    }
    if (n == 1) return found[0];
    if (n == 0) cli_usage_error(s->c, "unknown option '--%.*s'", (int)len, name);
    cli_usage_error(s->c, "option '--%.*s' is ambiguous", (int)len, name);
}

static int find_short(const parse_state *s, char ch)
{
    if (ch == 'h') return BUILTIN_HELP;
    for (int i = 0; s->opts[i].type != OPTION_END; i++)
        if (s->opts[i].type != OPTION_GROUP && s->opts[i].short_name == ch) return i + (int)BUILTINS + 1;
    cli_usage_error(s->c, "unknown option '-%c'", ch);
}

static void set_int(const parse_state *s, const option_spec *o, const char *v)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (end == v || *end || errno || n < o->min || n > o->max)
        cli_usage_error(s->c, "--%s: expected an integer from %d to %d, got '%s'", o->name, o->min, o->max, v);
    *(int *)o->value = (int)n;
}

static void set_count(const parse_state *s, const option_spec *o, const char *v)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (end == v || *end || errno || n < 0 || *v == '+' || *v == ' ')
        cli_usage_error(s->c, "--%s: expected a non-negative integer, got '%s'", o->name, v);
    *(long long *)o->value = n;
}

static void set_choice(const parse_state *s, const option_spec *o, const char *v)
{
    for (int i = 0; o->choices[i]; i++)
        if (!strcmp(o->choices[i], v)) {
            *(int *)o->value = i;
            return;
        }
    char list[256] = "";
    for (int i = 0; o->choices[i]; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s",
                 i == 0              ? ""
                 : o->choices[i + 1] ? ", "
                                     : " or ",
                 o->choices[i]);
    }
    cli_usage_error(s->c, "--%s: expected %s, got '%s'", o->name, list, v);
}

static void set_value(parse_state *s, const option_spec *o, const char *v)
{
    switch (o->type) {
    case OPTION_INT: set_int(s, o, v); break;
    case OPTION_COUNT: set_count(s, o, v); break;
    case OPTION_CHOICE: set_choice(s, o, v); break;
    case OPTION_LIST:
        if (strvec_push(o->value, v) < 0) {
            fprintf(stderr, "%s: out of memory\n", s->c->tool);
            exit(1);
        }
        break;
    default:
        if ((o->flags & OPTION_STDIN) && !strcmp(v, "-")) {
            if (s->stdin_option && strcmp(s->stdin_option, o->name))
                cli_usage_error(s->c, "--%s and --%s cannot both read stdin ('-')", s->stdin_option, o->name);
            s->stdin_option = o->name;
        }
        *(const char **)o->value = v;
    }
}

/* Apply option ID; VALUE is its "=VALUE" part or NULL.  Returns how many of
 * the following arguments it took (0 or 1). */
static int apply(parse_state *s, int id, const char *value, char *next)
{
    if (id == BUILTIN_HELP || id == BUILTIN_VERSION) exit(print_builtin(s->c, s->opts, id));   /* --he, --vers */
    if (id == BUILTIN_PROGRESS) {
        if (value) cli_usage_error(s->c, "--progress takes no value");
        s->c->progress = 1;
        return 0;
    }
    const option_spec *o = &s->opts[id - BUILTINS - 1];
    if (o->type == OPTION_RENAMED) cli_usage_error(s->c, "--%s is now --%s", o->name, o->arg);
    if (o->type == OPTION_FLAG) {
        if (value) cli_usage_error(s->c, "--%s takes no value", o->name);
        *(int *)o->value = 1;
        return 0;
    }
    if (value) {
        set_value(s, o, value);
        return 0;
    }
    /* An option never takes the next option as its value (--h5ad --force). */
    if (!next || (next[0] == '-' && next[1] == '-')) cli_usage_error(s->c, "--%s needs a value", o->name);
    set_value(s, o, next);
    return 1;
}

/* --help and --version win wherever they are, as the user asked for help. */
static void builtin_requests(const cli *c, const option_spec *opts, int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) exit(print_builtin(c, opts, BUILTIN_HELP));
        if (!strcmp(argv[i], "--version")) exit(print_builtin(c, opts, BUILTIN_VERSION));
    }
}

int options_parse(cli *c, const option_spec *opts, int argc, char **argv, char ***operands)
{
    parse_state s = {c, opts, NULL};
    int n = 0;
    builtin_requests(c, opts, argc, argv);
    outdir_clean_on_signals();   /* every tool that writes is stopped clean by Ctrl-C */
    c->progress = isatty(STDERR_FILENO);
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (!strcmp(a, "--")) {
            while (++i < argc) argv[1 + n++] = argv[i];
            break;
        }
        if (a[0] != '-' || !a[1]) {
            argv[1 + n++] = a;   /* n + 1 <= i: operands move back, never over unread ones */
            continue;
        }
        char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[1] != '-') {
            i += apply(&s, find_short(&s, a[1]), a[2] ? a + 2 : NULL, next);   /* -oFILE or -o FILE */
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        i += apply(&s, find_long(&s, name, len), eq ? eq + 1 : NULL, next);
    }
    *operands = argv + 1;
    return n;
}
