/*
 * wake-cost: the CPU a sleeping thread spends per wake-up, by the primitive it sleeps on (issue 27, session thirteen).
 *
 * One thread sleeps to absolute deadlines PERIOD_US apart, N times, on one of:
 *   0  timerfd_settime(TFD_TIMER_ABSTIME) + read   (what the engine's TimerFdWaiter does)
 *   1  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)
 *   2  futex(FUTEX_WAIT_BITSET) with an absolute CLOCK_MONOTONIC timeout (what a condition variable does)
 * and prints the thread's CPU time (user + system, getrusage(RUSAGE_THREAD)) per wake-up and the mean lateness.
 *
 * Build and run:  gcc -O2 -Wall -Wextra -o wake-cost wake-cost.c && ./wake-cost 0 50 20000
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static double thread_cpu_us(void)
{
    struct rusage r;
    getrusage(RUSAGE_THREAD, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 + (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s PRIMITIVE(0 timerfd, 1 clock_nanosleep, 2 futex) PERIOD_US COUNT\n", argv[0]);
        return 2;
    }

    int primitive = atoi(argv[1]);
    int64_t period_ns = atoll(argv[2]) * 1000;
    int count = atoi(argv[3]);
    if (primitive < 0 || primitive > 2 || period_ns <= 0 || count <= 0) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }

    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); /* as the engine's dispatcher does */
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    static uint32_t futex_word;
    int64_t base = now_ns() + 1000000;
    double cpu0 = thread_cpu_us();
    int64_t late_sum = 0;
    for (int i = 0; i < count; i++) {
        int64_t deadline = base + (int64_t)i * period_ns;
        struct timespec ts = { deadline / 1000000000LL, deadline % 1000000000LL };
        if (primitive == 0) {
            struct itimerspec its = { { 0, 0 }, ts };
            uint64_t expirations;
            timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
            if (read(fd, &expirations, sizeof expirations) != (ssize_t)sizeof expirations) {
                perror("read");
                return 1;
            }
        } else if (primitive == 1) {
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        } else {
            syscall(SYS_futex, &futex_word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &ts, NULL, FUTEX_BITSET_MATCH_ANY);
        }

        late_sum += now_ns() - deadline;
    }

    printf("primitive %d, period %lld us: %.2f us of CPU per wake-up, mean lateness %.1f us\n",
           primitive, (long long)(period_ns / 1000), (thread_cpu_us() - cpu0) / count, (double)late_sum / 1000.0 / count);
    close(fd);
    return 0;
}
