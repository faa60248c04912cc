// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rtpscope codec probes: uprobes and uretprobes on libavcodec / libavformat entry points.
 *
 * One entry program and one return program serve every probed function: the loader attaches them
 * once per (process, function) with a pid filter, and the attach cookie says which function fired
 * and where its AVPacket lives (see rtpscope_codec.h). Per (pid, function) the kernel keeps calls,
 * errors, packet bytes and a log2 latency histogram; every timed call that returns is also handed
 * to user space (start, duration) for the stall and correlation analysis.
 *
 * Entry times are kept on a small per-thread stack, so nested probed calls (a bitstream filter
 * called from inside an encode, av_read_frame inside a demuxer callback) are timed correctly:
 * uretprobes fire in LIFO order per thread. Output packets (avcodec_receive_packet's AVPacket *)
 * are only filled when the call returns, so their pointer is saved at entry and read at return:
 * a return probe's argument registers no longer hold the arguments. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "rtpscope_codec.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Normal-flow results that are not errors: AVERROR(EAGAIN) and AVERROR_EOF (-MKTAG('E','O','F',' ')). */
#define AVERROR_EAGAIN (-11)
#define AVERROR_EOF (-0x20464F45)

/* See rtpscope_event.h's twin setting: wake a blocked reader only past this many waiting bytes. */
const volatile __u64 wakeup_threshold_bytes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024); /* the loader may resize it before load */
} codec_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTPSCOPE_CODEC_MAX_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rtpscope_codec_key);
	__type(value, struct rtpscope_codec_stats);
} codec_stats SEC(".maps");

struct call_frame {
	__u64 start_ns;
	__u64 packet;       /* the AVPacket * saved at entry (output packets), else 0 */
	__u32 function;
	__u32 packet_bytes; /* read at entry (input packets) */
};

struct thread_stack {
	__u32 depth; /* may exceed RTPSCOPE_CODEC_MAX_NESTING: deeper frames are not stored */
	__u32 reserved;
	struct call_frame frames[RTPSCOPE_CODEC_MAX_NESTING];
};

/* LRU: a thread that dies inside a probed call leaves its stack behind; old ones are recycled. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RTPSCOPE_CODEC_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct thread_stack);
} thread_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RTPSCOPE_CODEC_COUNTER_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} codec_counters SEC(".maps");

static __always_inline void count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&codec_counters, &counter);
	if (value)
		*value += 1;
}

static __always_inline struct rtpscope_codec_stats *stats_for(__u32 pid, __u32 function)
{
	struct rtpscope_codec_key key = { .pid = pid, .function = function };
	struct rtpscope_codec_stats *stats = bpf_map_lookup_elem(&codec_stats, &key);
	if (stats)
		return stats;
	struct rtpscope_codec_stats empty = {};
	/* Another CPU may insert the same key first (EEXIST): the lookup below finds it either way. */
	bpf_map_update_elem(&codec_stats, &key, &empty, BPF_NOEXIST);
	stats = bpf_map_lookup_elem(&codec_stats, &key);
	if (!stats)
		count(RTPSCOPE_CODEC_COUNTER_STATS_FULL);
	return stats;
}

static __always_inline __u64 argument(struct pt_regs *ctx, __u32 index)
{
	/* Read every candidate register at a constant offset: a switch on `index` compiles to a
	 * variable offset into ctx, which the verifier refuses. */
	__u64 arguments[4] = { PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx),
			       PT_REGS_PARM4(ctx) };
	return index >= 1 && index <= 4 ? arguments[(index - 1) & 3] : 0;
}

/* AVPacket.size at the library's offset; 0 when the pointer is NULL (a flush) or unreadable. */
static __always_inline __u32 packet_size(__u64 packet, __u64 cookie)
{
	if (!packet)
		return 0;
	int size = 0;
	if (bpf_probe_read_user(&size, sizeof(size),
				(const void *)(packet + RTPSCOPE_CODEC_COOKIE_SIZE_OFFSET(cookie))))
		return 0;
	return size > 0 ? (__u32)size : 0;
}

static __always_inline __u32 log2_bucket(__u64 value)
{
	__u32 bucket = 0;
	if (value >> 32) { value >>= 32; bucket += 32; }
	if (value >> 16) { value >>= 16; bucket += 16; }
	if (value >> 8) { value >>= 8; bucket += 8; }
	if (value >> 4) { value >>= 4; bucket += 4; }
	if (value >> 2) { value >>= 2; bucket += 2; }
	if (value >> 1) { bucket += 1; }
	return bucket < RTPSCOPE_CODEC_HISTOGRAM_BUCKETS ? bucket : RTPSCOPE_CODEC_HISTOGRAM_BUCKETS - 1;
}

