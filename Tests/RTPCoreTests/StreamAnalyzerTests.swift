import Testing
@testable import RTPCore

@Suite("StreamAnalyzer: detection, accounting, bounds")
struct StreamAnalyzerTests {
    typealias F = StatsFixture

    private func analyzer(_ configure: (inout AnalyzerConfiguration) -> Void = { _ in }) -> StreamAnalyzer {
        var configuration = AnalyzerConfiguration()
        configure(&configuration)
        return StreamAnalyzer(configuration: configuration)
    }

    /// PCMU, 20 ms, `count` packets from `firstSeq`, optionally from another SSRC/endpoint.
    private func feedAudio(_ a: StreamAnalyzer, count: Int, firstSeq: UInt16 = 1, startMs: Double = 0,
                           ssrc: UInt32 = 0x1234_5678, from source: Endpoint = F.sender) {
        for i in 0..<count {
            F.feed(a, F.rtp(seq: firstSeq &+ UInt16(i), ts: UInt32(i * 160), ssrc: ssrc),
                   atMs: startMs + Double(i) * 20, from: source)
        }
    }

    @Test func confirmedStreamIncludesItsFirstPackets() {
        let a = analyzer()
        feedAudio(a, count: 50)
        let report = a.report()
        #expect(report.streams.count == 1)
        let s = report.streams[0]
        #expect(s.packets == 50)
        #expect(s.expected == 50)
        #expect(s.lost == 0)
        #expect(s.bytes == 50 * 172)               // UDP payload: 12-byte header + 160
        #expect(s.clockRate == 8000)
        #expect(s.clockRateSource == .static)
        #expect(s.jitterMs == 0)
        #expect(s.minDeltaMs == 20)
        #expect(s.maxDeltaMs == 20)
        #expect(s.frames == 50)
        #expect(s.src == "10.0.0.1:40000")
        #expect(s.dst == "10.0.0.2:50000")
        #expect(s.startTime == 1_700_000_000)
        #expect(report.summary.rtpPackets == 50)
        #expect(report.summary.unconfirmedRTP == 0)
    }

    @Test func garbageLookingLikeRTPForOnePacketNeverBecomesAStream() {
        let a = analyzer()
        var noise = F.Noise()
        for i in 0..<200 {
            let random = UInt32(truncatingIfNeeded: Int(noise.next(amplitude: 1) * 4e9))
            F.feed(a, F.rtp(seq: UInt16(truncatingIfNeeded: random), ts: random, ssrc: random &* 2654435761),
                   atMs: Double(i))
        }
        let report = a.report()
        #expect(report.streams.isEmpty)
        #expect(a.streamCount == 0)
        #expect(report.summary.unconfirmedRTP == 200)
    }

    @Test func candidateThatNeverConfirmsIsCountedUnconfirmed() {
        let a = analyzer()
        // Same SSRC, but never two consecutive sequence numbers.
        for (i, seq) in [UInt16(10), 5000, 20, 9000].enumerated() {
            F.feed(a, F.rtp(seq: seq, ts: UInt32(i * 160)), atMs: Double(i) * 20)
        }
        #expect(a.report().streams.isEmpty)
        #expect(a.report().summary.unconfirmedRTP == 4)
    }

    @Test func wiresharkModeAcceptsASinglePacketLikeTshark() {
        let a = analyzer { $0.mode = .wireshark }
        F.feed(a, F.rtp(seq: 1, ts: 0), atMs: 0)
        let report = a.report()
        #expect(report.streams.count == 1)
        #expect(report.streams[0].packets == 1)
        #expect(report.streams[0].mode == "wireshark")
    }

    @Test func forcedPortConfirmsImmediately() {
        let a = analyzer { $0.forcedUDPPorts = [50000] }
        F.feed(a, F.rtp(seq: 1, ts: 0), atMs: 0)
        #expect(a.streamCount == 1)
    }

    @Test func heuristicOffOnlyForcedPortsCarryRTP() {
        let a = analyzer { $0.heuristic = false }
        feedAudio(a, count: 10)
        #expect(a.streamCount == 0)
        #expect(a.report().summary.nonRTP == 10)
    }

