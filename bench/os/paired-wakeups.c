/*
 * paired-wakeups: are the OS's late wake-ups on one CPU independent of the other's (issue 27, session thirteen)?
 *
 * Two threads, pinned to CPUs 0 and 1, each sleep on a timerfd to the same absolute deadlines 1 ms apart. For each
 * deadline it prints how often each thread, and the earlier of the two, woke later than 3x the CPU-0 thread's p99.
 * Independent tails would make the earlier of two late only (fraction 0) x (fraction 1) of the time; a tail the whole
 * VM shares (both vCPUs stalled at once) keeps it near either's. If the second is far below the first, a dispatcher
 * that also watched another's deadlines would cut the tail; on the 2-core VM it did not (docs/benchmarks.md).
 *
 * Build and run:  gcc -O2 -Wall -Wextra -pthread -o paired-wakeups paired-wakeups.c && ./paired-wakeups 20000
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int64_t base_ns;
static int count;
static int64_t *late[2];

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *sleeper(void *arg)
{
    int cpu = (int)(intptr_t)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    for (int i = 0; i < count; i++) {
        int64_t deadline = base_ns + (int64_t)i * 1000000;
        struct itimerspec its = { { 0, 0 }, { deadline / 1000000000LL, deadline % 1000000000LL } };
        uint64_t expirations;
        timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
        if (read(fd, &expirations, sizeof expirations) != (ssize_t)sizeof expirations) {
            abort();
        }

        late[cpu][i] = now_ns() - deadline;
    }

    close(fd);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    count = argc > 1 ? atoi(argv[1]) : 20000;
    if (count < 100) {
        fprintf(stderr, "usage: %s [COUNT >= 100]\n", argv[0]);
        return 2;
    }

    late[0] = calloc((size_t)count, sizeof(int64_t));
    late[1] = calloc((size_t)count, sizeof(int64_t));
    int64_t *sorted = calloc((size_t)count, sizeof(int64_t));
    if (!late[0] || !late[1] || !sorted) {
        return 1;
    }

    base_ns = now_ns() + 10000000;
    pthread_t threads[2];
    for (int cpu = 0; cpu < 2; cpu++) {
        pthread_create(&threads[cpu], NULL, sleeper, (void *)(intptr_t)cpu);
    }

    for (int cpu = 0; cpu < 2; cpu++) {
        pthread_join(threads[cpu], NULL);
    }

    for (int i = 0; i < count; i++) {
        sorted[i] = late[0][i];
    }

    qsort(sorted, (size_t)count, sizeof(int64_t), by_value);
    int64_t threshold = 3 * sorted[count * 99 / 100];
    int over0 = 0, over1 = 0, over_earlier = 0;
    for (int i = 0; i < count; i++) {
        int64_t earlier = late[0][i] < late[1][i] ? late[0][i] : late[1][i];
        over0 += late[0][i] > threshold;
        over1 += late[1][i] > threshold;
        over_earlier += earlier > threshold;
    }

    printf("%d deadlines; later than 3x CPU 0's p99 (%.1f us): CPU 0 %d, CPU 1 %d, the earlier of the two %d (independent: %.2f)\n",
           count, (double)threshold / 1000.0, over0, over1, over_earlier, (double)over0 * over1 / count);
    free(late[0]);
    free(late[1]);
    free(sorted);
    return 0;
}
