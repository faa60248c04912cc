/// An inter-send gap on an outgoing stream longer than `stallFactor` × the stream's expected
/// packet interval: the sender stopped sending for a while. `start` is the previous send, `end`
/// the send that ended the gap (epoch nanoseconds).
public struct SendStall: Sendable, Equatable {
    public var start: Nanoseconds
    public var end: Nanoseconds
    public var expectedInterval: Nanoseconds

    public init(start: Nanoseconds, end: Nanoseconds, expectedInterval: Nanoseconds) {
        self.start = start
        self.end = end
        self.expectedInterval = expectedInterval
    }

    public var length: Nanoseconds { end &- start }
}

/// Why a send stall happened, as far as the process's codec calls tell.
public enum StallCause: String, Sendable, CaseIterable, Codable {
    /// A codec call of the same process covered most of the gap.
    case codec
    /// Anything else: the process was not in a probed codec call (scheduling, I/O, pacing logic).
    case other
}

/// Stall counts of one outgoing stream; `pending` stalls are waiting for the codec records that
/// may explain them.
public struct SendStallCounts: Sendable, Equatable, Codable {
    public var codec: UInt64 = 0
    public var other: UInt64 = 0
    public var pending: UInt64 = 0

    public init(codec: UInt64 = 0, other: UInt64 = 0, pending: UInt64 = 0) {
        self.codec = codec
        self.other = other
        self.pending = pending
    }

    public subscript(cause: StallCause) -> UInt64 {
        switch cause {
        case .codec: codec
        case .other: other
        }
    }
}

/// Send pacing of one outgoing stream: the expected interval between sends, stalls, and the worst
/// send interval of each recent second.
///
/// The expected interval comes from the media, not from the sends: the RTP timestamp step between
/// consecutive frames (packets with a new timestamp) divided by the clock rate. A stalled sender
/// still stamps media time, so stalls do not inflate the expectation. The lower quartile of the
/// last 16 steps is used, so B-frames sent in decode order (steps of -2, +3 frames…) and a lost
/// packet still give one frame duration.
public struct SendPacing: Sendable {
    public let stallFactor: Double
    public private(set) var counts = SendStallCounts()
    public private(set) var worstInterval = PerSecondMaxima()
    private var lastSend: Nanoseconds?
    private var lastFrameTimestamp: UInt32?
    /// The last `stepWindow` frame steps in nanoseconds (a ring, inline: no allocation per stream;
    /// 32 bits hold `maximumStep`).
    private var frameSteps = InlineArray<16, UInt32>(repeating: 0)
    private var stepCount: UInt8 = 0
    private var nextStep: UInt8 = 0
    /// The lower quartile of `frameSteps`, recomputed when a step is added (not per packet).
    public private(set) var expectedInterval: Nanoseconds?
    static let stepWindow = 16
    static let minimumSteps = 4
    /// Steps beyond this are discontinuities (a new source, a pause), not a frame duration.
    static let maximumStep: Nanoseconds = 4_000_000_000

    public init(stallFactor: Double) {
        self.stallFactor = stallFactor
    }

    /// Heap bytes (none: the window and the steps are inline).
    var heapBytes: Int { 0 }

    /// One sent packet. Returns the stall it ended, if any (counted as pending until classified).
    public mutating func observe(time: Nanoseconds, timestamp: UInt32, clockRate: Int?) -> SendStall? {
        defer { lastSend = time }
        var stall: SendStall?
        if let lastSend {
            // Wrapping: a source's times are not trusted to be sane (a clock step, a hostile record).
            let gap = max(0, time &- lastSend)
            worstInterval.record(Double(gap) / 1e9, at: time)
            if let expected = expectedInterval, Double(gap) > stallFactor * Double(expected) {
                stall = SendStall(start: lastSend, end: time, expectedInterval: expected)
                counts.pending &+= 1
            }
        }
        if let clockRate, clockRate > 0 {
            if let previous = lastFrameTimestamp, previous != timestamp {
                let ticks = Int64(Int32(bitPattern: timestamp &- previous)).magnitude
                let step = Nanoseconds(Double(ticks) * 1e9 / Double(clockRate))
                if step > 0 && step <= Self.maximumStep { remember(step) }
            }
            lastFrameTimestamp = timestamp
        }
        return stall
    }

    /// A pending stall got its cause.
    public mutating func classify(_ cause: StallCause) {
        guard counts.pending > 0 else { return }
        counts.pending -= 1
        switch cause {
        case .codec: counts.codec &+= 1
        case .other: counts.other &+= 1
        }
    }

    private mutating func remember(_ step: Nanoseconds) {
        let value = UInt32(step)
        // A steady stream replaces a step by an equal one: the window's values, and so the quartile,
        // stay the same (audio takes this path on every packet).
        let unchanged = Int(stepCount) == Self.stepWindow && frameSteps[Int(nextStep)] == value
        frameSteps[Int(nextStep)] = value
        nextStep = UInt8((Int(nextStep) + 1) % Self.stepWindow)
        stepCount = UInt8(min(Int(stepCount) + 1, Self.stepWindow))
        let count = Int(stepCount)
        guard count >= Self.minimumSteps, !unchanged else { return }
        // Insertion sort of at most 16 values on the stack: cheaper than the array sort it replaces,
        // and only when a frame step arrives.
        var sorted = InlineArray<16, UInt32>(repeating: .max)
        for i in 0..<count {
            var j = i
            let value = frameSteps[i]
            while j > 0 && sorted[j - 1] > value {
                sorted[j] = sorted[j - 1]
                j -= 1
            }
            sorted[j] = value
        }
        expectedInterval = Nanoseconds(sorted[(count - 1) / 4])
    }
}
