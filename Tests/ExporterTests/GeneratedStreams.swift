import RTPCore

/// Live-like RTP streams fed into a real `StreamAnalyzer`, with the generator's own ground truth: what
/// it delivered and what it dropped, never what the analyzer computed.
///
/// Stream i belongs to process `100 + i % processes` (comm `gen<pid>`), is sent when `i % 3 == 0` and
/// received otherwise, talks to peer `10.1.0.(i % peers + 1)`, offers `10 + i % 17` packets 20 ms apart
/// (PCMU, static clock, except every fifth stream: PT 96, no clock) of which it drops 0, 1 or 3 in the
/// middle (so expected = offered, lost = dropped), and every third stream arrives with ±3 ms of jitter.
/// Streams are fed one after the other, each starting 1 ms after the previous one, so the older
/// stream of two equal ones is the one with the lower index.
struct GeneratedStreams {
    struct Truth {
        let index: Int
        let key: StreamKey
        let comm: String
        let peer: IPAddress
        let delivered: UInt64
        let lost: Int64
        let expected: Int64
    }

    static let base: Nanoseconds = 1_700_000_000_000_000_000
    let analyzer: StreamAnalyzer
    private(set) var truths: [Truth] = []

    init(count: Int, processes: Int = 7, peers: Int = 13, packetsPerStream: Int? = nil,
         configuration: AnalyzerConfiguration = AnalyzerConfiguration()) {
        analyzer = StreamAnalyzer(configuration: configuration)
        var payload = [UInt8](repeating: 0xD5, count: 172)
        for index in 0..<count {
            let pid = Int32(100 + index % processes)
            let direction: Direction = index % 3 == 0 ? .sent : .received
            let local = Endpoint(address: IPAddress(v4: 0x7F00_0001), port: UInt16(20_000 + index % 30_000))
            let peer = IPAddress(v4: 0x0A01_0000 | UInt32(index % peers + 1))
            let remote = Endpoint(address: peer, port: 5004)
            let (source, destination) = direction == .sent ? (local, remote) : (remote, local)
            let ssrc = UInt32(index + 1)
            let offered = packetsPerStream ?? (10 + index % 17)
            let dropped: Set<Int> = switch index % 4 {
            case 1 where offered > 6: [5]
            case 2 where offered > 7: [3, 4, 6]
            default: []
            }
            let payloadType: UInt8 = index % 5 == 4 ? 96 : 0
            let start = Self.base + Nanoseconds(index) * 1_000_000
            let process = ProcessContext(pid: pid, comm: "gen\(pid)", direction: direction)
            for packet in 0..<offered where !dropped.contains(packet) {
                let sequence = UInt16(truncatingIfNeeded: 1000 + packet)
                let timestamp = UInt32(packet * 160)
                let wobble: Nanoseconds = index % 3 == 2 ? (packet % 2 == 0 ? 3_000_000 : -3_000_000) : 0
                let time = start + Nanoseconds(packet) * 20_000_000 + (packet == 0 ? 0 : wobble)
                Self.writeHeader(into: &payload, sequence: sequence, timestamp: timestamp, ssrc: ssrc, payloadType: payloadType)
                payload.withUnsafeBytes { bytes in
                    analyzer.ingest(Datagram(time: time, transport: .udp, source: source, destination: destination,
                                             payload: bytes, process: process))
                }
            }
            truths.append(Truth(
                index: index,
                key: StreamKey(transport: .udp, source: source, destination: destination, ssrc: ssrc, pid: pid,
                               direction: direction),
                comm: "gen\(pid)", peer: peer, delivered: UInt64(offered - dropped.count),
                lost: Int64(dropped.count), expected: Int64(offered)))
        }
    }

    private static func writeHeader(into payload: inout [UInt8], sequence: UInt16, timestamp: UInt32, ssrc: UInt32,
                                    payloadType: UInt8) {
        payload[0] = 0x80
        payload[1] = payloadType
        payload[2] = UInt8(sequence >> 8)
        payload[3] = UInt8(sequence & 0xFF)
        for (offset, value) in [(4, timestamp), (8, ssrc)] {
            payload[offset] = UInt8(value >> 24)
            payload[offset + 1] = UInt8((value >> 16) & 0xFF)
            payload[offset + 2] = UInt8((value >> 8) & 0xFF)
            payload[offset + 3] = UInt8(value & 0xFF)
        }
    }
}
