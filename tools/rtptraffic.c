/*
 * rtptraffic: RTP test traffic with exactly known impairments, for the end-to-end tests of
 * `rtpscope monitor` and for its benchmark.
 *
 *   send    paced RTP through a chosen send syscall, with injected drops/duplicates/reordering
 *           and send-time jitter; reports what went on the wire and the RFC 3550 jitter to expect
 *   recv    receives through a chosen receive syscall; reports what arrived
 *   blast   unpaced full-speed sender (benchmark / ring-buffer overload)
 *   rtcp    RTP with sender reports and a receiver report about it (RTT, reported loss/jitter)
 *   webrtc  one socket multiplexing STUN, DTLS, SRTP and SRTCP (RFC 7983): only SRTP is a stream
 *   streams many concurrent paced streams over several sockets, with churn (the soak's load)
 *
 * Every subcommand prints exactly one JSON object on stdout when it finishes (recv can also
 * write a "ready" file once bound so that a test starts senders only after that). Exit status:
 * 0 done (recv also when it timed out: see "timed_out"), 1 a failed call or bad option, 2 usage.
 *
 * send's JSON: pid, comm, syscall, local (getsockname after sending), remote, ssrc (integer),
 *   payload_type, clock_rate, generated (--count), packets = datagrams (what went on the wire:
 *   duplicates in, drops out), syscalls, refused_syscalls (ECONNREFUSED, repeated),
 *   expected_lost (RFC 3550 A.3: highest - base + 1 - received, so a duplicate hides a loss),
 *   dropped/duplicated/reordered (the seqs given), expected_jitter_ms (RFC 3550 A.8 over the
 *   planned send times; null with --no-pace), measured_jitter_ms (over the times read just
 *   before each send syscall), seconds.
 * recv's JSON: pid, comm, syscall, local, received (datagrams), rtp_packets (version 2, not
 *   RTCP), syscalls, timed_out.
 * blast's JSON: pid, comm, syscall, local, ssrc, packets, datagrams, syscalls, seconds,
 *   ns_per_send (per syscall), ns_per_packet, stopped_by_time.
 * webrtc's JSON: pid, comm, local, remote, ssrc, payload_type (111), clock_rate (48000),
 *   srtp_packets, srtcp_packets, stun_packets, dtls_records, datagrams, syscalls.
 * streams's JSON: pid, comm, streams, sockets, packets (= datagrams), syscalls, churns,
 *   streams_started, late_ticks (ticks begun more than one ptime late), max_lateness_ms, seconds.
 *
 * Build: cc -Wall -Wextra -O2 -o build/rtptraffic tools/rtptraffic.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rtp_header.h"

#define MAX_DATAGRAM 1500
#define MAX_LIST 4096        /* longest --drop/--dup/--reorder/--jitter-pattern list */
#define MAX_BATCH 1024       /* sendmmsg/recvmmsg vector length */
#define MAX_STREAMS 10000    /* streams: concurrent streams */
#define MAX_SOCKETS 256      /* streams: sockets they are spread over */

/* ------------------------------------------------------------------------------------------ */
/* Failure reporting: every failed call ends the program with the call and the reason.        */

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rtptraffic: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void die_errno(const char *what) __attribute__((noreturn));
static void die_errno(const char *what)
{
    die("%s failed: %s", what, strerror(errno));
}

/* ------------------------------------------------------------------------------------------ */
/* Time                                                                                        */

