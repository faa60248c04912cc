#!/usr/bin/env python3
"""`make bench`: side-by-side benchmarks, interleaved, medians (this machine is noisy).

Offline: packets/s of `rtpscope analyze`, of `tshark -q -z rtp,streams` and of a bare libpcap read
loop (tools/pcap-bare-loop.c) over one generated 1,000,000-packet capture (200 streams, loss and
jitter), plus each one's peak RSS. Target: rtpscope >= 75 % of the bare loop.

Live (root only): ns per send of the project's UDP blaster with and without `rtpscope monitor`
attached, events lost, BPF run time per event. Target: <= 10 % added cost, 0 lost at >= 250k events/s.

Network layer (root only): a loop that sends one RTP datagram over loopback and receives it
(tools/udp-paths.c), untraced; under the capture floors of ../shared/floor (a minimal cgroup_skb
capture and a minimal syscall-tracepoint capture, built by their build.sh: measuring instruments, run
as they are); and under `rtpscope monitor` with each capture path. Interleaved pairs (configuration,
then untraced), medians; BPF run time per datagram per program. Target: default <= 1.25x untraced,
<= 300 ns BPF per datagram.

Codec probes (root only): Debian's FFmpeg encoding raw frames with libx264, frames/s with and without
the monitor's libavcodec uprobes attached (interleaved, medians), and the cost per probed call:
ns per call of a count-only and a timed probed function in a tight loop (tools/codec-call-loop.c),
and (wall time with − without) / probed calls of the encode, beside the BPF programs' run time per call.
Targets: <= 3 % slower, <= 2 us per probed call.

Exposition (root only): the live monitor fed by `rtptraffic streams` at 1,000 / 10,000 / 100,000
concurrent streams (senders of at most 2,000 streams each, started one after another), scraped
repeatedly with the default `--stream-metrics top:1000` and then with `all`: /metrics time and bytes
(medians), the engine lock each scrape held (rtpscope_exporter_snapshot_lock_seconds), the monitor's
RSS before the scrapes and its peak (VmHWM). Target: every stream exported at 10,000 streams in <= 1 s.

Interface (root only): `rtpscope monitor --capture none --interface` on the host end of a veth pair
whose other end is in a network namespace made for the run; `rtptraffic frames` (unpaced sendmmsg on
a packet socket), one process and RTP stream per CPU, inside the namespace writes across it Ethernet
frames addressed to a MAC nobody has — a mirror port's traffic, dropped by the host right after the
capture taps it.
The sender's own rate without a capture, packets/s the interface path counted, libpcap's drops
(ps_drop, ps_ifdrop), the monitor's CPU per packet. Target: >= 500,000 packets/s with 0 drops.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench-out")
RTPSCOPE = os.environ.get("RTPSCOPE_BIN") or os.path.join(ROOT, ".build", "release", "rtpscope")  # A/B: another build
BARE_LOOP = os.path.join(ROOT, "build", "pcap-bare-loop")
RTPTRAFFIC = os.path.join(ROOT, "build", "rtptraffic")


def run_measured(argv, stdout=subprocess.DEVNULL):
    """Runs argv, returns (seconds, peak RSS in KiB, stdout bytes or None).

    The peak comes from GNU time, not from wait4 here: Linux carries a process's high-water RSS
    across exec into the child's ru_maxrss, so a child of this script would report at least this
    script's own peak (hundreds of MiB once it has parsed a 100,000-stream report). time's child
    is forked from time, which is small."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name] + argv, stdout=stdout,
                                stderr=subprocess.PIPE)
        out = proc.stdout.read() if stdout == subprocess.PIPE else None
        _, status, _ = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        err = proc.stderr.read().decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"bench: {' '.join(argv)} failed: {err.strip()[:300]}")
        return elapsed, int(rss.read().split()[-1]), out


def offline(packets, streams, rounds):
    os.makedirs(OUT, exist_ok=True)
    capture = os.path.join(OUT, f"bench-{packets}-{streams}.pcap")
    if not os.path.exists(capture):
        print(f"generating {capture} …", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen-bench-pcap.py"), capture,
                        "--packets", str(packets), "--streams", str(streams)], check=True)
    tools = {
        "bare libpcap loop": [BARE_LOOP, capture],
        "rtpscope analyze": [RTPSCOPE, "analyze", "--format", "json", capture],
        "tshark rtp,streams": ["tshark", "-r", capture, "-q", "-o", "rtp.heuristic_rtp:TRUE", "-z", "rtp,streams"],
    }
    times = {name: [] for name in tools}
    rss = {name: 0 for name in tools}
    # Warm the page cache once so the first tool measured is not penalised.
    run_measured(tools["bare libpcap loop"])
    for r in range(rounds):
        # Interleave A/B/C each round; tshark is ~20x slower, run it on the first round only
        # unless asked for more, to keep the benchmark short.
        for name, argv in tools.items():
            if name.startswith("tshark") and r > 0:
                continue
            seconds, peak, _ = run_measured(argv)
            times[name].append(seconds)
            rss[name] = max(rss[name], peak)
    bare = packets / statistics.median(times["bare libpcap loop"])
    print(f"\nOffline: {packets:,} packets, {streams} streams, medians of {rounds} interleaved rounds")
    print(f"{'tool':<22}{'median s':>10}{'packets/s':>14}{'vs bare loop':>14}{'peak RSS MiB':>14}")
    for name in tools:
        median = statistics.median(times[name])
        rate = packets / median
        print(f"{name:<22}{median:>10.3f}{rate:>14,.0f}{rate / bare:>13.1%}{rss[name] / 1024:>14.1f}")
    ours = packets / statistics.median(times["rtpscope analyze"])
    theirs = packets / statistics.median(times["tshark rtp,streams"])
    print(f"rtpscope / bare loop = {ours / bare:.2f} (target >= 0.75); rtpscope / tshark = {ours / theirs:.1f}x")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def metric_sum(text, name, label_filter=""):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if label_filter in line:
                total += float(line.rsplit(" ", 1)[1])
    return total


