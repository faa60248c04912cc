// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rtpscope socket capture (the default, `--capture socket`): every UDP datagram a local socket
 * sends or receives, seen at the socket layer by cgroup_skb programs on the cgroup v2 root.
 *
 * - Sent: `socket_egress` runs in the sending task as the datagram leaves the socket layer (before
 *   the qdisc and any IP fragmentation), whatever syscall or io_uring request sent it.
 * - Received: `socket_ingress` runs when the kernel queues the datagram to the receiving socket
 *   (softirq, after IP reassembly): its time is the network arrival, not the application's read,
 *   so a receiver that batches or reads late does not show its own scheduling as jitter.
 *
 * The programs only observe: they always return 1 (allow) and never touch the packet, and the
 * loader attaches them through bpf_link, i.e. with BPF_F_ALLOW_MULTI beside systemd's or Cilium's
 * programs; the links are file descriptors, so they go when the monitor goes (even on SIGKILL).
 *
 * In softirq `current` is not the receiver: a received datagram is attributed to its socket's
 * owner, kept in socket storage (`socket_owners`) and filled
 *   - at socket creation (`socket_create`, in the creating task),
 *   - for sockets that existed before the monitor started, by an iterator over every task's open
 *     files run once at start (`socket_owners_at_start`): it cannot reach socket storage (the
 *     kernel hands it untrusted sock pointers), so it leaves owners by socket inode, and the first
 *     datagram such a socket receives moves its owner into socket storage,
 *   - by the task that sends on the socket (egress) or reads from it with an address
 *     (`socket_recvmsg4/6`), which follows a socket handed to another process.
 * Where none of these knew the socket, the event says so and user space asks /proc. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "capture.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPV6_HOPOPTS 0
#define IPV6_ROUTING 43
#define IPV6_FRAGMENT 44
#define IPV6_DSTOPTS 60
/* IPv6 extension headers walked before giving up (counted as headers_unparsed). */
#define MAX_IPV6_EXTENSIONS 4

/* The process a socket belongs to, as far as the kernel could tell, and the verdict of the pid/comm
 * filters on it: decided when the owner changes, not per datagram. */
struct socket_owner {
	__u32 tgid;
	__u8 selected;
	__u8 reserved[3];
	char comm[RTPSCOPE_COMM_LENGTH];
	/* The socket's cgroup (fixed when the socket is created): 0 until first needed. */
	__u64 cgroup_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct socket_owner);
} socket_owners SEC(".maps");

/* A typed, read-only view of a kernel object (loads become fault-tolerant probe reads). */
extern void *bpf_rdonly_cast(const void *object, __u32 btf_id) __ksym;

/* Owners found by the start-up iterator, by socket inode; consumed by the first ingress. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct socket_owner);
} owners_at_start SEC(".maps");

/* ---- Owners ---- */

/* Records a process as the socket's owner (only writes, and only runs the filters, when it
 * changed). `create`: also for a socket without storage yet. Returns the storage (NULL: none). */
static __always_inline struct socket_owner *own_socket(struct bpf_sock *sk, __u32 tgid, const char *comm,
						       __u64 create)
{
	struct socket_owner *owner = bpf_sk_storage_get(&socket_owners, sk, 0, create);
	if (!owner)
		return NULL;
	const __u64 *name = (const __u64 *)comm;
	__u64 *kept = (__u64 *)owner->comm;
	if (owner->tgid != tgid || kept[0] != name[0] || kept[1] != name[1]) {
		owner->tgid = tgid;
		kept[0] = name[0];
		kept[1] = name[1];
		owner->selected = process_selected(tgid, comm);
	}
	return owner;
}

static __always_inline bool is_udp(const struct bpf_sock *sk)
{
	return sk->protocol == IPPROTO_UDP && (sk->family == AF_INET || sk->family == AF_INET6);
}

static __always_inline void own_socket_by_current(struct bpf_sock *sk, __u64 create)
{
	if (!sk || !is_udp(sk))
		return;
	char comm[RTPSCOPE_COMM_LENGTH] __attribute__((aligned(8))) = {};
	read_process_name(comm);
	own_socket(sk, bpf_get_current_pid_tgid() >> 32, comm, create);
}

