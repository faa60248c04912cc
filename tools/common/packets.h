/*
 * Packets the C test tools put on the wire: RTP (RFC 3550 5.1), RTCP sender and receiver reports
 * (RFC 3550 6.4), and the other protocols WebRTC multiplexes on one 5-tuple (RFC 7983): STUN,
 * DTLS records, SRTP and SRTCP (their shapes, not real crypto). Each builder writes into `out`
 * (at least MAX_DATAGRAM bytes) in network byte order and returns the length.
 */
#ifndef RTPSCOPE_TOOLS_PACKETS_H
#define RTPSCOPE_TOOLS_PACKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_DATAGRAM 1500
#define RTP_HEADER_BYTES 12

void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);

/* xorshift bytes: reproducible "ciphertext" and identifiers from the state `rng`. */
void fill_random(uint8_t *out, size_t length, uint64_t *rng);
uint32_t random32(uint64_t *rng);

/* The RTP fixed header: V=2, no padding, no extension, no CSRC. */
size_t write_rtp_header(uint8_t *out, uint8_t payload_type, bool marker, uint16_t seq, uint32_t timestamp,
                        uint32_t ssrc);
/* Version 2 and not an RTCP packet type (RFC 5761 demultiplexing: 192..223 is RTCP). */
bool looks_like_rtp(const uint8_t *data, long length);

/* RFC 3550 6.4.1 SR without report blocks. */
size_t build_sender_report(uint8_t *out, uint32_t ssrc, uint64_t ntp, uint32_t rtp_timestamp, uint32_t packets,
                           uint32_t octets);
/* RFC 3550 6.4.2 RR with one report block about `source`. */
size_t build_receiver_report(uint8_t *out, uint32_t reporter, uint32_t source, uint8_t fraction_lost,
                             uint32_t cumulative_lost, uint32_t highest_seq, uint32_t jitter, uint32_t last_sr,
                             uint32_t delay_since_last_sr);

/* STUN Binding request (type 0x0001, first byte 0x00) or success response (0x0101, first byte 0x01). */
size_t build_stun(uint8_t *out, bool response, uint64_t *rng);
/* DTLS 1.2 record: content type (22 handshake, 20 change cipher spec, 23 application data). */
size_t build_dtls(uint8_t *out, uint8_t content_type, uint16_t epoch, uint16_t sequence, size_t body, uint64_t *rng);
/* SRTP: RTP header in clear (PT 111, Opus-like), encrypted payload, 10-byte auth tag
 * (AES_CM_128_HMAC_SHA1_80). */
size_t build_srtp(uint8_t *out, uint16_t seq, uint32_t timestamp, uint32_t ssrc, uint64_t *rng);
/* SRTCP sender report: header + SSRC in clear, encrypted rest, E|index word, 10-byte auth tag. */
size_t build_srtcp(uint8_t *out, uint32_t ssrc, uint32_t index, uint64_t *rng);

#endif
