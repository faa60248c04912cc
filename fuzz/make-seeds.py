#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<Target>/*.bin: small valid inputs for each fuzz target.

Deterministic and stdlib-only; rerun after changing an input format (see the header comment of each
harness in fuzz/Sources/<Target>/). libFuzzer adds what it finds to a separate working directory
(fuzz/.work/, see run.sh), so these stay the hand-made seeds.

    python3 fuzz/make-seeds.py            # (re)write every corpus
"""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


# --- RTP ------------------------------------------------------------------------------------------

def rtp(seq=1, ts=160, ssrc=0x11223344, pt=0, marker=False, payload=b"\x00" * 20,
        csrcs=(), ext=None, padding=0):
    """ext: (profile, data bytes) with len(data) % 4 == 0."""
    b0 = 0x80 | len(csrcs) | (0x10 if ext else 0) | (0x20 if padding else 0)
    b1 = pt | (0x80 if marker else 0)
    out = struct.pack("!BBHII", b0, b1, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
    out += b"".join(struct.pack("!I", c) for c in csrcs)
    if ext:
        profile, data = ext
        assert len(data) % 4 == 0
        out += struct.pack("!HH", profile, len(data) // 4) + data
    out += payload
    if padding:
        out += b"\x00" * (padding - 1) + bytes([padding])
    return out


ONE_BYTE_EXT = (0xBEDE, bytes([0x10, 0xAA, 0x21, 0x01, 0x02, 0x00, 0x00, 0x00]))  # id 1 (1 B), id 2 (2 B), padding
TWO_BYTE_EXT = (0x1000, bytes([0x01, 0x00, 0x02, 0x03, 0xAA, 0xBB, 0xCC, 0x00]))  # id 1 (0 B), id 2 (3 B), padding


# --- RTCP -----------------------------------------------------------------------------------------

def rtcp_packet(pt, count, body, padding=0):
    if padding:
        body += b"\x00" * (padding - 1) + bytes([padding])
    assert len(body) % 4 == 0
    first = 0x80 | (0x20 if padding else 0) | count
    return struct.pack("!BBH", first, pt, (len(body) + 4) // 4 - 1) + body


def report_block(ssrc, fraction=12, lost=3, highest=0x0001_0010, jitter=40, lsr=0, dlsr=0):
    return struct.pack("!IIIIII", ssrc, (fraction << 24) | (lost & 0xFFFFFF), highest, jitter, lsr, dlsr)


NTP = 0xE8A1_2B3C_4000_0000  # an NTP time; its compact form (middle 32 bits) is 0x2B3C4000


def sr(ssrc, blocks=()):
    body = struct.pack("!IQIII", ssrc, NTP, 123456, 100, 16000) + b"".join(blocks)
    return rtcp_packet(200, len(blocks), body)


def rr(ssrc, blocks=()):
    return rtcp_packet(201, len(blocks), struct.pack("!I", ssrc) + b"".join(blocks))


def sdes(chunks):
    """chunks: [(ssrc, [(type, text)])]."""
    body = b""
    for ssrc, items in chunks:
        chunk = struct.pack("!I", ssrc)
        for kind, text in items:
            data = text.encode()
            chunk += bytes([kind, len(data)]) + data
        chunk += b"\x00"
        chunk += b"\x00" * (-len(chunk) % 4)
        body += chunk
    return rtcp_packet(202, len(chunks), body)


def bye(ssrcs, reason=None):
    body = b"".join(struct.pack("!I", s) for s in ssrcs)
    if reason:
        data = reason.encode()
        body += bytes([len(data)]) + data
        body += b"\x00" * (-len(body) % 4)
    return rtcp_packet(203, len(ssrcs), body)


def app(ssrc, name=b"RTPS", data=b"\x01\x02\x03\x04"):
    return rtcp_packet(204, 1, struct.pack("!I", ssrc) + name + data)


def pli(sender, media):
    return rtcp_packet(206, 1, struct.pack("!II", sender, media))


def nack(sender, media, pid=100, blp=0x0005):
    return rtcp_packet(205, 1, struct.pack("!IIHH", sender, media, pid, blp))


def xr(ssrc):
    stats = struct.pack("!BBHIHHIIIIIIBBBB", 6, 0xE8, 9, 0x11223344, 1, 100, 2, 0, 10, 50, 20, 5, 64, 64, 64, 0)
    voip = struct.pack("!BBHIBBBBHHHHbbBBBBBBBBHHH", 7, 0, 8, 0x11223344, 10, 0, 5, 2, 100, 2000, 30, 40,
                       -20, -70, 30, 16, 90, 0x7F, 41, 38, 0x10, 0, 40, 80, 120)
    rrt = struct.pack("!BBHQ", 4, 0, 2, NTP)
    return rtcp_packet(207, 0, struct.pack("!I", ssrc) + stats + voip + rrt)


def srtcp(encrypted=True):
    """An SR whose rest is 'encrypted', then E|index and a 10-byte HMAC-SHA1-80 tag (RFC 3711 §3.4)."""
    clear = struct.pack("!BBHI", 0x81, 200, 12, 0xCAFEBABE)
    cipher = bytes((i * 37 + 11) & 0xFF for i in range(44))
    index = (0x8000_0000 if encrypted else 0) | 7
    return clear + cipher + struct.pack("!I", index) + bytes(10)


# --- Frames ---------------------------------------------------------------------------------------

def checksum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, payload, src="10.0.0.1", dst="10.0.0.2", ident=1, flags_offset=0x4000, total=None):
    s = bytes(int(x) for x in src.split("."))
    d = bytes(int(x) for x in dst.split("."))
    total = total if total is not None else 20 + len(payload)
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, flags_offset, 64, proto, 0, s, d)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ipv6(next_header, payload, src=b"\xfd" + bytes(14) + b"\x01", dst=b"\xfd" + bytes(14) + b"\x02"):
    return struct.pack("!IHBB", 0x6000_0000, len(payload), next_header, 64) + src + dst + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, flags, payload=b"", ack=1):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
MAC_A, MAC_B = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")


def ethernet(payload, ethertype=0x0800, vlan=None):
    header = MAC_B + MAC_A
    if vlan is not None:
        header += struct.pack("!HH", 0x8100, vlan)
    return header + struct.pack("!H", ethertype) + payload


def sll(payload, proto=0x0800):
    return struct.pack("!HHH", 0, 1, 6) + MAC_A + b"\x00\x00" + struct.pack("!H", proto) + payload


def sll2(payload, proto=0x86DD):
    return struct.pack("!HHIHBB", proto, 0, 1, 1, 0, 6) + MAC_A + b"\x00\x00" + payload


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
        "ethernet", [ethernet(ipv4(17, udp(40000, 40002, p)), ethertype=0x0800, vlan=42) for p in rtps], options=0x01)
    seeds["sll2-ipv6-udp-rtp-ext"] = frame_input(
        "linuxSLL2", [sll2(ipv6(17, udp(50000, 50002, p))) for p in rtp_flow(pt=96, ext=ONE_BYTE_EXT, ts_step=3000)])
    # IPv6 hop-by-hop options header (8 bytes, next header UDP) before the UDP header.
    hop = bytes([17, 0, 1, 4, 0, 0, 0, 0])
    seeds["raw-ipv6-hopbyhop-udp-rtp"] = frame_input("raw", [ipv6(0, hop + udp(5004, 5006, p)) for p in rtp_flow(n=3)])
    seeds["null-ipv4-udp-rtp-rtcp"] = frame_input(
        "null", [struct.pack("<I", 2) + ipv4(17, udp(5004, 5006, p)) for p in rtp_flow(n=3)]
        + [struct.pack("<I", 2) + ipv4(17, udp(5005, 5007, sr(0x11223344) + sdes([(0x11223344, [(1, "a@h")])])))]
        + [struct.pack("<I", 2) + ipv4(17, udp(5007, 5005, rr(0x55667788, [report_block(0x11223344, lsr=0x2B3C4000, dlsr=65536)])),
                                       src="10.0.0.2", dst="10.0.0.1")],
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
    stun = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + bytes(12)
    dtls = bytes([22, 0xFE, 0xFD]) + bytes(10)
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

SENDTO, SENDMSG, SENDMMSG, RECVFROM, RECVMSG, RECVMMSG = range(6)
SENT, RECEIVED = 1, 2
HAS_LOCAL, HAS_REMOTE, REMOTE_FROM_CALL = 0x01, 0x02, 0x04


def kernel_event(payload, syscall=SENDTO, direction=SENT, family=2, flags=HAS_LOCAL | HAS_REMOTE,
                 local=bytes([127, 0, 0, 1]), local_port=5004, remote=bytes([127, 0, 0, 2]), remote_port=6000,
                 timestamp=5_000_000_000, datagram_length=None, message_index=0, comm="ffmpeg", pid=4321):
    """struct rtpscope_event (bpf/rtpscope_event.h, 96 bytes, little-endian host) + payload."""
    header = struct.pack("<QQIIiIHBBBBHHHI16s16s16s",
                         timestamp, 424242, pid, pid + 1, 7,
                         datagram_length if datagram_length is not None else len(payload), len(payload),
                         direction, syscall, flags, family, local_port, remote_port, message_index, 0,
                         local.ljust(16, b"\x00"), remote.ljust(16, b"\x00"), comm.encode()[:16].ljust(16, b"\x00"))
    assert len(header) == 96
    return header + payload


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
    }


# --- Capture files (FuzzCapture): the bytes of a whole pcap or pcapng file ---------------------------

def pcap_file(linktype, frames, big_endian=False, nanoseconds=False, snaplen=65535, start=1_700_000_000):
    order = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for i, frame in enumerate(frames):
        sub = i * (20_000_000 if nanoseconds else 20_000)
        out += struct.pack(order + "IIII", start, sub, len(frame), len(frame)) + frame
    return out


def pcapng_block(block_type, body):
    body += bytes((4 - len(body) % 4) % 4)
    return struct.pack("<II", block_type, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


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
    null_frames = [struct.pack("<I", 2) + ipv4(17, udp(5004, 5006, p)) for p in rtp_flow(n=3)]
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


# --- SIP ------------------------------------------------------------------------------------------

def sip_message(start, call_id="a84b4c76e66710@pc33.example.com", cseq="314159 INVITE", from_tag="1928301774",
                to_tag=None, body="", extra=(), compact=False):
    names = ("v", "f", "t", "i", "CSeq", "l") if compact else ("Via", "From", "To", "Call-ID", "CSeq", "Content-Length")
    lines = [start, f"{names[0]}: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds",
             f"{names[1]}: Alice <sip:alice@example.com>;tag={from_tag}",
             f"{names[2]}: <sip:bob@example.org>" + (f";tag={to_tag}" if to_tag else ""),
             f"{names[3]}: {call_id}", f"{names[4]}: {cseq}", *extra]
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append(f"{names[5]}: {len(body.encode())}")
    return "\r\n".join(lines) + "\r\n\r\n" + body


def sip_sdp(address="192.0.2.10", port=49170, media="m=audio {port} RTP/AVP 0 8 101"):
    family = "IP6" if ":" in address else "IP4"
    return "\r\n".join(["v=0", f"o=- 1 1 IN {family} {address}", "s=-", f"c=IN {family} {address}", "t=0 0",
                         media.format(port=port), "a=rtpmap:101 telephone-event/8000", "a=sendrecv"]) + "\r\n"


def sip_seeds():
    """Byte 0 analyzer options, byte 1 TCP segment size - 1, byte 2 bytes cut off; then SIP text."""
    invite = sip_message("INVITE sip:bob@example.org SIP/2.0", body=sip_sdp())
    answer = sip_message("SIP/2.0 200 OK", to_tag="a6c85cf", body=sip_sdp("192.0.2.20", 3456))
    t38 = sip_message("INVITE sip:alice@192.0.2.10 SIP/2.0", to_tag="a6c85cf", cseq="2 INVITE",
                      body=sip_sdp("192.0.2.20", 3456, "m=image {port} udptl t38"))
    flow = [invite, sip_message("SIP/2.0 180 Ringing", to_tag="a6c85cf"), answer,
            sip_message("ACK sip:bob@example.org SIP/2.0", to_tag="a6c85cf", cseq="314159 ACK"), t38,
            sip_message("BYE sip:bob@example.org SIP/2.0", to_tag="a6c85cf", cseq="314160 BYE",
                        extra=["Reason: Q.850;cause=16"])]
    multipart = ("--b1\r\nContent-Type: application/sdp\r\n\r\n" + sip_sdp("2001:db8::1", 5004)
                 + "\r\n--b1\r\nContent-Type: application/ISUP;version=nxv3\r\n\r\n\x01\x02\r\n--b1--\r\n")
    seeds = {
        "invite-sdp": bytes([0, 15, 0]) + invite.encode(),
        "call-flow-tcp": bytes([0x01, 63, 0]) + "\r\n\r\n".join(flow).encode(),
        "call-flow-reset": bytes([0x08, 7, 3]) + "".join(flow).encode(),
        "compact-folded-lf": bytes([0, 255, 0]) + sip_message(
            "BYE sip:alice@192.0.2.10 SIP/2.0", to_tag="x", cseq="2 BYE", compact=True,
            extra=["Subject: a folded", "  header value"]).replace("\r\n", "\n").encode(),
        "multipart-ipv6": bytes([0x20, 31, 0]) + sip_message("INVITE sip:bob@example.org SIP/2.0", body=multipart)
            .replace("Content-Type: application/sdp", "Content-Type: multipart/mixed;boundary=b1").encode(),
        "cut-by-snaplen": bytes([0, 15, 200]) + invite.encode()[:180],
        "bad-cseq": bytes([0, 15, 0]) + sip_message("INVITE sip:bob@example.org SIP/2.0", cseq="1 BYE").encode(),
    }
    return seeds


# --- Write ----------------------------------------------------------------------------------------

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
        "reduced-size-pli-nack": pli(0x55667788, 0x11223344) + nack(0x55667788, 0x11223344),
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
        "FuzzSIP": sip_seeds(),
    }


def main():
    for target, seeds in corpora().items():
        directory = os.path.join(CORPUS, target)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for name, data in seeds.items():
            with open(os.path.join(directory, name + ".bin"), "wb") as f:
                f.write(data)
        print(f"{target}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