def blast(count):
    out = subprocess.run([RTPTRAFFIC, "blast", "--to", "127.0.0.1:45999", "--count", str(count),
                          "--comm", "rtpbench"], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def live(count, pairs):
    if os.geteuid() != 0:
        print("\nLive: skipped (needs root for eBPF)")
        return
    port = free_port()
    rows = []
    for _ in range(pairs):
        base = blast(count)
        monitor = start_monitor(port, ["--comm", "rtpbench", "--stream-idle-timeout", "3600"])
        try:
            before = scrape(port)
            traced = blast(count)
            time.sleep(1.0)  # let the consumer drain the ring buffer
            after = scrape(port)
            events = metric_sum(after, "rtpscope_rtp_packets_total", 'direction="sent"') - \
                metric_sum(before, "rtpscope_rtp_packets_total", 'direction="sent"')
            dropped = metric_sum(after, "rtpscope_ringbuf_dropped_events_total") - \
                metric_sum(before, "rtpscope_ringbuf_dropped_events_total")
            run_ns = (metric_sum(after, "rtpscope_bpf_program_run_seconds_total") -
                      metric_sum(before, "rtpscope_bpf_program_run_seconds_total")) * 1e9
            with open(f"/proc/{monitor.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            consumer_cpu_s = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            rows.append((base["ns_per_send"], traced["ns_per_send"], traced["packets"], events, dropped,
                         run_ns / max(events, 1), consumer_cpu_s))
        finally:
            monitor.send_signal(signal.SIGTERM)
            monitor.wait(timeout=20)
    base_ns = statistics.median(r[0] for r in rows)
    traced_ns = statistics.median(r[1] for r in rows)
    print(f"\nLive: {count:,} sendto per run, {pairs} interleaved pairs (medians)")
    print(f"ns/send without monitor  {base_ns:10.0f}")
    print(f"ns/send with monitor     {traced_ns:10.0f}   ratio {traced_ns / base_ns:.3f} (target <= 1.10); "
          f"median of per-pair ratios {statistics.median(r[1] / r[0] for r in rows):.3f}")
    print(f"events/s offered         {1e9 / traced_ns:10,.0f}")
    print(f"events lost (last run)   {rows[-1][2] - rows[-1][3]:10.0f}   ringbuf drops {rows[-1][4]:.0f}")
    print(f"BPF run time per event   {statistics.median(r[5] for r in rows):10.0f} ns")
    print(f"consumer CPU per event   {statistics.median(r[6] / max(r[3], 1) * 1e9 for r in rows):10.0f} ns"
          " (monitor process user+sys over its whole run, start-up included)")


UDP_PATHS = os.path.join(ROOT, "build", "udp-paths")
FLOOR_DIR = os.path.join(os.path.dirname(ROOT), "shared", "floor")


def udp_loop(count, comm):
    """(wall ns per iteration, CPU ns per iteration) of one run of the loop. The CPU time (user +
    sys of the loop process, wait4) holds what runs in its context — the BPF programs, loopback's
    softirq — but not the time it waits for a CPU that the monitor's consumer or another process
    holds: on a loaded machine it is the steadier measure of the cost to the traced process."""
    process = subprocess.Popen([UDP_PATHS, "loop", "--count", str(count), "--comm", comm],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("bench: udp-paths loop failed: " + process.stderr.read()[:300])
    wall = json.loads(out.strip().splitlines()[-1])["ns_per_iteration"]
    return wall, (usage.ru_utime + usage.ru_stime) * 1e9 / count


def bpf_run_time_statistics():
    """Turns the kernel's per-program run-time statistics on while the returned fd is open
    (BPF_ENABLE_STATS; the monitor does the same for its own programs)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(16)  # union bpf_attr: enable_stats.type = BPF_STATS_RUN_TIME (0)
    fd = libc.syscall(321, 32, attr, 16)  # __NR_bpf (x86_64), BPF_ENABLE_STATS
    return fd if fd >= 0 else None


def owned_programs(pid):
    """{name: (runs, seconds)} of the BPF programs process `pid` holds (its fdinfo's prog_id)."""
    result = {}
    directory = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(directory):
        try:
            with open(os.path.join(directory, fd)) as f:
                ids = [line.split()[1] for line in f if line.startswith("prog_id:")]
        except OSError:
            continue
        for prog_id in ids:
            info = json.loads(subprocess.run(["bpftool", "-j", "prog", "show", "id", prog_id],
                                             capture_output=True, text=True).stdout or "{}")
            if "name" in info:
                result[info["name"]] = (float(info.get("run_cnt", 0)), info.get("run_time_ns", 0) / 1e9)
    return result


def ensure_tracefs():
    """Mounts tracefs at /sys/kernel/tracing where nothing has (as the monitor does for itself)."""
    if os.path.isdir("/sys/kernel/tracing/events") or os.path.isdir("/sys/kernel/debug/tracing/events"):
        return
    subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], check=False)


class Floor:
    """One of ../shared/floor's instruments, attached while alive: MODE 1 the minimal capture, MODE 0
    empty programs (their BPF run time is what the kernel's run-time statistics add to any program:
    the zero of that measure)."""

    def __init__(self, name, mode=1):
        self.process = subprocess.Popen([os.path.join("/tmp/floor", name), str(mode)], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            sys.exit(f"bench: {name} did not start: {self.process.stderr.read()[:300]}")

    def programs(self):
        return owned_programs(self.process.pid)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)


class MonitorConfiguration:
    """`rtpscope monitor` with one capture path, selecting the loop's process by name."""

    def __init__(self, capture, comm):
        self.port = free_port()
        self.process = start_monitor(self.port, ["--comm", comm, "--capture", capture, "--codec-probes", "off",
                                                 "--stream-idle-timeout", "3600"])
        self.before = scrape(self.port)

    def programs(self):
        """{program: (runs, seconds)} of the capture's BPF programs since start."""
        text = scrape(self.port)
        result = {}
        for line in text.splitlines():
            match = re.match(r'rtpscope_bpf_program_(runs|run_seconds)_total\{program="([^"]+)"\} (\S+)', line)
            if match:
                runs, seconds = result.get(match.group(2), (0.0, 0.0))
                value = float(match.group(3))
                result[match.group(2)] = (value, seconds) if match.group(1) == "runs" else (runs, value)
        return result

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)


