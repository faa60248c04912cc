/* Clocks and pacing of the C test tools. */
#ifndef RTPSCOPE_TOOLS_CLOCK_H
#define RTPSCOPE_TOOLS_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NS_PER_SEC 1000000000LL
#define NS_PER_MS 1000000LL

/* Nanoseconds of `clock`; dies if it cannot be read. */
int64_t clock_ns(clockid_t clock);
/* CLOCK_MONOTONIC in nanoseconds: the clock every schedule of the tools runs on. */
int64_t now_ns(void);
/* Sleeps until CLOCK_MONOTONIC reaches `deadline`: absolute sleeps keep pacing errors from
 * accumulating over a long stream. */
void sleep_until_ns(int64_t deadline);
/* 64-bit NTP time of CLOCK_REALTIME (RFC 3550 4): seconds since 1900 << 32 | fraction. */
uint64_t ntp_now(void);

#endif
