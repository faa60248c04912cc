// RTCP compound decoding (RFC 3550 §6, RFC 4585 §6, RFC 3611) and key-less SRTCP recognition
// (RFC 3711 §3.4, RFC 7714 §9). The model types live in RTCPTypes.swift.
//
// RTCP is rare next to RTP, so this code favours clarity over speed; it still never traps: every
// length comes from the buffer and is checked before the unchecked big-endian loads.

/// What an SRTCP datagram shows in the clear. RFC 3711 §3.4 leaves the first 8 bytes (the first
/// packet's common header and its SSRC) unencrypted so that a receiver can find the crypto context.
public struct SRTCPHeader: Equatable, Sendable {
    /// Type of the first packet (normally 200 SR or 201 RR; RFC 5506 reduced-size SRTCP may start with feedback or APP).
    public var packetType: UInt8
    public var ssrc: UInt32
    /// The E flag. False for authenticated-only SRTCP, whose packets are in the clear and decoded in full.
    public var isEncrypted: Bool

    public init(packetType: UInt8, ssrc: UInt32, isEncrypted: Bool) {
        self.packetType = packetType
        self.ssrc = ssrc
        self.isEncrypted = isEncrypted
    }
}

/// The outcome of decoding one RTCP datagram.
public struct RTCPDecodeResult: Sendable {
    /// Every packet decoded before the first problem. For encrypted SRTCP only what is provably clear:
    /// the first packet if it lies entirely in the 8 clear bytes (an RR without report blocks), else nothing.
    public var packets: [RTCPPacket]
    /// The first problem found; nil when the whole datagram decoded (or was recognised as SRTCP).
    public var rejection: RTCPRejection?
    /// Set when the datagram is SRTCP; see `SRTCPRecognizer` for the rule.
    public var srtcp: SRTCPHeader?
    /// The source copied only a prefix of the datagram and the walk reached its end: `packets` holds
    /// what the copy holds (a packet cut in the middle keeps its readable part: the report blocks,
    /// SDES items … that were copied whole). Not a rejection.
    public var truncated: Bool = false

    public var isSRTCP: Bool { srtcp != nil }

    /// RFC 5506 reduced-size RTCP: the datagram does not start with SR or RR (e.g. a lone PLI or NACK).
    public var isReducedSize: Bool {
        guard let firstType = packets.first?.packetType ?? srtcp?.packetType else { return false }
        return firstType != 200 && firstType != 201
    }

    public init(packets: [RTCPPacket], rejection: RTCPRejection?, srtcp: SRTCPHeader? = nil, truncated: Bool = false) {
        self.packets = packets
        self.rejection = rejection
        self.srtcp = srtcp
        self.truncated = truncated
    }
}

public enum RTCPDecoder {
    /// Decodes an RTCP compound datagram (or recognises SRTCP). Never traps.
    ///
    /// `originalLength` is the datagram's length on the wire when `bytes` is only its first part
    /// (`Datagram.originalLength`): lengths are checked against it, and the walk stops, without a
    /// rejection, where the copy ends (`truncated`). A cut datagram cannot be recognised as SRTCP (its
    /// trailer is gone): one whose copied part does not decode as plain RTCP keeps its rejection.
    public static func decodeCompound(_ bytes: UnsafeRawBufferPointer, originalLength: Int? = nil) -> RTCPDecodeResult {
        let walk = RTCPCompoundWalk(bytes, originalLength: originalLength ?? bytes.count)
        guard let rejection = walk.rejection else {
            return RTCPDecodeResult(packets: walk.packets, rejection: nil, truncated: walk.truncated)
        }
        // Only a datagram the plain walk cannot account for is a candidate for SRTCP: a valid plain
        // compound is never relabelled.
        if !walk.truncated, let srtcp = SRTCPRecognizer.recognize(bytes, walk: walk) {
            return srtcp
        }
        return RTCPDecodeResult(packets: walk.packets, rejection: rejection, truncated: walk.truncated)
    }
}

// MARK: - Compound walk

/// Walks the packets of a compound from the start until the end or the first problem.
struct RTCPCompoundWalk {
    private(set) var packets: [RTCPPacket] = []
    private(set) var rejection: RTCPRejection?
    /// Offset of the packet the walk stopped at: `bytes.count` when everything decoded.
    private(set) var stoppedAt = 0
    /// The datagram is longer than the copy (`originalLength > bytes.count`).
    private(set) var truncated = false

