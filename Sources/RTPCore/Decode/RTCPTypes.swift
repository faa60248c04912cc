// RTCP packet model (RFC 3550 §6, RFC 4585, RFC 3611). Decoding lives in RTCPDecoder.swift.

/// One RFC 3550 report block (in SR and RR).
public struct RTCPReportBlock: Equatable, Sendable {
    public var ssrc: UInt32
    public var fractionLost: UInt8
    /// 24-bit signed cumulative number of packets lost.
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    public var jitter: UInt32
    public var lastSR: UInt32
    public var delaySinceLastSR: UInt32

    public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32,
                jitter: UInt32, lastSR: UInt32, delaySinceLastSR: UInt32) {
        self.ssrc = ssrc; self.fractionLost = fractionLost; self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence; self.jitter = jitter
        self.lastSR = lastSR; self.delaySinceLastSR = delaySinceLastSR
    }
}

public struct RTCPSenderReport: Equatable, Sendable {
    public var ssrc: UInt32
    /// 64-bit NTP timestamp (seconds << 32 | fraction).
    public var ntpTimestamp: UInt64
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    public var reports: [RTCPReportBlock]

    /// The middle 32 bits of the NTP timestamp: what a receiver echoes as LSR.
    public var compactNTP: UInt32 { UInt32(truncatingIfNeeded: ntpTimestamp >> 16) }

    public init(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32,
                octetCount: UInt32, reports: [RTCPReportBlock]) {
        self.ssrc = ssrc; self.ntpTimestamp = ntpTimestamp; self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount; self.octetCount = octetCount; self.reports = reports
    }
}

public struct RTCPReceiverReport: Equatable, Sendable {
    public var ssrc: UInt32
    public var reports: [RTCPReportBlock]

    public init(ssrc: UInt32, reports: [RTCPReportBlock]) {
        self.ssrc = ssrc
        self.reports = reports
    }
}

public struct RTCPSourceDescription: Equatable, Sendable {
    public struct Chunk: Equatable, Sendable {
        public var ssrc: UInt32
        /// (item type, UTF-8 text). Type 1 is CNAME.
        public var items: [(type: UInt8, text: String)]

        public init(ssrc: UInt32, items: [(type: UInt8, text: String)]) {
            self.ssrc = ssrc
            self.items = items
        }

        public var cname: String? { items.first { $0.type == 1 }?.text }

        public static func == (a: Chunk, b: Chunk) -> Bool {
            a.ssrc == b.ssrc && a.items.map(\.type) == b.items.map(\.type) && a.items.map(\.text) == b.items.map(\.text)
        }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) { self.chunks = chunks }
}

public struct RTCPGoodbye: Equatable, Sendable {
    public var ssrcs: [UInt32]
    public var reason: String?

    public init(ssrcs: [UInt32], reason: String?) {
        self.ssrcs = ssrcs
        self.reason = reason
    }
}

public struct RTCPApplicationDefined: Equatable, Sendable {
    public var subtype: UInt8
    public var ssrc: UInt32
    /// Four ASCII characters.
    public var name: String
    public var dataLength: Int

    public init(subtype: UInt8, ssrc: UInt32, name: String, dataLength: Int) {
        self.subtype = subtype; self.ssrc = ssrc; self.name = name; self.dataLength = dataLength
    }
}

/// RTPFB (205) and PSFB (206), RFC 4585: the FMT says which message (1 = NACK / PLI, 15 = REMB / transport-cc …).
public struct RTCPFeedback: Equatable, Sendable {
    public enum Kind: UInt8, Sendable { case transportLayer = 205, payloadSpecific = 206 }
    public var kind: Kind
    public var format: UInt8
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var fciLength: Int

    public init(kind: Kind, format: UInt8, senderSSRC: UInt32, mediaSSRC: UInt32, fciLength: Int) {
        self.kind = kind; self.format = format; self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC; self.fciLength = fciLength
    }
}

