/// RFC 3550 Appendix A.1 sequence validation and A.3 loss accounting for one SSRC, with duplicate
/// and reordering classification.
///
/// Deliberate, documented deviations from the appendix's C code:
/// - **Probation packets count.** A.1 starts `received` and `base_seq` at the packet that ends probation,
///   so the first packet is never counted. We start the count at the first probation packet instead:
///   `expected` and `received` include the probation packets and so match the packets actually seen.
///   During probation an exact repeat is a duplicate, and a small forward gap (< MAX_DROPOUT) restarts
///   the consecutive-packet count but keeps the base, so packets lost early are counted as lost (A.1
///   would silently drop them from `expected`); only a backward step or a large jump re-initialises.
/// - **Restarts accumulate.** On a sender restart (the `bad_seq` re-sync) A.1 re-initialises everything.
///   We do too for the sequence state, but fold the finished epoch's expected/received into running totals,
///   so `expected`/`lost` cover the whole stream and stay sane; `restarts` counts re-syncs. The packet that
///   made the jump opens the new epoch (A.1 would leave it out of both expected and received).
/// - **Duplicates vs reordered.** A 128-entry bitmap of recently seen extended sequence numbers tells an
///   exact repeat (duplicate) from a late packet that fills a gap (reordered). Both are "received" per A.3
///   (so duplicates can drive `lost` negative, as the RFC says).
public struct SequenceTracker: Sendable {
    public static let maxDropout: UInt16 = 3000
    public static let maxMisorder: UInt16 = 100
    public static let minSequential = 2
    static let windowSize: UInt32 = 128

    public enum Outcome: Equatable, Sendable {
        /// Still on probation (not yet MIN_SEQUENTIAL consecutive packets).
        case probation
        /// In order (possibly after a gap; possibly the packet that ended probation).
        case inOrder
        /// Older than the highest sequence seen and not seen before: a late (reordered) packet.
        case reordered
        /// Exactly a sequence number already received recently.
        case duplicate
        /// A very large jump: remembered as bad_seq, not counted (yet).
        case badJump
        /// The packet after a bad jump continued from it: the sender restarted; state re-initialised.
        case restarted
    }

    // Declared widest first so the tracker packs without padding (it is inline in every stream).
    private var received: UInt64 = 0
    private var expectedPrior: Int64 = 0
    private var receivedPrior: UInt64 = 0
    // Epochs before the last restart
    private var earlierExpected: Int64 = 0
    private var earlierReceived: UInt64 = 0
    // Duplicate window: bit i set = extended sequence (extendedMax − i) was received.
    private var window: (UInt64, UInt64) = (0, 0)

    public private(set) var duplicates: UInt64 = 0
    public private(set) var reordered: UInt64 = 0
    public private(set) var restarts: UInt64 = 0
    public private(set) var badJumps: UInt64 = 0

    // A.1 state
    public private(set) var cycles: UInt32 = 0          // count of wraps, shifted (<< 16 kept implicit)
    public private(set) var baseSeq: UInt32 = 0
    private var badSeq: UInt32 = Self.noBadSeq
    public private(set) var maxSeq: UInt16 = 0
    private var probation = UInt8(Self.minSequential)
    private var started = false

    private static let noBadSeq: UInt32 = 0x1_0001   // RTP_SEQ_MOD + 1: matches no 16-bit value

    public init() {}

    /// Whether probation has completed at least once (the stream is "valid" in A.1 terms).
    public var isValidated: Bool { probation == 0 }

    /// The highest extended sequence number (cycles + max_seq).
    public var extendedMax: UInt32 { (cycles &<< 16) | UInt32(maxSeq) }

