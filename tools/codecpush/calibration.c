#include <math.h>
#include <stdio.h>

#include "codecpush/codecpush.h"

/* Calibration of the expensive context. */
#define CALIBRATION_START_WIDTH 1280
#define CALIBRATION_START_HEIGHT 720
#define CALIBRATION_MAX_SIDE 8192
#define CALIBRATION_MIN_SIDE 64
#define CALIBRATION_MAX_ROUNDS 8
#define CALIBRATION_ENCODES 3            /* per size; fewer once CALIBRATION_SIZE_BUDGET_NS is spent */
#define CALIBRATION_SIZE_BUDGET_NS (2 * NS_PER_SEC)
/* A size is accepted when its cost is within [LOW, HIGH] x D: above D so that the variation of
 * the same call's cost (±25% seen on a shared 2-vCPU VM) seldom pushes it below D, not much above
 * so that the stall stays close to D. Each round scales towards the middle of that window. */
#define CALIBRATION_LOW 1.3
#define CALIBRATION_HIGH 1.6

/* Rounds to a multiple of 16 (whole macroblocks) within the allowed sides. */
static int clamp_side(double side)
{
    long s = lround(side / 16.0) * 16;
    if (s < CALIBRATION_MIN_SIDE)
        s = CALIBRATION_MIN_SIDE;
    if (s > CALIBRATION_MAX_SIDE)
        s = CALIBRATION_MAX_SIDE;
    return (int)s;
}

/*
 * The least CPU time of a few encodes. CPU time, not wall time: on a loaded machine the wall time
 * of the same call varies with the competition, while the CPU time is the encoder's work, and a
 * single-threaded call's wall time is never shorter. The minimum drops a new context's first-call
 * set-up.
 */
static int64_t time_encodes(encoder *e, byte_buffer *scratch, codec_counters *counters)
{
    int64_t best = INT64_MAX, spent = 0;
    for (int i = 0; i < CALIBRATION_ENCODES && spent < CALIBRATION_SIZE_BUDGET_NS; i++) {
        prepare_expensive(e, i);
        call_time t = encode_frame(e, scratch, counters);
        spent += t.wall_ns;
        if (t.cpu_ns < best)
            best = t.cpu_ns;
    }
    return best;
}

/*
 * Opens `e` at a size whose avcodec_send_frame takes [CALIBRATION_LOW, CALIBRATION_HIGH] x
 * stall_ms of CPU time. Encode time is about linear in the pixel count, so each round scales the
 * pixel count by aim / measured (both sides by the square root; the height alone once the width
 * is capped) and measures again. Returns the last measured minimum.
 */
int64_t calibrate_expensive(encoder *e, long stall_ms, long fps, bool quiet, byte_buffer *scratch,
                            codec_counters *counters)
{
    int64_t target_ns = stall_ms * NS_PER_MS;
    double low_ns = (double)target_ns * CALIBRATION_LOW, high_ns = (double)target_ns * CALIBRATION_HIGH;
    double aim_ns = (low_ns + high_ns) / 2;
    int width = CALIBRATION_START_WIDTH, height = CALIBRATION_START_HEIGHT;
    int64_t measured = 0;
    for (int round = 1;; round++) {
        encoder_open(e, width, height, fps, true);
        measured = time_encodes(e, scratch, counters);
        if (!quiet)
            fprintf(stderr, "codecpush: calibration round %d: %dx%d avcodec_send_frame min %.1f ms CPU "
                            "(window %.1f..%.1f ms)\n",
                    round, width, height, ms(measured), ms((int64_t)low_ns), ms((int64_t)high_ns));
        bool long_enough = measured >= (int64_t)low_ns;
        bool not_too_long = measured <= (int64_t)high_ns ||
                            (width == CALIBRATION_MIN_SIDE && height == CALIBRATION_MIN_SIDE);
        bool at_cap = width == CALIBRATION_MAX_SIDE && height == CALIBRATION_MAX_SIDE;
        if ((long_enough && not_too_long) || (at_cap && !long_enough) || round == CALIBRATION_MAX_ROUNDS)
            break;
        double ratio = aim_ns / (double)(measured > 0 ? measured : 1);
        int next_width = clamp_side(width * sqrt(ratio));
        int next_height = clamp_side((double)width * height * ratio / next_width);
        if (next_width == width && next_height == height)
            break;
        encoder_close(e);
        width = next_width;
        height = next_height;
    }
    if (measured < target_ns)
        fprintf(stderr, "codecpush: warning: expensive encode at %dx%d takes only %.1f ms CPU < --stall-ms %ld\n",
                e->ctx->width, e->ctx->height, ms(measured), stall_ms);
    return measured;
}
