/* The contract between the BPF programs (bpf/rtpscope.bpf.c), the C loader
 * (Sources/CRTPScopeBPF) and the Swift decoder (Sources/LiveSource): one ring-buffer record per
 * traced datagram, plus the indices of the counter maps.
 *
 * Layout rules, because three compilers read this file (BPF clang, host clang, Swift's importer):
 * fixed-width fields only, naturally aligned, no bitfields, header size a multiple of 8. The
 * payload prefix follows the header directly (no flexible array member: Swift does not import
 * those); a record is `sizeof(struct rtpscope_event) + payload_length` bytes. */
#ifndef RTPSCOPE_EVENT_H
#define RTPSCOPE_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* The payload prefix copied per datagram: default covers an RTP header with CSRCs and an
 * extension, or an RTCP SR with several report blocks; the maximum bounds the BPF copy loop. */
#define RTPSCOPE_DEFAULT_SNAPLEN 256
#define RTPSCOPE_MAX_SNAPLEN 1024

/* Fixed bounds of the in-kernel walks (the verifier needs them); what lies beyond is counted. */
#define RTPSCOPE_MAX_IOVECS 8
#define RTPSCOPE_MAX_MMSG 16

#define RTPSCOPE_COMM_LENGTH 16

/* Filter table sizes (the loader rejects longer lists instead of silently truncating them). */
#define RTPSCOPE_MAX_PID_FILTERS 1024
#define RTPSCOPE_MAX_COMM_FILTERS 64
#define RTPSCOPE_MAX_PORT_FILTERS 1024

enum rtpscope_direction {
	RTPSCOPE_DIRECTION_SENT = 1,
	RTPSCOPE_DIRECTION_RECEIVED = 2,
};

/* Index into the per-syscall event counters; also carried in every event. */
enum rtpscope_syscall {
	RTPSCOPE_SYSCALL_SENDTO = 0,
	RTPSCOPE_SYSCALL_SENDMSG = 1,
	RTPSCOPE_SYSCALL_SENDMMSG = 2,
	RTPSCOPE_SYSCALL_RECVFROM = 3,
	RTPSCOPE_SYSCALL_RECVMSG = 4,
	RTPSCOPE_SYSCALL_RECVMMSG = 5,
	RTPSCOPE_SYSCALL_COUNT = 6,
};

/* Index into the per-CPU health counters: every way an event can be lost or degraded. */
enum rtpscope_counter {
	/* bpf_ringbuf_output failed (buffer full): the datagram is lost to user space. */
	RTPSCOPE_COUNTER_RINGBUF_DROPS = 0,
	/* A msghdr had more non-empty iovecs than RTPSCOPE_MAX_IOVECS before snaplen was reached:
	 * the event is delivered with a shorter payload prefix. */
	RTPSCOPE_COUNTER_IOVEC_BOUND_EXCEEDED = 1,
	/* sendmmsg/recvmmsg moved more than RTPSCOPE_MAX_MMSG messages: the rest are not reported. */
	RTPSCOPE_COUNTER_MMSG_BOUND_EXCEEDED = 2,
	/* The per-thread argument stash was full: that call is not traced. */
	RTPSCOPE_COUNTER_STASH_FULL = 3,
	/* The socket behind the fd could not be read in the kernel: addresses are left to user space. */
	RTPSCOPE_COUNTER_SOCKET_UNREADABLE = 4,
	/* The user buffer could not be read (paged out, bad pointer): the datagram is not reported. */
	RTPSCOPE_COUNTER_PAYLOAD_UNREADABLE = 5,
	RTPSCOPE_COUNTER_COUNT = 6,
};

/* rtpscope_event.flags */
#define RTPSCOPE_EVENT_HAS_LOCAL 0x01  /* local address/port came from the socket */
#define RTPSCOPE_EVENT_HAS_REMOTE 0x02 /* remote address/port came from the socket or the call */
#define RTPSCOPE_EVENT_REMOTE_FROM_CALL 0x04 /* ...from sendto addr / msg_name / recvfrom src */
#define RTPSCOPE_EVENT_PAYLOAD_TRUNCATED_BY_IOVECS 0x08

struct rtpscope_event {
	/* bpf_ktime_get_ns (CLOCK_MONOTONIC): syscall entry for sends (when the process handed the
	 * datagram over), syscall exit for receives (when it got the data). */
	__u64 timestamp_ns;
	/* The socket inode (0 when unknown): lets user space match /proc/net/udp without readlink. */
	__u64 socket_inode;
	__u32 pid; /* tgid */
	__u32 tid;
	__s32 fd;
	/* The datagram's byte count as the syscall reported it (may exceed payload_length). */
	__u32 datagram_length;
	__u16 payload_length; /* bytes of payload prefix following this header */
	__u8 direction;       /* enum rtpscope_direction */
	__u8 syscall;         /* enum rtpscope_syscall */
	__u8 flags;           /* RTPSCOPE_EVENT_* */
	__u8 family;          /* AF_INET (2), AF_INET6 (10) or 0 when unknown */
	__u16 local_port;     /* host byte order */
	__u16 remote_port;    /* host byte order */
	__u16 message_index;  /* position within a sendmmsg/recvmmsg vector, else 0 */
	__u32 reserved;       /* keeps the header a multiple of 8 bytes (96) */
	__u8 local_address[16];  /* network byte order; IPv4 in the first 4 bytes */
	__u8 remote_address[16];
	char comm[RTPSCOPE_COMM_LENGTH];
};

#endif /* RTPSCOPE_EVENT_H */