    init(_ bytes: UnsafeRawBufferPointer, originalLength: Int? = nil) {
        let length = max(originalLength ?? bytes.count, bytes.count)
        truncated = length > bytes.count
        guard length > 0 else {
            rejection = .tooShort
            return
        }
        while stoppedAt < bytes.count {
            do {
                let (packet, packetLength) = try Self.decodePacket(bytes, at: stoppedAt, datagramLength: length)
                if let packet { packets.append(packet) }
                stoppedAt += packetLength
            } catch {
                rejection = error
                return
            }
        }
    }

    /// Validates the common header at `offset` and decodes the packet; returns it with its length in bytes.
    /// A packet the copy cuts (only in a datagram longer than `bytes`) yields what is readable of it, nil
    /// when not even its fixed part was copied; the walk then ends at the copy's end.
    static func decodePacket(_ bytes: UnsafeRawBufferPointer, at offset: Int,
                             datagramLength: Int? = nil) throws(RTCPRejection) -> (RTCPPacket?, Int) {
        let copied = bytes.count - offset
        let remaining = max(datagramLength ?? bytes.count, bytes.count) - offset
        guard remaining >= 4 else { throw .tooShort }
        let first = bytes[offset]
        guard first >> 6 == 2 else { throw .badVersion }
        // A header cut by the copy: nothing more can be read or checked.
        guard copied >= 2 else { return (nil, copied) }
        let packetType = bytes[offset + 1]
        // RFC 5761 §4: RTCP types are 192–223; anything else is not RTCP (or is encrypted data).
        guard packetType >= 192 && packetType <= 223 else { throw .badVersion }
        guard copied >= 4 else { return (nil, copied) }
        // The length field counts 32-bit words minus one, so a packet is 4…262144 bytes.
        let length = (Int(bytes.loadBigEndianUInt16(at: offset + 2)) + 1) * 4
        guard length <= remaining else { throw .lengthOverrun }
        guard length <= copied else {
            // Cut: the padding count (the packet's last byte) was not copied either.
            let view = RTCPPacketView(bytes: bytes, start: offset, length: length, contentLength: copied,
                                      packetType: packetType, countField: first & 0x1F)
            return (view.decodeReadablePart(), copied)
        }
        var contentLength = length
        if first & 0x20 != 0 {
            // The last octet counts the padding, itself included (RFC 3550 §6.4.1).
            let padding = Int(bytes[offset + length - 1])
            guard padding > 0, padding <= length - 4 else { throw .lengthOverrun }
            contentLength -= padding
        }
        let view = RTCPPacketView(bytes: bytes, start: offset, length: length, contentLength: contentLength,
                                  packetType: packetType, countField: first & 0x1F)
        return (try view.decode(), length)
    }
}

// MARK: - One packet

/// One packet of a compound whose common header was validated. Readers take offsets relative to the
/// packet start; every decoder checks `contentLength` (the packet without its padding) before reading,
/// so the unchecked loads never leave the packet.
struct RTCPPacketView {
    let bytes: UnsafeRawBufferPointer
    let start: Int
    /// Declared length in bytes, header and padding included.
    let length: Int
    /// `length` minus the padding.
    let contentLength: Int
    let packetType: UInt8
    /// The 5 bits after V and P: report count (SR/RR), source count (SDES/BYE), subtype (APP), FMT (feedback).
    let countField: UInt8

    func decode() throws(RTCPRejection) -> RTCPPacket {
        switch packetType {
        case 200: return .senderReport(try senderReport())
        case 201: return .receiverReport(try receiverReport())
        case 202: return .sourceDescription(try sourceDescription())
        case 203: return .goodbye(try goodbye())
        case 204: return .applicationDefined(try applicationDefined())
        case 205: return .feedback(try feedback(.transportLayer))
        case 206: return .feedback(try feedback(.payloadSpecific))
        case 207: return .extendedReport(try extendedReport())
        default: return .unknown(packetType: packetType, length: length)
        }
    }

