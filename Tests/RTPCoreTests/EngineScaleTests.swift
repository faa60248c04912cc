import Testing
@testable import RTPCore

#if canImport(Glibc)
import Glibc
#endif

/// Writes RTP headers into one reusable buffer and feeds them: millions of datagrams without an
/// allocation each (the tests below run in debug builds).
struct DatagramFeeder {
    private var buffer = [UInt8](repeating: 0xD5, count: 1500)
    static let epoch: Nanoseconds = 1_700_000_000_000_000_000

    /// Feeds an RTP packet (PCMU-like by default: 12-byte header, `payloadBytes` of payload).
    mutating func rtp(_ analyzer: StreamAnalyzer, seq: UInt16, ts: UInt32, ssrc: UInt32, pt: UInt8 = 0,
                      padding: UInt8 = 0, payloadBytes: Int = 160, copied: Int? = nil,
                      at time: Nanoseconds, from source: Endpoint, to destination: Endpoint,
                      process: ProcessContext? = nil, through lookahead: IngestLookahead? = nil) {
        let length = 12 + payloadBytes + Int(padding)
        buffer[0] = 0x80 | (padding > 0 ? 0x20 : 0)
        buffer[1] = pt
        buffer[2] = UInt8(seq >> 8); buffer[3] = UInt8(seq & 0xFF)
        buffer[4] = UInt8(ts >> 24); buffer[5] = UInt8(ts >> 16 & 0xFF); buffer[6] = UInt8(ts >> 8 & 0xFF); buffer[7] = UInt8(ts & 0xFF)
        buffer[8] = UInt8(ssrc >> 24); buffer[9] = UInt8(ssrc >> 16 & 0xFF); buffer[10] = UInt8(ssrc >> 8 & 0xFF); buffer[11] = UInt8(ssrc & 0xFF)
        for i in 12..<(12 + payloadBytes) { buffer[i] = 0xD5 }
        if padding > 0 {
            for i in (12 + payloadBytes)..<(length - 1) { buffer[i] = 0 }
            buffer[length - 1] = padding
        }
        let copy = min(copied ?? length, length)
        buffer.withUnsafeBytes { bytes in
            let datagram = Datagram(time: time, transport: .udp, source: source, destination: destination,
                                    payload: UnsafeRawBufferPointer(rebasing: bytes[0..<copy]), originalLength: length,
                                    process: process)
            if let lookahead { lookahead.ingest(datagram) } else { analyzer.ingest(datagram) }
        }
    }

    /// Feeds arbitrary bytes.
    static func raw(_ analyzer: StreamAnalyzer, _ bytes: [UInt8], originalLength: Int? = nil, at time: Nanoseconds,
                    from source: Endpoint, to destination: Endpoint) {
        bytes.withUnsafeBytes { buffer in
            analyzer.ingest(Datagram(time: time, transport: .udp, source: source, destination: destination,
                                     payload: buffer, originalLength: originalLength))
        }
    }

    /// Stream k's endpoints: 10.1.x.y → 10.2.x.y, distinct ports.
    static func endpoints(_ k: Int) -> (Endpoint, Endpoint) {
        (Endpoint(address: IPAddress(v4: 0x0A01_0000 | UInt32(k & 0xFFFF)), port: UInt16(20000 + k % 20000)),
         Endpoint(address: IPAddress(v4: 0x0A02_0000 | UInt32(k & 0xFFFF)), port: UInt16(40000 + k % 20000)))
    }
}

/// xorshift64*: deterministic "random" SSRCs, ports and sequence numbers.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

/// Anonymous resident memory of this process (heap, not mapped files), MiB; nil where /proc is not readable.
func residentMiB() -> Double? {
    guard let file = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("RssAnon:") {
            let digits = text.split(separator: " ").dropFirst().first.flatMap { Double($0) }
            return digits.map { $0 / 1024 }
        }
    }
    return nil
}

