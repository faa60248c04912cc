#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "codecpush/codecpush.h"
#include "common/fail.h"

static void *xmalloc(size_t size)
{
    void *p = malloc(size);
    if (!p)
        die_errno("malloc");
    return p;
}

call_time call_start(void)
{
    return (call_time){ now_ns(), clock_ns(CLOCK_THREAD_CPUTIME_ID) };
}

call_time call_elapsed(call_time start)
{
    return (call_time){ now_ns() - start.wall_ns, clock_ns(CLOCK_THREAD_CPUTIME_ID) - start.cpu_ns };
}

static void samples_init(samples *s, long capacity)
{
    s->ns = xmalloc((size_t)(capacity > 0 ? capacity : 1) * sizeof *s->ns);
    s->count = 0;
    s->capacity = capacity;
}

static void samples_add(samples *s, int64_t ns)
{
    if (s->count < s->capacity)
        s->ns[s->count++] = ns;
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void samples_print(samples *s, const char *label, const char *clock)
{
    if (s->count == 0) {
        fprintf(stderr, "  %-9s %-4s n=0\n", label, clock);
        return;
    }
    qsort(s->ns, (size_t)s->count, sizeof *s->ns, compare_int64);
    long n = s->count;
    /* The median of an even count is the mean of the two middle samples. */
    double median = n % 2 ? ms(s->ns[n / 2]) : (ms(s->ns[n / 2 - 1]) + ms(s->ns[n / 2])) / 2;
    fprintf(stderr, "  %-9s %-4s n=%ld min=%.3f median=%.3f max=%.3f ms\n", label, clock, n, ms(s->ns[0]),
            median, ms(s->ns[n - 1]));
}

void call_samples_init(call_samples *c, long capacity)
{
    samples_init(&c->wall, capacity);
    samples_init(&c->cpu, capacity);
}

void call_samples_add(call_samples *c, call_time t)
{
    samples_add(&c->wall, t.wall_ns);
    samples_add(&c->cpu, t.cpu_ns);
}

void call_samples_print(call_samples *c, const char *label)
{
    samples_print(&c->wall, label, "wall");
    samples_print(&c->cpu, label, "cpu");
}

void call_samples_free(call_samples *c)
{
    free(c->wall.ns);
    free(c->cpu.ns);
}