SEC("cgroup/sock_create")
int socket_create(struct bpf_sock *sk)
{
	own_socket_by_current(sk, BPF_SK_STORAGE_GET_F_CREATE);
	return 1;
}

/* The cgroup of the socket behind `skb`, kept in its owner storage after the first datagram. */
static __always_inline __u64 socket_cgroup(struct __sk_buff *skb, struct socket_owner *owner)
{
	if (!owner)
		return bpf_skb_cgroup_id(skb);
	if (!owner->cgroup_id)
		owner->cgroup_id = bpf_skb_cgroup_id(skb);
	return owner->cgroup_id;
}

/* A reader that asks for the source address (recvfrom/recvmsg with a name: every unconnected
 * receiver) takes the socket over from its creator. Only sockets that already have an owner are
 * updated: the rest (sockets older than the monitor) learn theirs at their first ingress. */
SEC("cgroup/recvmsg4")
int socket_recvmsg4(struct bpf_sock_addr *ctx)
{
	own_socket_by_current(ctx->sk, 0);
	return 1;
}

SEC("cgroup/recvmsg6")
int socket_recvmsg6(struct bpf_sock_addr *ctx)
{
	own_socket_by_current(ctx->sk, 0);
	return 1;
}

/* Run once by the loader before the packet programs attach: every UDP socket some task holds open
 * gets that task's process as owner (the first task found, as a fork shares its parent's). */
SEC("iter/task_file")
int socket_owners_at_start(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	if (!task || !file)
		return 0;
	struct socket *socket = bpf_sock_from_file(file);
	if (!socket)
		return 0;
	struct sock *sk = socket->sk;
	if (!sk || sk->sk_protocol != IPPROTO_UDP)
		return 0;
	__u16 family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	__u64 inode = file->f_inode->i_ino;
	struct socket_owner owner = { .tgid = task->tgid };
	bpf_probe_read_kernel(owner.comm, sizeof(owner.comm), task->group_leader->comm);
	owner.selected = process_selected(owner.tgid, owner.comm);
	/* A full table leaves the rest to the other sources (and user space): counted at ingress. */
	bpf_map_update_elem(&owners_at_start, &inode, &owner, BPF_NOEXIST);
	return 0;
}

/* The socket's inode, read through a typed read-only view (fault-tolerant loads). */
static __always_inline __u64 socket_inode(struct bpf_sock *sk)
{
	struct sock *kernel_sock = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));
	struct socket *socket = kernel_sock->sk_socket;
	if (!socket || !socket->file)
		return 0;
	return socket->file->f_inode->i_ino;
}

/* A received datagram's owner: from socket storage, else (once per socket) from the start-up
 * iterator's table. */
static __always_inline struct socket_owner *receiving_owner(struct bpf_sock *sk, __u64 *inode)
{
	struct socket_owner *owner = bpf_sk_storage_get(&socket_owners, sk, 0, 0);
	if (owner)
		return owner;
	*inode = socket_inode(sk);
	struct socket_owner *found = bpf_map_lookup_elem(&owners_at_start, inode);
	if (!found)
		return NULL;
	owner = bpf_sk_storage_get(&socket_owners, sk, found, BPF_SK_STORAGE_GET_F_CREATE);
	bpf_map_delete_elem(&owners_at_start, inode);
	return owner;
}

/* ---- Packets ---- */

/* One UDP packet as the hook sees it: skb data starts at the IP header. */
struct udp_packet {
	struct __sk_buff *skb;
	__u32 payload_offset; /* of the first datagram's payload */
	__u32 payload_bytes;  /* all datagrams' payload bytes */
	__u32 segment_size;   /* GSO/GRO: bytes per datagram; 0: one datagram */
	__u8 family;
	__u8 direction;
	__u16 source_port;
	__u16 destination_port;
	__u8 source[16];
	__u8 destination[16];
	/* Who the datagram belongs to, decided once per packet. */
	__u32 pid;
	__u32 tid;
	__u64 socket_inode;
	__u64 cgroup_id;
	__u8 flags;
	/* Read and compared as two u64 words. */
	char comm[RTPSCOPE_COMM_LENGTH] __attribute__((aligned(8)));
};

enum parse_result { PARSED, NOT_UDP, USE_LOAD_BYTES };