    /// A packet the copy cut (`contentLength` is what was copied, `length` what the header declares):
    /// the fields and whole list entries (report blocks, SDES items, BYE sources, XR blocks) that were
    /// copied; nil when not even the fixed part was.
    func decodeReadablePart() -> RTCPPacket? {
        switch packetType {
        case 200:
            guard contentLength >= 28 else { return nil }
            return .senderReport(RTCPSenderReport(
                ssrc: uint32(4), ntpTimestamp: uint64(8), rtpTimestamp: uint32(16), packetCount: uint32(20),
                octetCount: uint32(24), reports: readableReportBlocks(from: 28)))
        case 201:
            guard contentLength >= 8 else { return nil }
            return .receiverReport(RTCPReceiverReport(ssrc: uint32(4), reports: readableReportBlocks(from: 8)))
        case 202:
            return (try? sourceDescription(stoppingAtCut: true)).map { .sourceDescription($0) }
        case 203:
            let count = min(Int(countField), (contentLength - 4) / 4)
            return .goodbye(RTCPGoodbye(ssrcs: (0..<max(count, 0)).map { uint32(4 + 4 * $0) }, reason: nil))
        case 204:
            guard contentLength >= 12 else { return nil }
            return .applicationDefined(RTCPApplicationDefined(subtype: countField, ssrc: uint32(4),
                                                              name: text(8, count: 4), dataLength: length - 12))
        case 205, 206:
            guard contentLength >= 12 else { return nil }
            return .feedback(RTCPFeedback(kind: packetType == 205 ? .transportLayer : .payloadSpecific,
                                          format: countField, senderSSRC: uint32(4), mediaSSRC: uint32(8),
                                          fciLength: length - 12))
        case 207:
            guard contentLength >= 8 else { return nil }
            return .extendedReport(RTCPExtendedReport(ssrc: uint32(4), blocks: readableExtendedReportBlocks()))
        default:
            return .unknown(packetType: packetType, length: length)
        }
    }

    private func readableReportBlocks(from offset: Int) -> [RTCPReportBlock] {
        let count = min(Int(countField), (contentLength - offset) / 24)
        return (0..<max(count, 0)).map { reportBlock(at: offset + 24 * $0) }
    }

    private func readableExtendedReportBlocks() -> [RTCPExtendedReport.Block] {
        var blocks: [RTCPExtendedReport.Block] = []
        var offset = 8
        while offset + 4 <= contentLength {
            let blockLength = (Int(uint16(offset + 2)) + 1) * 4
            guard offset + blockLength <= contentLength,
                  let block = try? extendedReportBlock(at: offset, length: blockLength) else { break }
            blocks.append(block)
            offset += blockLength
        }
        return blocks
    }

    // MARK: Readers

    private func byte(_ offset: Int) -> UInt8 { bytes[start + offset] }
    private func uint16(_ offset: Int) -> UInt16 { bytes.loadBigEndianUInt16(at: start + offset) }
    private func uint32(_ offset: Int) -> UInt32 { bytes.loadBigEndianUInt32(at: start + offset) }
    private func uint64(_ offset: Int) -> UInt64 { bytes.loadBigEndianUInt64(at: start + offset) }

