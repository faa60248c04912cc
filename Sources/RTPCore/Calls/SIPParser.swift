/// Parses one SIP message (RFC 3261 §7) from a datagram or from a message the TCP framer cut out.
///
/// Accepts what real user agents send: CRLF or bare LF line ends, header folding (§7.3.1), any
/// case in header names, the compact forms (§7.3.3, and RFC 3515/3892/4028/6665/… ones), several
/// values in one Via. Refuses, with a counted reason, what cannot be placed in a call: a bad start
/// line, headers that are not `name: value`, a missing Call-ID/From/To/CSeq, a CSeq whose method
/// differs from the request's, a bad or lying Content-Length. Bounded: at most `maxMessageBytes`
/// bytes and `maxHeaderLines` header lines are looked at, so a hostile datagram costs little.
public enum SIPParser {
    /// SIP over UDP must stay below the path MTU unless fragmented (§18.1.1); 64 KiB is the most a
    /// UDP datagram or any sane TCP message holds.
    public static let maxMessageBytes = 65_535
    public static let maxHeaderLines = 256

    /// Cheap check before any parsing: a response (`SIP/2.0 `) or a request line `TOKEN SP … SP SIP/2.0`.
    /// Looks at the first line only (at most 2 KiB of it).
    public static func startsLikeSIP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 12, let first = bytes.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z")
        else { return false }
        if matches(bytes, at: 0, "SIP/2.0 ") { return true }
        var index = 0
        while index < bytes.count, index < 32, isMethodCharacter(bytes[index]) { index += 1 }
        guard index >= 3, index < 32, index < bytes.count, bytes[index] == UInt8(ascii: " ") else { return false }
        let limit = min(bytes.count, 2048)
        while index < limit, bytes[index] != UInt8(ascii: "\r"), bytes[index] != UInt8(ascii: "\n") { index += 1 }
        guard index < limit, index >= 8 else { return false }
        return matches(bytes, at: index - 8, " SIP/2.0")
    }

    /// Parses `bytes`. `originalLength` is the datagram's length on the wire when only a prefix was
    /// captured: a message cut there is `.truncated`, not malformed.
    public static func parse(_ bytes: UnsafeRawBufferPointer, originalLength: Int? = nil) throws(SIPError) -> SIPMessage {
        let wasCut = (originalLength ?? bytes.count) > bytes.count
        guard bytes.count <= maxMessageBytes else {
            throw SIPError(.tooLarge, "\(bytes.count) bytes, more than \(maxMessageBytes)")
        }
        guard let split = endOfHeaders(bytes) else {
            if wasCut {
                throw SIPError(.truncated, "headers cut after \(bytes.count) of \(originalLength ?? 0) bytes")
            }
            throw SIPError(.unterminatedHeaders, "no empty line after the headers")
        }
        // Lines as byte ranges, split on LF (a Swift String would treat CRLF as one character), CR
        // dropped; only the values the parser keeps ever become Strings.
        let head = UnsafeRawBufferPointer(rebasing: bytes[0..<split.headerEnd])
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0 }
        guard lines.count - 1 <= maxHeaderLines else {
            throw SIPError(.tooLarge, "\(lines.count - 1) header lines, more than \(maxHeaderLines)")
        }
        let startLine = try parseStartLine(Substring(String(decoding: lines.removeFirst(), as: UTF8.self)))
        let headers = try HeaderFields(lines)

        guard let callID = headers.callID, !callID.isEmpty else { throw SIPError(.missingHeader, "no Call-ID") }
        guard let fromValue = headers.from else { throw SIPError(.missingHeader, "no From") }
        guard let toValue = headers.to else { throw SIPError(.missingHeader, "no To") }
        guard let cseqValue = headers.cseq else { throw SIPError(.missingHeader, "no CSeq") }
        let cseq = try parseCSeq(cseqValue)
        if case .request(let method, _) = startLine, method != cseq.method {
            throw SIPError(.badCSeq, "CSeq method \(quoted(cseq.method)) in a \(method) request")
        }

        let available = bytes.count - split.bodyStart
        var bodyLength = available
        if let lengthValue = headers.contentLength {
            guard !lengthValue.isEmpty, lengthValue.count <= 10,
                  lengthValue.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(lengthValue) else {
                throw SIPError(.badContentLength, "Content-Length \(quoted(lengthValue))")
            }
            if length > available {
                if wasCut {
                    throw SIPError(.truncated, "body cut: Content-Length \(length), \(available) bytes captured")
                }
                throw SIPError(.bodyTruncated, "Content-Length \(length) but \(available) body bytes")
            }
            // Over UDP, bytes beyond Content-Length are discarded (§18.3).
            bodyLength = length
        } else if wasCut {
            throw SIPError(.truncated, "no Content-Length and the datagram was cut at \(bytes.count) bytes")
        }
        let body = Array(UnsafeRawBufferPointer(rebasing: bytes[split.bodyStart..<(split.bodyStart + bodyLength)]))

        return SIPMessage(
            startLine: startLine, callID: callID,
            from: try parseNameAddress(fromValue, header: "From"), to: try parseNameAddress(toValue, header: "To"),
            cseq: cseq, topViaBranch: headers.topViaBranch,
            contentType: headers.contentType.map { String($0.prefix { $0 != ";" }.trimmingSpaces()).lowercased() },
            contentTypeValue: headers.contentType, userAgent: headers.userAgent, reason: headers.reason, body: body)
    }

    /// Where the headers end: `headerEnd` is the end of the last header line (its line break excluded),
    /// `bodyStart` the first byte after the empty line. CRLF CRLF, LF LF and mixes are accepted.
    static func endOfHeaders(_ bytes: UnsafeRawBufferPointer) -> (headerEnd: Int, bodyStart: Int)? {
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var index = 0
        while index < bytes.count {
            if bytes[index] == lf {
                var next = index + 1
                if next < bytes.count, bytes[next] == cr { next += 1 }
                if next < bytes.count, bytes[next] == lf {
                    let end = index > 0 && bytes[index - 1] == cr ? index - 1 : index
                    return (end, next + 1)
                }
            }
            index += 1
        }
        return nil
    }

    static func endOfHeaders(_ bytes: [UInt8]) -> (headerEnd: Int, bodyStart: Int)? {
        bytes.withUnsafeBytes { endOfHeaders($0) }
    }

    // MARK: - Pieces

    private static func parseStartLine(_ line: Substring) throws(SIPError) -> SIPMessage.StartLine {
        if line.hasPrefix("SIP/") {
            // SIP/2.0 SP 3DIGIT SP Reason-Phrase (some agents omit the reason and its space).
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, fields[0] == "SIP/2.0" else {
                throw SIPError(.badStartLine, "status line \(quoted(line))")
            }
            guard fields[1].count == 3, fields[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let code = Int(fields[1]), (100...699).contains(code) else {
                throw SIPError(.badStartLine, "status code \(quoted(fields[1]))")
            }
            return .response(statusCode: code, reason: fields.count == 3 ? String(fields[2]) : "")
        }
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[0].isEmpty, fields[0].utf8.allSatisfy(isMethodCharacter),
              fields[1].contains(":"), fields[2] == "SIP/2.0" else {
            throw SIPError(.badStartLine, "request line \(quoted(line))")
        }
        return .request(method: String(fields[0]), uri: String(fields[1]))
    }

    private static func parseCSeq(_ value: String) throws(SIPError) -> SIPCSeq {
        let fields = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        // §8.1.1.5: the number is a 32-bit unsigned integer below 2^31.
        guard fields.count == 2, fields[0].count <= 10, fields[0].allSatisfy({ $0.isASCII && $0.isNumber }),
              let number = UInt32(fields[0]), number < 1 << 31,
              fields[1].utf8.allSatisfy(isTokenCharacter) else {
            throw SIPError(.badCSeq, "CSeq \(quoted(value))")
        }
        return SIPCSeq(number: number, method: String(fields[1]))
    }

    /// name-addr (`"Display" <uri>;params`) or addr-spec (`uri;params`, where `;` starts header params).
    private static func parseNameAddress(_ value: String, header: String) throws(SIPError) -> SIPNameAddress {
        var displayName: String?
        var uri: String
        var parameters: Substring
        if let open = value.firstIndex(of: "<") {
            guard let close = value[open...].firstIndex(of: ">") else {
                throw SIPError(.badHeader, "\(header) without '>': \(quoted(value))")
            }
            let display = value[..<open].trimmingSpaces()
            if !display.isEmpty { displayName = SIPHeaderValue.unquote(display) }
            uri = String(value[value.index(after: open)..<close].trimmingSpaces())
            parameters = value[value.index(after: close)...]
        } else {
            let pieces = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            uri = String(pieces[0].trimmingSpaces())
            parameters = pieces.count == 2 ? ";" + pieces[1] : ""
        }
        guard !uri.isEmpty else { throw SIPError(.badHeader, "\(header) without a URI: \(quoted(value))") }
        let tag = SIPHeaderValue.parameter("tag", in: "x" + parameters)
        return SIPNameAddress(displayName: displayName, uri: uri, tag: tag)
    }

    // MARK: - Characters

    /// RFC 3261 `token` characters.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-.!%*_+`'~".utf8.contains(byte)
        }
    }

    /// Methods in the wild are upper-case tokens; requiring that keeps `startsLikeSIP` from taking
    /// other text protocols' lines for SIP.
    private static func isMethodCharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "-")
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, at offset: Int, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard offset >= 0, bytes.count - offset >= count else { return false }
        return text.withUTF8Buffer { expected in
            for index in 0..<count where bytes[offset + index] != expected[index] { return false }
            return true
        }
    }

    /// Quoted and cut so one bad line cannot flood a log line.
    static func quoted(_ text: some StringProtocol) -> String {
        text.count > 60 ? "'\(text.prefix(60))…'" : "'\(text)'"
    }
}