@Suite("Engine at scale: no recognition cliff, floods bounded, memory per stream", .serialized)
struct EngineScaleTests {
    /// 20,000 streams that all start together (round-robin, one packet per stream per 20 ms): every
    /// stream confirms and every packet counts. Ground truth is the loop that generated them; streams
    /// 0, 7, 14 … lose their second packet (a candidate with a gap keeps full statistics) and streams
    /// 3, 10, 17 … repeat their first (a duplicate during probation).
    @Test func twentyThousandConcurrentStreamsAllConfirmWithEveryPacket() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        var feeder = DatagramFeeder()
        let streams = 20_000, rounds = 10
        var sent = [Int](repeating: 0, count: streams)
        var ssrcs = [UInt32](repeating: 0, count: streams)
        var random = TestRandom(seed: 20_000)
        for k in 0..<streams { ssrcs[k] = UInt32(truncatingIfNeeded: random.next()) }
        for round in 0..<rounds {
            for k in 0..<streams {
                if k % 7 == 0 && round == 1 { continue }
                let (source, destination) = DatagramFeeder.endpoints(k)
                let time = DatagramFeeder.epoch + Nanoseconds(round) * 20_000_000 + Nanoseconds(k) * 1000
                let copies = k % 7 == 3 && round == 0 ? 2 : 1
                for _ in 0..<copies {
                    feeder.rtp(analyzer, seq: UInt16(truncatingIfNeeded: 1000 + k + round), ts: UInt32(round * 160),
                               ssrc: ssrcs[k], at: time, from: source, to: destination)
                    sent[k] += 1
                }
            }
        }
        let report = analyzer.report()
        #expect(report.streams.count == streams)
        #expect(report.summary.unconfirmedRTP == 0)
        #expect(report.summary.discarded.isEmpty, "\(report.summary.discarded)")
        var bySSRC: [UInt32: StreamReport] = [:]
        for stream in report.streams { bySSRC[stream.ssrc] = stream }
        var mismatches = 0
        for k in 0..<streams {
            guard let stream = bySSRC[ssrcs[k]], stream.packets == UInt64(sent[k]) else { mismatches += 1; continue }
            let expectedLost: Int64 = k % 7 == 0 ? 1 : (k % 7 == 3 ? -1 : 0)
            if stream.lost != expectedLost || stream.expected != Int64(rounds) { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(mismatches) of \(streams) streams differ from what was sent")
        #expect(report.streams.reduce(0) { $0 + $1.packets } == UInt64(sent.reduce(0, +)))
    }

    /// The live sources' lookahead: each datagram's bytes are overwritten as soon as it is handed
    /// over (as a ring-buffer record or a libpcap frame is), so held-back payloads must be copies.
    /// 3,000 streams (past the lookahead's threshold) with losses, duplicates, reordering, jitter
    /// and payloads longer than a slot: every report equals ingesting each datagram in place.
    @Test func aLookaheadCopyingPayloadsReportsWhatIngestingInPlaceDoes() {
        let inPlace = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let heldBack = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let lookahead = IngestLookahead(analyzer: heldBack, copyingPayloadsUpTo: 100)
        var feeder = DatagramFeeder()
        var random = TestRandom(seed: 3_000)
        let streams = 3_000, rounds = 12
        let ssrcs = (0..<streams).map { _ in UInt32(truncatingIfNeeded: random.next()) }
        for round in 0..<rounds {
            for k in 0..<streams {
                if k % 5 == 0 && round == 4 { continue }                          // a loss
                let seqOffset = k % 11 == 0 && (round == 6 || round == 7) ? 13 - round : round  // 7 before 6
                let (source, destination) = DatagramFeeder.endpoints(k)
                let time = DatagramFeeder.epoch + Nanoseconds(round) * 20_000_000
                    + Nanoseconds(random.next() % 3_000_000)                        // up to 3 ms of jitter
                let copies = k % 13 == 0 && round == 9 ? 2 : 1                      // a duplicate
                for _ in 0..<copies {
                    for analyzer in [inPlace, heldBack] {
                        feeder.rtp(analyzer, seq: UInt16(truncatingIfNeeded: 500 + k + seqOffset), ts: UInt32(seqOffset * 160),
                                   ssrc: ssrcs[k], payloadBytes: k % 17 == 0 ? 200 : 80, at: time,
                                   from: source, to: destination, through: analyzer === heldBack ? lookahead : nil)
                    }
                }
            }
        }
        lookahead.flush()
        let expected = inPlace.report().streams.sorted { $0.ssrc < $1.ssrc }
        let actual = heldBack.report().streams.sorted { $0.ssrc < $1.ssrc }
        #expect(expected.count == streams)
        #expect(actual.count == expected.count)
        let differing = zip(expected, actual).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of \(expected.count) streams differ")
        #expect(expected.contains { $0.lost == 1 } && expected.contains { ($0.jitterMs ?? 0) > 0 })
    }

    /// 1,000,000 single-packet SSRCs (random ports and SSRCs) mixed with 1,000 real streams: every
    /// real stream exact, nothing else becomes a stream, and the candidate memory stays within its
    /// byte budget — in the default budget (the flood fits) and in a 2 MiB one (32,768 candidates: the
    /// flood overflows it 30 times and is dropped oldest first, counted; a real stream's second packet
    /// comes 21,000 datagrams after its first, so it still confirms).
    @Test(arguments: [64 << 20, 2 << 20])
    func millionPacketFloodBesideThousandRealStreams(budget: Int) {
        var configuration = AnalyzerConfiguration()
        configuration.candidateMemoryBytes = budget
        let analyzer = StreamAnalyzer(configuration: configuration)
        let rssBefore = residentMiB()
        var feeder = DatagramFeeder()
        var random = TestRandom(seed: UInt64(budget))
        let real = 1000, realPackets = 50, flood = 1_000_000
        let floodPerRound = flood / realPackets
        var ssrcs = (0..<real).map { _ in UInt32(truncatingIfNeeded: random.next()) }
        ssrcs[0] = 1   // keeps the ssrc set distinct from the flood's random values in practice
        var floodSent = 0
        for round in 0..<realPackets {
            for k in 0..<real {
                let (source, destination) = DatagramFeeder.endpoints(k)
                feeder.rtp(analyzer, seq: UInt16(truncatingIfNeeded: 7 * k + round), ts: UInt32(round * 160),
                           ssrc: ssrcs[k], at: DatagramFeeder.epoch + Nanoseconds(round) * 20_000_000,
                           from: source, to: destination)
                // The flood, interleaved: 20 garbage packets per real packet.
                for _ in 0..<(floodPerRound / real) {
                    let r = random.next()
                    feeder.rtp(analyzer, seq: UInt16(truncatingIfNeeded: r >> 16), ts: UInt32(truncatingIfNeeded: r >> 32),
                               ssrc: UInt32(truncatingIfNeeded: r), payloadBytes: 20,
                               at: DatagramFeeder.epoch + Nanoseconds(round) * 20_000_000,
                               from: Endpoint(address: IPAddress(v4: 0xC000_0000 | UInt32(truncatingIfNeeded: r >> 40)),
                                              port: UInt16(truncatingIfNeeded: r >> 24)),
                               to: Endpoint(address: IPAddress(v4: 0x0A09_0909), port: UInt16(truncatingIfNeeded: r >> 48)))
                    floodSent += 1
                }
            }
        }
        #expect(floodSent == flood)
        let report = analyzer.report()
        let footprint = analyzer.footprint
        let rssAfter = residentMiB()
        print("flood (budget \(budget >> 20) MiB): \(report.streams.count) streams, candidates \(footprint.candidates)/\(footprint.candidateCapacity), candidate bytes \(footprint.candidateBytes) (limit \(footprint.candidateByteLimit)), evicted \(report.summary.candidatesEvicted), RSS \(rssBefore ?? -1) → \(rssAfter ?? -1) MiB")
        #expect(report.streams.count == real)
        let exact = report.streams.filter { $0.packets == UInt64(realPackets) && $0.lost == 0 && $0.expected == Int64(realPackets) }
        #expect(exact.count == real, "every real stream counts all \(realPackets) packets, 0 lost")
        #expect(report.summary.unconfirmedRTP == UInt64(flood))
        #expect(report.summary.discarded["rtp_unconfirmed", default: 0] + report.summary.discarded["rtp_candidate_evicted", default: 0] == UInt64(flood))
        // The engine's own bound: candidates never exceed the table, the table never its budget.
        #expect(footprint.candidates <= footprint.candidateCapacity)
        #expect(footprint.candidateBytes <= footprint.candidateByteLimit)
        #expect(footprint.candidateByteLimit <= budget)
        if budget < flood * CandidateTable.bytesPerCandidate {
            #expect(report.summary.candidatesEvicted == UInt64(flood - footprint.candidates))
        } else {
            #expect(report.summary.candidatesEvicted == 0)
        }
        // RSS: what the whole test process's heap grew by (other suites may run beside this one, so the
        // bound is loose: the budget plus 256 MiB for everything else).
        if let rssBefore, let rssAfter {
            #expect(rssAfter - rssBefore < Double(budget >> 20) + 256, "RSS grew \(rssAfter - rssBefore) MiB")
        }
    }

    /// Under pressure, a source on a socket pair that already carries a stream outlives garbage.
    @Test func candidatesOnKnownFlowsOutliveAFlood() {
        var configuration = AnalyzerConfiguration()
        configuration.candidateMemoryBytes = 0   // the smallest table: 1024 candidates
        let analyzer = StreamAnalyzer(configuration: configuration)
        var feeder = DatagramFeeder()
        let (a, b) = DatagramFeeder.endpoints(1)
        let (c, d) = DatagramFeeder.endpoints(2)
        let t = DatagramFeeder.epoch
        for i in 0..<3 { feeder.rtp(analyzer, seq: UInt16(i), ts: UInt32(i * 160), ssrc: 100, at: t, from: a, to: b) }
        // A new SSRC on the known pair (the reverse direction counts too), and one on a new pair.
        feeder.rtp(analyzer, seq: 500, ts: 0, ssrc: 200, at: t, from: b, to: a)
        feeder.rtp(analyzer, seq: 900, ts: 0, ssrc: 300, at: t, from: c, to: d)
        var random = TestRandom(seed: 3)
        for _ in 0..<10_000 {
            let r = random.next()
            feeder.rtp(analyzer, seq: 1, ts: 0, ssrc: UInt32(truncatingIfNeeded: r), at: t,
                       from: Endpoint(address: IPAddress(v4: UInt32(truncatingIfNeeded: r >> 32)), port: 9), to: d)
        }
        feeder.rtp(analyzer, seq: 501, ts: 160, ssrc: 200, at: t, from: b, to: a)
        feeder.rtp(analyzer, seq: 901, ts: 160, ssrc: 300, at: t, from: c, to: d)
        let report = analyzer.report()
        #expect(analyzer.footprint.candidateCapacity == 1024)
        #expect(report.streams.first { $0.ssrc == 200 }?.packets == 2, "the known pair's new source kept its first packet")
        #expect(report.streams.first { $0.ssrc == 300 } == nil, "the unknown pair's first packet was evicted")
        #expect(report.summary.candidatesEvicted == UInt64(10_000 + 2 - 1024))
    }

    /// The flood at the live default cap: 200,000 SSRCs of two packets each (each confirms)
    /// beside one clean stream: the cap holds with O(1) evictions, the clean stream stays exact.
    @Test func cleanStreamStaysExactBesideAnSSRCFloodAtTheCap() {
        var configuration = AnalyzerConfiguration()
        configuration.maxStreams = 100_000
        configuration.streamIdleTimeout = 60_000_000_000
        configuration.sendStallFactor = 3
        let analyzer = StreamAnalyzer(configuration: configuration)
        var feeder = DatagramFeeder()
        let clean = ProcessContext(pid: 1, comm: "clean", direction: .sent)
        let flooder = ProcessContext(pid: 2, comm: "flood", direction: .sent)
        let (a, b) = DatagramFeeder.endpoints(1)
        let (c, d) = DatagramFeeder.endpoints(2)
        var cleanSeq: UInt16 = 65000, cleanSent = 0
        for ssrc in 0..<200_000 {
            let time = DatagramFeeder.epoch + Nanoseconds(ssrc) * 10_000
            for packet in 0..<2 {
                feeder.rtp(analyzer, seq: UInt16(packet), ts: UInt32(packet * 160), ssrc: UInt32(ssrc) + 1_000_000,
                           payloadBytes: 20, at: time, from: c, to: d, process: flooder)
            }
            if ssrc % 133 == 0 {
                feeder.rtp(analyzer, seq: cleanSeq, ts: UInt32(cleanSent * 160), ssrc: 7, at: time, from: a, to: b, process: clean)
                cleanSeq &+= 1
                cleanSent += 1
            }
        }
        let report = analyzer.report()
        #expect(analyzer.streamCount == 100_000)
        #expect(analyzer.evictedStreams == UInt64(200_001 - 100_000))
        let cleanStream = report.streams.first { $0.ssrc == 7 }
        #expect(cleanStream?.packets == UInt64(cleanSent))
        #expect(cleanStream?.lost == 0)
        #expect(cleanStream?.expected == Int64(cleanSent))
    }

    /// ≤ 1 KiB per live stream, the engine's own accounting (table, keys, links, buckets, per-stream
    /// boxes): 10,000 outgoing live streams with pacing (the most expensive kind), clocks known.
    @Test func liveStreamsCostUnderOneKibibyteEach() {
        var configuration = AnalyzerConfiguration()
        configuration.maxStreams = 100_000
        configuration.streamIdleTimeout = 60_000_000_000
        configuration.sendStallFactor = 3
        let analyzer = StreamAnalyzer(configuration: configuration)
        var feeder = DatagramFeeder()
        for k in 0..<10_000 {
            let (source, destination) = DatagramFeeder.endpoints(k)
            let process = ProcessContext(pid: Int32(100 + k % 50), comm: "sender-\(k % 50)", direction: k % 2 == 0 ? .sent : .received)
            for i in 0..<20 {
                feeder.rtp(analyzer, seq: UInt16(i), ts: UInt32(i * 160), ssrc: UInt32(k),
                           at: DatagramFeeder.epoch + Nanoseconds(i) * 20_000_000, from: source, to: destination,
                           process: process)
            }
        }
        let footprint = analyzer.footprint
        print("per stream: \(footprint.bytesPerStream) bytes (StreamStatistics \(MemoryLayout<StreamStatistics>.stride) inline, StreamMeasurements \(MemoryLayout<StreamMeasurements>.stride), SendPacing \(MemoryLayout<SendPacing>.stride), candidate record \(MemoryLayout<CandidateTable.Record>.stride))")
        #expect(footprint.streams == 10_000)
        #expect(footprint.bytesPerStream <= 1024)
    }

    /// Every datagram is an RTP packet, an RTCP datagram, SRTCP or one discard reason (the identity
    /// `AnalysisSummary` documents), whatever the bytes.
    @Test func everyDatagramIsAccountedForOnce() {
        var configuration = AnalyzerConfiguration()
        configuration.streamIdleTimeout = 1_000_000_000
        configuration.maxStreams = 50
        configuration.candidateMemoryBytes = 0
        let analyzer = StreamAnalyzer(configuration: configuration)
        var random = TestRandom(seed: 99)
        for i in 0..<50_000 {
            let length = Int(random.next() % 120)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if length > 2 {
                switch i % 4 {
                case 0: bytes[0] = 0x80 | (bytes[0] & 0x3F)
                case 1: bytes[0] = 0x80 | (bytes[0] & 0x1F); bytes[1] = 200 + bytes[1] % 8
                default: break
                }
            }
            let cut = i % 3 == 0 ? Int(random.next() % 200) : nil
            let time = DatagramFeeder.epoch + Nanoseconds(i) * 1_000_000
            let source = Endpoint(address: IPAddress(v4: 0x0A00_0001), port: UInt16(4000 + i % 5))
            let destination = Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 5000)
            bytes.withUnsafeBytes { buffer in
                let copied = cut.map { min($0, buffer.count) } ?? buffer.count
                analyzer.ingest(Datagram(time: time, transport: .udp, source: source, destination: destination,
                                         payload: UnsafeRawBufferPointer(rebasing: buffer[0..<copied]),
                                         originalLength: buffer.count))
            }
            if i % 10_000 == 0 { analyzer.evictIdleStreams(now: time) }
        }
        let summary = analyzer.report().summary
        let engineDiscards = summary.discarded.filter { $0.key != "rtp_unconfirmed" && $0.key != "rtp_candidate_evicted" }
        #expect(summary.datagrams == 50_000)
        #expect(summary.rtpPackets + summary.rtcpPackets + summary.srtcpPackets + engineDiscards.values.reduce(0, +)
                == summary.datagrams, "\(summary)")
        #expect(summary.truncatedRTP > 0 && summary.truncatedRTCP > 0)
    }
}

