/// The exact exposition of `Fixtures.snapshot()`, written out by hand from the fixture values
/// (e.g. jitter 2.5 ms → 0.0025 s; buckets [100, 850, 40] over 999 observations → 100, 950, 990,
/// +Inf 999; the IPv6 stream has an unknown clock, so it has no jitter or clock-rate series, and no
/// observation in its process's and peer's jitter histograms; the audio stream's 2.5 ms falls in
/// `le="0.005"`).
enum ExpectedExposition {
    static let snapshotFamilies = #"""
# HELP rtpscope_rtp_packets_total RTP packets seen on the stream (packets).
# TYPE rtpscope_rtp_packets_total counter
rtpscope_rtp_packets_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 1000
rtpscope_rtp_packets_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface=""} 10
# HELP rtpscope_rtp_bytes_total RTP bytes seen on the stream, header and payload (bytes).
# TYPE rtpscope_rtp_bytes_total counter
rtpscope_rtp_bytes_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 172000
rtpscope_rtp_bytes_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface=""} 12000
# HELP rtpscope_rtp_expected_packets Packets expected from the extended highest sequence number, RFC 3550 A.3 (packets).
# TYPE rtpscope_rtp_expected_packets gauge
rtpscope_rtp_expected_packets{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 1002
rtpscope_rtp_expected_packets{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface=""} 10
# HELP rtpscope_rtp_lost_packets Cumulative packets lost, RFC 3550 A.3: expected minus received; decreases when late packets arrive and is negative with duplicates (packets).
# TYPE rtpscope_rtp_lost_packets gauge
rtpscope_rtp_lost_packets{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 2
rtpscope_rtp_lost_packets{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface=""} 0
# HELP rtpscope_rtp_duplicate_packets_total Packets whose sequence number had already been received (packets).
# TYPE rtpscope_rtp_duplicate_packets_total counter
rtpscope_rtp_duplicate_packets_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 1
rtpscope_rtp_duplicate_packets_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface=""} 0
# HELP rtpscope_rtp_reordered_packets_total Packets that arrived after a higher sequence number (packets).
# TYPE rtpscope_rtp_reordered_packets_total counter
rtpscope_rtp_reordered_packets_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 3
rtpscope_rtp_reordered_packets_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface=""} 0
# HELP rtpscope_rtp_sequence_resets_total Sender restarts detected by RFC 3550 A.1 sequence validation (resets).
# TYPE rtpscope_rtp_sequence_resets_total counter
rtpscope_rtp_sequence_resets_total{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 0
rtpscope_rtp_sequence_resets_total{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface=""} 1
# HELP rtpscope_rtp_jitter_seconds Interarrival jitter, RFC 3550 A.8, converted with the stream's clock rate (seconds). Absent while the clock rate is unknown.
# TYPE rtpscope_rtp_jitter_seconds gauge
rtpscope_rtp_jitter_seconds{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 0.0025
# HELP rtpscope_rtp_max_jitter_seconds Largest interarrival jitter seen on the stream (seconds). Absent while the clock rate is unknown.
# TYPE rtpscope_rtp_max_jitter_seconds gauge
rtpscope_rtp_max_jitter_seconds{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 0.02
# HELP rtpscope_rtp_packet_interval_seconds Time between consecutive packets of the stream (seconds).
# TYPE rtpscope_rtp_packet_interval_seconds histogram
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface="",le="0.01"} 100
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface="",le="0.02"} 950
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface="",le="0.05"} 990
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface="",le="+Inf"} 999
rtpscope_rtp_packet_interval_seconds_sum{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 19.5
rtpscope_rtp_packet_interval_seconds_count{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 999
rtpscope_rtp_packet_interval_seconds_bucket{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface="",le="+Inf"} 0
rtpscope_rtp_packet_interval_seconds_sum{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface=""} 0
rtpscope_rtp_packet_interval_seconds_count{ssrc="0xdeadbeef",direction="sent",local="[2001:db8::1]:6000",remote="[2001:db8::2]:6002",pid="77",comm="ffmpeg",payload_type="96",container="",pod="",namespace="",interface=""} 0
# HELP rtpscope_rtp_clock_rate_hertz RTP timestamp clock rate used for the stream (hertz). Absent while unknown.
# TYPE rtpscope_rtp_clock_rate_hertz gauge
rtpscope_rtp_clock_rate_hertz{ssrc="0x1234abcd",direction="received",local="10.0.0.1:5004",remote="10.0.0.2:40000",pid="4242",comm="baresip",payload_type="0",container="",pod="",namespace="",interface=""} 8000
# HELP rtpscope_process_rtp_packets_total RTP packets of every stream of the process in this direction, ended streams included (packets).
# TYPE rtpscope_process_rtp_packets_total counter
rtpscope_process_rtp_packets_total{pid="4242",comm="baresip",direction="received"} 1000
rtpscope_process_rtp_packets_total{pid="77",comm="ffmpeg",direction="sent"} 10
# HELP rtpscope_process_rtp_expected_packets RFC 3550 A.3 expected packets summed over every stream of the process in this direction, ended streams included (packets).
# TYPE rtpscope_process_rtp_expected_packets gauge
rtpscope_process_rtp_expected_packets{pid="4242",comm="baresip",direction="received"} 1002
rtpscope_process_rtp_expected_packets{pid="77",comm="ffmpeg",direction="sent"} 10
# HELP rtpscope_process_rtp_lost_packets RFC 3550 A.3 cumulative lost packets summed over every stream of the process in this direction, ended streams included; can decrease (packets).
# TYPE rtpscope_process_rtp_lost_packets gauge
rtpscope_process_rtp_lost_packets{pid="4242",comm="baresip",direction="received"} 2
rtpscope_process_rtp_lost_packets{pid="77",comm="ffmpeg",direction="sent"} 0
# HELP rtpscope_process_streams Streams of the process in this direction currently tracked (streams).
# TYPE rtpscope_process_streams gauge
rtpscope_process_streams{pid="4242",comm="baresip",direction="received"} 1
rtpscope_process_streams{pid="77",comm="ffmpeg",direction="sent"} 1
# HELP rtpscope_process_stream_jitter_seconds Current RFC 3550 jitter of the streams of the process in this direction, one observation per stream with a known clock rate: a gauge histogram, read it directly (histogram_quantile), not with rate() (seconds).
# TYPE rtpscope_process_stream_jitter_seconds histogram
rtpscope_process_stream_jitter_seconds_bucket{pid="4242",comm="baresip",direction="received",le="0.001"} 0
rtpscope_process_stream_jitter_seconds_bucket{pid="4242",comm="baresip",direction="received",le="0.005"} 1
rtpscope_process_stream_jitter_seconds_bucket{pid="4242",comm="baresip",direction="received",le="0.01"} 1
rtpscope_process_stream_jitter_seconds_bucket{pid="4242",comm="baresip",direction="received",le="0.02"} 1
rtpscope_process_stream_jitter_seconds_bucket{pid="4242",comm="baresip",direction="received",le="0.03"} 1
rtpscope_process_stream_jitter_seconds_bucket{pid="4242",comm="baresip",direction="received",le="0.05"} 1
rtpscope_process_stream_jitter_seconds_bucket{pid="4242",comm="baresip",direction="received",le="0.1"} 1
rtpscope_process_stream_jitter_seconds_bucket{pid="4242",comm="baresip",direction="received",le="0.25"} 1
rtpscope_process_stream_jitter_seconds_bucket{pid="4242",comm="baresip",direction="received",le="+Inf"} 1
rtpscope_process_stream_jitter_seconds_sum{pid="4242",comm="baresip",direction="received"} 0.0025
rtpscope_process_stream_jitter_seconds_count{pid="4242",comm="baresip",direction="received"} 1
rtpscope_process_stream_jitter_seconds_bucket{pid="77",comm="ffmpeg",direction="sent",le="0.001"} 0
rtpscope_process_stream_jitter_seconds_bucket{pid="77",comm="ffmpeg",direction="sent",le="0.005"} 0
rtpscope_process_stream_jitter_seconds_bucket{pid="77",comm="ffmpeg",direction="sent",le="0.01"} 0
rtpscope_process_stream_jitter_seconds_bucket{pid="77",comm="ffmpeg",direction="sent",le="0.02"} 0
rtpscope_process_stream_jitter_seconds_bucket{pid="77",comm="ffmpeg",direction="sent",le="0.03"} 0
rtpscope_process_stream_jitter_seconds_bucket{pid="77",comm="ffmpeg",direction="sent",le="0.05"} 0
rtpscope_process_stream_jitter_seconds_bucket{pid="77",comm="ffmpeg",direction="sent",le="0.1"} 0
rtpscope_process_stream_jitter_seconds_bucket{pid="77",comm="ffmpeg",direction="sent",le="0.25"} 0
rtpscope_process_stream_jitter_seconds_bucket{pid="77",comm="ffmpeg",direction="sent",le="+Inf"} 0
rtpscope_process_stream_jitter_seconds_sum{pid="77",comm="ffmpeg",direction="sent"} 0
rtpscope_process_stream_jitter_seconds_count{pid="77",comm="ffmpeg",direction="sent"} 0
# HELP rtpscope_peer_rtp_packets_total RTP packets of every stream to or from this remote address in this direction, ended streams included (packets).
# TYPE rtpscope_peer_rtp_packets_total counter
rtpscope_peer_rtp_packets_total{remote_ip="10.0.0.2",direction="received"} 1000
rtpscope_peer_rtp_packets_total{remote_ip="2001:db8::2",direction="sent"} 10
# HELP rtpscope_peer_rtp_expected_packets RFC 3550 A.3 expected packets summed over every stream to or from this remote address in this direction, ended streams included (packets).
# TYPE rtpscope_peer_rtp_expected_packets gauge
rtpscope_peer_rtp_expected_packets{remote_ip="10.0.0.2",direction="received"} 1002
rtpscope_peer_rtp_expected_packets{remote_ip="2001:db8::2",direction="sent"} 10
# HELP rtpscope_peer_rtp_lost_packets RFC 3550 A.3 cumulative lost packets summed over every stream to or from this remote address in this direction, ended streams included; can decrease (packets).
# TYPE rtpscope_peer_rtp_lost_packets gauge
rtpscope_peer_rtp_lost_packets{remote_ip="10.0.0.2",direction="received"} 2
rtpscope_peer_rtp_lost_packets{remote_ip="2001:db8::2",direction="sent"} 0
# HELP rtpscope_peer_streams Streams to or from this remote address in this direction currently tracked (streams).
# TYPE rtpscope_peer_streams gauge
rtpscope_peer_streams{remote_ip="10.0.0.2",direction="received"} 1
rtpscope_peer_streams{remote_ip="2001:db8::2",direction="sent"} 1
# HELP rtpscope_peer_stream_jitter_seconds Current RFC 3550 jitter of the streams to or from this remote address in this direction, one observation per stream with a known clock rate: a gauge histogram, read it directly (histogram_quantile), not with rate() (seconds).
# TYPE rtpscope_peer_stream_jitter_seconds histogram
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="10.0.0.2",direction="received",le="0.001"} 0
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="10.0.0.2",direction="received",le="0.005"} 1
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="10.0.0.2",direction="received",le="0.01"} 1
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="10.0.0.2",direction="received",le="0.02"} 1
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="10.0.0.2",direction="received",le="0.03"} 1
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="10.0.0.2",direction="received",le="0.05"} 1
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="10.0.0.2",direction="received",le="0.1"} 1
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="10.0.0.2",direction="received",le="0.25"} 1
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="10.0.0.2",direction="received",le="+Inf"} 1
rtpscope_peer_stream_jitter_seconds_sum{remote_ip="10.0.0.2",direction="received"} 0.0025
rtpscope_peer_stream_jitter_seconds_count{remote_ip="10.0.0.2",direction="received"} 1
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="2001:db8::2",direction="sent",le="0.001"} 0
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="2001:db8::2",direction="sent",le="0.005"} 0
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="2001:db8::2",direction="sent",le="0.01"} 0
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="2001:db8::2",direction="sent",le="0.02"} 0
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="2001:db8::2",direction="sent",le="0.03"} 0
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="2001:db8::2",direction="sent",le="0.05"} 0
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="2001:db8::2",direction="sent",le="0.1"} 0
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="2001:db8::2",direction="sent",le="0.25"} 0
rtpscope_peer_stream_jitter_seconds_bucket{remote_ip="2001:db8::2",direction="sent",le="+Inf"} 0
rtpscope_peer_stream_jitter_seconds_sum{remote_ip="2001:db8::2",direction="sent"} 0
rtpscope_peer_stream_jitter_seconds_count{remote_ip="2001:db8::2",direction="sent"} 0
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
# HELP rtpscope_streams RTP streams currently tracked, whether or not --stream-metrics exports their series (streams).
# TYPE rtpscope_streams gauge
rtpscope_streams 2
# HELP rtpscope_streams_exported Streams whose per-stream series this scrape contains, as --stream-metrics selects them; rtpscope_streams minus this were left out (streams).
# TYPE rtpscope_streams_exported gauge
rtpscope_streams_exported 2
# HELP rtpscope_streams_evicted_total Streams dropped by the idle timeout or the stream cap (streams).
# TYPE rtpscope_streams_evicted_total counter
rtpscope_streams_evicted_total 2
# HELP rtpscope_malformed_records_total Kernel ring-buffer records that failed validation in user space and were skipped; never expected (records).
# TYPE rtpscope_malformed_records_total counter
rtpscope_malformed_records_total 0

