// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rtpscope syscall capture (`--capture syscalls`, and the fallback where the socket capture of
 * socket.bpf.c cannot attach): trace the UDP datagram syscalls of selected processes and hand a
 * payload prefix of every RTP/RTCP datagram to user space through a ring buffer.
 *
 * Pattern: on sys_enter_* stash the arguments in a hash keyed by pid_tgid; on sys_exit_* read the
 * return value and copy only what the call actually moved (received data exists only after the
 * call returns). Everything that can be filtered is filtered before copying: process (pid, comm)
 * at entry, the RTP version bits, the socket type and the ports per datagram.
 *
 * Only syscall tracepoints are used: kprobes and fentry are not available on every kernel we
 * target, and the syscall ABI is stable where kernel functions are not. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "capture.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* What a sys_enter_* leaves for its sys_exit_*: the arguments and the socket as seen at entry. */
struct pending_call {
	__u64 enter_ns;
	__u64 buffer;      /* buf (sendto/recvfrom), msghdr* (sendmsg/recvmsg), mmsghdr* (mmsg) */
	__u64 address;     /* sendto dest_addr / recvfrom src_addr */
	__u64 address_length; /* sendto: the length; recvfrom: pointer to the length */
	__u64 socket_inode;
	__u32 length;      /* len (sendto/recvfrom) or vlen (mmsg) */
	__s32 fd;
	__u8 hook;         /* enum rtpscope_hook: the syscall */
	__u8 direction;
	__u8 family;
	__u8 flags;        /* RTPSCOPE_EVENT_HAS_LOCAL / HAS_REMOTE from the socket */
	__u8 port_matched; /* the socket's own ports already satisfied the port filter */
	__u8 socket_state; /* enum socket_state: looked up once, at the first RTP-looking datagram */
	__u8 arrival_count; /* receives: arrival stamps found on the socket's queue at entry */
	__u16 local_port;
	__u16 remote_port;
	__u8 local_address[16];
	__u8 remote_address[16];
	/* The skb receive stamps (CLOCK_REALTIME, 0 = none) of the datagrams at the head of the
	 * socket's queue when the receive began: the next ones the call will return, in order. */
	__u64 arrivals[RTPSCOPE_MAX_MMSG];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pending_call);
} pending_calls SEC(".maps");

/* What read_socket learnt about a UDP socket, per (process, fd), so the ~15 dependent reads
 * fd → file → inode → socket → sock happen once per socket instead of once per datagram. An
 * entry is trusted only while the fd still holds the same open file (the struct file pointer and
 * the inode number, which a reused slab address would not repeat); LRU: closed sockets age out. */
struct socket_key {
	__u32 tgid;
	__s32 fd;
};

struct socket_entry {
	__u64 file;
	__u64 socket_inode;
	__u64 sock; /* struct sock *: a connected socket's peer is re-read from it (connect() again) */
	__u8 local_address[16];
	__u8 remote_address[16];
	__u16 local_port;
	__u16 remote_port;
	__u8 family;
	__u8 flags;
	__u8 state; /* enum socket_state */
	__u8 reserved;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct socket_key);
	__type(value, struct socket_entry);
} socket_cache SEC(".maps");

/* The event is assembled here (a BPF stack is only 512 bytes) and then copied into the ring with
 * its exact size. The payload area is twice the maximum snaplen so that "offset < MAX" plus
 * "size <= MAX" is provably in bounds for the verifier. */
struct event_buffer {
	struct rtpscope_event header;
	__u8 payload[2 * RTPSCOPE_MAX_SNAPLEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event_buffer);
} scratch SEC(".maps");

/* ---- Helpers ---- */

static __always_inline bool current_process_selected(void)
{
	char comm[RTPSCOPE_COMM_LENGTH] = {};
	if (filter_comms)
		read_process_name(comm);
	return process_selected(bpf_get_current_pid_tgid() >> 32, comm);
}

enum socket_lookup { SOCKET_UDP, SOCKET_NOT_UDP, SOCKET_UNREADABLE };
enum socket_state { SOCKET_STATE_UNKNOWN = 0, SOCKET_STATE_USABLE, SOCKET_STATE_NOT_UDP };