    public mutating func update(_ seq: UInt16) -> Outcome {
        guard started else {
            // A.1: init_seq on the first packet, which is the first of MIN_SEQUENTIAL probation packets.
            initialise(seq)
            received = 1
            probation = UInt8(Self.minSequential - 1)
            started = true
            return probation == 0 ? .inOrder : .probation
        }
        if probation > 0 { return advanceProbation(seq) }
        let udelta = seq &- maxSeq
        if udelta == 0 {
            duplicates &+= 1
            received &+= 1
            return .duplicate
        }
        if udelta < Self.maxDropout {
            // In order, with a permissible gap.
            if seq < maxSeq { cycles &+= 1 }
            shiftWindow(by: UInt32(udelta))
            maxSeq = seq
            received &+= 1
            return .inOrder
        }
        if udelta <= UInt16.max - Self.maxMisorder {
            // A very large jump.
            if UInt32(seq) == badSeq {
                // Two sequential packets after the jump: the source restarted. Re-sync, keeping totals;
                // the packet that made the jump opens the new epoch (it was received, so it counts).
                earlierExpected &+= currentExpected
                earlierReceived &+= received
                let jumped = seq &- 1
                initialise(jumped)
                if seq == 0 { cycles = 1 }
                maxSeq = seq
                window = (0b11, 0)
                received = 2
                restarts &+= 1
                return .restarted
            }
            badSeq = UInt32(seq &+ 1)
            badJumps &+= 1
            return .badJump
        }
        // Duplicate or reordered (a step back of at most MAX_MISORDER).
        received &+= 1
        let back = UInt32(maxSeq &- seq)
        if back < Self.windowSize, markSeen(back: back) {
            duplicates &+= 1
            return .duplicate
        }
        reordered &+= 1
        return .reordered
    }

    private mutating func advanceProbation(_ seq: UInt16) -> Outcome {
        let udelta = seq &- maxSeq
        if udelta == 0 {
            // An exact repeat (e.g. a doubled first packet) is a duplicate, not a reason to start over.
            duplicates &+= 1
            received &+= 1
            return .probation
        }
        if udelta == 1 {
            if seq == 0 { cycles &+= 1 }
            probation -= 1
            maxSeq = seq
            // Count from the first probation packet (see the type's documentation).
            received &+= 1
            shiftWindow(by: 1)
            return probation == 0 ? .inOrder : .probation
        }
        if udelta < Self.maxDropout {
            // A forward gap: probation starts over at this packet, but the packets in the gap were
            // lost, not imaginary — keep the base so they count (A.1 would forget the first packets).
            if seq < maxSeq { cycles &+= 1 }
            probation = UInt8(Self.minSequential - 1)
            maxSeq = seq
            received &+= 1
            shiftWindow(by: UInt32(udelta))
            return .probation
        }
        // Backwards or a large jump: probation restarts at this packet.
        probation = UInt8(Self.minSequential - 1)
        initialise(seq)
        received = 1
        return .probation
    }

    /// A.1 init_seq, with base at `seq`.
    private mutating func initialise(_ seq: UInt16) {
        baseSeq = UInt32(seq)
        maxSeq = seq
        badSeq = Self.noBadSeq
        cycles = 0
        received = 0
        expectedPrior = 0
        receivedPrior = 0
        window = (1, 0)
    }

    private var currentExpected: Int64 {
        guard received > 0 || probation == 0 else { return 0 }
        return Int64(extendedMax) - Int64(baseSeq) + 1
    }

    /// A.3 expected, over every epoch of the stream.
    public var expected: Int64 { earlierExpected &+ currentExpected }
    /// Packets counted as received by A.1/A.3 (duplicates included), over every epoch.
    public var receivedCount: UInt64 { earlierReceived &+ received }
    /// A.3 cumulative lost: signed; negative with duplicates; decreases when late packets arrive.
    public var lost: Int64 { expected &- Int64(truncatingIfNeeded: receivedCount) }

    /// A.3 interval fraction lost (0…255 as an RTCP RR would carry it), since the previous call.
    public mutating func takeIntervalFractionLost() -> UInt8 {
        let expectedNow = currentExpected
        let expectedInterval = expectedNow &- expectedPrior
        expectedPrior = expectedNow
        let receivedInterval = Int64(truncatingIfNeeded: received &- receivedPrior)
        receivedPrior = received
        let lostInterval = expectedInterval &- receivedInterval
        guard expectedInterval > 0, lostInterval > 0 else { return 0 }
        return UInt8(clamping: (lostInterval << 8) / expectedInterval)
    }

    // MARK: - Duplicate window

    private mutating func shiftWindow(by distance: UInt32) {
        if distance >= 128 {
            window = (1, 0)
        } else if distance >= 64 {
            window = (1, window.0 << (distance - 64))
        } else if distance > 0 {
            window.1 = (window.1 << distance) | (window.0 >> (64 - distance))
            window.0 = (window.0 << distance) | 1
        } else {
            window.0 |= 1
        }
    }

    /// Marks `back` positions behind the highest sequence as seen; true if it already was.
    private mutating func markSeen(back: UInt32) -> Bool {
        if back < 64 {
            let bit: UInt64 = 1 << back
            defer { window.0 |= bit }
            return window.0 & bit != 0
        }
        let bit: UInt64 = 1 << (back - 64)
        defer { window.1 |= bit }
        return window.1 & bit != 0
    }
}
