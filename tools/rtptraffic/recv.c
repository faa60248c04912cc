/* rtptraffic recv: receives through a chosen receive syscall (after poll) and reports what arrived;
 * --ready-file tells a test that the socket is bound. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/endpoint.h"
#include "common/fail.h"
#include "common/json.h"
#include "common/packets.h"
#include "rtptraffic.h"

typedef enum { RECV_RECVFROM, RECV_RECVMSG, RECV_RECVMMSG } recv_syscall;

static recv_syscall parse_recv_syscall(const char *name)
{
    if (!name || strcmp(name, "recvfrom") == 0) return RECV_RECVFROM;
    if (strcmp(name, "recvmsg") == 0) return RECV_RECVMSG;
    if (strcmp(name, "recvmmsg") == 0) return RECV_RECVMMSG;
    die("--syscall: '%s' is not recvfrom|recvmsg|recvmmsg", name);
}

typedef struct {
    long datagrams, rtp_packets, syscalls;
} recv_totals;

/* One receive syscall (after poll said the socket is readable). */
static void receive_once(int fd, recv_syscall kind, long batch, recv_totals *totals)
{
    static uint8_t buffers[MAX_BATCH][MAX_DATAGRAM];
    struct sockaddr_storage from[MAX_BATCH];
    struct iovec iov[MAX_BATCH];
    struct mmsghdr messages[MAX_BATCH];
    int n = kind == RECV_RECVMMSG ? (int)batch : 1;
    memset(messages, 0, sizeof(struct mmsghdr) * (size_t)n);
    for (int i = 0; i < n; i++) {
        iov[i] = (struct iovec){ buffers[i], MAX_DATAGRAM };
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_name = &from[i];
        messages[i].msg_hdr.msg_namelen = sizeof from[i];
    }

    int received;
    totals->syscalls++;
    if (kind == RECV_RECVFROM) {
        socklen_t from_length = sizeof from[0];
        ssize_t rc = recvfrom(fd, buffers[0], MAX_DATAGRAM, 0, (struct sockaddr *)&from[0], &from_length);
        if (rc < 0) die_errno("recvfrom");
        messages[0].msg_len = (unsigned)rc;
        received = 1;
    } else if (kind == RECV_RECVMSG) {
        ssize_t rc = recvmsg(fd, &messages[0].msg_hdr, 0);
        if (rc < 0) die_errno("recvmsg");
        messages[0].msg_len = (unsigned)rc;
        received = 1;
    } else {
        /* MSG_WAITFORONE: return what is queued instead of waiting for a full batch. */
        received = recvmmsg(fd, messages, (unsigned)n, MSG_WAITFORONE, NULL);
        if (received < 0) die_errno("recvmmsg");
    }
    for (int i = 0; i < received; i++) {
        totals->datagrams++;
        if (looks_like_rtp(buffers[i], messages[i].msg_len))
            totals->rtp_packets++;
    }
}

static void write_ready_file(const char *path, const char *local)
{
    FILE *f = fopen(path, "w");
    if (!f) die_errno("fopen(--ready-file)");
    if (fprintf(f, "%s\n", local) < 0 || fclose(f) != 0)
        die_errno("writing --ready-file");
}

int cmd_recv(const options *o)
{
    require(o->bind, "--bind ADDR:PORT", "recv");
    require_count(o, "recv");
    recv_syscall kind = parse_recv_syscall(o->syscall_name);
    endpoint local_ep = parse_endpoint(o->bind, "--bind", PORT_ZERO_ALLOWED);

    apply_comm(o);
    int fd = open_udp_socket(&local_ep);
    int size = 4 * 1024 * 1024; /* room for a burst; the kernel caps it at rmem_max */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0)
        die_errno("setsockopt(SO_RCVBUF)");
    bind_or_die(fd, &local_ep);
    char local[64];
    local_endpoint_text(fd, local, sizeof local);
    if (o->ready_file)
        write_ready_file(o->ready_file, local);

    recv_totals totals = { 0 };
    int64_t deadline = now_ns() + o->timeout_ms * NS_PER_MS;
    bool timed_out = false;
    while (totals.datagrams < o->count) {
        int64_t remaining_ms = (deadline - now_ns()) / NS_PER_MS;
        if (remaining_ms <= 0) { timed_out = true; break; }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int rc = poll(&p, 1, (int)remaining_ms);
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) die_errno("poll");
        if (rc == 0) { timed_out = true; break; }
        receive_once(fd, kind, o->batch, &totals);
    }

    print_process_identity("recv");
    printf(",\"syscall\":\"%s\",", o->syscall_name ? o->syscall_name : "recvfrom");
    print_json_string("local", local);
    printf(",\"received\":%ld,\"rtp_packets\":%ld,\"syscalls\":%ld,\"timed_out\":%s}\n",
           totals.datagrams, totals.rtp_packets, totals.syscalls, timed_out ? "true" : "false");
    if (close(fd) != 0)
        die_errno("close");
    return 0;
}
