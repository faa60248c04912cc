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

/// Encoding names of the static payload types as SDP writes them (`a=rtpmap:<pt> <name>/…`): RFC 3551
/// §6 tables 4 and 5 with the IANA registry's spelling. The names every other tool, SDP and codec
/// configuration use for the media, so the default views print these.
public enum StaticEncodingNames {
    public static func name(for payloadType: UInt8) -> String? {
        switch payloadType {
        case 0: return "PCMU"
        case 3: return "GSM"
        case 4: return "G723"
        case 5, 6, 16, 17: return "DVI4"
        case 7: return "LPC"
        case 8: return "PCMA"
        case 9: return "G722"
        case 10, 11: return "L16"
        case 12: return "QCELP"
        case 13: return "CN"
        case 14: return "MPA"
        case 15: return "G728"
        case 18: return "G729"
        case 25: return "CelB"
        case 26: return "JPEG"
        case 28: return "nv"
        case 31: return "H261"
        case 32: return "MPV"
        case 33: return "MP2T"
        case 34: return "H263"
        default: return nil   // 1, 2 and 19 are reserved (formerly FS-1016, G721, CN); 96–127 are dynamic
        }
    }
}

/// Short payload-type names as tshark prints them in the `-z rtp,streams` Payload column
/// (`rtp_payload_type_short_vals`) when no SDP named the type: what `--compat wireshark` shows.
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

    /// tshark's Payload cell for a stream: the name of every payload type it carried, ascending, joined
    /// by ", " ("g711A, telephone-event"). A dynamic type (96 and up) takes its name from SDP when SDP
    /// named it; a static one keeps tshark's short name even then.
    public static func tsharkCell(payloadTypes: [UInt8], encodingNames: [UInt8: String]) -> String {
        payloadTypes.map { pt in pt >= 96 ? encodingNames[pt] ?? name(for: pt) : name(for: pt) }
            .joined(separator: ", ")
    }
}

/// A `ClockRateResolver` held by reference: what `StreamMeasurements.ingest` borrows for every packet.
/// The analyzer owns it and changes it only between packets (SDP learnt from the capture).
final class SharedClockRateResolver {
    @exclusivity(unchecked) var resolver: ClockRateResolver
    init(_ resolver: ClockRateResolver) { self.resolver = resolver }
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
    /// The `a=rtpmap` encoding name of each payload type SDP described (an `--sdp` file, or SIP/SDP seen
    /// in the capture), as written there ("G726-32", "H264", "telephone-event").
    public private(set) var sdpEncodingNames: [UInt8: String] = [:]

    public init(explicitRates: [UInt8: Int] = [:], sdpRates: [UInt8: Int] = [:]) {
        self.explicitRates = explicitRates
        self.sdpRates = sdpRates
    }

    /// Records what an `a=rtpmap` line says about a payload type: its clock rate (when positive) and its
    /// encoding name. A later mapping of the same number replaces the earlier one (a new call reusing it).
    public mutating func learn(payloadType: UInt8, encodingName: String, clockRate: Int?) {
        if let clockRate, clockRate > 0 { sdpRates[payloadType] = clockRate }
        guard !encodingName.isEmpty else { return }
        sdpEncodingNames[payloadType] = encodingName
        if encodingName.lowercased().hasPrefix("telephone-event") {
            telephoneEventTypes.insert(payloadType)
        } else {
            telephoneEventTypes.remove(payloadType)
        }
    }

    /// The encoding of `payloadType`: SDP's name, else the static table's; nil for a dynamic type no SDP named.
    public func encodingName(_ payloadType: UInt8) -> String? {
        sdpEncodingNames[payloadType] ?? StaticEncodingNames.name(for: payloadType)
    }

    /// `encodingName` of each of `payloadTypes` that has one.
    public func encodingNames(_ payloadTypes: [UInt8]) -> [UInt8: String] {
        var names: [UInt8: String] = [:]
        for pt in payloadTypes { names[pt] = encodingName(pt) }
        return names
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
