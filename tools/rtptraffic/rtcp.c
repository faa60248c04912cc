/* rtptraffic rtcp: a sender's RTP with sender reports, and a receiver's report about it, on one
 * 5-tuple (rtcp-mux), so that the monitor's RTT, reported loss and jitter have known values. */
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

int cmd_rtcp(const options *o)
{
    require(o->to, "--to ADDR:PORT", "rtcp");
    require_count(o, "rtcp");
    endpoint peer = parse_endpoint(o->to, "--to", PORT_ZERO_ALLOWED);
    apply_comm(o);
    int fd = open_udp_socket(&peer);
    connect_or_die(fd, &peer);
    const uint32_t sender = o->ssrc, receiver = o->ssrc + 1;
    const uint32_t ts_step = (uint32_t)(o->clock_rate * o->ptime_ms / 1000);
    /* What the RR states: 25 % of the interval lost, 3 in all, jitter 80 units, answered 10 ms
       (655/65536 s) after the SR arrived. The monitor's RTT is then (RR send − SR send) − 10 ms. */
    const uint32_t delay_since_sr = 655, jitter_units = 80, cumulative_lost = 3;
    uint8_t packet[MAX_DATAGRAM];
    send_counters counters = { 0 };
    long rtp = 0, sender_reports = 0, receiver_reports = 0;
    uint32_t last_sr = 0;
    int64_t start = now_ns();
    for (long i = 0; i < o->count; i++) {
        if (!o->no_pace)
            sleep_until_ns(start + i * o->ptime_ms * NS_PER_MS);
        size_t length = write_rtp_header(packet, (uint8_t)o->payload_type, false, (uint16_t)(o->seq_start + i),
                                         (uint32_t)i * ts_step, sender);
        memset(packet + length, 0xd5, (size_t)o->payload_bytes);
        send_datagram(fd, packet, length + (size_t)o->payload_bytes, &counters);
        rtp++;
        if (i % 25 == 0) {
            uint64_t ntp = ntp_now();
            last_sr = (uint32_t)(ntp >> 16);
            send_datagram(fd, packet, build_sender_report(packet, sender, ntp, (uint32_t)i * ts_step, (uint32_t)rtp,
                                                          (uint32_t)(rtp * o->payload_bytes)), &counters);
            sender_reports++;
        } else if (i % 25 == 1) {
            send_datagram(fd, packet, build_receiver_report(packet, receiver, sender, 64, cumulative_lost,
                                                            (uint32_t)(o->seq_start + i), jitter_units, last_sr,
                                                            delay_since_sr), &counters);
            receiver_reports++;
        }
    }
    char local[64];
    local_endpoint_text(fd, local, sizeof local);
    print_process_identity("rtcp");
    putchar(',');
    print_json_string("local", local);
    printf(",\"ssrc\":%" PRIu32 ",\"receiver_ssrc\":%" PRIu32 ",\"rtp_packets\":%ld,\"sender_reports\":%ld,"
           "\"receiver_reports\":%ld,\"syscalls\":%ld}\n",
           sender, receiver, rtp, sender_reports, receiver_reports, counters.syscalls);
    if (close(fd) != 0)
        die_errno("close");
    return 0;
}
