import RTPCore

/// One direction of a TCP connection.
struct TCPFlowKey: Hashable {
    var source: Endpoint
    var destination: Endpoint
}

/// A TCP segment's header fields the reassembler needs, and its captured data.
struct TCPSegment {
    var sequenceNumber: UInt32
    var isSYN: Bool
    var isFIN: Bool
    var isRST: Bool
    /// The data bytes present in the frame.
    var data: UnsafeRawBufferPointer
    /// The data bytes the segment had on the wire: more than `data.count` when the snaplen cut it.
    var declaredDataLength: Int
}

/// How a TCP port's byte stream is cut into messages.
enum TCPFraming {
    /// RFC 4571: a 16-bit big-endian length, then one RTP or RTCP packet.
    case rfc4571
    /// SIP (RFC 3261 §18.3): headers up to the empty line, then Content-Length bytes.
    case sip
}

/// Reassembles TCP segments per direction and cuts the bytes into messages: RFC 4571 frames on RTP
/// ports, SIP messages on SIP ports (`SIPStreamFramer`). Retransmitted and overlapping bytes are
/// dropped by sequence number; a gap (bytes never seen) makes message boundaries unknowable, so the
/// direction's parser is reset and resynchronises on a later segment that starts with a plausible
/// frame (RFC 4571) or on a line that starts like a SIP message.
///
/// Memory is bounded: per direction at most one incomplete frame (≤ 2 + 65535 bytes, the largest
/// length the prefix can express; a SIP message up to `SIPParser.maxMessageBytes`) and at most
/// `maxFlows` directions.
struct TCPReassembler {
    /// Beyond this many live directions new ones are refused (counted as `tcp_flow_limit`): with at
    /// most one 64 KiB frame buffered each, reassembly never holds more than 64 MiB.
    static let maxFlows = 1024

    private final class FlowState {
        /// Sequence number of the next byte this direction has not delivered yet.
        var nextSequence: UInt32
        /// Whether the byte at `nextSequence` is known to be a frame boundary (or inside `pending`).
        var synchronised: Bool
        /// The start of a frame (length prefix included) whose end has not arrived yet.
        var pending: [UInt8] = []
        /// SIP ports: the message framer (it keeps its own partial message and synchronisation).
        var sip: SIPStreamFramer?

        init(nextSequence: UInt32, synchronised: Bool, framing: TCPFraming) {
            self.nextSequence = nextSequence
            self.synchronised = synchronised
            if framing == .sip { sip = SIPStreamFramer(synchronised: synchronised) }
        }

        func resetParser() {
            pending.removeAll(keepingCapacity: true)
            synchronised = false
            sip?.reset()
        }
    }

    private var flows: [TCPFlowKey: FlowState] = [:]

    init() {}

    var flowCount: Int { flows.count }

    mutating func receive(
        _ segment: TCPSegment, flow key: TCPFlowKey, framing: TCPFraming, time: Nanoseconds,
        counters: inout DecodeCounters, emit: (Datagram) -> Void
    ) {
        if segment.isRST {
            flows[key] = nil
            return
        }
        // SYN occupies one sequence number before the first data byte.
        let dataSequence = segment.isSYN ? segment.sequenceNumber &+ 1 : segment.sequenceNumber
        let state: FlowState
        if let existing = flows[key], !segment.isSYN {
            state = existing
        } else {
            guard flows[key] != nil || flows.count < Self.maxFlows else {
                counters.record(.tcpFlowLimit)
                return
            }
            // A SYN starts the stream on a frame boundary; joining mid-stream, we must first find one.
            state = FlowState(nextSequence: dataSequence, synchronised: segment.isSYN, framing: framing)
            flows[key] = state
        }
        defer { if segment.isFIN { flows[key] = nil } }

        var data = segment.data
        var declaredLength = segment.declaredDataLength
        // Signed distance in sequence space (RFC 793 arithmetic modulo 2^32).
        let distance = Int(Int32(bitPattern: dataSequence &- state.nextSequence))
        if distance < 0 {
            let alreadySeen = -distance
            guard alreadySeen < declaredLength else { return }  // pure retransmission or keep-alive
            guard alreadySeen < data.count else {
                // The new bytes exist on the wire but were not captured.
                state.nextSequence = dataSequence &+ UInt32(truncatingIfNeeded: declaredLength)
                counters.record(.tcpTruncated)
                state.resetParser()
                return
            }
            data = UnsafeRawBufferPointer(rebasing: data[alreadySeen...])
            declaredLength -= alreadySeen
        } else if distance > 0 {
            counters.record(.tcpSequenceGap)
            state.resetParser()
        }
        state.nextSequence = state.nextSequence &+ UInt32(truncatingIfNeeded: max(distance, 0) + declaredLength)

        if !data.isEmpty {
            if state.sip != nil {
                frameSIP(data, state: state, flow: key, time: time, counters: &counters, emit: emit)
            } else {
                parse(data, state: state, flow: key, time: time, emit: emit)
            }
        }
        if data.count < declaredLength {
            // The snaplen cut this segment: the bytes after it belong to an unknown position.
            counters.record(.tcpTruncated)
            state.resetParser()
        }
    }

