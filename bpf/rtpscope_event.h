/* The contract between the BPF programs (bpf/socket.bpf.c, bpf/rtpscope.bpf.c), the C loader
 * (Sources/CRTPScopeBPF) and the Swift decoder (Sources/LiveSource): one ring-buffer record per
 * captured datagram, plus the indices of the counter maps. Both capture paths write the same record.
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
/* SIP messages (socket capture, to or from a SIP port) are copied up to this many bytes: an
 * INVITE with its SDP is ~1 KB, and RFC 3261 §18.1.1 moves anything near the MTU to TCP. A longer
 * one reaches user space cut, where the SIP parser counts it as truncated. */
#define RTPSCOPE_SIP_SNAPLEN 2048
#define RTPSCOPE_MAX_SIP_PORTS 64

/* Fixed bounds of the in-kernel walks (the verifier needs them); what lies beyond is counted. */
#define RTPSCOPE_MAX_IOVECS 8
#define RTPSCOPE_MAX_MMSG 16
/* Datagrams of one UDP GSO/GRO super-packet: the kernel's own limit (UDP_MAX_SEGMENTS, 6.x). */
#define RTPSCOPE_MAX_SEGMENTS 128

#define RTPSCOPE_COMM_LENGTH 16

/* Filter table sizes (the loader rejects longer lists instead of silently truncating them). */
#define RTPSCOPE_MAX_PID_FILTERS 1024
#define RTPSCOPE_MAX_COMM_FILTERS 64
#define RTPSCOPE_MAX_PORT_FILTERS 1024

enum rtpscope_direction {
	RTPSCOPE_DIRECTION_SENT = 1,
	RTPSCOPE_DIRECTION_RECEIVED = 2,
};

/* Where a datagram was captured: a traced syscall (syscall capture) or a socket-layer hook (socket
 * capture). Carried in every event (user space counts events per hook as it reads them). */
enum rtpscope_hook {
	RTPSCOPE_HOOK_SENDTO = 0,
	RTPSCOPE_HOOK_SENDMSG = 1,
	RTPSCOPE_HOOK_SENDMMSG = 2,
	RTPSCOPE_HOOK_RECVFROM = 3,
	RTPSCOPE_HOOK_RECVMSG = 4,
	RTPSCOPE_HOOK_RECVMMSG = 5,
	/* cgroup_skb egress: the datagram leaving the socket layer, in the sending task. */
	RTPSCOPE_HOOK_EGRESS = 6,
	/* cgroup_skb ingress: the datagram queued to the receiving socket (softirq). */
	RTPSCOPE_HOOK_INGRESS = 7,
	RTPSCOPE_HOOK_COUNT = 8,
};

/* Which capture path the loader sets up. */
enum rtpscope_capture {
	RTPSCOPE_CAPTURE_SOCKET = 1,
	RTPSCOPE_CAPTURE_SYSCALLS = 2,
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
	/* The user buffer (or the packet) could not be read: the datagram is not reported. */
	RTPSCOPE_COUNTER_PAYLOAD_UNREADABLE = 5,
	/* A GSO/GRO super-packet held more than RTPSCOPE_MAX_SEGMENTS datagrams: the rest are not
	 * reported. */
	RTPSCOPE_COUNTER_SEGMENT_BOUND_EXCEEDED = 6,
	/* Socket capture, received datagram: the socket's owner was not known in the kernel; the event
	 * is delivered with the socket inode and user space resolves the owner through /proc. */
	RTPSCOPE_COUNTER_OWNER_UNKNOWN = 7,
	/* Syscall capture, received datagram: the kernel had no arrival time for it (skb without a
	 * timestamp); the syscall's return is used instead. */
	RTPSCOPE_COUNTER_ARRIVAL_UNTIMED = 8,
	/* Socket capture: an IPv6 extension-header chain longer than the walk: not reported. */
	RTPSCOPE_COUNTER_HEADERS_UNPARSED = 9,
	RTPSCOPE_COUNTER_COUNT = 10,
};

/* rtpscope_event.flags */
#define RTPSCOPE_EVENT_HAS_LOCAL 0x01  /* local address/port came from the socket */
#define RTPSCOPE_EVENT_HAS_REMOTE 0x02 /* remote address/port came from the socket or the call */
#define RTPSCOPE_EVENT_REMOTE_FROM_CALL 0x04 /* ...from sendto addr / msg_name / recvfrom src */
#define RTPSCOPE_EVENT_PAYLOAD_TRUNCATED_BY_IOVECS 0x08
/* pid/comm are unknown (socket capture, ingress): user space resolves socket_inode via /proc. */
#define RTPSCOPE_EVENT_OWNER_UNKNOWN 0x10
/* timestamp_ns is CLOCK_REALTIME (an skb's arrival stamp) rather than CLOCK_MONOTONIC. */
#define RTPSCOPE_EVENT_TIME_REALTIME 0x20

struct rtpscope_event {
	/* Nanoseconds, CLOCK_MONOTONIC (bpf_ktime_get_ns) unless RTPSCOPE_EVENT_TIME_REALTIME.
	 * Sent: when the datagram left the socket layer (socket capture) or entered the send syscall.
	 * Received: when the kernel queued it to the socket (socket capture) or when it arrived at the
	 * host (syscall capture: the skb's receive stamp; the syscall's return where there is none). */
	__u64 timestamp_ns;
	/* The socket inode (0 when unknown): lets user space match /proc without readlink. */
	__u64 socket_inode;
	__u32 pid; /* tgid; the socket's owner for received datagrams of the socket capture */
	__u32 tid; /* 0 when no task is known (socket capture, received) */
	__s32 fd;  /* -1 when unknown (socket capture) */
	/* The datagram's byte count as the syscall reported it (may exceed payload_length). */
	__u32 datagram_length;
	__u16 payload_length; /* bytes of payload prefix following this header */
	__u8 direction;       /* enum rtpscope_direction */
	__u8 hook;            /* enum rtpscope_hook */
	__u8 flags;           /* RTPSCOPE_EVENT_* */
	__u8 family;          /* AF_INET (2), AF_INET6 (10) or 0 when unknown */
	__u16 local_port;     /* host byte order */
	__u16 remote_port;    /* host byte order */
	/* Position within a sendmmsg/recvmmsg vector, or within a GSO/GRO super-packet, else 0. */
	__u16 message_index;
	__u32 reserved;
	__u8 local_address[16];  /* network byte order; IPv4 in the first 4 bytes */
	__u8 remote_address[16];
	char comm[RTPSCOPE_COMM_LENGTH];
	/* The cgroup v2 id of the socket (socket capture) or of the calling task (syscall capture):
	 * user space resolves it to a container and pod. 0 when unknown. */
	__u64 cgroup_id;
};

#endif /* RTPSCOPE_EVENT_H */
