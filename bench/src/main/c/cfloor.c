/*
 * cfloor: the C floor peer of scripts/bench-compare. One thread, one epoll, and exactly the syscalls
 * edgepoll's event loops make per request in each drain policy, so the difference between the two is
 * what the JVM and edgepoll's Java add, not a different syscall mix:
 *
 *   --mode et --drain strict      EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET registered once per connection;
 *                                 accept4 until EAGAIN; read until EAGAIN; send(MSG_NOSIGNAL), which is
 *                                 the sendto syscall on x86_64. A keep-alive request: read, sendto,
 *                                 read (EAGAIN), plus a share of epoll_wait.
 *   --mode et --drain short-read  as strict, but a read shorter than asked ends the drain (unless
 *                                 EPOLLRDHUP was seen): read, sendto.
 *   --mode lt                     EPOLLIN|EPOLLRDHUP; one accept4 per listener event, one read per
 *                                 event; EPOLLOUT (instead of EPOLLIN) only while a reply is pending,
 *                                 set and cleared with epoll_ctl(MOD): read, sendto.
 *
 * The replies are edgepoll's bytes (server HttpResponses/HttpDate): status line, Server, Date (refreshed
 * at most once a second, read once per wake-up), Content-Type, Content-Length, "Hello, world!".
 * HTTP/1.1 keep-alive unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive";
 * pipelined requests answered in order, as many per pass as fit the output buffer; HEAD gets the head;
 * a Content-Length body is skipped. Anything it cannot parse gets 400 and a close (no 431/501/505
 * distinctions: the floor is for benchmarks, not a second server). --protocol echo: every byte back,
 * a-z upper-cased. Timers (idle, header, linger) are left out: edgepoll's cost no syscall either.
 *
 * Same fairness as edgepoll's ET loop: at most 16 reads per connection and 64 accepts per wake-up;
 * the rest is owed, and while anything is owed epoll_wait does not block. 16 KiB input and output
 * buffers per connection, 512 events per epoll_wait, TCP_NODELAY set on the listener (Linux copies it
 * to accepted sockets). Prints "listening on ADDR:PORT" (--bind, default 127.0.0.1) once it accepts; SIGTERM ends it with a
 * return from main (epoll_wait fails with EINTR, the flag is seen), so exit handlers run: a profiler
 * preloaded into it (scripts/flame-graphs) writes its output then. The handler also shuts the
 * listener down, so a SIGTERM between two epoll_wait calls still wakes the next one.
 *
 * Build: gcc -O2 -o cfloor cfloor.c (scripts/bench-compare and CFloorTest do this at run time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 16384
#define MAX_EVENTS 512
#define READ_BUDGET 16
#define ACCEPT_BUDGET 64

enum { FREE, OPEN, LINGERING, CLOSED };
enum { DONE, AGAIN, GONE };

struct conn {
    int fd, state;
    unsigned registered;  /* the mask the kernel has (LT) */
    int rdhup, peer_closed, close_after_flush, read_owed, owed;
    long discard;         /* request body bytes still to skip */
    int in_pos, in_len, out_pos, out_len;
    char *in, *out;
};

static int et = 1, short_read = 0, http = 1, epfd, listen_fd;
static struct conn **conns;
static int nconns;
static struct conn **owed_q;
static int owed_n, owed_cap, accept_owed;
static int *to_close;
static int to_close_n, to_close_cap;

/* ---- responses: edgepoll's HttpResponses templates ------------------------------------------- */

struct tmpl { char b[256]; int head_len, len, date_at; };
static struct tmpl ok_ka, ok_ka10, ok_close, bad_request;
static int max_len;
static time_t second = -1;

static void build(struct tmpl *t, const char *status, const char *connection, const char *body) {
    t->head_len = snprintf(t->b, sizeof t->b,
            "HTTP/1.1 %s\r\nServer: edgepoll\r\nDate: %29s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s\r\n",
            status, "", strlen(body), connection);
    t->date_at = (int) (strstr(t->b, "Date: ") - t->b) + 6;
    t->len = t->head_len + (int) strlen(body);
    memcpy(t->b + t->head_len, body, strlen(body));
    if (t->len > max_len) max_len = t->len;
}