    /// Invalid UTF-8 becomes U+FFFD rather than a failure: SDES text is informational.
    private func text(_ offset: Int, count: Int) -> String {
        let from = start + offset
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[from..<(from + count)]), as: UTF8.self)
    }

    private func require(_ byteCount: Int, else rejection: RTCPRejection) throws(RTCPRejection) {
        guard contentLength >= byteCount else { throw rejection }
    }

    // MARK: SR, RR (RFC 3550 §6.4)

    private func senderReport() throws(RTCPRejection) -> RTCPSenderReport {
        try require(28, else: .tooShort)
        return RTCPSenderReport(ssrc: uint32(4), ntpTimestamp: uint64(8), rtpTimestamp: uint32(16),
                                packetCount: uint32(20), octetCount: uint32(24), reports: try reportBlocks(from: 28))
    }

    private func receiverReport() throws(RTCPRejection) -> RTCPReceiverReport {
        try require(8, else: .tooShort)
        return RTCPReceiverReport(ssrc: uint32(4), reports: try reportBlocks(from: 8))
    }

    /// Bytes after the report blocks are profile-specific extensions (RFC 3550 §6.4.1) and are skipped.
    private func reportBlocks(from offset: Int) throws(RTCPRejection) -> [RTCPReportBlock] {
        let count = Int(countField)
        try require(offset + 24 * count, else: .badReportCount)
        return (0..<count).map { reportBlock(at: offset + 24 * $0) }
    }

    private func reportBlock(at offset: Int) -> RTCPReportBlock {
        let lossWord = uint32(offset + 4)
        return RTCPReportBlock(
            ssrc: uint32(offset),
            fractionLost: UInt8(truncatingIfNeeded: lossWord >> 24),
            // The low 24 bits are a two's-complement count: shift them to the top, then sign-extend back.
            cumulativeLost: Int32(bitPattern: lossWord << 8) >> 8,
            extendedHighestSequence: uint32(offset + 8),
            jitter: uint32(offset + 12),
            lastSR: uint32(offset + 16),
            delaySinceLastSR: uint32(offset + 20))
    }

    // MARK: SDES (RFC 3550 §6.5)

    /// `stoppingAtCut`: the packet was cut by the copy, so running out of bytes ends the chunks read so
    /// far (a chunk keeps the items copied whole) instead of being malformed.
    private func sourceDescription(stoppingAtCut: Bool = false) throws(RTCPRejection) -> RTCPSourceDescription {
        var chunks: [RTCPSourceDescription.Chunk] = []
        var offset = 4
        for _ in 0..<countField {
            guard offset + 4 <= contentLength else {
                if stoppingAtCut { break }
                throw .badItem
            }
            let ssrc = uint32(offset)
            offset += 4
            var items: [(type: UInt8, text: String)] = []
            var cut = false
            // Items run until a null octet; a list that reaches the end of the packet without one is malformed.
            while true {
                guard offset < contentLength else { cut = true; break }
                let type = byte(offset)
                if type == 0 { break }
                guard offset + 2 <= contentLength else { cut = true; break }
                let textLength = Int(byte(offset + 1))
                guard offset + 2 + textLength <= contentLength else { cut = true; break }
                items.append((type: type, text: text(offset + 2, count: textLength)))
                offset += 2 + textLength
            }
            if cut {
                guard stoppingAtCut else { throw .badItem }
                chunks.append(RTCPSourceDescription.Chunk(ssrc: ssrc, items: items))
                break
            }
            // Skip the null octet and the nulls padding the chunk to the next 32-bit boundary.
            offset = (offset + 4) & ~3
            chunks.append(RTCPSourceDescription.Chunk(ssrc: ssrc, items: items))
        }
        return RTCPSourceDescription(chunks: chunks)
    }

    // MARK: BYE (RFC 3550 §6.6)

    private func goodbye() throws(RTCPRejection) -> RTCPGoodbye {
        let count = Int(countField)
        let reasonOffset = 4 + 4 * count
        try require(reasonOffset, else: .badReportCount)
        let ssrcs = (0..<count).map { uint32(4 + 4 * $0) }
        guard reasonOffset < contentLength else { return RTCPGoodbye(ssrcs: ssrcs, reason: nil) }
        let reasonLength = Int(byte(reasonOffset))
        guard reasonOffset + 1 + reasonLength <= contentLength else { throw .badItem }
        // A zero length byte is the null padding of a BYE without reason.
        return RTCPGoodbye(ssrcs: ssrcs, reason: reasonLength == 0 ? nil : text(reasonOffset + 1, count: reasonLength))
    }

    // MARK: APP (RFC 3550 §6.7), RTPFB/PSFB (RFC 4585 §6.1)

    private func applicationDefined() throws(RTCPRejection) -> RTCPApplicationDefined {
        try require(12, else: .tooShort)
        return RTCPApplicationDefined(subtype: countField, ssrc: uint32(4), name: text(8, count: 4),
                                      dataLength: contentLength - 12)
    }

    private func feedback(_ kind: RTCPFeedback.Kind) throws(RTCPRejection) -> RTCPFeedback {
        try require(12, else: .tooShort)
        return RTCPFeedback(kind: kind, format: countField, senderSSRC: uint32(4), mediaSSRC: uint32(8),
                            fciLength: contentLength - 12)
    }

    // MARK: XR (RFC 3611 §2, §4)

    private func extendedReport() throws(RTCPRejection) -> RTCPExtendedReport {
        try require(8, else: .tooShort)
        var blocks: [RTCPExtendedReport.Block] = []
        var offset = 8
        while offset < contentLength {
            guard offset + 4 <= contentLength else { throw .badItem }
            // Block length, like the packet length, is in 32-bit words minus one, header included.
            let blockLength = (Int(uint16(offset + 2)) + 1) * 4
            guard offset + blockLength <= contentLength else { throw .badItem }
            blocks.append(try extendedReportBlock(at: offset, length: blockLength))
            offset += blockLength
        }
        return RTCPExtendedReport(ssrc: uint32(4), blocks: blocks)
    }

    private func extendedReportBlock(at offset: Int, length: Int) throws(RTCPRejection) -> RTCPExtendedReport.Block {
        let blockType = byte(offset)
        switch blockType {
        case 6:
            // RFC 3611 §4.6 fixes the block at 10 words; any other length cannot be read field by field.
            guard length == 40 else { throw .badItem }
            return .statisticsSummary(statisticsSummary(at: offset))
        case 7:
            guard length == 36 else { throw .badItem }  // RFC 3611 §4.7: 9 words
            return .voipMetrics(voipMetrics(at: offset))
        default:
            return .other(blockType: blockType, length: length)
        }
    }

    private func statisticsSummary(at offset: Int) -> RTCPExtendedReport.StatisticsSummary {
        RTCPExtendedReport.StatisticsSummary(
            ssrc: uint32(offset + 4), beginSequence: uint16(offset + 8), endSequence: uint16(offset + 10),
            lostPackets: uint32(offset + 12), duplicatePackets: uint32(offset + 16),
            minJitter: uint32(offset + 20), maxJitter: uint32(offset + 24),
            meanJitter: uint32(offset + 28), devJitter: uint32(offset + 32),
            minTTLOrHopLimit: byte(offset + 36), maxTTLOrHopLimit: byte(offset + 37),
            meanTTLOrHopLimit: byte(offset + 38), devTTLOrHopLimit: byte(offset + 39),
            flags: byte(offset + 1))
    }

    private func voipMetrics(at offset: Int) -> RTCPExtendedReport.VoIPMetrics {
        RTCPExtendedReport.VoIPMetrics(
            ssrc: uint32(offset + 4),
            lossRate: byte(offset + 8), discardRate: byte(offset + 9),
            burstDensity: byte(offset + 10), gapDensity: byte(offset + 11),
            burstDuration: uint16(offset + 12), gapDuration: uint16(offset + 14),
            roundTripDelay: uint16(offset + 16), endSystemDelay: uint16(offset + 18),
            // Signal and noise levels are signed dBm.
            signalLevel: Int8(bitPattern: byte(offset + 20)), noiseLevel: Int8(bitPattern: byte(offset + 21)),
            residualEchoReturnLoss: byte(offset + 22), gmin: byte(offset + 23),
            rFactor: byte(offset + 24), extRFactor: byte(offset + 25),
            mosLQ: byte(offset + 26), mosCQ: byte(offset + 27),
            receiverConfiguration: byte(offset + 28),
            jitterBufferNominal: uint16(offset + 30), jitterBufferMaximum: uint16(offset + 32),
            jitterBufferAbsoluteMaximum: uint16(offset + 34))
    }
}

