/*
 * codecpush: encodes video frames with libavcodec (MJPEG) and sends each frame as RTP right
 * after encoding it, so that tests can create send stalls whose cause is known: the codec
 * (an expensive avcodec_send_frame call) or something else (a plain sleep). The codec uprobes of
 * `rtpscope monitor` measure avcodec_send_frame / avcodec_receive_packet in this process while
 * its socket probes see the RTP.
 *
 *   codecpush --dest HOST:PORT [--frames N=150] [--fps F=30]
 *             [--mode steady|codec-stalls|network-pauses] [--stall-every M=10] [--stall-ms D=150]
 *             [--ssrc 0xHEX|DEC] [--start-delay-ms MS=0] [--linger-ms MS=0] [--quiet]
 *
 * Frame i's encode starts at start + i/fps (absolute CLOCK_MONOTONIC sleeps); its packets are
 * sent as soon as the encoder returns them. Every M-th frame (i % M == M-1):
 *   codec-stalls    is encoded by a second, large MJPEG context calibrated at startup (before any
 *                   RTP) so that one avcodec_send_frame call takes >= D ms (1.3-1.6 x D of CPU
 *                   time, see CALIBRATION_LOW); its output is that frame's payload. The gap
 *                   before that frame is that call's duration + 1/fps, almost all of it inside
 *                   avcodec_send_frame.
 *   network-pauses  is encoded cheaply, then the sender sleeps D ms before sending it (no codec
 *                   work during the pause).
 * steady has no stalls. The schedule is absolute, so the frames after a stall catch up.
 *
 * RTP: V=2, PT 96, 90 kHz timestamps (i * 90000 / fps + a random offset), random initial sequence
 * number, random SSRC unless --ssrc, marker on the last packet of a frame, payload = the encoded
 * bytes in chunks of at most 1200 bytes. One unconnected UDP socket, one sendto() per packet.
 *
 * stdout, once at exit:
 *   frames=N packets=P bytes=B send_frame_calls=C expensive=E pauses=Q
 * B counts UDP payload bytes (RTP headers included). C counts the avcodec_send_frame calls of the
 * streaming phase (one per frame, no flush call: MJPEG has no encoder delay); the calibration's
 * calls happen before --start-delay-ms and are reported on stderr. stderr (unless --quiet): the
 * calibration and the measured avcodec_send_frame durations (min/median/max, cheap and expensive).
 * Exit status: 0 done, 1 a failed call (libav errors via av_strerror), 2 usage.
 *
 * Build: cc -Wall -Wextra -O2 -o build/codecpush tools/codecpush.c \
 *            $(pkg-config --cflags --libs libavcodec libavutil)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>

#include "rtp_header.h"

#define NS_PER_SEC 1000000000LL
#define NS_PER_MS 1000000LL

#define RTP_MAX_PAYLOAD 1200
#define RTP_PAYLOAD_TYPE 96
#define RTP_CLOCK_RATE 90000

#define CHEAP_WIDTH 320
#define CHEAP_HEIGHT 240
/* Fixed quantiser for both contexts (with AV_CODEC_FLAG_QSCALE the MPEG-video encoders take it
 * from each frame's `quality`): small payloads, so an expensive frame is not a burst of thousands
 * of packets that a capture or the monitor's ring buffer could drop. */
#define MJPEG_QSCALE 20
/* The expensive context also runs the MPEG-video encoders' quantiser noise shaping, an iterative
 * per-block refinement: ~100 ns per pixel instead of ~4 (2-vCPU VM), so the calibrated picture
 * stays small (~2 Mpixel for 150 ms instead of ~50 at the 8192x8192 cap), and so do its memory and
 * its RTP burst (~20 packets). Level 3 costs ~10x more per pixel but varied more between calls. */
#define EXPENSIVE_NOISE_SHAPING "2"

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

/* ------------------------------------------------------------------------------------------ */
/* Failure reporting                                                                           */

static void exit_with_message(int status, const char *fmt, va_list ap) __attribute__((noreturn));
static void exit_with_message(int status, const char *fmt, va_list ap)
{
    fprintf(stderr, "codecpush: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    exit(status);
}

/* A failed call: exit status 1. */
static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exit_with_message(1, fmt, ap);
}

