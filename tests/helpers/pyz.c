/* pyz: python3 for the tests ($PY), through the fork server tests/helpers/pyz.py.
 *   pyz -c CODE [ARG]... | pyz -m MODULE [ARG]... | pyz - [ARG]... | pyz SCRIPT [ARG]...
 * sends its stdin, stdout and stderr, working directory, umask, open-file limit, environment
 * and arguments over the socket $MC_PYZ to the server (started here, once, when it is not
 * there), and exits with the status of the program the server ran.  Anything else, or no
 * server to be had, or LD_PRELOAD or a PYTHON* variable set (read at python's own start-up;
 * but PYTHONUNBUFFERED, PYTHONDONTWRITEBYTECODE and PYTHONPATH, which the server applies itself):
 * $MC_PYZ_PYTHON runs itself, as it would have without pyz. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *python(void)
{
    const char *p = getenv("MC_PYZ_PYTHON");
    return p && *p ? p : "/usr/bin/python3";
}

static void run_plain(char **argv)
{
    argv[0] = (char *)python(); /* its path, not "python3": python takes sys.executable from it */
    execv(python(), argv);
    fprintf(stderr, "pyz: %s: %s\n", python(), strerror(errno));
    exit(127);
}

/* Is this a call the server runs as python would?  (Options other than -c and -, a
 * directory or a zip to run, an environment python reads at start-up: no.) */
static int servable(int argc, char **argv)
{
    struct stat st;
    if (argc < 2 || getenv("LD_PRELOAD")) return 0;
    for (char **e = environ; *e; e++) /* (these two the server does as python would) */
        if (strncmp(*e, "PYTHON", 6) == 0 && strncmp(*e, "PYTHONUNBUFFERED=", 17) != 0 &&
            strncmp(*e, "PYTHONDONTWRITEBYTECODE=", 24) != 0 && strncmp(*e, "PYTHONPATH=", 11) != 0)
            return 0;
    if (strcmp(argv[1], "-c") == 0 || strcmp(argv[1], "-m") == 0) return argc >= 3;
    if (strcmp(argv[1], "-") == 0) return 1;
    return argv[1][0] != '-' && strstr(argv[1], ".py") && stat(argv[1], &st) == 0 && S_ISREG(st.st_mode);
}

static int connect_to(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path) return -1;
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* The server, detached from the caller (its own session, nothing of the caller's open). */
static void start_server(const char *path)
{
    const char *script = getenv("MC_PYZ_SERVER");
    if (!script || fork() != 0) return;
    setsid();
    if (fork() != 0) _exit(0);
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    for (int fd = 3; fd < 1024; fd++) close(fd);
    execl(python(), python(), script, "serve", path, (char *)NULL);
    _exit(127);
}

/* A connection to the server, started by the first client that finds none (a directory
 * made beside the socket is the token); -1 when there is none to be had within 30 s. */
static int server(const char *path)
{
    size_t n = strlen(path) + 8;
    char *token = malloc(n), *dead = malloc(n);
    int fd = connect_to(path);
    if (fd < 0 && token && dead) {
        snprintf(token, n, "%s.start", path);
        snprintf(dead, n, "%s.dead", path);
        int mine = mkdir(token, 0700) == 0;
        if (mine) start_server(path);
        for (int i = 0; fd < 0 && i < 3000 && access(dead, F_OK) != 0; i++) {
            sleep_ms(10);
            fd = connect_to(path);
        }
        if (fd < 0 && mine) mkdir(dead, 0700); /* the others stop waiting */
    }
    free(token);
    free(dead);
    return fd;
}

static int add(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = (*len + n + 1) * 2;
        char *b = realloc(*buf, c);
        if (!b) return -1;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    (*buf)[*len + n] = '\0';
    *len += n + 1;
    return 0;
}

static int add_str(char **buf, size_t *len, size_t *cap, const char *s) { return add(buf, len, cap, s, strlen(s)); }

static int add_num(char **buf, size_t *len, size_t *cap, unsigned long long v)
{
    char s[32];
    snprintf(s, sizeof s, "%llu", v);
    return add_str(buf, len, cap, s);
}

/* The request: 4 bytes of length, then cwd, umask, nofile, argc, the arguments after
 * argv[0] and the environment, each ended by NUL (the server splits on NUL). */
static char *request(int argc, char **argv, size_t *len)
{
    char *buf = NULL, *cwd = getcwd(NULL, 0);
    size_t cap = 0;
    struct rlimit rl;
    mode_t mask = umask(0);
    umask(mask);
    *len = 0;
    int rc = cwd ? 0 : -1;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) rl.rlim_cur = 1 << 20;
    rc = rc ? rc : add(&buf, len, &cap, "\0\0\0", 3); /* room for the length: 3 bytes and a NUL */
    rc = rc ? rc : add_str(&buf, len, &cap, cwd);
    rc = rc ? rc : add_num(&buf, len, &cap, mask);
    rc = rc ? rc : add_num(&buf, len, &cap, rl.rlim_cur);
    rc = rc ? rc : add_num(&buf, len, &cap, (unsigned long long)(argc - 1));
    for (int i = 1; rc == 0 && i < argc; i++) rc = add_str(&buf, len, &cap, argv[i]);
    for (char **e = environ; rc == 0 && *e; e++) rc = add_str(&buf, len, &cap, *e);
    free(cwd);
    if (rc != 0 || *len - 4 > UINT32_MAX) {
        free(buf);
        return NULL;
    }
    uint32_t body = (uint32_t)(*len - 4);
    for (int i = 0; i < 4; i++) buf[i] = (char)(body >> (8 * i) & 0xff);
    return buf;
}

static int send_request(int fd, const char *buf, size_t len)
{
    int fds[3] = {0, 1, 2};
    char ctl[CMSG_SPACE(sizeof fds)] = {0};
    struct iovec iov = {(void *)buf, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
    if (w <= 0) return -1;
    for (size_t off = (size_t)w; off < len; off += (size_t)w)
        if ((w = send(fd, buf + off, len - off, MSG_NOSIGNAL)) <= 0) return -1;
    return 0;
}

/* Read exactly n bytes; how many came before the end. */
static size_t read_all(int fd, unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

int main(int argc, char **argv)
{
    const char *path = getenv("MC_PYZ");
    if (!path || !*path || !servable(argc, argv)) run_plain(argv);
    size_t len;
    char *buf = request(argc, argv, &len);
    int fd = buf ? server(path) : -1;
    unsigned char ack, st[4];
    if (fd < 0 || send_request(fd, buf, len) != 0 || read_all(fd, &ack, 1) != 1 || ack != 'R') {
        free(buf);
        if (fd >= 0) close(fd);
        run_plain(argv); /* nothing ran: python runs it here */
    }
    free(buf);
    if (read_all(fd, st, 4) != 4) {
        fprintf(stderr, "pyz: the server ended before the program's status\n");
        return 1;
    }
    return st[0] | st[1] << 8 | st[2] << 16 | st[3] << 24;
}