/* Once per wake-up, as edgepoll's EventLoop.now(): the Date rewritten when the second changed. */
static void tick(void) {
    time_t s = time(NULL);
    if (s == second) return;
    second = s;
    struct tm tm;
    char d[32];
    gmtime_r(&s, &tm);
    strftime(d, sizeof d, "%a, %d %b %Y %H:%M:%S GMT", &tm);  /* the C locale: IMF-fixdate */
    struct tmpl *all[] = {&ok_ka, &ok_ka10, &ok_close, &bad_request};
    for (int i = 0; i < 4; i++) memcpy(all[i]->b + all[i]->date_at, d, 29);
}

/* ---- HTTP: just enough of edgepoll's HttpProtocol ------------------------------------------------ */

static int tchar(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Index just past the empty line ending the head at pos (CRLF CRLF, LF LF, LF CRLF), or -1. */
static int head_end(const char *in, int pos, int limit) {
    for (int i = pos; i < limit; i++) {
        if (in[i] != '\n') continue;
        if (i + 1 >= limit) return -1;
        if (in[i + 1] == '\n') return i + 2;
        if (in[i + 1] == '\r') {
            if (i + 2 >= limit) return -1;
            if (in[i + 2] == '\n') return i + 3;
        }
    }
    return -1;
}

static int name_is(const char *p, int n, const char *lower) {
    if (n != (int) strlen(lower)) return 0;
    for (int k = 0; k < n; k++) if ((p[k] | 0x20) != lower[k]) return 0;
    return 1;
}

/* Parses [pos, end): 0 and the flags, or -1 (400). */
static int parse(const char *in, int pos, int end, int *is_head, int *keep_alive, long *content_length) {
    int i = pos, s = i;
    while (i < end && tchar((unsigned char) in[i])) i++;
    if (i == s || in[i] != ' ') return -1;
    *is_head = i - s == 4 && memcmp(in + s, "HEAD", 4) == 0;
    s = ++i;
    while (i < end && (unsigned char) in[i] > ' ' && in[i] != 0x7f) i++;
    if (i == s || in[i] != ' ') return -1;
    i++;
    if (end - i < 9 || memcmp(in + i, "HTTP/", 5) != 0 || in[i + 5] != '1' || in[i + 6] != '.'
            || in[i + 7] < '0' || in[i + 7] > '9') return -1;
    int http10 = in[i + 7] == '0', close = 0, ka = 0, saw_length = 0;
    i += 8;
    if (in[i] == '\r') i++;
    if (in[i] != '\n') return -1;
    i++;
    *content_length = 0;
    while (!(in[i] == '\n' || (in[i] == '\r' && in[i + 1] == '\n'))) {
        int ns = i;
        while (tchar((unsigned char) in[i])) i++;
        int nl = i - ns;
        if (nl == 0 || in[i] != ':') return -1;
        i++;
        while (in[i] == ' ' || in[i] == '\t') i++;
        int vs = i;
        while (in[i] != '\n') i++;
        int ve = i++;
        while (ve > vs && (in[ve - 1] == ' ' || in[ve - 1] == '\t' || in[ve - 1] == '\r')) ve--;
        if (name_is(in + ns, nl, "content-length")) {
            long v = 0;
            if (ve == vs || ve - vs > 18) return -1;
            for (int k = vs; k < ve; k++) {
                if (in[k] < '0' || in[k] > '9') return -1;
                v = v * 10 + (in[k] - '0');
            }
            if (saw_length && v != *content_length) return -1;
            *content_length = v;
            saw_length = 1;
        } else if (name_is(in + ns, nl, "transfer-encoding")) {
            return -1;
        } else if (name_is(in + ns, nl, "connection")) {
            for (int k = vs; k < ve;) {
                while (k < ve && (in[k] == ' ' || in[k] == '\t' || in[k] == ',')) k++;
                int ts = k;
                while (k < ve && in[k] != ',' && in[k] != ' ' && in[k] != '\t') k++;
                if (name_is(in + ts, k - ts, "close")) close = 1;
                else if (name_is(in + ts, k - ts, "keep-alive")) ka = 1;
            }
        }
    }
    *keep_alive = http10 ? ka && !close : !close;
    return http10;
}

static void queue(struct conn *c, const struct tmpl *t, int n) {
    memcpy(c->out + c->out_len, t->b, n);
    c->out_len += n;
}

static void process_http(struct conn *c) {
    int pos = c->in_pos, limit = c->in_len;
    while (!c->close_after_flush) {
        if (c->discard > 0) {
            long skip = c->discard < limit - pos ? c->discard : limit - pos;
            pos += (int) skip;
            c->discard -= skip;
            if (c->discard > 0) break;
        }
        while (pos < limit && (c->in[pos] == '\r' || c->in[pos] == '\n')) pos++;
        if (pos == limit || BUF - c->out_len < max_len) break;
        int end = head_end(c->in, pos, limit);
        if (end < 0) {
            if (limit - pos >= 8192) {  /* edgepoll's --max-header-bytes default */
                queue(c, &bad_request, bad_request.len);
                c->close_after_flush = 1;
                pos = limit;
            }
            break;
        }
        int is_head, keep_alive;
        long length;
        int v = parse(c->in, pos, end, &is_head, &keep_alive, &length);
        if (v < 0) {
            queue(c, &bad_request, bad_request.len);
            c->close_after_flush = 1;
            pos = limit;
            break;
        }
        const struct tmpl *t = !keep_alive ? &ok_close : v == 1 ? &ok_ka10 : &ok_ka;
        queue(c, t, is_head ? t->head_len : t->len);
        pos = end;
        c->discard = length;
        if (!keep_alive) {
            c->close_after_flush = 1;
            pos = limit;
        }
    }
    c->in_pos = pos;
}

static void process_echo(struct conn *c) {
    int n = c->in_len - c->in_pos, room = BUF - c->out_len;
    if (n > room) n = room;
    for (int i = 0; i < n; i++) {
        char b = c->in[c->in_pos + i];
        c->out[c->out_len + i] = (b >= 'a' && b <= 'z') ? (char) (b - 32) : b;
    }
    c->in_pos += n;
    c->out_len += n;
}

/* ---- the loop ------------------------------------------------------------------------------------ */

static int pending(const struct conn *c) { return c->out_pos < c->out_len; }

static void close_now(struct conn *c) {
    if (c->state == CLOSED || c->state == FREE) return;
    c->state = CLOSED;
    c->owed = c->read_owed = 0;
    if (to_close_n == to_close_cap) to_close = realloc(to_close, sizeof(int) * (to_close_cap *= 2));
    to_close[to_close_n++] = c->fd;
}

static void close_deferred(void) {
    for (int i = 0; i < to_close_n; i++) {
        close(to_close[i]);
        conns[to_close[i]]->state = FREE;
    }
    to_close_n = 0;
}

static int ctl(int op, int fd, unsigned events) {
    struct epoll_event ev = {.events = events, .data.u64 = (unsigned) fd};
    return epoll_ctl(epfd, op, fd, &ev);
}

/* Reads and discards until EOF (close), EAGAIN, or once under LT: edgepoll's lingering close. */
static void linger_read(struct conn *c) {
    while (c->state == LINGERING) {
        ssize_t n = read(c->fd, c->in, BUF);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) close_now(c);
        else if ((n < 0 && errno == EAGAIN) || !et) break;
    }
    c->in_pos = c->in_len = 0;
}