static __always_inline void set_payload(struct __sk_buff *skb, struct udp_packet *packet, __u32 offset)
{
	packet->payload_offset = offset;
	packet->payload_bytes = skb->len - offset;
	/* One skb, several datagrams: UDP GSO on the way out (UDP_SEGMENT), GRO on the way in. */
	packet->segment_size = skb->gso_size && packet->payload_bytes > skb->gso_size ? skb->gso_size : 0;
}

/* The common case read in place (direct packet access, no helper calls): IPv4, or IPv6 without
 * extension headers, then UDP and the first payload byte, all in the skb's linear part. */
static __always_inline enum parse_result parse_linear(struct __sk_buff *skb, struct udp_packet *packet,
						      __u8 *first)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct udphdr *udp;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data;
		if ((void *)(ip + 1) > end)
			return USE_LOAD_BYTES;
		if (ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(0x1FFF)))
			return NOT_UDP;
		__u32 length = (ip->ihl & 0x0F) * 4;
		if (length < sizeof(*ip))
			return NOT_UDP;
		udp = data + length;
		packet->family = AF_INET;
		__builtin_memcpy(packet->source, &ip->saddr, 4);
		__builtin_memcpy(packet->destination, &ip->daddr, 4);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;
		if ((void *)(ip6 + 1) > end)
			return USE_LOAD_BYTES;
		if (ip6->nexthdr != IPPROTO_UDP)
			return USE_LOAD_BYTES; /* extension headers, or not UDP: the careful walk decides */
		udp = (void *)(ip6 + 1);
		packet->family = AF_INET6;
		__builtin_memcpy(packet->source, &ip6->saddr, 16);
		__builtin_memcpy(packet->destination, &ip6->daddr, 16);
	} else {
		return NOT_UDP;
	}
	if ((void *)(udp + 1) + 1 > end)
		return USE_LOAD_BYTES;
	packet->source_port = bpf_ntohs(udp->source);
	packet->destination_port = bpf_ntohs(udp->dest);
	__u32 offset = (void *)(udp + 1) - data;
	if (skb->len <= offset)
		return NOT_UDP;
	*first = *(__u8 *)(udp + 1);
	set_payload(skb, packet, offset);
	return PARSED;
}

/* IPv4/IPv6 and UDP headers → addresses, ports and where the payload starts, through
 * bpf_skb_load_bytes (headers outside the linear part, IPv6 extension headers). */
static __always_inline bool parse_udp(struct __sk_buff *skb, struct udp_packet *packet)
{
	__u32 offset;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.protocol != IPPROTO_UDP)
			return false;
		/* A later fragment carries no UDP header (the hooks see whole datagrams anyway). */
		if (ip.frag_off & bpf_htons(0x1FFF))
			return false;
		offset = (ip.ihl & 0x0F) * 4;
		packet->family = AF_INET;
		__builtin_memcpy(packet->source, &ip.saddr, 4);
		__builtin_memcpy(packet->destination, &ip.daddr, 4);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
			return false;
		__u8 next = ip6.nexthdr;
		offset = sizeof(ip6);
		for (int i = 0; i < MAX_IPV6_EXTENSIONS && next != IPPROTO_UDP; i++) {
			struct ipv6_opt_hdr extension;
			if (next != IPV6_HOPOPTS && next != IPV6_ROUTING && next != IPV6_DSTOPTS &&
			    next != IPV6_FRAGMENT)
				return false; /* not UDP (TCP, ICMPv6, ESP, ...) */
			if (bpf_skb_load_bytes(skb, offset, &extension, sizeof(extension)))
				return false;
			if (next == IPV6_FRAGMENT) {
				__be16 fragment = 0;
				if (bpf_skb_load_bytes(skb, offset + 2, &fragment, sizeof(fragment)) ||
				    (fragment & bpf_htons(0xFFF8)))
					return false;
				offset += 8;
			} else {
				offset += (extension.hdrlen + 1) * 8;
			}
			next = extension.nexthdr;
		}
		if (next != IPPROTO_UDP) {
			count(&counters, RTPSCOPE_COUNTER_HEADERS_UNPARSED, 1);
			return false;
		}
		packet->family = AF_INET6;
		__builtin_memcpy(packet->source, &ip6.saddr, 16);
		__builtin_memcpy(packet->destination, &ip6.daddr, 16);
	} else {
		return false;
	}
	struct udphdr udp;
	if (bpf_skb_load_bytes(skb, offset, &udp, sizeof(udp)))
		return false;
	packet->source_port = bpf_ntohs(udp.source);
	packet->destination_port = bpf_ntohs(udp.dest);
	if (skb->len <= offset + sizeof(udp))
		return false;
	set_payload(skb, packet, offset + sizeof(udp));
	return true;
}

