/* UDP endpoints as the tools and the monitor's labels write them: 127.0.0.1:5004, [::1]:5004. */
#ifndef RTPSCOPE_TOOLS_ENDPOINT_H
#define RTPSCOPE_TOOLS_ENDPOINT_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct {
    struct sockaddr_storage storage;
    socklen_t length;
} endpoint;

/* Port 0 means "any" where an endpoint is bound (an ephemeral port) but nothing as a destination. */
typedef enum { PORT_ZERO_ALLOWED, PORT_ZERO_REJECTED } port_zero;

/* Parses "IPv4:PORT" or "[IPv6]:PORT" given to `option`; bad input ends the tool (bad_input). */
endpoint parse_endpoint(const char *text, const char *option, port_zero zero);
/* The notation parse_endpoint reads, so tests can compare it with the monitor's labels. */
void format_endpoint(const struct sockaddr_storage *sa, char *out, size_t size);
/* format_endpoint of the socket's local address (getsockname). */
void local_endpoint_text(int fd, char *out, size_t size);

/* A UDP socket of the endpoint's address family. */
int open_udp_socket(const endpoint *peer_or_local);
void bind_or_die(int fd, const endpoint *local);
void connect_or_die(int fd, const endpoint *peer);

#endif