static void die_errno(const char *what) __attribute__((noreturn));
static void die_errno(const char *what)
{
    die("%s failed: %s", what, strerror(errno));
}

static void die_av(const char *what, int err) __attribute__((noreturn));
static void die_av(const char *what, int err)
{
    char reason[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(err, reason, sizeof reason);
    die("%s failed: %s", what, reason);
}

/* A bad command line: exit status 2. */
static void usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exit_with_message(2, fmt, ap);
}

static void *xmalloc(size_t size)
{
    void *p = malloc(size);
    if (!p)
        die_errno("malloc");
    return p;
}

/* ------------------------------------------------------------------------------------------ */
/* Time                                                                                        */

static int64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0)
        die_errno("clock_gettime");
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

/* How long a call took on the wall clock (what a uprobe measures) and on this thread's CPU
 * clock (the work itself: other processes competing for the CPU only add to the wall time). */
typedef struct {
    int64_t wall_ns, cpu_ns;
} call_time;

static call_time call_start(void)
{
    return (call_time){ now_ns(), clock_ns(CLOCK_THREAD_CPUTIME_ID) };
}

static call_time call_elapsed(call_time start)
{
    return (call_time){ now_ns() - start.wall_ns, clock_ns(CLOCK_THREAD_CPUTIME_ID) - start.cpu_ns };
}

/* Absolute sleeps keep pacing errors from accumulating over a long stream. */
static void sleep_until_ns(int64_t deadline)
{
    struct timespec ts = { .tv_sec = deadline / NS_PER_SEC, .tv_nsec = deadline % NS_PER_SEC };
    int rc;
    while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
        ;
    if (rc != 0) {
        errno = rc;
        die_errno("clock_nanosleep");
    }
}

static double ms(int64_t ns)
{
    return (double)ns / NS_PER_MS;
}

/* ------------------------------------------------------------------------------------------ */
/* Options                                                                                     */

typedef enum { MODE_STEADY, MODE_CODEC_STALLS, MODE_NETWORK_PAUSES } stall_mode;

typedef struct {
    const char *dest;
    long frames, fps, stall_every, stall_ms, start_delay_ms, linger_ms;
    stall_mode mode;
    bool have_ssrc, quiet;
    uint32_t ssrc;
} options;

static long parse_long(const char *text, const char *option, long min, long max)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 0); /* base 0: accepts 0x… for --ssrc */
    if (errno != 0 || *text == '\0' || *end != '\0' || value < min || value > max)
        usage_error("%s: expected an integer in [%ld, %ld], got '%s'", option, min, max, text);
    return value;
}

static stall_mode parse_mode(const char *text)
{
    if (strcmp(text, "steady") == 0)
        return MODE_STEADY;
    if (strcmp(text, "codec-stalls") == 0)
        return MODE_CODEC_STALLS;
    if (strcmp(text, "network-pauses") == 0)
        return MODE_NETWORK_PAUSES;
    usage_error("--mode: expected steady, codec-stalls or network-pauses, got '%s'", text);
}

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
    fputs("usage: codecpush --dest HOST:PORT [--frames N=150] [--fps F=30]\n"
          "                 [--mode steady|codec-stalls|network-pauses] [--stall-every M=10]\n"
          "                 [--stall-ms D=150] [--ssrc 0xHEX|DEC] [--start-delay-ms MS=0]\n"
          "                 [--linger-ms MS=0] [--quiet]\n"
          "  HOST is an IPv4 or IPv6 literal: 127.0.0.1:5004 or [::1]:5004\n",
          stderr);
    exit(2);
}

