// SDP (RFC 8866, which obsoletes RFC 4566): only what RTP analysis needs, i.e. which ports carry
// which payload types at which clock rates, and where RTCP goes. No Foundation.

/// `a=rtpmap:<payload type> <encoding>/<clock rate>[/<channels>]` (RFC 8866 §6.6).
public struct RTPMap: Equatable, Sendable {
    public var payloadType: UInt8
    public var encoding: String
    public var clockRate: Int
    public var channels: Int?

    public init(payloadType: UInt8, encoding: String, clockRate: Int, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encoding = encoding
        self.clockRate = clockRate
        self.channels = channels
    }
}

/// One `m=` section and the attributes that follow it.
public struct MediaDescription: Equatable, Sendable {
    /// audio, video, application, …
    public var media: String
    public var port: UInt16
    /// `m=audio 49170/2 …` announces 2 RTP ports (49170, 49172); 1 when absent.
    public var portCount: Int
    /// RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, …
    public var proto: String
    /// The format list as written; for RTP protocols these are payload types (see `payloadTypes`).
    public var formats: [String]
    /// In the order written; a repeated payload type keeps its first mapping.
    public var rtpMaps: [RTPMap]
    /// `a=rtcp-mux` (RFC 5761): RTCP shares the RTP port.
    public var rtcpMux: Bool
    /// `a=rtcp:<port>` (RFC 3605).
    public var rtcpPort: UInt16?
    /// Media-level `c=` address (TTL and count suffixes removed); nil falls back to the session's.
    public var connectionAddress: String?

    public init(media: String, port: UInt16, portCount: Int = 1, proto: String, formats: [String],
                rtpMaps: [RTPMap] = [], rtcpMux: Bool = false, rtcpPort: UInt16? = nil,
                connectionAddress: String? = nil) {
        self.media = media; self.port = port; self.portCount = portCount; self.proto = proto
        self.formats = formats; self.rtpMaps = rtpMaps; self.rtcpMux = rtcpMux; self.rtcpPort = rtcpPort
        self.connectionAddress = connectionAddress
    }

    public var isRTP: Bool { proto.contains("RTP/") }

    /// The numeric formats of an RTP section (validated to be 0–127 by the parser).
    public var payloadTypes: [UInt8] { isRTP ? formats.compactMap { UInt8($0) } : [] }

    /// Where RTCP is expected: `a=rtcp`, else the RTP port with rtcp-mux, else RTP port + 1 (RFC 3550 §11).
    /// Nil for a disabled section (port 0) or when port + 1 does not exist.
    public var expectedRTCPPort: UInt16? {
        if let rtcpPort { return rtcpPort }
        guard port != 0 else { return nil }
        if rtcpMux { return port }
        return port == .max ? nil : port + 1
    }

    public func clockRate(forPayloadType payloadType: UInt8) -> Int? {
        rtpMaps.first { $0.payloadType == payloadType }?.clockRate
    }
}

/// A parsed session description.
public struct SessionDescription: Equatable, Sendable {
    /// Session-level `c=` address; nil if every section has its own (or none is given).
    public var connectionAddress: String?
    public var media: [MediaDescription]

    public init(connectionAddress: String? = nil, media: [MediaDescription]) {
        self.connectionAddress = connectionAddress
        self.media = media
    }

    /// Every `a=rtpmap` of the session by payload type. The same payload type can be mapped differently
    /// in two sections (e.g. 96 as VP8/90000 for video and opus/48000 for audio): then the *first* section
    /// wins, because earlier sections are the primary media and a later one should not silently change a
    /// rate already in use. When the port is known, prefer `clockRate(forPayloadType:port:)`.
    public var clockRates: [UInt8: Int] { firstMappings(\.clockRate) }

    /// Every `a=rtpmap` encoding name by payload type, the first section winning as in `clockRates`.
    public var encodingNames: [UInt8: String] { firstMappings(\.encoding) }

    private func firstMappings<Value>(_ value: (RTPMap) -> Value) -> [UInt8: Value] {
        var values: [UInt8: Value] = [:]
        for section in media {
            for map in section.rtpMaps where values[map.payloadType] == nil {
                values[map.payloadType] = value(map)
            }
        }
        return values
    }

