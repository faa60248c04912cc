/* rtptraffic send: paced RTP through a chosen send syscall, with injected drops, duplicates,
 * reordering and send-time jitter; reports what went on the wire and the RFC 3550 jitter to expect. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/endpoint.h"
#include "common/fail.h"
#include "common/jitter.h"
#include "common/json.h"
#include "rtptraffic.h"

typedef struct {
    wire_packet *packets;
    int count;
} wire_plan;

/*
 * Packet i of the stream owns time slot i: i*ptime + jitter_pattern[i % n]. A --reorder SEQ
 * swaps the contents of SEQ's slot with the next one (SEQ goes out one ptime late), a --drop
 * empties the slot, a --dup sends the packet a second time right after the first. Planned
 * times never go backwards: a sender cannot send earlier than its previous send.
 */
static wire_plan plan_stream(const options *o)
{
    int slots = (int)o->count;
    uint32_t ts_step = (uint32_t)(o->clock_rate * o->ptime_ms / 1000);
    wire_packet *slot = calloc((size_t)slots + 1, sizeof *slot);
    wire_packet *wire = calloc((size_t)slots * 2 + 1, sizeof *wire);
    if (!slot || !wire)
        die_errno("calloc");

    for (int i = 0; i < slots; i++) {
        int offset_ms = o->jitter_pattern.count ? (int)o->jitter_pattern.values[i % o->jitter_pattern.count] : 0;
        slot[i].seq = (uint16_t)(o->seq_start + i);
        slot[i].timestamp = 0x10000000u + (uint32_t)i * ts_step;
        slot[i].planned_ns = ((int64_t)i * o->ptime_ms + offset_ms) * NS_PER_MS;
    }
    for (int r = 0; r < o->reorders.count; r++) {
        for (int i = 0; i + 1 < slots; i++) {
            if (slot[i].seq != o->reorders.values[r])
                continue;
            wire_packet moved = slot[i];
            slot[i].seq = slot[i + 1].seq;
            slot[i].timestamp = slot[i + 1].timestamp;
            slot[i + 1].seq = moved.seq;
            slot[i + 1].timestamp = moved.timestamp;
            break;
        }
    }
    int n = 0;
    int64_t latest = 0;
    for (int i = 0; i < slots; i++) {
        if (number_list_contains(&o->drops, slot[i].seq))
            continue;
        if (slot[i].planned_ns < latest)
            slot[i].planned_ns = latest;
        latest = slot[i].planned_ns;
        wire[n++] = slot[i];
        if (number_list_contains(&o->dups, slot[i].seq))
            wire[n++] = slot[i];
    }
    free(slot);
    return (wire_plan){ wire, n };
}

int cmd_send(const options *o)
{
    require(o->to, "--to ADDR:PORT", "send");
    require_count(o, "send");
    /* One sequence-number cycle at most: --drop/--dup/--reorder name seqs unambiguously and
       expected_lost needs no extended sequence numbers. blast is the load generator. */
    if (o->count > 65536)
        die("send: --count at most 65536 (one sequence cycle; use blast for load)");
    send_syscall kind = parse_send_syscall(o->syscall_name);
    endpoint peer = parse_endpoint(o->to, "--to", PORT_ZERO_ALLOWED);
    long batch = kind == SEND_SENDMMSG ? o->batch : 1;

    apply_comm(o);
    int fd = open_udp_socket(&peer);
    if (o->from) {
        endpoint local = parse_endpoint(o->from, "--from", PORT_ZERO_ALLOWED);
        bind_or_die(fd, &local);
    }
    if (is_connected(kind))
        connect_or_die(fd, &peer);

    wire_plan plan = plan_stream(o);
    rtp_sender sender = { fd, kind, &peer, (uint8_t)o->payload_type, o->ssrc, o->payload_bytes };
    jitter_estimator planned = { 0 }, actual = { 0 };
    send_counters counters = { 0 };
    long datagrams = 0;
    int64_t began = now_ns();
    int64_t start = began + 5 * NS_PER_MS; /* a little slack so slot 0 is not already late */

    /* A batch goes out at the planned time of its first packet, like a batching media sender. */
    for (int first = 0; first < plan.count; first += (int)batch) {
        int n = plan.count - first < batch ? plan.count - first : (int)batch;
        if (!o->no_pace)
            sleep_until_ns(start + plan.packets[first].planned_ns);
        int64_t sent_at = now_ns();
        datagrams += send_rtp(&sender, &plan.packets[first], n, &counters);
        for (int i = first; i < first + n; i++) {
            jitter_update(&planned, start + plan.packets[first].planned_ns, plan.packets[i].timestamp, o->clock_rate);
            jitter_update(&actual, sent_at, plan.packets[i].timestamp, o->clock_rate);
        }
    }
    double seconds = (double)(now_ns() - began) / 1e9;

    /* RFC 3550 A.3: lost = expected (highest - base + 1) - received, duplicates included. With
       at most one cycle, seq - seq_start is the extended sequence number. */
    long extended_span = 0;
    if (plan.count > 0) {
        long lowest = 65536, highest = -1;
        for (int i = 0; i < plan.count; i++) {
            long extended = (uint16_t)(plan.packets[i].seq - o->seq_start);
            if (extended < lowest) lowest = extended;
            if (extended > highest) highest = extended;
        }
        extended_span = highest - lowest + 1;
    }

    char local[64], remote[64];
    local_endpoint_text(fd, local, sizeof local);
    format_endpoint(&peer.storage, remote, sizeof remote);

    print_process_identity("send");
    printf(",\"syscall\":\"%s\",", o->syscall_name ? o->syscall_name : "sendto");
    print_json_string("local", local);
    putchar(',');
    print_json_string("remote", remote);
    printf(",\"ssrc\":%" PRIu32 ",\"payload_type\":%ld,\"clock_rate\":%ld,\"generated\":%ld,"
           "\"packets\":%ld,\"datagrams\":%ld,\"syscalls\":%ld,\"refused_syscalls\":%ld,\"expected_lost\":%ld,",
           o->ssrc, o->payload_type, o->clock_rate, o->count, datagrams, datagrams, counters.syscalls,
           counters.refused, extended_span - datagrams);
    print_json_number_array("dropped", &o->drops);
    putchar(',');
    print_json_number_array("duplicated", &o->dups);
    putchar(',');
    print_json_number_array("reordered", &o->reorders);
    if (o->no_pace)
        printf(",\"expected_jitter_ms\":null");
    else
        printf(",\"expected_jitter_ms\":%.4f", jitter_ms(&planned, o->clock_rate));
    printf(",\"measured_jitter_ms\":%.4f,\"seconds\":%.3f}\n", jitter_ms(&actual, o->clock_rate), seconds);

    free(plan.packets);
    if (close(fd) != 0)
        die_errno("close");
    return 0;
}
