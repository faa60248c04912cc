#include "endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

endpoint parse_endpoint(const char *text, const char *option, port_zero zero)
{
    endpoint ep;
    memset(&ep, 0, sizeof ep);
    char host[INET6_ADDRSTRLEN + 1];
    const char *port_text;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host)
            bad_input("%s: expected [IPv6]:PORT, got '%s'", option, text);
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        port_text = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host)
            bad_input("%s: expected IPv4:PORT or [IPv6]:PORT, got '%s'", option, text);
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        port_text = colon + 1;
    }
    char *end;
    errno = 0;
    long port = strtol(port_text, &end, 10);
    long lowest = zero == PORT_ZERO_ALLOWED ? 0 : 1;
    if (errno != 0 || *port_text == '\0' || *end != '\0' || port < lowest || port > 65535)
        bad_input("%s: bad port in '%s'", option, text);

    struct sockaddr_in *v4 = (struct sockaddr_in *)&ep.storage;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ep.storage;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        ep.length = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        ep.length = sizeof *v6;
    } else {
        bad_input("%s: '%s' is not an IPv4 or IPv6 address", option, host);
    }
    return ep;
}

void format_endpoint(const struct sockaddr_storage *sa, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        if (!inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host))
            die_errno("inet_ntop(AF_INET)");
        snprintf(out, size, "%s:%u", host, ntohs(v4->sin_port));
    } else {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        if (!inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host))
            die_errno("inet_ntop(AF_INET6)");
        snprintf(out, size, "[%s]:%u", host, ntohs(v6->sin6_port));
    }
}

void local_endpoint_text(int fd, char *out, size_t size)
{
    struct sockaddr_storage local;
    socklen_t length = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &length) != 0)
        die_errno("getsockname");
    format_endpoint(&local, out, size);
}

int open_udp_socket(const endpoint *peer_or_local)
{
    int fd = socket(peer_or_local->storage.ss_family, SOCK_DGRAM, IPPROTO_UDP);
    if (fd < 0)
        die_errno("socket(SOCK_DGRAM)");
    return fd;
}

void bind_or_die(int fd, const endpoint *local)
{
    if (bind(fd, (const struct sockaddr *)&local->storage, local->length) != 0)
        die_errno("bind");
}

void connect_or_die(int fd, const endpoint *peer)
{
    if (connect(fd, (const struct sockaddr *)&peer->storage, peer->length) != 0)
        die_errno("connect");
}
