#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<Target>/*.bin: small valid inputs for each fuzz target.

Deterministic and stdlib-only; rerun after changing an input format (see the header comment of each
harness in fuzz/Sources/<Target>/). libFuzzer adds what it finds to a separate working directory
(fuzz/.work/, see run.sh), so these stay the hand-made seeds.

    python3 fuzz/make-seeds.py                 # (re)write every corpus
    python3 fuzz/make-seeds.py --check-layout  # the C compiler checks the kernel_event packing against
                                               # bpf/rtpscope_event.h
    python3 fuzz/make-seeds.py --check         # that, and every seed file matches this script (make test)
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))
sys.dont_write_bytecode = True   # no __pycache__ in the fixtures tree
import packets  # noqa: E402  (the builders fixtures/generate.py uses too)
from packets import (ACK, FIN, PSH, SYN, bye, ethernet, ipv4, ipv6, nack, null_link, pcapng_block, pli,  # noqa: E402
                     rtcp_packet, sdes, sll, sll2, tcp, udp)


# --- RTP ------------------------------------------------------------------------------------------

def rtp(seq=1, ts=160, ssrc=0x11223344, pt=0, marker=False, payload=b"\x00" * 20, **kw):
    """packets.rtp with the seeds' defaults (csrcs, ext, padding as keywords)."""
    return packets.rtp(seq, ts, ssrc, pt, payload, marker, **kw)


ONE_BYTE_EXT = (0xBEDE, bytes([0x10, 0xAA, 0x21, 0x01, 0x02, 0x00, 0x00, 0x00]))  # id 1 (1 B), id 2 (2 B), padding
TWO_BYTE_EXT = (0x1000, bytes([0x01, 0x00, 0x02, 0x03, 0xAA, 0xBB, 0xCC, 0x00]))  # id 1 (0 B), id 2 (3 B), padding


# --- RTCP -----------------------------------------------------------------------------------------

def report_block(ssrc, fraction=12, lost=3, highest=0x0001_0010, jitter=40, lsr=0, dlsr=0):
    return packets.report_block(ssrc, fraction, lost, highest, jitter, lsr, dlsr)


NTP = 0xE8A1_2B3C_4000_0000  # an NTP time; its compact form (middle 32 bits) is 0x2B3C4000


def sr(ssrc, blocks=()):
    return packets.sender_report(ssrc, NTP, 123456, 100, 16000, blocks)


def rr(ssrc, blocks=()):
    return packets.receiver_report(ssrc, blocks)


def app(ssrc, name=b"RTPS", data=b"\x01\x02\x03\x04"):
    return packets.app(ssrc, name, data)


def xr(ssrc):
    stats = struct.pack("!BBHIHHIIIIIIBBBB", 6, 0xE8, 9, 0x11223344, 1, 100, 2, 0, 10, 50, 20, 5, 64, 64, 64, 0)
    voip = struct.pack("!BBHIBBBBHHHHbbBBBBBBBBHHH", 7, 0, 8, 0x11223344, 10, 0, 5, 2, 100, 2000, 30, 40,
                       -20, -70, 30, 16, 90, 0x7F, 41, 38, 0x10, 0, 40, 80, 120)
    rrt = struct.pack("!BBHQ", 4, 0, 2, NTP)
    return rtcp_packet(207, 0, struct.pack("!I", ssrc) + stats + voip + rrt)


def srtcp(encrypted=True):
    """An SR whose rest is 'encrypted', then E|index and a 10-byte HMAC-SHA1-80 tag (RFC 3711 §3.4)."""
    cipher = bytes((i * 37 + 11) & 0xFF for i in range(44))
    index = (0x8000_0000 if encrypted else 0) | 7
    return packets.srtcp(200, 1, 0xCAFEBABE, cipher, index, bytes(10))


# --- Frames ---------------------------------------------------------------------------------------

