/// Cuts SIP messages out of one direction of a TCP byte stream: headers up to the empty line, then
/// exactly Content-Length bytes of body (RFC 3261 §18.3: on a stream transport Content-Length is
/// mandatory and is the only framing there is).
///
/// Feed it the in-order bytes of one direction (the TCP reassembler removes retransmissions and
/// reports gaps with `reset()`). Messages split across segments, several messages in one segment and
/// RFC 5626 CRLF keep-alives between messages are handled. After a gap, or when a capture joins a
/// connection in the middle, bytes are skipped (and counted) until a line that starts like a SIP
/// message. Memory: at most `SIPParser.maxMessageBytes` plus one segment is buffered.
public struct SIPStreamFramer: Sendable {
    /// What the framer could not deliver, for the analysis summary.
    public enum Issue: String, Sendable, CaseIterable {
        /// A message without a (valid) Content-Length: it is delivered with no body, and its body
        /// bytes, if any, are skipped until the next start line.
        case badContentLength = "sip_tcp_bad_content_length"
        /// Headers or body beyond `SIPParser.maxMessageBytes`: skipped until the next start line.
        case tooLarge = "sip_tcp_too_large"
        /// Bytes skipped while looking for the start of a message (joining mid-stream, after a gap).
        case unframedBytes = "sip_tcp_unframed_bytes"
    }

    public enum Event {
        /// A whole message; the bytes are valid only during the callback.
        case message(UnsafeRawBufferPointer)
        case issue(Issue, count: Int)
    }

    private var buffer: [UInt8] = []
    private var synchronised: Bool

    /// `synchronised`: the next byte starts a message (a connection seen from its SYN).
    public init(synchronised: Bool) {
        self.synchronised = synchronised
    }

    /// Bytes held while waiting for the rest of a message.
    public var bufferedBytes: Int { buffer.count }

    /// Bytes are missing before what comes next: drop what is held and look for a start line again.
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: false)
        synchronised = false
    }

    public mutating func append(_ data: UnsafeRawBufferPointer, emit: (Event) -> Void) {
        buffer.append(contentsOf: data)
        while !buffer.isEmpty {
            if !synchronised {
                guard findStartLine(emit: emit) else { return }
            }
            skipKeepAlives()
            guard !buffer.isEmpty else { return }
            guard let split = SIPParser.endOfHeaders(buffer) else {
                if buffer.count > SIPParser.maxMessageBytes { desynchronise(.tooLarge, emit: emit) }
                return
            }
            var bodyLength = 0
            if let length = Self.contentLength(buffer[..<split.headerEnd]) {
                bodyLength = length
            } else {
                emit(.issue(.badContentLength, count: 1))
                // Without a length the body's end is unknowable: deliver the headers, then resync.
                deliver(count: split.bodyStart, emit: emit)
                synchronised = false
                continue
            }
            guard split.bodyStart + bodyLength <= SIPParser.maxMessageBytes else {
                desynchronise(.tooLarge, emit: emit)
                continue
            }
            guard buffer.count >= split.bodyStart + bodyLength else { return }
            deliver(count: split.bodyStart + bodyLength, emit: emit)
        }
    }

    private mutating func deliver(count: Int, emit: (Event) -> Void) {
        buffer.withUnsafeBytes { emit(.message(UnsafeRawBufferPointer(rebasing: $0[0..<count]))) }
        buffer.removeFirst(count)
    }

    private mutating func desynchronise(_ issue: Issue, emit: (Event) -> Void) {
        emit(.issue(issue, count: 1))
        emit(.issue(.unframedBytes, count: buffer.count))
        buffer.removeAll(keepingCapacity: false)
        synchronised = false
    }

    /// CRLF keep-alives (RFC 5626 §3.5.1: CRLFCRLF ping, CRLF pong) between messages.
    private mutating func skipKeepAlives() {
        let skip = buffer.prefix { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }.count
        if skip > 0 { buffer.removeFirst(skip) }
    }

    /// Drops bytes up to the first line that starts like a SIP message. Returns false (keeping a
    /// possibly incomplete last line) when there is none yet.
    private mutating func findStartLine(emit: (Event) -> Void) -> Bool {
        var lineStart = 0
        while lineStart < buffer.count {
            let lineEnd = buffer[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
            let found = buffer.withUnsafeBytes { bytes in
                SIPParser.startsLikeSIP(UnsafeRawBufferPointer(rebasing: bytes[lineStart...]))
            }
            if found {
                if lineStart > 0 {
                    emit(.issue(.unframedBytes, count: lineStart))
                    buffer.removeFirst(lineStart)
                }
                synchronised = true
                return true
            }
            guard let lineEnd else { break }  // the last line may still be completed by the next segment
            lineStart = lineEnd + 1
        }
        // Keep at most one start line's worth of the unfinished tail.
        let keepFrom = max(lineStart, buffer.count - 2048)
        if keepFrom > 0 {
            emit(.issue(.unframedBytes, count: keepFrom))
            buffer.removeFirst(keepFrom)
        }
        return false
    }

    /// The Content-Length (or compact `l`) value of a header block; nil when absent or not a number.
    static func contentLength(_ headers: ArraySlice<UInt8>) -> Int? {
        for rawLine in headers.split(separator: UInt8(ascii: "\n")) {
            guard let colon = rawLine.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = Substring(String(decoding: rawLine[rawLine.startIndex..<colon], as: UTF8.self))
                .trimmingSpaces().lowercased()
            guard name == "content-length" || name == "l" else { continue }
            let value = String(decoding: rawLine[(colon + 1)...], as: UTF8.self)
                .filter { $0 != " " && $0 != "\t" && $0 != "\r" }
            guard !value.isEmpty, value.count <= 10, value.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(value)
        }
        return nil
    }
}
