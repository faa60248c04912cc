/// RFC 3611 §4.7.2 burst and gap metrics from a stream's loss pattern, with Gmin = 16 (the RFC's
/// recommended value).
///
/// A burst is the longest run of packets that starts and ends with a lost packet and holds no Gmin or
/// more consecutive received packets; everything else is gap. As in the RFC's reference algorithm
/// (Appendix A.2, where a loss after ≥ Gmin received packets with `lost == 1` is a gap loss, c14), a
/// single loss with at least Gmin received packets on both sides is an isolated gap loss, not a burst.
///
/// Losses come from the RTP sequence (a number skipped when a later one arrives), positions are
/// sequence numbers: the counter sees "n lost" and "one received" in sequence order.
struct BurstGapCounter: Sendable, Equatable {
    static let gMin: UInt64 = 16

    /// Bursts closed so far, the positions (lost and received) they span, and their losses.
    private(set) var bursts: UInt64 = 0
    private(set) var burstPositions: UInt64 = 0
    private(set) var burstLosses: UInt64 = 0
    private(set) var losses: UInt64 = 0
    private(set) var positions: UInt64 = 0
    /// The open loss cluster: losses in it (0: none) and positions from its first to its last loss.
    private var clusterLosses: UInt64 = 0
    private var clusterSpan: UInt64 = 0
    private var receivedSinceLoss: UInt64 = 0

    init(receivedBefore: UInt64 = 0) {
        positions = receivedBefore
        receivedSinceLoss = receivedBefore
    }

    mutating func received() {
        positions &+= 1
        receivedSinceLoss &+= 1
    }

    /// `count` consecutive lost packets (a sequence gap).
    mutating func lost(_ count: UInt64) {
        guard count > 0 else { return }
        if clusterLosses > 0 && receivedSinceLoss < Self.gMin {
            // Fewer than Gmin received since the last loss: the cluster goes on through them.
            clusterSpan &+= receivedSinceLoss &+ count
            clusterLosses &+= count
        } else {
            closeCluster()
            clusterLosses = count
            clusterSpan = count
        }
        receivedSinceLoss = 0
        losses &+= count
        positions &+= count
    }

    private mutating func closeCluster() {
        if clusterLosses >= 2 {
            bursts &+= 1
            burstPositions &+= clusterSpan
            burstLosses &+= clusterLosses
        }
        clusterLosses = 0
        clusterSpan = 0
    }

    /// The figures so far, the open cluster closed as it stands (the period ends now).
    var summary: Summary {
        var closed = self
        closed.closeCluster()
        return Summary(bursts: closed.bursts, burstPositions: closed.burstPositions, burstLosses: closed.burstLosses,
                       gapPositions: closed.positions &- closed.burstPositions,
                       gapLosses: closed.losses &- closed.burstLosses)
    }

    struct Summary: Equatable {
        var bursts: UInt64
        var burstPositions: UInt64
        var burstLosses: UInt64
        var gapPositions: UInt64
        var gapLosses: UInt64

        /// Fraction of packets within bursts that were lost (0 without bursts).
        var burstDensity: Double { burstPositions == 0 ? 0 : Double(burstLosses) / Double(burstPositions) }
        /// Fraction of packets within gaps that were lost.
        var gapDensity: Double { gapPositions == 0 ? 0 : Double(gapLosses) / Double(gapPositions) }
        /// Mean burst length, packets (0 without bursts).
        var meanBurstPackets: Double { bursts == 0 ? 0 : Double(burstPositions) / Double(bursts) }
        /// Mean gap length, packets: the gap periods are the stretches the bursts cut the stream into
        /// (bursts + 1), as RFC 3611 Appendix A.2 divides the gap positions by the burst count.
        var meanGapPackets: Double { Double(gapPositions) / Double(bursts + 1) }
    }
}

/// Lengths of loss runs (consecutive lost sequence numbers): 1…9 and 10 or more, and the longest.
struct LossRunHistogram: Sendable, Equatable {
    private(set) var counts: [UInt64] = Array(repeating: 0, count: 10)
    private(set) var longest: UInt64 = 0

    mutating func record(_ run: UInt64) {
        guard run > 0 else { return }
        counts[Int(min(run, 10)) - 1] &+= 1
        if run > longest { longest = run }
    }
}