# FuzzFrame input: link-type index (into LinkType.allCases: null, ethernet, raw, loop, linuxSLL,
# ipv4, ipv6, linuxSLL2), analyzer options, then per frame: u16 length, i16 step (100 µs), bytes.
LINK = {"null": 0, "ethernet": 1, "raw": 2, "loop": 3, "linuxSLL": 4, "ipv4": 5, "ipv6": 6, "linuxSLL2": 7}


def frame_input(link, frames, options=0, step=200):
    out = bytes([LINK[link], options])
    for frame in frames:
        out += struct.pack("!Hh", len(frame), step) + frame
    return out


def rtp_flow(n=4, pt=0, ssrc=0x11223344, start_seq=1000, ts_step=160, **kw):
    return [rtp(seq=start_seq + i, ts=i * ts_step, ssrc=ssrc, pt=pt, **kw) for i in range(n)]


def frame_seeds():
    seeds = {}
    rtps = rtp_flow()
    seeds["eth-ipv4-udp-rtp"] = frame_input("ethernet", [ethernet(ipv4(17, udp(40000, 40002, p))) for p in rtps])
    seeds["eth-vlan-ipv4-udp-rtp-wireshark"] = frame_input(
        "ethernet", [ethernet(ipv4(17, udp(40000, 40002, p)), vlans=[(0x8100, 42)]) for p in rtps], options=0x01)
    seeds["sll2-ipv6-udp-rtp-ext"] = frame_input(
        "linuxSLL2", [sll2(ipv6(17, udp(50000, 50002, p))) for p in rtp_flow(pt=96, ext=ONE_BYTE_EXT, ts_step=3000)])
    # IPv6 hop-by-hop options header (8 bytes, next header UDP) before the UDP header.
    seeds["raw-ipv6-hopbyhop-udp-rtp"] = frame_input(
        "raw", [ipv6(17, udp(5004, 5006, p), ext_chain=(0,)) for p in rtp_flow(n=3)])
    seeds["null-ipv4-udp-rtp-rtcp"] = frame_input(
        "null", [null_link(ipv4(17, udp(5004, 5006, p))) for p in rtp_flow(n=3)]
        + [null_link(ipv4(17, udp(5005, 5007, sr(0x11223344) + sdes([(0x11223344, [(1, "a@h")])]))))]
        + [null_link(ipv4(17, udp(5007, 5005, rr(0x55667788, [report_block(0x11223344, lsr=0x2B3C4000, dlsr=65536)])),
                          src="10.0.0.2", dst="10.0.0.1"))],
        options=0x02)
    seeds["loop-ipv4-forced-port"] = frame_input("loop", [struct.pack("!I", 2) + ipv4(17, udp(5004, 5004, p)) for p in rtp_flow(n=3, pt=97)],
                                                 options=0x02 | 0x10)
    seeds["sll-ipv4-udp-rtp"] = frame_input("linuxSLL", [sll(ipv4(17, udp(6000, 6002, p))) for p in rtp_flow(n=3, pt=8)])
    # A first IPv4 fragment (MF set, offset 0) carrying the UDP header and the RTP header, then a later one.
    big = rtp(seq=7, ts=0, payload=bytes(200))
    datagram = udp(7000, 7002, big)
    first = ipv4(17, datagram[:96], flags_offset=0x2000, total=20 + 96)
    later = ipv4(17, datagram[96:], flags_offset=96 // 8, total=20 + len(datagram) - 96)
    seeds["ipv4-fragments"] = frame_input("ipv4", [first, later])
    # RFC 4571 over TCP port 5000: SYN, then two framed RTP packets in one segment, then one split across two.
    frames = [rtp(seq=1 + i, ts=160 * i) for i in range(4)]
    framed = [struct.pack("!H", len(f)) + f for f in frames]
    seq = 1000
    segments = [tcp(43000, 5000, seq, SYN)]
    seq += 1
    data = [framed[0] + framed[1], framed[2] + framed[3][:10], framed[3][10:]]
    for chunk in data:
        segments.append(tcp(43000, 5000, seq, ACK | PSH, chunk))
        seq += len(chunk)
    segments.append(tcp(43000, 5000, seq, ACK | FIN))
    seeds["ipv4-tcp-rfc4571"] = frame_input("ethernet", [ethernet(ipv4(6, s)) for s in segments])
    # SIP INVITE with SDP (dynamic PT 96 → 48 kHz), then a PT 96 flow; sampler + idle bounds on.
    sip = ("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\r\nContent-Type: application/sdp\r\n\r\n"
           + SDP_AUDIO).encode()
    seeds["ipv6-sip-sdp-then-rtp"] = frame_input(
        "ipv6", [ipv6(17, udp(5060, 5060, sip))] + [ipv6(17, udp(49170, 49172, p)) for p in rtp_flow(n=4, pt=96, ts_step=960)],
        options=0x40 | 0x08)
    # STUN binding request and a DTLS record on the same 5-tuple as RTP (RFC 7983 demultiplexing).
    stun = packets.stun(0x0001, bytes(12))
    dtls = packets.dtls_record(22, 0, 0, b"")
    seeds["eth-stun-dtls-rtp"] = frame_input("ethernet", [ethernet(ipv4(17, udp(40000, 40002, p))) for p in [stun, dtls] + rtp_flow(n=2)])
    return seeds


# --- SDP ------------------------------------------------------------------------------------------

SDP_AUDIO = ("v=0\r\no=- 20518 0 IN IP4 203.0.113.1\r\ns= \r\nc=IN IP4 203.0.113.1\r\nt=0 0\r\n"
             "m=audio 49170 RTP/AVP 0 96 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
             "a=rtcp:49171\r\n")

SDP_SEEDS = {
    "audio": SDP_AUDIO,
    "audio-video-mux": ("v=0\no=- 1 1 IN IP6 2001:db8::1\ns=-\nt=0 0\n"
                        "m=audio 5004/2 RTP/SAVPF 111 0\nc=IN IP6 2001:db8::2\na=rtpmap:111 opus/48000/2\na=rtcp-mux\n"
                        "m=video 5006 UDP/TLS/RTP/SAVPF 96 97\nc=IN IP4 224.2.36.42/127/3\na=rtpmap:96 VP8/90000\n"
                        "a=rtpmap:97 rtx/90000\na=rtcp:5007 IN IP4 224.2.36.42\n"),
    "application-disabled": ("v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
                             "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\nm=audio 0 RTP/AVP 8\r\n"),
    "bad-rtpmap": "v=0\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 L16/0\r\n",
}


# --- KernelEvent ----------------------------------------------------------------------------------

SENDTO, SENDMSG, SENDMMSG, RECVFROM, RECVMSG, RECVMMSG, EGRESS, INGRESS = range(8)
SENT, RECEIVED = 1, 2
HAS_LOCAL, HAS_REMOTE, REMOTE_FROM_CALL, OWNER_UNKNOWN, TIME_REALTIME = 0x01, 0x02, 0x04, 0x10, 0x20

# struct rtpscope_event (bpf/rtpscope_event.h) as the seeds pack it: (C field, struct format) in
# order, little-endian (the host's), no padding; then the header's constants the seeds use.
# `--check-layout` has the C compiler confirm both against the header itself.
KERNEL_EVENT_FIELDS = (
    ("timestamp_ns", "Q"), ("socket_inode", "Q"), ("pid", "I"), ("tid", "I"), ("fd", "i"),
    ("datagram_length", "I"), ("payload_length", "H"), ("direction", "B"), ("hook", "B"), ("flags", "B"),
    ("family", "B"), ("local_port", "H"), ("remote_port", "H"), ("message_index", "H"), ("reserved", "I"),
    ("local_address", "16s"), ("remote_address", "16s"), ("comm", "16s"), ("cgroup_id", "Q"),
)
KERNEL_EVENT_FORMAT = "<" + "".join(fmt for _, fmt in KERNEL_EVENT_FIELDS)
KERNEL_EVENT_CONSTANTS = {
    "RTPSCOPE_HOOK_SENDTO": SENDTO, "RTPSCOPE_HOOK_SENDMSG": SENDMSG, "RTPSCOPE_HOOK_SENDMMSG": SENDMMSG,
    "RTPSCOPE_HOOK_RECVFROM": RECVFROM, "RTPSCOPE_HOOK_RECVMSG": RECVMSG,
    "RTPSCOPE_HOOK_RECVMMSG": RECVMMSG, "RTPSCOPE_HOOK_EGRESS": EGRESS, "RTPSCOPE_HOOK_INGRESS": INGRESS,
    "RTPSCOPE_DIRECTION_SENT": SENT,
    "RTPSCOPE_DIRECTION_RECEIVED": RECEIVED, "RTPSCOPE_EVENT_HAS_LOCAL": HAS_LOCAL,
    "RTPSCOPE_EVENT_HAS_REMOTE": HAS_REMOTE, "RTPSCOPE_EVENT_REMOTE_FROM_CALL": REMOTE_FROM_CALL,
    "RTPSCOPE_EVENT_OWNER_UNKNOWN": OWNER_UNKNOWN, "RTPSCOPE_EVENT_TIME_REALTIME": TIME_REALTIME,
}


def kernel_event(payload, syscall=SENDTO, direction=SENT, family=2, flags=HAS_LOCAL | HAS_REMOTE,
                 local=bytes([127, 0, 0, 1]), local_port=5004, remote=bytes([127, 0, 0, 2]), remote_port=6000,
                 timestamp=5_000_000_000, datagram_length=None, message_index=0, comm="ffmpeg", pid=4321,
                 cgroup_id=0):
    """struct rtpscope_event + payload."""
    fields = {
        "timestamp_ns": timestamp, "socket_inode": 424242, "pid": pid, "tid": pid + 1, "fd": 7,
        "datagram_length": datagram_length if datagram_length is not None else len(payload),
        "payload_length": len(payload), "direction": direction, "hook": syscall, "flags": flags,
        "family": family, "local_port": local_port, "remote_port": remote_port, "message_index": message_index,
        "reserved": 0, "local_address": local.ljust(16, b"\x00"), "remote_address": remote.ljust(16, b"\x00"),
        "comm": comm.encode()[:16].ljust(16, b"\x00"), "cgroup_id": cgroup_id,
    }
    return struct.pack(KERNEL_EVENT_FORMAT, *(fields[name] for name, _ in KERNEL_EVENT_FIELDS)) + payload


def kernel_event_layout_assertions():
    """C that compiles only if bpf/rtpscope_event.h lays struct rtpscope_event out as
    KERNEL_EVENT_FIELDS packs it (offset, size and signedness of each field, the struct's size) and
    defines KERNEL_EVENT_CONSTANTS with the same values."""
    lines = ["#include <stddef.h>", '#include "rtpscope_event.h"',
             "#define FIELD(name) (((struct rtpscope_event *)0)->name)"]
    offset = 0
    for name, fmt in KERNEL_EVENT_FIELDS:
        size = struct.calcsize("<" + fmt)
        where = f"fuzz/make-seeds.py packs rtpscope_event.{name}"
        lines.append(f'_Static_assert(offsetof(struct rtpscope_event, {name}) == {offset}, "{where} at byte {offset}");')
        lines.append(f'_Static_assert(sizeof(FIELD({name})) == {size}, "{where} in {size} bytes");')
        if not fmt.endswith("s"):
            signed = fmt.islower()
            lines.append(f'_Static_assert(((__typeof__(FIELD({name})))-1 < 0) == {int(signed)}, '
                         f'"{where} as {"signed" if signed else "unsigned"}");')
        offset += size
    lines.append(f'_Static_assert(sizeof(struct rtpscope_event) == {offset}, "fuzz/make-seeds.py packs a '
                 f'{offset}-byte rtpscope_event: update KERNEL_EVENT_FIELDS and rerun it");')
    for name, value in KERNEL_EVENT_CONSTANTS.items():
        lines.append(f'_Static_assert({name} == {value}, "fuzz/make-seeds.py uses {name} = {value}");')
    return "\n".join(lines) + "\n"


def check_kernel_event_layout():
    """Compiles kernel_event_layout_assertions() against the header; True when it agrees."""
    with tempfile.TemporaryDirectory(prefix="rtpscope-seeds-") as directory:
        source = os.path.join(directory, "layout.c")
        with open(source, "w") as f:
            f.write(kernel_event_layout_assertions())
        compiler = os.environ.get("CC") or "cc"
        result = subprocess.run([compiler, "-fsyntax-only", "-I", os.path.join(HERE, "..", "bpf"), source],
                                capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr, end="", file=sys.stderr)
        print("make-seeds: the kernel_event packing disagrees with bpf/rtpscope_event.h", file=sys.stderr)
        return False
    print(f"kernel_event: {len(KERNEL_EVENT_FIELDS)} fields, {struct.calcsize(KERNEL_EVENT_FORMAT)} bytes and "
          f"{len(KERNEL_EVENT_CONSTANTS)} constants agree with bpf/rtpscope_event.h")
    return True


def ring(records):
    """Consecutive records, each starting on an 8-byte boundary (as the ring buffer lays them out)."""
    return b"".join(r + b"\x00" * (-len(r) % 8) for r in records)


def kernel_seeds():
    v6_local = bytes(15) + b"\x01"                                    # ::1
    mapped = bytes(10) + b"\xff\xff" + bytes([192, 0, 2, 7])          # ::ffff:192.0.2.7
    flow = rtp_flow(n=4, pt=96, ts_step=3000)
    return {
        "ipv4-sendto": kernel_event(flow[0], datagram_length=1200),
        "ipv4-sendto-flow": ring([kernel_event(p, timestamp=5_000_000_000 + i * 33_000_000) for i, p in enumerate(flow)]),
        "ipv6-recvmmsg-mapped": ring([kernel_event(p, syscall=RECVMMSG, direction=RECEIVED, family=10,
                                                   local=bytes(16), remote=mapped, message_index=i,
                                                   flags=HAS_LOCAL | HAS_REMOTE | REMOTE_FROM_CALL)
                                      for i, p in enumerate(flow[:3])]),
        "ipv6-sendmsg": kernel_event(flow[1], syscall=SENDMSG, family=10, local=v6_local, remote=v6_local),
        "no-addresses-recvfrom": kernel_event(flow[2], syscall=RECVFROM, direction=RECEIVED, family=0, flags=0),
        "rtcp-recvmsg": kernel_event(sr(0x11223344) + sdes([(0x11223344, [(1, "user@host")])]), syscall=RECVMSG,
                                     direction=RECEIVED, comm="gst-launch-1.0"),
        "truncated-payload-sendmmsg": kernel_event(flow[3][:16], syscall=SENDMMSG, datagram_length=1400, message_index=5),
        "socket-egress-gso": ring([kernel_event(p, syscall=EGRESS, message_index=i, cgroup_id=4242)
                                   for i, p in enumerate(flow)]),
        "socket-ingress-owner-unknown": kernel_event(flow[0], syscall=INGRESS, direction=RECEIVED, pid=0, comm="",
                                                     flags=HAS_LOCAL | HAS_REMOTE | OWNER_UNKNOWN),
        "recvmmsg-realtime": kernel_event(flow[1], syscall=RECVMMSG, direction=RECEIVED,
                                          timestamp=1_700_000_000_000_000_000, flags=HAS_LOCAL | HAS_REMOTE | TIME_REALTIME),
    }


# --- Capture files (FuzzCapture): the bytes of a whole pcap or pcapng file ---------------------------

def pcap_file(linktype, frames, big_endian=False, nanoseconds=False, snaplen=65535, start=1_700_000_000):
    """One frame every 20 ms from `start`."""
    step = 20_000_000 if nanoseconds else 20_000
    return packets.pcap_file(linktype, [(start, i * step, frame) for i, frame in enumerate(frames)],
                             snaplen=snaplen, big_endian=big_endian, nanoseconds=nanoseconds)


def pcapng_file(linktype, frames, tsresol=None):
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    options = b""
    if tsresol is not None:  # if_tsresol, then opt_endofopt
        options = struct.pack("<HHB3x", 9, 1, tsresol) + struct.pack("<HH", 0, 0)
    idb = pcapng_block(1, struct.pack("<HHI", linktype, 0, 65535) + options)
    out = shb + idb
    for i, frame in enumerate(frames):
        t = 1_700_000_000_000_000 + i * 20_000
        out += pcapng_block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(frame), len(frame)) + frame)
        if i == 1:
            out += pcapng_block(0x0BAD, b"\x01\x02\x03")  # an unknown block between packets
    return out