    @Test func reservedPayloadTypesAreRefusedHeuristically() {
        let a = analyzer()
        for i in 0..<5 { F.feed(a, F.rtp(seq: UInt16(i), ts: 0, pt: 72), atMs: Double(i)) }
        #expect(a.streamCount == 0)
        #expect(a.report().summary.malformed["rtp_rtcp_conflict_payload_type"] == 5)
    }

    @Test func sameSSRCOnTwoLegsIsTwoStreams() {
        let a = analyzer()
        feedAudio(a, count: 5)
        feedAudio(a, count: 5, from: Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 40002))
        #expect(a.streamCount == 2)
    }

    @Test func liveProcessAndDirectionSplitStreams() {
        let a = analyzer()
        for i in 0..<4 {
            let bytes = F.rtp(seq: UInt16(i), ts: UInt32(i * 160))
            F.feed(a, bytes, atMs: Double(i) * 20, process: ProcessContext(pid: 10, comm: "sender", direction: .sent))
            F.feed(a, bytes, atMs: Double(i) * 20 + 1, process: ProcessContext(pid: 11, comm: "recv", direction: .received))
        }
        let streams = a.report().streams
        #expect(streams.count == 2)
        #expect(Set(streams.compactMap(\.pid)) == [10, 11])
        #expect(streams.first { $0.pid == 10 }?.direction == .sent)
        #expect(streams.first { $0.pid == 11 }?.comm == "recv")
    }

    @Test func lossDuplicatesAndReorderingInAReport() {
        let a = analyzer()
        let order: [UInt16] = [1, 2, 3, 5, 4, 6, 6, 9]
        for (i, seq) in order.enumerated() {
            F.feed(a, F.rtp(seq: seq, ts: UInt32(seq) * 160), atMs: Double(i) * 20)
        }
        let s = a.report().streams[0]
        #expect(s.packets == 8)
        #expect(s.expected == 9)
        #expect(s.lost == 1)          // 7 and 8 missing, one duplicate: 9 − 8
        #expect(s.duplicates == 1)
        #expect(s.reordered == 1)
    }

    @Test func senderRestartIsCountedAndStaysSane() {
        let a = analyzer()
        feedAudio(a, count: 20, firstSeq: 40000)
        feedAudio(a, count: 20, firstSeq: 100, startMs: 400, ssrc: 0x1234_5678)
        let s = a.report().streams[0]
        #expect(s.seqResets == 1)
        #expect(s.packets == 40)
        #expect(s.lost == 0)
        #expect(s.expected == 40)     // the packet that made the jump opens the new epoch
    }

    @Test func videoFramesAndInferredClock() {
        // H.264-like: PT 96 without SDP, 25 fps, 3 packets per frame (same timestamp), 90 kHz.
        let a = analyzer()
        var noise = F.Noise()
        var seq: UInt16 = 0
        for frame in 0..<100 {
            for packet in 0..<3 {
                let ms = Double(frame) * 40 + Double(packet) * 0.5 + noise.next(amplitude: 1)
                F.feed(a, F.rtp(seq: seq, ts: UInt32(frame * 3600), pt: 96, marker: packet == 2,
                                payloadBytes: 1000), atMs: ms)
                seq &+= 1
            }
        }
        let s = a.report().streams[0]
        #expect(s.clockRate == 90000)
        #expect(s.clockRateSource == .inferred)
        #expect(s.frames == 100)
        #expect(s.meanPacketsPerFrame == 3)
        #expect(s.markers == 100)
        #expect(s.jitterMs != nil)
        #expect((s.frameJitterMs ?? 99) < 2)
    }

    @Test func unknownClockGivesNullJitterNeverZero() {
        let a = analyzer()
        feedAudio(a, count: 3)   // too short to infer anything…
        for i in 0..<3 {         // …and a dynamic type
            F.feed(a, F.rtp(seq: UInt16(i), ts: UInt32(i * 960), ssrc: 7, pt: 111), atMs: Double(i) * 20)
        }
        let opus = a.report().streams.first { $0.ssrc == 7 }
        #expect(opus?.clockRateSource == .unknown)
        #expect(opus?.jitterMs == nil)
        #expect(opus?.maxJitterMs == nil)
        #expect(opus?.meanJitterMs == nil)
    }

    @Test func explicitClockRateWins() {
        let a = analyzer { $0.explicitClockRates = [111: 48000] }
        for i in 0..<3 {
            F.feed(a, F.rtp(seq: UInt16(i), ts: UInt32(i * 960), pt: 111), atMs: Double(i) * 20)
        }
        let s = a.report().streams[0]
        #expect(s.clockRate == 48000)
        #expect(s.clockRateSource == .explicit)
        #expect(s.jitterMs == 0)
    }

    @Test func idleStreamsAreEvicted() {
        let a = analyzer { $0.streamIdleTimeout = 5_000_000_000 }
        feedAudio(a, count: 5)
        feedAudio(a, count: 5, startMs: 10_000, ssrc: 99)
        #expect(a.streamCount == 2)
        #expect(a.evictIdleStreams(now: F.nanoseconds(ms: 12_000)) == 1)
        #expect(a.streamCount == 1)
        #expect(a.evictedStreams == 1)
        #expect(a.report().streams.map(\.ssrc) == [99])
    }

    @Test func streamCapEvictsLeastRecentlySeen() {
        let a = analyzer { $0.maxStreams = 2 }
        feedAudio(a, count: 3, ssrc: 1)
        feedAudio(a, count: 3, startMs: 100, ssrc: 2)
        feedAudio(a, count: 3, startMs: 200, ssrc: 3)
        #expect(a.streamCount == 2)
        #expect(a.evictedStreams == 1)
        #expect(Set(a.report().streams.map(\.ssrc)) == [2, 3])
    }

    @Test func demultiplexedAndMalformedAreCounted() {
        let a = analyzer()
        F.feed(a, [0x00, 0x01, 0x00, 0x00] + [UInt8](repeating: 0, count: 16), atMs: 0)   // STUN
        F.feed(a, [22, 0xFE, 0xFD] + [UInt8](repeating: 0, count: 10), atMs: 1)          // DTLS
        F.feed(a, [0x80, 0x00, 0x00], atMs: 2)                                           // RTP, too short
        F.feed(a, [0x42] + [UInt8](repeating: 0, count: 10), atMs: 3)                   // TURN channel
        F.feed(a, [0xFF, 0xFF], atMs: 4)                                                 // unknown
        let summary = a.report().summary
        #expect(summary.demultiplexed["stun"] == 1)
        #expect(summary.demultiplexed["dtls"] == 1)
        #expect(summary.demultiplexed["turn_channel"] == 1)
        #expect(summary.malformed["rtp_too_short"] == 1)
        #expect(summary.nonRTP == 1)
        #expect(summary.datagrams == 5)
    }

    @Test func intervalHistogramSnapshot() {
        let a = analyzer()
        feedAudio(a, count: 11)
        let snapshot = a.streamSnapshots()[0]
        #expect(snapshot.intervalHistogram.count == 10)
        #expect(abs(snapshot.intervalHistogram.sum - 0.2) < 1e-9)
        // 20 ms lands in the le=0.02 bucket; cumulative from there on.
        #expect(snapshot.intervalHistogram.cumulativeCounts == [0, 0, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10])
        #expect(snapshot.lastSeen == F.nanoseconds(ms: 200))
    }

    // MARK: RTCP

    private func senderReport(ssrc: UInt32, ntpSeconds: UInt32, ntpFraction: UInt32) -> [UInt8] {
        [0x80, 200, 0x00, 0x06] + F.withBigEndian(ssrc) + F.withBigEndian(ntpSeconds)
            + F.withBigEndian(ntpFraction) + F.withBigEndian(160) + F.withBigEndian(50) + F.withBigEndian(8000)
    }

    private func receiverReport(ssrc: UInt32, about source: UInt32, lsr: UInt32, dlsr: UInt32) -> [UInt8] {
        [0x81, 201, 0x00, 0x07] + F.withBigEndian(ssrc) + F.withBigEndian(source)
            + [64, 0x00, 0x00, 0x03]          // fraction 64/256, cumulative 3
            + F.withBigEndian(1000) + F.withBigEndian(80) + F.withBigEndian(lsr) + F.withBigEndian(dlsr)
    }

    @Test func rtcpReportersRoundTripAndJitter() {
        let a = analyzer()
        feedAudio(a, count: 5, ssrc: 0xAAAA)
        // SR from 0xAAAA at 1000 ms; NTP 0x0001_0002.0x0003_0004 → compact 0x0002_0003.
        F.feed(a, senderReport(ssrc: 0xAAAA, ntpSeconds: 0x0001_0002, ntpFraction: 0x0003_0004), atMs: 1000)
        // RR about 0xAAAA at 1300 ms, DLSR 0.25 s: RTT = 300 − 250 = 50 ms.
        F.feed(a, receiverReport(ssrc: 0xBBBB, about: 0xAAAA, lsr: 0x0002_0003, dlsr: 16384), atMs: 1300,
               from: F.receiver, to: F.sender)
        let report = a.report()
        #expect(report.summary.rtcpPackets == 2)
        let receiver = report.rtcp.first { $0.reporterSSRC == 0xBBBB }
        #expect(receiver?.receiverReports == 1)
        #expect(receiver?.packetsByType["rr"] == 1)
        let block = receiver?.reportBlocks.first
        #expect(block?.sourceSSRC == 0xAAAA)
        #expect(block?.fractionLost == 0.25)
        #expect(block?.cumulativeLost == 3)
        #expect(block?.jitterMs == 10)                 // 80 units at PCMU's 8 kHz
        #expect(abs((block?.roundTripMs ?? 0) - 50) < 1e-6)
        #expect(report.rtcp.first { $0.reporterSSRC == 0xAAAA }?.senderReports == 1)
    }

    @Test func rtcpWithoutMatchingSenderReportHasNoRoundTrip() {
        let a = analyzer()
        F.feed(a, receiverReport(ssrc: 0xBBBB, about: 0xCCCC, lsr: 0x1234_5678, dlsr: 10), atMs: 0)
        F.feed(a, receiverReport(ssrc: 0xBBBB, about: 0xDDDD, lsr: 0, dlsr: 0), atMs: 5)
        let blocks = a.report().rtcp.first?.reportBlocks ?? []
        #expect(blocks.count == 2)
        #expect(blocks.allSatisfy { $0.roundTripMs == nil && $0.jitterMs == nil })
    }
}

