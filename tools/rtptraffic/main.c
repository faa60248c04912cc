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
 *   frames  one RTP stream as raw Ethernet frames on an interface, to a MAC nobody has (a mirror
 *           port's load for `monitor --interface`)
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
 * frames's JSON: pid, comm, interface, ssrc, packets, syscalls, seconds, ns_per_packet, stopped_by_time.
 *
 * Layout: this file parses options and dispatches; each subcommand is its own file (send.c, recv.c,
 * blast.c, rtcp.c, webrtc.c, streams.c, frames.c); process.c and sending.c are what they share, and
 * tools/common/ what rtptraffic shares with codecpush.
 *
 * Build: make build/rtptraffic (this folder and tools/common/).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fail.h"
#include "common/packets.h"
#include "rtptraffic.h"

const char *const tool_name = "rtptraffic";
const int tool_bad_input_status = 1;

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
        "  frames --interface IF --from ADDR:PORT --to ADDR:PORT --count N [--batch N] [--seconds S]\n"
        "         (IPv4; Ethernet frames through a packet socket, to a MAC no host has)\n"
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
           O_SECONDS, O_COMM, O_READY, O_SSRC_EVERY, O_STREAMS, O_SOCKETS, O_CHURN, O_INTERFACE };
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
        { "churn-ms", required_argument, 0, O_CHURN }, { "interface", required_argument, 0, O_INTERFACE },
        { 0, 0, 0, 0 },
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
        case O_INTERFACE: o.interface_name = optarg; break;
        default: usage();
        }
    }
    if (optind != argc)
        die("unexpected argument '%s'", argv[optind]);
    return o;
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
    else if (strcmp(subcommand, "frames") == 0) rc = cmd_frames(&o);
    else usage();
    if (fflush(stdout) != 0)
        die_errno("fflush(stdout)");
    return rc;
}
