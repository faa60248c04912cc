/// One stream's state at a whole second of capture time: a point of the per-second series that
/// `analyze --openmetrics` writes.
public struct StreamSample: Sendable, Equatable {
    /// The capture (file name) the sample was taken in; part of the series identity.
    public var capture: String
    public var ssrc: UInt32
    public var src: String
    public var dst: String
    public var payloadType: UInt8
    /// Capture time in whole seconds since the epoch. The sample reflects every datagram before it.
    public var timestamp: Int64
    /// Cumulative packets of the stream.
    public var packets: UInt64
    /// Packets since the stream's previous sample (one second earlier, except across a capture gap).
    public var packetRate: UInt64
    /// RFC 3550 A.3 cumulative lost (can decrease, negative with duplicates).
    public var lost: Int64
    public var expected: Int64
    /// RFC 3550 A.8 jitter in seconds; nil while the stream's clock rate is unknown (unknown is not 0).
    public var jitterSeconds: Double?

    public init(capture: String, ssrc: UInt32, src: String, dst: String, payloadType: UInt8, timestamp: Int64,
                packets: UInt64, packetRate: UInt64, lost: Int64, expected: Int64, jitterSeconds: Double?) {
        self.capture = capture
        self.ssrc = ssrc
        self.src = src
        self.dst = dst
        self.payloadType = payloadType
        self.timestamp = timestamp
        self.packets = packets
        self.packetRate = packetRate
        self.lost = lost
        self.expected = expected
        self.jitterSeconds = jitterSeconds
    }
}

/// Samples the confirmed streams of a `StreamAnalyzer` that have packets in the current capture at each
/// whole second of *capture* time (the datagrams' timestamps, so a capture analysed in 50 ms still yields
/// one point per recorded second).
///
/// Attach it with `analyzer.sampler = sampler`: the analyzer then asks it, once per datagram, whether
/// the datagram's time has reached `nextBoundary` (one comparison), and calls `reach` when it has, before
/// ingesting the datagram. The sampler only records numbers; rendering them is the Reporting module's job.
///
/// Call `beginCapture(named:of:)` before feeding each file and `finishCapture(of:)` after it, so the last
/// partial second is sampled and the next file (which may start earlier) gets a fresh clock.
public final class CaptureTimeSampler {
    /// Everything sampled so far, in the order taken: by time within a capture, captures in feed order.
    public private(set) var samples: [StreamSample] = []
    /// The analyzer calls `reach` for the first datagram at or after this time (ns).
    public private(set) var nextBoundary: Nanoseconds = .min

    private static let second: Nanoseconds = 1_000_000_000
    private var capture = ""
    /// Whole second (since the epoch) of the datagrams currently accumulating; nil before the first.
    private var currentSecond: Int64?
    /// Cumulative packets at each stream's previous sample, for the per-second packet rate. Kept across
    /// captures: a stream continuing in the next file keeps counting from where it was.
    private var previousPackets: [StreamKey: UInt64] = [:]
    /// Each stream's packets when the current capture began: a stream is sampled once it has more.
    private var packetsBeforeCapture: [StreamKey: UInt64] = [:]

    public init() {}

    /// Starts a new capture: samples carry `name` as their capture label, and the clock restarts with
    /// the capture's first datagram.
    public func beginCapture(named name: String, of analyzer: StreamAnalyzer) {
        capture = name
        // Streams of earlier files that this one does not continue must not show up under its name.
        packetsBeforeCapture = Dictionary(analyzer.streamSnapshots().map { ($0.key, $0.report.packets) },
                                          uniquingKeysWith: max)
        currentSecond = nil
        nextBoundary = .min
    }

    /// Samples the capture's last, partial second (the state after its final datagram).
    public func finishCapture(of analyzer: StreamAnalyzer) {
        guard let currentSecond else { return }
        sample(analyzer, at: currentSecond + 1)
        self.currentSecond = nil
        nextBoundary = .min
    }

    /// Capture time has reached `time` (at or after `nextBoundary`): samples the seconds that ended.
    ///
    /// Only two points per crossing even across a long silence (or a bogus timestamp years ahead): the end
    /// of the last second that had traffic, and, after a gap, the second just ending, with a rate of 0.
    /// Prometheus carries a value forward between points (within its 5-minute lookback), so the silent
    /// seconds in between read right.
    public func reach(_ time: Nanoseconds, of analyzer: StreamAnalyzer) {
        let second = Self.floorSecond(time)
        if let currentSecond, second > currentSecond {
            sample(analyzer, at: currentSecond + 1)
            if second > currentSecond + 1 { sample(analyzer, at: second) }
        }
        currentSecond = second
        // Times that go backwards (merged captures) stay in the current second: boundaries only advance.
        nextBoundary = second + 1 >= Int64.max / Self.second ? .max : (second + 1) * Self.second
    }

    private func sample(_ analyzer: StreamAnalyzer, at timestamp: Int64) {
        for snapshot in analyzer.streamSnapshots() where snapshot.report.packets > packetsBeforeCapture[snapshot.key] ?? 0 {
            let report = snapshot.report
            let before = previousPackets.updateValue(report.packets, forKey: snapshot.key) ?? 0
            samples.append(StreamSample(
                capture: capture, ssrc: report.ssrc, src: report.src, dst: report.dst,
                payloadType: report.payloadType, timestamp: timestamp, packets: report.packets,
                // A stream confirmed during this second counts its probation packets here too.
                packetRate: report.packets &- min(before, report.packets),
                lost: report.lost, expected: report.expected, jitterSeconds: Self.jitterSeconds(report)))
        }
    }

    /// Jitter needs a clock rate to mean anything: no clock, no value (the live exporter's rule too).
    private static func jitterSeconds(_ report: StreamReport) -> Double? {
        guard report.clockRate != nil, report.clockRateSource != .unknown, let milliseconds = report.jitterMs
        else { return nil }
        return milliseconds / 1000
    }

    /// Seconds since the epoch rounded down, also for (odd) times before 1970.
    static func floorSecond(_ time: Nanoseconds) -> Int64 {
        let (quotient, remainder) = time.quotientAndRemainder(dividingBy: second)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