def netpath(count, rounds):
    """The send+receive loop: untraced vs each floor and each capture path (see the docstring)."""
    if os.geteuid() != 0:
        print("\nNetwork layer: skipped (needs root for eBPF)")
        return
    floors = os.path.isfile(os.path.join(FLOOR_DIR, "build.sh"))
    ensure_tracefs()  # the syscall floor attaches to tracepoints through libbpf, which does not mount it
    if floors:
        subprocess.run(["bash", os.path.join(FLOOR_DIR, "build.sh")], check=True, capture_output=True)
    comm = "npbench"
    configurations = [("monitor, --capture socket (default)", lambda: MonitorConfiguration("socket", comm))]
    if floors:
        configurations += [("floor: cgroup_skb copy (skb-floor 1)", lambda: Floor("skb-floor")),
                           ("floor: cgroup_skb empty (skb-floor 0)", lambda: Floor("skb-floor", 0)),
                           ("floor: syscall tracepoints (tp-floor 1)", lambda: Floor("tp-floor"))]
    configurations += [("monitor, --capture syscalls", lambda: MonitorConfiguration("syscalls", comm))]
    pairs = {name: [] for name, _ in configurations}
    bpf = {name: {} for name, _ in configurations}
    statistics_fd = bpf_run_time_statistics()  # so the floors' programs are timed too
    udp_loop(count // 4, comm)  # warm up
    for _ in range(rounds):
        for name, start in configurations:
            instrument = start()
            try:
                before = instrument.programs()
                traced = udp_loop(count, comm)
                for program, (runs, seconds) in instrument.programs().items():
                    earlier = before.get(program, (0.0, 0.0))
                    bpf[name].setdefault(program, []).append((runs - earlier[0], seconds - earlier[1]))
            finally:
                instrument.stop()
            pairs[name].append((traced, udp_loop(count, comm)))
    print(f"\nNetwork layer: send+receive loop over loopback (one 172-byte RTP datagram each way per "
          f"iteration, {count:,} per run), {rounds} interleaved pairs per configuration (medians)")
    print(f"{'configuration':<42}{'ns/iteration':>13}{'untraced':>10}{'ratio':>8}{'pair ratio':>12}"
          f"{'CPU ns':>9}{'untraced':>10}{'CPU ratio':>11}")
    for name, _ in configurations:
        traced = statistics.median(p[0][0] for p in pairs[name])
        base = statistics.median(p[1][0] for p in pairs[name])
        ratio = statistics.median(p[0][0] / p[1][0] for p in pairs[name])
        cpu = statistics.median(p[0][1] for p in pairs[name])
        cpu_base = statistics.median(p[1][1] for p in pairs[name])
        cpu_ratio = statistics.median(p[0][1] / p[1][1] for p in pairs[name])
        print(f"{name:<42}{traced:>13.0f}{base:>10.0f}{traced / base:>8.3f}{ratio:>12.3f}"
              f"{cpu:>9.0f}{cpu_base:>10.0f}{cpu_ratio:>11.3f}")
    print("(ratio: of the medians; pair ratio and CPU ratio: medians of the per-pair ratios; CPU: the loop "
          "process's user+sys per iteration)")
    with open("/proc/loadavg") as f:
        print(f"load average at the end: {' '.join(f.read().split()[:3])} ({os.cpu_count()} CPUs)")
    if not floors:
        print(f"(floors skipped: {FLOOR_DIR}/build.sh not found)")
    if statistics_fd is not None:
        os.close(statistics_fd)
    print("BPF run time during the traced runs (every run of the program on the host, the loop's "
          "datagrams and anything else; medians over the runs):")
    for name, programs in bpf.items():
        for program, samples in sorted(programs.items()):
            runs = statistics.median(r for r, _ in samples)
            if runs == 0:
                continue
            per_run = statistics.median(s / max(r, 1) for r, s in samples) * 1e9
            print(f"  {name:<40} {program:<24} {per_run:8.0f} ns/run, {runs / count:5.2f} runs per iteration")
    print("  (target: <= 300 ns per datagram: egress for the sent one, ingress for the received one; the empty "
          "programs' figure is the statistics' own share of every figure: two clock reads around the run)")


def start_monitor(port, arguments):
    monitor = subprocess.Popen([RTPSCOPE, "monitor", "--web.listen-address", f"127.0.0.1:{port}"] + arguments,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while True:
        try:
            scrape(port)
            return monitor
        except OSError:
            if monitor.poll() is not None or time.time() > deadline:
                monitor.kill()
                sys.exit("bench: monitor did not start: " + monitor.stderr.read().decode()[:300])
            time.sleep(0.2)


def ffmpeg_encode(frames, port=None):
    """Encodes `frames` raw 1280x720 frames with libx264 (ffmpeg reads them from a FIFO, so the probes
    can be attached before the first frame). Returns (seconds from first frame to exit, ffmpeg's CPU
    seconds (user + sys, uprobe traps included), metrics)."""
    fifo = os.path.join(OUT, f"frames-{os.getpid()}.fifo")
    if os.path.exists(fifo):
        os.unlink(fifo)
    os.mkfifo(fifo)
    width, height = 1280, 720
    ffmpeg = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
                               "-video_size", f"{width}x{height}", "-framerate", "30", "-i", fifo,
                               "-c:v", "libx264", "-preset", "veryfast", "-threads", "1", "-f", "null", "-"],
                              stderr=subprocess.PIPE)
    monitor = None
    try:
        if port is not None:
            monitor = start_monitor(port, ["--pid", str(ffmpeg.pid), "--direction", "sent"])
            deadline = time.time() + 10
            while metric_sum(scrape(port), "rtpscope_codec_probed_processes") < 1:
                if time.time() > deadline:
                    sys.exit("bench: codec probes did not attach")
                time.sleep(0.1)
        frame = bytearray(width * height * 3 // 2)
        start = time.perf_counter()
        with open(fifo, "wb") as out:
            for index in range(frames):
                frame[(index * 997) % len(frame)] = index & 0xFF
                out.write(frame)
        # wait4 for ffmpeg's own CPU time: on a shared VM wall time also carries the host's steal.
        _, status, usage = os.wait4(ffmpeg.pid, 0)
        ffmpeg.returncode = os.waitstatus_to_exitcode(status)
        if ffmpeg.returncode != 0:
            sys.exit("bench: ffmpeg failed: " + ffmpeg.stderr.read().decode()[:300])
        elapsed = time.perf_counter() - start
        metrics = scrape(port) if port is not None else ""
        return elapsed, usage.ru_utime + usage.ru_stime, metrics
    finally:
        if ffmpeg.poll() is None:
            ffmpeg.kill()
        if monitor is not None:
            monitor.send_signal(signal.SIGTERM)
            monitor.wait(timeout=20)
        os.unlink(fifo)


def probe_call_cost(calls, rounds):
    """ns per call of a count-only and a timed probed function, alternating rounds with and without
    the monitor's probes on the same process (tools/codec-call-loop.c)."""
    loop = subprocess.Popen([os.path.join(ROOT, "build", "codec-call-loop"), str(calls), str(4 * rounds)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def one_round():
        loop.stdin.write("\n")
        loop.stdin.flush()
        fields = dict(pair.split("=") for pair in loop.stdout.readline().split())
        return float(fields["count_only_ns"]), float(fields["timed_ns"])

    port = free_port()
    plain, probed = [], []
    try:
        for _ in range(rounds):
            plain.append(one_round())
            monitor = start_monitor(port, ["--pid", str(loop.pid), "--direction", "sent"])
            try:
                deadline = time.time() + 10
                while metric_sum(scrape(port), "rtpscope_codec_probed_processes") < 1:
                    if time.time() > deadline:
                        sys.exit("bench: codec probes did not attach to codec-call-loop")
                    time.sleep(0.1)
                probed.append(one_round())
            finally:
                monitor.send_signal(signal.SIGTERM)
                monitor.wait(timeout=20)
    finally:
        loop.stdin.close()
        loop.wait(timeout=20)
    for index, kind in enumerate(("count-only (entry uprobe)", "timed (uprobe + uretprobe + record)")):
        without = statistics.median(r[index] for r in plain)
        with_probe = statistics.median(r[index] for r in probed)
        print(f"{kind:38s} {without:8.1f} ns → {with_probe:8.1f} ns per call: +{with_probe - without:.0f} ns (target <= 2000)")


def codec(frames, pairs):
    if os.geteuid() != 0:
        print("\nCodec probes: skipped (needs root for eBPF)")
        return
    os.makedirs(OUT, exist_ok=True)
    port = free_port()
    rows = []
    for _ in range(pairs):
        base, base_cpu, _ = ffmpeg_encode(frames)
        traced, traced_cpu, metrics = ffmpeg_encode(frames, port)
        calls = metric_sum(metrics, "rtpscope_codec_calls_total")
        run_ns = sum(metric_sum(metrics, "rtpscope_bpf_program_run_seconds_total", f'program="{p}"') for p in
                     ("codec_enter", "codec_return")) * 1e9
        runs = sum(metric_sum(metrics, "rtpscope_bpf_program_runs_total", f'program="{p}"') for p in
                   ("codec_enter", "codec_return"))
        rows.append((base, traced, calls, run_ns / max(runs, 1) * (runs / max(calls, 1)), base_cpu, traced_cpu))
    base_s = statistics.median(r[0] for r in rows)
    traced_s = statistics.median(r[1] for r in rows)
    calls = statistics.median(r[2] for r in rows)
    print(f"\nCodec probes: cost per probed call, {pairs} interleaved rounds of 200,000 calls (medians)")
    probe_call_cost(200_000, pairs)
    print(f"\nCodec probes: ffmpeg libx264 (veryfast, 1 thread) encoding {frames} frames of 1280x720, "
          f"{pairs} interleaved pairs (medians)")
    print(f"fps without probes       {frames / base_s:10.1f}")
    print(f"fps with probes          {frames / traced_s:10.1f}   slowdown {(traced_s / base_s - 1) * 100:+.2f} % (target <= 3 %)")
    # The machine's speed drifts between pairs (a shared VM): each pair's own ratio cancels that.
    print(f"slowdown, median of per-pair ratios {(statistics.median(r[1] / r[0] for r in rows) - 1) * 100:+.2f} %")
    print(f"ffmpeg CPU s without / with {statistics.median(r[4] for r in rows):.3f} / {statistics.median(r[5] for r in rows):.3f}: "
          f"{(statistics.median(r[5] / r[4] for r in rows) - 1) * 100:+.2f} % (median of per-pair ratios); "
          f"{(statistics.median(r[5] - r[4] for r in rows)) / max(calls, 1) * 1e9:.0f} ns CPU per probed call")
    print(f"probed calls per run     {calls:10.0f}   ({calls / frames:.1f} per frame)")
    print(f"cost per probed call     {(traced_s - base_s) / max(calls, 1) * 1e9:10.0f} ns (wall difference / calls; target <= 2000)")
    print(f"BPF run time per call    {statistics.median(r[3] for r in rows):10.0f} ns (entry + return programs)")
    print("per-pair seconds (without, with): " + ", ".join(f"({r[0]:.3f}, {r[1]:.3f})" for r in rows))


# ---------------------------------------------------------------------------------------------
# Scale (issue 10): streams found, packets/s, RSS and consumer cost at 1 … 100,000 concurrent streams.

SCALE_ROWS = (1, 3_000, 10_000, 20_000, 100_000)


def scale_capture(streams):
    """A capture of `streams` concurrent clean PCMU streams (round-robin, all active throughout):
    >= 1,000,000 packets and >= 20 per stream, no loss, no jitter (so every packet must be found)."""
    os.makedirs(OUT, exist_ok=True)
    packets = max(1_000_000, 20 * streams)
    capture = os.path.join(OUT, f"scale-{streams}.pcap")
    if not os.path.exists(capture):
        print(f"generating {capture} …", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen-bench-pcap.py"), capture,
                        "--packets", str(packets), "--streams", str(streams), "--loss-per-mille", "0",
                        "--jitter-ticks", "0"], check=True)
    return capture, packets


def analyze_counts(capture):
    """(streams found, packets in them, unconfirmed RTP) from `rtpscope analyze --format json`."""
    out = subprocess.run([RTPSCOPE, "analyze", "--format", "json", capture], check=True,
                         capture_output=True).stdout
    report = json.loads(out)
    return (len(report["streams"]), sum(s["packets"] for s in report["streams"]),
            report["summary"]["unconfirmed_rtp"])


def scale_offline(rows, rounds):
    print(f"\nOffline at scale: one capture per row (>= 1,000,000 packets, >= 20 per stream, clean), "
          f"rtpscope analyze vs the bare libpcap loop, {rounds} interleaved pairs (medians)")
    print(f"{'streams':>9}{'found':>9}{'packets found':>15}{'unconfirmed':>13}{'rtpscope pkt/s':>16}"
          f"{'bare pkt/s':>13}{'ratio':>7}{'pair ratio':>11}{'peak RSS MiB':>14}")
    for streams in rows:
        capture, packets = scale_capture(streams)
        found, counted, unconfirmed = analyze_counts(capture)
        run_measured([BARE_LOOP, capture])   # page cache
        ours, bare, peak = [], [], 0
        for _ in range(rounds):
            seconds, rss, _ = run_measured([RTPSCOPE, "analyze", "--format", "json", capture])
            ours.append(seconds)
            peak = max(peak, rss)
            bare.append(run_measured([BARE_LOOP, capture])[0])
        ours_rate, bare_rate = packets / statistics.median(ours), packets / statistics.median(bare)
        pair = statistics.median(b / o for o, b in zip(ours, bare))
        print(f"{streams:>9,}{found:>9,}{counted:>15,}{unconfirmed:>13,}{ours_rate:>16,.0f}{bare_rate:>13,.0f}"
              f"{ours_rate / bare_rate:>7.2f}{pair:>11.2f}{peak / 1024:>14.1f}", flush=True)
    print("targets: every stream found with every packet; ratio >= 0.75 at 200 streams (offline section), "
          ">= 0.5 at 20,000; RSS <= 512 MiB at 100,000")


def thread_id(pid, name):
    """The thread of `pid` called `name` (the monitor's drain thread), or None."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if f.read().strip() == name:
                    return int(tid)
        except OSError:
            continue
    return None


def drain_thread(monitor):
    """The monitor's drain thread (waits up to a minute for it to start); exits the bench if none."""
    deadline = time.time() + 60
    drain = thread_id(monitor.pid, "rtpscope-drain")
    while drain is None and time.time() < deadline:
        time.sleep(0.1)
        drain = thread_id(monitor.pid, "rtpscope-drain")
    if drain is None:
        names = []
        for tid in os.listdir(f"/proc/{monitor.pid}/task"):
            with open(f"/proc/{monitor.pid}/task/{tid}/comm") as f:
                names.append(f.read().strip())
        sys.exit(f"bench: the monitor's drain thread was not found (threads: {names}, exit: {monitor.poll()})")
    return drain


def thread_cpu_seconds(pid, tid):
    """(user, system) CPU seconds of one thread."""
    with open(f"/proc/{pid}/task/{tid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def exposition(counts, scrapes):
    """/metrics at scale, live: time, bytes, engine lock hold and monitor memory per scrape."""
    if os.geteuid() != 0:
        print("\nExposition: skipped (needs root for eBPF)")
        return
    comm = "expo-bench"
    per_sender = 2000
    rows = []
    for count in counts:
        for mode in ("top:1000", "all"):
            port = free_port()
            monitor = start_monitor(port, ["--comm", comm, "--direction", "sent", "--stream-idle-timeout", "3600",
                                           "--max-streams", str(max(count * 2, 10000)), "--stream-metrics", mode])
            senders = []
            try:
                # Senders of <= 2,000 streams started a second apart: each batch passes RFC 3550 probation
                # before the next begins (the engine tracks a bounded number of unconfirmed candidates).
                seconds = count // per_sender + 60
                for first in range(0, count, per_sender):
                    senders.append(subprocess.Popen(
                        [RTPTRAFFIC, "streams", "--to", "127.0.0.1:45997", "--streams", str(min(per_sender, count - first)),
                         "--sockets", "10", "--ptime-ms", "1000", "--seconds", str(seconds), "--comm", comm],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                    time.sleep(1.0)
                deadline = time.time() + 60
                while True:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=30) as r:
                        tracked = json.loads(r.read())["streams"]
                    if tracked >= count or time.time() > deadline:
                        break
                    time.sleep(1.0)
                rss_before = proc_status_kib(monitor.pid, "VmRSS")
                # The monitor's CPU while idle between scrapes (it keeps ingesting the streams), so a
                # scrape's own CPU is its total minus that rate over its duration: wall time on a
                # shared machine measures the load as much as the scrape.
                idle_cpu, idle_start = sum(process_cpu_seconds(monitor.pid)), time.perf_counter()
                time.sleep(3.0)
                idle_rate = (sum(process_cpu_seconds(monitor.pid)) - idle_cpu) / (time.perf_counter() - idle_start)
                times, cpus, sizes, locks = [], [], [], []
                for _ in range(scrapes):
                    cpu = sum(process_cpu_seconds(monitor.pid))
                    start = time.perf_counter()
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=120) as r:
                        body = r.read()
                    elapsed = time.perf_counter() - start
                    times.append(elapsed)
                    cpus.append(sum(process_cpu_seconds(monitor.pid)) - cpu - idle_rate * elapsed)
                    sizes.append(len(body))
                    locks.append(metric_sum(body.decode(), "rtpscope_exporter_snapshot_lock_seconds"))
                rows.append((count, mode, tracked, statistics.median(times), max(times), statistics.median(cpus),
                             statistics.median(sizes), statistics.median(locks), max(locks), rss_before,
                             proc_status_kib(monitor.pid, "VmHWM")))
            finally:
                for sender in senders:
                    sender.kill()
                    sender.wait()
                monitor.send_signal(signal.SIGTERM)
                monitor.wait(timeout=30)
    print(f"\nExposition: live monitor, rtptraffic streams (1 packet/s per stream), {scrapes} scrapes each (medians)")
    print(f"{'streams':>8} {'mode':>9} {'tracked':>8} {'scrape s':>9} {'max s':>7} {'CPU s':>6} {'bytes':>12} "
          f"{'lock ms':>8} {'max ms':>7} {'RSS MiB':>8} {'peak MiB':>9}")
    for count, mode, tracked, median_s, max_s, cpu_s, size, lock, lock_max, rss, peak in rows:
        print(f"{count:8,} {mode:>9} {tracked:8,} {median_s:9.3f} {max_s:7.3f} {cpu_s:6.2f} {size:12,.0f} "
              f"{lock * 1000:8.2f} {lock_max * 1000:7.2f} {rss / 1024:8.1f} {peak / 1024:9.1f}")
    print("scrape s: wall time of GET /metrics; CPU s: the monitor's CPU for it (its idle ingest rate subtracted); "
          "lock: rtpscope_exporter_snapshot_lock_seconds; peak: VmHWM over the whole run")


def process_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def proc_status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def resident_mib(pid):
    return proc_status_kib(pid, "VmRSS") / 1024


def streams_json(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/streams", timeout=600) as r:
        return json.loads(r.read())


def health_json(port):
    """/health: events per syscall, ring-buffer drops, streams (no /metrics: at 100,000 streams it is
    hundreds of MB until the exposition renders top-N)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=600) as r:
        return json.loads(r.read())


def health_events(health):
    return sum(health["events_by_syscall"].values()), health["ringbuf_dropped_events"]


def scale_live_row(streams, seconds, ptime_ms):
    """One live row: the monitor (--comm of this row) under `rtptraffic streams` senders of at most
    10,000 streams each (one stream: `rtptraffic blast`, one SSRC at full speed, so that the
    consumer's cost per event is not the idle loop's). CPU is read once the senders are done and
    the ring buffer drained, before any scrape (rendering /metrics is the exposition's cost).
    Returns a dict of what was measured."""
    port = free_port()
    comm = f"rtpscale{os.getpid() % 10000}"
    monitor = start_monitor(port, ["--comm", comm, "--codec-probes", "off", "--stream-idle-timeout", "600"])
    try:
        drain = drain_thread(monitor)
        time.sleep(1.0)
        idle_start = thread_cpu_seconds(monitor.pid, drain)
        time.sleep(3.0)
        idle_per_second = (sum(thread_cpu_seconds(monitor.pid, drain)) - sum(idle_start)) / 3.0
        events_before, dropped_before = health_events(health_json(port))
        cpu_before = thread_cpu_seconds(monitor.pid, drain)
        proc_before = process_cpu_seconds(monitor.pid)
        started = time.perf_counter()
        destination = f"127.0.0.1:{free_port()}"
        senders = []
        if streams == 1:
            senders.append(subprocess.Popen(
                [RTPTRAFFIC, "blast", "--to", destination, "--count", "300000", "--seconds", str(seconds), "--comm", comm],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for index in range(0 if streams == 1 else max(1, (streams + 9_999) // 10_000)):
            count = min(10_000, streams - index * 10_000)
            senders.append(subprocess.Popen(
                [RTPTRAFFIC, "streams", "--to", destination, "--streams", str(count), "--sockets", str(min(50, count)),
                 "--ptime-ms", str(ptime_ms), "--seconds", str(seconds), "--comm", comm],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        peak_rss = 0.0
        while any(s.poll() is None for s in senders):
            peak_rss = max(peak_rss, resident_mib(monitor.pid))
            time.sleep(0.5)
        reports = [json.loads(s.stdout.read().strip().splitlines()[-1]) for s in senders]
        time.sleep(2.0)   # the consumer drains what is left (5 ms period); no scrape meanwhile
        elapsed = time.perf_counter() - started
        cpu_after = thread_cpu_seconds(monitor.pid, drain)
        proc_after = process_cpu_seconds(monitor.pid)
        rss = resident_mib(monitor.pid)
        peak_rss = max(peak_rss, rss)
        events_after, dropped_after = health_events(health_json(port))
        sent = sum(r["packets"] for r in reports)
        listing_started = time.perf_counter()
        listed = streams_json(port)["streams"]
        listing_seconds = time.perf_counter() - listing_started
        per_stream = {r["pid"]: r["packets"] // r.get("streams", r.get("ssrcs", 1)) for r in reports}
        exact = sum(1 for s in listed if s.get("pid") in per_stream and s["packets"] == per_stream[s["pid"]] and s["lost"] == 0)
        events = events_after - events_before
        dropped = dropped_after - dropped_before
        drain_user = cpu_after[0] - cpu_before[0]
        drain_total = sum(cpu_after) - sum(cpu_before)
        return {
            "streams": streams, "found": len(listed), "exact": exact, "sent": sent, "events": events, "dropped": dropped,
            "drain_user_ns": drain_user / max(events, 1) * 1e9,
            "drain_ns": drain_total / max(events, 1) * 1e9,
            "drain_busy_ns": max(drain_total - idle_per_second * elapsed, 0) / max(events, 1) * 1e9,
            "process_ns": (sum(proc_after) - sum(proc_before)) / max(events, 1) * 1e9,
            "rss": rss, "peak_rss": peak_rss, "listing_seconds": listing_seconds,
        }
    finally:
        monitor.send_signal(signal.SIGTERM)
        monitor.wait(timeout=60)


def consumer_alone(streams, seconds):
    """The consumer's CPU per event with nothing else running: the monitor is stopped (SIGSTOP) while
    the senders fill its ring buffer (the BPF programs keep capturing), then resumed and timed until
    it has delivered every event. On a machine of two CPUs the table's figures include what sharing
    a core with the sender and the kernel's receive path costs the consumer; these do not.
    Returns (user ns, user+sys ns) per event, or None if the events did not fit the ring."""
    port = free_port()
    comm = f"rtpalone{os.getpid() % 10000}"
    monitor = start_monitor(port, ["--comm", comm, "--codec-probes", "off", "--stream-idle-timeout", "600",
                                   "--ring-buffer-bytes", str(256 << 20)])
    try:
        drain = drain_thread(monitor)
        events_before, dropped_before = health_events(health_json(port))
        destination = f"127.0.0.1:{free_port()}"
        if streams == 1:
            argv = [RTPTRAFFIC, "blast", "--to", destination, "--count", "600000", "--comm", comm]
        else:
            argv = [RTPTRAFFIC, "streams", "--to", destination, "--streams", str(streams),
                    "--sockets", str(min(50, streams)), "--ptime-ms", "100", "--seconds", str(seconds), "--comm", comm]
        monitor.send_signal(signal.SIGSTOP)
        try:
            report = json.loads(subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()
                                .splitlines()[-1])
            cpu_before = thread_cpu_seconds(monitor.pid, drain)
        finally:
            monitor.send_signal(signal.SIGCONT)
        deadline = time.time() + 120
        while True:
            events, dropped = health_events(health_json(port))
            if events - events_before >= report["packets"] or time.time() > deadline:
                break
            time.sleep(0.2)
        cpu_after = thread_cpu_seconds(monitor.pid, drain)
        delivered = events - events_before
        if dropped != dropped_before or delivered < report["packets"]:
            return None
        return ((cpu_after[0] - cpu_before[0]) / delivered * 1e9, (sum(cpu_after) - sum(cpu_before)) / delivered * 1e9)
    finally:
        monitor.send_signal(signal.SIGTERM)
        monitor.wait(timeout=60)


def scale_live(rows, seconds):
    if os.geteuid() != 0:
        print("\nLive at scale: skipped (needs root for eBPF)")
        return
    print(f"\nLive at scale: rtptraffic streams (N paced streams over <= 50 sockets per process, <= 10,000 streams "
          f"per process; 1 stream: rtptraffic blast, 300,000 packets at full speed), {seconds} s; consumer = the "
          f"monitor's drain thread (its CPU per delivered event: user, user+sys, and user+sys minus the idle drain "
          f"loop's own cost), process = the whole monitor; CPU read before any scrape")
    print(f"{'streams':>9}{'ptime':>7}{'found':>9}{'exact':>9}{'events':>11}{'drops':>7}{'user ns/ev':>11}"
          f"{'drain ns/ev':>12}{'busy ns/ev':>11}{'proc ns/ev':>11}{'RSS MiB':>9}{'peak MiB':>9}{'/streams s':>11}")
    for streams in rows:
        # One packet per stream every 100 ms (the load) up to 10,000 streams; beyond, every
        # two seconds (100,000 streams at 100 ms would be 1 M sends/s, beyond what this host can send).
        ptime = 100 if streams <= 10_000 else 2000
        row = scale_live_row(streams, seconds, ptime)
        print(f"{streams:>9,}{ptime:>7}{row['found']:>9,}{row['exact']:>9,}{row['events']:>11,.0f}{row['dropped']:>7.0f}"
              f"{row['drain_user_ns']:>11.0f}{row['drain_ns']:>12.0f}{row['drain_busy_ns']:>11.0f}{row['process_ns']:>11.0f}"
              f"{row['rss']:>9.1f}{row['peak_rss']:>9.1f}{row['listing_seconds']:>11.1f}", flush=True)
    print("targets: every stream found, exact; consumer <= 500 ns per event; RSS <= 256 MiB at 100,000 streams "
          "(RSS: after the traffic, before /streams is rendered)")
    print("Consumer draining alone (the ring buffer filled while the monitor was stopped, then drained with no "
          "sender running; medians of 3 runs):")
    for streams in (1, 10_000):
        runs = [consumer_alone(streams, 6) for _ in range(3)]
        measured = [r for r in runs if r is not None]
        if not measured:
            print(f"{streams:>9,} streams: the events did not fit the ring buffer")
            continue
        print(f"{streams:>9,} streams: user {statistics.median(r[0] for r in measured):.0f} ns/event, "
              f"user+sys {statistics.median(r[1] for r in measured):.0f} ns/event"
              + (f" ({len(runs) - len(measured)} run(s) lost events, left out)" if len(measured) < len(runs) else ""),
              flush=True)


def ip(*arguments, namespace=None, check=True):
    if namespace:
        argv = ["ip", "netns", "exec", namespace] + list(arguments)
    else:
        argv = ["ip"] + list(arguments)
    return subprocess.run(argv, check=check, capture_output=True, text=True)


def interface(count, rounds, batch):
    if os.geteuid() != 0:
        print("\nInterface: skipped (needs root for a network namespace and a capture)")
        return
    tag = f"{os.getpid() & 0xFFFF:04x}"
    namespace, host, peer = f"rtpscope-bench-{tag}", f"rtpbh{tag}", f"rtpbp{tag}"
    host_address, peer_address = "10.214.0.1", "10.214.0.2"
    monitor = None
    sender_count = os.cpu_count() or 1

    def frames():
        # Frames to a MAC nobody has: the host drops each right after the packet taps, as it would
        # a mirror port's traffic, so the sender's cost is the link, not a UDP stack. One sender per
        # CPU, each its own stream: a single sender is bound by its own CPU (packet socket, veth and
        # the host's receive softirq all run there), not by the capture.
        senders = [subprocess.Popen(["ip", "netns", "exec", namespace, RTPTRAFFIC, "frames", "--interface", peer,
                                     "--from", f"{peer_address}:{5004 + 2 * i}", "--to", f"{host_address}:{6004 + 2 * i}",
                                     "--ssrc", str(0x1000 + i), "--count", str(count // sender_count),
                                     "--batch", str(batch), "--comm", "rtpbench-if"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for i in range(sender_count)]
        results = []
        for sender in senders:
            out, err = sender.communicate()
            if sender.returncode != 0:
                sys.exit("bench: rtptraffic frames failed: " + err[:300])
            results.append(json.loads(out.strip().splitlines()[-1]))
        return {"packets": sum(r["packets"] for r in results), "seconds": max(r["seconds"] for r in results)}

    try:
        ip("netns", "add", namespace)
        ip("link", "add", host, "type", "veth", "peer", "name", peer, "netns", namespace)
        ip("addr", "add", f"{host_address}/30", "dev", host)
        ip("link", "set", host, "up")
        ip("ip", "addr", "add", f"{peer_address}/30", "dev", peer, namespace=namespace)
        ip("ip", "link", "set", peer, "up", namespace=namespace)
        time.sleep(1)  # carrier on both ends
        # What the sender manages on its own here: the most the capture can be offered.
        alone = [frames() for _ in range(2)]
        port = free_port()
        monitor = start_monitor(port, ["--capture", "none", "--interface", host, "--stream-idle-timeout", "3600"])
        label = f'interface="{host}"'
        rows = []
        for _ in range(rounds):
            before = scrape(port)
            cpu_before = sum(process_cpu_seconds(monitor.pid))
            sent = frames()
            # The capture hands a block over when full or after its 5 ms timeout; the reader polls
            # every 100 ms at most: settled well within a second.
            time.sleep(1.0)
            after = scrape(port)
            cpu = sum(process_cpu_seconds(monitor.pid)) - cpu_before
            counted = metric_sum(after, "rtpscope_rtp_packets_total", label) - \
                metric_sum(before, "rtpscope_rtp_packets_total", label)
            dropped = {reason: metric_sum(after, "rtpscope_interface_packets_dropped_total", f'{label},reason="{reason}"') -
                       metric_sum(before, "rtpscope_interface_packets_dropped_total", f'{label},reason="{reason}"')
                       for reason in ("buffer", "interface")}
            rows.append((sent["packets"], sent["seconds"], counted, dropped, cpu))
        print(f"\nInterface: {count:,} RTP packets per round ({sender_count} x rtptraffic frames, one stream each, "
              f"sendmmsg x{batch} on a packet socket in a netns, across a veth), {rounds} rounds, "
              f"monitor --capture none --interface")
        alone_rates = ", ".join(f"{r['packets'] / r['seconds']:,.0f}/s" for r in alone)
        print(f"sender alone (no capture): {alone_rates}")
        print(f"{'round':>5}{'sent':>12}{'offered/s':>14}{'counted':>12}{'counted/s':>14}{'ps_drop':>10}{'ps_ifdrop':>10}"
              f"{'CPU ns/pkt':>12}")
        for i, (sent_packets, seconds, counted, dropped, cpu) in enumerate(rows):
            print(f"{i + 1:>5}{sent_packets:>12,}{sent_packets / seconds:>14,.0f}{counted:>12,.0f}{counted / seconds:>14,.0f}"
                  f"{dropped['buffer']:>10,.0f}{dropped['interface']:>10,.0f}{cpu / max(counted, 1) * 1e9:>12,.0f}")
        rates = [counted / seconds for _, seconds, counted, _, _ in rows]
        clean = [r for r, row in zip(rates, rows) if row[2] == row[0] and sum(row[3].values()) == 0]
        cpu_ns = statistics.median(row[4] / max(row[2], 1) * 1e9 for row in rows)
        print(f"median counted/s {statistics.median(rates):,.0f}; rounds complete with 0 drops: {len(clean)}/{len(rows)}"
              f"{f', their median {statistics.median(clean):,.0f}/s' if clean else ''} (target >= 500,000/s, 0 drops); "
              f"monitor CPU {cpu_ns:,.0f} ns per packet (= {1e9 / max(cpu_ns, 1):,.0f} packets/s per core)")
    finally:
        if monitor:
            monitor.send_signal(signal.SIGTERM)
            monitor.wait(timeout=20)
        ip("link", "del", host, check=False)
        ip("netns", "del", namespace, check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--live-count", type=int, default=500_000)
    parser.add_argument("--live-pairs", type=int, default=5)
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--netpath-count", type=int, default=200_000)
    parser.add_argument("--netpath-rounds", type=int, default=5)
    parser.add_argument("--codec-frames", type=int, default=1200)
    parser.add_argument("--codec-pairs", type=int, default=5)
    parser.add_argument("--exposition-streams", default="1000,10000,100000",
                        help="comma-separated stream counts for the exposition section")
    parser.add_argument("--exposition-scrapes", type=int, default=5)
    parser.add_argument("--interface-count", type=int, default=2_000_000)
    parser.add_argument("--interface-rounds", type=int, default=5)
    parser.add_argument("--interface-batch", type=int, default=64, help="the frame sender's sendmmsg batch")
    parser.add_argument("--only", choices=["offline", "live", "netpath", "codec", "scale-offline", "scale-live",
                                           "exposition", "interface"],
                        help="run one section")
    parser.add_argument("--scale-rows", default=",".join(str(n) for n in SCALE_ROWS),
                        help="concurrent streams per scale row (comma-separated)")
    parser.add_argument("--scale-seconds", type=float, default=10)
    args = parser.parse_args()
    if args.only in (None, "offline"):
        offline(args.packets, args.streams, args.rounds)
    if args.only in (None, "live") and not args.skip_live:
        live(args.live_count, args.live_pairs)
    if args.only in (None, "live", "netpath") and not args.skip_live:
        netpath(args.netpath_count, args.netpath_rounds)
    if args.only in (None, "codec") and not args.skip_live:
        codec(args.codec_frames, args.codec_pairs)
    scale_rows = [int(n) for n in args.scale_rows.split(",") if n]
    if args.only in (None, "scale-offline"):
        scale_offline(scale_rows, max(3, args.rounds // 2 + 1))
    if args.only in (None, "scale-live") and not args.skip_live:
        scale_live(scale_rows, args.scale_seconds)
    if args.only in (None, "exposition") and not args.skip_live:
        exposition([int(n) for n in args.exposition_streams.split(",")], args.exposition_scrapes)
    if args.only in (None, "interface") and not args.skip_live:
        interface(args.interface_count, args.interface_rounds, args.interface_batch)


if __name__ == "__main__":
    main()
