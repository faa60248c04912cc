/* codecpush's parts: call timing, the MJPEG encoders and their calibration (see main.c). */
#ifndef RTPSCOPE_TOOLS_CODECPUSH_H
#define RTPSCOPE_TOOLS_CODECPUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>

#include "common/clock.h"

#define CHEAP_WIDTH 320
#define CHEAP_HEIGHT 240

static inline double ms(int64_t ns)
{
    return (double)ns / NS_PER_MS;
}

/* call_samples.c */

/* How long a call took on the wall clock (what a uprobe measures) and on this thread's CPU
 * clock (the work itself: other processes competing for the CPU only add to the wall time). */
typedef struct {
    int64_t wall_ns, cpu_ns;
} call_time;

call_time call_start(void);
call_time call_elapsed(call_time start);

/* Duration samples (avcodec_send_frame per frame kind, wall and CPU). */
typedef struct {
    int64_t *ns;
    long count, capacity;
} samples;

typedef struct {
    samples wall, cpu;
} call_samples;

void call_samples_init(call_samples *c, long capacity);
void call_samples_add(call_samples *c, call_time t);
/* On stderr: count, min, median and max of each clock, in ms. */
void call_samples_print(call_samples *c, const char *label);
void call_samples_free(call_samples *c);

/* encoder.c: one MJPEG context with its own frame and packet, used through the real FFmpeg API. */

typedef struct {
    AVCodecContext *ctx;
    AVFrame *frame;
    AVPacket *packet;
    int64_t next_pts; /* pts only has to increase per context; RTP timestamps come from the frame index */
} encoder;

/* Growing buffer holding one encoded frame (all packets the encoder returned for it). */
typedef struct {
    uint8_t *data;
    size_t size, capacity;
} byte_buffer;

typedef struct {
    long send_frame_calls;
    int64_t receive_packet_max_ns; /* to show where the encode happens (send_frame, in FFmpeg 5.x) */
} codec_counters;

void encoder_open(encoder *e, int width, int height, long fps, bool noise_shaping);
void encoder_close(encoder *e);
/* Makes the frame writable again (the encoder may still hold a reference) and repaints the
 * top-left width x height pixels for frame `index`. */
void encoder_prepare(encoder *e, long index, int width, int height);
/* Repaints one macroblock of the expensive context's frame (see paint() in encoder.c). */
void prepare_expensive(encoder *e, long index);

/*
 * One frame through the encoder: avcodec_send_frame, then avcodec_receive_packet until EAGAIN,
 * each packet's bytes appended to `out` and the packet unreferenced. Returns the duration of the
 * avcodec_send_frame call.
 */
call_time encode_frame(encoder *e, byte_buffer *out, codec_counters *counters);

/* calibration.c */

/*
 * Opens `e` at a size whose avcodec_send_frame takes [CALIBRATION_LOW, CALIBRATION_HIGH] x
 * stall_ms of CPU time; progress on stderr unless `quiet`. Returns the last measured minimum.
 */
int64_t calibrate_expensive(encoder *e, long stall_ms, long fps, bool quiet, byte_buffer *scratch,
                            codec_counters *counters);

#endif