/* Explicit sizes: BPF_CORE_READ_INTO would size the read by the destination's element (1 byte
 * for a __u8 array). */
static __always_inline void read_local_address(struct sock *sk, __u16 family, __u8 *address)
{
	if (family == AF_INET)
		bpf_core_read(address, sizeof(__be32), &sk->__sk_common.skc_rcv_saddr);
	else
		bpf_core_read(address, sizeof(struct in6_addr), &sk->__sk_common.skc_v6_rcv_saddr);
}

static __always_inline void read_remote_address(struct sock *sk, __u16 family, __u8 *address)
{
	if (family == AF_INET)
		bpf_core_read(address, sizeof(__be32), &sk->__sk_common.skc_daddr);
	else
		bpf_core_read(address, sizeof(struct in6_addr), &sk->__sk_common.skc_v6_daddr);
}

/* The open file behind `fd` in the current task (NULL when it cannot be read). */
static __always_inline struct file *current_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **files = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	if (bpf_core_read(&file, sizeof(file), &files[fd]))
		return NULL;
	return file;
}

/* file → inode → socket → sock, through CO-RE reads: keeps only UDP over IPv4/IPv6 and records
 * the socket's own addresses (the local ones are only known here; the remote ones when connected). */
static __always_inline enum socket_lookup read_socket(struct file *file, struct pending_call *call,
						      struct sock **sock_out)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return SOCKET_UNREADABLE;
	call->socket_inode = BPF_CORE_READ(inode, i_ino); /* the cache's validation, sockets or not */
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFSOCK)
		return SOCKET_NOT_UDP;

	struct socket *sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return SOCKET_UNREADABLE;
	if (BPF_CORE_READ(sock, type) != SOCK_DGRAM)
		return SOCKET_NOT_UDP;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return SOCKET_UNREADABLE;
	/* sk_protocol was a bitfield before 5.6; the probed bitfield read handles both layouts. */
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_UDP)
		return SOCKET_NOT_UDP; /* ICMP "ping" sockets, UDP-Lite, ... */

	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return SOCKET_NOT_UDP;
	*sock_out = sk;
	call->family = family;
	read_local_address(sk, family, call->local_address);
	read_remote_address(sk, family, call->remote_address);
	call->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	call->remote_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	call->flags = RTPSCOPE_EVENT_HAS_LOCAL;
	if (call->remote_port != 0)
		call->flags |= RTPSCOPE_EVENT_HAS_REMOTE; /* connected */
	return SOCKET_UDP;
}

/* The cached view of the socket, if it still describes what `fd` holds. */
static __always_inline bool read_cached_socket(struct file *file, const struct socket_key *key,
					       struct pending_call *call)
{
	struct socket_entry *entry = bpf_map_lookup_elem(&socket_cache, key);
	if (!entry || entry->file != (__u64)file ||
	    entry->socket_inode != BPF_CORE_READ(file, f_inode, i_ino))
		return false;
	call->socket_state = entry->state;
	if (entry->state != SOCKET_STATE_USABLE)
		return true;
	call->socket_inode = entry->socket_inode;
	call->family = entry->family;
	call->flags = entry->flags;
	call->local_port = entry->local_port;
	__builtin_memcpy(call->local_address, entry->local_address, sizeof(call->local_address));
	/* The peer of a connected socket can change (connect() again): two reads, not fifteen. */
	struct sock *sk = (struct sock *)entry->sock;
	call->remote_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (call->remote_port != 0) {
		read_remote_address(sk, call->family, call->remote_address);
		call->flags |= RTPSCOPE_EVENT_HAS_REMOTE;
	} else {
		call->flags &= ~RTPSCOPE_EVENT_HAS_REMOTE;
	}
	return true;
}

