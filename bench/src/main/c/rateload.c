/*
 * rateload: an open-loop load generator at a fixed request rate, for bench-compare's fixed-rate
 * workloads. Closed-loop wrk sends as fast as the slowest side allows, so each server meets a
 * different arrival pattern (a saturated server batches more, an idle one sleeps and is woken per
 * request) and CPU per request mixes the server's code with its queueing state. At one fixed rate,
 * below every server's saturation, every server is offered the same requests at the same times, so
 * the CPU it spends per request compares like for like.
 *
 * Requests arrive as a Poisson process of the given rate (exponential gaps from a fixed-seed
 * generator: every server is offered the very same sequence), or, with --arrivals uniform, request k
 * is due at t0 + k/rate. Uniform arrivals alias with the kernel's scheduler tick (a 25 us gap divides
 * its period), so every tick samples the server at the same point of its work and the utime/stime
 * split of a window is all user or all kernel; Poisson gaps sample every point alike. Request k goes
 * to connection k mod C (one request in flight per connection, keep-alive; a request due while its
 * connection still waits for an answer is queued and sent when the answer arrives). Latency is measured from the due time, not from the send, so a
 * stalled server is not hidden (no coordinated omission). One thread, epoll level-triggered.
 *
 * --wait sleep: epoll_pwait2 timed to the next due request, as a real client sleeps. On this VM that
 * costs the load CPU ~24 us per request (a timer and a wake-up per request: at 40,000 req/s it is 94%
 * busy and sends a few hundred requests late per second) and makes each answer the server sends wake
 * a sleeping task on the other CPU. --wait spin (bench-compare's choice): epoll_wait with no timeout in
 * a loop, never sleeping, on the load CPU that is the generator's alone; requests leave within a few
 * microseconds of their due time and the server's send never has to wake the client.
 *
 * --host ADDR (numeric IPv4, default 127.0.0.1): where the server listens; bench-compare --link aims
 * it at the server's end of the link lab's veth pair.
 *
 * Output, one "key value" per line: requests, seconds, rps, p50_us, p99_us, p999_us, late (sent
 * more than 1 ms after due: the generator or the server fell behind), errors.
 *
 * Written for this project; built by the harness with gcc -O2 into a scratch directory, like cfloor.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 16384
#define QUEUE 1024                 /* due times a connection can owe; more is counted as an error */
#define HIST_US 1000000            /* latency histogram: 1 us buckets up to 1 s, the last one open */
#define LATE_NS 1000000LL

struct conn {
    int fd, dead, inflight;
    uint32_t head, tail;           /* ring of due times (ns) of requests owed or in flight */
    int64_t due[QUEUE];
    size_t len;
    char buf[BUF];
};

static char request[512];
static size_t request_len;
static int echo_protocol, spin, uniform;
static size_t message_size = 64;
static uint32_t *hist;
static long long measured, errors, late;
static int64_t measure_from;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void kill_conn(struct conn *c, int ep) {
    if (c->dead) return;
    c->dead = 1;
    errors += c->tail - c->head;   /* what it owed is lost */
    c->head = c->tail = 0;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
}

static void send_next(struct conn *c, int ep) {
    if (c->dead || c->inflight || c->head == c->tail) return;
    int64_t due = c->due[c->head % QUEUE];
    if (now_ns() - due > LATE_NS && due >= measure_from) late++;
    size_t off = 0;
    while (off < request_len) {
        ssize_t n = send(c->fd, request + off, request_len - off, MSG_NOSIGNAL);
        if (n > 0) { off += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        /* a 64-byte request into an idle keep-alive socket: EAGAIN here means the server stopped reading */
        kill_conn(c, ep);
        return;
    }
    c->inflight = 1;
}

/* Length of the complete response at the start of buf, 0 when incomplete, -1 when malformed. */
static long response_length(const char *buf, size_t len) {
    if (echo_protocol) return len >= message_size ? (long)message_size : 0;
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end) return len >= BUF ? -1 : 0;
    size_t head = (size_t)(end - buf) + 4;
    if (head < 12 || memcmp(buf, "HTTP/1.1 200", 12) != 0) return -1;
    long body = -1;
    for (const char *p = buf; p < end; p++) {
        if ((*p == '\n') && (size_t)(end - p) > 16 && strncasecmp(p + 1, "content-length:", 15) == 0) {
            body = strtol(p + 16, NULL, 10);
            break;
        }
    }
    if (body < 0 || head + (size_t)body > BUF) return -1;
    return len >= head + (size_t)body ? (long)(head + (size_t)body) : 0;
}

static void on_readable(struct conn *c, int ep) {
    ssize_t n = recv(c->fd, c->buf + c->len, BUF - c->len, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) { kill_conn(c, ep); return; }
    c->len += (size_t)n;
    long r;
    while ((r = response_length(c->buf, c->len)) > 0) {
        if (!c->inflight || c->head == c->tail) { kill_conn(c, ep); return; }   /* an answer nobody asked */
        int64_t due = c->due[c->head++ % QUEUE];
        c->inflight = 0;
        if (due >= measure_from) {
            int64_t us = (now_ns() - due) / 1000;
            hist[us < 0 ? 0 : us >= HIST_US ? HIST_US - 1 : us]++;
            measured++;
        }
        memmove(c->buf, c->buf + r, c->len - (size_t)r);
        c->len -= (size_t)r;
        send_next(c, ep);
    }
    if (r < 0) kill_conn(c, ep);   /* a wrong answer: the request it answered is lost with the rest */
}

