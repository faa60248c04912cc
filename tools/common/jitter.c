#include "jitter.h"

void jitter_update(jitter_estimator *j, int64_t arrival_ns, uint32_t rtp_timestamp, long clock_rate)
{
    double arrival_units = (double)arrival_ns * (double)clock_rate / 1e9;
    double transit = arrival_units - (double)rtp_timestamp;
    if (j->has_previous) {
        double d = transit - j->previous_transit;
        if (d < 0) d = -d; /* |D(i-1,i)| without libm: rtptraffic links no -lm */
        j->jitter += (d - j->jitter) / 16.0;
    }
    j->previous_transit = transit;
    j->has_previous = true;
}

double jitter_ms(const jitter_estimator *j, long clock_rate)
{
    return j->jitter * 1000.0 / (double)clock_rate;
}