    /// The rate from the section announcing `port` (RTP port or RTCP-mux port) if any, else `clockRates`.
    public func clockRate(forPayloadType payloadType: UInt8, port: UInt16?) -> Int? {
        if let port, let section = media.first(where: { $0.port == port && $0.port != 0 }),
           let rate = section.clockRate(forPayloadType: payloadType) {
            return rate
        }
        return clockRates[payloadType]
    }
}

/// Why an SDP text was refused: where, and a one-line reason.
public struct SDPError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Error, Equatable, Sendable, CustomStringConvertible {
        /// The first line is not `v=` (or the text is empty).
        case missingVersion
        case unsupportedVersion(String)
        /// Not `<letter>=<value>`.
        case malformedLine(String)
        case badConnection(String)
        case badMedia(String)
        case badRTPMap(String)
        case badRTCPAttribute(String)
        /// `a=rtpmap`, `a=rtcp` or `a=rtcp-mux` before the first `m=`: they describe a media section.
        case mediaAttributeOutsideMedia(String)

        public var description: String {
            switch self {
            case .missingVersion: return "SDP must start with a v= line"
            case .unsupportedVersion(let v): return "unsupported SDP version \(Self.quote(v)) (only 0 exists)"
            case .malformedLine(let l): return "not a <type>=<value> line: \(Self.quote(l))"
            case .badConnection(let v): return "bad c= line, expected 'IN IP4|IP6 <address>': \(Self.quote(v))"
            case .badMedia(let v): return "bad m= line, expected '<media> <port>[/<count>] <proto> <fmt> …': \(Self.quote(v))"
            case .badRTPMap(let v): return "bad a=rtpmap, expected '<pt 0-127> <encoding>/<clock>[/<channels>]': \(Self.quote(v))"
            case .badRTCPAttribute(let v): return "bad a=rtcp, expected '<port> [IN IP4|IP6 <address>]': \(Self.quote(v))"
            case .mediaAttributeOutsideMedia(let a): return "a=\(a) before any m= line"
            }
        }

        /// Quoted and cut to 60 characters so that one bad line cannot flood a log line.
        private static func quote(_ text: String) -> String {
            text.count > 60 ? "'\(text.prefix(60))…'" : "'\(text)'"
        }
    }

    /// 1-based line number.
    public var line: Int
    public var reason: Reason

    public init(line: Int, reason: Reason) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "SDP line \(line): \(reason)" }
}

public enum SDPParser {
    /// Parses SDP text. Accepts CRLF or LF line ends, blank lines and any line type it does not need;
    /// refuses text that is not SDP (no leading `v=0`, lines without `<type>=`) and malformed `c=`,
    /// `m=`, `a=rtpmap` and `a=rtcp` lines.
    public static func parse(_ text: String) throws(SDPError) -> SessionDescription {
        var builder = SessionBuilder()
        // "\r\n" is a single Character in Swift, so this splits CRLF and LF text alike.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty { continue }
            do {
                try builder.consume(line, lineNumber: index + 1)
            } catch {
                throw SDPError(line: index + 1, reason: error)
            }
        }
        guard builder.sawVersion else { throw SDPError(line: 1, reason: .missingVersion) }
        return builder.session
    }
}

/// Accumulates the session line by line; each `consume` handles one `<type>=<value>` line.
private struct SessionBuilder {
    var session = SessionDescription(media: [])
    var sawVersion = false

    mutating func consume(_ line: Substring, lineNumber: Int) throws(SDPError.Reason) {
        let characters = Array(line.prefix(2))
        guard characters.count == 2, characters[1] == "=", let type = characters.first, type.isASCII, type.isLetter else {
            throw sawVersion ? .malformedLine(String(line)) : .missingVersion
        }
        let value = line.dropFirst(2).trimmingTrailingWhitespace()
        guard sawVersion else {
            guard type == "v" else { throw .missingVersion }
            guard value == "0" else { throw .unsupportedVersion(String(value)) }
            sawVersion = true
            return
        }
        switch type {
        case "c": try connection(value)
        case "m": session.media.append(try SDPLineParsers.media(value))
        case "a": try attribute(value)
        default: break  // o=, s=, t=, b=, i=, … carry nothing rtpscope needs
        }
    }