@Suite("Bounds under floods and histogram buckets")
struct AnalyzerBoundsTests {
    @Test func candidateFloodStaysBoundedAndConfirmedStreamsSurvive() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for i in 0..<3 {   // a real stream first
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(i), ts: UInt32(i * 160), ssrc: 1), atMs: Double(i) * 20)
        }
        let flood = 3 * 4096
        for i in 0..<flood {   // then a flood of one-packet candidates, each a new SSRC
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: 7, ts: 0, ssrc: UInt32(1000 + i)), atMs: 100 + Double(i) * 0.01)
        }
        let report = analyzer.report()
        #expect(report.streams.map(\.ssrc) == [1])
        #expect(report.summary.unconfirmedRTP == UInt64(flood))
        #expect(analyzer.evictedStreams == 0)   // dropping candidates is not evicting streams
    }

    @Test func histogramBucketsFollowTheirBounds() {
        for (index, bound) in IntervalHistogram.bounds.enumerated() {
            var atBound = IntervalHistogram()
            atBound.observe(seconds: bound)               // le is inclusive
            #expect(atBound.counts[index] == 1, "\(bound) s belongs to le=\(bound)")
            var above = IntervalHistogram()
            above.observe(seconds: bound * 1.0001)
            #expect(above.counts[index + 1] == 1, "just above \(bound) s belongs to the next bucket")
        }
        var zero = IntervalHistogram()
        zero.observe(seconds: 0)
        #expect(zero.counts[0] == 1)
        #expect(zero.cumulativeCounts.last == 1)
    }
}