static int64_t now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        die_errno("clock_gettime(CLOCK_MONOTONIC)");
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Absolute sleeps keep pacing errors from accumulating over a long stream. */
static void sleep_until_ns(int64_t deadline)
{
    struct timespec ts = { .tv_sec = deadline / 1000000000LL, .tv_nsec = deadline % 1000000000LL };
    int rc;
    while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
        ;
    if (rc != 0) {
        errno = rc;
        die_errno("clock_nanosleep");
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Addresses                                                                                   */

typedef struct {
    struct sockaddr_storage storage;
    socklen_t length;
} endpoint;

/* Accepts "127.0.0.1:5004" and "[::1]:5004". */
static endpoint parse_endpoint(const char *text, const char *option)
{
    endpoint ep;
    memset(&ep, 0, sizeof ep);
    char host[INET6_ADDRSTRLEN + 1];
    const char *port_text;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host)
            die("%s: expected [IPv6]:PORT, got '%s'", option, text);
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        port_text = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host)
            die("%s: expected IPv4:PORT, got '%s'", option, text);
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        port_text = colon + 1;
    }
    char *end;
    long port = strtol(port_text, &end, 10);
    if (*port_text == '\0' || *end != '\0' || port < 0 || port > 65535)
        die("%s: bad port in '%s'", option, text);

    struct sockaddr_in *v4 = (struct sockaddr_in *)&ep.storage;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ep.storage;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        ep.length = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        ep.length = sizeof *v6;
    } else {
        die("%s: '%s' is not an IPv4 or IPv6 address", option, host);
    }
    return ep;
}

/* Same notation as parse_endpoint, so tests can compare it with the monitor's labels. */
static void format_endpoint(const struct sockaddr_storage *sa, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        if (!inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host))
            die_errno("inet_ntop(AF_INET)");
        snprintf(out, size, "%s:%u", host, ntohs(v4->sin_port));
    } else {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        if (!inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host))
            die_errno("inet_ntop(AF_INET6)");
        snprintf(out, size, "[%s]:%u", host, ntohs(v6->sin6_port));
    }
}

static void local_endpoint_text(int fd, char *out, size_t size)
{
    struct sockaddr_storage local;
    socklen_t length = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &length) != 0)
        die_errno("getsockname");
    format_endpoint(&local, out, size);
}

static int open_udp_socket(const endpoint *peer_or_local)
{
    int fd = socket(peer_or_local->storage.ss_family, SOCK_DGRAM, IPPROTO_UDP);
    if (fd < 0)
        die_errno("socket(SOCK_DGRAM)");
    return fd;
}

static void bind_or_die(int fd, const endpoint *local)
{
    if (bind(fd, (const struct sockaddr *)&local->storage, local->length) != 0)
        die_errno("bind");
}

static void connect_or_die(int fd, const endpoint *peer)
{
    if (connect(fd, (const struct sockaddr *)&peer->storage, peer->length) != 0)
        die_errno("connect");
}

/* ------------------------------------------------------------------------------------------ */
/* Options (one table for all subcommands; each subcommand reads the ones it needs)           */

/* A comma-separated list of bounded integers: sequence numbers (--drop/--dup/--reorder) or
 * milliseconds (--jitter-pattern). */
typedef struct {
    long values[MAX_LIST];
    int count;
} number_list;

typedef struct {
    const char *to, *from, *bind, *syscall_name, *comm, *ready_file;
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

static long parse_long(const char *text, const char *option, long min, long max)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 0); /* base 0: accepts 0x… for --ssrc */
    if (errno != 0 || *text == '\0' || *end != '\0' || value < min || value > max)
        die("%s: expected an integer in [%ld, %ld], got '%s'", option, min, max, text);
    return value;
}

static void parse_list(const char *text, number_list *list, const char *option, long min, long max)
{
    char *copy = strdup(text);
    if (!copy)
        die_errno("strdup");
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (list->count == MAX_LIST)
            die("%s: more than %d entries", option, MAX_LIST);
        list->values[list->count++] = parse_long(item, option, min, max);
    }
    free(copy);
}

static bool seq_list_contains(const number_list *list, uint16_t seq)
{
    for (int i = 0; i < list->count; i++)
        if (list->values[i] == seq)
            return true;
    return false;
}

