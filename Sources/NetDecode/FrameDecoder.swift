import RTPCore

/// What became of one frame.
public enum FrameOutcome: Equatable, Sendable {
    /// This many datagrams were emitted (0 is possible for TCP: data buffered or retransmitted).
    case delivered(Int)
    /// Valid, but nothing for an RTP analyzer (not IP, not UDP/TCP, TCP on other ports, ESP…).
    case ignored
    /// A non-first IP fragment (counted in `fragmentsSkipped`).
    case fragmentSkipped
    /// Undecodable (counted under the issue's key).
    case malformed(DecodeIssue)
}

/// Decodes captured frames of one link type into UDP datagrams, RFC 4571-framed RTP/RTCP packets
/// carried over TCP, and SIP messages carried over TCP (one datagram per message).
///
/// Its only state is counters and TCP reassembly, so its output is a deterministic function of
/// the frames fed to it (fuzzable). Use one decoder per capture and do not copy it mid-stream:
/// copies share the TCP reassembly buffers. UDP payloads are handed out as slices of the frame —
/// no copies, no allocation per packet; the `Datagram` passed to `emit` is valid only during the call.
///
/// IP fragments: non-first fragments are skipped and counted. A first fragment still carries the
/// complete UDP header and, for RTP, the complete RTP header, so it is delivered as a datagram cut
/// short (`payload.count < originalLength`, like a snaplen cut): stream statistics stay right and
/// the packet count matches tools that reassemble (one datagram per fragmented datagram).
public struct FrameDecoder {
    public let linkType: LinkType
    /// TCP ports whose segments carry RFC 4571 framing (either direction).
    public let tcpPorts: Set<UInt16>
    /// TCP ports carrying SIP (either direction); RFC 4571 wins on a port in both sets. TCP on
    /// other ports is ignored.
    public let sipTCPPorts: Set<UInt16>
    /// Live capture on a network interface: stamped on every datagram (nil for capture files).
    public let interface: NetworkInterface?
    public private(set) var counters = DecodeCounters()
    private var tcp = TCPReassembler()
    /// Refilled field by field for every UDP datagram: `Datagram.init` is not inlinable across
    /// modules and its optional process context made each call cost ~30 ns of copies, a tenth of
    /// the whole per-packet budget. The payload pointer is cleared after every `emit`.
    private var udpDatagram = Datagram(
        time: 0, transport: .udp,
        source: Endpoint(address: IPAddress(v4: 0), port: 0),
        destination: Endpoint(address: IPAddress(v4: 0), port: 0),
        payload: UnsafeRawBufferPointer(start: nil, count: 0)
    )

    public init(linkType: LinkType, tcpPorts: Set<UInt16> = [], sipTCPPorts: Set<UInt16> = [],
                interface: NetworkInterface? = nil) {
        self.linkType = linkType
        self.tcpPorts = tcpPorts
        self.sipTCPPorts = sipTCPPorts
        self.interface = interface
        // Set once in the reused datagram, so stamping UDP costs nothing per packet.
        udpDatagram.interface = interface
    }

    /// Number of TCP directions currently being reassembled.
    public var tcpFlowCount: Int { tcp.flowCount }

    /// Decodes one frame (the captured bytes only) seen at `time`, calling `emit` once per datagram.
    @discardableResult
    public mutating func decode(
        frame: UnsafeRawBufferPointer, time: Nanoseconds, emit: (Datagram) -> Void
    ) -> FrameOutcome {
        let outcome = decodeFrame(frame, time: time, emit: emit)
        switch outcome {
        case .delivered: break
        case .ignored: counters.framesIgnored += 1
        case .fragmentSkipped: counters.fragmentsSkipped += 1
        case .malformed(let issue): counters.record(issue)
        }
        return outcome
    }

    private mutating func decodeFrame(
        _ frame: UnsafeRawBufferPointer, time: Nanoseconds, emit: (Datagram) -> Void
    ) -> FrameOutcome {
        let ipResult: IPLayerResult
        switch LinkLayer.locateNetworkHeader(in: frame, linkType: linkType) {
        case .network(.ipv4, let offset): ipResult = IPLayer.decodeIPv4(frame, at: offset)
        case .network(.ipv6, let offset): ipResult = IPLayer.decodeIPv6(frame, at: offset)
        case .notIP: return .ignored
        case .issue(let issue): return .malformed(issue)
        }
        switch ipResult {
        case .packet(let packet):
            switch packet.transportProtocol {
            case 17: return decodeUDP(frame, packet, time: time, emit: emit)
            case 6: return decodeTCP(frame, packet, time: time, emit: emit)
            default: return .ignored
            }
        case .laterFragment: return .fragmentSkipped
        case .opaque: return .ignored
        case .issue(let issue): return .malformed(issue)
        }
    }

