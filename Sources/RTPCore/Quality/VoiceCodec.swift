/// The E-model's view of a voice codec: its equipment impairment Ie and packet-loss robustness Bpl,
/// from ITU-T G.113 (11/2007) Appendix I — Table I.1 ("provisional planning values for the equipment
/// impairment factor Ie") and Table I.3 ("provisional planning values for the packet-loss robustness
/// factor Bpl"). Only codecs those tables give are here; any other stream (unknown, video, wideband
/// or fullband codecs whose G.107.1/G.107.2 values are not tabulated here) has no MOS: null, never a
/// guess.
public struct VoiceCodec: Sendable, Equatable {
    /// As reported (`G.711`, `G.729`…).
    public let name: String
    /// The rating scale of the values: "G.107" (narrowband, R 0…100, MOS 1…4.5).
    public let scale: String
    public let equipmentImpairment: Double
    /// nil when G.113 tabulates no Bpl for the codec: R is then known only without loss.
    public let packetLossRobustness: Double?

    /// G.711 (PCMU/PCMA) with packet-loss concealment (G.711 Appendix I, which endpoints implement):
    /// Table I.1 Ie = 0; Table I.3 Bpl = 25.1 (random loss, 10 ms packets).
    public static let g711 = VoiceCodec(name: "G.711", scale: "G.107", equipmentImpairment: 0, packetLossRobustness: 25.1)
    /// G.729A (+VAD), 8 kbit/s: Table I.1 Ie = 11; Table I.3 Bpl = 19.0. RTP's G729 (PT 18) carries
    /// G.729 and G.729A alike (RFC 3551 §4.5.6), which share the bitstream; Annex A is the deployed one.
    public static let g729 = VoiceCodec(name: "G.729", scale: "G.107", equipmentImpairment: 11, packetLossRobustness: 19.0)
    /// G.723.1 at 6.3 kbit/s (+VAD): Table I.1 Ie = 15; Table I.3 Bpl = 16.1.
    public static let g723 = VoiceCodec(name: "G.723.1", scale: "G.107", equipmentImpairment: 15, packetLossRobustness: 16.1)
    /// G.726 at 32 kbit/s: Table I.1 Ie = 7; no Bpl in Table I.3.
    public static let g726_32 = VoiceCodec(name: "G.726-32", scale: "G.107", equipmentImpairment: 7, packetLossRobustness: nil)
    /// GSM 06.10 full rate: Table I.1 Ie = 20; no Bpl in Table I.3.
    public static let gsmFullRate = VoiceCodec(name: "GSM-FR", scale: "G.107", equipmentImpairment: 20, packetLossRobustness: nil)

    /// Every codec `identify` knows.
    static let rated: [VoiceCodec] = [.g711, .g729, .g723, .g726_32, .gsmFullRate]

    /// The codec of a stream's media from its encoding name (SDP `a=rtpmap`, else RFC 3551's static
    /// name for the payload type), nil when the E-model values are not known for it.
    public static func identify(encodingName: String?) -> VoiceCodec? {
        guard let encodingName else { return nil }
        switch encodingName.uppercased() {
        case "PCMU", "PCMA": return .g711
        case "G729", "G729A": return .g729
        case "G723": return .g723
        case "G726-32", "AAL2-G726-32": return .g726_32
        case "GSM": return .gsmFullRate
        default: return nil
        }
    }

    /// E-model inputs for this codec with the given effective loss and delay: G.107 defaults for
    /// everything not measured. nil when loss is present and Bpl is unknown.
    public func parameters(lossPercent: Double, burstRatio: Double, oneWayDelayMs: Double) -> EModel.Parameters? {
        var parameters = EModel.Parameters()
        parameters.equipmentImpairment = equipmentImpairment
        if lossPercent > 0 {
            guard let packetLossRobustness else { return nil }
            parameters.packetLossPercent = lossPercent
            // G.107 Table 3 permits BurstR 1…8: loss spread more evenly than random (an observed
            // ratio below 1) is rated as random, which keeps Ie,eff within Ie…95.
            parameters.burstRatio = min(max(burstRatio, 1), 8)
            parameters.packetLossRobustness = packetLossRobustness
        } else if let packetLossRobustness {
            parameters.packetLossRobustness = packetLossRobustness
        }
        // One-way delay: mouth-to-ear delay (Ta) and the echo path's mean delay (T), with the
        // round trip Tr twice it, as G.107 §7.3 relates them for a symmetric connection.
        parameters.meanOneWayDelay = oneWayDelayMs
        parameters.absoluteDelay = oneWayDelayMs
        parameters.roundTripDelay = 2 * oneWayDelayMs
        return parameters
    }
}
