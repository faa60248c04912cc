/// RTP media clock rates and payload-type names.
///
/// The static table is Wireshark's `clock_map` (ui/tap-rtp-analysis.c), i.e. RFC 3551 §6 plus the
/// IANA registry. It is the table tshark uses, so `--compat wireshark` and strict mode agree on
/// every static payload type. Note G.722 (PT 9) is 8000 Hz by RFC 3551 (a historical error kept for
/// compatibility), and MPA (PT 14) is 90000 Hz.
public enum StaticClockRates {
    /// Clock rate of a static payload type, nil for dynamic (96–127), unassigned and reserved types.
    @inlinable
    public static func rate(for payloadType: UInt8) -> Int? {
        switch payloadType {
        case 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 18, 19: return 8000
        case 6: return 16000
        case 10, 11: return 44100
        case 16: return 11025
        case 17: return 22050
        case 14, 25, 26, 28, 31, 32, 33, 34: return 90000
        default: return nil
        }
    }

    /// RFC 3551 comfort noise (13) and the pre-RFC 3551 CN value (19). tshark leaves CN packets (and
    /// the packet following one) out of its delta/jitter extremes.
    @inlinable
    public static func isComfortNoise(_ payloadType: UInt8) -> Bool {
        payloadType == 13 || payloadType == 19
    }
}

/// Short payload-type names as tshark prints them in the `-z rtp,streams` Payload column
/// (`rtp_payload_type_short_vals`), for the table view.
public enum PayloadTypeNames {
    public static func name(for payloadType: UInt8) -> String {
        switch payloadType {
        case 0: return "g711U"
        case 1: return "fs-1016"
        case 2: return "g721"
        case 3: return "GSM"
        case 4: return "g723"
        case 5: return "DVI4 8k"
        case 6: return "DVI4 16k"
        case 7: return "Exp. from Xerox PARC"
        case 8: return "g711A"
        case 9: return "g722"
        case 10: return "16-bit audio, stereo"
        case 11: return "16-bit audio, monaural"
        case 12: return "Qualcomm"
        case 13: return "CN"
        case 14: return "MPEG-I/II Audio"
        case 15: return "g728"
        case 16: return "DVI4 11k"
        case 17: return "DVI4 22k"
        case 18: return "g729"
        case 19: return "CN(old)"
        case 25: return "CellB"
        case 26: return "JPEG"
        case 28: return "NV"
        case 31: return "h261"
        case 32: return "MPEG-I/II Video"
        case 33: return "MPEG-II streams"
        case 34: return "h263"
        // tshark's default preferences bind these dynamic numbers to dissectors by name.
        case 99: return "rtp.rfc2198"
        case 101: return "rtpevent"
        default: return "RTPType-\(payloadType)"
        }
    }
}

/// Resolves a payload type's clock rate from the configured sources, in precedence order:
/// explicit (`--clock-rate PT=HZ`), SDP (`a=rtpmap`), then the static table. Inference from the
/// stream itself (`ClockRateEstimator`) is the caller's last resort.
public struct ClockRateResolver: Sendable {
    public var explicitRates: [UInt8: Int]
    public var sdpRates: [UInt8: Int]
    /// Dynamic types SDP named `telephone-event`: tshark gives them clock 0 (RFC 4733 timestamps do not
    /// advance during an event), so `--compat wireshark` must too.
    public var telephoneEventTypes: Set<UInt8> = []

    public init(explicitRates: [UInt8: Int] = [:], sdpRates: [UInt8: Int] = [:]) {
        self.explicitRates = explicitRates
        self.sdpRates = sdpRates
    }

    /// The configured (non-inferred) rate for `payloadType`; nil when only inference could tell.
    /// Rates that are not positive are ignored (a zero clock would make every conversion divide by 0).
    public func resolve(_ payloadType: UInt8) -> (rate: Int, source: ClockRateSource)? {
        if let rate = explicitRates[payloadType], rate > 0 { return (rate, .explicit) }
        if let rate = sdpRates[payloadType], rate > 0 { return (rate, .sdp) }
        if let rate = StaticClockRates.rate(for: payloadType) { return (rate, .static) }
        return nil
    }

    /// What tshark would use: the static table below 96; for dynamic types only a rate learnt from
    /// SDP (or given explicitly, standing in for SDP tshark would have seen). Never inferred.
    public func wiresharkRate(_ payloadType: UInt8) -> Int {
        if payloadType < 96 { return StaticClockRates.rate(for: payloadType) ?? 0 }
        if telephoneEventTypes.contains(payloadType) { return 0 }
        if let rate = explicitRates[payloadType], rate >= 1000 { return rate }
        if let rate = sdpRates[payloadType], rate >= 1000 { return rate }
        return 0
    }
}
