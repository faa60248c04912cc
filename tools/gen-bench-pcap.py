#!/usr/bin/env python3
"""Generates rtpscope's benchmark capture (not committed: it is ~200 MB at the default size).

    python3 tools/gen-bench-pcap.py OUT.pcap [--packets N] [--streams M] [--seed S]

Defaults: 1,000,000 RTP packets over 200 streams (up to 1,000,000 streams: `make bench` uses
20,000 and 100,000 for its scale rows). Ethernet / IPv4 / UDP, PCMU-like (PT 0, 8 kHz,
20 ms, 160-sample timestamps) with 172-byte UDP payloads (12-byte header + 160 bytes), interleaved
round-robin in time like 200 concurrent calls. Each stream has its own SSRC, 5-tuple, random
initial sequence number (some start near 65535 so they wrap) and timestamp base.

Impairments (deterministic, from --seed): about 0.5 % of packets are dropped (never written) and
every packet's arrival time gets a jitter offset in [-2, +2] ms (multiples of 125 us, so that
arrivals stay on whole 8 kHz ticks); records are written in capture-time order. The file holds exactly N packets: dropped sequence numbers are
skipped, not replaced, so each stream covers a little more media time. A summary (packets, lost
per stream total) is printed to stderr; `--expected FILE` writes per-stream counts as JSON
("dropped_by_generator" counts drops before the first and after the last written packet too,
which RFC 3550 cannot see as lost: compare RTP lost with it as an upper bound).

Written fast: one preassembled header template per stream, per-packet fields patched with
struct.pack_into into a reusable bytearray, records appended to a chunk that is flushed every
few MB. IPv4 header checksums are computed (cheap: only ident/length vary, incrementally); UDP
checksums are 0 (allowed for IPv4).
"""
import argparse
import json
import struct
import sys
import time

T0 = 1_700_000_000
PAYLOAD_LEN = 160
RTP_LEN = 12 + PAYLOAD_LEN          # 172-byte UDP payload
UDP_LEN = 8 + RTP_LEN
IP_LEN = 20 + UDP_LEN
FRAME_LEN = 14 + IP_LEN
REC_LEN = 16 + FRAME_LEN