// MARK: - SRTCP

/// Recognises SRTCP without keys, so that it is counted instead of being mis-parsed as malformed RTCP.
///
/// Wireshark does not guess: its RTCP heuristic notes that it cannot tell RTCP from SRTCP, and it only
/// dissects SRTCP on conversations set up as such (SDP crypto, DTLS-SRTP) or when told to. A passive
/// tool often misses the setup, so rtpscope uses the structure RFC 3711 §3.4 fixes instead:
///
///     [8 clear bytes: first header + SSRC][encrypted rest of the compound][E|31-bit index][auth tag]
///
/// and, for AEAD (AES-GCM, RFC 7714 §9.1, what WebRTC negotiates today), the 16-byte tag is part of
/// the ciphertext, so the E|index word is the datagram's last word. A datagram is SRTCP when:
/// 1. the plain compound walk fails (a valid plain compound is never relabelled);
/// 2. the first header is RTCP version 2 with a type of 200–207 (it is in the clear);
/// 3. for one trailer layout (10-byte tag: the RFC 3711 default; AEAD; 4-byte tag; 16-byte tag):
///    - the protected compound in front of the trailer is a whole number of 32-bit words (AES-CM and
///      AES-GCM ciphertext is exactly as long as the plaintext) and holds the first packet's declared length;
///    - the index is below 2^27: it is a counter that starts at 0 (RFC 3711 §3.4), so a real one stays
///      small (2^27 is a month of 50 RTCP packets per second), while random data rarely is;
///    - either E is set (encrypted) and the plain walk stopped within the protected compound (ciphertext
///      practically never decodes as RTCP all the way to a trailer, while a truncated plain compound walks
///      cleanly past where that trailer would be), or E is clear and the plain walk decoded exactly up to
///      the protected end (authenticated-only SRTCP: the packets are clear and kept).
/// A truncated or corrupted plain compound can still pass by chance; that is accepted: it is counted as
/// SRTCP instead of malformed, and only its clear header is reported.
enum SRTCPRecognizer {
    /// Where the E|index word sits relative to the end of the datagram and of the protected compound.
    struct TrailerLayout {
        /// Bytes after the index word: the authentication tag (RFC 3711 puts it last).
        let tagAfterIndex: Int
        /// Bytes between the protected compound and the index word: the AEAD tag (RFC 7714).
        let tagBeforeIndex: Int
    }

