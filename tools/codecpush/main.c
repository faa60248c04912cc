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
 * Build: make build/codecpush (this folder and tools/common/; libavcodec, libavutil, libm).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "codecpush/codecpush.h"
#include "common/clock.h"
#include "common/endpoint.h"
#include "common/fail.h"
#include "common/options.h"
#include "common/packets.h"

const char *const tool_name = "codecpush";
const int tool_bad_input_status = 2;

#define RTP_MAX_PAYLOAD 1200
#define RTP_PAYLOAD_TYPE 96
#define RTP_CLOCK_RATE 90000

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
    rtp_sender rtp = { .dest = parse_endpoint(o.dest, "--dest", PORT_ZERO_REJECTED) };
    av_log_set_level(AV_LOG_ERROR);

    rtp.fd = open_udp_socket(&rtp.dest);
    rtp.ssrc = o.have_ssrc ? o.ssrc : random_u32();
    rtp.timestamp_offset = random_u32();
    rtp.next_seq = (uint16_t)random_u32();

    codec_counters counters = { 0 };
    byte_buffer encoded = { 0 };
    encoder cheap, expensive;
    encoder_open(&cheap, CHEAP_WIDTH, CHEAP_HEIGHT, o.fps, false);
    if (o.mode == MODE_CODEC_STALLS) {
        int64_t calibrated = calibrate_expensive(&expensive, o.stall_ms, o.fps, o.quiet, &encoded, &counters);
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