def capture_seeds():
    eth = [ethernet(ipv4(17, udp(40000, 40002, p))) for p in rtp_flow()]
    rtcp = [ethernet(ipv4(17, udp(5005, 5007, sr(0x11223344) + sdes([(0x11223344, [(1, "a@h")])]))))]
    sll_frames = [sll(ipv4(17, udp(6000, 6002, p))) for p in rtp_flow(n=3)]
    null_frames = [null_link(ipv4(17, udp(5004, 5006, p))) for p in rtp_flow(n=3)]
    raw6 = [ipv6(17, udp(5004, 5006, p)) for p in rtp_flow(n=3, pt=96, ts_step=3000)]
    return {
        "pcap-eth-rtp-rtcp": pcap_file(1, eth + rtcp),
        "pcap-ns-big-endian-sll": pcap_file(113, sll_frames, big_endian=True, nanoseconds=True),
        "pcap-null": pcap_file(0, null_frames),
        "pcap-raw-ipv6": pcap_file(101, raw6),
        "pcap-snaplen-60": pcap_file(1, eth, snaplen=60),
        "pcap-unknown-linktype": pcap_file(147, eth[:1]),
        "pcapng-eth-unknown-block": pcapng_file(1, eth),
        "pcapng-ns-sll2": pcapng_file(276, [sll2(ipv6(17, udp(50000, 50002, p))) for p in rtp_flow(n=3)], tsresol=9),
    }