static int flush(struct conn *c) {
    while (c->out_pos < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_pos, c->out_len - c->out_pos, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_pos += (int) n;
        } else if (errno == EAGAIN) {
            return AGAIN;
        } else if (errno != EINTR) {
            close_now(c);
            return GONE;
        }
    }
    c->out_pos = c->out_len = 0;
    return DONE;
}

/* Sends what is queued and turns buffered input into replies, as edgepoll's EventLoop.pump. */
static int pump(struct conn *c) {
    int r = DONE;
    while (c->state == OPEN) {
        if (pending(c) && (r = flush(c)) != DONE) break;
        if (c->close_after_flush) {
            if (c->peer_closed || !http) {
                close_now(c);
            } else {
                shutdown(c->fd, SHUT_WR);
                c->state = LINGERING;
                linger_read(c);
            }
            r = GONE;
            break;
        }
        if (c->in_len == c->in_pos) break;
        if (http) process_http(c); else process_echo(c);
        if (!pending(c)) break;
    }
    if (c->in_pos == c->in_len) c->in_pos = c->in_len = 0;
    return r;
}

static void on_eof(struct conn *c) {
    c->peer_closed = 1;
    c->in_pos = c->in_len = 0;
    if (pending(c)) c->close_after_flush = 1; else close_now(c);
}

static int last_asked;

