/*
 * RFC 3550 A.8 interarrival jitter, in timestamp units, as a receiver (or a monitor at the
 * syscall) computes it from arrival times: the tools' own expectation, computed independently of
 * rtpscope. Kept in floating point: the monitor may keep it in integers, the difference is below
 * one timestamp unit.
 */
#ifndef RTPSCOPE_TOOLS_JITTER_H
#define RTPSCOPE_TOOLS_JITTER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool has_previous;
    double previous_transit;
    double jitter;
} jitter_estimator;

void jitter_update(jitter_estimator *j, int64_t arrival_ns, uint32_t rtp_timestamp, long clock_rate);
double jitter_ms(const jitter_estimator *j, long clock_rate);

#endif
