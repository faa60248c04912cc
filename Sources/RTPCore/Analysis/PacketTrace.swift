/// Per-packet arrival delta and RFC 3550 jitter of a capture's streams, and every RTCP report block
/// about them with its arrival time: what the HTML report plots, the way Wireshark's RTP analysis
/// graphs a stream packet by packet.
///
/// It is fed in a second pass over the capture, after the analysis: only then are each stream's span
/// and clock rate known (an inferred clock is decided after some packets, and jitter in milliseconds
/// needs it from the first). Each series is reduced on the fly to `columns` time slots over the
/// stream's span, keeping the smallest and largest value of each slot — one slot per pixel column of
/// the chart, so spikes survive and memory is bounded by streams × columns, not by packets.
///
/// The values use the engine's own definitions: `JitterEstimator` over the packets of the stream's
/// media payload type (as `StreamMeasurements` runs it), deltas between consecutive packets of the
/// stream, RTT from LSR/DLSR by `RTCPAccounting`.
public final class PacketTrace {
    /// The smallest, largest and last value of one time slot, and how many packets fell in it.
    public struct Slot: Sendable, Equatable {
        public var low: Double
        public var high: Double
        public var last: Double
        public var count: Int
    }

    /// One report block about a traced stream.
    public struct Report: Sendable, Equatable {
        /// Arrival, seconds since the epoch.
        public var time: Double
        public var reporterSSRC: UInt32
        /// 0…1.
        public var fractionLost: Double
        public var cumulativeLost: Int32
        /// nil when the stream's clock rate is unknown.
        public var jitterMs: Double?
        /// nil unless LSR matches an SR seen in the capture.
        public var roundTripMs: Double?
    }

    public struct Series: Sendable {
        /// The stream's first and last packet (ns since the epoch): the span the slots divide.
        public let start: Nanoseconds
        public let end: Nanoseconds
        public fileprivate(set) var deltaMs: [Slot?]
        /// Empty when the stream's clock rate is unknown (no jitter without a clock).
        public fileprivate(set) var jitterMs: [Slot?]
        public fileprivate(set) var reports: [Report] = []
        /// Report blocks beyond `maxReports` (counted, not kept).
        public fileprivate(set) var reportsNotKept = 0
    }

    /// Per stream, in the order the streams were given.
    public private(set) var series: [Series]
    /// Report blocks kept per stream: RTCP comes every few seconds, so this covers hours.
    public static let maxReports = 5000

    private struct Key: Hashable {
        var transport: String
        var source: Endpoint
        var destination: Endpoint
        var ssrc: UInt32
    }

    private struct State {
        let payloadType: UInt8
        var jitter: JitterEstimator?
        var lastArrival: Nanoseconds?
    }

    private let columns: Int
    private var index: [Key: Int] = [:]
    private var bySSRC: [UInt32: [Int]] = [:]
    private var endpoints: [(source: Endpoint, destination: Endpoint)] = []
    private var states: [State] = []
    private let clockRates: [Int?]
    private let rtcp = RTCPAccounting()

    /// `streams` as the analysis of the same capture reported them; `columns` slots per series.
    public init(streams: [StreamReport], columns: Int) {
        self.columns = max(columns, 1)
        series = []
        var rates: [Int?] = []
        for (position, stream) in streams.enumerated() {
            let start = StreamAnalyzer.nanoseconds(fromSeconds: stream.startTime)
            let end = StreamAnalyzer.nanoseconds(fromSeconds: stream.endTime)
            let clock = stream.clockRate.flatMap { $0 > 0 ? $0 : nil }
            series.append(Series(start: start, end: end, deltaMs: Array(repeating: nil, count: self.columns),
                                 jitterMs: clock == nil ? [] : Array(repeating: nil, count: self.columns)))
            rates.append(clock)
            states.append(State(payloadType: stream.payloadType, jitter: clock.map { JitterEstimator(clockRate: $0) }))
            let source = Endpoint(stream.src), destination = Endpoint(stream.dst)
            endpoints.append((source ?? Endpoint(address: .init(v4: 0), port: 0),
                              destination ?? Endpoint(address: .init(v4: 0), port: 0)))
            guard let source, let destination else { continue }
            index[Key(transport: stream.transport, source: source, destination: destination, ssrc: stream.ssrc)] = position
            bySSRC[stream.ssrc, default: []].append(position)
        }
        clockRates = rates
    }

