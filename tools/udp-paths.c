/* udp-paths: UDP traffic shaped for the capture-path tests and the live benchmark.
 *
 *   udp-paths loop  --count N [--family 4|6] [--io sendto|write] [--comm NAME]
 *       One socket sends a 172-byte RTP packet to another on loopback, which receives it; N times.
 *       Prints {"pid", "count", "ns_per_iteration"}: the send+receive loop of `make bench`.
 *   udp-paths recv  --bind ADDR:PORT --count N [--every-ms M] [--batch B] [--timeout-ms T]
 *                   [--comm NAME] [--ready-file PATH]
 *       A receiver that reads late: it sleeps M ms, then drains its socket without blocking, with
 *       recvmmsg(B) (B > 1) or recvfrom (B = 1), until N datagrams or T ms. Prints
 *       {"pid", "received", "reads", "drains"} (drains: wake-ups that found data): the receiver
 *       whose own scheduling must not read as jitter.
 *   udp-paths uring --to ADDR:PORT --count N [--ptime-ms P] [--comm NAME]
 *       Sends N RTP packets with io_uring (IORING_OP_SENDMSG), paced; no syscall per datagram.
 *       Prints {"pid", "sent", "ssrc"}.
 *
 * Raw system calls only (no liburing): what matters is that the kernel, not a library, moves the
 * datagrams. Addresses: 127.0.0.1:5004 or [::1]:5004. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PACKET_BYTES 172

static void die(const char *what)
{
	fprintf(stderr, "udp-paths: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: udp-paths loop|recv|uring [options] (see the comment at the top of tools/udp-paths.c)\n");
	exit(2);
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* "ADDR:PORT" or "[ADDR6]:PORT" → sockaddr; returns its length (0: not an address). */
static socklen_t parse_endpoint(const char *text, struct sockaddr_storage *out)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	if (!colon || colon == text || (size_t)(colon - text) >= sizeof(host))
		return 0;
	memcpy(host, text, colon - text);
	host[colon - text] = '\0';
	int port = atoi(colon + 1);
	memset(out, 0, sizeof(*out));
	if (host[0] == '[') {
		size_t length = strlen(host);
		if (length < 2 || host[length - 1] != ']')
			return 0;
		host[length - 1] = '\0';
		struct sockaddr_in6 *six = (struct sockaddr_in6 *)out;
		six->sin6_family = AF_INET6;
		six->sin6_port = htons(port);
		return inet_pton(AF_INET6, host + 1, &six->sin6_addr) == 1 ? sizeof(*six) : 0;
	}
	struct sockaddr_in *four = (struct sockaddr_in *)out;
	four->sin_family = AF_INET;
	four->sin_port = htons(port);
	return inet_pton(AF_INET, host, &four->sin_addr) == 1 ? sizeof(*four) : 0;
}

/* A version-2 RTP header (PT 0, PCMU) and 160 payload bytes. */
static void rtp_packet(uint8_t *packet, uint16_t sequence, uint32_t timestamp, uint32_t ssrc)
{
	memset(packet, 0xD5, PACKET_BYTES);
	packet[0] = 0x80;
	packet[1] = 0;
	packet[2] = sequence >> 8;
	packet[3] = sequence & 0xFF;
	for (int i = 0; i < 4; i++) {
		packet[4 + i] = timestamp >> (24 - 8 * i);
		packet[8 + i] = ssrc >> (24 - 8 * i);
	}
}

struct options {
	long count;
	int family;
	const char *io;
	const char *bind;
	const char *to;
	long every_ms;
	long batch;
	long timeout_ms;
	long ptime_ms;
	const char *ready_file;
};