# --- Write ----------------------------------------------------------------------------------------

# --- HTTP requests to the exporter ---------------------------------------------------------------

def http_seeds():
    """Byte 0: read size - 1 (mod 64); byte 1 bit 0: let the clock pass the request timeout."""
    def seed(requests, read_size=64, time_runs=False):
        return bytes([(read_size - 1) % 64, 1 if time_runs else 0]) + requests

    get = lambda path, extra=b"": b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n" + extra + b"\r\n"
    return {
        "get-metrics": seed(get(b"/metrics")),
        "get-metrics-gzip": seed(get(b"/metrics", b"Accept-Encoding: deflate, gzip;q=0.5\r\n")),
        "pipelined-mixed": seed(get(b"/") + get(b"/health") + get(b"/nope") + b"HEAD /metrics HTTP/1.1\r\n\r\n"
                                + get(b"/streams?limit=1&offset=0", b"Connection: close\r\n"), read_size=7),
        "streams-bad-paging": seed(get(b"/streams?limit=-1") + get(b"/streams?offset=%41&limit=9999999999999999999999")),
        "post-with-body": seed(b"POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" + get(b"/health")),
        "chunked-body": seed(b"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        "http10": seed(b"GET /metrics HTTP/1.0\r\n\r\n"),
        "trickled-head-timeout": seed(get(b"/metrics")[:20], read_size=1, time_runs=True),
        "authorization": seed(get(b"/health", b"Authorization: Basic Y2Fyb2w6Y2Fyb2wxMjM=\r\n")),
        "many-pipelined": seed(get(b"/nope") * 40, read_size=64),
        "malformed": seed(b"GET / HTTP/9.9\r\n\r\n"),
    }


def corpora():
    rtp_seeds = {
        "pcmu": rtp(),
        "marker-csrcs": rtp(pt=96, marker=True, csrcs=(1, 2, 3)),
        "one-byte-ext": rtp(pt=111, ext=ONE_BYTE_EXT),
        "two-byte-ext": rtp(pt=96, ext=TWO_BYTE_EXT, csrcs=(9,)),
        "other-ext-padding": rtp(pt=97, ext=(0xABAC, bytes(8)), padding=4),
        "header-only": rtp(payload=b""),
    }
    rtcp_seeds = {
        "sr-sdes": sr(0x11223344, [report_block(0x55667788)]) + sdes([(0x11223344, [(1, "alice@example.com"), (2, "Alice")])]),
        "sr-rr-rtt": sr(0x11223344) + rr(0x55667788, [report_block(0x11223344, lsr=0x2B3C4000, dlsr=6554)]),
        "rr-sdes-bye": rr(0x55667788, [report_block(0x11223344), report_block(0x99AABBCC, lost=-2)])
                       + sdes([(0x55667788, [(1, "bob@host")]), (0x1, [])]) + bye([0x55667788], "leaving"),
        "reduced-size-pli-nack": pli(0x55667788, 0x11223344) + nack(0x55667788, 0x11223344, pid=100, blp=0x0005),
        "app-xr-padded": rr(0x1) + app(0x1) + xr(0x1) + rtcp_packet(201, 0, struct.pack("!I", 2), padding=4),
        "srtcp-encrypted": srtcp(True),
        "srtcp-auth-only": rr(0x1234) + struct.pack("!I", 3) + bytes(10),
        "unknown-type": rtcp_packet(195, 0, bytes(8)),
    }
    return {
        "FuzzRTPHeader": rtp_seeds,
        "FuzzRTCP": rtcp_seeds,
        "FuzzFrame": frame_seeds(),
        "FuzzSDP": {name: text.encode() for name, text in SDP_SEEDS.items()},
        "FuzzKernelEvent": kernel_seeds(),
        "FuzzCapture": capture_seeds(),
        "FuzzHTTPRequest": http_seeds(),
    }


def check_corpora():
    """True when every seed file holds what this script would write (and there are no others)."""
    ok = True
    for target, seeds in corpora().items():
        directory = os.path.join(CORPUS, target)
        present = set(os.listdir(directory)) if os.path.isdir(directory) else set()
        for name, data in seeds.items():
            path = os.path.join(directory, name + ".bin")
            if not os.path.exists(path) or open(path, "rb").read() != data:
                print(f"make-seeds: {target}/{name}.bin differs from what this script writes", file=sys.stderr)
                ok = False
        for extra in sorted(present - {name + ".bin" for name in seeds}):
            print(f"make-seeds: {target}/{extra} is not written by this script", file=sys.stderr)
            ok = False
    if ok:
        print("corpora: every seed matches this script")
    return ok


def main(argv):
    if "--check-layout" in argv or "--check" in argv:
        ok = check_kernel_event_layout()
        if "--check" in argv:
            ok = check_corpora() and ok
        return 0 if ok else 1
    for target, seeds in corpora().items():
        directory = os.path.join(CORPUS, target)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for name, data in seeds.items():
            with open(os.path.join(directory, name + ".bin"), "wb") as f:
                f.write(data)
        print(f"{target}: {len(seeds)} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