static options parse_options(int argc, char **argv)
{
    options o = { .frames = 150, .fps = 30, .stall_every = 10, .stall_ms = 150, .mode = MODE_STEADY };
    enum { O_DEST = 1, O_FRAMES, O_FPS, O_MODE, O_EVERY, O_STALL_MS, O_SSRC, O_DELAY, O_LINGER, O_QUIET, O_HELP };
    static const struct option table[] = {
        { "dest", required_argument, 0, O_DEST },         { "frames", required_argument, 0, O_FRAMES },
        { "fps", required_argument, 0, O_FPS },           { "mode", required_argument, 0, O_MODE },
        { "stall-every", required_argument, 0, O_EVERY }, { "stall-ms", required_argument, 0, O_STALL_MS },
        { "ssrc", required_argument, 0, O_SSRC },         { "start-delay-ms", required_argument, 0, O_DELAY },
        { "linger-ms", required_argument, 0, O_LINGER },
        { "quiet", no_argument, 0, O_QUIET },             { "help", no_argument, 0, O_HELP },
        { 0, 0, 0, 0 },
    };
    opterr = 0; /* we print our own one-line error */
    int c;
    while ((c = getopt_long(argc, argv, "", table, NULL)) != -1) {
        switch (c) {
        case O_DEST: o.dest = optarg; break;
        case O_FRAMES: o.frames = parse_long(optarg, "--frames", 1, 100000); break;
        case O_FPS: o.fps = parse_long(optarg, "--fps", 1, 240); break;
        case O_MODE: o.mode = parse_mode(optarg); break;
        case O_EVERY: o.stall_every = parse_long(optarg, "--stall-every", 1, 100000); break;
        case O_STALL_MS: o.stall_ms = parse_long(optarg, "--stall-ms", 1, 5000); break;
        case O_SSRC:
            o.ssrc = (uint32_t)parse_long(optarg, "--ssrc", 0, 0xffffffffL);
            o.have_ssrc = true;
            break;
        case O_DELAY: o.start_delay_ms = parse_long(optarg, "--start-delay-ms", 0, 3600000); break;
        case O_LINGER: o.linger_ms = parse_long(optarg, "--linger-ms", 0, 3600000); break;
        case O_QUIET: o.quiet = true; break;
        case O_HELP: usage();
        default:
            if (optopt)
                usage_error("bad or incomplete option '%s' (see --help)", argv[optind - 1]);
            usage_error("unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind != argc)
        usage_error("unexpected argument '%s'", argv[optind]);
    if (!o.dest)
        usage_error("--dest HOST:PORT is required");
    return o;
}

/* ------------------------------------------------------------------------------------------ */
/* Destination                                                                                 */

typedef struct {
    struct sockaddr_storage storage;
    socklen_t length;
} endpoint;

/* Accepts "127.0.0.1:5004" and "[::1]:5004". */
static endpoint parse_endpoint(const char *text)
{
    endpoint ep;
    memset(&ep, 0, sizeof ep);
    char host[INET6_ADDRSTRLEN + 1];
    const char *port_text;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host)
            usage_error("--dest: expected [IPv6]:PORT, got '%s'", text);
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        port_text = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host)
            usage_error("--dest: expected IPv4:PORT or [IPv6]:PORT, got '%s'", text);
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        port_text = colon + 1;
    }
    char *end;
    errno = 0;
    long port = strtol(port_text, &end, 10);
    if (errno != 0 || *port_text == '\0' || *end != '\0' || port < 1 || port > 65535)
        usage_error("--dest: bad port in '%s'", text);

    struct sockaddr_in *v4 = (struct sockaddr_in *)&ep.storage;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ep.storage;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        ep.length = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        ep.length = sizeof *v6;
    } else {
        usage_error("--dest: '%s' is not an IPv4 or IPv6 address", host);
    }
    return ep;
}

/* ------------------------------------------------------------------------------------------ */
/* Duration samples (avcodec_send_frame per frame kind, wall and CPU)                         */

typedef struct {
    int64_t *ns;
    long count, capacity;
} samples;

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

typedef struct {
    samples wall, cpu;
} call_samples;

static void call_samples_init(call_samples *c, long capacity)
{
    samples_init(&c->wall, capacity);
    samples_init(&c->cpu, capacity);
}

static void call_samples_add(call_samples *c, call_time t)
{
    samples_add(&c->wall, t.wall_ns);
    samples_add(&c->cpu, t.cpu_ns);
}

static void call_samples_print(call_samples *c, const char *label)
{
    samples_print(&c->wall, label, "wall");
    samples_print(&c->cpu, label, "cpu");
}

static void call_samples_free(call_samples *c)
{
    free(c->wall.ns);
    free(c->cpu.ns);
}

/* ------------------------------------------------------------------------------------------ */
/* Encoder: one MJPEG context with its own frame and packet, used through the real FFmpeg API  */

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

