/// How the engine decides, measures and bounds. Built by the CLI from its options.
public struct AnalyzerConfiguration: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// RFC 3550 A.1/A.3/A.8, re-synchronising on sender restarts. Heuristic detection confirms a
        /// stream after MIN_SEQUENTIAL (2) consecutive packets of one SSRC on one 5-tuple; clocks of
        /// dynamic payload types are inferred when neither `--clock-rate` nor SDP gives them.
        case strict
        /// Packets, lost, delta and jitter columns computed exactly as `tshark -z rtp,streams` (4.0):
        /// any plausible RTP datagram is a stream from its first packet (tshark's heuristic), no clock
        /// inference (dynamic types without SDP have no jitter), tshark's averaging and exclusions, no
        /// re-sync on restarts. See `WiresharkRTPStatistics`.
        case wireshark
    }

    public var mode: Mode = .strict
    /// UDP ports whose payloads are always decoded as RTP/RTCP (tshark's decode-as).
    public var forcedUDPPorts: Set<UInt16> = []
    /// TCP ports carrying RFC 4571-framed RTP/RTCP (used by the capture source for reassembly).
    public var tcpPorts: Set<UInt16> = []
    /// Ports carrying SIP: TCP segments on them are framed as SIP messages (RFC 3261 §18.3) by the
    /// capture source. SIP over UDP is recognised on any port by its start line.
    public var sipPorts: Set<UInt16> = [5060]
    /// At most this many SIP calls are tracked; the oldest are dropped (and counted) beyond it.
    public var maxCalls: Int = 100_000
    /// Detect RTP heuristically on any UDP port (tshark's rtp.heuristic_rtp).
    public var heuristic: Bool = true
    /// `--clock-rate PT=HZ`: highest precedence.
    public var explicitClockRates: [UInt8: Int] = [:]
    /// a=rtpmap from `--sdp` files. (SDP seen inside the capture, in SIP bodies, is learnt as well, for
    /// streams that start after it; these configured rates win over it.)
    public var sdpClockRates: [UInt8: Int] = [:]
    /// The `a=rtpmap` encoding names of the same files, for the reports ("H264", "G726-32").
    public var sdpEncodingNames: [UInt8: String] = [:]
    /// Live: streams idle longer than this are removed (and counted). nil = never (offline).
    public var streamIdleTimeout: Nanoseconds? = nil
    /// Live: at most this many streams; the least recently seen are evicted beyond it (O(1), counted).
    public var maxStreams: Int = .max
    /// Bytes for single-packet stream candidates (sources seen once, waiting for the second packet
    /// that confirms them): `CandidateTable` holds ~1 M in the default 64 MiB, allocated as they come.
    public var candidateMemoryBytes: Int = 64 << 20
    /// Candidates that sent more than one packet without confirming (a gap, a duplicate, a jump right
    /// at the start) keep full statistics: at most this many (~1 KiB each), least recently seen dropped.
    public var maxUnconfirmedStreams: Int = 16_384
    /// RTCP reporters kept; nil: as many as `maxStreams` (at least 4096). Least recently heard dropped.
    public var maxRTCPReporters: Int? = nil
    /// Report blocks kept per RTCP reporter (one per reported source): beyond it, the reporter's least
    /// recently updated block is dropped.
    public var maxReportBlocksPerReporter: Int = 64
    /// Report blocks kept in all; nil: twice `maxStreams` (at least 8192). Least recently updated dropped.
    public var maxRTCPReportBlocks: Int? = nil
    /// Live: track the send pacing of outgoing streams; a gap longer than this many expected
    /// intervals is a send stall. nil = off (offline there is no "outgoing").
    public var sendStallFactor: Double? = nil
    /// Live: the names of the probed codec functions by the index their call records carry, as
    /// reports and labels name them in `codecCorrelation` (a function without a name is left out).
    public var codecFunctionNames: [Int: String] = [:]
    /// `--jitter-buffers`: the receiver jitter buffers each stream is played through (`Quality/`).
    public var jitterBuffers: [JitterBufferModel] = JitterBufferModel.defaults

    public init() {}
}