static ssize_t read_some(struct conn *c) {
    if (c->in_pos > 0) {
        memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
        c->in_len -= c->in_pos;
        c->in_pos = 0;
    }
    last_asked = BUF - c->in_len;
    ssize_t n = read(c->fd, c->in + c->in_len, last_asked);
    if (n > 0) c->in_len += (int) n;
    return n < 0 ? -errno : n;
}

static void accepted(int fd) {
    if (fd >= nconns) {
        int n = nconns;
        while (n <= fd) n *= 2;
        conns = realloc(conns, sizeof *conns * n);
        memset(conns + nconns, 0, sizeof *conns * (n - nconns));
        nconns = n;
    }
    struct conn *c = conns[fd];
    if (!c) {
        c = conns[fd] = calloc(1, sizeof *c);
        c->in = malloc(BUF);
        c->out = malloc(BUF);
    }
    char *in = c->in, *out = c->out;
    memset(c, 0, sizeof *c);
    c->in = in;
    c->out = out;
    c->fd = fd;
    c->state = OPEN;
    c->registered = et ? EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET : EPOLLIN | EPOLLRDHUP;
    if (ctl(EPOLL_CTL_ADD, fd, c->registered) < 0) close_now(c);
}

static void owe(struct conn *c) {
    c->read_owed = 1;
    if (c->owed) return;
    c->owed = 1;
    if (owed_n == owed_cap) owed_q = realloc(owed_q, sizeof *owed_q * (owed_cap *= 2));
    owed_q[owed_n++] = c;
}

static void on_acceptable(void) {
    accept_owed = 0;
    for (int k = 0; k < (et ? ACCEPT_BUDGET : 1); k++) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) accepted(fd);
        else if (errno == EAGAIN || (errno != EINTR && errno != ECONNABORTED)) return;
    }
    if (et) accept_owed = 1;
}

static void et_readable(struct conn *c) {
    if (c->state == LINGERING) {
        linger_read(c);
        return;
    }
    for (int reads = 0; c->state == OPEN;) {
        if (pending(c)) {
            c->read_owed = 1;  /* resumed once the output drains */
            return;
        }
        if (reads == READ_BUDGET) {
            owe(c);
            return;
        }
        ssize_t n = read_some(c);
        if (n > 0) {
            reads++;
            int asked = last_asked;
            pump(c);
            if (short_read && n < asked && !c->rdhup) {
                c->read_owed = 0;
                return;
            }
        } else if (n == 0) {
            c->read_owed = 0;
            on_eof(c);
            if (c->state == OPEN) pump(c);
            return;
        } else if (n == -EAGAIN) {
            c->read_owed = 0;
            return;
        } else if (n != -EINTR) {
            close_now(c);
            return;
        }
    }
}

static void et_event(struct conn *c, unsigned ev) {
    if (ev == EPOLLOUT && !pending(c)) return;
    if (ev & EPOLLRDHUP) c->rdhup = 1;
    unsigned err = ev & (EPOLLERR | EPOLLHUP);
    if ((ev & (EPOLLIN | EPOLLRDHUP)) || err) et_readable(c);
    if (c->state == OPEN && ((ev & EPOLLOUT) || err) && pending(c)) {
        if (pump(c) == DONE && c->read_owed && c->state == OPEN) et_readable(c);
    }
}

static void lt_interest(struct conn *c) {
    if (c->state != OPEN && c->state != LINGERING) return;
    unsigned want = pending(c) ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
    if (want == c->registered) return;
    if (ctl(EPOLL_CTL_MOD, c->fd, want) < 0) close_now(c); else c->registered = want;
}

static void lt_event(struct conn *c, unsigned ev) {
    unsigned err = ev & (EPOLLERR | EPOLLHUP);
    if (pending(c)) {
        if ((ev & EPOLLOUT) || err) pump(c);
    } else if ((ev & (EPOLLIN | EPOLLRDHUP)) || err) {
        if (c->state == LINGERING) {
            linger_read(c);
        } else {
            ssize_t n = read_some(c);
            if (n > 0) {
                pump(c);
            } else if (n == 0) {
                on_eof(c);
                if (c->state == OPEN) pump(c);
            } else if (n != -EAGAIN && n != -EINTR) {
                close_now(c);
            }
        }
    }
    lt_interest(c);
}