@Suite("Datagrams longer than the copy")
struct TruncatedDatagramTests {
    static let a = Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 40000)
    static let b = Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 50000)

    /// The probe: 2,000 valid 1,000-byte RTP packets with padding, 256 bytes copied.
    @Test func paddedPacketsLongerThanTheSnaplenCount() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        var feeder = DatagramFeeder()
        for i in 0..<2000 {
            feeder.rtp(analyzer, seq: UInt16(i), ts: UInt32(i * 160), ssrc: 0xABCD, padding: 28, payloadBytes: 960,
                       copied: 256, at: DatagramFeeder.epoch + Nanoseconds(i) * 20_000_000, from: Self.a, to: Self.b)
        }
        let report = analyzer.report()
        #expect(report.streams.count == 1)
        #expect(report.streams.first?.packets == 2000)
        #expect(report.streams.first?.bytes == 2000 * 1000)
        #expect(report.streams.first?.lost == 0)
        #expect(report.summary.malformed.isEmpty)
        #expect(report.summary.truncatedRTP == 2000)
        #expect(report.summary.discarded.isEmpty)
    }

    /// Lengths are still checked against the real length: padding larger than the packet is malformed.
    @Test func lengthsBeyondTheRealDatagramAreStillMalformed() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        // 15 CSRCs need 72 bytes; the datagram had 40 on the wire, 20 were copied.
        var bytes: [UInt8] = [0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 8)
        DatagramFeeder.raw(analyzer, bytes, originalLength: 40, at: DatagramFeeder.epoch, from: Self.a, to: Self.b)
        // An extension header whose length runs past the real end.
        bytes = [0x90, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0x00, 0x40]
        DatagramFeeder.raw(analyzer, bytes, originalLength: 100, at: DatagramFeeder.epoch, from: Self.a, to: Self.b)
        // Cut inside the fixed header: not malformed, not countable.
        DatagramFeeder.raw(analyzer, [0x80, 0, 0, 3, 0, 0], originalLength: 172, at: DatagramFeeder.epoch, from: Self.a, to: Self.b)
        let summary = analyzer.report().summary
        #expect(summary.malformed == ["rtp_csrc_overrun": 1, "rtp_extension_overrun": 1])
        #expect(summary.truncatedHeaders == 1)
        #expect(summary.discarded["truncated_header"] == 1)
        #expect(summary.rtpPackets == 0)
    }

    /// A 284-byte SR (4 blocks) + SDES (CNAME) compound copied to 256 bytes: counted as RTCP, the SR
    /// and its blocks used, the CNAME kept when its item was copied whole.
    @Test func cutSenderReportAndSDESCountAsRTCP() {
        let cname = Array("rtpscope-test-cname@example.org".utf8)   // 31 bytes
        var sr: [UInt8] = [0x84, 200, 0, 30] + StatsFixture.withBigEndian(0x5555) + [UInt8](repeating: 1, count: 20)
        for block in 0..<4 {
            sr += StatsFixture.withBigEndian(UInt32(0x7000 + block)) + [0, 0, 0, 2] + StatsFixture.withBigEndian(100)
                + StatsFixture.withBigEndian(80) + [UInt8](repeating: 0, count: 8)
        }
        #expect(sr.count == 124)
        // SDES: one chunk with CNAME, then a long NOTE item that the copy cuts.
        let note = [UInt8](repeating: 0x41, count: 115)
        var chunk = StatsFixture.withBigEndian(0x5555) + [1, UInt8(cname.count)] + cname + [7, UInt8(note.count)] + note + [0]
        while chunk.count % 4 != 0 { chunk.append(0) }
        let sdes: [UInt8] = [0x81, 202, 0, UInt8(chunk.count / 4)] + chunk
        let compound = sr + sdes
        #expect(compound.count == 284)
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        DatagramFeeder.raw(analyzer, Array(compound.prefix(256)), originalLength: 284, at: DatagramFeeder.epoch,
                           from: Self.a, to: Self.b)
        let report = analyzer.report()
        #expect(report.summary.rtcpPackets == 1)
        #expect(report.summary.truncatedRTCP == 1)
        #expect(report.summary.malformed.isEmpty)
        let reporter = report.rtcp.first { $0.reporterSSRC == 0x5555 }
        #expect(reporter?.senderReports == 1)
        #expect(reporter?.reportBlocks.count == 4)
        #expect(reporter?.cname == "rtpscope-test-cname@example.org")
        // The same compound whole decodes the same way, without the note.
        let whole = compound.withUnsafeBytes { RTCPDecoder.decodeCompound($0) }
        #expect(whole.rejection == nil && !whole.truncated && whole.packets.count == 2)
    }
}