/// The headers the parser keeps, collected from the unfolded header lines (byte slices of the
/// message; names are matched as bytes, only kept values become Strings).
private struct HeaderFields {
    typealias Bytes = Slice<UnsafeRawBufferPointer>

    var callID: String?
    var from: String?
    var to: String?
    var cseq: String?
    var contentLength: String?
    var contentType: String?
    var topViaBranch: String?
    var userAgent: String?
    var reason: String?
    private var sawVia = false

    init(_ lines: [Bytes]) throws(SIPError) {
        var current: (name: Header?, value: [Bytes])?
        for line in lines {
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                // Folding (§7.3.1): a continuation line extends the previous header's value.
                guard current != nil else { throw SIPError(.badHeader, "continuation line before any header") }
                current!.value.append(Self.trimmed(line))
                continue
            }
            if let header = current, let name = header.name { try take(name, header.value) }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw SIPError(.badHeader, "no ':' in \(SIPParser.quoted(String(decoding: line, as: UTF8.self)))")
            }
            let name = Self.trimmed(line[..<colon])
            guard !name.isEmpty, name.allSatisfy(SIPParser.isTokenCharacter) else {
                throw SIPError(.badHeader, "header name \(SIPParser.quoted(String(decoding: name, as: UTF8.self)))")
            }
            current = (Header(name), [Self.trimmed(line[(colon + 1)...])])
        }
        if let header = current, let name = header.name { try take(name, header.value) }
    }

    /// The headers kept, by their long or compact names (RFC 3261 §7.3.3), any case.
    private enum Header {
        case callID, from, to, cseq, contentLength, contentType, userAgent, reason, via

        init?(_ name: Bytes) {
            // ASCII lower case: setting 0x20 maps no other token byte (digits, -.!%*_+`'~) onto a letter.
            let lower = name.map { $0 | 0x20 }
            switch lower.count {
            case 1:
                switch lower[0] {
                case UInt8(ascii: "i"): self = .callID
                case UInt8(ascii: "f"): self = .from
                case UInt8(ascii: "t"): self = .to
                case UInt8(ascii: "l"): self = .contentLength
                case UInt8(ascii: "c"): self = .contentType
                case UInt8(ascii: "v"): self = .via
                default: return nil
                }
            default:
                switch String(decoding: lower, as: UTF8.self) {
                case "call-id": self = .callID
                case "from": self = .from
                case "to": self = .to
                case "cseq": self = .cseq
                case "content-length": self = .contentLength
                case "content-type": self = .contentType
                case "user-agent", "server": self = .userAgent
                case "reason": self = .reason
                case "via": self = .via
                default: return nil
                }
            }
        }
    }

    private mutating func take(_ header: Header, _ parts: [Bytes]) throws(SIPError) {
        let value = parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        switch header {
        case .callID: try once(&callID, value, "Call-ID")
        case .from: try once(&from, value, "From")
        case .to: try once(&to, value, "To")
        case .cseq: try once(&cseq, value, "CSeq")
        case .contentLength: try once(&contentLength, value, "Content-Length")
        case .contentType: if contentType == nil { contentType = value }
        case .userAgent: if userAgent == nil { userAgent = value }
        case .reason: if reason == nil { reason = value }
        case .via:
            // Only the topmost Via matters: the first value of the first Via header.
            if !sawVia {
                sawVia = true
                let top = String(SIPHeaderValue.splitOutsideQuotes(value, separator: ",")[0])
                topViaBranch = SIPHeaderValue.parameter("branch", in: top)
            }
        }
    }

    private func once(_ field: inout String?, _ value: String, _ name: String) throws(SIPError) {
        if let existing = field {
            guard existing == value else {
                throw SIPError(.conflictingHeaders, "two \(name) headers: \(SIPParser.quoted(existing)), \(SIPParser.quoted(value))")
            }
            return
        }
        field = value
    }

    private static func trimmed(_ bytes: Bytes) -> Bytes {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return bytes[bytes.startIndex..<bytes.startIndex] }
        return bytes[first...last]
    }
}