    /// Most common first. MKI (optional, forbidden in WebRTC) is not considered.
    static let layouts = [
        TrailerLayout(tagAfterIndex: 10, tagBeforeIndex: 0),  // AES_CM_128_HMAC_SHA1_80
        TrailerLayout(tagAfterIndex: 0, tagBeforeIndex: 16),  // AEAD_AES_128_GCM / 256_GCM
        TrailerLayout(tagAfterIndex: 4, tagBeforeIndex: 0),   // AES_CM_128_HMAC_SHA1_32
        TrailerLayout(tagAfterIndex: 16, tagBeforeIndex: 0),  // 16-byte HMAC tags
    ]

    static let indexLimit: UInt32 = 1 << 27
    private static let encryptedFlag: UInt32 = 0x8000_0000

    static func recognize(_ bytes: UnsafeRawBufferPointer, walk: RTCPCompoundWalk) -> RTCPDecodeResult? {
        guard bytes.count >= 12, bytes[0] >> 6 == 2, bytes[1] >= 200, bytes[1] <= 207 else { return nil }
        let firstLength = (Int(bytes.loadBigEndianUInt16(at: 2)) + 1) * 4
        let packetType = bytes[1]
        let ssrc = bytes.loadBigEndianUInt32(at: 4)

        // Layouts are tried most likely first, and the first that fits decides: a less likely layout must
        // not win by chance (a random word in an AEAD tag can look like an E=0 index).
        for layout in layouts {
            guard let (word, protectedEnd) = trailer(layout, in: bytes, firstLength: firstLength) else { continue }
            if word & encryptedFlag != 0 {
                guard walk.stoppedAt <= protectedEnd else { continue }
                return RTCPDecodeResult(packets: clearFirstPacket(bytes, firstLength: firstLength), rejection: nil,
                                        srtcp: SRTCPHeader(packetType: packetType, ssrc: ssrc, isEncrypted: true))
            }
            guard walk.stoppedAt == protectedEnd else { continue }
            return RTCPDecodeResult(packets: walk.packets, rejection: nil,
                                    srtcp: SRTCPHeader(packetType: packetType, ssrc: ssrc, isEncrypted: false))
        }
        return nil
    }

    /// The E|index word and the end of the protected compound, if `layout` is geometrically possible.
    private static func trailer(_ layout: TrailerLayout, in bytes: UnsafeRawBufferPointer,
                                firstLength: Int) -> (word: UInt32, protectedEnd: Int)? {
        let indexOffset = bytes.count - 4 - layout.tagAfterIndex
        let protectedEnd = indexOffset - layout.tagBeforeIndex
        guard protectedEnd >= 8, protectedEnd % 4 == 0, firstLength <= protectedEnd else { return nil }
        let word = bytes.loadBigEndianUInt32(at: indexOffset)
        guard word & ~encryptedFlag < indexLimit else { return nil }
        return (word, protectedEnd)
    }

    /// Only an 8-byte first packet (e.g. an RR without report blocks) is entirely in the clear.
    private static func clearFirstPacket(_ bytes: UnsafeRawBufferPointer, firstLength: Int) -> [RTCPPacket] {
        guard firstLength == 8,
              let (decoded, _) = try? RTCPCompoundWalk.decodePacket(UnsafeRawBufferPointer(rebasing: bytes[0..<8]), at: 0),
              let packet = decoded
        else { return [] }
        return [packet]
    }
}