static void usage(void)
{
    fputs(
        "usage: rtptraffic SUBCOMMAND [options]\n"
        "  send   --to ADDR:PORT [--from ADDR:PORT] --syscall sendto|sendmsg|sendmsg-connected|\n"
        "         send-connected|sendmmsg [--batch N] --count N [--ptime-ms 20] [--pt 0]\n"
        "         [--clock 8000] [--ssrc 0x...] [--seq-start N] [--payload-bytes 160]\n"
        "         [--drop SEQ,...] [--dup SEQ,...] [--reorder SEQ,...] [--jitter-pattern MS,...]\n"
        "         [--no-pace]\n"
        "  recv   --bind ADDR:PORT --syscall recvfrom|recvmsg|recvmmsg [--batch N] --count N\n"
        "         [--timeout-ms T] [--ready-file PATH]\n"
        "  blast  --to ADDR:PORT --count N [--syscall sendto|sendmmsg] [--batch N] [--seconds S]\n"
        "         [--ssrc-every N] (a flood of short streams: a new SSRC every N packets)\n"
        "  webrtc --to ADDR:PORT --count N [--from ADDR:PORT] [--ptime-ms 20] [--no-pace]\n"
        "  rtcp   --to ADDR:PORT --count N [--ptime-ms 20]: RTP + SR from --ssrc, RR about it\n"
        "         from --ssrc+1 (10 ms after each SR, stating DLSR 10 ms): RTT ~10 ms\n"
        "  streams --to ADDR:PORT --streams N --seconds S [--sockets 10] [--ptime-ms 20]\n"
        "         [--batch 8] [--churn-ms MS]: N paced streams spread over the sockets, sent\n"
        "         with sendmmsg; every MS one socket is closed and reopened (a new local port)\n"
        "         and its streams restart with new SSRCs (0: no churn)\n"
        "  every subcommand: --comm NAME (process name via prctl(PR_SET_NAME))\n"
        "  ADDR:PORT is 127.0.0.1:5004 or [::1]:5004\n",
        stderr);
    exit(2);
}