    /// The series of `stream` (as reported by the analysis the trace was made from), if traced.
    public func series(for stream: StreamReport) -> Series? {
        guard let source = Endpoint(stream.src), let destination = Endpoint(stream.dst),
              let position = index[Key(transport: stream.transport, source: source, destination: destination,
                                       ssrc: stream.ssrc)] else { return nil }
        return series[position]
    }

    /// One datagram of the second pass.
    public func observe(_ datagram: Datagram) {
        switch PayloadClassifier.classify(datagram.payload) {
        case .rtp: observeRTP(datagram)
        case .rtcp: observeRTCP(datagram)
        default: break
        }
    }

    private func observeRTP(_ datagram: Datagram) {
        guard case .success(let header) = RTPHeader.decode(datagram.payload),
              let position = index[Key(transport: datagram.transport.description, source: datagram.source,
                                       destination: datagram.destination, ssrc: header.ssrc)] else { return }
        let slot = slot(of: datagram.time, in: series[position])
        if let last = states[position].lastArrival {
            Self.add(Double(datagram.time &- last) / 1e6, to: &series[position].deltaMs[slot])
        }
        states[position].lastArrival = datagram.time
        if header.payloadType == states[position].payloadType, var jitter = states[position].jitter {
            let updates = jitter.updates
            jitter.update(arrival: datagram.time, timestamp: header.timestamp)
            if jitter.updates > updates {
                Self.add(jitter.milliseconds(jitter.jitter), to: &series[position].jitterMs[slot])
            }
            states[position].jitter = jitter
        }
    }

    private func observeRTCP(_ datagram: Datagram) {
        let result = RTCPDecoder.decodeCompound(datagram.payload)
        guard !result.isSRTCP, !result.packets.isEmpty else { return }
        rtcp.ingest(result.packets, datagram: datagram)
        for packet in result.packets {
            let (reporter, blocks): (UInt32, [RTCPReportBlock])
            switch packet {
            case .senderReport(let sr): (reporter, blocks) = (sr.ssrc, sr.reports)
            case .receiverReport(let rr): (reporter, blocks) = (rr.ssrc, rr.reports)
            default: continue
            }
            for block in blocks {
                guard let position = stream(reportedBy: datagram, about: block.ssrc) else { continue }
                guard series[position].reports.count < Self.maxReports else {
                    series[position].reportsNotKept += 1
                    continue
                }
                series[position].reports.append(Report(
                    time: EpochTime.seconds(datagram.time),
                    reporterSSRC: reporter, fractionLost: Double(block.fractionLost) / 256,
                    cumulativeLost: block.cumulativeLost,
                    jitterMs: clockRates[position].map { Double(block.jitter) * 1000 / Double($0) },
                    roundTripMs: rtcp.roundTrip(block, at: datagram.time)))
            }
        }
    }

    /// The stream a report block is about: the one with that SSRC, or, when several legs share it (a
    /// relay forwarding a stream), the one whose receiver sent the report (or whose sender it went to).
    private func stream(reportedBy datagram: Datagram, about ssrc: UInt32) -> Int? {
        guard let candidates = bySSRC[ssrc] else { return nil }
        if candidates.count == 1 { return candidates[0] }
        return candidates.first { endpoints[$0].destination.address == datagram.source.address }
            ?? candidates.first { endpoints[$0].source.address == datagram.destination.address }
            ?? candidates.first
    }

    private func slot(of time: Nanoseconds, in series: Series) -> Int {
        let span = Double(max(series.end &- series.start, 1))
        let fraction = Double(time &- series.start) / span
        return min(max(Int(fraction * Double(columns)), 0), columns - 1)
    }

    private static func add(_ value: Double, to slot: inout Slot?) {
        if var current = slot {
            current.low = min(current.low, value)
            current.high = max(current.high, value)
            current.last = value
            current.count += 1
            slot = current
        } else {
            slot = Slot(low: value, high: value, last: value, count: 1)
        }
    }
}