static void parse(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .count = 1000, .family = 4, .io = "sendto", .batch = 1, .timeout_ms = 15000,
			       .ptime_ms = 20 };
	for (int i = 2; i < argc; i++) {
		const char *name = argv[i];
		if (i + 1 >= argc)
			usage();
		const char *value = argv[++i];
		if (!strcmp(name, "--count")) o->count = atol(value);
		else if (!strcmp(name, "--family")) o->family = atoi(value);
		else if (!strcmp(name, "--io")) o->io = value;
		else if (!strcmp(name, "--bind")) o->bind = value;
		else if (!strcmp(name, "--to")) o->to = value;
		else if (!strcmp(name, "--every-ms")) o->every_ms = atol(value);
		else if (!strcmp(name, "--batch")) o->batch = atol(value);
		else if (!strcmp(name, "--timeout-ms")) o->timeout_ms = atol(value);
		else if (!strcmp(name, "--ptime-ms")) o->ptime_ms = atol(value);
		else if (!strcmp(name, "--ready-file")) o->ready_file = value;
		else if (!strcmp(name, "--comm")) {
			if (prctl(PR_SET_NAME, value, 0, 0, 0) != 0)
				die("prctl(PR_SET_NAME)");
		} else
			usage();
	}
	if (o->count <= 0 || o->batch <= 0 || o->batch > 1024 || (o->family != 4 && o->family != 6))
		usage();
}

static int loopback_socket(int family, struct sockaddr_storage *bound, socklen_t *length)
{
	int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	memset(bound, 0, sizeof(*bound));
	if (family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)bound;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*length = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)bound;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		*length = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)bound, *length) != 0 ||
	    getsockname(fd, (struct sockaddr *)bound, length) != 0)
		die("bind");
	return fd;
}

static int loop(const struct options *o)
{
	struct sockaddr_storage tx_address, rx_address;
	socklen_t tx_length, rx_length;
	int tx = loopback_socket(o->family, &tx_address, &tx_length);
	int rx = loopback_socket(o->family, &rx_address, &rx_length);
	bool connected = !strcmp(o->io, "write");
	if (!connected && strcmp(o->io, "sendto"))
		usage();
	if (connected && (connect(tx, (struct sockaddr *)&rx_address, rx_length) != 0 ||
			  connect(rx, (struct sockaddr *)&tx_address, tx_length) != 0))
		die("connect");
	uint8_t packet[PACKET_BYTES], received[2048];
	int64_t start = now_ns();
	for (long i = 0; i < o->count; i++) {
		rtp_packet(packet, (uint16_t)i, (uint32_t)i * 160, 0x5EED0000u | (uint32_t)getpid());
		ssize_t sent = connected ? write(tx, packet, sizeof(packet))
					 : sendto(tx, packet, sizeof(packet), 0, (struct sockaddr *)&rx_address, rx_length);
		if (sent != sizeof(packet))
			die("send");
		ssize_t got = connected ? read(rx, received, sizeof(received))
					: recvfrom(rx, received, sizeof(received), 0, NULL, NULL);
		if (got != sizeof(packet))
			die("receive");
	}
	int64_t elapsed = now_ns() - start;
	printf("{\"pid\": %d, \"count\": %ld, \"ns_per_iteration\": %.1f}\n", getpid(), o->count,
	       (double)elapsed / o->count);
	return 0;
}