static options parse_options(int argc, char **argv)
{
    options o = {
        .count = -1, .batch = 8, .ptime_ms = 20, .payload_type = 0, .clock_rate = 8000,
        .payload_bytes = 160, .timeout_ms = 10000, .seconds = 10.0, .ssrc = 0x5eed0001, .seq_start = 1000,
        .sockets = 10,
    };
    enum { O_TO = 1, O_FROM, O_BIND, O_SYSCALL, O_BATCH, O_COUNT, O_PTIME, O_PT, O_CLOCK, O_SSRC,
           O_SEQ_START, O_PAYLOAD, O_DROP, O_DUP, O_REORDER, O_JITTER, O_NO_PACE, O_TIMEOUT,
           O_SECONDS, O_COMM, O_READY, O_SSRC_EVERY, O_STREAMS, O_SOCKETS, O_CHURN };
    static const struct option table[] = {
        { "to", required_argument, 0, O_TO },          { "from", required_argument, 0, O_FROM },
        { "bind", required_argument, 0, O_BIND },      { "syscall", required_argument, 0, O_SYSCALL },
        { "batch", required_argument, 0, O_BATCH },    { "count", required_argument, 0, O_COUNT },
        { "ptime-ms", required_argument, 0, O_PTIME }, { "pt", required_argument, 0, O_PT },
        { "clock", required_argument, 0, O_CLOCK },    { "ssrc", required_argument, 0, O_SSRC },
        { "seq-start", required_argument, 0, O_SEQ_START },
        { "payload-bytes", required_argument, 0, O_PAYLOAD },
        { "drop", required_argument, 0, O_DROP },      { "dup", required_argument, 0, O_DUP },
        { "reorder", required_argument, 0, O_REORDER },
        { "jitter-pattern", required_argument, 0, O_JITTER },
        { "no-pace", no_argument, 0, O_NO_PACE },      { "timeout-ms", required_argument, 0, O_TIMEOUT },
        { "seconds", required_argument, 0, O_SECONDS }, { "comm", required_argument, 0, O_COMM },
        { "ready-file", required_argument, 0, O_READY },
        { "ssrc-every", required_argument, 0, O_SSRC_EVERY },
        { "streams", required_argument, 0, O_STREAMS }, { "sockets", required_argument, 0, O_SOCKETS },
        { "churn-ms", required_argument, 0, O_CHURN }, { 0, 0, 0, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "", table, NULL)) != -1) {
        switch (c) {
        case O_TO: o.to = optarg; break;
        case O_FROM: o.from = optarg; break;
        case O_BIND: o.bind = optarg; break;
        case O_SYSCALL: o.syscall_name = optarg; break;
        case O_BATCH: o.batch = parse_long(optarg, "--batch", 1, MAX_BATCH); break;
        case O_COUNT: o.count = parse_long(optarg, "--count", 0, 100000000); break;
        case O_PTIME: o.ptime_ms = parse_long(optarg, "--ptime-ms", 1, 10000); break;
        case O_PT: o.payload_type = parse_long(optarg, "--pt", 0, 127); break;
        case O_CLOCK: o.clock_rate = parse_long(optarg, "--clock", 1, 10000000); break;
        case O_SSRC: o.ssrc = (uint32_t)parse_long(optarg, "--ssrc", 0, 0xffffffffL); break;
        case O_SEQ_START: o.seq_start = (uint16_t)parse_long(optarg, "--seq-start", 0, 65535); break;
        case O_PAYLOAD:
            o.payload_bytes = parse_long(optarg, "--payload-bytes", 0, MAX_DATAGRAM - RTP_HEADER_BYTES);
            break;
        case O_DROP: parse_list(optarg, &o.drops, "--drop", 0, 65535); break;
        case O_DUP: parse_list(optarg, &o.dups, "--dup", 0, 65535); break;
        case O_REORDER: parse_list(optarg, &o.reorders, "--reorder", 0, 65535); break;
        case O_JITTER: parse_list(optarg, &o.jitter_pattern, "--jitter-pattern", 0, 10000); break;
        case O_NO_PACE: o.no_pace = true; break;
        case O_SSRC_EVERY: o.ssrc_every = parse_long(optarg, "--ssrc-every", 1, 1000000); break;
        case O_STREAMS: o.streams = parse_long(optarg, "--streams", 1, MAX_STREAMS); break;
        case O_SOCKETS: o.sockets = parse_long(optarg, "--sockets", 1, MAX_SOCKETS); break;
        case O_CHURN: o.churn_ms = parse_long(optarg, "--churn-ms", 0, 3600000); break;
        case O_TIMEOUT: o.timeout_ms = parse_long(optarg, "--timeout-ms", 0, 3600000); break;
        case O_SECONDS:
            o.seconds = strtod(optarg, NULL);
            if (!(o.seconds > 0 && o.seconds <= 3600))
                die("--seconds: expected (0, 3600], got '%s'", optarg);
            break;
        case O_COMM:
            /* The kernel would silently cut it, and a test filtering on the full name would
               then see nothing. */
            if (strlen(optarg) == 0 || strlen(optarg) > 15)
                die("--comm: 1 to 15 bytes (TASK_COMM_LEN - 1), got '%s'", optarg);
            o.comm = optarg;
            break;
        case O_READY: o.ready_file = optarg; break;
        default: usage();
        }
    }
    if (optind != argc)
        die("unexpected argument '%s'", argv[optind]);
    return o;
}

static void require(const void *value, const char *option, const char *subcommand)
{
    if (!value)
        die("%s needs %s", subcommand, option);
}

static void require_count(const options *o, const char *subcommand)
{
    if (o->count < 0)
        die("%s needs --count N", subcommand);
}

/* Set before any socket exists so that every traced syscall already carries the test's name. */
static void apply_comm(const options *o)
{
    if (o->comm && prctl(PR_SET_NAME, o->comm, 0, 0, 0) != 0)
        die_errno("prctl(PR_SET_NAME)");
}

static void current_comm(char out[17])
{
    memset(out, 0, 17);
    if (prctl(PR_GET_NAME, out, 0, 0, 0) != 0)
        die_errno("prctl(PR_GET_NAME)");
}

/* ------------------------------------------------------------------------------------------ */
/* JSON output (values we print never need escaping except comm, which we escape minimally)   */

