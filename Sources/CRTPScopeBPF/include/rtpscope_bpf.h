/* A small C API over the libbpf skeletons of the datagram captures (bpf/socket.bpf.c: cgroup_skb
 * on the cgroup v2 root; bpf/rtpscope.bpf.c: syscall tracepoints), shaped for Swift: an opaque
 * handle, plain structs, errno-style results and one-line error text.
 *
 * Life cycle:  new → open(options) → load → attach → [enable_stats] → consume/poll … → destroy
 * Every step returns 0 or a negative errno; rtpscope_bpf_error() then says what failed, in one
 * line (libbpf's own logging is captured, never printed, unless RTPSCOPE_BPF_DEBUG=1). */
#ifndef RTPSCOPE_BPF_LOADER_H
#define RTPSCOPE_BPF_LOADER_H

#include <stddef.h>
#include <stdint.h>

/* The record layout shared with the BPF programs (relative include: SwiftPM only exposes this
 * target's include/ directory, and the layout must have exactly one definition). */
#include "../../../bpf/rtpscope_event.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rtpscope_bpf;

struct rtpscope_bpf_options {
	/* Empty lists mean "no filter". */
	const uint32_t *pids;
	size_t pid_count;
	/* Process names as the kernel keeps them (comm, at most 15 characters). */
	const char *const *comms;
	size_t comm_count;
	/* A datagram is kept when its local or remote port is listed. */
	const uint16_t *ports;
	size_t port_count;
	/* Socket capture: SIP to or from these ports is passed too (whatever the port filter), up to
	 * RTPSCOPE_SIP_SNAPLEN bytes; none: no SIP. The syscall capture ignores them. */
	const uint16_t *sip_ports;
	size_t sip_port_count;
	/* RTPSCOPE_DIRECTION_SENT | RTPSCOPE_DIRECTION_RECEIVED; the other direction's programs are
	 * not even loaded. */
	uint32_t direction_mask;
	/* Payload prefix per datagram, 16...RTPSCOPE_MAX_SNAPLEN (0: the default). */
	uint32_t snaplen;
	/* Ring buffer size; rounded up to a power of two, at least one page (0: 16 MiB). */
	uint32_t ring_buffer_bytes;
	/* enum rtpscope_capture: which object is loaded. */
	uint32_t capture;
	/* RTPSCOPE_CAPTURE_SOCKET: the cgroup v2 directory the programs attach to (its root mount). */
	const char *cgroup_path;
};

/* Called once per event while consuming; `event` (header + payload) is only valid during the
 * call: it points into the ring buffer itself. */
typedef void (*rtpscope_bpf_event_callback)(const struct rtpscope_event *event, size_t size,
					    void *context);

struct rtpscope_bpf_counters {
	uint64_t health[RTPSCOPE_COUNTER_COUNT]; /* indexed by enum rtpscope_counter */
};

struct rtpscope_bpf_program_stats {
	char name[64];
	uint64_t run_time_ns;
	uint64_t run_count;
	int attached;
};

/* NULL only when out of memory. */
struct rtpscope_bpf *rtpscope_bpf_new(void);
/* Opens the embedded object and applies the options that must precede loading. */
int rtpscope_bpf_open(struct rtpscope_bpf *bpf, const struct rtpscope_bpf_options *options);
/* Verifies and loads the programs, then fills the filter maps. */
int rtpscope_bpf_load(struct rtpscope_bpf *bpf);
/* Attaches every loaded program and sets up the ring-buffer reader. Socket capture: the programs
 * attach to the cgroup through bpf_link (multi-attach, gone with the handle or the process), and
 * the owners of the UDP sockets that already exist are recorded first. */
int rtpscope_bpf_attach(struct rtpscope_bpf *bpf, rtpscope_bpf_event_callback callback,
			void *context);
/* Detaches the programs (the maps and ring buffer stay readable); attach may be called again. */
void rtpscope_bpf_detach(struct rtpscope_bpf *bpf);
/* Keeps the kernel's per-program run-time statistics on while the handle lives. */
int rtpscope_bpf_enable_stats(struct rtpscope_bpf *bpf);

/* Delivers every event waiting in the ring buffer; returns how many (or a negative errno). */
int rtpscope_bpf_consume(struct rtpscope_bpf *bpf);
/* Waits up to `timeout_ms` for a wake-up (only sent when the buffer passes the wake-up
 * threshold: producers submit with BPF_RB_NO_WAKEUP), then delivers what is waiting. */
int rtpscope_bpf_poll(struct rtpscope_bpf *bpf, int timeout_ms);

/* Sums the per-CPU counters. */
int rtpscope_bpf_read_counters(const struct rtpscope_bpf *bpf, struct rtpscope_bpf_counters *out);
/* Number of programs loaded (those of disabled directions are not). */
size_t rtpscope_bpf_program_count(const struct rtpscope_bpf *bpf);
int rtpscope_bpf_program_stats(const struct rtpscope_bpf *bpf, size_t index,
			       struct rtpscope_bpf_program_stats *out);

/* Last error of this handle, one line; "" when none. */
const char *rtpscope_bpf_error(const struct rtpscope_bpf *bpf);
/* Detaches, unloads and frees; NULL is accepted. */
void rtpscope_bpf_destroy(struct rtpscope_bpf *bpf);

/* Feature probes for the doctor: 1 supported, 0 not, negative errno when the probe failed. */
int rtpscope_bpf_probe_ringbuf(void);

/* mount -t tracefs nodev <path>: 0 or a negative errno. (Glibc's mount(2) is not exposed to
 * Swift, and tracepoint attachment needs tracefs.) */
int rtpscope_bpf_mount_tracefs(const char *path);

/* The path (as /proc/self/fd shows it: the mount point plus the cgroup's path) of the cgroup v2
 * directory with id `id`, through open_by_handle_at on `mount_fd` (an open fd of the cgroup2 mount;
 * needs CAP_DAC_READ_SEARCH). 0, or a negative errno. */
int rtpscope_cgroup_path(int mount_fd, uint64_t id, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* RTPSCOPE_BPF_LOADER_H */