static __always_inline void cache_socket(struct file *file, const struct socket_key *key,
					 const struct pending_call *call, struct sock *sk)
{
	struct socket_entry entry = {
		.file = (__u64)file,
		.socket_inode = call->socket_inode,
		.sock = (__u64)sk,
		.local_port = call->local_port,
		.family = call->family,
		.flags = call->flags,
		.state = call->socket_state,
	};
	__builtin_memcpy(entry.local_address, call->local_address, sizeof(entry.local_address));
	bpf_map_update_elem(&socket_cache, key, &entry, BPF_ANY);
}

/* The socket is read at exit, and only for calls that moved an RTP-looking datagram: most traffic
 * of a traced process (TCP, D-Bus, DNS) never pays for the ~15 dependent reads, and after the
 * call an implicitly bound socket already has its local port. Returns false for non-UDP sockets;
 * an unreadable socket is still usable (user space resolves it through /proc). */
static __always_inline bool socket_usable(struct pending_call *call)
{
	if (call->socket_state == SOCKET_STATE_UNKNOWN) {
		struct file *file = current_file(call->fd);
		struct socket_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = call->fd };
		struct sock *sk = NULL;
		if (!file) {
			count(&counters, RTPSCOPE_COUNTER_SOCKET_UNREADABLE, 1);
			call->socket_state = SOCKET_STATE_USABLE;
		} else if (!read_cached_socket(file, &key, call)) {
			switch (read_socket(file, call, &sk)) {
			case SOCKET_NOT_UDP:
				/* Cached too: a receive on it (TCP, a pipe) then costs a lookup, not this walk. */
				call->socket_state = SOCKET_STATE_NOT_UDP;
				cache_socket(file, &key, call, sk);
				break;
			case SOCKET_UNREADABLE:
				count(&counters, RTPSCOPE_COUNTER_SOCKET_UNREADABLE, 1);
				call->socket_state = SOCKET_STATE_USABLE;
				break;
			case SOCKET_UDP:
				call->socket_state = SOCKET_STATE_USABLE;
				/* An implicitly bound socket has no port before its first send: cache once bound. */
				if (call->local_port != 0)
					cache_socket(file, &key, call, sk);
				break;
			}
		}
		if (call->socket_state == SOCKET_STATE_USABLE && filter_ports)
			call->port_matched = port_selected(call->local_port) || port_selected(call->remote_port);
	}
	return call->socket_state == SOCKET_STATE_USABLE;
}

/* The receive stamps of the first datagrams waiting on a UDP socket, in the order a receive will
 * return them: UDP's reader_queue first, then sk_receive_queue (the kernel splices the second into
 * the first). The stamp is the host's arrival time (set when the packet entered the stack; the
 * loader keeps receive timestamping on), so a process that reads late or in batches is not taken
 * for network jitter. The socket is looked up here (once per socket: socket_cache), not at exit. */
struct queue_walk {
	struct pending_call *call;
	struct sk_buff *next;
	struct sk_buff *end; /* the list head of the queue being walked */
	struct sk_buff *second_end;
	struct sk_buff *second_first;
	__u32 wanted;
};

static long note_queued_arrival(__u32 index, void *context)
{
	struct queue_walk *walk = context;
	if (index >= walk->wanted || index >= RTPSCOPE_MAX_MMSG)
		return 1;
	if (walk->next == walk->end) {
		if (!walk->second_end || walk->second_first == walk->second_end)
			return 1;
		walk->next = walk->second_first;
		walk->end = walk->second_end;
		walk->second_end = NULL;
	}
	struct sk_buff *skb = walk->next;
	walk->call->arrivals[index & (RTPSCOPE_MAX_MMSG - 1)] = BPF_CORE_READ(skb, tstamp);
	walk->call->arrival_count = index + 1;
	walk->next = BPF_CORE_READ(skb, next);
	return walk->next == NULL;
}

