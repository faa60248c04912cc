/* rtptraffic blast: an unpaced full-speed sender (benchmark, ring-buffer overload); --ssrc-every
 * makes it a flood of short streams. */
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
#include "rtptraffic.h"

int cmd_blast(const options *o)
{
    require(o->to, "--to ADDR:PORT", "blast");
    require_count(o, "blast");
    send_syscall kind = parse_send_syscall(o->syscall_name);
    if (kind != SEND_SENDTO && kind != SEND_SENDMMSG)
        die("blast: --syscall must be sendto or sendmmsg");
    endpoint peer = parse_endpoint(o->to, "--to", PORT_ZERO_ALLOWED);
    long batch = kind == SEND_SENDMMSG ? o->batch : 1;

    apply_comm(o);
    int fd = open_udp_socket(&peer);
    rtp_sender sender = { fd, kind, &peer, (uint8_t)o->payload_type, o->ssrc, o->payload_bytes };
    wire_packet packets[MAX_BATCH];
    uint32_t ts_step = (uint32_t)(o->clock_rate * o->ptime_ms / 1000);
    send_counters counters = { 0 };
    long sent = 0;
    int64_t start = now_ns();
    int64_t stop = start + (int64_t)(o->seconds * 1e9); /* --seconds bounds the run, --count the load */

    while (sent < o->count && now_ns() < stop) {
        int n = (int)(o->count - sent < batch ? o->count - sent : batch);
        if (o->ssrc_every) {
            /* One SSRC per batch, so a batch never straddles two streams. */
            sender.ssrc = o->ssrc + (uint32_t)(sent / o->ssrc_every);
            if (n > o->ssrc_every - sent % o->ssrc_every)
                n = (int)(o->ssrc_every - sent % o->ssrc_every);
        }
        for (int i = 0; i < n; i++) {
            packets[i].seq = (uint16_t)(o->seq_start + sent + i);
            packets[i].timestamp = (uint32_t)(sent + i) * ts_step;
        }
        sent += send_rtp(&sender, packets, n, &counters);
    }
    double seconds = (double)(now_ns() - start) / 1e9;

    char local[64];
    local_endpoint_text(fd, local, sizeof local);
    print_process_identity("blast");
    printf(",\"syscall\":\"%s\",", o->syscall_name ? o->syscall_name : "sendto");
    print_json_string("local", local);
    printf(",\"ssrc\":%" PRIu32 ",\"ssrcs\":%ld,\"packets\":%ld,\"datagrams\":%ld,\"syscalls\":%ld,\"seconds\":%.6f,"
           "\"ns_per_send\":%.1f,\"ns_per_packet\":%.1f,\"stopped_by_time\":%s}\n",
           o->ssrc, o->ssrc_every ? (sent + o->ssrc_every - 1) / o->ssrc_every : 1, sent, sent, counters.syscalls, seconds,
           counters.syscalls ? seconds * 1e9 / (double)counters.syscalls : 0.0,
           sent ? seconds * 1e9 / (double)sent : 0.0, sent < o->count ? "true" : "false");
    if (close(fd) != 0)
        die_errno("close");
    return 0;
}
