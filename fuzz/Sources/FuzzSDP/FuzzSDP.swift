// SDP parsing (SDPParser.swift) and everything derived from a parsed session: clock rates by payload
// type and port, expected RTCP ports, error descriptions; connection addresses go through the
// IPAddress text parser. Input: SDP text (any bytes; invalid UTF-8 is repaired, as `--sdp` reads do).
import FuzzSupport
import RTPCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: FuzzInput(start, count).bytes, as: UTF8.self)
    var sum = 0
    do {
        let session = try SDPParser.parse(text)
        sum &+= session.clockRates.count
        if let address = session.connectionAddress { sum &+= IPAddress(address) == nil ? 0 : 1 }
        for section in session.media {
            precondition(section.portCount >= 1)
            sum &+= section.payloadTypes.count &+ Int(section.expectedRTCPPort ?? 0)
            if let address = section.connectionAddress {
                sum &+= IPAddress(address) == nil ? 0 : 1
                sum &+= Endpoint("\(address):\(section.port)") == nil ? 0 : 1
            }
            for map in section.rtpMaps {
                precondition(map.payloadType < 128 && map.clockRate > 0 && (map.channels ?? 1) > 0)
                precondition(session.clockRate(forPayloadType: map.payloadType, port: section.port) != nil)
                sum &+= section.clockRate(forPayloadType: map.payloadType) ?? 0
            }
        }
    } catch {
        precondition(error.line >= 1)
        sum &+= error.description.utf8.count
    }
    // The same text as the body of a SIP INVITE on the wire: the analyzer learns rtpmaps from it
    // (StreamAnalyzer+SIP) before any stream starts, then a PT 96 stream picks its clock up.
    let analyzer = makeAnalyzer(options: 0)
    let sip = Array(("INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: fuzz\r\nFrom: <sip:a@b>;tag=1\r\n"
        + "To: <sip:bob@example.com>\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n\r\n").utf8)
        + Array(UnsafeRawBufferPointer(start: count > 0 ? start : nil, count: count))
    let a = Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 5060)
    let b = Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 5060)
    sip.withUnsafeBytes { analyzer.ingest(Datagram(time: 1_000_000_000, transport: .udp, source: a, destination: b, payload: $0)) }
    var rtp: [UInt8] = [0x80, 96, 0, 0, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44] + [UInt8](repeating: 0, count: 20)
    for i in 0..<3 {
        let timestamp = UInt16(i * 160)
        rtp[3] = UInt8(i); rtp[6] = UInt8(timestamp >> 8); rtp[7] = UInt8(timestamp & 0xFF)
        rtp.withUnsafeBytes {
            analyzer.ingest(Datagram(time: 1_000_000_000 + Int64(i) * 20_000_000, transport: .udp,
                                     source: Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 40000),
                                     destination: Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 40002), payload: $0))
        }
    }
    sum &+= drain(analyzer, now: 2_000_000_000)
    consume(sum)
    return 0
}