static __always_inline void note_queued_arrivals(struct pending_call *call)
{
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop) || !socket_usable(call))
		return;
	struct socket_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = call->fd };
	struct socket_entry *entry = bpf_map_lookup_elem(&socket_cache, &key);
	if (!entry || entry->state != SOCKET_STATE_USABLE || entry->socket_inode != call->socket_inode)
		return;
	struct udp_sock *udp = (struct udp_sock *)entry->sock;
	struct sock *sk = (struct sock *)entry->sock;
	struct queue_walk walk = {
		.call = call,
		.wanted = call->hook == RTPSCOPE_HOOK_RECVMMSG ? call->length : 1,
		.end = (struct sk_buff *)&sk->sk_receive_queue,
		.next = BPF_CORE_READ(sk, sk_receive_queue.next),
	};
	if (bpf_core_field_exists(udp->reader_queue)) {
		walk.second_end = walk.end;
		walk.second_first = walk.next;
		walk.end = (struct sk_buff *)&udp->reader_queue;
		walk.next = BPF_CORE_READ(udp, reader_queue.next);
	}
	bpf_loop(RTPSCOPE_MAX_MMSG, note_queued_arrival, &walk, 0);
}

/* Common sys_enter_* work: process filters, then stash the arguments for the exit. */
static __always_inline int stash_call(__u8 hook, __u8 direction, int fd, __u64 buffer,
				      __u32 length, __u64 address, __u64 address_length)
{
	if (!current_process_selected())
		return 0;

	struct pending_call call = {};
	call.enter_ns = bpf_ktime_get_ns();
	call.buffer = buffer;
	call.length = length;
	call.address = address;
	call.address_length = address_length;
	call.fd = fd;
	call.hook = hook;
	call.direction = direction;
	if (direction == RTPSCOPE_DIRECTION_RECEIVED)
		note_queued_arrivals(&call);

	__u64 key = bpf_get_current_pid_tgid();
	if (bpf_map_update_elem(&pending_calls, &key, &call, BPF_ANY))
		count(&counters, RTPSCOPE_COUNTER_STASH_FULL, 1);
	return 0;
}

/* RTP/RTCP version 2 in user memory, checked before copying anything. */
static __always_inline bool starts_like_rtp(const void *user_buffer)
{
	__u8 first = 0;
	if (bpf_probe_read_user(&first, 1, user_buffer))
		return false;
	return looks_like_rtp(first);
}

/* Copies up to `size` bytes to payload[offset...]; the masks and the clamp are what the verifier
 * needs to see the write stays inside the scratch buffer. */
static __always_inline long copy_chunk(struct event_buffer *buffer, __u32 offset,
				       const void *source, __u32 size)
{
	offset &= RTPSCOPE_MAX_SNAPLEN - 1;
	if (size > RTPSCOPE_MAX_SNAPLEN)
		size = RTPSCOPE_MAX_SNAPLEN;
	return bpf_probe_read_user(&buffer->payload[offset], size, source);
}

static __always_inline __u32 copy_limit(__u64 datagram_length)
{
	__u32 limit = snaplen < RTPSCOPE_MAX_SNAPLEN ? snaplen : RTPSCOPE_MAX_SNAPLEN;
	return datagram_length < limit ? (__u32)datagram_length : limit;
}

/* Walks up to RTPSCOPE_MAX_IOVECS iovecs, copying the first `limit` bytes of the datagram.
 * Returns the bytes copied or -1 when user memory could not be read. */
static __always_inline int copy_iovecs(struct event_buffer *buffer, const struct iovec *iovecs,
				       __u64 iovec_count, __u32 limit)
{
	__u32 copied = 0;
	for (int i = 0; i < RTPSCOPE_MAX_IOVECS; i++) {
		if (i >= iovec_count || copied >= limit)
			return copied;
		struct iovec iov;
		if (bpf_probe_read_user(&iov, sizeof(iov), &iovecs[i]))
			return -1;
		__u64 chunk = iov.iov_len;
		if (chunk > limit - copied)
			chunk = limit - copied;
		if (chunk == 0)
			continue;
		if (copy_chunk(buffer, copied, iov.iov_base, chunk))
			return -1;
		copied += chunk;
	}
	if (copied < limit && iovec_count > RTPSCOPE_MAX_IOVECS) {
		buffer->header.flags |= RTPSCOPE_EVENT_PAYLOAD_TRUNCATED_BY_IOVECS;
		count(&counters, RTPSCOPE_COUNTER_IOVEC_BOUND_EXCEEDED, 1);
	}
	return copied;
}