/* Sent: the task sending (its socket's owner from now on). Received: the socket's owner. */
static __always_inline bool attribute(struct __sk_buff *skb, struct udp_packet *packet)
{
	struct bpf_sock *sk = skb->sk;
	if (packet->direction == RTPSCOPE_DIRECTION_SENT) {
		/* bpf_sk_storage_get takes the socket as the skb has it (and checks for a full socket
		 * itself): one helper call less per sent datagram. */
		__u64 pid_tgid = bpf_get_current_pid_tgid();
		packet->pid = pid_tgid >> 32;
		packet->tid = (__u32)pid_tgid;
		read_process_name(packet->comm);
		struct socket_owner *owner =
			sk ? own_socket(sk, packet->pid, packet->comm, BPF_SK_STORAGE_GET_F_CREATE) : NULL;
		packet->cgroup_id = socket_cgroup(skb, owner);
		return owner ? owner->selected : process_selected(packet->pid, packet->comm);
	}
	if (sk)
		sk = bpf_sk_fullsock(sk);
	struct socket_owner *owner = sk ? receiving_owner(sk, &packet->socket_inode) : NULL;
	packet->cgroup_id = socket_cgroup(skb, owner);
	if (owner) {
		packet->pid = owner->tgid;
		__builtin_memcpy(packet->comm, owner->comm, sizeof(packet->comm));
		return owner->selected;
	}
	/* Unknown owner: user space resolves the socket inode and applies the process filters. */
	count(&counters, RTPSCOPE_COUNTER_OWNER_UNKNOWN, 1);
	packet->flags |= RTPSCOPE_EVENT_OWNER_UNKNOWN;
	return true;
}

/* A ring-buffer record for an event with `copy` payload bytes. The verifier wants a constant
 * size, so records come in a few sizes rather than always header + snaplen: a 20 ms G.711
 * datagram (172 bytes) then writes 288 bytes of ring instead of 368 — fewer cache lines for the
 * sending or receiving CPU to own and for the reader to pull over. The reader takes the payload
 * length from the header, not from the record's size. */
static __always_inline struct rtpscope_event *reserve_event(__u32 copy)
{
	if (copy <= 64)
		return bpf_ringbuf_reserve(&events, sizeof(struct rtpscope_event) + 64, 0);
	if (copy <= 128)
		return bpf_ringbuf_reserve(&events, sizeof(struct rtpscope_event) + 128, 0);
	if (copy <= 192)
		return bpf_ringbuf_reserve(&events, sizeof(struct rtpscope_event) + 192, 0);
	if (copy <= 256)
		return bpf_ringbuf_reserve(&events, sizeof(struct rtpscope_event) + 256, 0);
	if (copy <= snaplen)
		return bpf_ringbuf_reserve(&events, sizeof(struct rtpscope_event) + snaplen, 0);
	return bpf_ringbuf_reserve(&events, sizeof(struct rtpscope_event) + RTPSCOPE_SIP_SNAPLEN, 0);
}

/* One datagram (of `length` payload bytes at `offset`) into the ring buffer, its first `limit`
 * bytes (snaplen, or RTPSCOPE_SIP_SNAPLEN for SIP). */
