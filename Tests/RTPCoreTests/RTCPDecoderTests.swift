import Testing
@testable import RTPCore

/// Hand-built RTCP datagrams (every value below was computed by hand from RFC 3550/3611/4585 layouts)
/// and a few real payloads extracted with `tshark -T fields -e udp.payload`, checked against tshark -V.
@Suite struct RTCPDecoderTests {
    private func decode(_ bytes: [UInt8]) -> RTCPDecodeResult {
        bytes.withUnsafeBytes { RTCPDecoder.decodeCompound($0) }
    }

    private func decode(hex: String) -> RTCPDecodeResult {
        decode(bytes(hex: hex))
    }

    private func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)!
        }
    }

    // MARK: SR and RR

    /// SR, RC=1, with a report block whose cumulative loss is -2 (0xFFFFFE, duplicates).
    static let senderReport: [UInt8] = [
        0x81, 0xC8, 0x00, 0x0C,                         // V=2 RC=1, PT 200, length 12 → 52 bytes
        0x11, 0x22, 0x33, 0x44,                         // SSRC
        0xE5, 0x4C, 0x3A, 0x10, 0x80, 0x00, 0x00, 0x00, // NTP: seconds 0xE54C3A10, fraction 0.5
        0x00, 0x00, 0x1F, 0x40,                         // RTP timestamp 8000
        0x00, 0x00, 0x00, 0x64,                         // packet count 100
        0x00, 0x00, 0x3E, 0x80,                         // octet count 16000
        0x55, 0x66, 0x77, 0x88,                         // block: source SSRC
        0x40, 0xFF, 0xFF, 0xFE,                         // fraction 64/256, cumulative lost -2
        0x00, 0x01, 0x00, 0x05,                         // 1 cycle, highest 5 → 65541
        0x00, 0x00, 0x00, 0x2A,                         // jitter 42
        0x4C, 0x3A, 0x10, 0x80,                         // LSR
        0x00, 0x01, 0x80, 0x00,                         // DLSR 98304 = 1.5 s
    ]

    @Test func senderReportWithNegativeCumulativeLoss() throws {
        let result = decode(Self.senderReport)
        #expect(result.rejection == nil)
        #expect(!result.isSRTCP)
        #expect(!result.isReducedSize)
        guard case .senderReport(let sr) = try #require(result.packets.first) else {
            Issue.record("expected an SR"); return
        }
        #expect(result.packets.count == 1)
        #expect(sr.ssrc == 0x1122_3344)
        #expect(sr.ntpTimestamp == 0xE54C_3A10_8000_0000)
        #expect(sr.compactNTP == 0x3A10_8000)
        #expect(sr.rtpTimestamp == 8000)
        #expect(sr.packetCount == 100)
        #expect(sr.octetCount == 16000)
        #expect(sr.reports == [RTCPReportBlock(ssrc: 0x5566_7788, fractionLost: 64, cumulativeLost: -2,
                                               extendedHighestSequence: 65541, jitter: 42,
                                               lastSR: 0x4C3A_1080, delaySinceLastSR: 98304)])
    }

    /// The 24-bit signed extremes: 0x7FFFFF = 8 388 607 and 0x800000 = -8 388 608.
    @Test func receiverReportCumulativeLossExtremes() {
        let block1: [UInt8] = [0, 0, 0, 1, 0x00, 0x7F, 0xFF, 0xFF] + Array(repeating: 0, count: 16)
        let block2: [UInt8] = [0, 0, 0, 2, 0xFF, 0x80, 0x00, 0x00] + Array(repeating: 0, count: 16)
        let result = decode([0x82, 0xC9, 0x00, 0x0D, 0xAB, 0xCD, 0xEF, 0x01] + block1 + block2)
        #expect(result.rejection == nil)
        guard case .receiverReport(let rr) = result.packets.first else { Issue.record("expected an RR"); return }
        #expect(rr.ssrc == 0xABCD_EF01)
        #expect(rr.reports.map(\.cumulativeLost) == [8_388_607, -8_388_608])
        #expect(rr.reports.map(\.fractionLost) == [0, 255])
        #expect(rr.reports.map(\.ssrc) == [1, 2])
    }

    /// Bytes after the report blocks are profile-specific extensions: skipped, not an error.
    @Test func receiverReportWithProfileExtension() {
        let result = decode([0x80, 0xC9, 0x00, 0x02, 0, 0, 0, 9, 0xDE, 0xAD, 0xBE, 0xEF])
        #expect(result.rejection == nil)
        #expect(result.packets == [.receiverReport(RTCPReceiverReport(ssrc: 9, reports: []))])
    }

    // MARK: Compounds

    /// RR (no blocks) + SDES (CNAME "ab") + BYE (reason "bye").
    static let receiverReportSDESBye: [UInt8] = [
        0x80, 0xC9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07,       // RR, 8 bytes
        0x81, 0xCA, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07,       // SDES SC=1, 16 bytes, chunk SSRC 7
        0x01, 0x02, 0x61, 0x62, 0x00, 0x00, 0x00, 0x00,       // CNAME "ab", null + 3 padding
        0x81, 0xCB, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07,       // BYE SC=1, 12 bytes
        0x03, 0x62, 0x79, 0x65,                               // reason "bye"
    ]

    @Test func receiverReportSDESAndBye() {
        let result = decode(Self.receiverReportSDESBye)
        #expect(result.rejection == nil)
        #expect(result.packets == [
            .receiverReport(RTCPReceiverReport(ssrc: 7, reports: [])),
            .sourceDescription(RTCPSourceDescription(chunks: [.init(ssrc: 7, items: [(type: 1, text: "ab")])])),
            .goodbye(RTCPGoodbye(ssrcs: [7], reason: "bye")),
        ])
        #expect(result.packets.map(\.typeName) == ["rr", "sdes", "bye"])
    }

    @Test func senderReportPlusSDES() {
        let sdes: [UInt8] = [0x81, 0xCA, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x01, 0x01, 0x78, 0x00]
        let result = decode(Self.senderReport + sdes)
        #expect(result.rejection == nil)
        #expect(result.packets.map(\.packetType) == [200, 202])
        guard case .sourceDescription(let description) = result.packets.last else { Issue.record("no SDES"); return }
        #expect(description.chunks.first?.cname == "x")
    }

    /// Two chunks, the first with CNAME + NAME (null lands on a word boundary: 4 bytes of nulls).
    @Test func sdesWithTwoChunksAndSeveralItems() {
        let result = decode([
            0x82, 0xCA, 0x00, 0x07,                               // SC=2, 32 bytes
            0x00, 0x00, 0x00, 0x0A, 0x01, 0x01, 0x78,             // chunk 1: SSRC 10, CNAME "x"
            0x02, 0x03, 0x42, 0x6F, 0x62, 0x00, 0x00, 0x00, 0x00, // NAME "Bob", null at word start + 3 padding
            0x00, 0x00, 0x00, 0x0B, 0x01, 0x02, 0x79, 0x7A,       // chunk 2: SSRC 11, CNAME "yz"
            0x00, 0x00, 0x00, 0x00,
        ])
        #expect(result.rejection == nil)
        guard case .sourceDescription(let description) = result.packets.first else { Issue.record("no SDES"); return }
        #expect(description.chunks.map(\.ssrc) == [10, 11])
        #expect(description.chunks[0].items.map(\.type) == [1, 2])
        #expect(description.chunks[0].items.map(\.text) == ["x", "Bob"])
        #expect(description.chunks.map(\.cname) == ["x", "yz"])
    }

    @Test func byeWithoutReasonAndApp() {
        let bye = decode([0x82, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(bye.packets == [.goodbye(RTCPGoodbye(ssrcs: [1, 2], reason: nil))])
        #expect(bye.isReducedSize)
        // APP subtype 3, name "NAME", 4 data bytes.
        let app = decode([0x83, 0xCC, 0x00, 0x03, 0, 0, 0, 5, 0x4E, 0x41, 0x4D, 0x45, 1, 2, 3, 4])
        #expect(app.rejection == nil)
        #expect(app.packets == [.applicationDefined(RTCPApplicationDefined(subtype: 3, ssrc: 5, name: "NAME", dataLength: 4))])
    }

    // MARK: Feedback (RFC 4585, REMB draft)

    @Test func feedbackPLINackAndREMB() {
        let pli = decode([0x81, 0xCE, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(pli.packets == [.feedback(RTCPFeedback(kind: .payloadSpecific, format: 1, senderSSRC: 1, mediaSSRC: 2, fciLength: 0))])
        #expect(pli.packets.first?.typeName == "psfb")
        #expect(pli.isReducedSize)

        // Generic NACK: PID 0x0100, BLP 0x0003.
        let nack = decode([0x81, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x00, 0x00, 0x03])
        #expect(nack.packets == [.feedback(RTCPFeedback(kind: .transportLayer, format: 1, senderSSRC: 1, mediaSSRC: 2, fciLength: 4))])
        #expect(nack.packets.first?.typeName == "rtpfb")

        // REMB: PSFB FMT 15, media SSRC 0, "REMB", 1 SSRC, exp/mantissa, SSRC.
        let remb = decode([0x8F, 0xCE, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 0,
                           0x52, 0x45, 0x4D, 0x42, 0x01, 0x0A, 0x12, 0x34, 0, 0, 0, 2])
        #expect(remb.packets == [.feedback(RTCPFeedback(kind: .payloadSpecific, format: 15, senderSSRC: 1, mediaSSRC: 0, fciLength: 12))])
    }

    // MARK: XR (RFC 3611)

    static let extendedReport: [UInt8] = [
        0x80, 0xCF, 0x00, 0x18, 0x01, 0x02, 0x03, 0x04,   // XR, 100 bytes, SSRC 0x01020304
        // Statistics summary: L D J set, ToH 1 (IPv4 TTL), block length 9.
        0x06, 0xE8, 0x00, 0x09, 0xAA, 0xBB, 0xCC, 0xDD,
        0x00, 0x0A, 0x00, 0x64,                           // begin 10, end 100
        0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x02,   // lost 5, duplicates 2
        0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x50,   // jitter min 3, max 80
        0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x07,   // mean 20, dev 7
        0x40, 0x40, 0x40, 0x00,                           // TTL min/max/mean 64, dev 0
        // VoIP metrics, block length 8.
        0x07, 0x00, 0x00, 0x08, 0xAA, 0xBB, 0xCC, 0xDD,
        0x0C, 0x03, 0x20, 0x04,                           // loss 12, discard 3, burst density 32, gap density 4
        0x00, 0x78, 0x01, 0xF4,                           // burst 120 ms, gap 500 ms
        0x00, 0x96, 0x00, 0x28,                           // round trip 150 ms, end system 40 ms
        0xEC, 0xB0, 0x7F, 0x10,                           // signal -20 dBm, noise -80 dBm, RERL 127, Gmin 16
        0x5D, 0x7F, 0x29, 0x2A,                           // R 93, ext R 127, MOS-LQ 4.1, MOS-CQ 4.2
        0xBB, 0x00, 0x00, 0x3C,                           // RX config, reserved, JB nominal 60
        0x00, 0x78, 0x00, 0xC8,                           // JB max 120, abs max 200
        // DLRR (BT 5) with one sub-block (SSRC, LRR, DLRR), block length 3: identified, not decoded.
        0x05, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
    ]

    @Test func extendedReportStatisticsSummaryAndVoIPMetrics() {
        let result = decode(Self.extendedReport)
        #expect(result.rejection == nil)
        guard case .extendedReport(let xr) = result.packets.first else { Issue.record("no XR"); return }
        #expect(xr.ssrc == 0x0102_0304)
        #expect(xr.blocks.map(\.blockType) == [6, 7, 5])
        #expect(xr.blocks[0] == .statisticsSummary(.init(
            ssrc: 0xAABB_CCDD, beginSequence: 10, endSequence: 100, lostPackets: 5, duplicatePackets: 2,
            minJitter: 3, maxJitter: 80, meanJitter: 20, devJitter: 7, minTTLOrHopLimit: 64,
            maxTTLOrHopLimit: 64, meanTTLOrHopLimit: 64, devTTLOrHopLimit: 0, flags: 0xE8)))
        #expect(xr.blocks[1] == .voipMetrics(.init(
            ssrc: 0xAABB_CCDD, lossRate: 12, discardRate: 3, burstDensity: 32, gapDensity: 4,
            burstDuration: 120, gapDuration: 500, roundTripDelay: 150, endSystemDelay: 40,
            signalLevel: -20, noiseLevel: -80, residualEchoReturnLoss: 127, gmin: 16, rFactor: 93,
            extRFactor: 127, mosLQ: 41, mosCQ: 42, receiverConfiguration: 0xBB, jitterBufferNominal: 60,
            jitterBufferMaximum: 120, jitterBufferAbsoluteMaximum: 200)))
        #expect(xr.blocks[2] == .other(blockType: 5, length: 16))
    }

    // MARK: Unknown types and padding

    @Test func unknownTypesInTheRTCPRangeAreKept() {
        // H.261 FIR (192) and type 210, 8 bytes each.
        let result = decode([0x80, 0xC0, 0x00, 0x01, 0, 0, 0, 1, 0x80, 0xD2, 0x00, 0x01, 0, 0, 0, 2])
        #expect(result.rejection == nil)
        #expect(result.packets == [.unknown(packetType: 192, length: 8), .unknown(packetType: 210, length: 8)])
        #expect(result.packets.map(\.typeName) == ["other", "other"])
    }

    @Test func paddingIsStrippedFromTheLastPacket() {
        // RR with P set, 4 bytes of padding (count byte 4): the 8-byte RR remains.
        let result = decode([0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 4])
        #expect(result.rejection == nil)
        #expect(result.packets == [.receiverReport(RTCPReceiverReport(ssrc: 9, reports: []))])
        // Padding hides a report block: the RR's count no longer fits.
        #expect(decode([0xA1, 0xC9, 0x00, 0x07, 0, 0, 0, 9] + Array(repeating: 0, count: 23) + [24]).rejection == .badReportCount)
    }

    // MARK: Rejections

    @Test func everyRejectionHasACase() {
        let cases: [(RTCPRejection, [UInt8])] = [
            (.tooShort, []),
            (.tooShort, [0x80, 0xC9, 0x00]),
            (.tooShort, [0x80, 0xC8, 0x00, 0x01, 0, 0, 0, 1]),                // SR needs 28 bytes
            (.tooShort, [0x81, 0xCD, 0x00, 0x01, 0, 0, 0, 1]),                // feedback needs 12
            (.tooShort, [0x80, 0xCC, 0x00, 0x01, 0, 0, 0, 1]),                // APP needs 12
            (.tooShort, [0x80, 0xCF, 0x00, 0x00]),                            // XR needs 8
            (.badVersion, [0x40, 0xC9, 0x00, 0x01, 0, 0, 0, 1]),
            (.badVersion, [0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1]),          // PT 96: RTP
            (.badVersion, [0x80, 0xE0, 0x00, 0x01, 0, 0, 0, 1]),          // 224: beyond RFC 5761's range
            (.lengthOverrun, [0x80, 0xC9, 0x00, 0x02, 0, 0, 0, 1]),           // declares 12, has 8
            (.lengthOverrun, [0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0]), // count 0
            (.lengthOverrun, [0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 9]), // 9 > 12 − 4
            (.badReportCount, [0x81, 0xC9, 0x00, 0x01, 0, 0, 0, 1]),          // RC 1 in 8 bytes
            (.badReportCount, [0x82, 0xCB, 0x00, 0x01, 0, 0, 0, 1]),          // BYE SC 2 in 8 bytes
            (.badItem, [0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x05, 0x61, 0x62]), // item runs past the packet
            (.badItem, [0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 0x61, 0x62]), // no null terminator
            (.badItem, [0x82, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x00, 0x00, 0x00, 0x00]), // SC 2, one chunk
            (.badItem, [0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0x08, 0x61, 0x62, 0x63]), // BYE reason overrun
            (.badItem, [0x80, 0xCF, 0x00, 0x02, 0, 0, 0, 1, 0x06, 0x00, 0x00, 0x09]), // XR block overrun
            (.badItem, [0x80, 0xCF, 0x00, 0x03, 0, 0, 0, 1, 0x06, 0x00, 0x00, 0x01, 0, 0, 0, 1]), // BT 6 not 40 bytes
            (.badItem, [0xA0, 0xCF, 0x00, 0x02, 0, 0, 0, 1, 0x05, 0x00, 0x00, 0x02]), // padding cuts a block header
        ]
        for (expected, bytes) in cases {
            let result = decode(bytes)
            #expect(result.rejection == expected, "\(bytes)")
            #expect(!result.isSRTCP)
        }
        // Every reason the decoder can produce (notFirstReport is deliberately never produced).
        #expect(Set(cases.map(\.0)) == Set(RTCPRejection.allCases).subtracting([.notFirstReport]))
    }

    @Test func packetsBeforeAProblemAreKept() {
        let result = decode([0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 7, 0x40, 0xCA, 0x00, 0x01, 0, 0, 0, 0])
        #expect(result.rejection == .badVersion)
        #expect(result.packets == [.receiverReport(RTCPReceiverReport(ssrc: 7, reports: []))])
    }

    /// Cutting a valid compound anywhere never traps: a cut on a packet boundary leaves a valid shorter
    /// compound; any other cut is a rejection (or, by chance, SRTCP-looking).
    @Test func truncationAtEveryLength() {
        let full = Self.senderReport + Self.receiverReportSDESBye + Self.extendedReport
        let boundaries = [0: 0, 52: 1, 60: 2, 76: 3, 88: 4]
        let fullPackets = decode(full).packets
        #expect(fullPackets.count == 5)
        for length in 0..<full.count {
            let result = decode(Array(full.prefix(length)))
            if let packetCount = boundaries[length], length > 0 {
                #expect(result.rejection == nil, "length \(length)")
                #expect(result.packets == Array(fullPackets.prefix(packetCount)), "length \(length)")
            } else {
                #expect(result.rejection != nil || result.isSRTCP, "length \(length)")
            }
        }
    }

    // MARK: SRTCP

    /// SR (RC 0, 28 bytes) + SDES encrypted with AES-CM, then E|index 5 and a 10-byte HMAC-SHA1-80 tag.
    static let srtcpHMAC80: [UInt8] = [0x80, 0xC8, 0x00, 0x06, 0xCA, 0xFE, 0xBA, 0xBE]
        + [0x3B, 0x91, 0x07, 0xE2, 0x5D, 0xA0, 0x44, 0x1F, 0xC3, 0x9E, 0x72, 0x18, 0x06, 0xBD, 0x5A, 0xF1,
           0x2C, 0x88, 0xE4, 0x39, 0x70, 0x0B, 0xD6, 0x4A, 0x93, 0x15, 0x6E, 0xC7]   // 28 bytes of ciphertext
        + [0x80, 0x00, 0x00, 0x05]                                                   // E=1, index 5
        + [0x9A, 0x41, 0xF3, 0x2E, 0x77, 0xC0, 0x18, 0xB5, 0x6D, 0x02]               // auth tag

    @Test func recognisesEncryptedSRTCPWithTheRFC3711DefaultTag() {
        #expect(Self.srtcpHMAC80.count == 50)
        let result = decode(Self.srtcpHMAC80)
        #expect(result.isSRTCP)
        #expect(result.rejection == nil)
        #expect(result.srtcp == SRTCPHeader(packetType: 200, ssrc: 0xCAFE_BABE, isEncrypted: true))
        #expect(result.packets.isEmpty)   // the SR's sender info is ciphertext
        #expect(!result.isReducedSize)
    }

    @Test func authenticatedOnlySRTCPKeepsItsClearPackets() {
        // The RR+SDES+BYE compound in the clear, E=0 index 1, 10-byte tag.
        let datagram = Self.receiverReportSDESBye + [0x00, 0x00, 0x00, 0x01] + Array(repeating: 0xA5, count: 10)
        let result = decode(datagram)
        #expect(result.srtcp == SRTCPHeader(packetType: 201, ssrc: 7, isEncrypted: false))
        #expect(result.rejection == nil)
        #expect(result.packets.map(\.typeName) == ["rr", "sdes", "bye"])
    }

    @Test func implausibleTrailersAreNotSRTCP() {
        // Same as the crafted SRTCP but an index of 2^27: not a counter that started at 0.
        var datagram = Self.srtcpHMAC80
        datagram[36] = 0x88
        #expect(decode(datagram).isSRTCP == false)
        #expect(decode(datagram).rejection != nil)
        // A first packet that claims more than the protected part cannot be SRTCP.
        datagram = Self.srtcpHMAC80
        datagram[3] = 0x09   // 40 bytes, but only 36 precede the trailer
        #expect(decode(datagram).isSRTCP == false)
    }

    /// ntop/nDPI stun_google_meet.pcapng frame 78 (AEAD: the index word is last; tag inside the ciphertext).
    @Test func realGoogleMeetEncryptedSenderReport() {
        let result = decode(hex: "80c80006786919141e7a7ba07768ecf401eed614425883c9ab650ba74f6a3452dd65eb10ea95049d0eb4864362d5a54506300c51b43db5d210315bd548a64b377abce4de548d67cd39f7a3c3544bc044071055149412e0446e108c2028041ea680000001")
        #expect(result.srtcp == SRTCPHeader(packetType: 200, ssrc: 0x7869_1914, isEncrypted: true))
        #expect(result.packets.isEmpty)
        #expect(result.rejection == nil)
    }

    /// Frame 105: an 8-byte RR (no blocks) is entirely in the clear and is reported.
    @Test func realGoogleMeetEncryptedRRKeepsTheClearReceiverReport() {
        let result = decode(hex: "80c90001786919147bce07b67c2d7dd7e40d3cf3daea0d67a542fd2d95ba9799a838a15274561d8fe2f228a144be6afd80000002")
        #expect(result.srtcp == SRTCPHeader(packetType: 201, ssrc: 0x7869_1914, isEncrypted: true))
        #expect(result.packets == [.receiverReport(RTCPReceiverReport(ssrc: 0x7869_1914, reports: []))])
    }

    /// Frame 153: reduced-size SRTCP starting with APP (subtype 13), and frame 56: transport-cc with the P bit.
    @Test func realGoogleMeetReducedSizeSRTCP() {
        let app = decode(hex: "8dcc0004d2b3ec9f360e0dd519a8e700712f8d52b5365490d97b98067f71560f8b051903541489f736a996948eddbc117a555e83a8f9032112a8d65a8000000a")
        #expect(app.srtcp == SRTCPHeader(packetType: 204, ssrc: 0xD2B3_EC9F, isEncrypted: true))
        #expect(app.isReducedSize)
        // Frame 143: RR with one (encrypted) report block: no block may be reported.
        let rr = decode(hex: "81c90007d2b3ec9f888296d64852945e13460fd5e754b38daf159d9fefacf98bf3ff0356ce1d8bbdb1195193f916cbbdafa0c4f1de3d81a6ce84d671d0513c67b07ce73cc8b1754f1e7e8aae814becf4472110414f5d7fd0dda26cec80000009")
        #expect(rr.srtcp == SRTCPHeader(packetType: 201, ssrc: 0xD2B3_EC9F, isEncrypted: true))
        #expect(rr.packets.isEmpty)
    }

    /// Frame 257: transport-cc (P bit set in the clear header). Its AEAD tag happens to hold a word that
    /// looks like an E=0 index where a 16-byte HMAC layout would put it; the likelier AEAD layout must win.
    @Test func realGoogleMeetTransportCCIsEncryptedNotAuthenticatedOnly() {
        let result = decode(hex: "afcd0005cdeda425d36bbcaefdf05f03b02aa1404d6f770947403f075595f40c59223c4422873d6d80000001")
        #expect(result.srtcp == SRTCPHeader(packetType: 205, ssrc: 0xCDED_A425, isEncrypted: true))
        #expect(result.packets.isEmpty)
        #expect(result.isReducedSize)
    }

    // MARK: Real plain RTCP

    /// ntop/nDPI rtcp_multiple_pkts_in_the_same_datagram.pcap frame 4: RR + SDES (FreeSWITCH), values from tshark -V.
    @Test func realFreeSWITCHReceiverReportAndSDES() {
        let result = decode(hex: "81c9000701932db45d931534000000010000bf8b00000006c1704d610004051c81ca000e01932db40107313933326462340725467265655357495443482e6f7267202d2d20436f6d6520746f20436c7565436f6e2e636f6d00000000")
        #expect(result.rejection == nil)
        #expect(result.packets == [
            .receiverReport(RTCPReceiverReport(ssrc: 0x0193_2DB4, reports: [
                RTCPReportBlock(ssrc: 0x5D93_1534, fractionLost: 0, cumulativeLost: 1, extendedHighestSequence: 49035,
                                jitter: 6, lastSR: 3_245_362_529, delaySinceLastSR: 263_452),
            ])),
            .sourceDescription(RTCPSourceDescription(chunks: [
                .init(ssrc: 0x0193_2DB4, items: [(type: 1, text: "1932db4"), (type: 7, text: "FreeSWITCH.org -- Come to ClueCon.com")]),
            ])),
        ])
    }

    /// asterisk testsuite crash-27382.pcap frame 122: SR + RR + SDES (the AST-2017-012 regression input).
    @Test func realAsteriskSenderReceiverReportAndSDES() {
        let result = decode(hex: "81c8000c6a1b26d759f70ad0cd05fc6e00004e180000007900004ba0197f4b4400000000000077e60000000010217a580002785181c900076a1b26d7197f4b4400000000000077e60000000010217a580002785181ca00036a1b26d701026e7200000000")
        #expect(result.rejection == nil)
        #expect(result.packets.map(\.typeName) == ["sr", "rr", "sdes"])
        guard case .senderReport(let sr) = result.packets[0] else { Issue.record("no SR"); return }
        #expect(sr.ssrc == 0x6A1B_26D7)
        #expect(sr.ntpTimestamp >> 32 == 1_509_362_384)
        #expect(sr.ntpTimestamp & 0xFFFF_FFFF == 3_439_721_582)
        #expect(sr.rtpTimestamp == 19992)
        #expect(sr.packetCount == 121)
        #expect(sr.octetCount == 19360)
        #expect(sr.reports.first?.extendedHighestSequence == 30694)
        #expect(sr.reports.first?.delaySinceLastSR == 161_873)
        guard case .sourceDescription(let description) = result.packets[2] else { Issue.record("no SDES"); return }
        #expect(description.chunks.first?.cname == "nr")
    }
}