@Suite("Stream media details")
struct StreamMediaTests {
    @Test func streamStartingWithComfortNoiseAdoptsTheMediaClock() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        StatsFixture.feed(analyzer, StatsFixture.rtp(seq: 1, ts: 0, pt: 13, payloadBytes: 1), atMs: 0)
        for i in 1...4 {   // then L16 stereo (PT 10, 44.1 kHz): 20 ms = 882 units
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: UInt16(1 + i), ts: UInt32(i * 882), pt: 10), atMs: Double(i) * 20)
        }
        let stream = analyzer.report().streams[0]
        #expect(stream.payloadType == 10)
        #expect(stream.clockRate == 44100)
        #expect(stream.payloadTypes == [10, 13])
        #expect(stream.payloadTypeChanges == 1)
        #expect(stream.jitterMs == 0)
    }

    @Test func intervalFractionLostThroughTheAnalyzer() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for seq: UInt16 in [1, 2, 3, 4, 6, 8, 9, 10] {
            StatsFixture.feed(analyzer, StatsFixture.rtp(seq: seq, ts: UInt32(seq) * 160), atMs: Double(seq) * 20)
        }
        let key = analyzer.streamSnapshots()[0].key
        // 10 expected, 2 lost: ⌊2·256/10⌋ = 51, i.e. 51/256 as an RR would carry it.
        #expect(analyzer.takeIntervalFractionLost(for: key) == 51.0 / 256)
        #expect(analyzer.takeIntervalFractionLost(for: key) == 0)   // nothing new since
        #expect(analyzer.takeIntervalFractionLost(for: StreamKey(transport: .udp, source: StatsFixture.receiver,
                                                                 destination: StatsFixture.sender, ssrc: 1)) == nil)
    }
}