static __always_inline void emit_datagram(struct udp_packet *packet, __u32 offset, __u32 length,
					  __u16 index, __u32 limit)
{
	struct __sk_buff *skb = packet->skb;
	__u8 first = 0;
	/* The first datagram was checked before attributing the packet. */
	if (index > 0 && (bpf_skb_load_bytes(skb, offset, &first, 1) || !looks_like_rtp(first)))
		return;
	__u32 copy = length < limit ? length : limit;
	/* The payload is loaded straight into the reservation, no scratch copy. */
	struct rtpscope_event *event = reserve_event(copy);
	if (!event) {
		count(&counters, RTPSCOPE_COUNTER_RINGBUF_DROPS, 1);
		return;
	}
	if (copy == 0 || copy > RTPSCOPE_SIP_SNAPLEN ||
	    bpf_skb_load_bytes(skb, offset, (__u8 *)(event + 1), copy)) {
		bpf_ringbuf_discard(event, BPF_RB_NO_WAKEUP);
		count(&counters, RTPSCOPE_COUNTER_PAYLOAD_UNREADABLE, 1);
		return;
	}
	bool sent = packet->direction == RTPSCOPE_DIRECTION_SENT;
	__u8 hook = sent ? RTPSCOPE_HOOK_EGRESS : RTPSCOPE_HOOK_INGRESS;
	event->timestamp_ns = bpf_ktime_get_ns();
	event->socket_inode = packet->socket_inode;
	event->pid = packet->pid;
	event->tid = packet->tid;
	event->fd = -1;
	event->datagram_length = length;
	event->payload_length = copy;
	event->direction = packet->direction;
	event->hook = hook;
	event->flags = packet->flags | RTPSCOPE_EVENT_HAS_LOCAL | RTPSCOPE_EVENT_HAS_REMOTE;
	event->family = packet->family;
	event->local_port = sent ? packet->source_port : packet->destination_port;
	event->remote_port = sent ? packet->destination_port : packet->source_port;
	event->message_index = index;
	event->reserved = 0;
	__builtin_memcpy(event->local_address, sent ? packet->source : packet->destination, 16);
	__builtin_memcpy(event->remote_address, sent ? packet->destination : packet->source, 16);
	__builtin_memcpy(event->comm, packet->comm, RTPSCOPE_COMM_LENGTH);
	event->cgroup_id = packet->cgroup_id;
	/* Never a wake-up: the reader drains on a 5 ms timer (per-hook counts are kept there too). */
	bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
}

static long emit_segment(__u32 index, void *context)
{
	struct udp_packet *packet = context;
	__u32 start = index * packet->segment_size;
	if (start >= packet->payload_bytes)
		return 1;
	__u32 length = packet->payload_bytes - start;
	if (length > packet->segment_size)
		length = packet->segment_size;
	emit_datagram(packet, packet->payload_offset + start, length, index, snaplen);
	return 0;
}

static __always_inline void capture(struct __sk_buff *skb, __u8 direction)
{
	struct udp_packet packet = { .skb = skb, .direction = direction };
	__u8 first = 0;
	switch (parse_linear(skb, &packet, &first)) {
	case NOT_UDP:
		return;
	case USE_LOAD_BYTES:
		if (!parse_udp(skb, &packet) || bpf_skb_load_bytes(skb, packet.payload_offset, &first, 1))
			return;
		break;
	case PARSED:
		break;
	}
	/* Most UDP is not RTP (DNS, QUIC): the first payload byte decides before anything else; SIP
	 * (text) is passed by its port, beside any port filter (it is what groups streams into calls). */
	if (!looks_like_rtp(first)) {
		if (capture_sip && (is_sip_port(packet.source_port) || is_sip_port(packet.destination_port)) &&
		    attribute(skb, &packet))
			emit_datagram(&packet, packet.payload_offset, packet.payload_bytes, 0, RTPSCOPE_SIP_SNAPLEN);
		return;
	}
	if (filter_ports && !port_selected(packet.source_port) &&
	    !port_selected(packet.destination_port))
		return;
	if (!attribute(skb, &packet))
		return;
	if (!packet.segment_size) {
		emit_datagram(&packet, packet.payload_offset, packet.payload_bytes, 0, snaplen);
		return;
	}
	__u32 segments = (packet.payload_bytes + packet.segment_size - 1) / packet.segment_size;
	bpf_loop(RTPSCOPE_MAX_SEGMENTS, emit_segment, &packet, 0);
	if (segments > RTPSCOPE_MAX_SEGMENTS)
		count(&counters, RTPSCOPE_COUNTER_SEGMENT_BOUND_EXCEEDED, segments - RTPSCOPE_MAX_SEGMENTS);
}

SEC("cgroup_skb/egress")
int socket_egress(struct __sk_buff *skb)
{
	capture(skb, RTPSCOPE_DIRECTION_SENT);
	return 1; /* observe only: always allow */
}

SEC("cgroup_skb/ingress")
int socket_ingress(struct __sk_buff *skb)
{
	capture(skb, RTPSCOPE_DIRECTION_RECEIVED);
	return 1;
}
