/// A line-by-line model of tshark 4.0's `rtppacket_analyse` (ui/tap-rtp-analysis.c) and of the
/// `-z rtp,streams` table built from it (ui/tap-rtp-common.c). Used by `--compat wireshark`.
///
/// Checked against tshark 4.0.17 on every shared capture. 4.0 predates the extended-timestamp rework of
/// later releases: "in time sequence" means within 2^31 *after the stream's first timestamp*, the
/// nominal time is the timestamp offset from the first packet, and the previous nominal time only moves
/// on packets with a known clock — while the previous arrival time moves on every in-sequence packet.
/// That matters for RFC 4733 events mixed into an audio SSRC (clock 0), and reproduces tshark there.
///
/// The quirks are the point and are kept on purpose:
/// - times are milliseconds relative to the capture's first frame (`pinfo->rel_ts`);
/// - the timestamp→ms step divides by `clock_rate / 1000` in *integer* arithmetic (44100 → 44);
/// - jitter is updated for every in-time-sequence packet with a known clock, but only "regular" packets
///   (not the first, not marked, not comfort noise nor the packet after one, not before the first
///   timestamp) enter the min/max/mean of delta and jitter;
/// - the means are running averages whose divisor is the number of packets so far *minus one*,
///   including the irregular packets that added nothing (so they pull the mean down slightly);
/// - sequence cycles count with the `under` flag heuristic; expected = last sequence number (not the
///   highest) + 65536·cycles − first + 1; lost = expected − packets, signed; no re-sync on restarts;
/// - a dynamic payload type without an SDP-given rate (or telephone-event) has clock 0: no jitter at all
///   (tshark prints min −1, mean/max 0 — we report nil).
public struct WiresharkRTPStatistics: Sendable {
    private static let flagFirst: UInt32 = 0x001
    private static let flagMarker: UInt32 = 0x002
    private static let flagWrongSeq: UInt32 = 0x004
    private static let flagPTChange: UInt32 = 0x008
    private static let flagPTComfortNoise: UInt32 = 0x010
    private static let flagFollowsComfortNoise: UInt32 = 0x020
    private static let flagWrongTimestamp: UInt32 = 0x080

    private var firstPacket = true
    private var flags: UInt32 = 0
    private var seqNum: UInt16 = 0
    private var firstTimestamp: UInt32 = 0
    private var lastNominalTime: Double = 0
    private var time: Double = 0
    private var startSeq: UInt16 = 0
    private var stopSeq: UInt16 = 0
    private var under = false
    private var seqCycles: Int32 = 0
    private var payloadType: UInt8 = 0
    public private(set) var totalPackets: UInt32 = 0
    /// How many times the sequence number was "not ok" (tshark's `sequence`).
    public private(set) var sequenceErrors: UInt32 = 0
    /// The last clock rate that was non-zero (tshark's `statinfo->clock_rate`), 0 if never.
    public private(set) var clockRate: UInt32 = 0
    private var delta: Double = 0
    private var jitter: Double = 0
    private var minDelta: Double = -1
    private var maxDelta: Double = 0
    private var meanDelta: Double = 0
    private var minJitter: Double = -1
    private var maxJitter: Double = 0
    private var meanJitter: Double = 0
    /// tshark marks a stream with a problem ("X") on any wrong sequence or timestamp.
    public private(set) var problem = false

    public init() {}