/* The peer address the call carried (sendto dest, msg_name, recvfrom src) wins over the
 * socket's connected peer: for UDP it is what the kernel actually used. */
static __always_inline void take_call_address(struct rtpscope_event *event, const void *address,
					      __u64 address_length)
{
	if (!address || address_length < sizeof(struct sockaddr_in))
		return;
	__u16 family = 0;
	if (bpf_probe_read_user(&family, sizeof(family), address))
		return;
	if (event->family != 0 && event->family != family)
		return; /* not an address of this socket's family: ignore rather than mix */
	if (family == AF_INET) {
		struct sockaddr_in in = {};
		if (bpf_probe_read_user(&in, sizeof(in), address))
			return;
		__builtin_memcpy(event->remote_address, &in.sin_addr, 4);
		event->remote_port = __builtin_bswap16(in.sin_port);
	} else if (family == AF_INET6 && address_length >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6 = {};
		if (bpf_probe_read_user(&in6, sizeof(in6), address))
			return;
		__builtin_memcpy(event->remote_address, &in6.sin6_addr, 16);
		event->remote_port = __builtin_bswap16(in6.sin6_port);
	} else {
		return;
	}
	event->family = family;
	event->flags |= RTPSCOPE_EVENT_HAS_REMOTE | RTPSCOPE_EVENT_REMOTE_FROM_CALL;
}

/* Fills the header from the stash and the call's result, applies the per-datagram port filter
 * and hands the record to the ring buffer. */
static __always_inline void submit(struct event_buffer *buffer, const struct pending_call *call,
				   __u32 payload_length, __u64 datagram_length,
				   const void *address, __u64 address_length, __u16 message_index)
{
	struct rtpscope_event *event = &buffer->header;
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	event->socket_inode = call->socket_inode;
	event->pid = pid_tgid >> 32;
	event->tid = (__u32)pid_tgid;
	event->fd = call->fd;
	event->datagram_length = datagram_length;
	event->payload_length = payload_length;
	event->direction = call->direction;
	event->hook = call->hook;
	event->flags |= call->flags;
	event->family = call->family;
	event->local_port = call->local_port;
	event->remote_port = call->remote_port;
	event->message_index = message_index;
	event->reserved = 0;
	__builtin_memcpy(event->local_address, call->local_address, 16);
	__builtin_memcpy(event->remote_address, call->remote_address, 16);
	take_call_address(event, address, address_length);

	if (filter_ports && !call->port_matched && !port_selected(event->remote_port))
		return;

	event->timestamp_ns = call->enter_ns;
	if (call->direction == RTPSCOPE_DIRECTION_RECEIVED) {
		__u64 arrival = message_index < call->arrival_count
			? call->arrivals[message_index & (RTPSCOPE_MAX_MMSG - 1)] : 0;
		if (arrival) {
			event->timestamp_ns = arrival;
			event->flags |= RTPSCOPE_EVENT_TIME_REALTIME;
		} else {
			/* The datagram was not queued when the call began: the receiver waited for it, and
			 * its return is the nearest instant we have. Queued but unstamped is counted. */
			event->timestamp_ns = bpf_ktime_get_ns();
			if (message_index < call->arrival_count)
				count(&counters, RTPSCOPE_COUNTER_ARRIVAL_UNTIMED, 1);
		}
	}

	read_process_name(event->comm);
	event->cgroup_id = bpf_get_current_cgroup_id();

	__u32 size = payload_length;
	if (size > RTPSCOPE_MAX_SNAPLEN)
		size = RTPSCOPE_MAX_SNAPLEN;
	if (bpf_ringbuf_output(&events, buffer, sizeof(struct rtpscope_event) + size, submit_flags()))
		count(&counters, RTPSCOPE_COUNTER_RINGBUF_DROPS, 1);
}

static __always_inline struct event_buffer *fresh_buffer(void)
{
	__u32 zero = 0;
	struct event_buffer *buffer = bpf_map_lookup_elem(&scratch, &zero);
	if (buffer)
		buffer->header.flags = 0;
	return buffer;
}

