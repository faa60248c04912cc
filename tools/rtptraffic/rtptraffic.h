/* rtptraffic's options and the pieces its subcommands share (see main.c for the tool itself). */
#ifndef RTPSCOPE_TOOLS_RTPTRAFFIC_H
#define RTPSCOPE_TOOLS_RTPTRAFFIC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/endpoint.h"
#include "common/options.h"

#define MAX_BATCH 1024       /* sendmmsg/recvmmsg vector length */
#define MAX_STREAMS 10000    /* streams: concurrent streams */
#define MAX_SOCKETS 256      /* streams: sockets they are spread over */

/* One table for all subcommands; each subcommand reads the ones it needs. */
typedef struct {
    const char *to, *from, *bind, *syscall_name, *comm, *ready_file;
    const char *interface_name; /* frames: the interface written to */
    long count, batch, ptime_ms, payload_type, clock_rate, payload_bytes, timeout_ms;
    long ssrc_every; /* blast: a new SSRC every this many packets (0: one SSRC) */
    long streams, sockets, churn_ms; /* streams: concurrent streams, sockets they share, churn period */
    double seconds;
    uint32_t ssrc;
    uint16_t seq_start;
    number_list drops, dups, reorders;      /* sequence numbers */
    number_list jitter_pattern;             /* milliseconds */
    bool no_pace;
} options;

/* The subcommands: each prints one JSON object on stdout and returns the exit status. */
int cmd_send(const options *o);
int cmd_recv(const options *o);
int cmd_blast(const options *o);
int cmd_rtcp(const options *o);
int cmd_webrtc(const options *o);
int cmd_streams(const options *o);
int cmd_frames(const options *o);

/* process.c: what every subcommand does around its traffic. */
void require(const void *value, const char *option, const char *subcommand);
void require_count(const options *o, const char *subcommand);
/* Set before any socket exists so that every traced syscall already carries the test's name. */
void apply_comm(const options *o);
/* {"cmd":SUBCOMMAND,"pid":…,"comm":…  — the opening of every report (the caller closes it). */
void print_process_identity(const char *subcommand);

/* sending.c: the send syscalls and their accounting. */
typedef enum { SEND_SENDTO, SEND_SENDMSG, SEND_SENDMSG_CONNECTED, SEND_SEND_CONNECTED, SEND_SENDMMSG } send_syscall;

send_syscall parse_send_syscall(const char *name);
bool is_connected(send_syscall s);

typedef struct {
    long syscalls;
    long refused; /* calls that failed with ECONNREFUSED and were repeated */
} send_counters;

/* sendmmsg of messages[0..count): it may send only a prefix, so the rest goes in further calls. */
int send_all_messages(int fd, struct mmsghdr *messages, int count, send_counters *counters);
/* send() on a connected socket, repeated after ECONNREFUSED. */
void send_datagram(int fd, const uint8_t *data, size_t length, send_counters *counters);

/* One RTP packet to put on the wire, and when (relative to the start of the stream). */
typedef struct {
    uint16_t seq;
    uint32_t timestamp;
    int64_t planned_ns;
} wire_packet;

typedef struct {
    int fd;
    send_syscall kind;
    const endpoint *peer;
    uint8_t payload_type;
    uint32_t ssrc;
    long payload_bytes;
} rtp_sender;

/* Sends packets[0..count) in one syscall (count > 1 only for sendmmsg); returns datagrams sent. */
int send_rtp(const rtp_sender *s, const wire_packet *packets, int count, send_counters *counters);

#endif