    /// One packet. `currentTime` is milliseconds since the capture's first frame; `clockRate` is what
    /// tshark would use for this payload type (see `ClockRateResolver.wiresharkRate`).
    public mutating func analyse(currentTime: Double, sequence: UInt16, timestamp: UInt32,
                                 payloadType newPayloadType: UInt8, marker: Bool, clockRate rate: UInt32) {
        if firstPacket {
            startSeq = sequence; stopSeq = sequence; seqNum = sequence
            firstTimestamp = timestamp
            lastNominalTime = 0
            time = currentTime
            payloadType = newPayloadType
            delta = 0; maxDelta = 0; minDelta = -1; meanDelta = 0
            jitter = 0; minJitter = -1; maxJitter = 0
            totalPackets &+= 1
            flags = Self.flagFirst | (marker ? Self.flagMarker : 0)
            firstPacket = false
            return
        }
        flags = 0

        // Within half the timestamp range after the first packet's timestamp, with tshark's (odd but
        // harmless) formula for the wrapped case.
        let inTimeSequence: Bool
        if firstTimestamp <= timestamp {
            inTimeSequence = timestamp - firstTimestamp < 0x8000_0000
        } else {
            inTimeSequence = UInt64(firstTimestamp) + UInt64(0xFFFF_FFFF - timestamp) < 0x8000_0000
        }
        if !inTimeSequence { flags |= Self.flagWrongTimestamp }

        // Sequence cycles ("under" flag heuristic).
        if sequence < startSeq && inTimeSequence && !under {
            seqCycles &+= 1
            under = true
        } else if sequence == 0 && stopSeq == 65535 && inTimeSequence && !under {
            seqCycles &+= 1
            under = true
        } else if sequence > startSeq && inTimeSequence && under {
            under = false
        }

        // Sequence checks; C promotes the 16-bit values to int, so compare in Int.
        let last = Int(seqNum), current = Int(sequence)
        if inTimeSequence && last + 1 == current {
            seqNum = sequence
        } else if inTimeSequence && last == 65535 && current == 0 {
            seqNum = sequence
        } else if inTimeSequence && (last + 1 < current || last - current > 0xFF00) {
            seqNum = sequence
            sequenceErrors &+= 1
            flags |= Self.flagWrongSeq
        } else if last + 1 > current {
            sequenceErrors &+= 1
            flags |= Self.flagWrongSeq
        }

        if StaticClockRates.isComfortNoise(newPayloadType) { flags |= Self.flagPTComfortNoise }
        if StaticClockRates.isComfortNoise(payloadType) { flags |= Self.flagFollowsComfortNoise }
        if newPayloadType != payloadType { flags |= Self.flagPTChange }
        payloadType = newPayloadType

        // Delta and jitter only for packets in time sequence; the others keep the previous delta.
        var currentJitter = 0.0
        if inTimeSequence {
            var nominalTime = Double(timestamp &- firstTimestamp)
            if rate != 0 {
                clockRate = rate
                nominalTime /= Double(rate / 1000)   // integer clock/1000, as tshark
                let expectedTime = time + (nominalTime - lastNominalTime)
                let currentDiff = abs(currentTime - expectedTime)
                currentJitter = (15 * jitter + currentDiff) / 16
                delta = currentTime - time
                jitter = currentJitter
                lastNominalTime = nominalTime
            } else {
                delta = currentTime - time
            }
        }

        if marker { flags |= Self.flagMarker }

        let irregular = Self.flagFirst | Self.flagMarker | Self.flagPTComfortNoise
            | Self.flagWrongTimestamp | Self.flagFollowsComfortNoise
        if flags & irregular == 0 {
            if delta > maxDelta { maxDelta = delta }
            if minDelta == -1 || delta < minDelta { minDelta = delta }
            let n = Double(totalPackets)
            meanDelta = (meanDelta * (n - 1) + delta) / n
            if rate != 0 {
                if jitter > maxJitter { maxJitter = jitter }
                meanJitter = (meanJitter * (n - 1) + currentJitter) / n
                if minJitter == -1 || jitter < minJitter { minJitter = jitter }
            }
        }

        if inTimeSequence { time = currentTime }
        stopSeq = sequence
        totalPackets &+= 1
        if flags & (Self.flagWrongSeq | Self.flagWrongTimestamp) != 0 { problem = true }
    }

    // MARK: - The stream table's columns

    /// (last seq + 65536·cycles) − first seq + 1, as tshark computes it.
    public var expected: Int64 {
        Int64(stopSeq) + Int64(seqCycles) * 0x10000 - Int64(startSeq) + 1
    }

    /// expected − packets, with tshark's 32-bit signed arithmetic.
    public var lost: Int64 {
        Int64(Int32(truncatingIfNeeded: expected &- Int64(totalPackets)))
    }

    /// nil when no regular packet was seen (tshark prints −1).
    public var minDeltaMs: Double? { minDelta < 0 ? nil : minDelta }
    public var meanDeltaMs: Double? { minDelta < 0 ? nil : meanDelta }
    public var maxDeltaMs: Double? { minDelta < 0 ? nil : maxDelta }

    /// Jitter columns are nil when tshark could not compute jitter (clock 0: it prints −1/0/0).
    public var hasJitter: Bool { clockRate != 0 }
    public var jitterMs: Double? { hasJitter ? jitter : nil }
    public var minJitterMs: Double? { hasJitter && minJitter >= 0 ? minJitter : nil }
    public var meanJitterMs: Double? { hasJitter && minJitter >= 0 ? meanJitter : nil }
    public var maxJitterMs: Double? { hasJitter && minJitter >= 0 ? maxJitter : nil }
}