    private mutating func connection(_ value: Substring) throws(SDPError.Reason) {
        let address = try SDPLineParsers.connectionAddress(value)
        if session.media.isEmpty {
            session.connectionAddress = address
        } else {
            session.media[session.media.count - 1].connectionAddress = address
        }
    }

    private mutating func attribute(_ value: Substring) throws(SDPError.Reason) {
        let name = value.prefix { $0 != ":" }
        let argument = value.dropFirst(name.count + 1)
        guard ["rtpmap", "rtcp", "rtcp-mux"].contains(name) else { return }
        guard !session.media.isEmpty else { throw .mediaAttributeOutsideMedia(String(name)) }
        let current = session.media.count - 1
        switch name {
        case "rtpmap":
            let map = try SDPLineParsers.rtpMap(argument)
            if session.media[current].clockRate(forPayloadType: map.payloadType) == nil {
                session.media[current].rtpMaps.append(map)
            }
        case "rtcp":
            session.media[current].rtcpPort = try SDPLineParsers.rtcpPort(argument)
        default:
            session.media[current].rtcpMux = true
        }
    }
}

/// Parsers for the values of the lines rtpscope reads.
private enum SDPLineParsers {
    /// `IN IP4 224.2.36.42/127` → `224.2.36.42` (TTL and address count removed).
    static func connectionAddress(_ value: Substring) throws(SDPError.Reason) -> String {
        let fields = value.split(separator: " ")
        guard fields.count == 3, fields[0] == "IN", fields[1] == "IP4" || fields[1] == "IP6",
              let address = fields[2].split(separator: "/").first else {
            throw .badConnection(String(value))
        }
        return String(address)
    }

    /// `audio 49170[/2] RTP/AVP 0 96`.
    static func media(_ value: Substring) throws(SDPError.Reason) -> MediaDescription {
        let fields = value.split(separator: " ")
        guard fields.count >= 4 else { throw .badMedia(String(value)) }
        let portFields = fields[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portFields.count <= 2, let port = UInt16(portFields[0]) else { throw .badMedia(String(value)) }
        var portCount = 1
        if portFields.count == 2 {
            guard let count = Int(portFields[1]), count >= 1 else { throw .badMedia(String(value)) }
            portCount = count
        }
        let section = MediaDescription(media: String(fields[0]), port: port, portCount: portCount,
                                       proto: String(fields[2]), formats: fields[3...].map(String.init))
        // RTP formats are payload types; anything else there means the line is not what it claims.
        if section.isRTP {
            guard section.formats.allSatisfy({ UInt8($0).map { $0 < 128 } ?? false }) else {
                throw .badMedia(String(value))
            }
        }
        return section
    }

    /// `96 opus/48000/2`.
    static func rtpMap(_ value: Substring) throws(SDPError.Reason) -> RTPMap {
        let fields = value.split(separator: " ", maxSplits: 1)
        guard fields.count == 2, let payloadType = UInt8(fields[0]), payloadType < 128 else {
            throw .badRTPMap(String(value))
        }
        let parts = fields[1].split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty,
              let clockRate = Int(parts[1]), clockRate > 0 else {
            throw .badRTPMap(String(value))
        }
        var channels: Int?
        if parts.count == 3 {
            guard let count = Int(parts[2]), count > 0 else { throw .badRTPMap(String(value)) }
            channels = count
        }
        return RTPMap(payloadType: payloadType, encoding: String(parts[0]), clockRate: clockRate, channels: channels)
    }

    /// `53020` or `53020 IN IP4 126.16.64.4`: only the port is used.
    static func rtcpPort(_ value: Substring) throws(SDPError.Reason) -> UInt16 {
        guard let first = value.split(separator: " ").first, let port = UInt16(first) else {
            throw .badRTCPAttribute(String(value))
        }
        return port
    }
}

private extension Substring {
    /// Generators sometimes leave a space before the line end; it is not part of any value.
    func trimmingTrailingWhitespace() -> Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " || self[index(before: end)] == "\t" {
            end = index(before: end)
        }
        return self[startIndex..<end]
    }
}
