// SIP: `SIPParser.parse` (start line, folding, compact forms, Content-Length, multipart SDP),
// `SIPStreamFramer` (TCP framing: split messages, keep-alives, resynchronisation), and the call
// tracker behind `StreamAnalyzer.ingest` (dialog state, SDP media announcements, T.38 switches,
// stream placement in `report().calls`, live expiry).
//
// Input layout:
//   byte 0   analyzer options (see FuzzSupport.makeAnalyzer)
//   byte 1   TCP segment size for the framer pass (1…256)
//   byte 2   bytes the datagram pretends to have lost to a snaplen (0 = not cut)
//   rest     SIP text: parsed as one UDP datagram, then as a TCP byte stream cut into segments;
//            every message the framer delivers goes into the analyzer too, followed by RTP towards
//            the first media port the text announces.
import FuzzSupport
import RTPCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    guard input.remaining >= 3 else { return 0 }
    let analyzer = makeAnalyzer(options: input.byte())
    let segmentSize = Int(input.byte()) + 1
    let cut = Int(input.byte())
    let text = input.rest()
    let caller = Endpoint(address: IPAddress(v4: 0xC000_020A), port: 5060)
    let callee = Endpoint(address: IPAddress(v4: 0xC000_0214), port: 5060)
    var time: Nanoseconds = 1_700_000_000_000_000_000
    var sum = 0

    // One datagram: the parser on its own, then through the analyzer.
    withExactCopy(text) { exact in
        let originalLength = exact.count + cut
        do {
            let message = try SIPParser.parse(exact, originalLength: originalLength)
            precondition(!message.callID.isEmpty, "a parsed message without Call-ID")
            precondition(message.body.count <= exact.count, "a body longer than the message")
            sum &+= message.body.count
            if let session = try? message.sessionDescription() { sum &+= session.media.count }
        } catch {
            sum &+= String(describing: error).utf8.count
        }
        analyzer.ingest(Datagram(time: time, transport: .udp, source: caller, destination: callee,
                                 payload: exact, originalLength: originalLength))
    }

    // The same bytes as a TCP stream, segment by segment.
    var framer = SIPStreamFramer(synchronised: cut & 1 == 0)
    var offset = 0
    while offset < text.count {
        let end = min(offset + segmentSize, text.count)
        withExactCopy(UnsafeRawBufferPointer(rebasing: text[offset..<end])) { segment in
            framer.append(segment) { event in
                switch event {
                case .message(let bytes):
                    precondition(bytes.count <= SIPParser.maxMessageBytes, "framer delivered an oversized message")
                    time &+= 1_000_000
                    withExactCopy(bytes) { message in
                        analyzer.ingest(Datagram(time: time, transport: .tcp, source: callee, destination: caller,
                                                 payload: message))
                    }
                case .issue(_, let count):
                    precondition(count >= 0)
                    sum &+= count
                }
            }
        }
        precondition(framer.bufferedBytes <= SIPParser.maxMessageBytes + segmentSize + 2048,
                     "framer buffered beyond its bound")
        offset = end
        if cut & 2 != 0, offset < text.count, offset % 97 == 0 { framer.reset() }
    }

    // RTP to and from every endpoint the calls announced, so streams get placed in calls.
    for call in analyzer.report().calls ?? [] {
        for media in call.media.prefix(4) {
            guard let address = media.address.flatMap(IPAddress.init) else { continue }
            let endpoint = Endpoint(address: address, port: media.port)
            var rtp: [UInt8] = [0x80, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44] + [UInt8](repeating: 0, count: 20)
            for index in 0..<3 {
                rtp[3] = UInt8(index)
                rtp[7] = UInt8(index * 160 & 0xFF)
                time &+= 20_000_000
                rtp.withUnsafeBytes {
                    analyzer.ingest(Datagram(time: time, transport: .udp, source: caller, destination: endpoint, payload: $0))
                    analyzer.ingest(Datagram(time: time, transport: .udp, source: endpoint, destination: caller, payload: $0))
                }
            }
        }
    }
    for call in analyzer.report().calls ?? [] {
        precondition(call.packets == call.streams.reduce(0) { $0 &+ $1.packets }, "call packets are not its streams'")
        precondition(call.setupMs.map { $0.isFinite } ?? true)
        sum &+= call.streams.count &+ call.legs.count
    }
    sum &+= drain(analyzer, now: time &+ 3_600_000_000_000)
    consume(sum)
    return 0
}