static void encoder_open(encoder *e, int width, int height, long fps, bool noise_shaping)
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

static void encoder_close(encoder *e)
{
    av_packet_free(&e->packet);
    av_frame_free(&e->frame);
    avcodec_free_context(&e->ctx);
}

/* Makes the frame writable again (the encoder may still hold a reference) and repaints the
 * top-left width x height pixels for frame `index`. */
static void encoder_prepare(encoder *e, long index, int width, int height)
{
    int err = av_frame_make_writable(e->frame);
    if (err < 0)
        die_av("av_frame_make_writable", err);
    paint(e->frame, index, width, height);
}

typedef struct {
    long send_frame_calls;
    int64_t receive_packet_max_ns; /* to show where the encode happens (send_frame, in FFmpeg 5.x) */
} codec_counters;

/*
 * One frame through the encoder: avcodec_send_frame, then avcodec_receive_packet until EAGAIN,
 * each packet's bytes appended to `out` and the packet unreferenced. Returns the duration of the
 * avcodec_send_frame call.
 */
static call_time encode_frame(encoder *e, byte_buffer *out, codec_counters *counters)
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

static void prepare_expensive(encoder *e, long index)
{
    encoder_prepare(e, index, 16, 16); /* one macroblock: see paint() */
}

/* ------------------------------------------------------------------------------------------ */
/* Calibration of the expensive context                                                        */

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
static int64_t calibrate_expensive(encoder *e, const options *o, byte_buffer *scratch, codec_counters *counters)
{
    int64_t target_ns = o->stall_ms * NS_PER_MS;
    double low_ns = (double)target_ns * CALIBRATION_LOW, high_ns = (double)target_ns * CALIBRATION_HIGH;
    double aim_ns = (low_ns + high_ns) / 2;
    int width = CALIBRATION_START_WIDTH, height = CALIBRATION_START_HEIGHT;
    int64_t measured = 0;
    for (int round = 1;; round++) {
        encoder_open(e, width, height, o->fps, true);
        measured = time_encodes(e, scratch, counters);
        if (!o->quiet)
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
                e->ctx->width, e->ctx->height, ms(measured), o->stall_ms);
    return measured;
}

/* ------------------------------------------------------------------------------------------ */
/* RTP                                                                                         */

typedef struct {
    int fd;
    endpoint dest;
    uint32_t ssrc, timestamp_offset;
    uint16_t next_seq;
    long packets, bytes;
} rtp_sender;

static uint32_t random_u32(void)
{
    uint32_t value;
    if (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value)
        die_errno("getrandom");
    return value;
}


/* Sends one encoded frame as consecutive RTP packets sharing the frame's timestamp. */
static void rtp_send_frame(rtp_sender *s, const byte_buffer *frame, uint32_t media_timestamp)
{
    uint8_t datagram[RTP_HEADER_BYTES + RTP_MAX_PAYLOAD];
    uint32_t timestamp = media_timestamp + s->timestamp_offset;
    for (size_t offset = 0; offset < frame->size; offset += RTP_MAX_PAYLOAD) {
        size_t chunk = frame->size - offset < RTP_MAX_PAYLOAD ? frame->size - offset : RTP_MAX_PAYLOAD;
        bool last = offset + chunk == frame->size;
        write_rtp_header(datagram, RTP_PAYLOAD_TYPE, last, s->next_seq++, timestamp, s->ssrc);
        memcpy(datagram + RTP_HEADER_BYTES, frame->data + offset, chunk);
        size_t length = RTP_HEADER_BYTES + chunk;
        ssize_t sent = sendto(s->fd, datagram, length, 0, (const struct sockaddr *)&s->dest.storage, s->dest.length);
        if (sent < 0)
            die_errno("sendto");
        s->packets++;
        s->bytes += (long)length;
    }
}

/* ------------------------------------------------------------------------------------------ */

static bool is_stall_frame(const options *o, long index)
{
    return o->mode != MODE_STEADY && index % o->stall_every == o->stall_every - 1;
}