    /// After a gap (or when joining mid-connection) frame boundaries are unknown. Senders write one
    /// or a few whole frames at a time, so a segment start is accepted as a boundary when the
    /// segment parses as a chain of plausible frames (length ≥ 4, RTP/RTCP version 2) that either
    /// ends exactly at the segment end or has at least one complete frame before an incomplete one.
    /// A lone incomplete frame is not enough: payload bytes too often look like a header.
    private static func startsOnFrameBoundary(_ data: UnsafeRawBufferPointer) -> Bool {
        var cursor = 0
        var completeFrames = 0
        while data.count - cursor >= 3 {
            let frameLength = Int(data.loadBigEndianUInt16(at: cursor))
            guard frameLength >= 4, data[cursor + 2] & 0xC0 == 0x80 else { return false }
            guard data.count - cursor - 2 >= frameLength else { return completeFrames > 0 }
            completeFrames += 1
            cursor += 2 + frameLength
        }
        // Ends exactly, or complete frames followed by one or two bytes of the next prefix.
        return cursor == data.count || completeFrames > 0
    }

    private func parse(
        _ data: UnsafeRawBufferPointer, state: FlowState, flow key: TCPFlowKey, time: Nanoseconds,
        emit: (Datagram) -> Void
    ) {
        if !state.synchronised {
            guard Self.startsOnFrameBoundary(data) else { return }
            state.synchronised = true
        }
        var cursor = 0
        if !state.pending.isEmpty {
            cursor = completePending(state: state, with: data, flow: key, time: time, emit: emit)
        }
        // Whole frames inside this segment are delivered straight from the capture buffer.
        while data.count - cursor >= 2 {
            let frameLength = Int(data.loadBigEndianUInt16(at: cursor))
            guard data.count - cursor - 2 >= frameLength else { break }
            if frameLength > 0 {
                let payload = UnsafeRawBufferPointer(rebasing: data[(cursor + 2)..<(cursor + 2 + frameLength)])
                emit(datagram(payload, flow: key, time: time))
            }
            cursor += 2 + frameLength
        }
        if cursor < data.count {
            state.pending.append(contentsOf: data[cursor...])
        }
    }

    /// Appends to the incomplete frame; delivers it when complete. Returns the bytes consumed.
    private func completePending(
        state: FlowState, with data: UnsafeRawBufferPointer, flow key: TCPFlowKey, time: Nanoseconds,
        emit: (Datagram) -> Void
    ) -> Int {
        var consumed = 0
        if state.pending.count < 2 {
            // Only one byte of the length prefix was buffered.
            consumed = min(2 - state.pending.count, data.count)
            state.pending.append(contentsOf: data[0..<consumed])
            guard state.pending.count == 2 else { return consumed }
        }
        let frameLength = Int(state.pending[0]) << 8 | Int(state.pending[1])
        let missing = 2 + frameLength - state.pending.count
        let take = min(missing, data.count - consumed)
        state.pending.append(contentsOf: data[consumed..<(consumed + take)])
        consumed += take
        if take == missing {
            if frameLength > 0 {
                state.pending.withUnsafeBytes { bytes in
                    emit(datagram(UnsafeRawBufferPointer(rebasing: bytes[2...]), flow: key, time: time))
                }
            }
            state.pending.removeAll(keepingCapacity: true)
        }
        return consumed
    }

    /// SIP ports: every complete message becomes one datagram (the analyzer recognises SIP by its
    /// start line, whatever the transport).
    private func frameSIP(
        _ data: UnsafeRawBufferPointer, state: FlowState, flow key: TCPFlowKey, time: Nanoseconds,
        counters: inout DecodeCounters, emit: (Datagram) -> Void
    ) {
        var issues: [(SIPStreamFramer.Issue, Int)] = []
        state.sip?.append(data) { event in
            switch event {
            case .message(let bytes): emit(datagram(bytes, flow: key, time: time))
            case .issue(let issue, let count): issues.append((issue, count))
            }
        }
        for (issue, count) in issues { counters.record(DecodeIssue(issue), count: UInt64(max(count, 0))) }
    }

    private func datagram(_ payload: UnsafeRawBufferPointer, flow key: TCPFlowKey, time: Nanoseconds) -> Datagram {
        Datagram(time: time, transport: .tcp, source: key.source, destination: key.destination, payload: payload)
    }
}