"""#

    /// The process families: `process_*` from `Fixtures.processStatistics`, the HTTP server's counts
    /// (none yet), then the registry's families sorted by name, before any scrape has been recorded.
    static let processFamilies = #"""
# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 1.5
# HELP process_open_fds Number of open file descriptors.
# TYPE process_open_fds gauge
process_open_fds 12
# HELP process_max_fds Maximum number of open file descriptors.
# TYPE process_max_fds gauge
process_max_fds 1024
# HELP process_virtual_memory_bytes Virtual memory size in bytes.
# TYPE process_virtual_memory_bytes gauge
process_virtual_memory_bytes 300000000
# HELP process_virtual_memory_max_bytes Maximum amount of virtual memory available in bytes.
# TYPE process_virtual_memory_max_bytes gauge
process_virtual_memory_max_bytes 1.8446744073709552e+19
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 50000000
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1700000000.25
# HELP rtpscope_exporter_connections_dropped_total HTTP connections closed by the exporter: evicted at the connection limit, refused, request timeout, write stalled, pipelining limit.
# TYPE rtpscope_exporter_connections_dropped_total counter
rtpscope_exporter_connections_dropped_total{reason="evicted"} 0
rtpscope_exporter_connections_dropped_total{reason="pipelining_limit"} 0
rtpscope_exporter_connections_dropped_total{reason="refused"} 0
rtpscope_exporter_connections_dropped_total{reason="request_timeout"} 0
rtpscope_exporter_connections_dropped_total{reason="write_stalled"} 0
# HELP rtpscope_exporter_http_connections HTTP connections currently open to the exporter.
# TYPE rtpscope_exporter_http_connections gauge
rtpscope_exporter_http_connections 0
# HELP rtpscope_exporter_http_responses_total HTTP responses sent by the exporter, by status code.
# TYPE rtpscope_exporter_http_responses_total counter
rtpscope_exporter_http_responses_total{code="200"} 0
rtpscope_exporter_http_responses_total{code="304"} 0
rtpscope_exporter_http_responses_total{code="400"} 0
rtpscope_exporter_http_responses_total{code="401"} 0
rtpscope_exporter_http_responses_total{code="404"} 0
rtpscope_exporter_http_responses_total{code="405"} 0
rtpscope_exporter_http_responses_total{code="408"} 0
rtpscope_exporter_http_responses_total{code="429"} 0
rtpscope_exporter_http_responses_total{code="431"} 0
rtpscope_exporter_http_responses_total{code="500"} 0
rtpscope_exporter_http_responses_total{code="503"} 0
rtpscope_exporter_http_responses_total{code="other"} 0
# HELP rtpscope_build_info Build of the running rtpscope; the value is always 1.
# TYPE rtpscope_build_info gauge
rtpscope_build_info{version="0.3.0",revision="abc123",swiftversion="6.3.1"} 1.0
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
