/*
 * cold-calls: what a system call costs the first time after a sleep (issue 27, session nineteen).
 *
 * A dispatcher that wakes after a long sleep finds its caches and TLB cold, and the kernel's too. This times, after
 * sleeping each of 0, 1 ms, 10 ms, 100 ms, 500 ms, 1 s and 5 s, the first call of three calls a timer host makes on
 * its fire path, and then the same call again (warm):
 *   - a pread of the thread's own /proc/thread-self/schedstat (the CPU-wait baseline),
 *   - getrusage(RUSAGE_THREAD),
 *   - clock_gettime(CLOCK_THREAD_CPUTIME_ID).
 * On the 2-core VM (docs/benchmarks.md, "Issue 27, session nineteen"): schedstat 1.6-2.0 us warm, 17-22 us after
 * 100 ms or more; getrusage 1.1 and 5-6 us; the thread CPU clock 1.3 and 6-11 us.
 *
 * Build and run:  gcc -O2 -Wall -Wextra -o cold-calls cold-calls.c && ./cold-calls [longest-sleep-ms]
 * (the optional argument caps the sleeps, e.g. 10 for a smoke run).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&t, &t) != 0) {
    }
}

static int schedstat_fd = -1;

static void call_schedstat(void)
{
    char buffer[96];
    if (pread(schedstat_fd, buffer, sizeof buffer, 0) < 0) {
        perror("pread schedstat");
        exit(1);
    }
}

static void call_getrusage(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_THREAD, &usage) != 0) {
        perror("getrusage");
        exit(1);
    }
}

static void call_thread_clock(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) {
        perror("clock_gettime");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    const long sleeps_ms[] = { 0, 1, 10, 100, 500, 1000, 5000 };
    const long cap_ms = argc > 1 ? atol(argv[1]) : 5000;
    const struct {
        const char *name;
        void (*call)(void);
    } calls[] = {
        { "schedstat pread", call_schedstat },
        { "getrusage(RUSAGE_THREAD)", call_getrusage },
        { "clock_gettime(THREAD_CPUTIME)", call_thread_clock },
    };

    schedstat_fd = open("/proc/thread-self/schedstat", O_RDONLY);
    if (schedstat_fd < 0) {
        perror("open /proc/thread-self/schedstat");
        return 1;
    }

    printf("%-30s %10s %12s %12s\n", "call", "sleep ms", "first us", "again us");
    for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
        calls[c].call(); /* the code and the page tables once, before the first measured sleep */
        for (size_t s = 0; s < sizeof sleeps_ms / sizeof sleeps_ms[0] && sleeps_ms[s] <= cap_ms; s++) {
            sleep_ms(sleeps_ms[s]);
            const long start = now_ns();
            calls[c].call();
            const long first = now_ns();
            calls[c].call();
            const long again = now_ns();
            printf("%-30s %10ld %12.1f %12.1f\n", calls[c].name, sleeps_ms[s], (first - start) / 1000.0, (again - first) / 1000.0);
        }
    }

    close(schedstat_fd);
    return 0;
}
