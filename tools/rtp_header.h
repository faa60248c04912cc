/* The 12-byte RTP fixed header (RFC 3550 5.1) as the project's C test tools write it. */
#ifndef RTPSCOPE_TOOLS_RTP_HEADER_H
#define RTPSCOPE_TOOLS_RTP_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_HEADER_BYTES 12

/* V=2, no padding, no extension, no CSRC; everything in network byte order. Returns the length. */
static inline size_t write_rtp_header(uint8_t *out, uint8_t payload_type, bool marker, uint16_t seq,
                                      uint32_t timestamp, uint32_t ssrc)
{
    out[0] = 0x80;
    out[1] = (uint8_t)((marker ? 0x80 : 0) | (payload_type & 0x7f));
    out[2] = (uint8_t)(seq >> 8);
    out[3] = (uint8_t)seq;
    out[4] = (uint8_t)(timestamp >> 24);
    out[5] = (uint8_t)(timestamp >> 16);
    out[6] = (uint8_t)(timestamp >> 8);
    out[7] = (uint8_t)timestamp;
    out[8] = (uint8_t)(ssrc >> 24);
    out[9] = (uint8_t)(ssrc >> 16);
    out[10] = (uint8_t)(ssrc >> 8);
    out[11] = (uint8_t)ssrc;
    return RTP_HEADER_BYTES;
}

#endif
