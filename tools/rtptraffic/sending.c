#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/fail.h"
#include "common/packets.h"
#include "rtptraffic.h"

send_syscall parse_send_syscall(const char *name)
{
    if (!name || strcmp(name, "sendto") == 0) return SEND_SENDTO;
    if (strcmp(name, "sendmsg") == 0) return SEND_SENDMSG;
    if (strcmp(name, "sendmsg-connected") == 0) return SEND_SENDMSG_CONNECTED;
    if (strcmp(name, "send-connected") == 0) return SEND_SEND_CONNECTED;
    if (strcmp(name, "sendmmsg") == 0) return SEND_SENDMMSG;
    die("--syscall: '%s' is not sendto|sendmsg|sendmsg-connected|send-connected|sendmmsg", name);
}

bool is_connected(send_syscall s)
{
    return s == SEND_SENDMSG_CONNECTED || s == SEND_SEND_CONNECTED;
}

/*
 * A connected UDP socket reports an earlier ICMP port-unreachable as ECONNREFUSED on the next
 * send, which then sends nothing; reporting clears the error, so the send is simply repeated.
 * Returns true when the call should be repeated, dies on any other error.
 */
static bool should_retry_send(ssize_t rc, const char *call, send_counters *counters)
{
    counters->syscalls++;
    if (rc >= 0)
        return false;
    if (errno == ECONNREFUSED && counters->refused < 1000000) {
        counters->refused++;
        return true;
    }
    die_errno(call);
}

int send_all_messages(int fd, struct mmsghdr *messages, int count, send_counters *counters)
{
    int sent = 0;
    while (sent < count) {
        int n = sendmmsg(fd, messages + sent, (unsigned)(count - sent), 0);
        if (!should_retry_send(n, "sendmmsg", counters))
            sent += n;
    }
    return sent;
}

void send_datagram(int fd, const uint8_t *data, size_t length, send_counters *counters)
{
    while (should_retry_send(send(fd, data, length, 0), "send", counters))
        ;
}

static size_t build_rtp_packet(const rtp_sender *s, const wire_packet *p, uint8_t *buffer)
{
    size_t length = write_rtp_header(buffer, s->payload_type, false, p->seq, p->timestamp, s->ssrc);
    memset(buffer + length, 0xd5, (size_t)s->payload_bytes); /* PCMU silence */
    return length + (size_t)s->payload_bytes;
}

int send_rtp(const rtp_sender *s, const wire_packet *packets, int count, send_counters *counters)
{
    static uint8_t buffers[MAX_BATCH][MAX_DATAGRAM];
    struct iovec iov[MAX_BATCH];
    struct mmsghdr messages[MAX_BATCH];
    memset(messages, 0, sizeof(struct mmsghdr) * (size_t)count);

    for (int i = 0; i < count; i++) {
        iov[i].iov_base = buffers[i];
        iov[i].iov_len = build_rtp_packet(s, &packets[i], buffers[i]);
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        if (!is_connected(s->kind)) {
            messages[i].msg_hdr.msg_name = (void *)&s->peer->storage;
            messages[i].msg_hdr.msg_namelen = s->peer->length;
        }
    }
    const struct sockaddr *to = (const struct sockaddr *)&s->peer->storage;
    switch (s->kind) {
    case SEND_SENDTO:
        while (should_retry_send(sendto(s->fd, iov[0].iov_base, iov[0].iov_len, 0, to, s->peer->length), "sendto", counters))
            ;
        return 1;
    case SEND_SEND_CONNECTED:
        send_datagram(s->fd, iov[0].iov_base, iov[0].iov_len, counters);
        return 1;
    case SEND_SENDMSG:
    case SEND_SENDMSG_CONNECTED:
        while (should_retry_send(sendmsg(s->fd, &messages[0].msg_hdr, 0), "sendmsg", counters))
            ;
        return 1;
    case SEND_SENDMMSG:
        return send_all_messages(s->fd, messages, count, counters);
    }
    die("unreachable send syscall");
}