static double percentile(double q) {
    if (measured == 0) return 0;
    long long want = (long long)(q * (double)measured), seen = 0;
    for (int i = 0; i < HIST_US; i++) {
        seen += hist[i];
        if (seen > want) return i;
    }
    return HIST_US;
}

/* An exponentially distributed gap of mean 1 (splitmix64 for the uniform draw, in (0, 1]). */
static double exp_gap(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    double u = ((double)(z >> 11) + 1.0) / 9007199254740992.0;
    return -log(u);
}

static int usage(void) {
    fprintf(stderr, "usage: rateload [--host ADDR] --port N --rate REQ_PER_S --duration S [--warmup S] [--connections C] "
                    "[--protocol http|echo] [--message-size B] [--wait sleep|spin]\n"
                    "                [--arrivals poisson|uniform]\n");
    return 2;
}

int main(int argc, char **argv) {
    int port = 0, nconn = 64;
    const char *host = "127.0.0.1";
    double rate = 0, duration = 0, warmup = 0;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return usage();
        if (!strcmp(a, "--port")) port = atoi(v);
        else if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--rate")) rate = atof(v);
        else if (!strcmp(a, "--duration")) duration = atof(v);
        else if (!strcmp(a, "--warmup")) warmup = atof(v);
        else if (!strcmp(a, "--connections")) nconn = atoi(v);
        else if (!strcmp(a, "--message-size")) message_size = (size_t)atol(v);
        else if (!strcmp(a, "--arrivals")) {
            if (!strcmp(v, "uniform")) uniform = 1;
            else if (strcmp(v, "poisson")) return usage();
        } else if (!strcmp(a, "--wait")) {
            if (!strcmp(v, "spin")) spin = 1;
            else if (strcmp(v, "sleep")) return usage();
        }
        else if (!strcmp(a, "--protocol")) {
            if (!strcmp(v, "echo")) echo_protocol = 1;
            else if (strcmp(v, "http")) return usage();
        } else return usage();
    }
    if (port <= 0 || port > 65535 || rate <= 0 || duration <= 0 || warmup < 0 || nconn <= 0 || nconn > 4096
            || message_size == 0 || message_size > sizeof request) return usage();
    if (echo_protocol) {
        memset(request, 'a', message_size);
        request_len = message_size;
    } else {
        request_len = (size_t)snprintf(request, sizeof request, "GET / HTTP/1.1\r\nHost: %s:%d\r\n\r\n", host, port);
    }
    hist = calloc(HIST_US, sizeof *hist);
    struct conn *conns = calloc((size_t)nconn, sizeof *conns);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (!hist || !conns || ep < 0) { perror("rateload: setup"); return 1; }

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "rateload: --host wants a numeric IPv4 address, got %s\n", host);
        return 2;
    }
    for (int i = 0; i < nconn; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("rateload: connect"); return 1; }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) { perror("rateload: O_NONBLOCK"); return 1; }
        conns[i].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) { perror("rateload: epoll_ctl"); return 1; }
    }

    const double interval = 1e9 / rate;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;   /* fixed: the same arrivals for every server */
    double next = 0;                          /* ns after t0 that request k is due */
    const int64_t t0 = now_ns();
    measure_from = t0 + (int64_t)(warmup * 1e9);
    const int64_t end = measure_from + (int64_t)(duration * 1e9);
    long long k = 0;
    struct epoll_event events[256];
    for (;;) {
        int64_t now = now_ns();
        int64_t due;
        while ((due = t0 + (int64_t)next) <= now && due < end) {
            struct conn *c = &conns[k % nconn];
            if (c->dead) { if (due >= measure_from) errors++; }
            else if (c->tail - c->head >= QUEUE) { if (due >= measure_from) errors++; }
            else { c->due[c->tail++ % QUEUE] = due; send_next(c, ep); }
            k++;
            next = uniform ? (double)k * interval : next + interval * exp_gap(&seed);
        }
        if (due >= end) {
            /* every request is issued: wait for the answers still owed, up to 5 s */
            int owed = 0;
            for (int i = 0; i < nconn; i++) owed |= !conns[i].dead && conns[i].head != conns[i].tail;
            if (!owed || now > end + 5000000000LL) break;
            due = now + 10000000;  /* 10 ms */
        }
        int64_t wait = spin ? 0 : due - now_ns();
        struct timespec ts = {.tv_sec = wait > 0 ? wait / 1000000000 : 0, .tv_nsec = wait > 0 ? wait % 1000000000 : 0};
        int n = epoll_pwait2(ep, events, 256, &ts, NULL);
        if (n < 0 && errno != EINTR) { perror("rateload: epoll_pwait2"); return 1; }
        for (int i = 0; i < n; i++) on_readable(events[i].data.ptr, ep);
    }
    for (int i = 0; i < nconn; i++) if (!conns[i].dead) errors += conns[i].tail - conns[i].head;
    double secs = duration;
    printf("requests %lld\nseconds %.3f\nrps %.1f\np50_us %.0f\np99_us %.0f\np999_us %.0f\nlate %lld\nerrors %lld\n",
           measured, secs, (double)measured / secs, percentile(0.50), percentile(0.99), percentile(0.999), late, errors);
    return 0;
}