/* One datagram described by a msghdr (sendmsg/recvmsg, or one entry of an mmsghdr vector). */
static __always_inline void emit_message(struct pending_call *call,
					 const struct user_msghdr *message, __u64 datagram_length,
					 __u16 message_index)
{
	struct user_msghdr header;
	if (bpf_probe_read_user(&header, sizeof(header), message))
		goto unreadable;
	if (header.msg_iovlen == 0 || datagram_length == 0)
		return;
	struct iovec first;
	if (bpf_probe_read_user(&first, sizeof(first), header.msg_iov))
		goto unreadable;
	/* An empty first iovec is legal but unusual; then the version check waits for the copy. */
	if (first.iov_len != 0 && !starts_like_rtp(first.iov_base))
		return;
	if (!socket_usable(call))
		return;

	struct event_buffer *buffer = fresh_buffer();
	if (!buffer)
		return;
	int copied = copy_iovecs(buffer, header.msg_iov, header.msg_iovlen,
				 copy_limit(datagram_length));
	if (copied <= 0)
		goto unreadable;
	if ((buffer->payload[0] & 0xC0) != 0x80)
		return;
	submit(buffer, call, copied, datagram_length, header.msg_name,
	       header.msg_namelen < 0 ? 0 : header.msg_namelen, message_index);
	return;
unreadable:
	count(&counters, RTPSCOPE_COUNTER_PAYLOAD_UNREADABLE, 1);
}

/* Looks up (and at the end removes) this thread's stash. */
static __always_inline struct pending_call *pending_call(void)
{
	__u64 key = bpf_get_current_pid_tgid();
	return bpf_map_lookup_elem(&pending_calls, &key);
}

static __always_inline void forget_pending_call(void)
{
	__u64 key = bpf_get_current_pid_tgid();
	bpf_map_delete_elem(&pending_calls, &key);
}

/* sendto / recvfrom: one datagram in one buffer. */
static __always_inline int exit_buffer_call(long result)
{
	struct pending_call *call = pending_call();
	if (!call)
		return 0;
	if (result > 0 && call->length > 0) {
		/* recv with MSG_TRUNC returns the datagram's real size, which can exceed the buffer. */
		__u64 available = (__u64)result < call->length ? (__u64)result : call->length;
		const void *data = (const void *)call->buffer;
		if (starts_like_rtp(data) && socket_usable(call)) {
			struct event_buffer *buffer = fresh_buffer();
			__u32 size = copy_limit(available);
			if (buffer && copy_chunk(buffer, 0, data, size) == 0) {
				__u64 address_length = call->address_length;
				if (call->direction == RTPSCOPE_DIRECTION_RECEIVED) {
					/* recvfrom: the kernel wrote the length back through the pointer. */
					__u32 written = 0;
					if (!call->address_length ||
					    bpf_probe_read_user(&written, sizeof(written),
								(const void *)call->address_length))
						written = 0;
					address_length = written;
				}
				submit(buffer, call, size, result, (const void *)call->address,
				       address_length, 0);
			} else if (buffer) {
				count(&counters, RTPSCOPE_COUNTER_PAYLOAD_UNREADABLE, 1);
			}
		}
	}
	forget_pending_call();
	return 0;
}

/* sendmsg / recvmsg: one datagram described by a msghdr. */
static __always_inline int exit_message_call(long result)
{
	struct pending_call *call = pending_call();
	if (!call)
		return 0;
	if (result > 0)
		emit_message(call, (const struct user_msghdr *)call->buffer, result, 0);
	forget_pending_call();
	return 0;
}

/* sendmmsg / recvmmsg: `result` datagrams, each with its own msg_len. */
struct message_walk {
	struct pending_call *call;
	const struct mmsghdr *vector;
	long result;
};

static __always_inline void emit_vector_entry(const struct message_walk *walk, __u32 index)
{
	__u32 length = 0;
	if (bpf_probe_read_user(&length, sizeof(length), &walk->vector[index].msg_len)) {
		count(&counters, RTPSCOPE_COUNTER_PAYLOAD_UNREADABLE, 1);
		return;
	}
	emit_message(walk->call, &walk->vector[index].msg_hdr, length, index);
}

