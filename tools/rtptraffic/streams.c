/* rtptraffic streams: the soak's load; many concurrent paced streams spread over several sockets,
 * sent with sendmmsg, sockets and SSRCs churning. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/endpoint.h"
#include "common/fail.h"
#include "common/packets.h"
#include "rtptraffic.h"

typedef struct {
    uint32_t ssrc, timestamp;
    uint16_t seq;
} stream_position;

/* A stream (re)starts like a new sender: random SSRC, sequence number and timestamp (RFC 3550 5.1). */
static void start_stream(stream_position *stream, uint64_t *rng)
{
    stream->ssrc = random32(rng);
    stream->seq = (uint16_t)random32(rng);
    stream->timestamp = random32(rng);
}

/* Sends one packet of each stream in streams[0..count), sendmmsg in chunks of `batch`. */
static void send_stream_packets(int fd, const endpoint *peer, stream_position *streams, long count, long batch,
                                uint8_t payload_type, long payload_bytes, uint32_t ts_step, send_counters *counters)
{
    static uint8_t buffers[MAX_BATCH][MAX_DATAGRAM];
    struct iovec iov[MAX_BATCH];
    struct mmsghdr messages[MAX_BATCH];
    for (long first = 0; first < count; first += batch) {
        int n = (int)(count - first < batch ? count - first : batch);
        memset(messages, 0, sizeof(struct mmsghdr) * (size_t)n);
        for (int i = 0; i < n; i++) {
            stream_position *stream = &streams[first + i];
            size_t length = write_rtp_header(buffers[i], payload_type, false, stream->seq, stream->timestamp, stream->ssrc);
            memset(buffers[i] + length, 0xd5, (size_t)payload_bytes);
            stream->seq++;
            stream->timestamp += ts_step;
            iov[i] = (struct iovec){ buffers[i], length + (size_t)payload_bytes };
            messages[i].msg_hdr.msg_iov = &iov[i];
            messages[i].msg_hdr.msg_iovlen = 1;
            messages[i].msg_hdr.msg_name = (void *)&peer->storage;
            messages[i].msg_hdr.msg_namelen = peer->length;
        }
        send_all_messages(fd, messages, n, counters);
    }
}

int cmd_streams(const options *o)
{
    require(o->to, "--to ADDR:PORT", "streams");
    if (o->streams <= 0)
        die("streams needs --streams N");
    if (o->sockets > o->streams)
        die("streams: --sockets %ld is more than --streams %ld", o->sockets, o->streams);
    endpoint peer = parse_endpoint(o->to, "--to", PORT_ZERO_ALLOWED);
    apply_comm(o);

    stream_position *streams = calloc((size_t)o->streams, sizeof *streams);
    int fds[MAX_SOCKETS];
    if (!streams)
        die_errno("calloc");
    uint64_t rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
    for (long i = 0; i < o->streams; i++)
        start_stream(&streams[i], &rng);
    for (long k = 0; k < o->sockets; k++)
        fds[k] = open_udp_socket(&peer);
    /* Socket k carries the contiguous run of streams [first(k), first(k+1)). */
#define FIRST_STREAM(k) ((k) * o->streams / o->sockets)

    const uint32_t ts_step = (uint32_t)(o->clock_rate * o->ptime_ms / 1000);
    const int64_t ptime_ns = o->ptime_ms * NS_PER_MS;
    send_counters counters = { 0 };
    long ticks = 0, late_ticks = 0, churns = 0, started = o->streams;
    int64_t max_lateness = 0;
    const int64_t start = now_ns(), stop = start + (int64_t)(o->seconds * 1e9);
    int64_t next_churn = o->churn_ms ? start + o->churn_ms * NS_PER_MS : INT64_MAX;

    for (int64_t tick_at = start; tick_at < stop; tick_at = start + ++ticks * ptime_ns) {
        sleep_until_ns(tick_at);
        int64_t lateness = now_ns() - tick_at;
        if (lateness > max_lateness)
            max_lateness = lateness;
        if (lateness > ptime_ns)
            late_ticks++;
        if (tick_at >= next_churn) {
            /* A sender going away and a new one arriving: new local port, new SSRCs. */
            long k = churns++ % o->sockets;
            if (close(fds[k]) != 0)
                die_errno("close");
            fds[k] = open_udp_socket(&peer);
            for (long i = FIRST_STREAM(k); i < FIRST_STREAM(k + 1); i++, started++)
                start_stream(&streams[i], &rng);
            next_churn += o->churn_ms * NS_PER_MS;
        }
        for (long k = 0; k < o->sockets; k++)
            send_stream_packets(fds[k], &peer, &streams[FIRST_STREAM(k)], FIRST_STREAM(k + 1) - FIRST_STREAM(k),
                                o->batch, (uint8_t)o->payload_type, o->payload_bytes, ts_step, &counters);
    }
#undef FIRST_STREAM
    double seconds = (double)(now_ns() - start) / 1e9;
    print_process_identity("streams");
    printf(",\"streams\":%ld,\"sockets\":%ld,\"packets\":%ld,\"datagrams\":%ld,\"syscalls\":%ld,\"churns\":%ld,"
           "\"streams_started\":%ld,\"late_ticks\":%ld,\"max_lateness_ms\":%.3f,\"seconds\":%.3f}\n",
           o->streams, o->sockets, ticks * o->streams, ticks * o->streams, counters.syscalls, churns, started,
           late_ticks, (double)max_lateness / 1e6, seconds);
    for (long k = 0; k < o->sockets; k++)
        if (close(fds[k]) != 0)
            die_errno("close");
    free(streams);
    return 0;
}