/// RFC 3611 XR. Every block's type is identified; statistics summary (6) and VoIP metrics (7) are decoded.
public struct RTCPExtendedReport: Equatable, Sendable {
    public struct StatisticsSummary: Equatable, Sendable {
        public var ssrc: UInt32
        public var beginSequence: UInt16
        public var endSequence: UInt16
        public var lostPackets: UInt32
        public var duplicatePackets: UInt32
        public var minJitter: UInt32
        public var maxJitter: UInt32
        public var meanJitter: UInt32
        public var devJitter: UInt32
        public var minTTLOrHopLimit: UInt8
        public var maxTTLOrHopLimit: UInt8
        public var meanTTLOrHopLimit: UInt8
        public var devTTLOrHopLimit: UInt8
        /// The raw type-specific byte: L (0x80) loss, D (0x40) duplicates, J (0x20) jitter fields valid;
        /// bits 0x18 = ToH (0 none, 1 IPv4 TTL, 2 IPv6 hop limit).
        public var flags: UInt8

        public init(ssrc: UInt32, beginSequence: UInt16, endSequence: UInt16, lostPackets: UInt32,
                    duplicatePackets: UInt32, minJitter: UInt32, maxJitter: UInt32, meanJitter: UInt32,
                    devJitter: UInt32, minTTLOrHopLimit: UInt8, maxTTLOrHopLimit: UInt8,
                    meanTTLOrHopLimit: UInt8, devTTLOrHopLimit: UInt8, flags: UInt8) {
            self.ssrc = ssrc; self.beginSequence = beginSequence; self.endSequence = endSequence
            self.lostPackets = lostPackets; self.duplicatePackets = duplicatePackets
            self.minJitter = minJitter; self.maxJitter = maxJitter; self.meanJitter = meanJitter
            self.devJitter = devJitter; self.minTTLOrHopLimit = minTTLOrHopLimit
            self.maxTTLOrHopLimit = maxTTLOrHopLimit; self.meanTTLOrHopLimit = meanTTLOrHopLimit
            self.devTTLOrHopLimit = devTTLOrHopLimit; self.flags = flags
        }
    }

    public struct VoIPMetrics: Equatable, Sendable {
        public var ssrc: UInt32
        public var lossRate: UInt8
        public var discardRate: UInt8
        public var burstDensity: UInt8
        public var gapDensity: UInt8
        public var burstDuration: UInt16
        public var gapDuration: UInt16
        public var roundTripDelay: UInt16
        public var endSystemDelay: UInt16
        public var signalLevel: Int8
        public var noiseLevel: Int8
        public var residualEchoReturnLoss: UInt8
        public var gmin: UInt8
        public var rFactor: UInt8
        public var extRFactor: UInt8
        public var mosLQ: UInt8
        public var mosCQ: UInt8
        public var receiverConfiguration: UInt8
        public var jitterBufferNominal: UInt16
        public var jitterBufferMaximum: UInt16
        public var jitterBufferAbsoluteMaximum: UInt16

        public init(ssrc: UInt32, lossRate: UInt8, discardRate: UInt8, burstDensity: UInt8, gapDensity: UInt8,
                    burstDuration: UInt16, gapDuration: UInt16, roundTripDelay: UInt16, endSystemDelay: UInt16,
                    signalLevel: Int8, noiseLevel: Int8, residualEchoReturnLoss: UInt8, gmin: UInt8,
                    rFactor: UInt8, extRFactor: UInt8, mosLQ: UInt8, mosCQ: UInt8, receiverConfiguration: UInt8,
                    jitterBufferNominal: UInt16, jitterBufferMaximum: UInt16, jitterBufferAbsoluteMaximum: UInt16) {
            self.ssrc = ssrc; self.lossRate = lossRate; self.discardRate = discardRate
            self.burstDensity = burstDensity; self.gapDensity = gapDensity; self.burstDuration = burstDuration
            self.gapDuration = gapDuration; self.roundTripDelay = roundTripDelay
            self.endSystemDelay = endSystemDelay; self.signalLevel = signalLevel; self.noiseLevel = noiseLevel
            self.residualEchoReturnLoss = residualEchoReturnLoss; self.gmin = gmin; self.rFactor = rFactor
            self.extRFactor = extRFactor; self.mosLQ = mosLQ; self.mosCQ = mosCQ
            self.receiverConfiguration = receiverConfiguration; self.jitterBufferNominal = jitterBufferNominal
            self.jitterBufferMaximum = jitterBufferMaximum
            self.jitterBufferAbsoluteMaximum = jitterBufferAbsoluteMaximum
        }
    }

