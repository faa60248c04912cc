// SIP (RFC 3261) messages as far as call tracking needs them: the start line, the headers that
// identify a dialog and a transaction (Call-ID, From/To tags, CSeq, the top Via branch), and the body
// with its type. No Foundation.

/// One SIP request or response.
public struct SIPMessage: Sendable, Equatable {
    public enum StartLine: Sendable, Equatable {
        /// `INVITE sip:bob@example.com SIP/2.0`
        case request(method: String, uri: String)
        /// `SIP/2.0 180 Ringing`
        case response(statusCode: Int, reason: String)
    }

    public var startLine: StartLine
    public var callID: String
    public var from: SIPNameAddress
    public var to: SIPNameAddress
    public var cseq: SIPCSeq
    /// The `branch` parameter of the topmost Via: one hop of one transaction (RFC 3261 §17.2.3).
    public var topViaBranch: String?
    /// The media type of the body, lower case without parameters (`application/sdp`).
    public var contentType: String?
    /// The whole Content-Type value, parameters included (a multipart body needs its boundary).
    public var contentTypeValue: String?
    /// `User-Agent` of a request or `Server` of a response.
    public var userAgent: String?
    /// The `Reason` header (RFC 3326), e.g. `Q.850;cause=16;text="Normal call clearing"`.
    public var reason: String?
    /// Exactly Content-Length bytes (or the rest of the datagram when it has no Content-Length).
    public var body: [UInt8]

    public init(startLine: StartLine, callID: String, from: SIPNameAddress, to: SIPNameAddress, cseq: SIPCSeq,
                topViaBranch: String? = nil, contentType: String? = nil, contentTypeValue: String? = nil,
                userAgent: String? = nil, reason: String? = nil, body: [UInt8] = []) {
        self.startLine = startLine; self.callID = callID; self.from = from; self.to = to; self.cseq = cseq
        self.topViaBranch = topViaBranch; self.contentType = contentType
        self.contentTypeValue = contentTypeValue ?? contentType
        self.userAgent = userAgent; self.reason = reason; self.body = body
    }

    /// The request method; nil for a response.
    public var method: String? {
        if case .request(let method, _) = startLine { return method }
        return nil
    }

    /// The status code; nil for a request.
    public var statusCode: Int? {
        if case .response(let code, _) = startLine { return code }
        return nil
    }

    public var isRequest: Bool { method != nil }

    /// The SDP the body carries: the body itself when it is `application/sdp` (or untyped but starts
    /// with `v=0`), or the `application/sdp` part of a `multipart/*` body (SIP-I, SIP-T, …).
    /// nil when there is no SDP; throws when there is SDP and it does not parse.
    public func sessionDescription() throws(SDPError) -> SessionDescription? {
        guard !body.isEmpty else { return nil }
        switch contentType {
        case "application/sdp":
            return try SDPParser.parse(String(decoding: body, as: UTF8.self))
        case nil:
            guard body.starts(with: Array("v=0".utf8)) else { return nil }
            return try SDPParser.parse(String(decoding: body, as: UTF8.self))
        case let type? where type.hasPrefix("multipart/"):
            guard let boundary = SIPHeaderValue.parameter("boundary", in: contentTypeValue ?? ""),
                  let part = MultipartBody.part(ofType: "application/sdp", in: body, boundary: boundary)
            else { return nil }
            return try SDPParser.parse(String(decoding: part, as: UTF8.self))
        default:
            return nil
        }
    }
}

/// A From or To value: `"Alice" <sip:alice@example.com>;tag=1928301774`.
public struct SIPNameAddress: Sendable, Equatable {
    public var displayName: String?
    public var uri: String
    public var tag: String?

    public init(displayName: String? = nil, uri: String, tag: String? = nil) {
        self.displayName = displayName
        self.uri = uri
        self.tag = tag
    }

    /// `user@host` of a sip:/sips:/tel: URI: the address of record, without port, URI parameters
    /// or headers (`sip:alice@192.0.2.1:5060;transport=udp` → `alice@192.0.2.1`).
    public var userAtHost: String {
        var rest = Substring(uri)
        for scheme in ["sip:", "sips:", "tel:"] where rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            break
        }
        rest = rest.prefix { $0 != ";" && $0 != "?" && $0 != ">" }
        let hostStart = rest.lastIndex(of: "@").map { rest.index(after: $0) } ?? rest.startIndex
        let user = rest[..<hostStart]
        var host = rest[hostStart...]
        if host.first == "[" {
            if let close = host.firstIndex(of: "]") { host = host[...close] }
        } else if let colon = host.firstIndex(of: ":") {
            host = host[..<colon]
        }
        return String(user + host)
    }
}

/// `CSeq: 4711 INVITE`.
public struct SIPCSeq: Sendable, Equatable, Hashable {
    public var number: UInt32
    public var method: String

    public init(number: UInt32, method: String) {
        self.number = number
        self.method = method
    }
}

