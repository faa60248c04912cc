/* What both capture paths share: the loader's configuration, the ring buffer and counters, the
 * process and port filters. Included once per BPF object (socket.bpf.c, rtpscope.bpf.c); each
 * object gets its own copy of these maps, and the loader reaches them by name. */
#ifndef RTPSCOPE_CAPTURE_BPF_H
#define RTPSCOPE_CAPTURE_BPF_H

#include "rtpscope_event.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_DGRAM 2
#define IPPROTO_UDP 17

/* ---- Configuration, written by the loader before load (rodata: the verifier then removes the
 * branches of disabled filters, so an unused filter costs nothing). ---- */
const volatile bool filter_pids = false;
const volatile bool filter_comms = false;
const volatile bool filter_ports = false;
const volatile __u32 snaplen = RTPSCOPE_DEFAULT_SNAPLEN;
/* Socket capture: also pass SIP (datagrams to or from a port of `sip_ports`), for calls. */
const volatile bool capture_sip = false;
/* Submits never wake the reader (user space consumes on a timer, which is ~10x cheaper per
 * event); only when this many bytes are waiting do we force a wake-up so a reader blocked in
 * epoll is not left behind while the buffer fills. 0 disables the safety valve. */
const volatile __u64 wakeup_threshold_bytes = 0;

/* ---- Maps ---- */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024); /* the loader may resize it before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTPSCOPE_MAX_PID_FILTERS);
	__type(key, __u32);
	__type(value, __u8);
} target_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTPSCOPE_MAX_COMM_FILTERS);
	__type(key, char[RTPSCOPE_COMM_LENGTH]);
	__type(value, __u8);
} target_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTPSCOPE_MAX_PORT_FILTERS);
	__type(key, __u16);
	__type(value, __u8);
} target_ports SEC(".maps");

/* The SIP ports (5060 and --sip-port): their datagrams are passed whatever the first byte. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTPSCOPE_MAX_SIP_PORTS);
	__type(key, __u16);
	__type(value, __u8);
} sip_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RTPSCOPE_COUNTER_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* ---- Helpers ---- */

static __always_inline void count(void *map, __u32 index, __u64 amount)
{
	__u64 *value = bpf_map_lookup_elem(map, &index);
	if (value)
		*value += amount; /* per-CPU slot: no atomics needed */
}

/* The process's name is its main thread's comm: worker threads rename themselves ("udpsink0:src",
 * "tokio-runtime-w"), which would split one process into many label values. Through the BTF task
 * pointer (5.11+) that is two plain loads; the probe-read fallback costs two helper calls (A/B
 * here: BPF run time per traced send 1498 → 1278 ns). */
static __always_inline void read_process_name(char *name)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		struct task_struct *leader = bpf_get_current_task_btf()->group_leader;
		__u64 *words = (__u64 *)name;
		words[0] = *(__u64 *)&leader->comm[0];
		words[1] = *(__u64 *)&leader->comm[8];
		return;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ_STR_INTO((char(*)[RTPSCOPE_COMM_LENGTH])name, task, group_leader, comm) < 0)
		bpf_get_current_comm(name, RTPSCOPE_COMM_LENGTH);
}

static __always_inline bool process_selected(__u32 tgid, const char *name)
{
	if (filter_pids && !bpf_map_lookup_elem(&target_pids, &tgid))
		return false;
	if (filter_comms && !bpf_map_lookup_elem(&target_comms, name))
		return false;
	return true;
}

static __always_inline bool port_selected(__u16 port)
{
	return port != 0 && bpf_map_lookup_elem(&target_ports, &port) != NULL;
}

static __always_inline bool is_sip_port(__u16 port)
{
	return port != 0 && bpf_map_lookup_elem(&sip_ports, &port) != NULL;
}

/* Ring-buffer submit flags: no wake-up unless half the buffer is waiting (see above). */
static __always_inline __u64 submit_flags(void)
{
	if (wakeup_threshold_bytes &&
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wakeup_threshold_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* RTP and RTCP are version 2: the first byte is 0b10xxxxxx. */
static __always_inline bool looks_like_rtp(__u8 first)
{
	return (first & 0xC0) == 0x80;
}

#endif /* RTPSCOPE_CAPTURE_BPF_H */
