// RTCP compound decoding and key-less SRTCP recognition (RTCPDecoder.swift), then the analyzer's
// RTCP accounting (reporters, report blocks, SR/RR round-trip matching). Input: one UDP payload.
import FuzzSupport
import RTPCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = FuzzInput(start, count).bytes
    let result = RTCPDecoder.decodeCompound(bytes)
    var sum = result.isReducedSize ? 1 : 0
    if let srtcp = result.srtcp {
        precondition(result.rejection == nil, "SRTCP is recognised, not rejected")
        sum &+= Int(srtcp.ssrc & 0xFF)
    }
    for packet in result.packets { sum &+= touch(packet) }

    // The same datagram twice, the second time the other way round 15 ms later: a compound holding an
    // SR and an RR whose block's LSR matches it then yields a round-trip time on the second pass.
    let analyzer = makeAnalyzer(options: 0)
    let a = Endpoint(address: IPAddress(v4: 0x0A00_0001), port: 5005)
    let b = Endpoint(address: IPAddress(v4: 0x0A00_0002), port: 6005)
    let t0: Nanoseconds = 1_700_000_000_000_000_000
    analyzer.ingest(Datagram(time: t0, transport: .udp, source: a, destination: b, payload: bytes))
    analyzer.ingest(Datagram(time: t0 + 15_000_000, transport: .udp, source: b, destination: a, payload: bytes))
    sum &+= drain(analyzer, now: t0 + 20_000_000)
    consume(sum)
    return 0
}

/// Reads every decoded field (so a wrong offset shows up under AddressSanitizer as a wild read,
/// and lengths that cannot be true trip the preconditions).
private func touch(_ packet: RTCPPacket) -> Int {
    var sum = 0
    switch packet {
    case .senderReport(let sr):
        sum &+= Int(sr.compactNTP & 0xFF) &+ sr.reports.count
        for block in sr.reports { sum &+= Int(block.cumulativeLost) &+ Int(block.fractionLost) }
    case .receiverReport(let rr):
        for block in rr.reports { sum &+= Int(block.cumulativeLost) &+ Int(block.jitter & 0xFF) }
    case .sourceDescription(let sdes):
        for chunk in sdes.chunks {
            sum &+= chunk.cname?.utf8.count ?? 0
            for item in chunk.items { sum &+= item.text.utf8.count &+ Int(item.type) }
        }
    case .goodbye(let bye):
        precondition(bye.ssrcs.count <= 31)
        sum &+= bye.ssrcs.count &+ (bye.reason?.utf8.count ?? 0)
    case .applicationDefined(let app):
        precondition(app.dataLength >= 0 && app.dataLength <= 262_144)
        sum &+= app.name.utf8.count &+ app.dataLength
    case .feedback(let fb):
        precondition(fb.fciLength >= 0 && fb.fciLength <= 262_144)
        sum &+= fb.fciLength &+ Int(fb.format)
    case .extendedReport(let xr):
        for block in xr.blocks {
            switch block {
            case .statisticsSummary(let s): sum &+= Int(s.lostPackets & 0xFF) &+ Int(s.flags)
            case .voipMetrics(let v): sum &+= Int(v.signalLevel) &+ Int(v.jitterBufferNominal)
            case .other(let type, let length):
                precondition(length >= 4 && length % 4 == 0)
                sum &+= Int(type) &+ length
            }
        }
    default:
        sum &+= 1
    }
    return sum &+ Int(packet.packetType)
}
