// The offline pipeline from captured frames on: link layer, IPv4/IPv6, UDP, TCP with RFC 4571 and
// SIP reassembly (NetDecode), then every datagram into a StreamAnalyzer (RTPCore) and its reports.
//
// Input layout (all big-endian):
//   byte 0        link type: index into LinkType.allCases (modulo its count)
//   byte 1        analyzer options (see FuzzSupport.makeAnalyzer)
//   then frames:  u16 length, i16 time step in units of 100 µs, `length` frame bytes (cut at the end)
//                 A time step of -32768 is followed by a u64 absolute capture time instead (clamped as
//                 PcapSource clamps pcapng times), so extreme and backwards times are reachable too.
// Each frame is copied to an exactly-sized buffer, as libpcap hands out one record at a time.
import FuzzSupport
import NetDecode
import RTPCore

private let linkTypes = LinkType.allCases

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    guard input.remaining >= 2 else { return 0 }
    let linkType = linkTypes[Int(input.byte()) % linkTypes.count]
    let analyzer = makeAnalyzer(options: input.byte())
    var decoder = FrameDecoder(linkType: linkType, tcpPorts: analyzer.configuration.tcpPorts,
                               sipTCPPorts: analyzer.configuration.sipPorts)
    var time: Nanoseconds = 1_700_000_000_000_000_000
    var frames = 0
    var delivered = 0
    while !input.isEmpty {
        let length = Int(input.uint16())
        let step = Int16(bitPattern: input.uint16())
        if step == .min {
            time = captureTime(fromRaw: input.uint64())
        } else {
            // Saturating: the harness must not trap on its own arithmetic.
            let (next, overflow) = time.addingReportingOverflow(Int64(step) * 100_000)
            time = overflow ? time : next
        }
        let frame = input.take(length)
        frames += 1
        let outcome = withExactCopy(frame) { exact in
            decoder.decode(frame: exact, time: time) { datagram in
                precondition(datagram.payload.count <= datagram.originalLength, "payload longer than the datagram on the wire")
                delivered += 1
                analyzer.ingest(datagram)
            }
        }
        if case .delivered(let n) = outcome { precondition(n >= 0) }
        precondition(decoder.tcpFlowCount <= 1024, "TCP reassembly exceeded its flow bound")
    }
    analyzer.summary.packetsRead &+= UInt64(frames)
    consume(drain(analyzer, now: time))
    consume(delivered)
    return 0
}