static long emit_vector_entry_callback(__u32 index, void *context)
{
	struct message_walk *walk = context;
	if (index >= walk->result)
		return 1; /* stop */
	emit_vector_entry(walk, index);
	return 0;
}

/* Without bpf_loop (kernels before 5.17) the walk is an unrolled-by-the-verifier loop whose cost
 * grows with messages x iovecs, so it covers fewer messages. */
#define RTPSCOPE_MAX_MMSG_WITHOUT_BPF_LOOP 4

static __always_inline int exit_multi_message_call(long result)
{
	struct pending_call *call = pending_call();
	if (!call)
		return 0;
	struct message_walk walk = { .call = call, .vector = (const void *)call->buffer, .result = result };
	long bound;
	/* bpf_loop verifies the per-message body once instead of once per iteration: loading
	 * drops from ~0.7 s to milliseconds per program. The check is resolved at load time. */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop)) {
		bound = RTPSCOPE_MAX_MMSG;
		bpf_loop(RTPSCOPE_MAX_MMSG, emit_vector_entry_callback, &walk, 0);
	} else {
		bound = RTPSCOPE_MAX_MMSG_WITHOUT_BPF_LOOP;
		for (int i = 0; i < RTPSCOPE_MAX_MMSG_WITHOUT_BPF_LOOP; i++) {
			if (i >= result)
				break;
			emit_vector_entry(&walk, i);
		}
	}
	if (result > bound)
		count(&counters, RTPSCOPE_COUNTER_MMSG_BOUND_EXCEEDED, result - bound);
	forget_pending_call();
	return 0;
}

/* ---- Programs: one tracepoint pair per syscall. Argument order is the syscall's. ---- */

SEC("tracepoint/syscalls/sys_enter_sendto")
int enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	/* sendto(fd, buf, len, flags, dest_addr, addrlen) */
	return stash_call(RTPSCOPE_HOOK_SENDTO, RTPSCOPE_DIRECTION_SENT, ctx->args[0],
			  ctx->args[1], ctx->args[2], ctx->args[4], ctx->args[5]);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return exit_buffer_call(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	/* recvfrom(fd, buf, len, flags, src_addr, addrlen*) */
	return stash_call(RTPSCOPE_HOOK_RECVFROM, RTPSCOPE_DIRECTION_RECEIVED, ctx->args[0],
			  ctx->args[1], ctx->args[2], ctx->args[4], ctx->args[5]);
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return exit_buffer_call(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	/* sendmsg(fd, msg, flags) */
	return stash_call(RTPSCOPE_HOOK_SENDMSG, RTPSCOPE_DIRECTION_SENT, ctx->args[0],
			  ctx->args[1], 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	return exit_message_call(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int enter_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	/* recvmsg(fd, msg, flags) */
	return stash_call(RTPSCOPE_HOOK_RECVMSG, RTPSCOPE_DIRECTION_RECEIVED, ctx->args[0],
			  ctx->args[1], 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int exit_recvmsg(struct trace_event_raw_sys_exit *ctx)
{
	return exit_message_call(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int enter_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	/* sendmmsg(fd, msgvec, vlen, flags) */
	return stash_call(RTPSCOPE_HOOK_SENDMMSG, RTPSCOPE_DIRECTION_SENT, ctx->args[0],
			  ctx->args[1], ctx->args[2], 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int exit_sendmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return exit_multi_message_call(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_recvmmsg")
int enter_recvmmsg(struct trace_event_raw_sys_enter *ctx)
{
	/* recvmmsg(fd, msgvec, vlen, flags, timeout) */
	return stash_call(RTPSCOPE_HOOK_RECVMMSG, RTPSCOPE_DIRECTION_RECEIVED, ctx->args[0],
			  ctx->args[1], ctx->args[2], 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_recvmmsg")
int exit_recvmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return exit_multi_message_call(ctx->ret);
}
