/* rtptraffic frames: one RTP stream as whole Ethernet frames written to an interface through a
 * packet socket (sendmmsg, qdisc bypassed), addressed to a MAC nobody has: what a mirror (SPAN)
 * port delivers to a capture host. The receiving kernel drops each frame right after the packet
 * taps (PACKET_OTHERHOST), so the cost per packet is the link and the capture, not a UDP stack;
 * the load generator for `monitor --interface` (tools/bench.py --only interface). IPv4 only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/endpoint.h"
#include "common/fail.h"
#include "common/packets.h"
#include "rtptraffic.h"

enum { ETHERNET_BYTES = 14, IPV4_BYTES = 20, UDP_BYTES = 8 };

static uint16_t ipv4_checksum(const uint8_t *header)
{
    uint32_t sum = 0;
    for (int i = 0; i < IPV4_BYTES; i += 2)
        sum += (uint32_t)header[i] << 8 | header[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static const struct sockaddr_in *ipv4(const endpoint *e, const char *option)
{
    if (e->storage.ss_family != AF_INET)
        die("frames: %s must be an IPv4 ADDR:PORT", option);
    return (const struct sockaddr_in *)&e->storage;
}

int cmd_frames(const options *o)
{
    require(o->interface_name, "--interface IF", "frames");
    require(o->to, "--to ADDR:PORT", "frames");
    require(o->from, "--from ADDR:PORT", "frames");
    require_count(o, "frames");
    endpoint to = parse_endpoint(o->to, "--to", PORT_ZERO_REJECTED);
    endpoint from = parse_endpoint(o->from, "--from", PORT_ZERO_REJECTED);
    const struct sockaddr_in *destination = ipv4(&to, "--to"), *source = ipv4(&from, "--from");
    unsigned index = if_nametoindex(o->interface_name);
    if (index == 0)
        die("frames: no interface %s", o->interface_name);

    apply_comm(o);
    int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: sends only, receives nothing */
    if (fd < 0)
        die_errno("socket(AF_PACKET)");
    int one = 1;
    /* Straight to the driver: the qdisc would only add a lock and a queue per frame. */
    if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) != 0)
        die_errno("setsockopt(PACKET_QDISC_BYPASS)");
    struct sockaddr_ll link = { .sll_family = AF_PACKET, .sll_ifindex = (int)index, .sll_halen = ETH_ALEN };

    long batch = o->batch;
    size_t rtp_bytes = RTP_HEADER_BYTES + (size_t)o->payload_bytes;
    size_t frame_bytes = ETHERNET_BYTES + IPV4_BYTES + UDP_BYTES + rtp_bytes;
    static uint8_t frames[MAX_BATCH][ETHERNET_BYTES + IPV4_BYTES + UDP_BYTES + MAX_DATAGRAM];
    static struct iovec vectors[MAX_BATCH];
    static struct mmsghdr messages[MAX_BATCH];
    for (long i = 0; i < batch; i++) {
        uint8_t *f = frames[i];
        memset(f, 0, frame_bytes);
        /* Locally administered, unicast: no host on the link has them. */
        memcpy(f, (const uint8_t[]){ 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 }, 6);
        memcpy(f + 6, (const uint8_t[]){ 0x02, 0x00, 0x5e, 0x00, 0x53, 0x02 }, 6);
        put16(f + 12, ETHERTYPE_IP);
        uint8_t *ip = f + ETHERNET_BYTES;
        ip[0] = 0x45;
        put16(ip + 2, (uint16_t)(IPV4_BYTES + UDP_BYTES + rtp_bytes));
        ip[8] = 64;
        ip[9] = IPPROTO_UDP;
        memcpy(ip + 12, &source->sin_addr, 4);
        memcpy(ip + 16, &destination->sin_addr, 4);
        put16(ip + 10, ipv4_checksum(ip));
        uint8_t *udp = ip + IPV4_BYTES;
        memcpy(udp, &source->sin_port, 2);
        memcpy(udp + 2, &destination->sin_port, 2);
        put16(udp + 4, (uint16_t)(UDP_BYTES + rtp_bytes)); /* checksum 0: none (IPv4) */
        vectors[i] = (struct iovec){ f, frame_bytes };
        messages[i].msg_hdr = (struct msghdr){ .msg_name = &link, .msg_namelen = sizeof link,
                                               .msg_iov = &vectors[i], .msg_iovlen = 1 };
    }

    uint32_t ts_step = (uint32_t)(o->clock_rate * o->ptime_ms / 1000);
    long sent = 0, syscalls = 0;
    int64_t start = now_ns();
    int64_t stop = start + (int64_t)(o->seconds * 1e9);
    while (sent < o->count && now_ns() < stop) {
        int n = (int)(o->count - sent < batch ? o->count - sent : batch);
        for (int i = 0; i < n; i++)
            write_rtp_header(frames[i] + ETHERNET_BYTES + IPV4_BYTES + UDP_BYTES, (uint8_t)o->payload_type, false,
                             (uint16_t)(o->seq_start + sent + i), (uint32_t)(sent + i) * ts_step, o->ssrc);
        int done = 0;
        while (done < n) {
            int r = sendmmsg(fd, messages + done, (unsigned)(n - done), 0);
            syscalls++;
            if (r < 0)
                die_errno("sendmmsg(AF_PACKET)");
            done += r;
        }
        sent += n;
    }
    double seconds = (double)(now_ns() - start) / 1e9;
    close(fd);

    print_process_identity("frames");
    printf(",\"interface\":\"%s\",\"ssrc\":%" PRIu32 ",\"packets\":%ld,\"syscalls\":%ld,\"seconds\":%.6f,"
           "\"ns_per_packet\":%.1f,\"stopped_by_time\":%s}\n",
           o->interface_name, o->ssrc, sent, syscalls, seconds, sent ? seconds * 1e9 / (double)sent : 0.0,
           sent < o->count ? "true" : "false");
    return 0;
}