class PRNG:
    """xorshift64*: deterministic and independent of Python's `random` internals."""

    def __init__(self, seed):
        self.s = (seed * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF or 1

    def next(self):
        s = self.s
        s ^= s >> 12
        s ^= (s << 25) & 0xFFFFFFFFFFFFFFFF
        s ^= s >> 27
        self.s = s
        return (s * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF


def ip_checksum_base(src, dst):
    """Sum of the 16-bit words of the IPv4 header except ident and checksum (length is fixed)."""
    words = [0x4500, IP_LEN, 0, 0x4000, (64 << 8) | 17, 0,
             src >> 16, src & 0xFFFF, dst >> 16, dst & 0xFFFF]
    return sum(words)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--packets", type=int, default=1_000_000)
    ap.add_argument("--streams", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--loss-per-mille", type=int, default=5, help="drop probability in 1/1000 (default 5 = 0.5 %%)")
    ap.add_argument("--jitter-ticks", type=int, default=16, help="max |offset| in 125 us ticks (default 16 = 2 ms)")
    ap.add_argument("--expected", help="write per-stream packet/lost counts as JSON here")
    a = ap.parse_args()
    if a.streams < 1 or a.streams > 1_000_000 or a.packets < 0:
        sys.exit("bad --streams/--packets")

    started = time.time()
    rng = PRNG(a.seed)
    M = a.streams
    payload = bytes((0xFF ^ (i & 0x0F)) for i in range(PAYLOAD_LEN))
    eth = bytes.fromhex("020000000002" "020000000001") + b"\x08\x00"

    streams = []
    for k in range(M):
        # 10.10.0.1, 10.10.0.2, … (10.11.… past 65,535 streams): one address pair per stream.
        src = (10 << 24) | ((10 << 16) + (k + 1))
        dst = (10 << 24) | ((20 << 16) + (k + 1))
        sport, dport = 20000 + 2 * (k % 20000), 30000 + 2 * (k % 15000)
        ssrc = (rng.next() >> 32) or 1
        seq0 = 65536 - 1000 - (k % 50) if k % 10 == 0 else (rng.next() >> 48)   # every 10th wraps
        ts0 = (rng.next() >> 40)
        tmpl = bytearray(REC_LEN)
        # record header (ts filled per packet), lengths fixed
        struct.pack_into("<IIII", tmpl, 0, 0, 0, FRAME_LEN, FRAME_LEN)
        tmpl[16:30] = eth
        struct.pack_into("!BBHHHBBHII", tmpl, 30, 0x45, 0, IP_LEN, 0, 0x4000, 64, 17, 0, src, dst)
        struct.pack_into("!HHHH", tmpl, 50, sport, dport, UDP_LEN, 0)
        struct.pack_into("!BBHII", tmpl, 58, 0x80, 0, 0, 0, ssrc)
        tmpl[70:] = payload
        streams.append({"tmpl": tmpl, "seq": seq0, "ts": ts0, "ssrc": ssrc, "csum": ip_checksum_base(src, dst),
                        "ident": k * 7919 & 0xFFFF, "written": 0, "lost": 0,
                        "phase_us": (k * 20_000) // M,
                        "src": "%d.%d.%d.%d:%d" % (src >> 24, (src >> 16) & 255, (src >> 8) & 255, src & 255, sport),
                        "dst": "%d.%d.%d.%d:%d" % (dst >> 24, (dst >> 16) & 255, (dst >> 8) & 255, dst & 255, dport)})

    out = open(a.out, "wb", buffering=0)
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    chunk = bytearray()
    FLUSH = 4 << 20
    pack_rec = struct.Struct("<II").pack_into
    pack_ip = struct.Struct("!HH").pack_into      # ident, then checksum at +6
    pack_ck = struct.Struct("!H").pack_into
    pack_rtp = struct.Struct("!BHI").pack_into    # marker|pt, seq, ts
    loss = a.loss_per_mille
    jt = a.jitter_ticks
    span = 2 * jt + 1

    written = 0
    slot = 0        # 20 ms media slot index shared by all streams (round-robin)
    pending = []    # (t_us, order, record bytes) not yet written: keeps the file in time order
    order = 0
    max_early = jt * 125
    while written < a.packets:
        base_us = slot * 20_000 + 10_000   # +10 ms: no negative offsets
        for st in streams:
            if written >= a.packets:
                break
            r = rng.next()
            seq = st["seq"] & 0xFFFF
            if (r >> 32) % 1000 < loss:
                st["lost"] += 1
            else:
                jitter = ((r >> 8) % span - jt) * 125 if jt else 0
                t_us = base_us + st["phase_us"] + jitter
                tmpl = st["tmpl"]
                pack_rec(tmpl, 0, T0 + t_us // 1_000_000, t_us % 1_000_000)
                ident = st["ident"] = (st["ident"] + 1) & 0xFFFF
                c = st["csum"] + ident
                c = (c & 0xFFFF) + (c >> 16)
                c = (c & 0xFFFF) + (c >> 16)
                pack_ip(tmpl, 34, ident, 0x4000)
                pack_ck(tmpl, 40, (~c) & 0xFFFF)
                pack_rtp(tmpl, 59, 0x80 if st["written"] == 0 else 0, seq, st["ts"] & 0xFFFFFFFF)
                pending.append((t_us, order, bytes(tmpl)))
                order += 1
                st["written"] += 1
                written += 1
            st["seq"] += 1
            st["ts"] += 160
        slot += 1
        # everything earlier than the earliest possible time of the next slot can be written now
        horizon = slot * 20_000 + 10_000 - max_early
        pending.sort()
        cut = 0
        while cut < len(pending) and pending[cut][0] < horizon:
            cut += 1
        for rec in pending[:cut]:
            chunk += rec[2]
        del pending[:cut]
        if len(chunk) >= FLUSH:
            out.write(chunk)
            chunk = bytearray()
    for rec in sorted(pending):
        chunk += rec[2]
    out.write(chunk)
    out.close()

    total_lost = sum(s["lost"] for s in streams)
    elapsed = time.time() - started
    print("wrote %s: %d packets, %d streams, %d dropped before writing (%.3f %%), %.1f s of media, %.1f s"
          % (a.out, written, M, total_lost, 100.0 * total_lost / max(1, written + total_lost), slot * 0.02, elapsed),
          file=sys.stderr)
    if a.expected:
        with open(a.expected, "w") as f:
            json.dump({"packets": written, "streams": [
                {"ssrc": s["ssrc"], "src": s["src"], "dst": s["dst"], "packets": s["written"],
                 "dropped_by_generator": s["lost"]} for s in streams]}, f, indent=1)


if __name__ == "__main__":
    main()
