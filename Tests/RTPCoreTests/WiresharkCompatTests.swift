import Testing
@testable import RTPCore

@Suite("tshark -z rtp,streams model")
struct WiresharkCompatTests {
    private struct Packet { var ms: Double; var seq: UInt16; var ts: UInt32; var pt: UInt8 = 0; var marker = false }

    private func run(_ packets: [Packet], clock: (UInt8) -> UInt32 = { StaticClockRates.rate(for: $0).map(UInt32.init) ?? 0 })
        -> WiresharkRTPStatistics {
        var stats = WiresharkRTPStatistics()
        for p in packets {
            stats.analyse(currentTime: p.ms, sequence: p.seq, timestamp: p.ts, payloadType: p.pt,
                          marker: p.marker, clockRate: clock(p.pt))
        }
        return stats
    }

    @Test func fivePacketsByHand() {
        // PCMU, clock/1000 = 8. Worked by hand from rtppacket_analyse:
        //  P2  20 ms: expected 20, diff 0, J 0;          regular: delta 20, mean (0·0+20)/1 = 20
        //  P3  45 ms: expected 40, diff 5, J 0.3125;     regular: delta 25, mean (20·1+25)/2 = 22.5
        //  P4  60 ms: marker — J (15·0.3125+5)/16 = 0.60546875 but not in min/max/mean
        //  P5  80 ms: seq 4 again (late/dup), ts 480: expected 60, diff 20,
        //             J (15·0.60546875+20)/16 = 1.817626953125; regular: mean delta (22.5·3+20)/4
        let stats = run([
            Packet(ms: 0, seq: 1, ts: 0),
            Packet(ms: 20, seq: 2, ts: 160),
            Packet(ms: 45, seq: 3, ts: 320),
            Packet(ms: 60, seq: 4, ts: 480, marker: true),
            Packet(ms: 80, seq: 4, ts: 480),
        ])
        #expect(stats.totalPackets == 5)
        #expect(stats.expected == 4)
        #expect(stats.lost == -1)
        #expect(stats.minDeltaMs == 20)
        #expect(stats.maxDeltaMs == 25)
        #expect(stats.meanDeltaMs == 21.875)
        #expect(stats.jitterMs == 1.817626953125)
        #expect(stats.minJitterMs == 0)
        #expect(stats.maxJitterMs == 1.817626953125)
        #expect(stats.meanJitterMs == (0.15625 * 3 + 1.817626953125) / 4)
        #expect(stats.problem)
    }

    @Test func dynamicPayloadWithoutSDPHasNoJitter() {
        let stats = run([Packet(ms: 0, seq: 1, ts: 0, pt: 96), Packet(ms: 20, seq: 2, ts: 3000, pt: 96),
                         Packet(ms: 40, seq: 3, ts: 6000, pt: 96)])
        #expect(stats.jitterMs == nil)
        #expect(stats.minJitterMs == nil)
        #expect(stats.meanJitterMs == nil)
        #expect(stats.minDeltaMs == 20)
        #expect(stats.lost == 0)
    }

    @Test func integerClockDivisionAt44100() {
        // tshark divides by 44100/1000 = 44, not 44.1: a perfectly timed packet shows jitter.
        let stats = run([Packet(ms: 0, seq: 1, ts: 0, pt: 11), Packet(ms: 20, seq: 2, ts: 882, pt: 11)])
        let expected = (882.0 / 44 - 20) / 16
        #expect(abs((stats.jitterMs ?? 0) - expected) < 1e-12)
    }

    @Test func sequenceWrapCountsACycle() {
        let stats = run([Packet(ms: 0, seq: 65534, ts: 0), Packet(ms: 20, seq: 65535, ts: 160),
                         Packet(ms: 40, seq: 0, ts: 320), Packet(ms: 60, seq: 1, ts: 480)])
        #expect(stats.expected == 4)
        #expect(stats.lost == 0)
    }

    @Test func senderRestartIsNotResynchronised() {
        // tshark keeps the first sequence number: a restart at a lower number looks like a new cycle.
        let stats = run([Packet(ms: 0, seq: 30000, ts: 0), Packet(ms: 20, seq: 30001, ts: 160),
                         Packet(ms: 40, seq: 10, ts: 320), Packet(ms: 60, seq: 11, ts: 480)])
        #expect(stats.expected == 11 + 65536 - 30000 + 1)
        #expect(stats.lost == 35548 - 4)
    }

    @Test func singlePacketHasNoDeltas() {
        let stats = run([Packet(ms: 5, seq: 1, ts: 0)])
        #expect(stats.totalPackets == 1)
        #expect(stats.lost == 0)
        #expect(stats.minDeltaMs == nil)
        #expect(stats.jitterMs == nil)   // no clock applied before a second packet: tshark prints −1
        #expect(stats.minJitterMs == nil)
    }
}
