import Foundation
import Testing
import RTPCore
@testable import PcapSource

/// Captures at the scale of a busy media server, generated here with their ground truth, read through
/// libpcap into the engine.
@Suite("Captures at scale and cut by a snaplen", .serialized)
struct ScaleCaptureTests {
    /// Writes a classic microsecond pcap of Ethernet/IPv4/UDP frames straight into one buffer.
    struct PcapWriter {
        private(set) var bytes: [UInt8] = []

        init(snaplen: UInt32 = 65535, expectedBytes: Int = 0) {
            bytes.reserveCapacity(expectedBytes + 24)
            append32(0xA1B2_C3D4); append16(2); append16(4); append32(0); append32(0); append32(snaplen); append32(1)
        }

        private mutating func append32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        private mutating func append16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        private mutating func big16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
        private mutating func big32(_ v: UInt32) { big16(UInt16(v >> 16)); big16(UInt16(v & 0xFFFF)) }

        /// One frame carrying `payload` (its first `captured` bytes of the frame are written).
        mutating func udp(microseconds: UInt64, source: UInt32, sourcePort: UInt16, destination: UInt32,
                          destinationPort: UInt16, payload: [UInt8], capturedFrameBytes: Int? = nil) {
            let frameLength = 14 + 20 + 8 + payload.count
            let captured = min(capturedFrameBytes ?? frameLength, frameLength)
            append32(UInt32(microseconds / 1_000_000)); append32(UInt32(microseconds % 1_000_000))
            append32(UInt32(captured)); append32(UInt32(frameLength))
            let start = bytes.count
            bytes += [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]
            bytes += [0x45, 0]; big16(UInt16(20 + 8 + payload.count)); bytes += [0, 0, 0x40, 0, 64, 17, 0, 0]
            big32(source); big32(destination)
            big16(sourcePort); big16(destinationPort); big16(UInt16(8 + payload.count)); bytes += [0, 0]
            bytes += payload
            bytes.removeLast(frameLength - captured)
            precondition(bytes.count - start == captured)
        }
    }

    static func rtp(seq: UInt16, ts: UInt32, ssrc: UInt32, payloadBytes: Int = 160, padding: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = [0x80 | (padding > 0 ? 0x20 : 0), 0, UInt8(seq >> 8), UInt8(seq & 0xFF),
                              UInt8(ts >> 24), UInt8(ts >> 16 & 0xFF), UInt8(ts >> 8 & 0xFF), UInt8(ts & 0xFF),
                              UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)]
        bytes += [UInt8](repeating: 0xD5, count: payloadBytes)
        if padding > 0 { bytes += [UInt8](repeating: 0, count: Int(padding) - 1) + [padding] }
        return bytes
    }

    /// 20,000 concurrent PCMU streams, 10 packets each, interleaved round-robin as a capture of 20,000
    /// simultaneous calls would be: 20,000 streams, every packet counted (the generator's counts).
    @Test func twentyThousandConcurrentStreamsAllFoundWithEveryPacket() throws {
        let streams = 20_000, packets = 10
        var writer = PcapWriter(expectedBytes: streams * packets * (16 + 214))
        for round in 0..<packets {
            for k in 0..<streams {
                let address = UInt32(k + 1)
                writer.udp(microseconds: 1_700_000_000_000_000 + UInt64(round) * 20_000 + UInt64(k),
                           source: 0x0A0A_0000 | address, sourcePort: UInt16(20000 + 2 * (k % 20000)),
                           destination: 0x0A14_0000 | address, destinationPort: UInt16(30000 + 2 * (k % 15000)),
                           payload: Self.rtp(seq: UInt16(truncatingIfNeeded: k * 31 + round), ts: UInt32(round * 160),
                                             ssrc: UInt32(0x1000_0000 + k)))
            }
        }
        let directory = try TemporaryDirectory()
        let path = try directory.write("20k.pcap", writer.bytes)
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        try CaptureFile(path: path).feed(into: analyzer)
        let report = analyzer.report()
        #expect(report.summary.packetsRead == UInt64(streams * packets))
        #expect(report.streams.count == streams)
        #expect(report.summary.unconfirmedRTP == 0)
        let ssrcs = Set(report.streams.map(\.ssrc))
        #expect(ssrcs == Set((0..<streams).map { UInt32(0x1000_0000 + $0) }))
        #expect(report.streams.allSatisfy { $0.packets == UInt64(packets) && $0.lost == 0 && $0.expected == Int64(packets) })
    }

    /// The probe, offline: 1,000-byte RTP packets with padding in a capture whose snaplen
    /// (256) cut every frame. Every packet counts, none is malformed.
    @Test func paddedPacketsBeyondTheSnaplenCount() throws {
        var writer = PcapWriter(snaplen: 256)
        for i in 0..<2000 {
            writer.udp(microseconds: 1_700_000_000_000_000 + UInt64(i) * 20_000, source: 0x0A00_0001, sourcePort: 5004,
                       destination: 0x0A00_0002, destinationPort: 6004,
                       payload: Self.rtp(seq: UInt16(i), ts: UInt32(i * 160), ssrc: 0xFEED, payloadBytes: 960, padding: 28),
                       capturedFrameBytes: 256)
        }
        let directory = try TemporaryDirectory()
        let path = try directory.write("snaplen.pcap", writer.bytes)
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        try CaptureFile(path: path).feed(into: analyzer)
        let report = analyzer.report()
        #expect(report.streams.count == 1)
        #expect(report.streams.first?.packets == 2000)
        #expect(report.streams.first?.bytes == 2000 * 1000)
        #expect(report.summary.malformed.isEmpty, "\(report.summary.malformed)")
        #expect(report.summary.truncatedRTP == 2000)
        #expect(report.summary.discarded.isEmpty, "\(report.summary.discarded)")
    }
}
