import Testing
@testable import RTPCore

@Suite("RFC 3550 A.1/A.3 sequence tracking")
struct SequenceTrackerTests {
    private func track(_ sequence: [UInt16]) -> (SequenceTracker, [SequenceTracker.Outcome]) {
        var tracker = SequenceTracker()
        let outcomes = sequence.map { tracker.update($0) }
        return (tracker, outcomes)
    }

    @Test func probationNeedsTwoConsecutivePacketsAndCountsTheFirst() {
        let (tracker, outcomes) = track([100, 101, 102])
        #expect(outcomes == [.probation, .inOrder, .inOrder])
        #expect(tracker.isValidated)
        // The probation packet is counted: 3 seen, 3 expected, none lost.
        #expect(tracker.expected == 3)
        #expect(tracker.receivedCount == 3)
        #expect(tracker.lost == 0)
    }

    @Test func singlePacketIsNotValidated() {
        let (tracker, _) = track([7])
        #expect(!tracker.isValidated)
    }

    @Test func wrapFrom65535To0AddsACycle() {
        let (tracker, outcomes) = track([65534, 65535, 0, 1])
        #expect(outcomes == [.probation, .inOrder, .inOrder, .inOrder])
        #expect(tracker.cycles == 1)
        #expect(tracker.extendedMax == 65536 + 1)
        #expect(tracker.expected == 4)
        #expect(tracker.lost == 0)
    }

    @Test func wrapDuringProbationStillCounts() {
        let (tracker, _) = track([65535, 0, 1])
        #expect(tracker.isValidated)
        #expect(tracker.expected == 3)
    }

    @Test func gapIsLossAndLatePacketReducesIt() {
        var tracker = SequenceTracker()
        for seq: UInt16 in [1, 2, 3, 6, 7] { _ = tracker.update(seq) }
        // 1…7 expected (7), 5 received: 4 and 5 lost.
        #expect(tracker.expected == 7)
        #expect(tracker.lost == 2)
        #expect(tracker.update(4) == .reordered)
        #expect(tracker.lost == 1)   // lost decreases when a late packet arrives: a gauge
        #expect(tracker.reordered == 1)
        #expect(tracker.duplicates == 0)
    }

    @Test func duplicatesAreToldFromReorderedAndMakeLostNegative() {
        var tracker = SequenceTracker()
        for seq: UInt16 in [10, 11, 12, 13] { _ = tracker.update(seq) }
        #expect(tracker.update(13) == .duplicate)   // the highest again
        #expect(tracker.update(11) == .duplicate)   // an older one again (bitmap window)
        #expect(tracker.duplicates == 2)
        #expect(tracker.reordered == 0)
        // 4 expected, 6 received: RFC 3550 says lost = −2.
        #expect(tracker.lost == -2)
    }

    @Test func duplicateFirstPacketDuringProbation() {
        let (tracker, outcomes) = track([0, 0, 1, 2])
        #expect(outcomes == [.probation, .probation, .inOrder, .inOrder])
        #expect(tracker.duplicates == 1)
        #expect(tracker.lost == -1)   // tshark's dups.a.rtp case: Lost −1
    }

    @Test func forwardGapDuringProbationIsCountedAsLoss() {
        // The 56 %-loss capture starts 400, 423, 424: 401…422 were lost, not imaginary.
        let (tracker, _) = track([400, 423, 424])
        #expect(tracker.isValidated)
        #expect(tracker.expected == 25)
        #expect(tracker.lost == 22)
    }

    @Test func senderRestartResynchronisesAndKeepsTotals() {
        var tracker = SequenceTracker()
        for seq: UInt16 in 1000...1009 { _ = tracker.update(seq) }
        #expect(tracker.update(20000) == .badJump)    // remembered, not counted
        #expect(tracker.update(20001) == .restarted)  // continues from the jump: restart
        for seq: UInt16 in 20002...20004 { #expect(tracker.update(seq) == .inOrder) }
        #expect(tracker.restarts == 1)
        // 10 before + 20000…20004 after: the packet that made the jump opens the new epoch.
        #expect(tracker.expected == 15)
        #expect(tracker.receivedCount == 15)
        #expect(tracker.lost == 0)
    }

    @Test func restartAcrossTheWrapCountsTheJumpedPacket() {
        var tracker = SequenceTracker()
        for seq: UInt16 in 100...104 { _ = tracker.update(seq) }
        #expect(tracker.update(65535) == .badJump)
        #expect(tracker.update(0) == .restarted)
        #expect(tracker.update(1) == .inOrder)
        #expect(tracker.expected == 5 + 3)
        #expect(tracker.lost == 0)
    }

    @Test func isolatedBigJumpIsIgnored() {
        var tracker = SequenceTracker()
        for seq: UInt16 in 1...5 { _ = tracker.update(seq) }
        #expect(tracker.update(40000) == .badJump)
        #expect(tracker.update(6) == .inOrder)
        #expect(tracker.restarts == 0)
        #expect(tracker.lost == 0)
    }

    @Test func intervalFractionLost() {
        var tracker = SequenceTracker()
        for seq: UInt16 in [1, 2, 3, 4] { _ = tracker.update(seq) }
        #expect(tracker.takeIntervalFractionLost() == 0)
        for seq: UInt16 in [6, 8] { _ = tracker.update(seq) }   // 5 and 7 lost of 4 expected
        #expect(tracker.takeIntervalFractionLost() == 128)     // 2·256/4
        #expect(tracker.takeIntervalFractionLost() == 0)       // nothing expected since
    }
}
