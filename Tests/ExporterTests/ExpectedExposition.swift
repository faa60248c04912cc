/// The exact exposition of `Fixtures.snapshot()`, written out by hand from the fixture values
/// (e.g. jitter 2.5 ms → 0.0025 s; buckets [100, 850, 40] over 999 observations → 100, 950, 990,
/// +Inf 999; the IPv6 stream has an unknown clock, so it has no jitter or clock-rate series).
enum ExpectedExposition {
    static let snapshotFamilies = #"""
# HELP rtpscope_rtp_packets_total RTP packets seen on the stream (packets).
# TYPE rtpscope_rtp_packets_total counter
rtpscope_rtp_packets_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 1000
rtpscope_rtp_packets_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace=""} 10
# HELP rtpscope_rtp_bytes_total RTP bytes seen on the stream, header and payload (bytes).
# TYPE rtpscope_rtp_bytes_total counter
rtpscope_rtp_bytes_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 172000
rtpscope_rtp_bytes_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace=""} 12000
# HELP rtpscope_rtp_expected_packets Packets expected from the extended highest sequence number, RFC 3550 A.3 (packets).
# TYPE rtpscope_rtp_expected_packets gauge
rtpscope_rtp_expected_packets{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 1002
rtpscope_rtp_expected_packets{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace=""} 10
# HELP rtpscope_rtp_lost_packets Cumulative packets lost, RFC 3550 A.3: expected minus received; decreases when late packets arrive and is negative with duplicates (packets).
# TYPE rtpscope_rtp_lost_packets gauge
rtpscope_rtp_lost_packets{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 2
rtpscope_rtp_lost_packets{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace=""} 0
# HELP rtpscope_rtp_duplicate_packets_total Packets whose sequence number had already been received (packets).
# TYPE rtpscope_rtp_duplicate_packets_total counter
rtpscope_rtp_duplicate_packets_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 1
rtpscope_rtp_duplicate_packets_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace=""} 0
# HELP rtpscope_rtp_reordered_packets_total Packets that arrived after a higher sequence number (packets).
# TYPE rtpscope_rtp_reordered_packets_total counter
rtpscope_rtp_reordered_packets_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 3
rtpscope_rtp_reordered_packets_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace=""} 0
# HELP rtpscope_rtp_sequence_resets_total Sender restarts detected by RFC 3550 A.1 sequence validation (resets).
# TYPE rtpscope_rtp_sequence_resets_total counter
rtpscope_rtp_sequence_resets_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 0
rtpscope_rtp_sequence_resets_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace=""} 1
# HELP rtpscope_rtp_jitter_seconds Interarrival jitter, RFC 3550 A.8, converted with the stream's clock rate (seconds). Absent while the clock rate is unknown.
# TYPE rtpscope_rtp_jitter_seconds gauge
rtpscope_rtp_jitter_seconds{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 0.0025
# HELP rtpscope_rtp_max_jitter_seconds Largest interarrival jitter seen on the stream (seconds). Absent while the clock rate is unknown.
# TYPE rtpscope_rtp_max_jitter_seconds gauge
rtpscope_rtp_max_jitter_seconds{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 0.02
# HELP rtpscope_rtp_packet_interval_seconds Time between consecutive packets of the stream (seconds).
# TYPE rtpscope_rtp_packet_interval_seconds histogram
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",le="0.01"} 100
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",le="0.02"} 950
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",le="0.05"} 990
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",le="+Inf"} 999
rtpscope_rtp_packet_interval_seconds_sum{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 19.5
rtpscope_rtp_packet_interval_seconds_count{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 999
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",le="+Inf"} 0
rtpscope_rtp_packet_interval_seconds_sum{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace=""} 0
rtpscope_rtp_packet_interval_seconds_count{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace=""} 0
# HELP rtpscope_rtp_clock_rate_hertz RTP timestamp clock rate used for the stream (hertz). Absent while unknown.
# TYPE rtpscope_rtp_clock_rate_hertz gauge
rtpscope_rtp_clock_rate_hertz{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace=""} 8000
# HELP rtpscope_rtcp_reported_jitter_seconds Interarrival jitter reported in the latest RTCP report block (seconds). Absent while the media clock rate is unknown.
# TYPE rtpscope_rtcp_reported_jitter_seconds gauge
rtpscope_rtcp_reported_jitter_seconds{reporter_ssrc="0x0000cafe",ssrc="0x1234abcd",direction="received",local="10.0.0.1:5005",remote="10.0.0.2:40001",pid="4242",comm="baresip"} 0.003
# HELP rtpscope_rtcp_reported_fraction_lost_ratio Fraction lost since the previous report, from the latest RTCP report block (ratio 0-1).
# TYPE rtpscope_rtcp_reported_fraction_lost_ratio gauge
rtpscope_rtcp_reported_fraction_lost_ratio{reporter_ssrc="0x0000cafe",ssrc="0x1234abcd",direction="received",local="10.0.0.1:5005",remote="10.0.0.2:40001",pid="4242",comm="baresip"} 0.25
rtpscope_rtcp_reported_fraction_lost_ratio{reporter_ssrc="0x0000cafe",ssrc="0xdeadbeef",direction="received",local="10.0.0.1:5005",remote="10.0.0.2:40001",pid="4242",comm="baresip"} 0
# HELP rtpscope_rtcp_reported_lost_packets Cumulative number of packets lost reported in the latest RTCP report block; can decrease (packets).
# TYPE rtpscope_rtcp_reported_lost_packets gauge
rtpscope_rtcp_reported_lost_packets{reporter_ssrc="0x0000cafe",ssrc="0x1234abcd",direction="received",local="10.0.0.1:5005",remote="10.0.0.2:40001",pid="4242",comm="baresip"} -1
rtpscope_rtcp_reported_lost_packets{reporter_ssrc="0x0000cafe",ssrc="0xdeadbeef",direction="received",local="10.0.0.1:5005",remote="10.0.0.2:40001",pid="4242",comm="baresip"} 7
# HELP rtpscope_rtcp_round_trip_time_seconds Round-trip time from LSR/DLSR of the latest RTCP report block (seconds). Absent when no matching sender report was seen.
# TYPE rtpscope_rtcp_round_trip_time_seconds gauge
rtpscope_rtcp_round_trip_time_seconds{reporter_ssrc="0x0000cafe",ssrc="0x1234abcd",direction="received",local="10.0.0.1:5005",remote="10.0.0.2:40001",pid="4242",comm="baresip"} 0.045
# HELP rtpscope_events_total Events received from the kernel ring buffer, by traced syscall (events).
# TYPE rtpscope_events_total counter
rtpscope_events_total{syscall="recvmmsg"} 900
rtpscope_events_total{syscall="sendmmsg"} 100
# HELP rtpscope_ringbuf_dropped_events_total Events lost because the ring buffer was full, summed over CPUs (events).
# TYPE rtpscope_ringbuf_dropped_events_total counter
rtpscope_ringbuf_dropped_events_total 3
# HELP rtpscope_bpf_program_run_seconds_total Time spent running each BPF program, from kernel run-time statistics (seconds).
# TYPE rtpscope_bpf_program_run_seconds_total counter
rtpscope_bpf_program_run_seconds_total{program="tp_exit_recvmmsg"} 1.5
rtpscope_bpf_program_run_seconds_total{program="tp_exit_sendmmsg"} 0.00025
# HELP rtpscope_bpf_program_runs_total Times each BPF program ran, from kernel run-time statistics (runs).
# TYPE rtpscope_bpf_program_runs_total counter
rtpscope_bpf_program_runs_total{program="tp_exit_recvmmsg"} 900
rtpscope_bpf_program_runs_total{program="tp_exit_sendmmsg"} 100
# HELP rtpscope_streams RTP streams currently tracked and exported (streams).
# TYPE rtpscope_streams gauge
rtpscope_streams 2
# HELP rtpscope_streams_evicted_total Streams dropped by the idle timeout or the stream cap (streams).
# TYPE rtpscope_streams_evicted_total counter
rtpscope_streams_evicted_total 2

"""#

    /// The process registry's families, sorted by name, before any scrape has been recorded.
    static let processFamilies = #"""
# HELP rtpscope_build_info Build of the running rtpscope; the value is always 1.
# TYPE rtpscope_build_info gauge
rtpscope_build_info{version="0.3.0",revision="abc123"} 1.0
# HELP rtpscope_exporter_scrape_duration_seconds Time taken to take a snapshot and render /metrics (seconds).
# TYPE rtpscope_exporter_scrape_duration_seconds histogram
rtpscope_exporter_scrape_duration_seconds_bucket{le="0.001"} 0
rtpscope_exporter_scrape_duration_seconds_bucket{le="0.005"} 0
rtpscope_exporter_scrape_duration_seconds_bucket{le="0.025"} 0
rtpscope_exporter_scrape_duration_seconds_bucket{le="0.1"} 0
rtpscope_exporter_scrape_duration_seconds_bucket{le="0.5"} 0
rtpscope_exporter_scrape_duration_seconds_bucket{le="2.5"} 0
rtpscope_exporter_scrape_duration_seconds_bucket{le="+Inf"} 0
rtpscope_exporter_scrape_duration_seconds_sum 0.0
rtpscope_exporter_scrape_duration_seconds_count 0

"""#
}