static void print_json_string(const char *key, const char *value)
{
    printf("\"%s\":\"", key);
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            putchar('\\');
        if ((unsigned char)*p < 0x20)
            printf("\\u%04x", (unsigned char)*p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_seq_array(const char *key, const number_list *list)
{
    printf("\"%s\":[", key);
    for (int i = 0; i < list->count; i++)
        printf("%s%ld", i ? "," : "", list->values[i]);
    putchar(']');
}

static void print_process_identity(const char *subcommand)
{
    char comm[17];
    current_comm(comm);
    printf("{\"cmd\":\"%s\",\"pid\":%d,", subcommand, (int)getpid());
    print_json_string("comm", comm);
}

/* ------------------------------------------------------------------------------------------ */
/* RTP                                                                                         */


/*
 * RFC 3550 A.8 interarrival jitter, in timestamp units, as a receiver (or a monitor at the
 * syscall) computes it from arrival times. Kept in floating point: the monitor may keep it in
 * integers, the difference is below one timestamp unit.
 */
typedef struct {
    bool has_previous;
    double previous_transit;
    double jitter;
} jitter_estimator;

static void jitter_update(jitter_estimator *j, int64_t arrival_ns, uint32_t rtp_timestamp, long clock_rate)
{
    double arrival_units = (double)arrival_ns * (double)clock_rate / 1e9;
    double transit = arrival_units - (double)rtp_timestamp;
    if (j->has_previous) {
        double d = transit - j->previous_transit;
        if (d < 0) d = -d; /* |D(i-1,i)| without libm: the Makefile links no -lm */
        j->jitter += (d - j->jitter) / 16.0;
    }
    j->previous_transit = transit;
    j->has_previous = true;
}

static double jitter_ms(const jitter_estimator *j, long clock_rate)
{
    return j->jitter * 1000.0 / (double)clock_rate;
}

/* ------------------------------------------------------------------------------------------ */
/* send                                                                                        */

typedef enum { SEND_SENDTO, SEND_SENDMSG, SEND_SENDMSG_CONNECTED, SEND_SEND_CONNECTED, SEND_SENDMMSG } send_syscall;

static send_syscall parse_send_syscall(const char *name)
{
    if (!name || strcmp(name, "sendto") == 0) return SEND_SENDTO;
    if (strcmp(name, "sendmsg") == 0) return SEND_SENDMSG;
    if (strcmp(name, "sendmsg-connected") == 0) return SEND_SENDMSG_CONNECTED;
    if (strcmp(name, "send-connected") == 0) return SEND_SEND_CONNECTED;
    if (strcmp(name, "sendmmsg") == 0) return SEND_SENDMMSG;
    die("--syscall: '%s' is not sendto|sendmsg|sendmsg-connected|send-connected|sendmmsg", name);
}

static bool is_connected(send_syscall s)
{
    return s == SEND_SENDMSG_CONNECTED || s == SEND_SEND_CONNECTED;
}

/* One datagram to put on the wire, and when (relative to the start of the stream). */
typedef struct {
    uint16_t seq;
    uint32_t timestamp;
    int64_t planned_ns;
} wire_packet;

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
        slot[i].planned_ns = ((int64_t)i * o->ptime_ms + offset_ms) * 1000000LL;
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
        if (seq_list_contains(&o->drops, slot[i].seq))
            continue;
        if (slot[i].planned_ns < latest)
            slot[i].planned_ns = latest;
        latest = slot[i].planned_ns;
        wire[n++] = slot[i];
        if (seq_list_contains(&o->dups, slot[i].seq))
            wire[n++] = slot[i];
    }
    free(slot);
    return (wire_plan){ wire, n };
}

typedef struct {
    int fd;
    send_syscall kind;
    const endpoint *peer;
    uint8_t payload_type;
    uint32_t ssrc;
    long payload_bytes;
} rtp_sender;

