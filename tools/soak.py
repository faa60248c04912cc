#!/usr/bin/env python3
"""`make soak`: the live monitor under a long, steady, churning load (not a CI test).

Load: `rtptraffic streams` — STREAMS paced RTP streams (default 500 at 10 ms ptime: 50,000 packets/s)
spread over 10 sockets sent with sendmmsg; every CHURN seconds one socket is closed and reopened on a
new local port and its streams restart with new SSRCs, so streams keep appearing and idling out
(`--stream-idle-timeout`, 30 s here) for the whole run.

Every SAMPLE seconds: the monitor's RSS (VmRSS), the time to scrape /metrics, streams exported,
events delivered, ring-buffer drops and unreported datagrams. At the end: RSS growth after warm-up
(median RSS of the last two minutes against the first two after warm-up; target <= 10 %), lost events (target 0: every datagram the sender put on the wire was delivered
as an event, and no ring-buffer reservation failed), and scrape latency per window (stable).
Figures are printed and written to bench-out/soak.json.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import OUT, RTPTRAFFIC, free_port, metric_sum, scrape, start_monitor  # noqa: E402

COMM = "rtpsoak"
RSS_WINDOW = 120.0  # seconds of samples whose median RSS is compared


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample(monitor, port, t0):
    start = time.perf_counter()
    text = scrape(port)
    scrape_s = time.perf_counter() - start
    return {
        "t": round(time.time() - t0, 1),
        "rss_kib": rss_kib(monitor.pid),
        "cpu_s": cpu_seconds(monitor.pid),
        "scrape_s": scrape_s,
        "metrics_bytes": len(text),
        "streams": metric_sum(text, "rtpscope_streams"),
        "evicted": metric_sum(text, "rtpscope_streams_evicted_total"),
        "events": metric_sum(text, "rtpscope_events_total", 'syscall="sendmmsg"'),
        "dropped": metric_sum(text, "rtpscope_ringbuf_dropped_events_total"),
        "unreported": metric_sum(text, "rtpscope_unreported_datagrams_total"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=1800, help="load duration (default 1800)")
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--ptime-ms", type=int, default=10, help="per-stream packet interval (default 10)")
    parser.add_argument("--churn", type=float, default=5.0, help="seconds between socket churns (default 5)")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples (default 10)")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds excluded from the RSS growth (default: a sixth of the run, at least 60)")
    parser.add_argument("--report", metavar="JSON", help="only re-print the figures of a saved run (bench-out/soak.json)")
    args = parser.parse_args()
    if args.report:
        with open(args.report) as saved:
            sys.exit(0 if report(json.load(saved)) else 1)
    if os.geteuid() != 0:
        sys.exit("soak: needs root (eBPF)")
    if not 1 <= args.seconds <= 3600:
        sys.exit("soak: --seconds must be in [1, 3600] (rtptraffic bounds its run to an hour)")
    warmup = args.warmup if args.warmup is not None else max(60.0, args.seconds / 6)
    os.makedirs(OUT, exist_ok=True)

    port = free_port()
    monitor = start_monitor(port, ["--comm", COMM, "--direction", "sent", "--stream-idle-timeout", "30",
                                   "--codec-probes", "off"])
    samples = []
    try:
        before = sample(monitor, port, time.time())
        t0 = time.time()
        load = subprocess.Popen([RTPTRAFFIC, "streams", "--to", "127.0.0.1:45998", "--streams", str(args.streams),
                                 "--ptime-ms", str(args.ptime_ms), "--batch", "16", "--sockets", "10",
                                 "--churn-ms", str(int(args.churn * 1000)), "--seconds", str(args.seconds),
                                 "--comm", COMM], stdout=subprocess.PIPE, text=True)
        rate = args.streams * 1000 / args.ptime_ms
        print(f"soak: {args.streams} streams, {rate:,.0f} packets/s, churn every {args.churn:g} s, "
              f"{args.seconds:g} s; sampling every {args.sample:g} s", flush=True)
        next_sample = t0 + args.sample
        while load.poll() is None:
            time.sleep(max(0.0, min(next_sample - time.time(), 1.0)))
            if time.time() >= next_sample and load.poll() is None:
                samples.append(sample(monitor, port, t0))
                s = samples[-1]
                print(f"  t={s['t']:7.1f}s  rss {s['rss_kib'] / 1024:7.1f} MiB  scrape {s['scrape_s'] * 1000:6.1f} ms  "
                      f"streams {s['streams']:5.0f}  events {s['events'] - before['events']:12,.0f}  "
                      f"drops {s['dropped']:.0f}", flush=True)
                next_sample += args.sample
        sent = json.loads(load.stdout.read().strip().splitlines()[-1])
        if load.returncode != 0:
            sys.exit(f"soak: rtptraffic failed with status {load.returncode}")
        time.sleep(2.0)  # let the consumer drain the ring buffer
        final = sample(monitor, port, t0)
    finally:
        monitor.send_signal(signal.SIGTERM)
        monitor.wait(timeout=30)

    result = {"arguments": vars(args), "warmup": warmup, "sender": sent, "before": before, "final": final,
              "samples": samples}
    with open(os.path.join(OUT, "soak.json"), "w") as out:
        json.dump(result, out, indent=1)
    if not report(result):
        sys.exit("soak: target missed (lost events or RSS growth above 10 %)")
    print(f"samples: {os.path.join(OUT, 'soak.json')} (re-print with --report)")


def window_median_rss(samples):
    return statistics.median(s["rss_kib"] for s in samples)


def report(result):
    """Prints the figures of a run; returns whether the targets were met."""
    sent, before, final, samples = result["sender"], result["before"], result["final"], result["samples"]
    args, warmup = result["arguments"], result["warmup"]
    delivered = final["events"] - before["events"]
    lost = sent["datagrams"] - delivered
    # RSS is compared window to window (medians of RSS_WINDOW seconds of samples): the allocator
    # returns memory now and then, so one sample can sit 10 % below its neighbours.
    after_warmup = [s for s in samples if s["t"] >= warmup] or samples[-1:]
    first = [s for s in after_warmup if s["t"] < after_warmup[0]["t"] + RSS_WINDOW]
    last = [s for s in after_warmup if s["t"] > after_warmup[-1]["t"] - RSS_WINDOW]
    rss_warm, rss_end = window_median_rss(first), window_median_rss(last)
    rss_peak = max(s["rss_kib"] for s in after_warmup)
    growth = (rss_end - rss_warm) / rss_warm
    windows = max(1, min(6, len(samples)))
    per_window = [samples[i * len(samples) // windows:(i + 1) * len(samples) // windows] for i in range(windows)]
    cpu = (final["cpu_s"] - before["cpu_s"]) / max(delivered, 1) * 1e9

    print(f"\nSoak: {args['seconds']:g} s at {sent['datagrams'] / sent['seconds']:,.0f} packets/s, {args['streams']} concurrent "
          f"streams, {sent['streams_started']:,} streams in all ({sent['churns']} churns), sender late ticks "
          f"{sent['late_ticks']} (max lateness {sent['max_lateness_ms']:.1f} ms)")
    print(f"datagrams sent           {sent['datagrams']:14,}")
    print(f"events delivered         {delivered:14,.0f}   lost {lost:,.0f} (target 0); ring-buffer drops "
          f"{final['dropped'] - before['dropped']:.0f}; unreported {final['unreported'] - before['unreported']:.0f}")
    print(f"RSS (median of {RSS_WINDOW:g} s)   {rss_warm / 1024:8.1f} MiB after warm-up ({warmup:g} s), "
          f"{rss_end / 1024:.1f} MiB at the end: growth {growth:+.1%} (target <= +10 %); "
          f"peak {rss_peak / 1024:.1f} MiB, lowest {min(s['rss_kib'] for s in after_warmup) / 1024:.1f} MiB")
    print(f"streams exported at end  {final['streams']:14.0f}   evicted (idle) {final['evicted']:,.0f}")
    print(f"consumer CPU per event   {cpu:14.0f} ns (monitor user+sys)")
    print("scrape latency per window (median / max ms, /metrics size, median RSS):")
    for window in per_window:
        latencies = [s["scrape_s"] * 1000 for s in window]
        print(f"  {window[0]['t']:7.0f}–{window[-1]['t']:7.0f} s   {statistics.median(latencies):6.1f} / "
              f"{max(latencies):6.1f} ms   {statistics.median(s['metrics_bytes'] for s in window) / 1e6:.2f} MB   "
              f"{window_median_rss(window) / 1024:6.1f} MiB")
    return lost == 0 and growth <= 0.10


if __name__ == "__main__":
    main()
