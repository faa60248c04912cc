#define _GNU_SOURCE
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <stdlib.h>
#include <string.h>

#include "codecpush/codecpush.h"
#include "common/fail.h"

/* Fixed quantiser for both contexts (with AV_CODEC_FLAG_QSCALE the MPEG-video encoders take it
 * from each frame's `quality`): small payloads, so an expensive frame is not a burst of thousands
 * of packets that a capture or the monitor's ring buffer could drop. */
#define MJPEG_QSCALE 20
/* The expensive context also runs the MPEG-video encoders' quantiser noise shaping, an iterative
 * per-block refinement: ~100 ns per pixel instead of ~4 (2-vCPU VM), so the calibrated picture
 * stays small (~2 Mpixel for 150 ms instead of ~50 at the 8192x8192 cap), and so do its memory and
 * its RTP burst (~20 packets). Level 3 costs ~10x more per pixel but varied more between calls. */
#define EXPENSIVE_NOISE_SHAPING "2"

static void die_av(const char *what, int err) __attribute__((noreturn));
static void die_av(const char *what, int err)
{
    char reason[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(err, reason, sizeof reason);
    die("%s failed: %s", what, reason);
}

static void byte_buffer_append(byte_buffer *b, const uint8_t *data, size_t size)
{
    if (b->size + size > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 65536;
        while (capacity < b->size + size)
            capacity *= 2;
        uint8_t *grown = realloc(b->data, capacity);
        if (!grown)
            die_errno("realloc");
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->size, data, size);
    b->size += size;
}

/*
 * Paints the top-left width x height luma pixels and the chroma under them with a pattern that
 * moves with `index`. The cheap context repaints everything per frame. The large one is painted
 * once and then only one macroblock per frame: preparing its picture stays negligible, and as
 * noise shaping's cost depends on the content, every expensive frame then costs what the
 * calibration measured.
 */
static void paint(AVFrame *f, long index, int width, int height)
{
    for (int y = 0; y < height; y++) {
        uint8_t *row = f->data[0] + (ptrdiff_t)y * f->linesize[0];
        for (int x = 0; x < width; x++)
            row[x] = (uint8_t)(x + y + index * 3);
    }
    for (int y = 0; y < (height + 1) / 2; y++) {
        uint8_t *cb = f->data[1] + (ptrdiff_t)y * f->linesize[1];
        uint8_t *cr = f->data[2] + (ptrdiff_t)y * f->linesize[2];
        for (int x = 0; x < (width + 1) / 2; x++) {
            cb[x] = (uint8_t)(128 + y + index * 2);
            cr[x] = (uint8_t)(64 + x + index * 5);
        }
    }
}

void encoder_open(encoder *e, int width, int height, long fps, bool noise_shaping)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec)
        die("avcodec_find_encoder(AV_CODEC_ID_MJPEG) failed: no MJPEG encoder in this libavcodec");
    e->ctx = avcodec_alloc_context3(codec);
    if (!e->ctx)
        die("avcodec_alloc_context3 failed: out of memory");
    e->ctx->width = width;
    e->ctx->height = height;
    e->ctx->pix_fmt = AV_PIX_FMT_YUVJ420P;
    e->ctx->color_range = AVCOL_RANGE_JPEG;
    e->ctx->time_base = (AVRational){ 1, (int)fps };
    e->ctx->framerate = (AVRational){ (int)fps, 1 };
    e->ctx->thread_count = 1; /* one thread: the stall is the calling thread's, as measured */
    e->ctx->flags |= AV_CODEC_FLAG_QSCALE;
    e->ctx->global_quality = FF_QP2LAMBDA * MJPEG_QSCALE;
    AVDictionary *private_options = NULL;
    if (noise_shaping)
        av_dict_set(&private_options, "quantizer_noise_shaping", EXPENSIVE_NOISE_SHAPING, 0);
    int err = avcodec_open2(e->ctx, codec, &private_options);
    if (err < 0)
        die_av("avcodec_open2(mjpeg)", err);
    /* avcodec_open2 hands back the options it did not use: silently encoding cheaply would void
       the calibration's premise. */
    const AVDictionaryEntry *unused = av_dict_get(private_options, "", NULL, AV_DICT_IGNORE_SUFFIX);
    if (unused)
        die("avcodec_open2(mjpeg) failed: this libavcodec has no MJPEG option '%s'", unused->key);
    av_dict_free(&private_options);

    e->frame = av_frame_alloc();
    e->packet = av_packet_alloc();
    if (!e->frame || !e->packet)
        die("av_frame_alloc/av_packet_alloc failed: out of memory");
    e->frame->format = e->ctx->pix_fmt;
    e->frame->width = width;
    e->frame->height = height;
    if ((err = av_frame_get_buffer(e->frame, 0)) < 0)
        die_av("av_frame_get_buffer", err);
    paint(e->frame, 0, width, height);
    e->next_pts = 0;
}

void encoder_close(encoder *e)
{
    av_packet_free(&e->packet);
    av_frame_free(&e->frame);
    avcodec_free_context(&e->ctx);
}

/* Makes the frame writable again (the encoder may still hold a reference) and repaints the
 * top-left width x height pixels for frame `index`. */
void encoder_prepare(encoder *e, long index, int width, int height)
{
    int err = av_frame_make_writable(e->frame);
    if (err < 0)
        die_av("av_frame_make_writable", err);
    paint(e->frame, index, width, height);
}


/*
 * One frame through the encoder: avcodec_send_frame, then avcodec_receive_packet until EAGAIN,
 * each packet's bytes appended to `out` and the packet unreferenced. Returns the duration of the
 * avcodec_send_frame call.
 */
call_time encode_frame(encoder *e, byte_buffer *out, codec_counters *counters)
{
    e->frame->pts = e->next_pts++;
    e->frame->quality = e->ctx->global_quality;
    call_time send_start = call_start();
    int err = avcodec_send_frame(e->ctx, e->frame);
    call_time send = call_elapsed(send_start);
    counters->send_frame_calls++;
    if (err < 0)
        die_av("avcodec_send_frame", err);

    out->size = 0;
    for (;;) {
        int64_t before = now_ns();
        err = avcodec_receive_packet(e->ctx, e->packet);
        int64_t receive_ns = now_ns() - before;
        if (receive_ns > counters->receive_packet_max_ns)
            counters->receive_packet_max_ns = receive_ns;
        if (err == AVERROR(EAGAIN))
            break;
        if (err < 0)
            die_av("avcodec_receive_packet", err);
        byte_buffer_append(out, e->packet->data, (size_t)e->packet->size);
        av_packet_unref(e->packet);
    }
    return send;
}

void prepare_expensive(encoder *e, long index)
{
    encoder_prepare(e, index, 16, 16); /* one macroblock: see paint() */
}
