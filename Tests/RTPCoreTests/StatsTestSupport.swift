@testable import RTPCore

/// Builds RTP/RTCP datagrams for the statistics tests.
enum StatsFixture {
    static let sender = Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 40000)      // 10.0.0.1:40000
    static let receiver = Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 50000)    // 10.0.0.2:50000

    static func rtp(seq: UInt16, ts: UInt32, ssrc: UInt32 = 0x1234_5678, pt: UInt8 = 0, marker: Bool = false,
                    payloadBytes: Int = 160) -> [UInt8] {
        var bytes: [UInt8] = [0x80, (marker ? 0x80 : 0) | pt]
        bytes += [UInt8(seq >> 8), UInt8(seq & 0xFF)]
        bytes += withBigEndian(ts) + withBigEndian(ssrc)
        bytes += [UInt8](repeating: 0xD5, count: payloadBytes)
        return bytes
    }

    static func withBigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// Feeds `bytes` as one UDP datagram at `milliseconds` (since an arbitrary epoch).
    static func feed(_ analyzer: StreamAnalyzer, _ bytes: [UInt8], atMs milliseconds: Double,
                     from source: Endpoint = sender, to destination: Endpoint = receiver,
                     process: ProcessContext? = nil, interface: NetworkInterface? = nil) {
        let time = Nanoseconds((milliseconds * 1_000_000).rounded()) + 1_700_000_000_000_000_000
        bytes.withUnsafeBytes { buffer in
            analyzer.ingest(Datagram(time: time, transport: .udp, source: source, destination: destination,
                                     payload: buffer, process: process, interface: interface))
        }
    }

    static func nanoseconds(ms: Double) -> Nanoseconds {
        Nanoseconds((ms * 1_000_000).rounded()) + 1_700_000_000_000_000_000
    }

    /// Deterministic pseudo-random jitter in [−amplitude, +amplitude] ms (xorshift), so tests are stable.
    struct Noise {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next(amplitude: Double) -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return (Double(state % 10_000) / 10_000 * 2 - 1) * amplitude
        }
    }
}