@Suite("RTCP reporters in live mode")
struct RTCPLiveBoundsTests {
    @Test func idleReportersAreForgotten() {
        var configuration = AnalyzerConfiguration()
        configuration.streamIdleTimeout = 5_000_000_000
        let analyzer = StreamAnalyzer(configuration: configuration)
        let rr: [UInt8] = [0x80, 201, 0x00, 0x01] + StatsFixture.withBigEndian(0xBBBB)   // RR, no blocks
        StatsFixture.feed(analyzer, rr, atMs: 0)
        #expect(analyzer.report().rtcp.count == 1)
        analyzer.evictIdleStreams(now: StatsFixture.nanoseconds(ms: 10_000))
        #expect(analyzer.report().rtcp.isEmpty)
    }
}

@Suite("Robustness")
struct AnalyzerRobustnessTests {
    /// Random bytes shaped to reach every decoder (RTP first bytes, RTCP second bytes, SIP-like text):
    /// nothing may trap, and every datagram is accounted for somewhere.
    @Test(arguments: [AnalyzerConfiguration.Mode.strict, .wireshark])
    func randomDatagramsNeverTrap(mode: AnalyzerConfiguration.Mode) {
        var configuration = AnalyzerConfiguration()
        configuration.mode = mode
        configuration.streamIdleTimeout = 1_000_000_000
        configuration.maxStreams = 8
        let analyzer = StreamAnalyzer(configuration: configuration)
        var noise = StatsFixture.Noise()
        func byte() -> UInt8 { UInt8(truncatingIfNeeded: Int((noise.next(amplitude: 1) + 1) * 1000)) }
        for i in 0..<20_000 {
            let length = Int(byte()) % 80
            var bytes = (0..<length).map { _ in byte() }
            if length > 1 {
                switch i % 4 {
                case 0: bytes[0] = 0x80 | (bytes[0] & 0x3F)
                case 1: bytes[0] = 0x80 | (bytes[0] & 0x1F); bytes[1] = 200 + bytes[1] % 8
                case 2: bytes = Array("INVITE sip:x SIP/2.0\r\n\r\nv=0\r\nm=audio 1 RTP/AVP 96\r\na=rtpmap:96 x/".utf8) + bytes
                default: break
                }
            }
            let port = UInt16(i % 3)
            StatsFixture.feed(analyzer, bytes, atMs: Double(i) * 0.5,
                              from: Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 40000 + port))
            if i % 5000 == 4999 { analyzer.evictIdleStreams(now: StatsFixture.nanoseconds(ms: Double(i) * 0.5)) }
        }
        let report = analyzer.report()
        #expect(report.summary.datagrams == 20_000)
        #expect(report.streams.count <= 8)
    }
}
