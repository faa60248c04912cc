#!/usr/bin/env python3
"""Hostile HTTP clients against a running exporter, with scrapes measured during the attack.

  tools/http-probe.py --port 9310 trickle        200 connections, one header byte every 2-3 s
  tools/http-probe.py --port 9310 partial-body   64 connections: a full head with Content-Length: 10, no body
  tools/http-probe.py --port 9310 silent         64 silent connections, each reconnecting every 30 s
  tools/http-probe.py --port 9310 --pid PID pipeline   one connection pipelining 20,000 GET /metrics, never reading

The connection attacks run for --seconds (default 40) and scrape /metrics --scrapes times (default 10)
spread over the attack, each with a 5 s timeout; a scrape succeeds on a complete 200 response. The
pipelining attack reports the server's RSS (VmRSS of --pid) before, during (peak) and after.
Only loopback addresses are accepted. Every loop is bounded by --seconds.
"""
import argparse
import ipaddress
import random
import socket
import sys
import threading
import time


def scrape(host, port, path, timeout=5.0):
    """One GET with Connection: close; True on a complete 200 response (Content-Length or chunked)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n".encode())
            data = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                return False
            headers = head.decode("latin-1").lower()
            if "content-length:" in headers:
                length = int(headers.split("content-length:")[1].split("\r\n")[0])
                return len(body) == length
            return body.endswith(b"0\r\n\r\n")
    except OSError:
        return False


def run_scrapes(args, stop_at):
    results = []
    interval = max(0.5, (stop_at - time.monotonic() - 2) / max(1, args.scrapes))
    time.sleep(min(2.0, interval))  # let the attack take hold first
    for _ in range(args.scrapes):
        if time.monotonic() >= stop_at:
            break
        start = time.monotonic()
        ok = scrape(args.host, args.port, args.path)
        results.append((ok, time.monotonic() - start))
        time.sleep(max(0, interval - (time.monotonic() - start)))
    return results


class Attacker(threading.Thread):
    """One hostile connection, reconnecting when the server closes it (after `reconnect` seconds)."""

    def __init__(self, args, stop_at, mode):
        super().__init__(daemon=True)
        self.args, self.stop_at, self.mode = args, stop_at, mode
        self.connects = 0
        self.closed_by_server = 0

    def run(self):
        while time.monotonic() < self.stop_at:
            try:
                s = socket.create_connection((self.args.host, self.args.port), timeout=2)
            except OSError:
                time.sleep(0.5)
                continue
            self.connects += 1
            try:
                self.hold(s)
            except OSError:
                pass
            finally:
                s.close()
            if time.monotonic() < self.stop_at:
                time.sleep(self.reconnect_delay())

    def reconnect_delay(self):
        return 1.0 if self.mode != "silent" else 0.1

    def server_closed(self, s):
        """Non-blocking check: has the server closed (or reset) the connection?"""
        s.setblocking(False)
        try:
            data = s.recv(4096)
            return data == b"" or data.startswith(b"HTTP/")
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            s.setblocking(True)

    def hold(self, s):
        request = b"GET /metrics HTTP/1.1\r\nHost: probe\r\nX-Slow: " + b"a" * 4000 + b"\r\n\r\n"
        if self.mode == "partial-body":
            s.sendall(b"POST /metrics HTTP/1.1\r\nHost: probe\r\nContent-Length: 10\r\n\r\n")
        silent_until = time.monotonic() + 30
        sent = 0
        while time.monotonic() < self.stop_at:
            if self.server_closed(s):
                self.closed_by_server += 1
                return
            if self.mode == "trickle":
                s.sendall(request[sent:sent + 1])
                sent = (sent + 1) % len(request)
                time.sleep(random.uniform(2, 3))
            elif self.mode == "silent":
                if time.monotonic() >= silent_until:
                    return  # reconnect every 30 s
                time.sleep(0.5)
            else:
                time.sleep(0.5)


def connection_attack(args, mode, count):
    stop_at = time.monotonic() + args.seconds
    attackers = [Attacker(args, stop_at, mode) for _ in range(count)]
    for a in attackers:
        a.start()
        time.sleep(0.005)
    results = run_scrapes(args, stop_at)
    for a in attackers:
        a.join(timeout=max(0.1, stop_at - time.monotonic() + 5))
    ok = sum(1 for r in results if r[0])
    print(f"{mode}: {count} attacking connections for {args.seconds} s "
          f"({sum(a.connects for a in attackers)} connects, {sum(a.closed_by_server for a in attackers)} closed by the server): "
          f"{ok} of {len(results)} scrapes succeeded; scrape times "
          + ", ".join(f"{t:.2f}s{'' if good else '✗'}" for good, t in results))
    return ok, len(results)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pipeline_attack(args):
    if not args.pid:
        sys.exit("pipeline: --pid of the exporter is needed to read its RSS")
    before = rss_kib(args.pid)
    s = socket.create_connection((args.host, args.port), timeout=5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and never read
    request = f"GET {args.path} HTTP/1.1\r\nHost: probe\r\n\r\n".encode()
    sent = 0
    peak = before
    stop_at = time.monotonic() + args.seconds
    s.settimeout(1)
    try:
        while sent < args.requests and time.monotonic() < stop_at:
            s.sendall(request * 100)
            sent += 100
            peak = max(peak, rss_kib(args.pid))
    except OSError as error:
        print(f"pipeline: the server stopped taking requests after {sent}: {error.__class__.__name__}")
    settle_until = min(stop_at, time.monotonic() + args.settle)
    while time.monotonic() < settle_until:
        peak = max(peak, rss_kib(args.pid))
        time.sleep(0.2)
    ok = scrape(args.host, args.port, args.path)
    after = rss_kib(args.pid)
    s.close()
    print(f"pipeline: {sent} pipelined GET {args.path} sent without reading: RSS {before / 1024:.0f} MiB before, "
          f"peak {peak / 1024:.0f} MiB, {after / 1024:.0f} MiB after; a scrape meanwhile {'succeeded' if ok else 'FAILED'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("attack", choices=["trickle", "partial-body", "silent", "pipeline"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/metrics")
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--scrapes", type=int, default=10)
    parser.add_argument("--connections", type=int, help="attacking connections (default 200 trickle, 64 otherwise)")
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--settle", type=float, default=30, help="pipeline: seconds to watch RSS after sending")
    args = parser.parse_args()
    if not ipaddress.ip_address(socket.gethostbyname(args.host)).is_loopback:
        sys.exit("http-probe: loopback targets only")
    if args.attack == "pipeline":
        pipeline_attack(args)
    else:
        count = args.connections or (200 if args.attack == "trickle" else 64)
        connection_attack(args, args.attack, count)


if __name__ == "__main__":
    main()
