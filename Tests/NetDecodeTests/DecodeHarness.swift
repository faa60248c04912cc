import NetDecode
import RTPCore

/// A datagram with its payload copied out, so tests can inspect it after the borrow ends.
struct DecodedDatagram: Equatable {
    var time: Nanoseconds
    var transport: TransportProtocol
    var source: String
    var destination: String
    var payload: [UInt8]
    var originalLength: Int
}

/// Runs frames through one decoder and records what came out.
struct DecodeHarness {
    var decoder: FrameDecoder
    var datagrams: [DecodedDatagram] = []
    var outcomes: [FrameOutcome] = []

    init(_ linkType: LinkType, tcpPorts: Set<UInt16> = [], sipTCPPorts: Set<UInt16> = []) {
        decoder = FrameDecoder(linkType: linkType, tcpPorts: tcpPorts, sipTCPPorts: sipTCPPorts)
    }

    @discardableResult
    mutating func decode(_ frame: [UInt8], time: Nanoseconds = 1_000) -> FrameOutcome {
        var collected: [DecodedDatagram] = []
        let outcome = frame.withUnsafeBytes { bytes in
            decoder.decode(frame: bytes, time: time) { datagram in
                collected.append(DecodedDatagram(
                    time: datagram.time, transport: datagram.transport,
                    source: datagram.source.description, destination: datagram.destination.description,
                    payload: Array(datagram.payload), originalLength: datagram.originalLength
                ))
            }
        }
        datagrams += collected
        outcomes.append(outcome)
        return outcome
    }

    var counters: DecodeCounters { decoder.counters }
}