static size_t build_rtp_packet(const rtp_sender *s, const wire_packet *p, uint8_t *buffer)
{
    size_t length = write_rtp_header(buffer, s->payload_type, false, p->seq, p->timestamp, s->ssrc);
    memset(buffer + length, 0xd5, (size_t)s->payload_bytes); /* PCMU silence */
    return length + (size_t)s->payload_bytes;
}

typedef struct {
    long syscalls;
    long refused; /* calls that failed with ECONNREFUSED and were repeated */
} send_counters;

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

/* sendmmsg of messages[0..count): it may send only a prefix, so the rest goes in further calls. */
static int send_all_messages(int fd, struct mmsghdr *messages, int count, send_counters *counters)
{
    int sent = 0;
    while (sent < count) {
        int n = sendmmsg(fd, messages + sent, (unsigned)(count - sent), 0);
        if (!should_retry_send(n, "sendmmsg", counters))
            sent += n;
    }
    return sent;
}

/* Sends packets[0..count) in one syscall (count > 1 only for sendmmsg); returns datagrams sent. */
static int send_rtp(const rtp_sender *s, const wire_packet *packets, int count, send_counters *counters)
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
        while (should_retry_send(send(s->fd, iov[0].iov_base, iov[0].iov_len, 0), "send", counters))
            ;
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

