/*
 * syscharge: how much user time the kernel charges to a syscall that runs no user code of note.
 *
 * A process's utime and stime are exact in total but split by where its timer ticks land. On this VM
 * a tick that arrives while the kernel runs with interrupts off is taken on the way back to user
 * mode and counted as user time, so every syscall brings "user" time of its own. This program makes
 * N getppid(2) calls in a loop (a few instructions of user code each, and nearly nothing in the
 * kernel) and prints the user and system time per call that getrusage reports, then the same for N
 * read(2)s of an empty non-blocking pipe (EAGAIN). scripts/user-split prints it beside its split;
 * docs/performance.md explains what it means for bench-compare's user figures.
 *
 * Output, one line per call: name, calls, user ns per call, system ns per call, user share of the CPU.
 *
 * Written for this project; built with gcc -O2 into a scratch directory, like cfloor.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

static double us(struct timeval t) { return t.tv_sec * 1e6 + t.tv_usec; }

static void report(const char *name, long n, struct rusage *a, struct rusage *b) {
    double u = us(b->ru_utime) - us(a->ru_utime), s = us(b->ru_stime) - us(a->ru_stime);
    printf("%-12s %9ld %8.0f %8.0f %7.1f%%\n", name, n, u * 1e3 / n, s * 1e3 / n, u + s > 0 ? 100 * u / (u + s) : 0.0);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    if (n <= 0) {
        fprintf(stderr, "usage: syscharge [CALLS]\n");
        return 2;
    }
    int p[2];
    char buf[64];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) {
        perror("pipe2");
        return 1;
    }
    struct rusage a, b;
    printf("%-12s %9s %8s %8s %8s\n", "call", "calls", "user_ns", "sys_ns", "user%");
    getrusage(RUSAGE_SELF, &a);
    for (long i = 0; i < n; i++) getppid();
    getrusage(RUSAGE_SELF, &b);
    report("getppid", n, &a, &b);
    getrusage(RUSAGE_SELF, &a);
    for (long i = 0; i < n; i++) {
        if (read(p[0], buf, sizeof buf) != -1) return 1;
    }
    getrusage(RUSAGE_SELF, &b);
    report("read_eagain", n, &a, &b);
    return 0;
}