SEC("uprobe")
int codec_enter(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 function = RTPSCOPE_CODEC_COOKIE_FUNCTION(cookie);
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (cookie & RTPSCOPE_CODEC_COOKIE_COUNT_ONLY) {
		struct rtpscope_codec_stats *stats = stats_for(pid_tgid >> 32, function);
		if (stats)
			__sync_fetch_and_add(&stats->calls, 1);
		return 0;
	}

	__u32 tid = (__u32)pid_tgid;
	struct thread_stack *stack = bpf_map_lookup_elem(&thread_stacks, &tid);
	if (!stack) {
		struct thread_stack empty = {};
		bpf_map_update_elem(&thread_stacks, &tid, &empty, BPF_NOEXIST);
		stack = bpf_map_lookup_elem(&thread_stacks, &tid);
		if (!stack)
			return 0;
	}
	__u32 depth = stack->depth;
	stack->depth = depth + 1;
	if (depth >= RTPSCOPE_CODEC_MAX_NESTING) {
		count(RTPSCOPE_CODEC_COUNTER_NESTING_EXCEEDED);
		return 0;
	}
	struct call_frame *frame = &stack->frames[depth];
	frame->function = function;
	frame->packet = 0;
	frame->packet_bytes = 0;
	__u32 packet_argument = RTPSCOPE_CODEC_COOKIE_PACKET_ARG(cookie);
	if (packet_argument) {
		__u64 packet = argument(ctx, packet_argument);
		if (cookie & RTPSCOPE_CODEC_COOKIE_READ_AT_RETURN)
			frame->packet = packet;
		else
			frame->packet_bytes = packet_size(packet, cookie);
	}
	frame->start_ns = bpf_ktime_get_ns(); /* last: the probe's own work is not the call's */
	return 0;
}

SEC("uretprobe")
int codec_return(struct pt_regs *ctx)
{
	__u64 end_ns = bpf_ktime_get_ns();
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 function = RTPSCOPE_CODEC_COOKIE_FUNCTION(cookie);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__s32 result = (__s32)PT_REGS_RC(ctx);

	struct rtpscope_codec_stats *stats = stats_for(pid_tgid >> 32, function);
	if (!stats)
		return 0;
	__sync_fetch_and_add(&stats->calls, 1);
	if (result < 0 && result != AVERROR_EAGAIN && result != AVERROR_EOF)
		__sync_fetch_and_add(&stats->errors, 1);

	__u32 tid = (__u32)pid_tgid;
	struct thread_stack *stack = bpf_map_lookup_elem(&thread_stacks, &tid);
	if (!stack || stack->depth == 0) {
		/* The return of a call that was already running when the probes were attached. */
		count(RTPSCOPE_CODEC_COUNTER_STACK_MISMATCH);
		__sync_fetch_and_add(&stats->untimed, 1);
		return 0;
	}
	__u32 depth = stack->depth - 1;
	stack->depth = depth;
	if (depth >= RTPSCOPE_CODEC_MAX_NESTING) {
		__sync_fetch_and_add(&stats->untimed, 1);
		return 0;
	}
	struct call_frame *frame = &stack->frames[depth];
	if (frame->function != function) {
		count(RTPSCOPE_CODEC_COUNTER_STACK_MISMATCH);
		__sync_fetch_and_add(&stats->untimed, 1);
		return 0;
	}

	__u64 duration = end_ns - frame->start_ns;
	__u32 bytes = frame->packet_bytes;
	if (result >= 0 && frame->packet)
		bytes = packet_size(frame->packet, cookie);
	if (result < 0)
		bytes = 0; /* a refused packet was not consumed (EAGAIN), nor produced */
	if (bytes)
		__sync_fetch_and_add(&stats->packet_bytes, bytes);
	__sync_fetch_and_add(&stats->duration_ns_sum, duration);
	__sync_fetch_and_add(&stats->buckets[log2_bucket(duration)], 1);

	struct rtpscope_codec_call call = {
		.start_ns = frame->start_ns,
		.duration_ns = duration,
		.pid = pid_tgid >> 32,
		.tid = tid,
		.result = result,
		.function = function,
		.packet_bytes = bytes,
	};
	__u64 flags = BPF_RB_NO_WAKEUP;
	if (wakeup_threshold_bytes && bpf_ringbuf_query(&codec_calls, BPF_RB_AVAIL_DATA) > wakeup_threshold_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&codec_calls, &call, sizeof(call), flags))
		count(RTPSCOPE_CODEC_COUNTER_RINGBUF_DROPS);
	return 0;
}
