/* The contract between the codec uprobes (bpf/codec.bpf.c), the C loader (Sources/CRTPScopeBPF)
 * and the Swift side (Sources/LiveSource): which library functions are probed, how a probe's
 * BPF cookie describes its function, the per-(pid, function) statistics and the per-call record.
 *
 * Same layout rules as rtpscope_event.h: fixed-width fields, natural alignment, no bitfields. */
#ifndef RTPSCOPE_CODEC_H
#define RTPSCOPE_CODEC_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Probed functions. The order is the metric label order and the index of per-function arrays. */
enum rtpscope_codec_function {
	RTPSCOPE_CODEC_AVCODEC_SEND_FRAME = 0,
	RTPSCOPE_CODEC_AVCODEC_RECEIVE_PACKET = 1,
	RTPSCOPE_CODEC_AVCODEC_SEND_PACKET = 2,
	RTPSCOPE_CODEC_AVCODEC_RECEIVE_FRAME = 3,
	RTPSCOPE_CODEC_AV_BSF_SEND_PACKET = 4,
	RTPSCOPE_CODEC_AV_BSF_RECEIVE_PACKET = 5,
	RTPSCOPE_CODEC_AV_PACKET_ALLOC = 6,
	RTPSCOPE_CODEC_AV_PACKET_REF = 7,
	RTPSCOPE_CODEC_AV_PACKET_UNREF = 8,
	RTPSCOPE_CODEC_AV_WRITE_FRAME = 9,
	RTPSCOPE_CODEC_AV_INTERLEAVED_WRITE_FRAME = 10,
	RTPSCOPE_CODEC_AV_READ_FRAME = 11,
	RTPSCOPE_CODEC_FUNCTION_COUNT = 12,
};

/* The attach cookie (bpf_get_attach_cookie) tells the one entry and one return program which
 * function fired and where its AVPacket is, so no map is keyed by function-name strings:
 *   bits  0..7   enum rtpscope_codec_function
 *   bits  8..10  1-based argument index of the AVPacket* (0: the function takes none)
 *   bit   11     read AVPacket.size when the call returns (an output packet) instead of at entry
 *   bit   12     counts only: no return probe, no timing (the av_packet_* life-cycle calls)
 *   bits 32..47  offsetof(AVPacket, size) for the library's major version */
#define RTPSCOPE_CODEC_COOKIE_FUNCTION(c) ((__u32)((c) & 0xff))
#define RTPSCOPE_CODEC_COOKIE_PACKET_ARG(c) ((__u32)(((c) >> 8) & 0x7))
#define RTPSCOPE_CODEC_COOKIE_READ_AT_RETURN 0x800ull
#define RTPSCOPE_CODEC_COOKIE_COUNT_ONLY 0x1000ull
#define RTPSCOPE_CODEC_COOKIE_SIZE_OFFSET(c) ((__u32)(((c) >> 32) & 0xffff))

/* Latency histogram: bucket i counts calls of [2^i, 2^(i+1)) ns (bucket 0 also takes 0 ns);
 * the last bucket is open-ended (2^35 ns ≈ 34 s and longer). */
#define RTPSCOPE_CODEC_HISTOGRAM_BUCKETS 36

/* Nested probed calls per thread whose entry times are kept (deeper ones are counted, untimed). */
#define RTPSCOPE_CODEC_MAX_NESTING 8

struct rtpscope_codec_key {
	__u32 pid; /* tgid */
	__u32 function;
};

struct rtpscope_codec_stats {
	__u64 calls;
	__u64 errors; /* return < 0, except AVERROR(EAGAIN) and AVERROR_EOF (normal flow) */
	__u64 packet_bytes;
	__u64 duration_ns_sum;
	__u64 untimed; /* calls whose entry was not kept (nesting beyond the bound, lost stack) */
	__u64 buckets[RTPSCOPE_CODEC_HISTOGRAM_BUCKETS];
};

/* One record per timed call that returned, for the stall and correlation analysis. */
struct rtpscope_codec_call {
	__u64 start_ns;    /* bpf_ktime_get_ns at entry (CLOCK_MONOTONIC) */
	__u64 duration_ns;
	__u32 pid;
	__u32 tid;
	__s32 result;
	__u32 function;
	__u32 packet_bytes;
	__u32 reserved;
};

/* Per-CPU health counters of the codec probes. */
enum rtpscope_codec_counter {
	RTPSCOPE_CODEC_COUNTER_RINGBUF_DROPS = 0, /* a call record did not fit: stats still count it */
	RTPSCOPE_CODEC_COUNTER_NESTING_EXCEEDED = 1,
	RTPSCOPE_CODEC_COUNTER_STACK_MISMATCH = 2, /* a return without its entry (attached mid-call) */
	RTPSCOPE_CODEC_COUNTER_STATS_FULL = 3,     /* the (pid, function) table was full */
	RTPSCOPE_CODEC_COUNTER_COUNT = 4,
};

#define RTPSCOPE_CODEC_MAX_KEYS 16384
#define RTPSCOPE_CODEC_MAX_THREADS 16384

#endif /* RTPSCOPE_CODEC_H */