static int recv_late(const struct options *o)
{
	struct sockaddr_storage address;
	socklen_t length = o->bind ? parse_endpoint(o->bind, &address) : 0;
	if (!length)
		usage();
	int fd = socket(address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		die("socket");
	int buffer = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
	if (bind(fd, (struct sockaddr *)&address, length) != 0)
		die("bind");
	if (o->ready_file) {
		int ready = open(o->ready_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (ready < 0)
			die("ready file");
		close(ready);
	}
	static uint8_t buffers[1024][2048];
	struct mmsghdr messages[1024];
	struct iovec iovecs[1024];
	long received = 0, reads = 0, drains = 0;
	int64_t deadline = now_ns() + o->timeout_ms * 1000000;
	while (received < o->count && now_ns() < deadline) {
		if (o->every_ms > 0) {
			struct timespec pause = { o->every_ms / 1000, (o->every_ms % 1000) * 1000000 };
			nanosleep(&pause, NULL);
		} else {
			usleep(1000);
		}
		long before = received;
		for (;;) {
			int got;
			if (o->batch > 1) {
				for (long i = 0; i < o->batch; i++) {
					iovecs[i] = (struct iovec){ buffers[i], sizeof(buffers[i]) };
					messages[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iovecs[i], .msg_iovlen = 1 } };
				}
				got = recvmmsg(fd, messages, o->batch, MSG_DONTWAIT, NULL);
			} else {
				got = recvfrom(fd, buffers[0], sizeof(buffers[0]), MSG_DONTWAIT, NULL, NULL) >= 0 ? 1 : -1;
			}
			if (got < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					break;
				die("receive");
			}
			reads++;
			received += got;
		}
		if (received > before)
			drains++;
	}
	printf("{\"pid\": %d, \"received\": %ld, \"reads\": %ld, \"drains\": %ld}\n", getpid(), received, reads,
	       drains);
	return 0;
}

/* ---- io_uring, by hand: one submission queue entry per datagram. ---- */

static int uring_send(const struct options *o)
{
	struct sockaddr_storage address;
	socklen_t length = o->to ? parse_endpoint(o->to, &address) : 0;
	if (!length)
		usage();
	int fd = socket(address.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	struct io_uring_params params = { 0 };
	int ring = (int)syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0)
		die("io_uring_setup");
	size_t sq_size = params.sq_off.array + params.sq_entries * sizeof(unsigned);
	size_t cq_size = params.cq_off.cqes + params.cq_entries * sizeof(struct io_uring_cqe);
	uint8_t *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	uint8_t *cq = mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	struct io_uring_sqe *sqes = mmap(NULL, params.sq_entries * sizeof(struct io_uring_sqe),
					 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		die("mmap io_uring");
	unsigned *sq_tail = (unsigned *)(sq + params.sq_off.tail);
	unsigned *sq_mask = (unsigned *)(sq + params.sq_off.ring_mask);
	unsigned *sq_array = (unsigned *)(sq + params.sq_off.array);
	unsigned *cq_head = (unsigned *)(cq + params.cq_off.head);
	unsigned *cq_tail = (unsigned *)(cq + params.cq_off.tail);
	struct io_uring_cqe *cqes = (struct io_uring_cqe *)(cq + params.cq_off.cqes);

	uint32_t ssrc = 0x10000000u | ((uint32_t)getpid() & 0x0FFFFFFF);
	uint8_t packet[PACKET_BYTES];
	struct iovec iov = { packet, sizeof(packet) };
	struct msghdr message = { .msg_name = &address, .msg_namelen = length, .msg_iov = &iov, .msg_iovlen = 1 };
	long sent = 0;
	for (long i = 0; i < o->count; i++) {
		rtp_packet(packet, (uint16_t)(1000 + i), (uint32_t)i * 160, ssrc);
		unsigned tail = __atomic_load_n(sq_tail, __ATOMIC_ACQUIRE);
		unsigned index = tail & *sq_mask;
		struct io_uring_sqe *sqe = &sqes[index];
		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = IORING_OP_SENDMSG;
		sqe->fd = fd;
		sqe->addr = (uint64_t)(uintptr_t)&message;
		sqe->len = 1;
		sq_array[index] = index;
		__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
		if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
			die("io_uring_enter");
		unsigned head = __atomic_load_n(cq_head, __ATOMIC_ACQUIRE);
		if (head == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE)) {
			errno = EIO;
			die("io_uring completion missing");
		}
		struct io_uring_cqe *cqe = &cqes[head & (params.cq_entries - 1)];
		if (cqe->res != (int)sizeof(packet)) {
			errno = cqe->res < 0 ? -cqe->res : EIO;
			die("io_uring sendmsg");
		}
		__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
		sent++;
		if (o->ptime_ms > 0)
			usleep(o->ptime_ms * 1000);
	}
	printf("{\"pid\": %d, \"sent\": %ld, \"ssrc\": %u}\n", getpid(), sent, ssrc);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	struct options o;
	parse(argc, argv, &o);
	if (!strcmp(argv[1], "loop"))
		return loop(&o);
	if (!strcmp(argv[1], "recv"))
		return recv_late(&o);
	if (!strcmp(argv[1], "uring"))
		return uring_send(&o);
	usage();
}