int main(int argc, char **argv)
{
    options o = parse_options(argc, argv);
    rtp_sender rtp = { .dest = parse_endpoint(o.dest) };
    av_log_set_level(AV_LOG_ERROR);

    rtp.fd = socket(rtp.dest.storage.ss_family, SOCK_DGRAM, IPPROTO_UDP);
    if (rtp.fd < 0)
        die_errno("socket(SOCK_DGRAM)");
    rtp.ssrc = o.have_ssrc ? o.ssrc : random_u32();
    rtp.timestamp_offset = random_u32();
    rtp.next_seq = (uint16_t)random_u32();

    codec_counters counters = { 0 };
    byte_buffer encoded = { 0 };
    encoder cheap, expensive;
    encoder_open(&cheap, CHEAP_WIDTH, CHEAP_HEIGHT, o.fps, false);
    if (o.mode == MODE_CODEC_STALLS) {
        int64_t calibrated = calibrate_expensive(&expensive, &o, &encoded, &counters);
        if (!o.quiet)
            fprintf(stderr, "codecpush: calibrated expensive encode: %dx%d, avcodec_send_frame >= %.1f ms CPU "
                            "(--stall-ms %ld), %ld calibration calls\n",
                    expensive.ctx->width, expensive.ctx->height, ms(calibrated), o.stall_ms,
                    counters.send_frame_calls);
    }
    /* Everything from here on is the streaming phase the summary describes. */
    counters = (codec_counters){ 0 };

    if (!o.quiet)
        fprintf(stderr, "codecpush: pid %d ssrc 0x%08" PRIx32 " first seq %u -> %s, %ld frames at %ld fps, mode %s\n",
                (int)getpid(), rtp.ssrc, rtp.next_seq, o.dest, o.frames, o.fps,
                o.mode == MODE_STEADY ? "steady" : o.mode == MODE_CODEC_STALLS ? "codec-stalls" : "network-pauses");
    if (o.start_delay_ms > 0)
        sleep_until_ns(now_ns() + o.start_delay_ms * NS_PER_MS);

    call_samples cheap_times, expensive_times;
    call_samples_init(&cheap_times, o.frames);
    call_samples_init(&expensive_times, o.frames);
    long expensive_frames = 0, pauses = 0;
    int64_t start = now_ns();
    for (long i = 0; i < o.frames; i++) {
        sleep_until_ns(start + i * NS_PER_SEC / o.fps);
        bool stall = is_stall_frame(&o, i);
        if (stall && o.mode == MODE_CODEC_STALLS) {
            prepare_expensive(&expensive, i);
            call_samples_add(&expensive_times, encode_frame(&expensive, &encoded, &counters));
            expensive_frames++;
        } else {
            encoder_prepare(&cheap, i, CHEAP_WIDTH, CHEAP_HEIGHT);
            call_samples_add(&cheap_times, encode_frame(&cheap, &encoded, &counters));
        }
        if (stall && o.mode == MODE_NETWORK_PAUSES) {
            sleep_until_ns(now_ns() + o.stall_ms * NS_PER_MS);
            pauses++;
        }
        rtp_send_frame(&rtp, &encoded, (uint32_t)((uint64_t)i * RTP_CLOCK_RATE / (uint64_t)o.fps));
    }

    if (!o.quiet) {
        fprintf(stderr, "codecpush: avcodec_send_frame durations (streaming phase):\n");
        call_samples_print(&cheap_times, "cheap");
        call_samples_print(&expensive_times, "expensive");
        fprintf(stderr, "  avcodec_receive_packet max=%.3f ms\n", ms(counters.receive_packet_max_ns));
    }
    printf("frames=%ld packets=%ld bytes=%ld send_frame_calls=%ld expensive=%ld pauses=%ld\n", o.frames,
           rtp.packets, rtp.bytes, counters.send_frame_calls, expensive_frames, pauses);
    /* --linger-ms: stay alive (idle) after the summary, so a monitor can be read while the
     * process and its probes still exist. */
    fflush(stdout);
    if (o.linger_ms > 0)
        sleep_until_ns(now_ns() + o.linger_ms * NS_PER_MS);

    call_samples_free(&cheap_times);
    call_samples_free(&expensive_times);
    free(encoded.data);
    encoder_close(&cheap);
    if (o.mode == MODE_CODEC_STALLS)
        encoder_close(&expensive);
    return 0;
}