/// Why a SIP message was refused, by kind (the counted reason) with a one-line detail.
public struct SIPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// Neither `METHOD URI SIP/2.0` nor `SIP/2.0 CODE REASON`.
        case badStartLine = "bad_start_line"
        /// A header line without `name:`, a name that is not a token, or a continuation line first.
        case badHeader = "bad_header"
        /// No blank line ends the headers (and the datagram was not cut short).
        case unterminatedHeaders = "unterminated_headers"
        /// Call-ID, From, To or CSeq missing: the message cannot be placed in a dialog.
        case missingHeader = "missing_header"
        /// Two different values of a header that may appear once (Call-ID, CSeq, From, To, Content-Length).
        case conflictingHeaders = "conflicting_headers"
        /// CSeq not `<number> <method>`, or its method differs from the request's.
        case badCSeq = "bad_cseq"
        case badContentLength = "bad_content_length"
        /// Content-Length promises more bytes than the datagram holds.
        case bodyTruncated = "body_truncated"
        /// The capture (snaplen) or the live copy cut the message: what is missing cannot be parsed.
        case truncated = "truncated"
        /// Larger than `SIPParser.maxMessageBytes` or more than `maxHeaderLines` header lines.
        case tooLarge = "too_large"
        /// A well-formed SIP message whose SDP body does not parse (the message still counts).
        case badSDP = "bad_sdp"

        /// The `AnalysisSummary.malformed` key.
        public var key: String { "sip_" + rawValue }
    }

    public var kind: Kind
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "SIP \(kind.rawValue.replacingUnderscores): \(detail)" }
}

private extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}

/// Small helpers over header values shared by the parser and the body code.
enum SIPHeaderValue {
    /// `name=value` among the `;`-separated parameters of a header value (quotes removed); case-insensitive name.
    static func parameter(_ name: String, in value: String) -> String? {
        for piece in splitOutsideQuotes(value, separator: ";").dropFirst() {
            let parts = piece.split(separator: "=", maxSplits: 1)
            guard parts.count == 2,
                  parts[0].trimmingSpaces().lowercased() == name else { continue }
            return unquote(parts[1].trimmingSpaces())
        }
        return nil
    }

    /// Splits at `separator` (ASCII) except inside double quotes or angle brackets. Walks UTF-8 bytes:
    /// the separators are ASCII, so every split point is a valid String index.
    static func splitOutsideQuotes(_ value: String, separator: Character) -> [Substring] {
        guard let separatorByte = separator.asciiValue else { return [value[...]] }
        var pieces: [Substring] = []
        let utf8 = value.utf8
        var start = utf8.startIndex
        var quoted = false, angle = false, escaped = false
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if escaped {
                escaped = false
            } else if quoted {
                if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { quoted = false }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: "<") {
                angle = true
            } else if byte == UInt8(ascii: ">") {
                angle = false
            } else if byte == separatorByte && !angle {
                pieces.append(value[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        pieces.append(value[start...])
        return pieces
    }

    static func unquote(_ text: Substring) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return String(text) }
        var result = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped { result.append(character); escaped = false } else if character == "\\" { escaped = true } else { result.append(character) }
        }
        return result
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (SIP's LWS once lines are unfolded).
    func trimmingSpaces() -> Substring {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) })
        else { return self[endIndex...] }
        return self[first...last]
    }
}

/// The one part of a `multipart/*` body (RFC 2046 §5.1) with a given Content-Type.
enum MultipartBody {
    static func part(ofType type: String, in body: [UInt8], boundary: String) -> [UInt8]? {
        guard !boundary.isEmpty else { return nil }
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [Range<Int>] = []
        var index = 0
        var partStart: Int?
        while let found = find(delimiter, in: body, from: index) {
            // A delimiter starts a line: it is preceded by CRLF (or LF) except at the very start.
            if let start = partStart {
                var end = found
                if end > start, body[end - 1] == UInt8(ascii: "\n") { end -= 1 }
                if end > start, body[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                parts.append(start..<max(start, end))
            }
            var next = found + delimiter.count
            if next + 1 < body.count, body[next] == UInt8(ascii: "-"), body[next + 1] == UInt8(ascii: "-") { break }
            while next < body.count, body[next] != UInt8(ascii: "\n") { next += 1 }
            partStart = min(next + 1, body.count)
            index = partStart!
        }
        for range in parts {
            let part = Array(body[range])
            guard let split = SIPParser.endOfHeaders(part) else { continue }
            let headers = String(decoding: part[..<split.headerEnd], as: UTF8.self)
            for line in headers.split(whereSeparator: \.isNewline) {
                let pieces = line.split(separator: ":", maxSplits: 1)
                guard pieces.count == 2, pieces[0].trimmingSpaces().lowercased() == "content-type" else { continue }
                let value = pieces[1].trimmingSpaces().prefix { $0 != ";" }.trimmingSpaces().lowercased()
                if value == type { return Array(part[split.bodyStart...]) }
            }
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