    public enum Block: Equatable, Sendable {
        case statisticsSummary(StatisticsSummary)   // BT 6
        case voipMetrics(VoIPMetrics)               // BT 7
        /// Any other block: its type (1 loss RLE, 2 duplicate RLE, 3 packet receipt times,
        /// 4 receiver reference time, 5 DLRR, …) and its total length in bytes, 4-byte block header included.
        case other(blockType: UInt8, length: Int)

        public var blockType: UInt8 {
            switch self {
            case .statisticsSummary: return 6
            case .voipMetrics: return 7
            case .other(let type, _): return type
            }
        }
    }

    public var ssrc: UInt32
    public var blocks: [Block]

    public init(ssrc: UInt32, blocks: [Block]) {
        self.ssrc = ssrc
        self.blocks = blocks
    }
}

/// One packet of an RTCP compound datagram.
public enum RTCPPacket: Equatable, Sendable {
    case senderReport(RTCPSenderReport)          // 200
    case receiverReport(RTCPReceiverReport)      // 201
    case sourceDescription(RTCPSourceDescription) // 202
    case goodbye(RTCPGoodbye)                    // 203
    case applicationDefined(RTCPApplicationDefined) // 204
    case feedback(RTCPFeedback)                  // 205, 206
    case extendedReport(RTCPExtendedReport)      // 207
    /// A type in 192–223 this decoder does not model; `length` is the declared packet length in bytes.
    case unknown(packetType: UInt8, length: Int)

    /// The RTCP packet type number (200 SR … 207 XR, or the unknown type as seen).
    public var packetType: UInt8 {
        switch self {
        case .senderReport: return 200
        case .receiverReport: return 201
        case .sourceDescription: return 202
        case .goodbye: return 203
        case .applicationDefined: return 204
        case .feedback(let f): return f.kind.rawValue
        case .extendedReport: return 207
        case .unknown(let type, _): return type
        }
    }

    /// Short lower-case name used as a counter label: sr, rr, sdes, bye, app, rtpfb, psfb, xr, other.
    public var typeName: String {
        switch self {
        case .senderReport: return "sr"
        case .receiverReport: return "rr"
        case .sourceDescription: return "sdes"
        case .goodbye: return "bye"
        case .applicationDefined: return "app"
        case .feedback(let f): return f.kind == .transportLayer ? "rtpfb" : "psfb"
        case .extendedReport: return "xr"
        case .unknown: return "other"
        }
    }
}

/// Why an RTCP datagram was refused. Counted under `summary.malformed` as `rtcp_<raw value>`.
public enum RTCPRejection: String, Error, Sendable, CaseIterable {
    /// Fewer than 4 bytes left for a header, or a packet shorter than its type's fixed fields.
    case tooShort = "too_short"
    /// Not an RTCP header: version != 2, or a packet type outside 192–223 (RFC 5761 §4).
    case badVersion = "bad_version"
    /// A length runs past its container: a packet's length field past the datagram, or a padding
    /// count past the packet (0 or eating into the 4-byte header).
    case lengthOverrun = "length_overrun"
    /// SR/RR report blocks or BYE sources do not fit the declared length.
    case badReportCount = "bad_report_count"
    /// SDES/BYE/XR content inconsistent with its length.
    case badItem = "bad_item"
    /// Never produced by `RTCPDecoder`: RFC 5506 reduced-size RTCP (a lone PLI, NACK or transport-cc)
    /// legitimately starts with something other than SR/RR, so it is not malformed; see
    /// `RTCPDecodeResult.isReducedSize`. Kept because label tables list it.
    case notFirstReport = "not_first_report"
}
