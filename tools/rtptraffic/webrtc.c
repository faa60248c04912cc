/* rtptraffic webrtc: one connected socket multiplexing STUN, DTLS, SRTP and SRTCP (RFC 7983) like a
 * browser's ICE candidate pair; only the SRTP is a stream. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/endpoint.h"
#include "common/fail.h"
#include "common/json.h"
#include "common/packets.h"
#include "rtptraffic.h"

typedef struct {
    long stun, dtls, srtp, srtcp;
    send_counters counters;
} webrtc_totals;

int cmd_webrtc(const options *o)
{
    require(o->to, "--to ADDR:PORT", "webrtc");
    require_count(o, "webrtc");
    endpoint peer = parse_endpoint(o->to, "--to", PORT_ZERO_ALLOWED);
    const long srtp_clock = 48000;
    const uint32_t ssrc = o->ssrc;

    apply_comm(o);
    int fd = open_udp_socket(&peer);
    if (o->from) {
        endpoint local = parse_endpoint(o->from, "--from", PORT_ZERO_ALLOWED);
        bind_or_die(fd, &local);
    }
    connect_or_die(fd, &peer); /* like a browser's ICE candidate pair: one 5-tuple for everything */

    uint64_t rng = 0x9e3779b97f4a7c15ull;
    uint8_t packet[MAX_DATAGRAM];
    webrtc_totals t = { 0 };

    /* ICE connectivity check, then the DTLS handshake (flight shapes, not real crypto). */
    send_datagram(fd, packet, build_stun(packet, false, &rng), &t.counters); t.stun++;
    send_datagram(fd, packet, build_stun(packet, true, &rng), &t.counters); t.stun++;
    const uint8_t handshake_flight[] = { 22, 22, 22, 20, 22 };
    for (size_t i = 0; i < sizeof handshake_flight; i++) {
        uint16_t epoch = i >= 4 ? 1 : 0; /* records after ChangeCipherSpec are in epoch 1 */
        send_datagram(fd, packet, build_dtls(packet, handshake_flight[i], epoch, (uint16_t)i, 100, &rng), &t.counters);
        t.dtls++;
    }

    int64_t start = now_ns();
    for (long i = 0; i < o->count; i++) {
        if (!o->no_pace)
            sleep_until_ns(start + i * o->ptime_ms * NS_PER_MS);
        uint32_t timestamp = (uint32_t)(i * srtp_clock * o->ptime_ms / 1000);
        send_datagram(fd, packet, build_srtp(packet, (uint16_t)(o->seq_start + i), timestamp, ssrc, &rng), &t.counters);
        t.srtp++;
        if (i % 25 == 24) { /* ICE consent freshness */
            send_datagram(fd, packet, build_stun(packet, false, &rng), &t.counters); t.stun++;
        }
        if (i % 50 == 49) {
            send_datagram(fd, packet, build_srtcp(packet, ssrc, (uint32_t)t.srtcp, &rng), &t.counters); t.srtcp++;
        }
        if (i % 40 == 39) { /* a data channel message: DTLS application data */
            send_datagram(fd, packet, build_dtls(packet, 23, 1, (uint16_t)(10 + i), 60, &rng), &t.counters); t.dtls++;
        }
    }

    char local[64], remote[64];
    local_endpoint_text(fd, local, sizeof local);
    format_endpoint(&peer.storage, remote, sizeof remote);
    print_process_identity("webrtc");
    putchar(',');
    print_json_string("local", local);
    putchar(',');
    print_json_string("remote", remote);
    printf(",\"ssrc\":%" PRIu32 ",\"payload_type\":111,\"clock_rate\":%ld,\"srtp_packets\":%ld,"
           "\"srtcp_packets\":%ld,\"stun_packets\":%ld,\"dtls_records\":%ld,\"datagrams\":%ld,\"syscalls\":%ld,\"refused_syscalls\":%ld}\n",
           ssrc, srtp_clock, t.srtp, t.srtcp, t.stun, t.dtls, t.stun + t.dtls + t.srtp + t.srtcp,
           t.counters.syscalls, t.counters.refused);
    if (close(fd) != 0)
        die_errno("close");
    return 0;
}