/* Continues the drains a budget stopped; returns 1 while anything is still owed. */
static int run_owed(void) {
    if (accept_owed) on_acceptable();
    int n = owed_n;
    for (int i = 0; i < n; i++) {
        struct conn *c = owed_q[i];
        if (!c->owed) continue;
        c->owed = 0;
        if (c->state == OPEN && !pending(c)) et_readable(c);
    }
    memmove(owed_q, owed_q + n, sizeof *owed_q * (owed_n - n));
    owed_n -= n;
    return owed_n > 0 || accept_owed;
}

static int usage(void) {
    fprintf(stderr, "usage: cfloor [--bind ADDR] [--port N] [--protocol http|echo] [--mode et|lt] [--drain strict|short-read] [--backlog N]\n");
    return 2;
}

static volatile sig_atomic_t stopping;

/*
 * The flag alone is racy: a SIGTERM that lands while the loop is between epoll_wait calls (serving
 * the last connections' EOFs, say) only sets it, and the next epoll_wait(-1) of an idle server then
 * waits forever (seen as a hung FlameGraphsTest: cfloor asleep in do_epoll_wait after its SIGTERM).
 * Shutting the listener down as well changes its state, which wakes any epoll_wait with an event on
 * it, before or after the call began; shutdown(2) is async-signal-safe, and errno is kept for the code
 * the signal interrupted.
 */
static void on_sigterm(int sig) {
    (void) sig;
    int saved = errno;
    stopping = 1;
    shutdown(listen_fd, SHUT_RDWR);
    errno = saved;
}

int main(int argc, char **argv) {
    int port = 8080, backlog = 1024;
    const char *bind_addr = "127.0.0.1";  /* numeric IPv4: bench-compare --link binds the link's address */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return usage();
        if (!strcmp(a, "--port")) port = atoi(v);
        else if (!strcmp(a, "--bind")) bind_addr = v;
        else if (!strcmp(a, "--backlog")) backlog = atoi(v);
        else if (!strcmp(a, "--protocol") && (!strcmp(v, "http") || !strcmp(v, "echo"))) http = !strcmp(v, "http");
        else if (!strcmp(a, "--mode") && (!strcmp(v, "et") || !strcmp(v, "lt"))) et = !strcmp(v, "et");
        else if (!strcmp(a, "--drain") && (!strcmp(v, "strict") || !strcmp(v, "short-read"))) short_read = !strcmp(v, "short-read");
        else return usage();
        i++;
    }
    build(&ok_ka, "200 OK", "", "Hello, world!");
    build(&ok_ka10, "200 OK", "Connection: keep-alive\r\n", "Hello, world!");
    build(&ok_close, "200 OK", "Connection: close\r\n", "Hello, world!");
    build(&bad_request, "400 Bad Request", "Connection: close\r\n", "400 Bad Request\n");
    tick();

    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
    if (inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1) return usage();
    socklen_t len = sizeof sa;
    if (listen_fd < 0 || setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
            || setsockopt(listen_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0
            || bind(listen_fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(listen_fd, backlog) < 0
            || getsockname(listen_fd, (struct sockaddr *) &sa, &len) < 0 || (epfd = epoll_create1(EPOLL_CLOEXEC)) < 0
            || ctl(EPOLL_CTL_ADD, listen_fd, et ? EPOLLIN | EPOLLET : EPOLLIN) < 0) {
        perror("cfloor: cannot listen");
        return 1;
    }
    nconns = 1024;
    conns = calloc(nconns, sizeof *conns);
    owed_q = malloc(sizeof *owed_q * (owed_cap = 64));
    to_close = malloc(sizeof(int) * (to_close_cap = 256));
    struct sigaction term = {.sa_handler = on_sigterm};  /* no SA_RESTART: epoll_wait returns EINTR */
    sigaction(SIGTERM, &term, NULL);
    printf("listening on %s:%d\n", bind_addr, ntohs(sa.sin_port));
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    int owed = 0;
    for (;;) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, owed ? 0 : -1);
        if (stopping) return 0;
        if (n < 0 && errno != EINTR) {
            perror("cfloor: epoll_wait");
            return 1;
        }
        tick();
        for (int i = 0; i < n; i++) {
            int fd = (int) events[i].data.u64;
            if (fd == listen_fd) {
                on_acceptable();
                continue;
            }
            struct conn *c = conns[fd];
            if (!c || c->state == CLOSED || c->state == FREE) continue;
            if (et) et_event(c, events[i].events); else lt_event(c, events[i].events);
        }
        owed = et && run_owed();
        close_deferred();
    }
}
