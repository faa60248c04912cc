// Shared by the fuzz harnesses: a bounds-checked reader over the fuzzer's input, and the calls that
// drive a StreamAnalyzer's output side once datagrams went in.
import RTPCore

/// Reads the fuzzer's bytes front to back. Every read is checked: the harness must never be the one
/// reading out of bounds (that would be reported as a bug in the code under test).
public struct FuzzInput {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ start: UnsafeRawPointer, _ count: Int) {
        bytes = UnsafeRawBufferPointer(start: count > 0 ? start : nil, count: count)
    }

    public var remaining: Int { bytes.count - offset }
    public var isEmpty: Bool { remaining <= 0 }

    public mutating func byte() -> UInt8 {
        guard remaining >= 1 else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func uint16() -> UInt16 {
        UInt16(byte()) << 8 | UInt16(byte())
    }

    public mutating func uint64() -> UInt64 {
        (0..<8).reduce(0) { value, _ in value << 8 | UInt64(byte()) }
    }

    /// The next `count` bytes (fewer if the input ends first), as a slice of the input itself so that
    /// AddressSanitizer sees reads past its end.
    public mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let n = max(0, min(count, remaining))
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
    }

    public mutating func rest() -> UnsafeRawBufferPointer { take(remaining) }
}

/// Copies `slice` into its own exactly-sized heap block, so AddressSanitizer flags a read even one
/// byte past it (a slice of the fuzzer's input would just read the next record's bytes).
public func withExactCopy<R>(_ slice: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(slice.count, 1), alignment: 1)
    defer { copy.deallocate() }
    if slice.count > 0 { copy.copyMemory(from: slice) }
    return body(UnsafeRawBufferPointer(rebasing: copy[0..<slice.count]))
}

/// Capture times as PcapSource produces them: ±292 years around 1970 is what Int64 nanoseconds hold,
/// and `CaptureFile.nanoseconds` clamps pcapng's 64-bit timestamps to that range.
public func captureTime(fromRaw raw: UInt64) -> Nanoseconds {
    let limit = Int64.max / 1_000_000_000 - 1
    let value = Int64(bitPattern: raw)
    let seconds = min(max(value / 1_000_000_000, -limit), limit)
    return seconds * 1_000_000_000 + value % 1_000_000_000
}

/// Analyzer set-ups the harnesses choose between with one input byte, so that both detection modes,
/// forced ports, the live bounds (idle timeout, stream cap) and the per-second sampler are all reached.
public func makeAnalyzer(options: UInt8) -> StreamAnalyzer {
    var configuration = AnalyzerConfiguration()
    configuration.mode = options & 0x01 != 0 ? .wireshark : .strict
    if options & 0x02 != 0 { configuration.forcedUDPPorts = [5004, 5005] }
    if options & 0x04 != 0 { configuration.heuristic = false }
    if options & 0x08 != 0 {
        configuration.streamIdleTimeout = 2_000_000_000
        configuration.maxStreams = 2
        configuration.sendStallFactor = 3
        configuration.codecFunctionNames = [0: "avcodec_send_frame"]
    }
    if options & 0x10 != 0 { configuration.explicitClockRates = [96: 90_000, 97: 48_000] }
    if options & 0x20 != 0 { configuration.sdpClockRates = [96: 8_000, 111: 48_000] }
    configuration.tcpPorts = [5000, 6000]
    let analyzer = StreamAnalyzer(configuration: configuration)
    if options & 0x40 != 0 {
        let sampler = CaptureTimeSampler()
        sampler.beginCapture(named: "fuzz", of: analyzer)
        analyzer.sampler = sampler
    }
    return analyzer
}

/// Everything a source or exporter asks of the analyzer after feeding it: reports, live snapshots,
/// stall and loss queries, idle eviction, and the sampler's last second.
public func drain(_ analyzer: StreamAnalyzer, now: Nanoseconds) -> Int {
    var touched = 0
    if let sampler = analyzer.sampler {
        sampler.finishCapture(of: analyzer)
        touched &+= sampler.samples.count
    }
    // A fuzzed codec call (times anywhere in the range), then every pending stall decided.
    analyzer.recordCodecCall(CodecCallRecord(pid: 1, function: 0, start: now &- 1_000_000_000, end: now))
    analyzer.classifyPendingStalls(codecHorizon: .max)
    for snapshot in analyzer.streamSnapshots() {
        touched &+= Int(truncatingIfNeeded: snapshot.report.packets)
        if let fraction = analyzer.takeIntervalFractionLost(for: snapshot.key) {
            precondition(fraction >= 0 && fraction < 1, "interval fraction lost out of range: \(fraction)")
        }
    }
    let report = analyzer.report(codecCorrelationAt: now)
    touched &+= report.streams.count &+ report.rtcp.count
    touched &+= analyzer.evictIdleStreams(now: now)
    return touched
}

/// Keeps results alive so the optimiser cannot drop the work that produced them.
nonisolated(unsafe) private var sink = 0

@inline(never)
public func consume(_ value: Int) { sink &+= value }
