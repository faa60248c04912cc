#include "packets.h"

void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

void fill_random(uint8_t *out, size_t length, uint64_t *rng)
{
    for (size_t i = 0; i < length; i++) {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        out[i] = (uint8_t)*rng;
    }
}

uint32_t random32(uint64_t *rng)
{
    uint32_t value;
    fill_random((uint8_t *)&value, sizeof value, rng);
    return value;
}

size_t write_rtp_header(uint8_t *out, uint8_t payload_type, bool marker, uint16_t seq, uint32_t timestamp,
                        uint32_t ssrc)
{
    out[0] = 0x80;
    out[1] = (uint8_t)((marker ? 0x80 : 0) | (payload_type & 0x7f));
    put16(out + 2, seq);
    put32(out + 4, timestamp);
    put32(out + 8, ssrc);
    return RTP_HEADER_BYTES;
}

bool looks_like_rtp(const uint8_t *data, long length)
{
    return length >= RTP_HEADER_BYTES && (data[0] >> 6) == 2 && !(data[1] >= 192 && data[1] <= 223);
}

size_t build_sender_report(uint8_t *out, uint32_t ssrc, uint64_t ntp, uint32_t rtp_timestamp, uint32_t packets,
                           uint32_t octets)
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

size_t build_receiver_report(uint8_t *out, uint32_t reporter, uint32_t source, uint8_t fraction_lost,
                             uint32_t cumulative_lost, uint32_t highest_seq, uint32_t jitter, uint32_t last_sr,
                             uint32_t delay_since_last_sr)
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

size_t build_stun(uint8_t *out, bool response, uint64_t *rng)
{
    put16(out, response ? 0x0101 : 0x0001);
    put16(out + 2, 0);             /* no attributes */
    put32(out + 4, 0x2112A442);    /* magic cookie */
    fill_random(out + 8, 12, rng); /* transaction id */
    return 20;
}

size_t build_dtls(uint8_t *out, uint8_t content_type, uint16_t epoch, uint16_t sequence, size_t body, uint64_t *rng)
{
    out[0] = content_type;
    put16(out + 1, 0xfefd); /* DTLS 1.2 */
    put16(out + 3, epoch);
    put16(out + 5, 0);      /* 48-bit record sequence number */
    put32(out + 7, sequence);
    put16(out + 11, (uint16_t)body);
    fill_random(out + 13, body, rng);
    return 13 + body;
}

size_t build_srtp(uint8_t *out, uint16_t seq, uint32_t timestamp, uint32_t ssrc, uint64_t *rng)
{
    size_t length = write_rtp_header(out, 111, false, seq, timestamp, ssrc);
    fill_random(out + length, 80 + 10, rng);
    return length + 90;
}

size_t build_srtcp(uint8_t *out, uint32_t ssrc, uint32_t index, uint64_t *rng)
{
    out[0] = 0x80;
    out[1] = 200;      /* SR */
    put16(out + 2, 6); /* length in words - 1 for a 28-byte SR without report blocks */
    put32(out + 4, ssrc);
    fill_random(out + 8, 20, rng);
    put32(out + 28, 0x80000000u | index);
    fill_random(out + 32, 10, rng);
    return 42;
}