@Suite("RTCP bounds")
struct RTCPBoundsTests {
    static let a = Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 40000)
    static let b = Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 50000)

    static func receiverReport(reporter: UInt32, about sources: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = [0x80 | UInt8(sources.count), 201, 0, UInt8(1 + 6 * sources.count)] + StatsFixture.withBigEndian(reporter)
        for source in sources {
            bytes += StatsFixture.withBigEndian(source) + [10, 0, 0, 1] + StatsFixture.withBigEndian(1000)
                + StatsFixture.withBigEndian(80) + [UInt8](repeating: 0, count: 8)
        }
        return bytes
    }

    /// The probe: one reporter, 50,000 RRs of 10 blocks about ever-new SSRCs. The reporter keeps
    /// its 64 most recent blocks; every other one is counted as dropped.
    @Test func reportBlockFloodIsBoundedPerReporter() {
        var configuration = AnalyzerConfiguration()
        configuration.maxStreams = 100_000
        configuration.streamIdleTimeout = 60_000_000_000
        let analyzer = StreamAnalyzer(configuration: configuration)
        var next: UInt32 = 1
        for i in 0..<50_000 {
            let sources = (0..<10).map { _ in defer { next += 1 }; return next }
            DatagramFeeder.raw(analyzer, Self.receiverReport(reporter: 0xBAD, about: sources),
                               at: DatagramFeeder.epoch + Nanoseconds(i) * 1_000_000, from: Self.a, to: Self.b)
        }
        let report = analyzer.report()
        let footprint = analyzer.footprint
        #expect(report.rtcp.count == 1)
        #expect(report.rtcp.first?.reportBlocks.count == 64)
        #expect(report.rtcp.first?.reportBlocks.map(\.sourceSSRC) == Array((500_001 - 64)...500_000))
        #expect(report.summary.rtcpReportBlocksDropped == 500_000 - 64)
        #expect(footprint.rtcpReportBlocks == 64)
        print("RTCP block flood: \(footprint.rtcpReportBlocks) blocks, \(footprint.rtcpBytes) bytes")
        #expect(footprint.rtcpBytes < 1 << 20)
    }

    /// Many reporters each naming new sources: the total cap holds, and reporters beyond their cap go.
    @Test func reportBlockFloodIsBoundedInTotal() {
        var configuration = AnalyzerConfiguration()
        configuration.maxRTCPReporters = 1000
        configuration.maxRTCPReportBlocks = 5000
        let analyzer = StreamAnalyzer(configuration: configuration)
        var next: UInt32 = 1
        for i in 0..<20_000 {
            let sources = (0..<10).map { _ in defer { next += 1 }; return next }
            DatagramFeeder.raw(analyzer, Self.receiverReport(reporter: UInt32(i), about: sources),
                               at: DatagramFeeder.epoch + Nanoseconds(i) * 1_000_000, from: Self.a, to: Self.b)
        }
        let report = analyzer.report()
        #expect(analyzer.footprint.rtcpReporters == 1000)
        #expect(analyzer.footprint.rtcpReportBlocks == 5000)
        #expect(report.rtcp.map(\.reporterSSRC) == Array(19_000..<20_000).map(UInt32.init))
        #expect(report.rtcp.reduce(0) { $0 + $1.reportBlocks.count } == 5000)
        #expect(report.summary.rtcpReportersEvicted == 19_000)
    }

    /// Live, a block expires on its own age even while its reporter keeps reporting about others.
    @Test func blocksExpireOnTheirOwnAge() {
        var configuration = AnalyzerConfiguration()
        configuration.streamIdleTimeout = 5_000_000_000
        let analyzer = StreamAnalyzer(configuration: configuration)
        let t = DatagramFeeder.epoch
        DatagramFeeder.raw(analyzer, Self.receiverReport(reporter: 1, about: [10, 11]), at: t, from: Self.a, to: Self.b)
        for second in 1...8 {
            DatagramFeeder.raw(analyzer, Self.receiverReport(reporter: 1, about: [12]),
                               at: t + Nanoseconds(second) * 1_000_000_000, from: Self.a, to: Self.b)
        }
        analyzer.evictIdleStreams(now: t + 8_000_000_000)
        let report = analyzer.report()
        #expect(report.rtcp.count == 1)
        #expect(report.rtcp.first?.reportBlocks.map(\.sourceSSRC) == [12])
        #expect(report.rtcp.first?.receiverReports == 9)
    }
}