    private mutating func decodeUDP(
        _ frame: UnsafeRawBufferPointer, _ ip: IPPacket, time: Nanoseconds, emit: (Datagram) -> Void
    ) -> FrameOutcome {
        guard ip.declaredPayloadLength >= 8 else { return .malformed(.udpBadLength) }
        guard ip.capturedPayloadLength >= 8 else { return .malformed(.udpTruncated) }
        let udp = ip.payloadOffset
        let udpLength = Int(frame.loadBigEndianUInt16(at: udp + 4))
        // A first fragment holds only part of the datagram the UDP length describes.
        guard udpLength >= 8, ip.isFirstFragment || udpLength <= ip.declaredPayloadLength else {
            return .malformed(.udpBadLength)
        }
        let payloadStart = udp + 8
        let payloadEnd = udp + min(udpLength, ip.capturedPayloadLength)
        udpDatagram.time = time
        udpDatagram.source = Endpoint(address: ip.source, port: frame.loadBigEndianUInt16(at: udp))
        udpDatagram.destination = Endpoint(address: ip.destination, port: frame.loadBigEndianUInt16(at: udp + 2))
        udpDatagram.payload = UnsafeRawBufferPointer(rebasing: frame[payloadStart..<payloadEnd])
        udpDatagram.originalLength = udpLength - 8
        emit(udpDatagram)
        udpDatagram.payload = UnsafeRawBufferPointer(start: nil, count: 0)
        return .delivered(1)
    }

    private mutating func decodeTCP(
        _ frame: UnsafeRawBufferPointer, _ ip: IPPacket, time: Nanoseconds, emit: (Datagram) -> Void
    ) -> FrameOutcome {
        guard ip.declaredPayloadLength >= 20 else { return .malformed(.tcpBadHeader) }
        guard ip.capturedPayloadLength >= 20 else { return .malformed(.tcpTruncated) }
        let tcpHeader = ip.payloadOffset
        let sourcePort = frame.loadBigEndianUInt16(at: tcpHeader)
        let destinationPort = frame.loadBigEndianUInt16(at: tcpHeader + 2)
        // Checked before anything else: most TCP in a capture is not ours and costs only this.
        let framing: TCPFraming
        if tcpPorts.contains(sourcePort) || tcpPorts.contains(destinationPort) {
            framing = .rfc4571
        } else if sipTCPPorts.contains(sourcePort) || sipTCPPorts.contains(destinationPort) {
            framing = .sip
        } else {
            return .ignored
        }
        // A first fragment's TCP data cannot be placed in the byte stream reliably: skip it.
        guard !ip.isFirstFragment else { return .fragmentSkipped }

        let headerLength = Int(frame[tcpHeader + 12] >> 4) * 4
        guard headerLength >= 20, headerLength <= ip.declaredPayloadLength else { return .malformed(.tcpBadHeader) }
        guard headerLength <= ip.capturedPayloadLength else { return .malformed(.tcpTruncated) }
        let flags = frame[tcpHeader + 13]
        let dataStart = tcpHeader + headerLength
        let segment = TCPSegment(
            sequenceNumber: frame.loadBigEndianUInt32(at: tcpHeader + 4),
            isSYN: flags & 0x02 != 0,
            isFIN: flags & 0x01 != 0,
            isRST: flags & 0x04 != 0,
            data: UnsafeRawBufferPointer(rebasing: frame[dataStart..<(tcpHeader + ip.capturedPayloadLength)]),
            declaredDataLength: ip.declaredPayloadLength - headerLength
        )
        let flow = TCPFlowKey(
            source: Endpoint(address: ip.source, port: sourcePort),
            destination: Endpoint(address: ip.destination, port: destinationPort)
        )
        var delivered = 0
        let interface = self.interface
        tcp.receive(segment, flow: flow, framing: framing, time: time, counters: &counters) { datagram in
            delivered += 1
            if let interface {
                var stamped = datagram
                stamped.interface = interface
                emit(stamped)
            } else {
                emit(datagram)
            }
        }
        return .delivered(delivered)
    }
}