static int cmd_send(const options *o)
{
    require(o->to, "--to ADDR:PORT", "send");
    require_count(o, "send");
    /* One sequence-number cycle at most: --drop/--dup/--reorder name seqs unambiguously and
       expected_lost needs no extended sequence numbers. blast is the load generator. */
    if (o->count > 65536)
        die("send: --count at most 65536 (one sequence cycle; use blast for load)");
    send_syscall kind = parse_send_syscall(o->syscall_name);
    endpoint peer = parse_endpoint(o->to, "--to");
    long batch = kind == SEND_SENDMMSG ? o->batch : 1;

    apply_comm(o);
    int fd = open_udp_socket(&peer);
    if (o->from) {
        endpoint local = parse_endpoint(o->from, "--from");
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
    int64_t start = began + 5 * 1000000LL; /* a little slack so slot 0 is not already late */

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
    print_seq_array("dropped", &o->drops);
    putchar(',');
    print_seq_array("duplicated", &o->dups);
    putchar(',');
    print_seq_array("reordered", &o->reorders);
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

/* ------------------------------------------------------------------------------------------ */
/* recv                                                                                        */

typedef enum { RECV_RECVFROM, RECV_RECVMSG, RECV_RECVMMSG } recv_syscall;

static recv_syscall parse_recv_syscall(const char *name)
{
    if (!name || strcmp(name, "recvfrom") == 0) return RECV_RECVFROM;
    if (strcmp(name, "recvmsg") == 0) return RECV_RECVMSG;
    if (strcmp(name, "recvmmsg") == 0) return RECV_RECVMMSG;
    die("--syscall: '%s' is not recvfrom|recvmsg|recvmmsg", name);
}

static bool looks_like_rtp(const uint8_t *data, ssize_t length)
{
    /* Version 2 and not an RTCP packet type (RFC 5761 demultiplexing: 192..223 is RTCP). */
    return length >= RTP_HEADER_BYTES && (data[0] >> 6) == 2 && !(data[1] >= 192 && data[1] <= 223);
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

static int cmd_recv(const options *o)
{
    require(o->bind, "--bind ADDR:PORT", "recv");
    require_count(o, "recv");
    recv_syscall kind = parse_recv_syscall(o->syscall_name);
    endpoint local_ep = parse_endpoint(o->bind, "--bind");

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
    int64_t deadline = now_ns() + o->timeout_ms * 1000000LL;
    bool timed_out = false;
    while (totals.datagrams < o->count) {
        int64_t remaining_ms = (deadline - now_ns()) / 1000000LL;
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

/* ------------------------------------------------------------------------------------------ */
/* blast                                                                                       */

static int cmd_blast(const options *o)
{
    require(o->to, "--to ADDR:PORT", "blast");
    require_count(o, "blast");
    send_syscall kind = parse_send_syscall(o->syscall_name);
    if (kind != SEND_SENDTO && kind != SEND_SENDMMSG)
        die("blast: --syscall must be sendto or sendmmsg");
    endpoint peer = parse_endpoint(o->to, "--to");
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

/* ------------------------------------------------------------------------------------------ */
/* webrtc: RFC 7983 demultiplexing on one 5-tuple                                              */

static void fill_random(uint8_t *out, size_t length, uint64_t *state)
{
    for (size_t i = 0; i < length; i++) { /* xorshift: reproducible "ciphertext" */
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        out[i] = (uint8_t)*state;
    }
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

/* STUN Binding request (type 0x0001, first byte 0x00) or success response (0x0101, first byte 0x01). */
static size_t build_stun(uint8_t *out, bool response, uint64_t *rng)
{
    put16(out, response ? 0x0101 : 0x0001);
    put16(out + 2, 0);            /* no attributes */
    put32(out + 4, 0x2112A442);   /* magic cookie */
    fill_random(out + 8, 12, rng); /* transaction id */
    return 20;
}

/* DTLS 1.2 record: content type (22 handshake, 20 change cipher spec, 23 application data). */
static size_t build_dtls(uint8_t *out, uint8_t content_type, uint16_t epoch, uint16_t sequence, size_t body, uint64_t *rng)
{
    out[0] = content_type;
    put16(out + 1, 0xfefd);       /* DTLS 1.2 */
    put16(out + 3, epoch);
    put16(out + 5, 0);            /* 48-bit record sequence number */
    put32(out + 7, sequence);
    put16(out + 11, (uint16_t)body);
    fill_random(out + 13, body, rng);
    return 13 + body;
}

/* SRTP: RTP header in clear, encrypted payload, 10-byte auth tag (AES_CM_128_HMAC_SHA1_80). */
static size_t build_srtp(uint8_t *out, uint16_t seq, uint32_t timestamp, uint32_t ssrc, uint64_t *rng)
{
    size_t length = write_rtp_header(out, 111, false, seq, timestamp, ssrc); /* Opus-like, 48 kHz */
    fill_random(out + length, 80 + 10, rng);
    return length + 90;
}

/* SRTCP sender report: header + SSRC in clear, encrypted rest, E|index word, 10-byte auth tag. */
static size_t build_srtcp(uint8_t *out, uint32_t ssrc, uint32_t index, uint64_t *rng)
{
    out[0] = 0x80;
    out[1] = 200;                 /* SR */
    put16(out + 2, 6);            /* length in words - 1 for a 28-byte SR without report blocks */
    put32(out + 4, ssrc);
    fill_random(out + 8, 20, rng);
    put32(out + 28, 0x80000000u | index);
    fill_random(out + 32, 10, rng);
    return 42;
}

typedef struct {
    long stun, dtls, srtp, srtcp;
    send_counters counters;
} webrtc_totals;

static void send_datagram(int fd, const uint8_t *data, size_t length, send_counters *counters)
{
    while (should_retry_send(send(fd, data, length, 0), "send", counters))
        ;
}

static int cmd_webrtc(const options *o)
{
    require(o->to, "--to ADDR:PORT", "webrtc");
    require_count(o, "webrtc");
    endpoint peer = parse_endpoint(o->to, "--to");
    const long srtp_clock = 48000;
    const uint32_t ssrc = o->ssrc;

    apply_comm(o);
    int fd = open_udp_socket(&peer);
    if (o->from) {
        endpoint local = parse_endpoint(o->from, "--from");
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
            sleep_until_ns(start + i * o->ptime_ms * 1000000LL);
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

/* ------------------------------------------------------------------------------------------ */
/* rtcp: a sender's RTP with SR, and a receiver's RR about it, on one 5-tuple (rtcp-mux)        */

/* 64-bit NTP time of CLOCK_REALTIME: seconds since 1900 << 32 | fraction. */
static uint64_t ntp_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t seconds = (uint64_t)now.tv_sec + 2208988800ull;
    return seconds << 32 | (((uint64_t)now.tv_nsec << 32) / 1000000000ull);
}

/* RFC 3550 6.4.1 SR without report blocks. */
static size_t build_sender_report(uint8_t *out, uint32_t ssrc, uint64_t ntp, uint32_t rtp_timestamp,
                                  uint32_t packets, uint32_t octets)
{
    out[0] = 0x80;
    out[1] = 200;
    put16(out + 2, 6); /* length in 32-bit words minus one */
    put32(out + 4, ssrc);
    put32(out + 8, (uint32_t)(ntp >> 32));
    put32(out + 12, (uint32_t)ntp);
    put32(out + 16, rtp_timestamp);
    put32(out + 20, packets);
    put32(out + 24, octets);
    return 28;
}

/* RFC 3550 6.4.2 RR with one report block about `source`. */
static size_t build_receiver_report(uint8_t *out, uint32_t reporter, uint32_t source, uint8_t fraction_lost,
                                    uint32_t cumulative_lost, uint32_t highest_seq, uint32_t jitter,
                                    uint32_t last_sr, uint32_t delay_since_last_sr)
{
    out[0] = 0x81; /* one report block */
    out[1] = 201;
    put16(out + 2, 7);
    put32(out + 4, reporter);
    put32(out + 8, source);
    put32(out + 12, (uint32_t)fraction_lost << 24 | (cumulative_lost & 0xffffff));
    put32(out + 16, highest_seq);
    put32(out + 20, jitter);
    put32(out + 24, last_sr);
    put32(out + 28, delay_since_last_sr);
    return 32;
}

static int cmd_rtcp(const options *o)
{
    require(o->to, "--to ADDR:PORT", "rtcp");
    require_count(o, "rtcp");
    endpoint peer = parse_endpoint(o->to, "--to");
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
            sleep_until_ns(start + i * o->ptime_ms * 1000000LL);
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

/* ------------------------------------------------------------------------------------------ */
/* streams: the soak's load — many concurrent paced streams, sockets and SSRCs churning        */

typedef struct {
    uint32_t ssrc, timestamp;
    uint16_t seq;
} stream_position;

static uint32_t random32(uint64_t *rng)
{
    uint32_t value;
    fill_random((uint8_t *)&value, sizeof value, rng);
    return value;
}

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

static int cmd_streams(const options *o)
{
    require(o->to, "--to ADDR:PORT", "streams");
    if (o->streams <= 0)
        die("streams needs --streams N");
    if (o->sockets > o->streams)
        die("streams: --sockets %ld is more than --streams %ld", o->sockets, o->streams);
    endpoint peer = parse_endpoint(o->to, "--to");
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
    const int64_t ptime_ns = o->ptime_ms * 1000000LL;
    send_counters counters = { 0 };
    long ticks = 0, late_ticks = 0, churns = 0, started = o->streams;
    int64_t max_lateness = 0;
    const int64_t start = now_ns(), stop = start + (int64_t)(o->seconds * 1e9);
    int64_t next_churn = o->churn_ms ? start + o->churn_ms * 1000000LL : INT64_MAX;

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
            next_churn += o->churn_ms * 1000000LL;
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

/* ------------------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *subcommand = argv[1];
    /* getopt_long starts at argv[1]: hand it the subcommand as the program name. */
    options o = parse_options(argc - 1, argv + 1);
    int rc;
    if (strcmp(subcommand, "send") == 0) rc = cmd_send(&o);
    else if (strcmp(subcommand, "recv") == 0) rc = cmd_recv(&o);
    else if (strcmp(subcommand, "blast") == 0) rc = cmd_blast(&o);
    else if (strcmp(subcommand, "rtcp") == 0) rc = cmd_rtcp(&o);
    else if (strcmp(subcommand, "webrtc") == 0) rc = cmd_webrtc(&o);
    else if (strcmp(subcommand, "streams") == 0) rc = cmd_streams(&o);
    else usage();
    if (fflush(stdout) != 0)
        die_errno("fflush(stdout)");
    return rc;
}
